package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/portolan/portolan/domain"
)

// ledger posts movements inside one transaction, resolving codes once.
type ledger struct {
	ctx        context.Context
	x          *stmtCache
	now        int64
	doc        string
	products   map[string]productRef
	warehouses map[string]int64
	bins       map[binKey]binRef
}

type productRef struct {
	id         int64
	sku        string
	lotTracked bool
}

type binKey struct {
	warehouse int64
	code      string
}

type binRef struct {
	id, warehouse int64
	code, wcode   string
	kind          domain.LocationKind
}

func (db *DB) ledgerTx(ctx context.Context, fn func(l *ledger) error) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		c := &stmtCache{tx: tx, stmts: map[string]*sql.Stmt{}}
		defer c.close()
		return fn(&ledger{ctx: ctx, x: c, now: millis(db.now()), products: map[string]productRef{},
			warehouses: map[string]int64{}, bins: map[binKey]binRef{}})
	})
}

func (l *ledger) product(sku string) (productRef, error) {
	sku = strings.TrimSpace(sku)
	if p, ok := l.products[sku]; ok {
		return p, nil
	}
	p := productRef{sku: sku}
	err := l.x.QueryRowContext(l.ctx, `SELECT id, lot_tracked FROM products WHERE sku = ?`, sku).Scan(&p.id, &p.lotTracked)
	if err != nil {
		return p, missing(err, "no product with SKU %q", sku)
	}
	l.products[sku] = p
	return p, nil
}

// where resolves a SKU and a warehouse code, the start of most operations.
func (l *ledger) where(sku, warehouse string) (productRef, int64, error) {
	p, err := l.product(sku)
	if err != nil {
		return p, 0, err
	}
	w, err := l.warehouse(warehouse)
	return p, w, err
}

// whereBins resolves a SKU, a warehouse code and bins of that warehouse.
func (l *ledger) whereBins(sku, warehouse string, bins ...string) (productRef, int64, []binRef, error) {
	p, w, err := l.where(sku, warehouse)
	if err != nil {
		return p, w, nil, err
	}
	refs := make([]binRef, len(bins))
	for i, code := range bins {
		if refs[i], err = l.bin(w, code); err != nil {
			return p, w, nil, err
		}
	}
	return p, w, refs, nil
}

func (l *ledger) warehouse(code string) (int64, error) {
	code = strings.TrimSpace(code)
	if id, ok := l.warehouses[code]; ok {
		return id, nil
	}
	var id int64
	err := l.x.QueryRowContext(l.ctx, `SELECT id FROM warehouses WHERE code = ?`, code).Scan(&id)
	if err != nil {
		return 0, missing(err, "no warehouse with code %q", code)
	}
	l.warehouses[code] = id
	return id, nil
}

func (l *ledger) bin(warehouse int64, code string) (binRef, error) {
	code = strings.TrimSpace(code)
	k := binKey{warehouse, code}
	if b, ok := l.bins[k]; ok {
		return b, nil
	}
	b := binRef{warehouse: warehouse, code: code}
	err := l.x.QueryRowContext(l.ctx, `SELECT l.id, l.kind, w.code FROM locations l JOIN warehouses w ON w.id = l.warehouse_id
		WHERE l.warehouse_id = ? AND l.code = ?`, warehouse, code).Scan(&b.id, &b.kind, &b.wcode)
	if err != nil {
		return b, missing(err, "no bin %q in this warehouse", code)
	}
	l.bins[k] = b
	return b, nil
}

func (l *ledger) binByID(id int64) (binRef, error) {
	for _, b := range l.bins {
		if b.id == id {
			return b, nil
		}
	}
	var b binRef
	err := l.x.QueryRowContext(l.ctx, `SELECT l.id, l.warehouse_id, l.code, l.kind, w.code FROM locations l
		JOIN warehouses w ON w.id = l.warehouse_id WHERE l.id = ?`, id).Scan(&b.id, &b.warehouse, &b.code, &b.kind, &b.wcode)
	if err != nil {
		return b, translate(err)
	}
	l.bins[binKey{b.warehouse, b.code}] = b
	return b, nil
}

// setLot records a lot's expiry; a lot keeps the expiry it was first given.
func (l *ledger) setLot(p productRef, lot, expiry string) error {
	if lot == "" {
		if expiry != "" {
			return domain.Errorf(domain.EINVALID, "%s: an expiry date needs a lot", p.sku)
		}
		return nil
	}
	var have string
	err := l.x.QueryRowContext(l.ctx, `SELECT expiry FROM lots WHERE product_id = ? AND lot = ?`, p.id, lot).Scan(&have)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = l.x.ExecContext(l.ctx, `INSERT INTO lots (product_id, lot, expiry) VALUES (?, ?, ?)`, p.id, lot, expiry)
		return err
	case err != nil:
		return err
	case expiry != "" && have != expiry:
		return domain.Errorf(domain.ECONFLICT, "%s lot %s expires on %s, not %s", p.sku, lot, orNone(have), expiry)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "no date"
	}
	return s
}

