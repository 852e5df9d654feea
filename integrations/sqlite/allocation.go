package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// OpenOrders implements domain.AllocationStore. Priority is the order's own
// (manual) priority × 100, plus its channel's × 10, plus 5 for an express
// shipping service; age breaks ties in the planner.
func (db *AllocationStore) OpenOrders(ctx context.Context, f domain.OrderFilter) ([]domain.PlanOrder, error) {
	q := `SELECT o.id, o.number, o.placed_at, o.ship_country, o.priority * 100 + c.priority * 10, o.service, o.currency,
			l.line_no, l.sku, l.quantity, l.unit_price_minor
		FROM orders o JOIN channels c ON c.id = o.channel_id JOIN order_lines l ON l.order_id = o.id
		WHERE o.status IN ('new', 'backordered')`
	var args []any
	if f.ChannelID != 0 {
		q += ` AND o.channel_id = ?`
		args = append(args, f.ChannelID)
	}
	if f.Country != "" {
		q += ` AND o.ship_country = ?`
		args = append(args, string(f.Country))
	}
	if f.Status == domain.StatusNew || f.Status == domain.StatusBackordered {
		q += ` AND o.status = ?`
		args = append(args, string(f.Status))
	}
	return queryDocuments(ctx, db.read, func(rows *sql.Rows) (domain.PlanOrder, domain.PlanLine, int64, error) {
		var o domain.PlanOrder
		var placed, qty, price int64
		var country, service, cur string
		var l domain.PlanLine
		if err := rows.Scan(&o.ID, &o.Number, &placed, &country, &o.Priority, &service, &cur, &l.LineNo, &l.SKU, &qty, &price); err != nil {
			return o, l, 0, err
		}
		if domain.IsExpress(service) {
			o.Priority += 5
		}
		o.PlacedAt, o.Country = fromMS(placed), domain.Country(country)
		l.Qty = domain.Quantity(qty)
		l.Value = domain.IndicativeEUR(domain.NewMoney(price*qty, domain.Currency(cur)))
		return o, l, o.ID, nil
	}, func(o *domain.PlanOrder, l domain.PlanLine) { o.Lines = append(o.Lines, l) }, q+` ORDER BY o.id, l.line_no`, args...)
}

// Availability implements domain.AllocationStore.
func (db *AllocationStore) Availability(ctx context.Context) (map[string]map[string]domain.Quantity, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT p.sku, w.code, t.on_hand - t.reserved FROM stock_totals t
		JOIN products p ON p.id = t.product_id JOIN warehouses w ON w.id = t.warehouse_id WHERE t.on_hand > t.reserved`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[string]map[string]domain.Quantity{}
	for rows.Next() {
		var sku, wh string
		var q int64
		if err := rows.Scan(&sku, &wh, &q); err != nil {
			return nil, err
		}
		if out[sku] == nil {
			out[sku] = map[string]domain.Quantity{}
		}
		out[sku][wh] = domain.Quantity(q)
	}
	return out, rows.Err()
}

// Rates implements domain.AllocationStore.
func (db *AllocationStore) Rates(ctx context.Context) ([]domain.Rate, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, r *domain.Rate) error {
		var c string
		if err := rows.Scan(&r.Warehouse, &c, &r.Cost, &r.TransitDays); err != nil {
			return err
		}
		r.Country = domain.Country(c)
		return nil
	}, `SELECT w.code, r.country, r.cost_minor, r.transit_days FROM shipping_rates r
		JOIN warehouses w ON w.id = r.warehouse_id ORDER BY w.code, r.country = '*', r.country`)
}

// SetRates implements domain.AllocationStore.
func (db *AllocationStore) SetRates(ctx context.Context, rates []domain.Rate) error {
	cfg, err := db.AllocConfig(ctx)
	if err != nil {
		return err
	}
	for _, r := range rates {
		if err := r.Validate(cfg.Currency); err != nil {
			return err
		}
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM shipping_rates`); err != nil {
			return translate(err)
		}
		for _, r := range rates {
			res, err := tx.ExecContext(ctx, `INSERT INTO shipping_rates (warehouse_id, country, cost_minor, transit_days)
				SELECT id, ?, ?, ? FROM warehouses WHERE code = ?`, string(r.Country), r.Cost, r.TransitDays, r.Warehouse)
			if err != nil {
				if errors.Is(translate(err), domain.ErrConflict) {
					return domain.Errorf(domain.ECONFLICT, "%s → %s is listed twice", r.Warehouse, r.Country)
				}
				return translate(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return domain.Errorf(domain.ENOTFOUND, "no warehouse with code %q", r.Warehouse)
			}
		}
		return nil
	})
}

