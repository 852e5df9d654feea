package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// PromiseService keeps the ship-by promises — each channel's rule (and its
// services' own), each warehouse's working days, public holidays and
// carrier pickups — and works out from them when every open order must
// ship, keeping it with the order (Refresh).
type PromiseService struct {
	clocked
	store   domain.PromiseStore
	catalog domain.CatalogStore
	// changed, when set, starts a Refresh in the background (a change of a
	// rule or calendar, a sync, an allocation); nil for someone whose role
	// may not change orders.
	changed func(at time.Time)
}

// Rules are every channel's ship-by rules.
func (s *PromiseService) Rules(ctx context.Context) (domain.ShipRules, error) {
	return s.store.ShipRules(ctx)
}

// SetChannelRule sets channel's ship-by rule (code), or, with service, that
// service's own; then the open orders' ship-by is worked out again.
func (s *PromiseService) SetChannelRule(ctx context.Context, channel, service string, r domain.ShipRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if err := s.knownChannel(ctx, channel); err != nil {
		return err
	}
	service = strings.TrimSpace(service)
	err := s.store.UpdateShipRules(ctx, func(rs *domain.ShipRules) error {
		if rs.Channels == nil {
			rs.Channels = map[string]domain.ChannelShipRule{}
		}
		cr, ok := rs.Channels[channel]
		if !ok {
			cr.Rule = domain.DefaultShipRule
		}
		if service == "" {
			cr.Rule = r
		} else {
			cr.Services = orEmpty(cr.Services)
			for name := range cr.Services { // one entry per service, however it was spelled
				if strings.EqualFold(strings.TrimSpace(name), service) {
					delete(cr.Services, name)
				}
			}
			cr.Services[service] = r
		}
		rs.Channels[channel] = cr
		return nil
	})
	return s.after(err)
}

// RemoveServiceRule removes a service's own rule from channel: its orders
// follow the channel's again. Removing one there is not is not an error.
func (s *PromiseService) RemoveServiceRule(ctx context.Context, channel, service string) error {
	err := s.store.UpdateShipRules(ctx, func(rs *domain.ShipRules) error {
		cr, ok := rs.Channels[channel]
		if !ok {
			return nil
		}
		for name := range cr.Services {
			if strings.EqualFold(strings.TrimSpace(name), strings.TrimSpace(service)) {
				delete(cr.Services, name)
			}
		}
		rs.Channels[channel] = cr
		return nil
	})
	return s.after(err)
}

func orEmpty(m map[string]domain.ShipRule) map[string]domain.ShipRule {
	if m == nil {
		return map[string]domain.ShipRule{}
	}
	return m
}

