package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// TrendStore reads what the Overview's trends are counted from
// (domain.TrendReads), each in one grouped read over all the periods.
type TrendStore struct{ *DB }

// TrendStore returns the store of domain.TrendReads.
func (db *DB) TrendStore() *TrendStore { return &TrendStore{db} }

var _ domain.TrendReads = (*TrendStore)(nil)

// periods is a CASE expression giving the period of col (0 to
// len(bounds)-2) and the condition that keeps col inside them, with
// their arguments in the order they appear in "SELECT expr … WHERE cond".
func periods(col string, bounds []time.Time) (expr, cond string, exprArgs, condArgs []any) {
	cond, condArgs = col+" >= ? AND "+col+" < ?", []any{millis(bounds[0]), millis(bounds[len(bounds)-1])}
	if len(bounds) == 2 {
		return "0", cond, nil, condArgs
	}
	var b strings.Builder
	b.WriteString("CASE")
	for i := 1; i < len(bounds)-1; i++ {
		b.WriteString(" WHEN " + col + " < ? THEN " + strconv.Itoa(i-1))
		exprArgs = append(exprArgs, millis(bounds[i]))
	}
	b.WriteString(" ELSE " + strconv.Itoa(len(bounds)-2) + " END")
	return b.String(), cond, exprArgs, condArgs
}

// perPeriod runs the grouped read query(period, cond) — period the CASE
// expression of col's period, cond keeping col inside the periods, in that
// order in the query — whose rows start with the period, and collects
// them, one map per period.
func perPeriod[K comparable, V any](ctx context.Context, db *DB, col string, bounds []time.Time, query func(period, cond string) string,
	scan func(rows *sql.Rows, period *int) (K, V, error)) ([]map[K]V, error) {
	out := make([]map[K]V, max(len(bounds)-1, 0))
	for i := range out {
		out[i] = map[K]V{}
	}
	if len(bounds) < 2 {
		return out, nil
	}
	expr, cond, exprArgs, condArgs := periods(col, bounds)
	rows, err := db.read.QueryContext(ctx, query(expr, cond), append(exprArgs, condArgs...)...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var p int
		k, v, err := scan(rows, &p)
		if err != nil {
			return nil, translate(err)
		}
		if p >= 0 && p < len(out) {
			out[p][k] = v
		}
	}
	return out, translate(rows.Err())
}

// OrdersPlaced implements domain.TrendReads.
func (db *TrendStore) OrdersPlaced(ctx context.Context, bounds []time.Time) ([]map[string]int, error) {
	return perPeriod(ctx, db.DB, "o.placed_at", bounds, func(period, cond string) string {
		return `SELECT ` + period + `, c.code, count(*) FROM orders o JOIN channels c ON c.id = o.channel_id
			WHERE ` + cond + ` GROUP BY 1, c.code`
	}, func(rows *sql.Rows, p *int) (string, int, error) {
		var code string
		var n int
		err := rows.Scan(p, &code, &n)
		return code, n, err
	})
}

// ShippedOnTime implements domain.TrendReads.
func (db *TrendStore) ShippedOnTime(ctx context.Context, bounds []time.Time) ([]map[string]domain.Punctuality, error) {
	// An order's first shipment in the period, from the warehouse of its
	// parcel (or the one it is known to have left, without a parcel).
	return perPeriod(ctx, db.DB, "s.shipped_at", bounds, func(period, cond string) string {
		return `SELECT f.period, w.code, count(*), sum(CASE WHEN f.first <= o.ship_by THEN 1 ELSE 0 END)
			FROM (SELECT s.order_id, min(s.shipped_at) AS first, min(coalesce(p.warehouse_id, s.warehouse_id)) AS warehouse_id,
					min(` + period + `) AS period
				FROM shipments s LEFT JOIN parcels p ON p.id = s.parcel_id
				WHERE ` + cond + ` GROUP BY s.order_id) f
			JOIN orders o ON o.id = f.order_id JOIN warehouses w ON w.id = f.warehouse_id
			WHERE o.ship_by IS NOT NULL GROUP BY f.period, w.code`
	}, func(rows *sql.Rows, p *int) (string, domain.Punctuality, error) {
		var code string
		var v domain.Punctuality
		err := rows.Scan(p, &code, &v.Due, &v.OnTime)
		return code, v, err
	})
}

// DeliveredOnTime implements domain.TrendReads.
func (db *TrendStore) DeliveredOnTime(ctx context.Context, bounds []time.Time) ([]map[domain.Route]domain.Punctuality, error) {
	return perPeriod(ctx, db.DB, "delivered_at", bounds, func(period, cond string) string {
		return `SELECT ` + period + `, carrier, destination, count(*), ` + deliveredOnTime + `
			FROM shipments WHERE delivered_at IS NOT NULL AND ` + cond + ` GROUP BY 1, carrier, destination`
	}, func(rows *sql.Rows, p *int) (domain.Route, domain.Punctuality, error) {
		var r domain.Route
		var to string
		var v domain.Punctuality
		err := rows.Scan(p, &r.Carrier, &to, &v.Due, &v.OnTime)
		r.To = domain.Country(to)
		return r, v, err
	})
}