const allocConfigKey = string(domain.SettingAllocation)

// AllocConfig implements domain.AllocationStore: the saved settings, or the defaults.
func (db *AllocationStore) AllocConfig(ctx context.Context) (domain.AllocConfig, error) {
	c := domain.DefaultAllocConfig()
	found, err := db.readSetting(ctx, allocConfigKey, &c)
	if found && isDecoding(err) {
		return domain.DefaultAllocConfig(), nil // unreadable settings: start from the defaults
	}
	return c, err
}

// SetAllocConfig implements domain.AllocationStore.
func (db *AllocationStore) SetAllocConfig(ctx context.Context, c domain.AllocConfig) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.saveSetting(ctx, allocConfigKey, c)
}

// CommitPlan implements domain.AllocationStore.
func (db *AllocationStore) CommitPlan(ctx context.Context, p domain.Plan, at time.Time) (domain.CommitResult, error) {
	var res domain.CommitResult
	err := db.ledgerTx(ctx, func(l *ledger) error {
		res = domain.CommitResult{}
		l.now = millis(at)
		c, err := l.readCommit(p)
		if err != nil {
			return err
		}
		var w commitWrites
		for _, po := range p.Orders {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := c.check(po); err != nil {
				var de *domain.Error
				if !errors.As(err, &de) {
					return err
				}
				res.Conflicts = append(res.Conflicts, domain.CommitConflict{OrderID: po.OrderID, Number: po.Number, Message: de.Message})
				continue
			}
			c.take(po, &w)
			if len(po.Parcels) > 0 {
				res.Allocated++
			} else {
				res.Backordered++
			}
		}
		return l.writeCommit(w)
	})
	return res, err
}

// The commit of a plan reads what it needs once, checks each order in plan
// order against it (what stock the orders before it took included), and
// writes every accepted order's reservations, allocations, status and
// history in a few statements per batch of rows: a fixed number of round
// trips however far the server is, where an order at a time cost ten.

// commitState is what a commit checks orders against.
type commitState struct {
	status, number map[int64]string
	products       map[string]int64
	warehouses     map[string]int64
	available      map[[2]int64]int64 // product, warehouse → on hand less reserved
}

// commitWrites are the rows an accepted plan writes.
type commitWrites struct {
	reserve map[[2]int64]int64 // product, warehouse → quantity
	lines   []reservedLine
	orders  []orderChange
}

type reservedLine struct {
	order, line, product, warehouse, qty int64
}

type orderChange struct {
	id         int64
	note       string
	from, to   string
	transition bool
}

// readCommit reads the plan's orders, products, warehouses and stock.
func (l *ledger) readCommit(p domain.Plan) (*commitState, error) {
	c := &commitState{status: map[int64]string{}, number: map[int64]string{}, products: map[string]int64{},
		warehouses: map[string]int64{}, available: map[[2]int64]int64{}}
	var ids []any
	skus := map[string]bool{}
	for _, po := range p.Orders {
		ids = append(ids, po.OrderID)
		for _, pc := range po.Parcels {
			for _, ln := range pc.Lines {
				skus[ln.SKU] = true
			}
		}
	}
	var skuArgs []any
	for s := range skus {
		skuArgs = append(skuArgs, s)
	}
	err := inChunks(ids, func(chunk []any) error {
		return l.each(`SELECT id, number, status FROM orders WHERE id IN (`+placeholders(len(chunk))+`)`, chunk, func(rows *sql.Rows) error {
			var id int64
			var number, status string
			err := rows.Scan(&id, &number, &status)
			c.number[id], c.status[id] = number, status
			return err
		})
	})
	if err == nil {
		err = inChunks(skuArgs, func(chunk []any) error {
			return l.each(`SELECT id, sku FROM products WHERE sku IN (`+placeholders(len(chunk))+`)`, chunk, func(rows *sql.Rows) error {
				var id int64
				var sku string
				err := rows.Scan(&id, &sku)
				c.products[sku] = id
				return err
			})
		})
	}
	if err == nil {
		err = l.each(`SELECT id, code FROM warehouses`, nil, func(rows *sql.Rows) error {
			var id int64
			var code string
			err := rows.Scan(&id, &code)
			c.warehouses[code] = id
			return err
		})
	}
	if err == nil {
		var pids []any
		for _, id := range c.products {
			pids = append(pids, id)
		}
		err = inChunks(pids, func(chunk []any) error {
			return l.each(`SELECT product_id, warehouse_id, on_hand - reserved FROM stock_totals WHERE product_id IN (`+placeholders(len(chunk))+`)`,
				chunk, func(rows *sql.Rows) error {
					var k [2]int64
					var n int64
					err := rows.Scan(&k[0], &k[1], &n)
					c.available[k] = n
					return err
				})
		})
	}
	return c, err
}