func (s *PromiseService) knownChannel(ctx context.Context, code string) error {
	chans, err := s.catalog.Channels(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(chans, func(c domain.Channel) bool { return c.Code == code }) {
		return domain.Errorf(domain.ENOTFOUND, "there is no channel %q", code)
	}
	return nil
}

// Calendar is a warehouse's (by code) calendar.
func (s *PromiseService) Calendar(ctx context.Context, warehouse string) (domain.Warehouse, domain.Calendar, error) {
	w, err := s.warehouse(ctx, warehouse)
	if err != nil {
		return domain.Warehouse{}, domain.Calendar{}, err
	}
	c, err := s.store.Calendar(ctx, w)
	return w, c, err
}

func (s *PromiseService) warehouse(ctx context.Context, code string) (domain.Warehouse, error) {
	whs, err := s.catalog.Warehouses(ctx)
	if err != nil {
		return domain.Warehouse{}, err
	}
	for _, w := range whs {
		if strings.EqualFold(w.Code, strings.TrimSpace(code)) {
			return w, nil
		}
	}
	return domain.Warehouse{}, domain.Errorf(domain.ENOTFOUND, "there is no warehouse %q", code)
}

// UpdateCalendar changes a warehouse's calendar by change (saved only if
// valid); then the open orders' ship-by is worked out again.
func (s *PromiseService) UpdateCalendar(ctx context.Context, warehouse string, change func(*domain.Calendar) error) error {
	w, err := s.warehouse(ctx, warehouse)
	if err != nil {
		return err
	}
	return s.after(s.store.UpdateCalendar(ctx, w, change))
}

// SetWorkdays sets the weekdays a warehouse works.
func (s *PromiseService) SetWorkdays(ctx context.Context, warehouse string, works [7]bool) error {
	return s.UpdateCalendar(ctx, warehouse, func(c *domain.Calendar) error { c.Works = works; return nil })
}

// SetPickup sets a carrier's daily pickup at a warehouse (minutes after
// midnight, local); RemovePickup removes it.
func (s *PromiseService) SetPickup(ctx context.Context, warehouse, carrier string, at int) error {
	carrier = strings.TrimSpace(carrier)
	return s.UpdateCalendar(ctx, warehouse, func(c *domain.Calendar) error {
		c.Pickups = slices.DeleteFunc(c.Pickups, func(p domain.Pickup) bool { return strings.EqualFold(p.Carrier, carrier) })
		c.Pickups = append(c.Pickups, domain.Pickup{Carrier: carrier, At: at})
		slices.SortFunc(c.Pickups, func(a, b domain.Pickup) int { return a.At - b.At })
		return nil
	})
}

// RemovePickup removes a carrier's pickup from a warehouse's calendar.
func (s *PromiseService) RemovePickup(ctx context.Context, warehouse, carrier string) error {
	return s.UpdateCalendar(ctx, warehouse, func(c *domain.Calendar) error {
		n := len(c.Pickups)
		c.Pickups = slices.DeleteFunc(c.Pickups, func(p domain.Pickup) bool { return strings.EqualFold(p.Carrier, strings.TrimSpace(carrier)) })
		if len(c.Pickups) == n {
			return domain.Errorf(domain.ENOTFOUND, "warehouse %s has no pickup by %s", warehouse, carrier)
		}
		return nil
	})
}

// SetHolidays adds holidays to a warehouse's calendar (a day already there
// takes the new name); with remove, it takes those days off it instead.
// It returns how many days it added or removed.
func (s *PromiseService) SetHolidays(ctx context.Context, warehouse string, hs []domain.Holiday, remove bool) (int, error) {
	n := 0
	err := s.UpdateCalendar(ctx, warehouse, func(c *domain.Calendar) error {
		n = 0
		for _, h := range hs {
			at := slices.IndexFunc(c.Holidays, func(x domain.Holiday) bool { return x.Date == h.Date })
			switch {
			case remove && at >= 0:
				c.Holidays = slices.Delete(c.Holidays, at, at+1)
				n++
			case remove:
			case at >= 0:
				c.Holidays[at].Name = h.Name
			default:
				c.Holidays = append(c.Holidays, h)
				n++
			}
		}
		slices.SortStableFunc(c.Holidays, func(a, b domain.Holiday) int { return strings.Compare(a.Date, b.Date) })
		return nil
	})
	return n, err
}

// ImportHolidays adds the holidays of a file to a warehouse's calendar: an
// iCalendar file (.ics, as public-holiday calendars are published) or a
// CSV of dates and names. A CSV's bad rows are reported and the others
// added; it returns how many days were new.
func (s *PromiseService) ImportHolidays(ctx context.Context, warehouse, path string) (added int, problems []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, domain.Errorf(domain.EINVALID, "open the holidays file: %v", err)
	}
	defer f.Close()
	var hs []domain.Holiday
	if strings.EqualFold(filepath.Ext(path), ".ics") {
		if hs, err = domain.ParseHolidaysICS(f); err != nil {
			return 0, nil, err
		}
	} else {
		var errs []error
		hs, errs = domain.ParseHolidaysCSV(f)
		for _, e := range errs {
			problems = append(problems, e.Error())
		}
	}
	if len(hs) == 0 {
		return 0, problems, domain.Errorf(domain.EINVALID, "%s holds no holidays (an .ics calendar, or a CSV of date,name rows)", filepath.Base(path))
	}
	added, err = s.SetHolidays(ctx, warehouse, hs, false)
	return added, problems, err
}

