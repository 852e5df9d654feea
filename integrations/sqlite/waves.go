package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/portolan/portolan/domain"
)

// CreateWave takes allocated orders of a warehouse (highest priority, then
// oldest first; capped by orders or lines, never cutting an order) into a
// pick wave: each allocated line gets its bins (first-expiry-first-out, then
// pick order, never counting a bin's stock twice) and each order a tote; the
// orders move to picking. Stock moves only when picks are confirmed.
func (db *LedgerStore) CreateWave(ctx context.Context, warehouse string, f domain.WaveFilter) (domain.Wave, error) {
	set, err := db.StockStore().ShippingSettings(ctx)
	if err != nil {
		return domain.Wave{}, err
	}
	var id int64
	err = db.ledgerTx(ctx, func(l *ledger) error {
		w, err := l.warehouse(warehouse)
		if err != nil {
			return err
		}
		q := `SELECT o.id, o.number, o.service, a.line_no, ol.sku, a.qty FROM orders o
			JOIN channels c ON c.id = o.channel_id
			JOIN allocations a ON a.order_id = o.id AND a.warehouse_id = ?
			JOIN order_lines ol ON ol.order_id = a.order_id AND ol.line_no = a.line_no
			WHERE o.status IN ('allocated', 'picking')
			  AND NOT EXISTS (SELECT 1 FROM wave_lines wl WHERE wl.order_id = a.order_id AND wl.line_no = a.line_no)`
		args := []any{w}
		if f.ChannelID != 0 {
			q += ` AND o.channel_id = ?`
			args = append(args, f.ChannelID)
		}
		if f.MinPriority != nil {
			q += ` AND o.priority >= ?`
			args = append(args, *f.MinPriority)
		}
		if !f.PlacedBefore.IsZero() {
			q += ` AND o.placed_at < ?`
			args = append(args, millis(f.PlacedBefore))
		}
		if s := strings.TrimSpace(f.Service); s != "" {
			q += ` AND o.service LIKE ? ESCAPE '\'`
			args = append(args, "%"+likeText(s)+"%")
		}
		q += ` ORDER BY o.priority * 100 + c.priority * 10 DESC, o.placed_at, o.id, a.line_no`
		rows, err := l.x.tx.QueryContext(ctx, q, args...)
		if err != nil {
			return translate(err)
		}
		type line struct {
			order   int64
			number  string
			service string
			lineNo  int
			sku     string
			qty     int64
		}
		var lines []line
		for rows.Next() {
			var ln line
			if err := rows.Scan(&ln.order, &ln.number, &ln.service, &ln.lineNo, &ln.sku, &ln.qty); err != nil {
				rows.Close()
				return err
			}
			lines = append(lines, ln)
		}
		rows.Close()
		// Group by order (rows are in order), apply the filters and caps.
		type order struct {
			id      int64
			number  string
			service string
			lines   []line
		}
		var orders []order
		for _, ln := range lines {
			if n := len(orders); n == 0 || orders[n-1].id != ln.order {
				orders = append(orders, order{id: ln.order, number: ln.number, service: ln.service})
			}
			orders[len(orders)-1].lines = append(orders[len(orders)-1].lines, ln)
		}
		// The domain decides which orders go in; the query only pre-filtered.
		candidates := make([]domain.WaveCandidate, len(orders))
		byID := make(map[int64]order, len(orders))
		for i, o := range orders {
			candidates[i] = domain.WaveCandidate{OrderID: o.id, Service: o.service, Lines: len(o.lines)}
			byID[o.id] = o
		}
		var picked []order
		for _, c := range domain.SelectWave(candidates, f, set.CarrierFor) {
			picked = append(picked, byID[c.OrderID])
		}
		if len(picked) == 0 {
			return domain.Errorf(domain.ENOTFOUND, "no allocated orders in %s wait for picking", warehouse)
		}
		res, err := insert(ctx, l.x, `INSERT INTO waves (warehouse_id, status, created_at) VALUES (?, 'open', ?)`, w, l.now)
		if err != nil {
			return translate(err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		used := map[[2]any]int64{} // (bin, lot) of a product → already planned for picking
		for tote, o := range picked {
			if _, err := l.x.ExecContext(ctx, `INSERT INTO wave_orders (wave_id, order_id, tote) VALUES (?, ?, ?)`, id, o.id, tote+1); err != nil {
				return translate(err)
			}
			for _, ln := range o.lines {
				p, err := l.product(ln.sku)
				if err != nil {
					return fmt.Errorf("order %s: %w", o.number, err)
				}
				pieces, err := l.planPick(p, w, ln.qty, used)
				if err != nil {
					return fmt.Errorf("order %s: %w", o.number, err)
				}
				for _, pc := range pieces {
					if _, err := l.x.ExecContext(ctx, `INSERT INTO wave_lines (wave_id, order_id, line_no, product_id, location_id, lot, qty)
						VALUES (?, ?, ?, ?, ?, ?, ?)`, id, o.id, ln.lineNo, p.id, pc.bin.id, pc.lot, pc.qty); err != nil {
						return translate(err)
					}
				}
			}
			var status string
			if err := l.x.QueryRowContext(ctx, `SELECT status FROM orders WHERE id = ?`, o.id).Scan(&status); err != nil {
				return err
			}
			if status == string(domain.StatusAllocated) {
				if err := transitionOrder(ctx, l.x, o.id, domain.StatusPicking, l.now, fmt.Sprintf("wave %d, tote %d", id, tote+1)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return domain.Wave{}, err
	}
	return db.StockStore().Wave(ctx, id)
}

// planPick chooses the bins (and lots) a quantity of a product is picked
// from in a warehouse — in fefo order — leaving out what earlier lines of
// the wave already count on.
func (l *ledger) planPick(p productRef, warehouse int64, qty int64, used map[[2]any]int64) ([]piece, error) {
	all, _, err := l.fefo(p, warehouse, binRef{}, "", 0)
	if err != nil {
		return nil, err
	}
	var out []piece
	left := qty
	for _, f := range all {
		key := [2]any{fmt.Sprint(p.id, "@", f.loc), f.lot}
		free := f.qty - used[key]
		if free <= 0 || left == 0 {
			continue
		}
		n := min(free, left)
		b, err := l.binByID(f.loc)
		if err != nil {
			return nil, err
		}
		out = append(out, piece{bin: b, lot: f.lot, qty: n})
		used[key] += n
		left -= n
	}
	if left > 0 {
		return nil, domain.Errorf(domain.ECONFLICT, "%s: the bins hold %d fewer than allocated; count the bins or re-allocate", p.sku, left)
	}
	return out, nil
}

// Wave reads a wave with its picks in walking order: zones in the order the
// walk reaches them (their first bin's pick sequence), then pick sequence.
func (db *StockStore) Wave(ctx context.Context, id int64) (domain.Wave, error) {
	var wv domain.Wave
	var created int64
	err := db.read.QueryRowContext(ctx, `SELECT w.id, wh.code, wh.name, w.status, w.created_at,
			(SELECT count(*) FROM wave_orders WHERE wave_id = w.id)
		FROM waves w JOIN warehouses wh ON wh.id = w.warehouse_id WHERE w.id = ?`, id).
		Scan(&wv.ID, &wv.Warehouse, &wv.WhName, &wv.Status, &created, &wv.Orders)
	if err != nil {
		return wv, missing(err, "no wave %d", id)
	}
	wv.CreatedAt = fromMS(created)
	rows, err := db.read.QueryContext(ctx, `SELECT wl.id, wl.order_id, o.number, wl.line_no, wo.tote, p.sku, p.name, wl.qty,
			loc.code, loc.zone, loc.pick_sequence, wl.lot, coalesce(lots.expiry, ''), wl.picked_qty, o.ship_name
		FROM wave_lines wl
		JOIN orders o ON o.id = wl.order_id
		JOIN wave_orders wo ON wo.wave_id = wl.wave_id AND wo.order_id = wl.order_id
		JOIN products p ON p.id = wl.product_id
		JOIN locations loc ON loc.id = wl.location_id
		LEFT JOIN lots ON lots.product_id = wl.product_id AND lots.lot = wl.lot
		WHERE wl.wave_id = ?`, id)
	if err != nil {
		return wv, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var l domain.PickLine
		var qty int64
		var picked sql.NullInt64
		if err := rows.Scan(&l.ID, &l.OrderID, &l.Number, &l.LineNo, &l.Tote, &l.SKU, &l.Name, &qty, &l.Bin, &l.Zone, &l.PickSeq,
			&l.Lot, &l.Expiry, &picked, &l.Customer); err != nil {
			return wv, err
		}
		l.Qty = domain.Quantity(qty)
		if picked.Valid {
			q := domain.Quantity(picked.Int64)
			l.Picked = &q
		}
		wv.Lines = append(wv.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return wv, err
	}
	domain.SortWalk(wv.Lines)
	return wv, nil
}

// ConfirmPick records what was picked on one line of a wave: the picked
// quantity moves from the line's bin (and lot) to the warehouse's STAGING
// bin in the ledger. It returns the shortfall (0 when the pick was full).
func (db *LedgerStore) ConfirmPick(ctx context.Context, lineID int64, picked domain.Quantity) (domain.Quantity, error) {
	if picked < 0 {
		return 0, domain.Errorf(domain.EINVALID, "a picked quantity cannot be negative")
	}
	var short domain.Quantity
	err := db.ledgerTx(ctx, func(l *ledger) error {
		var waveID, orderID, productID, locationID, qty int64
		var lot, status string
		var done sql.NullInt64
		err := l.x.QueryRowContext(ctx, `SELECT wl.wave_id, wl.order_id, wl.product_id, wl.location_id, wl.lot, wl.qty, wl.picked_qty, w.status
			FROM wave_lines wl JOIN waves w ON w.id = wl.wave_id WHERE wl.id = ?`, lineID).
			Scan(&waveID, &orderID, &productID, &locationID, &lot, &qty, &done, &status)
		if err != nil {
			return missing(err, "no pick %d", lineID)
		}
		if done.Valid {
			e := domain.Errorf(domain.ECONFLICT, "pick %d was already confirmed (%d picked)", lineID, done.Int64)
			e.Err = domain.ErrPickConfirmed
			return e
		}
		if int64(picked) > qty {
			return domain.Errorf(domain.EINVALID, "%d picked, but the pick is for %d", picked, qty)
		}
		l.doc = fmt.Sprintf("wave %d", waveID)
		from, err := l.binByID(locationID)
		if err != nil {
			return err
		}
		staging, err := l.bin(from.warehouse, domain.StagingBin)
		if err != nil {
			return err
		}
		var sku string
		var lotTracked bool
		if err := l.x.QueryRowContext(ctx, `SELECT sku, lot_tracked FROM products WHERE id = ?`, productID).Scan(&sku, &lotTracked); err != nil {
			return err
		}
		p := productRef{id: productID, sku: sku, lotTracked: lotTracked}
		if picked > 0 {
			if err := l.move(domain.MovePick, p, from, staging, lot, int64(picked)); err != nil {
				return err
			}
		}
		if _, err := l.x.ExecContext(ctx, `UPDATE wave_lines SET picked_qty = ? WHERE id = ?`, int64(picked), lineID); err != nil {
			return translate(err)
		}
		short = domain.Quantity(qty) - picked
		var open int
		if err := l.x.QueryRowContext(ctx, `SELECT count(*) FROM wave_lines WHERE wave_id = ? AND picked_qty IS NULL`, waveID).Scan(&open); err != nil {
			return err
		}
		if open == 0 {
			_, err = l.x.ExecContext(ctx, `UPDATE waves SET status = 'picked' WHERE id = ?`, waveID)
			return translate(err)
		}
		return nil
	})
	return short, err
}

// PickFromNextBin adds a pick for a short line's shortfall from the next bin
// (and lot) with stock the wave does not count on yet.
func (db *LedgerStore) PickFromNextBin(ctx context.Context, lineID int64) (domain.PickLine, error) {
	var newID, waveID int64
	err := db.ledgerTx(ctx, func(l *ledger) error {
		var orderID, productID, locationID, qty int64
		var lineNo int
		var picked sql.NullInt64
		err := l.x.QueryRowContext(ctx, `SELECT wave_id, order_id, line_no, product_id, location_id, qty, picked_qty FROM wave_lines WHERE id = ?`, lineID).
			Scan(&waveID, &orderID, &lineNo, &productID, &locationID, &qty, &picked)
		if err != nil {
			return missing(err, "no pick %d", lineID)
		}
		if !picked.Valid || picked.Int64 >= qty {
			return domain.Errorf(domain.ECONFLICT, "this pick is not short")
		}
		var sku string
		var wh int64
		if err := l.x.QueryRowContext(ctx, `SELECT p.sku, loc.warehouse_id FROM products p, locations loc WHERE p.id = ? AND loc.id = ?`,
			productID, locationID).Scan(&sku, &wh); err != nil {
			return err
		}
		p := productRef{id: productID, sku: sku}
		// What other open picks of the wave count on is not free; the short bin is empty for this purpose.
		used := map[[2]any]int64{}
		rows, err := l.x.tx.QueryContext(ctx, `SELECT location_id, lot, qty FROM wave_lines WHERE product_id = ? AND picked_qty IS NULL`, productID)
		if err != nil {
			return translate(err)
		}
		for rows.Next() {
			var loc, q int64
			var lot string
			if err := rows.Scan(&loc, &lot, &q); err != nil {
				rows.Close()
				return err
			}
			used[[2]any{fmt.Sprint(productID, "@", loc), lot}] += q
		}
		rows.Close()
		pieces, err := l.planPickExcept(p, wh, qty-picked.Int64, used, locationID)
		if err != nil {
			return err
		}
		pc := pieces[0]
		if len(pieces) > 1 {
			return domain.Errorf(domain.ECONFLICT, "%s: no single bin holds the %d missing; count the bins or send the shortfall back to allocation", sku, qty-picked.Int64)
		}
		res, err := insert(ctx, l.x, `INSERT INTO wave_lines (wave_id, order_id, line_no, product_id, location_id, lot, qty) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			waveID, orderID, lineNo, productID, pc.bin.id, pc.lot, pc.qty)
		if err != nil {
			return translate(err)
		}
		newID, err = res.LastInsertId()
		if err != nil {
			return err
		}
		_, err = l.x.ExecContext(ctx, `UPDATE waves SET status = 'open' WHERE id = ?`, waveID)
		return translate(err)
	})
	if err != nil {
		return domain.PickLine{}, err
	}
	w, err := db.StockStore().Wave(ctx, waveID)
	if err != nil {
		return domain.PickLine{}, err
	}
	for _, pl := range w.Lines {
		if pl.ID == newID {
			return pl, nil
		}
	}
	return domain.PickLine{}, domain.ErrNotFound
}

// planPickExcept is planPick without one bin.
func (l *ledger) planPickExcept(p productRef, warehouse, qty int64, used map[[2]any]int64, except int64) ([]piece, error) {
	used[[2]any{fmt.Sprint(p.id, "@", except), ""}] = 1 << 40
	rows, err := l.x.tx.QueryContext(l.ctx, `SELECT DISTINCT lot FROM stock_balances WHERE product_id = ? AND location_id = ?`, p.id, except)
	if err == nil {
		for rows.Next() {
			var lot string
			if rows.Scan(&lot) == nil {
				used[[2]any{fmt.Sprint(p.id, "@", except), lot}] = 1 << 40
			}
		}
		rows.Close()
	}
	return l.planPick(p, warehouse, qty, used)
}

// ShortToAllocation sends a short pick's shortfall back to allocation: the
// order line's reservation and allocation shrink by it, and the order is
// flagged for review with what is missing.
func (db *LedgerStore) ShortToAllocation(ctx context.Context, lineID int64) error {
	return db.ledgerTx(ctx, func(l *ledger) error {
		var orderID, productID, qty int64
		var lineNo int
		var picked sql.NullInt64
		err := l.x.QueryRowContext(ctx, `SELECT order_id, line_no, product_id, qty, picked_qty FROM wave_lines WHERE id = ?`, lineID).
			Scan(&orderID, &lineNo, &productID, &qty, &picked)
		if err != nil {
			return missing(err, "no pick %d", lineID)
		}
		if !picked.Valid || picked.Int64 >= qty {
			return domain.Errorf(domain.ECONFLICT, "this pick is not short")
		}
		short := qty - picked.Int64
		var resID, allocQty, wh int64
		if err := l.x.QueryRowContext(ctx, `SELECT reservation_id, qty, warehouse_id FROM allocations WHERE order_id = ? AND line_no = ?`,
			orderID, lineNo).Scan(&resID, &allocQty, &wh); err != nil {
			return translate(err)
		}
		if short >= allocQty {
			if _, err := l.x.ExecContext(ctx, `DELETE FROM allocations WHERE order_id = ? AND line_no = ?`, orderID, lineNo); err != nil {
				return translate(err)
			}
			if _, err := l.x.ExecContext(ctx, `DELETE FROM reservations WHERE id = ?`, resID); err != nil {
				return translate(err)
			}
		} else {
			if _, err := l.x.ExecContext(ctx, `UPDATE allocations SET qty = qty - ? WHERE order_id = ? AND line_no = ?`, short, orderID, lineNo); err != nil {
				return translate(err)
			}
			if _, err := l.x.ExecContext(ctx, `UPDATE reservations SET qty = qty - ? WHERE id = ?`, short, resID); err != nil {
				return translate(err)
			}
		}
		if _, err := l.x.ExecContext(ctx, `UPDATE stock_totals SET reserved = reserved - ? WHERE product_id = ? AND warehouse_id = ?`,
			min(short, allocQty), productID, wh); err != nil {
			return translate(err)
		}
		// The line's pick now asks only for what was picked.
		if _, err := l.x.ExecContext(ctx, `UPDATE wave_lines SET qty = picked_qty WHERE id = ? AND picked_qty > 0`, lineID); err != nil {
			return translate(err)
		}
		if _, err := l.x.ExecContext(ctx, `DELETE FROM wave_lines WHERE id = ? AND picked_qty = 0`, lineID); err != nil {
			return translate(err)
		}
		var sku string
		if err := l.x.QueryRowContext(ctx, `SELECT sku FROM products WHERE id = ?`, productID).Scan(&sku); err != nil {
			return err
		}
		note := fmt.Sprintf("short pick: %d × %s sent back to allocation", short, sku)
		if _, err := l.x.ExecContext(ctx, `UPDATE orders SET review = CASE WHEN review = '' THEN ? ELSE review || '; ' || ? END WHERE id = ?`,
			note, note, orderID); err != nil {
			return translate(err)
		}
		_, err = l.x.ExecContext(ctx, `INSERT INTO order_history (order_id, at, from_status, to_status, reason, who)
			SELECT id, ?, status, status, ?, who() FROM orders WHERE id = ?`, l.now, note, orderID)
		return translate(err)
	})
}

// Waves lists a warehouse's waves, newest first, with their progress.
func (db *StockStore) Waves(ctx context.Context, warehouse string) ([]domain.WaveSummary, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, s *domain.WaveSummary) error {
		var created int64
		if err := rows.Scan(&s.ID, &s.Status, &created, &s.Orders, &s.Picks, &s.Confirmed, &s.Parcels); err != nil {
			return err
		}
		s.CreatedAt = fromMS(created)
		return nil
	}, `SELECT w.id, w.status, w.created_at,
			(SELECT count(*) FROM wave_orders WHERE wave_id = w.id),
			(SELECT count(*) FROM wave_lines WHERE wave_id = w.id),
			(SELECT count(*) FROM wave_lines WHERE wave_id = w.id AND picked_qty IS NOT NULL),
			(SELECT count(*) FROM parcels pa JOIN wave_orders wo ON wo.order_id = pa.order_id AND wo.wave_id = w.id
			  WHERE pa.warehouse_id = w.warehouse_id)
		FROM waves w JOIN warehouses wh ON wh.id = w.warehouse_id WHERE wh.code = ? ORDER BY w.id DESC LIMIT 200`, warehouse)
}