// check says whether a planned order can still be committed as planned.
func (c *commitState) check(po domain.PlannedOrder) error {
	status, ok := c.status[po.OrderID]
	if !ok {
		return domain.Errorf(domain.ECONFLICT, "the order no longer exists")
	}
	if status != string(domain.StatusNew) && status != string(domain.StatusBackordered) {
		return domain.Errorf(domain.ECONFLICT, "the order is %s now, no longer open", strings.ReplaceAll(status, "_", " "))
	}
	want := map[[2]int64]int64{}
	for _, pc := range po.Parcels {
		w, ok := c.warehouses[strings.TrimSpace(pc.Warehouse)]
		if !ok {
			return domain.Errorf(domain.ENOTFOUND, "no warehouse with code %q", pc.Warehouse)
		}
		for _, ln := range pc.Lines {
			p, ok := c.products[ln.SKU]
			if !ok {
				return domain.Errorf(domain.ENOTFOUND, "no product with SKU %q", ln.SKU)
			}
			k := [2]int64{p, w}
			want[k] += int64(ln.Qty)
			if c.available[k] < want[k] {
				return domain.Errorf(domain.ECONFLICT, "%s in %s: stock changed since the plan; plan again", ln.SKU, pc.Warehouse)
			}
		}
	}
	if to := committedStatus(po); status != string(to) {
		if err := domain.CheckTransition(c.number[po.OrderID], domain.OrderStatus(status), to); err != nil {
			return err
		}
	}
	return nil
}

func committedStatus(po domain.PlannedOrder) domain.OrderStatus {
	if len(po.Parcels) > 0 {
		return domain.StatusAllocated
	}
	return domain.StatusBackordered
}

// take counts a checked order's stock as taken and adds its rows to w.
func (c *commitState) take(po domain.PlannedOrder, w *commitWrites) {
	if w.reserve == nil {
		w.reserve = map[[2]int64]int64{}
	}
	for _, pc := range po.Parcels {
		wh := c.warehouses[strings.TrimSpace(pc.Warehouse)]
		for _, ln := range pc.Lines {
			k := [2]int64{c.products[ln.SKU], wh}
			c.available[k] -= int64(ln.Qty)
			w.reserve[k] += int64(ln.Qty)
			w.lines = append(w.lines, reservedLine{order: po.OrderID, line: int64(ln.LineNo), product: k[0], warehouse: wh, qty: int64(ln.Qty)})
		}
	}
	from, to := c.status[po.OrderID], string(committedStatus(po))
	w.orders = append(w.orders, orderChange{id: po.OrderID, note: po.Reason, from: from, to: to, transition: from != to})
	c.status[po.OrderID] = to
}