// RefreshLater starts a Refresh in the background, for someone whose role
// may change orders (the window does when it opens).
func (s *PromiseService) RefreshLater() {
	if s.changed != nil {
		s.changed(s.now())
	}
}

// after starts working out the ship-by again once a change was saved.
func (s *PromiseService) after(err error) error {
	if err == nil && s.changed != nil {
		s.changed(s.now())
	}
	return err
}

// Refresh works out when every open order must ship, from the rules and
// the calendars as they are now (and, once, when the orders of the last
// 9 weeks shipped without one should have), and keeps what changed; it returns how
// many orders' ship-by changed. The orders stay as they are if it fails.
func (s *PromiseService) Refresh(ctx context.Context) (int, error) {
	rules, err := s.store.ShipRules(ctx)
	if err != nil {
		return 0, err
	}
	whs, err := s.catalog.Warehouses(ctx)
	if err != nil {
		return 0, err
	}
	if len(whs) == 0 {
		return 0, nil // nothing ships yet
	}
	cals := map[string]domain.Calendar{}
	for _, w := range whs {
		if cals[w.Code], err = s.store.Calendar(ctx, w); err != nil {
			return 0, err
		}
	}
	orders, err := s.store.ShipByOrders(ctx)
	if err != nil {
		return 0, err
	}
	// Orders shipped before promises were kept get the ship-by the rules
	// give them now, once: the ship-on-time trend counts them.
	shipped, err := s.store.ShippedWithoutShipBy(ctx, s.now().AddDate(0, 0, -7*(trendWeeks+1)))
	if err != nil {
		return 0, err
	}
	orders = append(orders, shipped...)
	changed := map[int64]time.Time{}
	var problems []error
	for _, o := range orders {
		due, err := o.Due(rules, whs, cals)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if !due.Equal(o.ShipBy) {
			changed[o.ID] = due
		}
	}
	if len(changed) > 0 {
		if err := s.store.SetShipBy(ctx, changed); err != nil {
			return 0, err
		}
	}
	if len(problems) > 0 {
		return len(changed), fmt.Errorf("%d orders have no ship-by: %w", len(problems), errors.Join(problems[:min(3, len(problems))]...))
	}
	return len(changed), nil
}

// refreshIn is the background Refresh the changed hook starts.
func (s *PromiseService) refreshIn(ctx context.Context, _ time.Time) {
	if _, err := s.Refresh(ctx); err != nil {
		slog.Warn("working out the orders' ship-by", "err", err)
	}
}

// ordersIn is an intake store that starts the ship-by's refresh after a
// sync or import run that brought orders in or changed them.
type ordersIn struct {
	domain.IntakeStore
	changed func(at time.Time)
}

func (s ordersIn) FinishRun(ctx context.Context, run *domain.SyncRun) error {
	err := s.IntakeStore.FinishRun(ctx, run)
	if err == nil && run.New+run.Updated > 0 {
		s.changed(run.FinishedAt)
	}
	return err
}

// plansIn is an allocation store that starts the ship-by's refresh after
// orders were allocated or released: which warehouses ship them changed.
type plansIn struct {
	domain.AllocationStore
	changed func(at time.Time)
}

func (s plansIn) CommitPlan(ctx context.Context, p domain.Plan, at time.Time) (domain.CommitResult, error) {
	r, err := s.AllocationStore.CommitPlan(ctx, p, at)
	if err == nil {
		s.changed(at)
	}
	return r, err
}

func (s plansIn) Unallocate(ctx context.Context, orderID int64, at time.Time, reason string) error {
	err := s.AllocationStore.Unallocate(ctx, orderID, at, reason)
	if err == nil {
		s.changed(at)
	}
	return err
}
