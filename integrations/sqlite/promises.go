package sqlite

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// PromiseStore keeps the ship-by promises (domain.PromiseStore): the
// channels' rules and each warehouse's calendar, as settings documents
// (on a team database, the coordinators change them, and a warehouse's
// people its calendar).
type PromiseStore struct{ *DB }

// PromiseStore returns the store of domain.PromiseStore.
func (db *DB) PromiseStore() *PromiseStore { return &PromiseStore{db} }

var _ domain.PromiseStore = (*PromiseStore)(nil)

const shipRulesKey = "ship_rules"

func calendarKey(warehouse string) string { return "calendar." + warehouse }

// calendarDoc is a calendar as saved: its zone is the warehouse's.
type calendarDoc struct {
	Works    []string         `json:"works"` // "Mon" … "Sun"
	Holidays []domain.Holiday `json:"holidays,omitempty"`
	Pickups  []domain.Pickup  `json:"pickups,omitempty"`
}

// ShipRules implements domain.PromiseStore.
func (db *PromiseStore) ShipRules(ctx context.Context) (domain.ShipRules, error) {
	var rs domain.ShipRules
	if _, err := db.readSetting(ctx, shipRulesKey, &rs); err != nil {
		if isDecoding(err) {
			return domain.ShipRules{}, rulesDamaged(err)
		}
		return domain.ShipRules{}, err
	}
	return rs, nil
}

func rulesDamaged(err error) error {
	return domain.Errorf(domain.EINVALID, "the saved ship-by promises are damaged (%v): set them again", err)
}

// UpdateShipRules implements domain.PromiseStore.
func (db *PromiseStore) UpdateShipRules(ctx context.Context, change func(*domain.ShipRules) error) error {
	var rs domain.ShipRules
	return db.updateSetting(ctx, shipRulesKey, &rs, rulesDamaged, func() error {
		if err := change(&rs); err != nil {
			return err
		}
		return rs.Validate()
	})
}

// Calendar implements domain.PromiseStore.
func (db *PromiseStore) Calendar(ctx context.Context, w domain.Warehouse) (domain.Calendar, error) {
	var doc calendarDoc
	if _, err := db.readSetting(ctx, calendarKey(w.Code), &doc); err != nil {
		if isDecoding(err) {
			return domain.Calendar{}, calendarDamaged(w, err)
		}
		return domain.Calendar{}, err
	}
	return doc.calendar(w)
}

func calendarDamaged(w domain.Warehouse, err error) error {
	return domain.Errorf(domain.EINVALID, "warehouse %s: its saved calendar is damaged (%v): set it again", w.Code, err)
}

// calendar is the saved document as the warehouse's calendar.
func (doc calendarDoc) calendar(w domain.Warehouse) (domain.Calendar, error) {
	c, err := domain.NewCalendar(w)
	if err != nil {
		return domain.Calendar{}, err
	}
	if len(doc.Works) > 0 { // else Monday to Friday, as never saved
		c.Works = [7]bool{}
	}
	for _, d := range doc.Works {
		wd, err := domain.ParseWeekday(d)
		if err != nil {
			return domain.Calendar{}, calendarDamaged(w, err)
		}
		c.Works[wd] = true
	}
	c.Holidays, c.Pickups = doc.Holidays, doc.Pickups
	return c, nil
}

// UpdateCalendar implements domain.PromiseStore.
func (db *PromiseStore) UpdateCalendar(ctx context.Context, w domain.Warehouse, change func(*domain.Calendar) error) error {
	var doc calendarDoc
	return db.updateSetting(ctx, calendarKey(w.Code), &doc, func(err error) error { return calendarDamaged(w, err) }, func() error {
		c, err := doc.calendar(w)
		if err != nil {
			return err
		}
		if err := change(&c); err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return domain.Errorf(domain.EINVALID, "warehouse %s: %s", w.Code, err)
		}
		doc = calendarDoc{Works: c.Workdays(), Holidays: c.Holidays, Pickups: c.Pickups}
		return nil
	})
}