// writeCommit writes an accepted plan's rows, a batch at a time.
func (l *ledger) writeCommit(w commitWrites) error {
	const perBatch = 500
	var totals [][]any
	for k, q := range w.reserve {
		totals = append(totals, []any{k[0], k[1], q})
	}
	sort.Slice(totals, func(i, j int) bool { // the same order every time: no deadlock between two commits
		a, b := totals[i], totals[j]
		return a[0].(int64) < b[0].(int64) || a[0] == b[0] && a[1].(int64) < b[1].(int64)
	})
	for batch := range slices.Chunk(totals, perBatch) {
		res, err := l.x.tx.ExecContext(l.ctx, `UPDATE stock_totals SET reserved = stock_totals.reserved + v.column3
			FROM (VALUES `+values(len(batch), "BIGINT", "BIGINT", "BIGINT")+`) AS v
			WHERE stock_totals.product_id = v.column1 AND stock_totals.warehouse_id = v.column2
			AND stock_totals.on_hand - stock_totals.reserved >= v.column3`, flatten(batch)...)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n != int64(len(batch)) {
			return domain.Errorf(domain.ECONFLICT, "stock changed while the plan was committed; plan again")
		}
	}
	for batch := range slices.Chunk(w.lines, perBatch) {
		var rows [][]any
		for _, ln := range batch {
			rows = append(rows, []any{ln.product, ln.warehouse, ln.order, ln.qty, l.now})
		}
		// The reservations' ids, matched to their lines by what they hold.
		ids := map[[4]int64][]int64{}
		err := l.each(`INSERT INTO reservations (product_id, warehouse_id, order_id, qty, created_at) VALUES `+values(len(rows), "", "", "", "", "")+`
			RETURNING id, product_id, warehouse_id, order_id, qty`, flatten(rows), func(r *sql.Rows) error {
			var id int64
			var k [4]int64
			err := r.Scan(&id, &k[0], &k[1], &k[2], &k[3])
			ids[k] = append(ids[k], id)
			return err
		})
		if err != nil {
			return err
		}
		rows = rows[:0]
		for _, ln := range batch {
			k := [4]int64{ln.product, ln.warehouse, ln.order, ln.qty}
			rid := ids[k][0]
			ids[k] = ids[k][1:]
			rows = append(rows, []any{ln.order, ln.line, ln.warehouse, ln.qty, rid, l.now})
		}
		if _, err := l.x.tx.ExecContext(l.ctx, `INSERT INTO allocations (order_id, line_no, warehouse_id, qty, reservation_id, created_at) VALUES `+
			values(len(rows), "", "", "", "", "", ""), flatten(rows)...); err != nil {
			return translate(err)
		}
	}
	var who string
	if len(w.orders) > 0 {
		if err := l.x.tx.QueryRowContext(l.ctx, `SELECT who()`).Scan(&who); err != nil {
			return translate(err)
		}
	}
	for batch := range slices.Chunk(w.orders, perBatch) {
		var rows, history [][]any
		for _, o := range batch {
			rows = append(rows, []any{o.id, o.note, o.to})
			if o.transition {
				history = append(history, []any{o.id, l.now, o.from, o.to, o.note, who})
			}
		}
		if _, err := l.x.tx.ExecContext(l.ctx, `UPDATE orders SET allocation_note = v.column2, status = v.column3, updated_at = ?
			FROM (VALUES `+values(len(rows), "BIGINT", "TEXT", "TEXT")+`) AS v WHERE orders.id = v.column1`, append([]any{l.now}, flatten(rows)...)...); err != nil {
			return translate(err)
		}
		if len(history) > 0 {
			if _, err := l.x.tx.ExecContext(l.ctx, `INSERT INTO order_history (order_id, at, from_status, to_status, reason, who) VALUES `+
				values(len(history), "", "", "", "", "", ""), flatten(history)...); err != nil {
				return translate(err)
			}
		}
	}
	return nil
}

