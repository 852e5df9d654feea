package sqlite

import (
	"context"
	"database/sql"
	"errors"
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

const allocConfigKey = "allocation"

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
		for _, po := range p.Orders {
			if err := ctx.Err(); err != nil {
				return err
			}
			if _, err := l.x.ExecContext(ctx, `SAVEPOINT commit_order`); err != nil {
				return err
			}
			err := l.commitOrder(po)
			if err != nil {
				if _, rbErr := l.x.ExecContext(ctx, `ROLLBACK TO commit_order`); rbErr != nil {
					return rbErr
				}
				var de *domain.Error
				if !errors.As(err, &de) {
					return err
				}
				res.Conflicts = append(res.Conflicts, domain.CommitConflict{OrderID: po.OrderID, Number: po.Number, Message: de.Message})
			} else if len(po.Parcels) > 0 {
				res.Allocated++
			} else {
				res.Backordered++
			}
			if _, err := l.x.ExecContext(ctx, `RELEASE commit_order`); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

// commitOrder reserves one planned order's lines and sets its status.
func (l *ledger) commitOrder(po domain.PlannedOrder) error {
	var status string
	if err := l.x.QueryRowContext(l.ctx, `SELECT status FROM orders WHERE id = ?`, po.OrderID).Scan(&status); err != nil {
		return missing(err, "the order no longer exists")
	}
	if status != string(domain.StatusNew) && status != string(domain.StatusBackordered) {
		return domain.Errorf(domain.ECONFLICT, "the order is %s now, no longer open", strings.ReplaceAll(status, "_", " "))
	}
	to := domain.StatusBackordered
	if len(po.Parcels) > 0 {
		to = domain.StatusAllocated
	}
	for _, pc := range po.Parcels {
		w, err := l.warehouse(pc.Warehouse)
		if err != nil {
			return err
		}
		for _, ln := range pc.Lines {
			p, err := l.product(ln.SKU)
			if err != nil {
				return err
			}
			if err := updateOne(l.ctx, l.x, domain.Errorf(domain.ECONFLICT, "%s in %s: stock changed since the plan; plan again", ln.SKU, pc.Warehouse), `UPDATE stock_totals SET reserved = reserved + ?1
				WHERE product_id = ?2 AND warehouse_id = ?3 AND on_hand - reserved >= ?1`, int64(ln.Qty), p.id, w); err != nil {
				return err
			}
			ins, err := insert(l.ctx, l.x, `INSERT INTO reservations (product_id, warehouse_id, order_id, qty, created_at) VALUES (?, ?, ?, ?, ?)`,
				p.id, w, po.OrderID, int64(ln.Qty), l.now)
			if err != nil {
				return translate(err)
			}
			rid, err := ins.LastInsertId()
			if err != nil {
				return err
			}
			if _, err := l.x.ExecContext(l.ctx, `INSERT INTO allocations (order_id, line_no, warehouse_id, qty, reservation_id, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`, po.OrderID, ln.LineNo, w, int64(ln.Qty), rid, l.now); err != nil {
				return translate(err)
			}
		}
	}
	if _, err := l.x.ExecContext(l.ctx, `UPDATE orders SET allocation_note = ?, updated_at = ? WHERE id = ?`, po.Reason, l.now, po.OrderID); err != nil {
		return translate(err)
	}
	if status == string(to) {
		return nil // still backordered: the note is updated, the history needs no new line
	}
	return transitionOrder(l.ctx, l.x, po.OrderID, to, l.now, po.Reason)
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
