package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/portolan/portolan/domain"
)

func insertChannel(ctx context.Context, x execer, c *domain.Channel, now int64) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return insertID(ctx, x, &c.ID, "channel "+c.Code, `INSERT INTO channels (code, name, kind, base_url, created_at) VALUES (?, ?, ?, ?, ?)`,
		c.Code, c.Name, string(c.Kind), c.BaseURL, now)
}

func insertWarehouse(ctx context.Context, x execer, w *domain.Warehouse) error {
	if err := w.Validate(); err != nil {
		return err
	}
	a := w.Address
	return insertID(ctx, x, &w.ID, "warehouse "+w.Code, `INSERT INTO warehouses (code, name, addr_name, addr_company, addr_line1, addr_line2,
		addr_city, addr_region, addr_postal_code, addr_country, addr_phone, addr_email, time_zone)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, w.Code, w.Name, a.Name, a.Company, a.Line1, a.Line2,
		a.City, a.Region, a.PostalCode, string(a.Country), a.Phone, a.Email, w.TimeZone)
}

func insertLocation(ctx context.Context, x execer, l *domain.Location) error {
	if err := l.Validate(); err != nil {
		return err
	}
	return insertID(ctx, x, &l.ID, "bin "+l.Code, `INSERT INTO locations (warehouse_id, code, zone, pick_sequence) VALUES (?, ?, ?, ?)`,
		l.WarehouseID, l.Code, l.Zone, l.PickSequence)
}

func insertProduct(ctx context.Context, x execer, p *domain.Product) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return insertID(ctx, x, &p.ID, "product "+p.SKU, `INSERT INTO products (sku, name, gtin, weight_g, length_mm, width_mm, height_mm,
		hs_code, origin_country, customs_description, unit_value_minor, unit_value_currency, lot_tracked)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.SKU, p.Name, p.GTIN, int64(p.Weight),
		int64(p.Dimensions.Length), int64(p.Dimensions.Width), int64(p.Dimensions.Height),
		p.HSCode, string(p.Origin), p.CustomsDescription, p.UnitValue.Amount, string(p.UnitValue.Currency), p.LotTracked)
}

// CreateChannel stores a new channel and sets its ID; a duplicate code returns domain.ErrConflict.
func (db *CatalogStore) CreateChannel(ctx context.Context, c *domain.Channel) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error { return insertChannel(ctx, tx, c, millis(db.now())) })
}

// CreateWarehouse stores a new warehouse and sets its ID.
func (db *CatalogStore) CreateWarehouse(ctx context.Context, w *domain.Warehouse) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error { return insertWarehouse(ctx, tx, w) })
}

// CreateLocation stores a new bin and sets its ID.
func (db *CatalogStore) CreateLocation(ctx context.Context, l *domain.Location) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error { return insertLocation(ctx, tx, l) })
}

// CreateProduct stores a new product and sets its ID; a duplicate SKU returns domain.ErrConflict.
func (db *CatalogStore) CreateProduct(ctx context.Context, p *domain.Product) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error { return insertProduct(ctx, tx, p) })
}

// Channels implements domain.CatalogStore.
func (db *CatalogStore) Channels(ctx context.Context) ([]domain.Channel, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, c *domain.Channel) error {
		var err error
		var kind string
		if err := rows.Scan(&c.ID, &c.Code, &c.Name, &kind, &c.BaseURL, &c.ShipService, &c.PromiseDays); err != nil {
			return err
		}
		if c.Kind, err = domain.ParseChannelKind(kind); err != nil {
			return fmt.Errorf("channel %s: stored %w", c.Code, err)
		}
		return nil
	}, `SELECT id, code, name, kind, base_url, ship_service, promise_days FROM channels ORDER BY name, code`)
}

// Warehouses implements domain.CatalogStore.
func (db *CatalogStore) Warehouses(ctx context.Context) ([]domain.Warehouse, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, w *domain.Warehouse) error {
		var err error
		var country string
		a := &w.Address
		if err := rows.Scan(&w.ID, &w.Code, &w.Name, &a.Name, &a.Company, &a.Line1, &a.Line2, &a.City, &a.Region,
			&a.PostalCode, &country, &a.Phone, &a.Email, &w.TimeZone); err != nil {
			return err
		}
		if a.Country, err = domain.ParseCountry(country); err != nil {
			return fmt.Errorf("warehouse %s: stored %w", w.Code, err)
		}
		return nil
	}, `SELECT id, code, name, addr_name, addr_company, addr_line1, addr_line2,
		addr_city, addr_region, addr_postal_code, addr_country, addr_phone, addr_email, time_zone
		FROM warehouses ORDER BY code`)
}

// IsEmpty implements domain.CatalogStore.
func (db *CatalogStore) IsEmpty(ctx context.Context) (bool, error) {
	var any int
	err := db.read.QueryRowContext(ctx, `SELECT CASE WHEN EXISTS (SELECT 1 FROM channels) OR EXISTS (SELECT 1 FROM warehouses)
		OR EXISTS (SELECT 1 FROM products) OR EXISTS (SELECT 1 FROM orders) THEN 1 ELSE 0 END`).Scan(&any)
	return any == 0, translate(err)
}
