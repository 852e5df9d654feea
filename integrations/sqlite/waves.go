package sqlite

import (
	"context"
	"database/sql"
	"errors"
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
	var id int64
	err := db.ledgerTx(ctx, func(l *ledger) error {
		w, err := l.warehouse(warehouse)
		if err != nil {
			return err
		}
		q := `SELECT o.id, o.number, a.line_no, ol.sku, a.qty FROM orders o
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
		if s := strings.TrimSpace(f.Service); s != "" {
			q += ` AND o.service LIKE ? ESCAPE '\'`
			args = append(args, "%"+strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)+"%")
		}
		q += ` ORDER BY o.priority * 100 + c.priority * 10 DESC, o.placed_at, o.id, a.line_no`
		rows, err := l.x.tx.QueryContext(ctx, q, args...)
		if err != nil {
			return translate(err)
		}
		type line struct {
			order  int64
			number string
			lineNo int
			sku    string
			qty    int64
		}
		var lines []line
		for rows.Next() {
			var ln line
			if err := rows.Scan(&ln.order, &ln.number, &ln.lineNo, &ln.sku, &ln.qty); err != nil {
				rows.Close()
				return err
			}
			lines = append(lines, ln)
		}
		rows.Close()
		// Group by order (rows are in order), apply the filters and caps.
		type order struct {
			id     int64
			number string
			lines  []line
		}
		var orders []order
		for _, ln := range lines {
			if n := len(orders); n == 0 || orders[n-1].id != ln.order {
				orders = append(orders, order{id: ln.order, number: ln.number})
			}
			orders[len(orders)-1].lines = append(orders[len(orders)-1].lines, ln)
		}
		var picked []order
		nLines := 0
		for _, o := range orders {
			if f.Express {
				var service string
				if err := l.x.QueryRowContext(ctx, `SELECT service FROM orders WHERE id = ?`, o.id).Scan(&service); err != nil {
					return err
				}
				if !domain.IsExpress(service) {
					continue
				}
			}
			if f.MaxOrders > 0 && len(picked) >= f.MaxOrders {
				break
			}
			if f.MaxLines > 0 && nLines > 0 && nLines+len(o.lines) > f.MaxLines {
				break
			}
			picked = append(picked, o)
			nLines += len(o.lines)
		}
		if len(picked) == 0 {
			return domain.Errorf(domain.ENOTFOUND, "no allocated orders in %s wait for picking", warehouse)
		}
		res, err := l.x.ExecContext(ctx, `INSERT INTO waves (warehouse_id, status, created_at) VALUES (?, 'open', ?)`, w, l.now)
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
				if _, err := l.x.ExecContext(ctx, `UPDATE orders SET status = 'picking', updated_at = ? WHERE id = ?`, l.now, o.id); err != nil {
					return translate(err)
				}
				if _, err := l.x.ExecContext(ctx, `INSERT INTO order_history (order_id, at, from_status, to_status, reason)
					VALUES (?, ?, 'allocated', 'picking', ?)`, o.id, l.now, fmt.Sprintf("wave %d, tote %d", id, tote+1)); err != nil {
					return translate(err)
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
// from in a warehouse — first-expiry-first-out, then pick order — leaving
// out what earlier lines of the wave already count on.
func (l *ledger) planPick(p productRef, warehouse int64, qty int64, used map[[2]any]int64) ([]piece, error) {
	rows, err := l.x.tx.QueryContext(l.ctx, `SELECT s.location_id, s.lot, s.on_hand FROM stock_balances s
		JOIN locations loc ON loc.id = s.location_id
		LEFT JOIN lots ON lots.product_id = s.product_id AND lots.lot = s.lot
		WHERE s.product_id = ? AND s.warehouse_id = ? AND s.on_hand > 0 AND loc.kind IN ('storage', 'receiving')
		ORDER BY coalesce(lots.expiry, '') = '', lots.expiry, loc.kind = 'receiving', loc.pick_sequence, loc.code, s.lot`, p.id, warehouse)
	if err != nil {
		return nil, translate(err)
	}
	type found struct {
		loc int64
		lot string
		qty int64
	}
	var all []found
	for rows.Next() {
		var f found
		if err := rows.Scan(&f.loc, &f.lot, &f.qty); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, f)
	}
	rows.Close()
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
	if errors.Is(err, sql.ErrNoRows) {
		return wv, domain.Errorf(domain.ENOTFOUND, "no wave %d", id)
	}
	if err != nil {
		return wv, translate(err)
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