// entry is one movement: qty into (positive) or out of (negative) a bin.
type entry struct {
	kind    domain.MovementKind
	product productRef
	bin     binRef
	lot     string
	qty     int64
	reason  domain.AdjustReason
	note    string
}

// post applies one movement to the bin's balance and the warehouse's totals
// and appends it to the ledger. A decrement the bin or the warehouse's
// available stock cannot cover is refused with what there is.
func (l *ledger) post(e entry) error {
	if e.qty == 0 {
		return nil
	}
	if err := domain.Quantity(e.qty).Bounded("a stock movement of " + e.product.sku); err != nil {
		return err
	}
	if e.qty > 0 {
		// A bin never holds more than MaxQuantity: the sums over bins stay far from overflowing.
		if err := updateOne(l.ctx, l.x, domain.Errorf(domain.EINVALID, "bin %s in %s would hold more than %d of %s", e.bin.code, e.bin.wcode,
			domain.MaxQuantity, e.product.sku), `INSERT INTO stock_balances (product_id, location_id, warehouse_id, lot, on_hand)
			VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (product_id, location_id, lot) DO UPDATE SET on_hand = stock_balances.on_hand + excluded.on_hand
			WHERE stock_balances.on_hand + excluded.on_hand <= ?6`,
			e.product.id, e.bin.id, e.bin.warehouse, e.lot, e.qty, int64(domain.MaxQuantity)); err != nil {
			return err
		}
	} else {
		res, err := l.x.ExecContext(l.ctx, `UPDATE stock_balances SET on_hand = on_hand + ?1
			WHERE product_id = ?2 AND location_id = ?3 AND lot = ?4 AND on_hand + ?1 >= 0`, e.qty, e.product.id, e.bin.id, e.lot)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var have int64
			_ = l.x.QueryRowContext(l.ctx, `SELECT on_hand FROM stock_balances WHERE product_id = ? AND location_id = ? AND lot = ?`,
				e.product.id, e.bin.id, e.lot).Scan(&have)
			return domain.Errorf(domain.ECONFLICT, "bin %s in %s holds %d of %s%s, not %d", e.bin.code, e.bin.wcode, have,
				e.product.sku, lotText(e.lot), -e.qty)
		}
	}
	col := "on_hand"
	if e.bin.kind == domain.LocationTransit {
		col = "in_transit"
	}
	if e.qty > 0 {
		if _, err := l.x.ExecContext(l.ctx, `INSERT INTO stock_totals (product_id, warehouse_id, `+col+`) VALUES (?, ?, ?)
			ON CONFLICT (product_id, warehouse_id) DO UPDATE SET `+col+` = stock_totals.`+col+` + excluded.`+col,
			e.product.id, e.bin.warehouse, e.qty); err != nil {
			return translate(err)
		}
	} else {
		floor := "0"
		if col == "on_hand" {
			floor = "reserved"
		}
		res, err := l.x.ExecContext(l.ctx, `UPDATE stock_totals SET `+col+` = `+col+` + ?1
			WHERE product_id = ?2 AND warehouse_id = ?3 AND `+col+` + ?1 >= `+floor, e.qty, e.product.id, e.bin.warehouse)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var onHand, reserved int64
			_ = l.x.QueryRowContext(l.ctx, `SELECT on_hand, reserved FROM stock_totals WHERE product_id = ? AND warehouse_id = ?`,
				e.product.id, e.bin.warehouse).Scan(&onHand, &reserved)
			return domain.Errorf(domain.ECONFLICT, "%s in %s: %d on hand, %d reserved for orders, so only %d can be taken, not %d",
				e.product.sku, e.bin.wcode, onHand, reserved, onHand-reserved, -e.qty)
		}
	}
	_, err := l.x.ExecContext(l.ctx, `INSERT INTO stock_movements (at, kind, product_id, warehouse_id, location_id, lot, qty, reason, doc, note, who)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, who())`, l.now, string(e.kind), e.product.id, e.bin.warehouse, e.bin.id, e.lot, e.qty,
		string(e.reason), l.doc, e.note)
	return translate(err)
}

func lotText(lot string) string {
	if lot == "" {
		return ""
	}
	return " lot " + lot
}

// move posts qty from one bin to another: the receiving side first, so a
// move inside a warehouse never looks like stock leaving it.
func (l *ledger) move(kind domain.MovementKind, p productRef, from, to binRef, lot string, qty int64) error {
	if err := l.post(entry{kind: kind, product: p, bin: to, lot: lot, qty: qty}); err != nil {
		return err
	}
	return l.post(entry{kind: kind, product: p, bin: from, lot: lot, qty: -qty})
}