// openStatuses are domain.OpenStatuses as an SQL list.
var openStatuses = func() string {
	var q []string
	for _, s := range domain.OpenStatuses {
		q = append(q, "'"+string(s)+"'")
	}
	return "(" + strings.Join(q, ", ") + ")"
}()

// ShipByOrders implements domain.PromiseStore.
func (db *PromiseStore) ShipByOrders(ctx context.Context) ([]domain.ShipByOrder, error) {
	// The warehouses holding each one's stock.
	return db.shipByOrders(ctx, `o.status IN `+openStatuses, nil,
		`SELECT DISTINCT r.order_id, w.code FROM reservations r JOIN warehouses w ON w.id = r.warehouse_id JOIN orders o ON o.id = r.order_id
			WHERE o.status IN `+openStatuses+` ORDER BY r.order_id, w.code`)
}

// ShippedWithoutShipBy implements domain.PromiseStore.
func (db *PromiseStore) ShippedWithoutShipBy(ctx context.Context, since time.Time) ([]domain.ShipByOrder, error) {
	// The warehouses they left from.
	cond := `o.status IN ('shipped', 'delivered') AND o.ship_by IS NULL AND o.placed_at >= ?`
	return db.shipByOrders(ctx, cond, []any{millis(since)},
		`SELECT DISTINCT s.order_id, w.code FROM shipments s LEFT JOIN parcels p ON p.id = s.parcel_id
			JOIN warehouses w ON w.id = coalesce(p.warehouse_id, s.warehouse_id) JOIN orders o ON o.id = s.order_id
			WHERE `+cond+` ORDER BY s.order_id, w.code`)
}

// shipByOrders reads the orders cond keeps, and their warehouses (pairs of
// order ID and warehouse code) by warehouses, in one read transaction: as
// of one moment. cond's arguments are args, in both reads.
func (db *PromiseStore) shipByOrders(ctx context.Context, cond string, args []any, warehouses string) ([]domain.ShipByOrder, error) {
	var out []domain.ShipByOrder
	at := map[int64]int{}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, translate(err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	err = func() error {
		rows, err := tx.QueryContext(ctx, `SELECT o.id, c.code, o.service, o.ship_country, o.placed_at, coalesce(o.ship_by, 0)
			FROM orders o JOIN channels c ON c.id = o.channel_id
			WHERE `+cond+` ORDER BY o.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o domain.ShipByOrder
			var placed, by int64
			var country string
			if err := rows.Scan(&o.ID, &o.Channel, &o.Service, &country, &placed, &by); err != nil {
				return err
			}
			o.Country = domain.Country(country)
			o.PlacedAt = fromMS(placed)
			if by != 0 {
				o.ShipBy = fromMS(by)
			}
			at[o.ID] = len(out)
			out = append(out, o)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		wrows, err := tx.QueryContext(ctx, warehouses, args...)
		if err != nil {
			return err
		}
		defer wrows.Close()
		for wrows.Next() {
			var id int64
			var code string
			if err := wrows.Scan(&id, &code); err != nil {
				return err
			}
			if n, ok := at[id]; ok {
				out[n].Warehouses = append(out[n].Warehouses, code)
			}
		}
		return wrows.Err()
	}()
	return out, translate(err)
}

// shipByBatch is how many orders' ship-by one statement sets.
const shipByBatch = 500

// SetShipBy implements domain.PromiseStore.
func (db *PromiseStore) SetShipBy(ctx context.Context, by map[int64]time.Time) error {
	ids := slices.Sorted(maps.Keys(by))
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(ids); start += shipByBatch {
			part := ids[start:min(start+shipByBatch, len(ids))]
			args := make([]any, 0, 2*len(part))
			for _, id := range part {
				args = append(args, id, millis(by[id]))
			}
			values := strings.Repeat(`(CAST(? AS BIGINT), CAST(? AS BIGINT)), `, len(part))
			if _, err := tx.ExecContext(ctx, `UPDATE orders SET ship_by = v.column2
				FROM (VALUES `+values[:len(values)-2]+`) AS v WHERE orders.id = v.column1`, args...); err != nil {
				return translate(err)
			}
		}
		return nil
	})
}
