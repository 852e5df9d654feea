package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

const levelColumns = `SELECT p.sku, w.code, l.code, l.zone, l.kind, s.lot, coalesce(lots.expiry, ''), s.on_hand FROM stock_balances s
		JOIN products p ON p.id = s.product_id
		JOIN locations l ON l.id = s.location_id
		JOIN warehouses w ON w.id = s.warehouse_id
		LEFT JOIN lots ON lots.product_id = s.product_id AND lots.lot = s.lot`

// StockLevels implements domain.StockStore.
func (db *StockStore) StockLevels(ctx context.Context, warehouse string) ([]domain.StockLevel, error) {
	q := levelColumns + ` WHERE s.on_hand <> 0`
	var args []any
	if warehouse != "" {
		id, err := db.warehouseID(ctx, warehouse)
		if err != nil {
			return nil, err
		}
		q += ` AND s.warehouse_id = ?`
		args = append(args, id)
	}
	q += ` ORDER BY w.code, l.pick_sequence, l.code, p.sku, s.lot`
	return db.stockLevels(ctx, q, args...)
}

func (db *StockStore) warehouseID(ctx context.Context, code string) (int64, error) {
	var id int64
	if err := db.read.QueryRowContext(ctx, `SELECT id FROM warehouses WHERE code = ?`, code).Scan(&id); err != nil {
		return 0, fmt.Errorf("warehouse %s: %w", code, translate(err))
	}
	return id, nil
}

func (db *StockStore) stockLevels(ctx context.Context, q string, args ...any) ([]domain.StockLevel, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, s *domain.StockLevel) error {
		var qty int64
		if err := rows.Scan(&s.SKU, &s.Warehouse, &s.Location, &s.Zone, &s.Kind, &s.Lot, &s.Expiry, &qty); err != nil {
			return err
		}
		s.OnHand = domain.Quantity(qty)
		return nil
	}, q, args...)
}

// StockTotals implements domain.StockStore.
func (db *StockStore) StockTotals(ctx context.Context, warehouse string) ([]domain.SKUStock, error) {
	q := `SELECT p.sku, w.code, t.on_hand, t.in_transit, t.reserved, t.reorder_point, t.target_level FROM stock_totals t
		JOIN products p ON p.id = t.product_id JOIN warehouses w ON w.id = t.warehouse_id
		WHERE (t.on_hand <> 0 OR t.in_transit <> 0 OR t.reserved <> 0 OR t.reorder_point <> 0)`
	var args []any
	if warehouse != "" {
		id, err := db.warehouseID(ctx, warehouse)
		if err != nil {
			return nil, err
		}
		q += ` AND t.warehouse_id = ?`
		args = append(args, id)
	}
	return queryList(ctx, db.read, func(rows *sql.Rows, s *domain.SKUStock) error {
		var v [5]int64
		if err := rows.Scan(&s.SKU, &s.Warehouse, &v[0], &v[1], &v[2], &v[3], &v[4]); err != nil {
			return err
		}
		s.StockTotal = domain.StockTotal{OnHand: domain.Quantity(v[0]), InTransit: domain.Quantity(v[1]), Reserved: domain.Quantity(v[2]),
			ReorderPoint: domain.Quantity(v[3]), TargetLevel: domain.Quantity(v[4])}
		return nil
	}, q+` ORDER BY p.sku, w.code`, args...)
}

// productFilter is the WHERE clause over products p for a filter.
func productFilter(f domain.StockFilter) (string, []any) {
	var where []string
	var args []any
	if q := strings.TrimSpace(f.Search); q != "" {
		esc := "%" + likeText(q) + "%"
		where = append(where, `(p.sku LIKE ? ESCAPE '\' OR p.name LIKE ? ESCAPE '\')`)
		args = append(args, esc, esc)
	}
	if f.Zone != "" {
		q := `EXISTS (SELECT 1 FROM stock_balances s JOIN locations l ON l.id = s.location_id
			WHERE s.product_id = p.id AND s.on_hand > 0 AND l.zone = ?`
		args = append(args, f.Zone)
		if f.WarehouseID != 0 {
			q += ` AND s.warehouse_id = ?`
			args = append(args, f.WarehouseID)
		}
		where = append(where, q+`)`)
	}
	if f.LowOnly {
		q := `EXISTS (SELECT 1 FROM stock_totals t WHERE t.product_id = p.id AND ` + lowTotal
		if f.WarehouseID != 0 {
			q += ` AND t.warehouse_id = ?`
			args = append(args, f.WarehouseID)
		}
		where = append(where, q+`)`)
	}
	if len(where) == 0 {
		return "", nil
	}
	return ` WHERE ` + strings.Join(where, ` AND `), args
}