// piece is stock taken from one bin and lot.
type piece struct {
	bin binRef
	lot string
	qty int64
}

// stocked is what one bin holds of a lot of a product.
type stocked struct {
	loc int64
	lot string
	qty int64
}

// fefo lists the bins holding a product in a warehouse in the order stock
// leaves them: first expiry first out (lots without a date last), storage
// before receiving, then pick order. Only bin when bin.id != 0 (else the
// receiving and storage bins), only lot when given; it stops once the bins
// listed hold upTo (0: all of them), and says how much they hold.
func (l *ledger) fefo(p productRef, warehouse int64, bin binRef, lot string, upTo int64) ([]stocked, int64, error) {
	q := `SELECT s.location_id, s.lot, s.on_hand FROM stock_balances s
		JOIN locations loc ON loc.id = s.location_id
		LEFT JOIN lots ON lots.product_id = s.product_id AND lots.lot = s.lot
		WHERE s.product_id = ? AND s.warehouse_id = ? AND s.on_hand > 0`
	args := []any{p.id, warehouse}
	if bin.id != 0 {
		q += ` AND s.location_id = ?`
		args = append(args, bin.id)
	} else {
		q += ` AND loc.kind IN ('storage', 'receiving')`
	}
	if lot != "" {
		q += ` AND s.lot = ?`
		args = append(args, lot)
	}
	q += ` ORDER BY coalesce(lots.expiry, '') = '', lots.expiry, loc.kind = 'receiving', loc.pick_sequence, loc.code, s.lot`
	st, err := l.x.stmt(l.ctx, q)
	if err != nil {
		return nil, 0, err
	}
	rows, err := st.QueryContext(l.ctx, args...)
	if err != nil {
		return nil, 0, translate(err)
	}
	defer rows.Close()
	var all []stocked
	var have int64
	for rows.Next() && (upTo <= 0 || have < upTo) {
		var f stocked
		if err := rows.Scan(&f.loc, &f.lot, &f.qty); err != nil {
			return nil, 0, err
		}
		all = append(all, f)
		have += f.qty
	}
	return all, have, rows.Err()
}

// take chooses where qty of a product comes from in a warehouse: from one bin
// (bin.id != 0) or from its receiving and storage bins; one lot, or any lot
// in fefo order.
func (l *ledger) take(p productRef, warehouse int64, bin binRef, lot string, qty int64) ([]piece, error) {
	all, have, err := l.fefo(p, warehouse, bin, lot, qty)
	if err != nil {
		return nil, err
	}
	if have < qty {
		where := "its bins"
		if bin.id != 0 {
			where = "bin " + bin.code
		}
		return nil, domain.Errorf(domain.ECONFLICT, "%s%s: %s hold %d, not %d", p.sku, lotText(lot), where, have, qty)
	}
	var out []piece
	for _, f := range all {
		b, err := l.binByID(f.loc)
		if err != nil {
			return nil, err
		}
		n := min(f.qty, qty)
		out = append(out, piece{bin: b, lot: f.lot, qty: n})
		qty -= n
	}
	return out, nil
}

