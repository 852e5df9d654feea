package sqlite

import (
	"context"
	"database/sql"

	"github.com/portolan/portolan/domain"
)

type bulkWriter struct {
	ctx context.Context
	tx  *sql.Tx
	now int64
}

// Bulk implements domain.BulkLoader: fill runs inside one write transaction.
func (db *DB) Bulk(ctx context.Context, fill func(domain.BulkWriter) error) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return fill(&bulkWriter{ctx: ctx, tx: tx, now: millis(db.now())})
	})
}

func (b *bulkWriter) AddChannel(c *domain.Channel) error { return insertChannel(b.ctx, b.tx, c, b.now) }

func (b *bulkWriter) AddWarehouse(w *domain.Warehouse) error { return insertWarehouse(b.ctx, b.tx, w) }

func (b *bulkWriter) AddLocation(l *domain.Location) error { return insertLocation(b.ctx, b.tx, l) }

func (b *bulkWriter) AddProduct(p *domain.Product) error { return insertProduct(b.ctx, b.tx, p) }

func (b *bulkWriter) AddStock(productID, locationID int64, onHand domain.Quantity) error {
	return upsertStock(b.ctx, b.tx, productID, locationID, onHand)
}

func (b *bulkWriter) AddOrder(o *domain.Order) error {
	if err := b.ctx.Err(); err != nil {
		return err
	}
	return insertOrder(b.ctx, b.tx, o, b.now)
}
