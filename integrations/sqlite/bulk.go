package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/portolan/portolan/domain"
)

type bulkWriter struct {
	ctx context.Context
	tx  *stmtCache
	now int64
	// stockAt dates opening balances.
	stockAt int64
}

// Bulk implements domain.BulkLoader: fill runs inside one write transaction,
// with each statement prepared once.
func (db *DB) Bulk(ctx context.Context, fill func(domain.BulkWriter) error) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		c := &stmtCache{tx: tx, stmts: map[string]*sql.Stmt{}}
		defer c.close()
		before, err := maxOrderID(ctx, tx)
		if err != nil {
			return err
		}
		now := millis(db.now())
		if err := fill(&bulkWriter{ctx: ctx, tx: c, now: now, stockAt: now}); err != nil {
			return err
		}
		return db.indexOrdersAfter(ctx, tx, before)
	})
}

// stmtCache is an execer that prepares each distinct query once per transaction.
type stmtCache struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (c *stmtCache) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.stmts[q]; ok {
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.stmts[q] = st
	return st, nil
}

func (c *stmtCache) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return c.tx.QueryRowContext(ctx, q, args...) // reports the same error through Scan
	}
	return st.QueryRowContext(ctx, args...)
}

func (c *stmtCache) close() {
	for _, st := range c.stmts {
		st.Close()
	}
}

func (b *bulkWriter) AddChannel(c *domain.Channel) error { return insertChannel(b.ctx, b.tx, c, b.now) }

func (b *bulkWriter) AddWarehouse(w *domain.Warehouse) error { return insertWarehouse(b.ctx, b.tx, w) }

func (b *bulkWriter) AddLocation(l *domain.Location) error { return insertLocation(b.ctx, b.tx, l) }

func (b *bulkWriter) AddProduct(p *domain.Product) error { return insertProduct(b.ctx, b.tx, p) }

// AddStock records stock found in a bin as an opening-balance adjustment in
// the ledger, with the bin's balance and the warehouse's total.
func (b *bulkWriter) AddStock(productID, locationID int64, lot, expiry string, qty domain.Quantity) error {
	if err := qty.Positive("opening stock"); err != nil {
		return err
	}
	if lot != "" {
		if _, err := b.tx.ExecContext(b.ctx, `INSERT INTO lots (product_id, lot, expiry) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			productID, lot, expiry); err != nil {
			return translate(err)
		}
	}
	if _, err := b.tx.ExecContext(b.ctx, `INSERT INTO stock_balances (product_id, location_id, warehouse_id, lot, on_hand)
		SELECT ?, id, warehouse_id, ?, ? FROM locations WHERE id = ?
		ON CONFLICT (product_id, location_id, lot) DO UPDATE SET on_hand = stock_balances.on_hand + excluded.on_hand`,
		productID, lot, int64(qty), locationID); err != nil {
		return translate(err)
	}
	if _, err := b.tx.ExecContext(b.ctx, `INSERT INTO stock_totals (product_id, warehouse_id, on_hand)
		SELECT ?, warehouse_id, ? FROM locations WHERE id = ? AND kind <> 'transit'
		ON CONFLICT (product_id, warehouse_id) DO UPDATE SET on_hand = stock_totals.on_hand + excluded.on_hand`,
		productID, int64(qty), locationID); err != nil {
		return translate(err)
	}
	_, err := b.tx.ExecContext(b.ctx, `INSERT INTO stock_movements (at, kind, product_id, warehouse_id, location_id, lot, qty, reason, doc, who)
		SELECT ?, 'adjust', ?, warehouse_id, id, ?, ?, 'opening_balance', 'opening balance', who() FROM locations WHERE id = ?`,
		b.stockAt, productID, lot, int64(qty), locationID)
	return translate(err)
}

// StockCountedAt dates the opening balances added after it.
func (b *bulkWriter) StockCountedAt(t time.Time) { b.stockAt = millis(t) }

func (b *bulkWriter) AddOrder(o *domain.Order) error {
	if err := b.ctx.Err(); err != nil {
		return err
	}
	return insertOrder(b.ctx, b.tx, o, b.now)
}

// AddShipment writes a shipment and its events as they are known.
func (b *bulkWriter) AddShipment(s *domain.Shipment, events []domain.TrackEvent) error {
	opt := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return millis(t)
	}
	m := s.Milestone
	if m == "" {
		m = domain.MilestoneLabelCreated
	}
	res, err := insert(b.ctx, b.tx, `INSERT INTO shipments (parcel_id, warehouse_id, order_id, carrier, tracking, destination, shipped_at, milestone, status,
			last_event_at, eta, next_poll_at, polled_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(s.ParcelID), nullID(s.WarehouseID), s.OrderID, s.Carrier, s.Tracking, string(s.Destination), millis(s.ShippedAt), string(m), s.Status,
		opt(s.LastEventAt), opt(s.ETA), opt(s.NextPollAt), opt(s.PolledAt), opt(s.DeliveredAt))
	if err != nil {
		return translate(err)
	}
	if s.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	for _, e := range events {
		if _, err := b.tx.ExecContext(b.ctx, `INSERT INTO tracking_events (shipment_id, at, code, location, text, milestone) VALUES (?, ?, ?, ?, ?, ?)`,
			s.ID, millis(e.At), e.Code, e.Location, e.Text, string(e.Milestone)); err != nil {
			return translate(err)
		}
	}
	return nil
}