// Adjust implements domain.LedgerStore: a correction of one bin, with a
// reason. A decrease without a lot takes the bin's lots first-expiry-first-out.
func (db *LedgerStore) Adjust(ctx context.Context, a domain.Adjustment) (domain.Movement, error) {
	var out domain.Movement
	if a.Qty == 0 {
		return out, domain.Errorf(domain.EINVALID, "the quantity of an adjustment must not be 0")
	}
	if err := a.Qty.Bounded("the adjustment"); err != nil {
		return out, err
	}
	if a.Reason == "" {
		return out, domain.Errorf(domain.EINVALID, "an adjustment needs a reason (damaged, lost, found, count_correction, …)")
	}
	expiry, err := domain.ParseExpiry(a.Expiry)
	if err != nil {
		return out, err
	}
	lot := strings.TrimSpace(a.Lot)
	err = db.ledgerTx(ctx, func(l *ledger) error {
		l.doc = "adjustment"
		p, w, bins, err := l.whereBins(a.SKU, a.Warehouse, a.Location)
		if err != nil {
			return err
		}
		b := bins[0]
		if b.kind == domain.LocationTransit {
			return domain.Errorf(domain.EINVALID, "stock in transit changes only by sending or receiving a transfer")
		}
		if a.Qty > 0 {
			if p.lotTracked && lot == "" {
				return domain.Errorf(domain.EINVALID, "%s is lot-tracked: give the lot", p.sku)
			}
			if err := l.setLot(p, lot, expiry); err != nil {
				return err
			}
			return l.post(entry{kind: domain.MoveAdjust, product: p, bin: b, lot: lot, qty: int64(a.Qty), reason: a.Reason, note: a.Note})
		}
		pieces, err := l.take(p, w, b, lot, -int64(a.Qty))
		if err != nil {
			return err
		}
		for _, pc := range pieces {
			if err := l.post(entry{kind: domain.MoveAdjust, product: p, bin: b, lot: pc.lot, qty: -pc.qty, reason: a.Reason, note: a.Note}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	return domain.Movement{At: fromMS(millis(db.now())), Kind: domain.MoveAdjust, SKU: a.SKU, Warehouse: a.Warehouse, Location: a.Location,
		Lot: lot, Qty: a.Qty, Reason: a.Reason, Note: a.Note}, nil
}

// SendTransfer implements domain.LedgerStore: each line leaves the source's
// receiving and storage bins (first-expiry-first-out, then pick order) for
// the destination's IN-TRANSIT bin, all in one transaction.
func (db *LedgerStore) SendTransfer(ctx context.Context, t *domain.Transfer) error {
	if len(t.Lines) == 0 {
		return domain.Errorf(domain.EINVALID, "a transfer needs at least one line")
	}
	if strings.TrimSpace(t.From) == strings.TrimSpace(t.To) {
		return domain.Errorf(domain.EINVALID, "a transfer goes between two different warehouses")
	}
	for _, ln := range t.Lines {
		if err := ln.Qty.Positive(ln.SKU + ": the quantity sent"); err != nil {
			return err
		}
	}
	return db.ledgerTx(ctx, func(l *ledger) error {
		from, err := l.warehouse(t.From)
		if err != nil {
			return err
		}
		to, err := l.warehouse(t.To)
		if err != nil {
			return err
		}
		transit, err := l.bin(to, domain.TransitBin)
		if err != nil {
			return err
		}
		res, err := insert(ctx, l.x, `INSERT INTO transfers (from_warehouse, to_warehouse, status, reference, sent_at)
			VALUES (?, ?, 'in_transit', ?, ?)`, from, to, t.Reference, l.now)
		if err != nil {
			return translate(err)
		}
		if t.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		l.doc = fmt.Sprintf("transfer %d", t.ID)
		sent := map[[2]any]int64{}
		var order [][2]any
		for _, ln := range t.Lines {
			p, err := l.product(ln.SKU)
			if err != nil {
				return err
			}
			pieces, err := l.take(p, from, binRef{}, "", int64(ln.Qty))
			if err != nil {
				return fmt.Errorf("transfer from %s: %w", t.From, err)
			}
			for _, pc := range pieces {
				if err := l.post(entry{kind: domain.MoveTransferOut, product: p, bin: pc.bin, lot: pc.lot, qty: -pc.qty}); err != nil {
					return err
				}
				if err := l.post(entry{kind: domain.MoveTransferOut, product: p, bin: transit, lot: pc.lot, qty: pc.qty}); err != nil {
					return err
				}
				k := [2]any{p.id, pc.lot}
				if _, ok := sent[k]; !ok {
					order = append(order, k)
				}
				sent[k] += pc.qty
			}
		}
		for _, k := range order {
			if _, err := l.x.ExecContext(ctx, `INSERT INTO transfer_lines (transfer_id, product_id, lot, qty) VALUES (?, ?, ?, ?)`,
				t.ID, k[0], k[1], sent[k]); err != nil {
				return translate(err)
			}
		}
		t.Status, t.SentAt = domain.TransferInTransit, fromMS(l.now)
		return nil
	})
}

// ReceiveTransfer implements domain.LedgerStore: the destination confirms;
// the stock moves from its IN-TRANSIT bin to its RECEIVING bin.
func (db *LedgerStore) ReceiveTransfer(ctx context.Context, id int64) (domain.Transfer, error) {
	var t domain.Transfer
	err := db.ledgerTx(ctx, func(l *ledger) error {
		t = domain.Transfer{} // afresh on every attempt
		l.doc = fmt.Sprintf("transfer %d", id)
		var to int64
		var status string
		err := l.x.QueryRowContext(ctx, `SELECT t.to_warehouse, t.status, f.code, w.code, t.reference, t.sent_at FROM transfers t
			JOIN warehouses f ON f.id = t.from_warehouse JOIN warehouses w ON w.id = t.to_warehouse WHERE t.id = ?`, id).
			Scan(&to, &status, &t.From, &t.To, &t.Reference, new(int64))
		if err != nil {
			return missing(err, "no transfer %d", id)
		}
		if status != string(domain.TransferInTransit) {
			return domain.Errorf(domain.ECONFLICT, "transfer %d was already received", id)
		}
		transit, err := l.bin(to, domain.TransitBin)
		if err != nil {
			return err
		}
		receiving, err := l.bin(to, domain.ReceivingBin)
		if err != nil {
			return err
		}
		rows, err := l.x.tx.QueryContext(ctx, `SELECT p.id, p.sku, p.lot_tracked, tl.lot, tl.qty FROM transfer_lines tl
			JOIN products p ON p.id = tl.product_id WHERE tl.transfer_id = ? ORDER BY p.sku, tl.lot`, id)
		if err != nil {
			return err
		}
		type line struct {
			p   productRef
			lot string
			qty int64
		}
		var lines []line
		for rows.Next() {
			var ln line
			if err := rows.Scan(&ln.p.id, &ln.p.sku, &ln.p.lotTracked, &ln.lot, &ln.qty); err != nil {
				rows.Close()
				return err
			}
			lines = append(lines, ln)
		}
		rows.Close()
		for _, ln := range lines {
			if err := l.move(domain.MoveTransferIn, ln.p, transit, receiving, ln.lot, ln.qty); err != nil {
				return err
			}
			t.Lines = append(t.Lines, domain.TransferLine{SKU: ln.p.sku, Qty: domain.Quantity(ln.qty)})
		}
		_, err = l.x.ExecContext(ctx, `UPDATE transfers SET status = 'received', received_at = ? WHERE id = ?`, l.now, id)
		t.ID, t.Status, t.ReceivedAt = id, domain.TransferReceived, fromMS(l.now)
		return translate(err)
	})
	return t, err
}

// Reserve implements domain.LedgerStore: the reservation is taken only if
// the warehouse's available stock (on hand less reserved) covers it.
func (db *LedgerStore) Reserve(ctx context.Context, r *domain.Reservation) error {
	if err := r.Qty.Positive("the quantity reserved"); err != nil {
		return err
	}
	return db.ledgerTx(ctx, func(l *ledger) error {
		p, w, err := l.where(r.SKU, r.Warehouse)
		if err != nil {
			return err
		}
		res, err := l.x.ExecContext(ctx, `UPDATE stock_totals SET reserved = reserved + ?1
			WHERE product_id = ?2 AND warehouse_id = ?3 AND on_hand - reserved >= ?1`, int64(r.Qty), p.id, w)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var onHand, reserved int64
			_ = l.x.QueryRowContext(ctx, `SELECT on_hand, reserved FROM stock_totals WHERE product_id = ? AND warehouse_id = ?`,
				p.id, w).Scan(&onHand, &reserved)
			return domain.Errorf(domain.ECONFLICT, "%s in %s: only %d available (%d on hand, %d reserved), not %d",
				p.sku, r.Warehouse, onHand-reserved, onHand, reserved, r.Qty)
		}
		var order any
		if r.OrderID != 0 {
			order = r.OrderID
		}
		ins, err := insert(ctx, l.x, `INSERT INTO reservations (product_id, warehouse_id, order_id, qty, created_at) VALUES (?, ?, ?, ?, ?)`,
			p.id, w, order, int64(r.Qty), l.now)
		if err != nil {
			return translate(err)
		}
		r.ID, err = ins.LastInsertId()
		return err
	})
}

// ReleaseReservation implements domain.LedgerStore.
func (db *LedgerStore) ReleaseReservation(ctx context.Context, id int64) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error { return releaseWhere(ctx, tx, `id = ?`, id) })
}

// ReleaseOrder releases every reservation of an order (it was cancelled).
func (db *LedgerStore) ReleaseOrder(ctx context.Context, orderID int64) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error { return releaseWhere(ctx, tx, `order_id = ?`, orderID) })
}