// CountProductStock implements domain.StockStore.
func (db *StockStore) CountProductStock(ctx context.Context, f domain.StockFilter) (int, error) {
	w, args := productFilter(f)
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM products p`+w, args...).Scan(&n)
	return n, translate(err)
}

// ProductStockPage implements domain.StockStore. Sorting by SKU or name walks
// an index; sorting by quantity adds up the totals of the matching products
// first (one row per product and warehouse).
func (db *StockStore) ProductStockPage(ctx context.Context, f domain.StockFilter, offset, limit int) ([]domain.ProductStock, error) {
	w, args := productFilter(f)
	// page has the sort key k, so the outer query can keep the page's order.
	var page, order string
	switch f.Sort {
	case domain.SortByName:
		page = `SELECT p.id, p.sku, p.name, p.name AS k FROM products p` + w + ` ORDER BY p.name, p.sku LIMIT ? OFFSET ?`
		order = `page.k, page.sku`
	case domain.SortByOnHand, domain.SortByAvailable:
		expr, dir := `sum(t.on_hand)`, `DESC`
		if f.Sort == domain.SortByAvailable {
			expr, dir = `sum(t.on_hand - t.reserved)`, `ASC`
		}
		scope := ``
		if f.WarehouseID != 0 {
			scope = ` AND t.warehouse_id = ?`
			args = append([]any{f.WarehouseID}, args...)
		}
		page = `SELECT p.id, p.sku, p.name, coalesce(` + expr + `, 0) AS k FROM products p LEFT JOIN stock_totals t ON t.product_id = p.id` +
			scope + w + ` GROUP BY p.id ORDER BY k ` + dir + `, p.sku LIMIT ? OFFSET ?`
		order = `page.k ` + dir + `, page.sku`
	default:
		page = `SELECT p.id, p.sku, p.name, p.sku AS k FROM products p` + w + ` ORDER BY p.sku LIMIT ? OFFSET ?`
		order = `page.sku`
	}
	args = append(args, limit, offset)
	rows, err := db.read.QueryContext(ctx, `WITH page AS (`+page+`)
		SELECT page.id, page.sku, page.name, t.warehouse_id, t.on_hand, t.in_transit, t.reserved, t.reorder_point, t.target_level
		FROM page LEFT JOIN stock_totals t ON t.product_id = page.id ORDER BY `+order+`, t.warehouse_id`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []domain.ProductStock
	index := map[int64]int{}
	for rows.Next() {
		var id int64
		var sku, name string
		var wh sql.NullInt64
		var v [5]sql.NullInt64
		if err := rows.Scan(&id, &sku, &name, &wh, &v[0], &v[1], &v[2], &v[3], &v[4]); err != nil {
			return nil, err
		}
		i, ok := index[id]
		if !ok {
			i = len(out)
			index[id] = i
			out = append(out, domain.ProductStock{ProductID: id, SKU: sku, Name: name, Stock: map[int64]domain.StockTotal{}})
		}
		if !wh.Valid || (f.WarehouseID != 0 && wh.Int64 != f.WarehouseID) {
			continue
		}
		t := domain.StockTotal{OnHand: domain.Quantity(v[0].Int64), InTransit: domain.Quantity(v[1].Int64), Reserved: domain.Quantity(v[2].Int64),
			ReorderPoint: domain.Quantity(v[3].Int64), TargetLevel: domain.Quantity(v[4].Int64)}
		p := &out[i]
		p.Stock[wh.Int64] = t
		p.Total.OnHand += t.OnHand
		p.Total.InTransit += t.InTransit
		p.Total.Reserved += t.Reserved
		p.Total.ReorderPoint += t.ReorderPoint
		p.Total.TargetLevel += t.TargetLevel
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// BinStock implements domain.StockStore.
func (db *StockStore) BinStock(ctx context.Context, productID, warehouseID int64) ([]domain.StockLevel, error) {
	return db.stockLevels(ctx, levelColumns+` WHERE s.product_id = ? AND s.warehouse_id = ? AND s.on_hand <> 0
		ORDER BY coalesce(lots.expiry, '') = '', lots.expiry, l.kind <> 'storage', l.pick_sequence, l.code, s.lot`, productID, warehouseID)
}

// Movements implements domain.StockStore.
func (db *StockStore) Movements(ctx context.Context, productID, warehouseID int64, limit int) ([]domain.Movement, error) {
	q := `SELECT m.id, m.at, m.kind, p.sku, w.code, l.code, m.lot, m.qty, m.reason, m.doc, m.note, m.who FROM stock_movements m
		JOIN products p ON p.id = m.product_id JOIN warehouses w ON w.id = m.warehouse_id JOIN locations l ON l.id = m.location_id
		WHERE m.product_id = ?`
	args := []any{productID}
	if warehouseID != 0 {
		q += ` AND m.warehouse_id = ?`
		args = append(args, warehouseID)
	}
	return queryList(ctx, db.read, func(rows *sql.Rows, m *domain.Movement) error {
		var at, qty int64
		if err := rows.Scan(&m.ID, &at, &m.Kind, &m.SKU, &m.Warehouse, &m.Location, &m.Lot, &qty, &m.Reason, &m.Doc, &m.Note, &m.Who); err != nil {
			return err
		}
		m.At, m.Qty = fromMS(at), domain.Quantity(qty)
		return nil
	}, q+` ORDER BY m.id DESC LIMIT ?`, append(args, limit)...)
}

// Zones implements domain.StockStore.
func (db *StockStore) Zones(ctx context.Context, warehouseID int64) ([]string, error) {
	q := `SELECT DISTINCT zone FROM locations WHERE kind = 'storage'`
	var args []any
	if warehouseID != 0 {
		q += ` AND warehouse_id = ?`
		args = append(args, warehouseID)
	}
	return queryList(ctx, db.read, func(rows *sql.Rows, z *string) error {
		if err := rows.Scan(&z); err != nil {
			return err
		}
		return nil
	}, q+` ORDER BY zone`, args...)
}

// lowTotal is the condition on a stock total t that it is low: at or under
// its reorder point in its warehouse (one is set).
const lowTotal = `t.reorder_point > 0 AND t.on_hand - t.reserved <= t.reorder_point`

// LowStock implements domain.StockReads: the low rows of stock_totals, as
// StockFilter.LowOnly finds them.
func (db *StockStore) LowStock(ctx context.Context) ([]domain.LowStock, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, l *domain.LowStock) error {
		return rows.Scan(&l.SKU, &l.Warehouse, &l.Available, &l.ReorderPoint)
	}, `SELECT p.sku, w.code, t.on_hand - t.reserved, t.reorder_point
		FROM stock_totals t JOIN products p ON p.id = t.product_id JOIN warehouses w ON w.id = t.warehouse_id
		WHERE `+lowTotal+` ORDER BY p.sku, w.code`)
}

// ShippedUnits implements domain.StockReads: the units of the SKUs' order
// lines in the orders with a shipment since since, by the warehouse it
// left (its parcel's, or the one a shipment without a parcel is known to
// have left); an order is counted once per warehouse.
func (db *StockStore) ShippedUnits(ctx context.Context, since time.Time, skus []string) (map[string]map[string]domain.Quantity, error) {
	out := map[string]map[string]domain.Quantity{}
	if len(skus) == 0 {
		return out, nil
	}
	args := []any{millis(since)}
	for _, s := range skus {
		args = append(args, s)
	}
	_, err := queryList(ctx, db.read, func(rows *sql.Rows, _ *struct{}) error {
		var sku, wh string
		var n domain.Quantity
		if err := rows.Scan(&sku, &wh, &n); err != nil {
			return err
		}
		if out[sku] == nil {
			out[sku] = map[string]domain.Quantity{}
		}
		out[sku][wh] = n
		return nil
	}, `SELECT ol.sku, w.code, sum(ol.quantity)
		FROM (SELECT DISTINCT s.order_id, coalesce(pa.warehouse_id, s.warehouse_id) AS warehouse_id
			FROM shipments s LEFT JOIN parcels pa ON pa.id = s.parcel_id WHERE s.shipped_at >= ?) sent
		JOIN order_lines ol ON ol.order_id = sent.order_id JOIN warehouses w ON w.id = sent.warehouse_id
		WHERE ol.sku IN (`+placeholders(len(skus))+`)
		GROUP BY ol.sku, w.code`, args...)
	return out, err
}
