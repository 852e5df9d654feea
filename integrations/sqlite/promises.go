package sqlite

import (
	"context"
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
			return domain.ShipRules{}, domain.Errorf(domain.EINVALID, "the saved ship-by promises are damaged (%v): set them again", err)
		}
		return domain.ShipRules{}, err
	}
	return rs, nil
}

// SetShipRules implements domain.PromiseStore.
func (db *PromiseStore) SetShipRules(ctx context.Context, rs domain.ShipRules) error {
	if err := rs.Validate(); err != nil {
		return err
	}
	return db.saveSetting(ctx, shipRulesKey, rs)
}

// Calendar implements domain.PromiseStore.
func (db *PromiseStore) Calendar(ctx context.Context, w domain.Warehouse) (domain.Calendar, error) {
	c, err := domain.NewCalendar(w)
	if err != nil {
		return domain.Calendar{}, err
	}
	var doc calendarDoc
	found, err := db.readSetting(ctx, calendarKey(w.Code), &doc)
	if err != nil {
		if isDecoding(err) {
			return domain.Calendar{}, domain.Errorf(domain.EINVALID, "warehouse %s: its saved calendar is damaged (%v): set it again", w.Code, err)
		}
		return domain.Calendar{}, err
	}
	if !found {
		return c, nil
	}
	if len(doc.Works) > 0 { // else Monday to Friday, as never saved
		c.Works = [7]bool{}
	}
	for _, d := range doc.Works {
		wd, err := domain.ParseWeekday(d)
		if err != nil {
			return domain.Calendar{}, domain.Errorf(domain.EINVALID, "warehouse %s: its saved calendar is damaged (%v): set it again", w.Code, err)
		}
		c.Works[wd] = true
	}
	c.Holidays, c.Pickups = doc.Holidays, doc.Pickups
	return c, nil
}

// SetCalendar implements domain.PromiseStore.
func (db *PromiseStore) SetCalendar(ctx context.Context, w domain.Warehouse, c domain.Calendar) error {
	if err := c.Validate(); err != nil {
		return domain.Errorf(domain.EINVALID, "warehouse %s: %s", w.Code, err)
	}
	doc := calendarDoc{Holidays: c.Holidays, Pickups: c.Pickups}
	for d := time.Monday; ; d = (d + 1) % 7 {
		if c.Works[d] {
			doc.Works = append(doc.Works, d.String()[:3])
		}
		if d == time.Sunday {
			break
		}
	}
	return db.saveSetting(ctx, calendarKey(w.Code), doc)
}