func releaseWhere(ctx context.Context, tx *sql.Tx, where string, arg int64) error {
	rows, err := tx.QueryContext(ctx, `DELETE FROM reservations WHERE `+where+` RETURNING product_id, warehouse_id, qty`, arg)
	if err != nil {
		return translate(err)
	}
	type rel struct{ p, w, q int64 }
	var all []rel
	for rows.Next() {
		var r rel
		if err := rows.Scan(&r.p, &r.w, &r.q); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		if _, err := tx.ExecContext(ctx, `UPDATE stock_totals SET reserved = reserved - ? WHERE product_id = ? AND warehouse_id = ?`,
			r.q, r.p, r.w); err != nil {
			return translate(err)
		}
	}
	return nil
}

// Verify implements domain.LedgerStore: it recomputes every bin balance from
// the ledger and every warehouse total from the bins and reservations, and
// lists what differs.
func (db *LedgerStore) Verify(ctx context.Context) ([]domain.Discrepancy, error) {
	var out []domain.Discrepancy
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, translate(err)
	}
	defer tx.Rollback()
	collect := func(q string) error {
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return translate(err)
		}
		defer rows.Close()
		for rows.Next() {
			var d domain.Discrepancy
			var stored, expected int64
			if err := rows.Scan(&d.What, &stored, &expected); err != nil {
				return err
			}
			d.Stored, d.Expected = domain.Quantity(stored), domain.Quantity(expected)
			out = append(out, d)
		}
		return rows.Err()
	}
	const binName = `'bin ' || l.code || ' of ' || p.sku || ' in ' || w.code || CASE WHEN k.lot <> '' THEN ', lot ' || k.lot ELSE '' END`
	if err := collect(`WITH ledger AS (SELECT product_id, location_id, lot, sum(qty) AS qty FROM stock_movements GROUP BY 1, 2, 3),
		keys AS (SELECT product_id, location_id, lot FROM ledger UNION SELECT product_id, location_id, lot FROM stock_balances)
		SELECT ` + binName + `, coalesce(b.on_hand, 0), coalesce(g.qty, 0)
		FROM keys k
		LEFT JOIN stock_balances b USING (product_id, location_id, lot)
		LEFT JOIN ledger g USING (product_id, location_id, lot)
		JOIN products p ON p.id = k.product_id JOIN locations l ON l.id = k.location_id JOIN warehouses w ON w.id = l.warehouse_id
		WHERE coalesce(b.on_hand, 0) <> coalesce(g.qty, 0)
		   OR (b.warehouse_id IS NOT NULL AND b.warehouse_id <> l.warehouse_id)
		ORDER BY p.sku, w.code, l.code`); err != nil {
		return nil, err
	}
	if err := collect(`WITH bins AS (
			SELECT s.product_id, s.warehouse_id,
			       sum(CASE WHEN l.kind = 'transit' THEN 0 ELSE s.on_hand END) AS on_hand,
			       sum(CASE WHEN l.kind = 'transit' THEN s.on_hand ELSE 0 END) AS in_transit
			FROM stock_balances s JOIN locations l ON l.id = s.location_id GROUP BY 1, 2),
		res AS (SELECT product_id, warehouse_id, sum(qty) AS reserved FROM reservations GROUP BY 1, 2),
		keys AS (SELECT product_id, warehouse_id FROM bins UNION SELECT product_id, warehouse_id FROM stock_totals
		         UNION SELECT product_id, warehouse_id FROM res)
		SELECT what, stored, expected FROM (
			SELECT 'on hand of ' || p.sku || ' in ' || w.code AS what, coalesce(t.on_hand, 0) AS stored, coalesce(b.on_hand, 0) AS expected
			FROM keys k LEFT JOIN stock_totals t USING (product_id, warehouse_id) LEFT JOIN bins b USING (product_id, warehouse_id)
			JOIN products p ON p.id = k.product_id JOIN warehouses w ON w.id = k.warehouse_id
			UNION ALL
			SELECT 'in transit of ' || p.sku || ' to ' || w.code, coalesce(t.in_transit, 0), coalesce(b.in_transit, 0)
			FROM keys k LEFT JOIN stock_totals t USING (product_id, warehouse_id) LEFT JOIN bins b USING (product_id, warehouse_id)
			JOIN products p ON p.id = k.product_id JOIN warehouses w ON w.id = k.warehouse_id
			UNION ALL
			SELECT 'reserved of ' || p.sku || ' in ' || w.code, coalesce(t.reserved, 0), coalesce(r.reserved, 0)
			FROM keys k LEFT JOIN stock_totals t USING (product_id, warehouse_id) LEFT JOIN res r USING (product_id, warehouse_id)
			JOIN products p ON p.id = k.product_id JOIN warehouses w ON w.id = k.warehouse_id) AS checks
		WHERE stored <> expected ORDER BY what`); err != nil {
		return nil, err
	}
	return out, nil
}