// Unallocate implements domain.AllocationStore.
func (db *AllocationStore) Unallocate(ctx context.Context, orderID int64, at time.Time, reason string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM orders WHERE id = ?`, orderID).Scan(&status); err != nil {
			return translate(err)
		}
		if status != string(domain.StatusAllocated) {
			return domain.Errorf(domain.ECONFLICT, "only an allocated order can be un-allocated; this one is %s", strings.ReplaceAll(status, "_", " "))
		}
		if err := releaseWhere(ctx, tx, `order_id = ?`, orderID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM allocations WHERE order_id = ?`, orderID); err != nil {
			return translate(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET allocation_note = '' WHERE id = ?`, orderID); err != nil {
			return translate(err)
		}
		if reason == "" {
			reason = "un-allocated"
		}
		return transitionOrder(ctx, tx, orderID, domain.StatusNew, millis(at), reason)
	})
}

// Allocation implements domain.AllocationStore.
func (db *AllocationStore) Allocation(ctx context.Context, orderID int64) ([]domain.LineAllocation, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, a *domain.LineAllocation) error {
		var q int64
		if err := rows.Scan(&a.LineNo, &a.SKU, &q, &a.Warehouse); err != nil {
			return err
		}
		a.Qty = domain.Quantity(q)
		return nil
	}, `SELECT a.line_no, l.sku, a.qty, w.code FROM allocations a
		JOIN order_lines l ON l.order_id = a.order_id AND l.line_no = a.line_no JOIN warehouses w ON w.id = a.warehouse_id
		WHERE a.order_id = ? ORDER BY a.line_no`, orderID)
}

// SetPriority sets an order's manual priority (-9 to 9; higher is allocated first).
func (db *AllocationStore) SetPriority(ctx context.Context, orderID int64, p int) error {
	if p < -9 || p > 9 {
		return domain.Errorf(domain.EINVALID, "a priority goes from -9 to 9")
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, domain.ErrNotFound, `UPDATE orders SET priority = ? WHERE id = ?`, p, orderID)
	})
}

// SetChannelPriority sets a channel's priority (-9 to 9): its orders go
// before those of lower channels of the same manual priority.
func (db *AllocationStore) SetChannelPriority(ctx context.Context, channelID int64, p int) error {
	if p < -9 || p > 9 {
		return domain.Errorf(domain.EINVALID, "a priority goes from -9 to 9")
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, domain.ErrNotFound, `UPDATE channels SET priority = ? WHERE id = ?`, p, channelID)
	})
}

// Incoming implements domain.AllocationStore: what open inbounds still
// expect, with the days until their expected date (at least 1; a late
// delivery is expected tomorrow).
func (db *AllocationStore) Incoming(ctx context.Context, now time.Time) ([]domain.Incoming, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT p.sku, w.code, il.expected_qty - il.received_qty, i.expected_on, i.reference
		FROM inbound_lines il JOIN inbounds i ON i.id = il.inbound_id JOIN products p ON p.id = il.product_id
		JOIN warehouses w ON w.id = i.warehouse_id
		WHERE i.status = 'open' AND il.expected_qty > il.received_qty AND i.expected_on <> ''
		ORDER BY i.expected_on, i.id, p.sku`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	today := now.UTC().Truncate(24 * time.Hour)
	var out []domain.Incoming
	for rows.Next() {
		var in domain.Incoming
		var q int64
		var on string
		if err := rows.Scan(&in.SKU, &in.Warehouse, &q, &on, &in.Ref); err != nil {
			return nil, err
		}
		d, err := time.Parse(time.DateOnly, on)
		if err != nil {
			continue
		}
		in.Qty, in.Days = domain.Quantity(q), max(1, int(d.Sub(today).Hours()/24+0.999))
		out = append(out, in)
	}
	return out, rows.Err()
}

// each runs a query in the ledger's transaction and hands each row to fn.
func (l *ledger) each(query string, args []any, fn func(rows *sql.Rows) error) error {
	rows, err := l.x.tx.QueryContext(l.ctx, query, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return translate(rows.Err())
}

// ShortSKUs implements domain.AllocationReads.
func (db *AllocationStore) ShortSKUs(ctx context.Context, limit int) ([]domain.ShortSKU, error) {
	return queryList(ctx, db.reader(ctx), func(rows *sql.Rows, s *domain.ShortSKU) error {
		var wanted, available int64
		err := rows.Scan(&s.SKU, &s.Orders, &wanted, &available)
		s.Wanted, s.Available = domain.Quantity(wanted), domain.Quantity(available)
		return err
	}, `SELECT sku, orders, wanted, available FROM (
			SELECT l.sku AS sku, count(DISTINCT o.id) AS orders, sum(l.quantity) AS wanted,
				coalesce((SELECT sum(t.on_hand - t.reserved) FROM stock_totals t JOIN products p ON p.id = t.product_id
					WHERE p.sku = l.sku), 0) AS available
			FROM order_lines l JOIN orders o ON o.id = l.order_id
			WHERE o.status = 'backordered'
			GROUP BY l.sku) AS short
		WHERE wanted > available ORDER BY orders DESC, sku LIMIT ?`, limit)
}
