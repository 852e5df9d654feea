package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/portolan/portolan/domain"
)

// StockStore keeps stock balances per product, bin and lot.
type StockStore struct{ *DB }

// SetStock sets the on-hand quantity of a product in a bin (no lot).
func (db *StockStore) SetStock(ctx context.Context, productID, locationID int64, onHand domain.Quantity) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error { return upsertStock(ctx, tx, productID, locationID, onHand) })
}

func upsertStock(ctx context.Context, x execer, productID, locationID int64, onHand domain.Quantity) error {
	if onHand < 0 {
		return domain.Errorf(domain.EINVALID, "on-hand quantity must not be negative")
	}
	_, err := x.ExecContext(ctx, `INSERT INTO stock_balances (product_id, location_id, warehouse_id, lot, on_hand)
		SELECT ?, id, warehouse_id, '', ? FROM locations WHERE id = ?
		ON CONFLICT (product_id, location_id, lot) DO UPDATE SET on_hand = excluded.on_hand`,
		productID, int64(onHand), locationID)
	return translate(err)
}

// StockLevels implements domain.StockStore.
func (db *StockStore) StockLevels(ctx context.Context, warehouse string) ([]domain.StockLevel, error) {
	q := `SELECT p.sku, w.code, l.code, l.zone, s.on_hand FROM stock_balances s
		JOIN products p ON p.id = s.product_id
		JOIN locations l ON l.id = s.location_id
		JOIN warehouses w ON w.id = s.warehouse_id
		WHERE s.on_hand <> 0`
	var args []any
	if warehouse != "" {
		var id int64
		if err := db.read.QueryRowContext(ctx, `SELECT id FROM warehouses WHERE code = ?`, warehouse).Scan(&id); err != nil {
			return nil, fmt.Errorf("warehouse %s: %w", warehouse, translate(err))
		}
		q += ` AND s.warehouse_id = ?`
		args = append(args, id)
	}
	q += ` ORDER BY w.code, l.pick_sequence, l.code, p.sku`
	return db.stockLevels(ctx, q, args...)
}

func (db *StockStore) stockLevels(ctx context.Context, q string, args ...any) ([]domain.StockLevel, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []domain.StockLevel
	for rows.Next() {
		var s domain.StockLevel
		var qty int64
		if err := rows.Scan(&s.SKU, &s.Warehouse, &s.Location, &s.Zone, &qty); err != nil {
			return nil, err
		}
		s.OnHand = domain.Quantity(qty)
		out = append(out, s)
	}
	return out, rows.Err()
}

func productSearch(search string) (string, []any) {
	q := strings.TrimSpace(search)
	if q == "" {
		return "", nil
	}
	esc := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
	return ` WHERE (p.sku LIKE ? ESCAPE '\' OR p.name LIKE ? ESCAPE '\')`, []any{esc, esc}
}

// CountProductStock implements domain.StockStore.
func (db *StockStore) CountProductStock(ctx context.Context, search string) (int, error) {
	w, args := productSearch(search)
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM products p`+w, args...).Scan(&n)
	return n, translate(err)
}

// ProductStockPage implements domain.StockStore.
func (db *StockStore) ProductStockPage(ctx context.Context, search string, offset, limit int) ([]domain.ProductStock, error) {
	w, args := productSearch(search)
	args = append(args, limit, offset)
	rows, err := db.read.QueryContext(ctx, `WITH page AS (
			SELECT p.id, p.sku, p.name FROM products p`+w+` ORDER BY p.sku LIMIT ? OFFSET ?)
		SELECT page.id, page.sku, page.name, s.warehouse_id, sum(s.on_hand)
		FROM page LEFT JOIN stock_balances s ON s.product_id = page.id
		GROUP BY page.id, s.warehouse_id ORDER BY page.sku`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []domain.ProductStock
	for rows.Next() {
		var id int64
		var sku, name string
		var wh, qty sql.NullInt64
		if err := rows.Scan(&id, &sku, &name, &wh, &qty); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ProductID != id {
			out = append(out, domain.ProductStock{ProductID: id, SKU: sku, Name: name, OnHand: map[int64]domain.Quantity{}})
		}
		if wh.Valid {
			p := &out[len(out)-1]
			p.OnHand[wh.Int64] = domain.Quantity(qty.Int64)
			p.Total += domain.Quantity(qty.Int64)
		}
	}
	return out, rows.Err()
}

// BinStock implements domain.StockStore.
func (db *StockStore) BinStock(ctx context.Context, productID, warehouseID int64) ([]domain.StockLevel, error) {
	return db.stockLevels(ctx, `SELECT p.sku, w.code, l.code, l.zone, s.on_hand FROM stock_balances s
		JOIN products p ON p.id = s.product_id
		JOIN locations l ON l.id = s.location_id
		JOIN warehouses w ON w.id = s.warehouse_id
		WHERE s.product_id = ? AND s.warehouse_id = ? AND s.on_hand <> 0
		ORDER BY l.pick_sequence, l.code`, productID, warehouseID)
}