// SetPolicy sets a product's reorder point and target level in a warehouse.
func (db *LedgerStore) SetPolicy(ctx context.Context, sku, warehouse string, reorderPoint, target domain.Quantity) error {
	if reorderPoint < 0 || target < 0 {
		return domain.Errorf(domain.EINVALID, "reorder point and target level must not be negative")
	}
	if target != 0 && target < reorderPoint {
		return domain.Errorf(domain.EINVALID, "the target level (%d) must be at least the reorder point (%d)", target, reorderPoint)
	}
	return db.ledgerTx(ctx, func(l *ledger) error {
		p, w, err := l.where(sku, warehouse)
		if err != nil {
			return err
		}
		_, err = l.x.ExecContext(ctx, `INSERT INTO stock_totals (product_id, warehouse_id, reorder_point, target_level) VALUES (?, ?, ?, ?)
			ON CONFLICT (product_id, warehouse_id) DO UPDATE SET reorder_point = excluded.reorder_point, target_level = excluded.target_level`,
			p.id, w, int64(reorderPoint), int64(target))
		return translate(err)
	})
}

// Transfers lists transfers, newest first, optionally only those in one status.
func (db *StockStore) Transfers(ctx context.Context, status domain.TransferStatus) ([]domain.Transfer, error) {
	q := `SELECT t.id, f.code, w.code, t.status, t.reference, t.sent_at, coalesce(t.received_at, 0),
			p.sku, tl.qty FROM transfers t
		JOIN warehouses f ON f.id = t.from_warehouse JOIN warehouses w ON w.id = t.to_warehouse
		JOIN transfer_lines tl ON tl.transfer_id = t.id JOIN products p ON p.id = tl.product_id`
	var args []any
	if status != "" {
		q += ` WHERE t.status = ?`
		args = append(args, string(status))
	}
	type line struct {
		sku string
		qty int64
	}
	return queryDocuments(ctx, db.read, func(rows *sql.Rows) (domain.Transfer, line, int64, error) {
		var t domain.Transfer
		var sent, received int64
		var l line
		if err := rows.Scan(&t.ID, &t.From, &t.To, &t.Status, &t.Reference, &sent, &received, &l.sku, &l.qty); err != nil {
			return t, l, 0, err
		}
		t.SentAt = fromMS(sent)
		if received != 0 {
			t.ReceivedAt = fromMS(received)
		}
		return t, l, t.ID, nil
	}, func(t *domain.Transfer, l line) {
		if n := len(t.Lines); n > 0 && t.Lines[n-1].SKU == l.sku {
			t.Lines[n-1].Qty += domain.Quantity(l.qty) // several lots of one SKU
		} else {
			t.Lines = append(t.Lines, domain.TransferLine{SKU: l.sku, Qty: domain.Quantity(l.qty)})
		}
	}, q+` ORDER BY t.id DESC, p.sku, tl.lot`, args...)
}

// PostSnapshot sets bins to the quantities of a snapshot (a stock file or a
// count) by adjusting each by its difference, with reason and document, in
// one transaction. A row that cannot be posted (unknown SKU or bin, stock
// reserved for orders) is reported and skipped; the others are posted.
func (db *LedgerStore) PostSnapshot(ctx context.Context, rows []domain.SnapshotRow, reason domain.AdjustReason, doc string) (domain.SnapshotResult, error) {
	var res domain.SnapshotResult
	err := db.ledgerTx(ctx, func(l *ledger) error {
		l.doc = doc
		res = domain.SnapshotResult{}
		for _, r := range rows {
			if err := ctx.Err(); err != nil {
				return err
			}
			if _, err := l.x.ExecContext(ctx, `SAVEPOINT snapshot_row`); err != nil {
				return err
			}
			changed, err := l.setBin(r, reason)
			if err != nil {
				if _, rbErr := l.x.ExecContext(ctx, `ROLLBACK TO snapshot_row`); rbErr != nil {
					return rbErr
				}
				var de *domain.Error
				if !errors.As(err, &de) {
					return err // not the row's fault: stop and roll everything back
				}
				res.Problems = append(res.Problems, domain.RowProblem{RowNumber: r.Row, Message: de.Message})
			} else {
				res.Rows++
				if changed {
					res.Changed++
				}
			}
			if _, err := l.x.ExecContext(ctx, `RELEASE snapshot_row`); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

// setBin adjusts one bin and lot to hold r.Qty.
func (l *ledger) setBin(r domain.SnapshotRow, reason domain.AdjustReason) (bool, error) {
	p, err := l.product(r.SKU)
	if err != nil {
		return false, err
	}
	w, err := l.warehouse(r.Warehouse)
	if err != nil {
		return false, err
	}
	b, err := l.bin(w, r.Location)
	if err != nil {
		return false, domain.Errorf(domain.ENOTFOUND, "no bin %q in %s", r.Location, r.Warehouse)
	}
	if b.kind == domain.LocationTransit {
		return false, domain.Errorf(domain.EINVALID, "stock in transit changes only by sending or receiving a transfer")
	}
	lot := strings.TrimSpace(r.Lot)
	if p.lotTracked && lot == "" && r.Qty > 0 {
		return false, domain.Errorf(domain.EINVALID, "%s is lot-tracked: give the lot", p.sku)
	}
	if err := l.setLot(p, lot, r.Expiry); err != nil {
		return false, err
	}
	var have int64
	err = l.x.QueryRowContext(l.ctx, `SELECT on_hand FROM stock_balances WHERE product_id = ? AND location_id = ? AND lot = ?`,
		p.id, b.id, lot).Scan(&have)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	delta := int64(r.Qty) - have
	if delta == 0 {
		return false, nil
	}
	return true, l.post(entry{kind: domain.MoveAdjust, product: p, bin: b, lot: lot, qty: delta, reason: reason})
}

// Move moves stock between two bins of a warehouse (a lot, or the source
// bin's lots first-expiry-first-out).
func (db *LedgerStore) Move(ctx context.Context, sku, warehouse, from, to, lot string, qty domain.Quantity) error {
	if err := qty.Positive("the quantity to move"); err != nil {
		return err
	}
	return db.ledgerTx(ctx, func(l *ledger) error {
		l.doc = "move"
		p, w, bins, err := l.whereBins(sku, warehouse, from, to)
		if err != nil {
			return err
		}
		src, dst := bins[0], bins[1]
		if src.id == dst.id {
			return domain.Errorf(domain.EINVALID, "the stock is already in %s", dst.code)
		}
		if src.kind == domain.LocationTransit || dst.kind == domain.LocationTransit {
			return domain.Errorf(domain.EINVALID, "stock in transit moves only by sending or receiving a transfer")
		}
		pieces, err := l.take(p, w, src, strings.TrimSpace(lot), int64(qty))
		if err != nil {
			return err
		}
		for _, pc := range pieces {
			if err := l.move(domain.MoveBin, p, src, dst, pc.lot, pc.qty); err != nil {
				return err
			}
		}
		return nil
	})
}

// Pick takes stock reserved for an order from the warehouse's storage and
// receiving bins (first-expiry-first-out, then pick order) to its STAGING
// bin. The stock stays on hand and reserved until it ships.
func (db *LedgerStore) Pick(ctx context.Context, sku, warehouse string, qty domain.Quantity, orderID int64) ([]domain.StockLevel, error) {
	if err := qty.Positive("the quantity to pick"); err != nil {
		return nil, err
	}
	var picked []domain.StockLevel
	err := db.ledgerTx(ctx, func(l *ledger) error {
		picked = nil
		l.doc = fmt.Sprintf("order %d", orderID)
		p, w, bins, err := l.whereBins(sku, warehouse, domain.StagingBin)
		if err != nil {
			return err
		}
		staging := bins[0]
		pieces, err := l.take(p, w, binRef{}, "", int64(qty))
		if err != nil {
			return err
		}
		for _, pc := range pieces {
			if err := l.move(domain.MovePick, p, pc.bin, staging, pc.lot, pc.qty); err != nil {
				return err
			}
			picked = append(picked, domain.StockLevel{SKU: p.sku, Warehouse: warehouse, Location: pc.bin.code, Lot: pc.lot, OnHand: domain.Quantity(pc.qty)})
		}
		return nil
	})
	return picked, err
}

// Ship sends picked stock of an order out of the warehouse's STAGING bin and
// uses up as much of the order's reservation of that SKU there.
func (db *LedgerStore) Ship(ctx context.Context, sku, warehouse string, qty domain.Quantity, orderID int64) error {
	if err := qty.Positive("the quantity to ship"); err != nil {
		return err
	}
	return db.ledgerTx(ctx, func(l *ledger) error {
		l.doc = fmt.Sprintf("order %d", orderID)
		p, w, bins, err := l.whereBins(sku, warehouse, domain.StagingBin)
		if err != nil {
			return err
		}
		staging := bins[0]
		// The reservation goes first, so the stock leaving is not held back by it.
		if orderID != 0 {
			if err := l.useReservation(orderID, p.id, w, int64(qty)); err != nil {
				return err
			}
		}
		pieces, err := l.take(p, w, staging, "", int64(qty))
		if err != nil {
			return fmt.Errorf("ship: %w", err)
		}
		for _, pc := range pieces {
			if err := l.post(entry{kind: domain.MoveShip, product: p, bin: staging, lot: pc.lot, qty: -pc.qty}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Return books goods a customer sent back into the warehouse's RECEIVING
// bin, to be checked and put away.
func (db *LedgerStore) Return(ctx context.Context, sku, warehouse, lot string, qty domain.Quantity, note string) error {
	if err := qty.Positive("the quantity returned"); err != nil {
		return err
	}
	return db.ledgerTx(ctx, func(l *ledger) error {
		l.doc = "return"
		p, _, bins, err := l.whereBins(sku, warehouse, domain.ReceivingBin)
		if err != nil {
			return err
		}
		receiving := bins[0]
		lot = strings.TrimSpace(lot)
		if p.lotTracked && lot == "" {
			return domain.Errorf(domain.EINVALID, "%s is lot-tracked: give the lot", p.sku)
		}
		if err := l.setLot(p, lot, ""); err != nil {
			return err
		}
		return l.post(entry{kind: domain.MoveReturn, product: p, bin: receiving, lot: lot, qty: int64(qty), note: note})
	})
}

// SetLotTracked turns lot tracking of a product on or off. Stock already held
// without a lot keeps no lot (and is used after dated lots).
func (db *LedgerStore) SetLotTracked(ctx context.Context, sku string, on bool) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, domain.Errorf(domain.ENOTFOUND, "no product with SKU %q", sku), `UPDATE products SET lot_tracked = ? WHERE sku = ?`, on, strings.TrimSpace(sku))
	})
}
