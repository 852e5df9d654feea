package app_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
)

// openShipBy lists every order yet to ship, soonest ship-by first.
func openShipBy(t *testing.T, a *app.App) []domain.OrderSummary {
	t.Helper()
	ctx := context.Background()
	var all []domain.OrderSummary
	for off := 0; ; off += 200 {
		page, err := a.Orders.OrderSummaries(ctx, domain.OrderFilter{ByShipBy: true}, off, 200)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 200 {
			return all
		}
	}
}

// Every order yet to ship gets a ship-by from its channel's promise and the
// warehouses' calendars, kept with it: sorted and filtered by the store, and
// worked out again in the background when a promise or calendar changes.
func TestShipByFromPromises(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := openAt(t, demoDB(t), testClock.Now) // the CLI tests' demo, copied
	open := 0
	for _, s := range []domain.OrderStatus{domain.StatusNew, domain.StatusAllocated, domain.StatusPicking, domain.StatusPacked,
		domain.StatusOnHold, domain.StatusBackordered, domain.StatusException} {
		n, err := a.Orders.CountOrders(ctx, domain.OrderFilter{Status: s})
		if err != nil {
			t.Fatal(err)
		}
		open += n
	}
	before := openShipBy(t, a)
	if open == 0 || len(before) != open {
		t.Fatalf("%d orders yet to ship, %d with a ship-by after the demo", open, len(before))
	}
	for i := 1; i < len(before); i++ {
		if before[i].ShipBy.Before(before[i-1].ShipBy) {
			t.Fatalf("not soonest first: %s then %s", before[i-1].ShipBy, before[i].ShipBy)
		}
	}
	// Late: before the clock's now, counted by the store as listed.
	now := a.Now()
	late, err := a.Orders.CountOrders(ctx, domain.OrderFilter{ShipByBefore: now})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, o := range before {
		if o.ShipBy.Before(now) {
			want++
		}
	}
	if late != want {
		t.Errorf("%d late by the filter, %d by the list", late, want)
	}

	// A channel promising 5 working days: its orders ship at least a week
	// after they were placed; the same day (no cut-off): within 4 days
	// (Saturday's order ships Monday, by midnight).
	// The channel with the most orders yet to ship.
	perChannel := map[string]int{}
	for _, o := range before {
		perChannel[o.ChannelCode]++
	}
	chans, err := a.Intake.Channels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ch := slices.MaxFunc(chans, func(x, y domain.Channel) int { return perChannel[x.Code] - perChannel[y.Code] })
	check := func(rule domain.ShipRule, ok func(placed, by time.Time) bool) {
		t.Helper()
		if err := a.Promises.SetChannelRule(ctx, ch.Code, "", rule); err != nil {
			t.Fatal(err)
		}
		a.Wait() // the ship-by is worked out again in the background
		seen := 0
		for _, o := range openShipBy(t, a) {
			if o.ChannelCode != ch.Code {
				continue
			}
			seen++
			if !ok(o.PlacedAt, o.ShipBy) {
				t.Errorf("%s: placed %s, ship by %s under %q", o.Number, o.PlacedAt.UTC(), o.ShipBy.UTC(), rule)
			}
		}
		if seen == 0 {
			t.Fatalf("channel %s has no order yet to ship", ch.Code)
		}
	}
	check(domain.ShipRule{WithinDays: 5}, func(p, by time.Time) bool { return by.Sub(p) >= 6*24*time.Hour })
	check(domain.ShipRule{}, func(p, by time.Time) bool { return by.After(p) && by.Sub(p) <= 4*24*time.Hour })

	// Pickups: with a daily DHL pickup at 16:00 everywhere and no other,
	// every order ships by 16:00 in some warehouse's zone.
	whs, err := a.Inventory.Warehouses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range whs {
		err := a.Promises.UpdateCalendar(ctx, w.Code, func(c *domain.Calendar) error {
			c.Pickups = []domain.Pickup{{Carrier: "DHL", At: 16 * 60}} // instead of the demo's
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	a.Wait()
	for _, o := range openShipBy(t, a) {
		at16 := false
		for _, w := range whs {
			loc, _ := time.LoadLocation(w.TimeZone)
			at16 = at16 || o.ShipBy.In(loc).Format("15:04") == "16:00"
		}
		if !at16 {
			t.Errorf("%s ships by %s, at no warehouse's 16:00", o.Number, o.ShipBy.UTC())
		}
	}
}

// Holidays come from a file, per warehouse: an iCalendar or a CSV (its bad
// rows named, the rest kept); a pickup is set, replaced and removed.
func TestWarehouseCalendarFromFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := openAt(t, demoDB(t), testClock.Now)
	whs, err := a.Inventory.Warehouses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	code := whs[0].Code
	// Without the demo's holidays and pickups.
	if err := a.Promises.UpdateCalendar(ctx, code, func(c *domain.Calendar) error { c.Holidays, c.Pickups = nil, nil; return nil }); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ics := filepath.Join(dir, "holidays.ics")
	csv := filepath.Join(dir, "extra.csv")
	write := func(path, body string) {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(ics, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\nSUMMARY:Christmas\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	write(csv, "date,name\n2026-12-26,St Stephen's Day\n2026-12-31,Oudejaarsdag\nnot a date,x\n")
	added, problems, err := a.Promises.ImportHolidays(ctx, code, ics)
	if err != nil || added != 2 || len(problems) != 0 {
		t.Fatalf("the calendar file: %d added, %v, %v", added, problems, err)
	}
	added, problems, err = a.Promises.ImportHolidays(ctx, code, csv)
	if err != nil || added != 1 || len(problems) != 1 || !strings.Contains(problems[0], "row 4") {
		t.Fatalf("the CSV: %d added (the 26th was there), %v, %v", added, problems, err)
	}
	if err := a.Promises.SetPickup(ctx, code, "UPS", 17*60); err != nil {
		t.Fatal(err)
	}
	if err := a.Promises.SetPickup(ctx, code, "ups", 18*60); err != nil { // replaces it
		t.Fatal(err)
	}
	_, c, err := a.Promises.Calendar(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, h := range c.Holidays {
		days = append(days, h.Date+" "+h.Name)
	}
	if got := strings.Join(days, "; "); got != "2026-12-25 Christmas; 2026-12-26 St Stephen's Day; 2026-12-31 Oudejaarsdag" {
		t.Errorf("holidays: %s", got)
	}
	if len(c.Pickups) != 1 || c.Pickups[0].At != 18*60 {
		t.Errorf("pickups: %+v", c.Pickups)
	}
	if err := a.Promises.RemovePickup(ctx, code, "FedEx"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("removing a pickup there is not: %v", err)
	}
	if _, _, err := a.Promises.ImportHolidays(ctx, "XX-NONE", ics); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("a warehouse there is not: %v", err)
	}
	if err := a.Promises.SetChannelRule(ctx, "NO-SUCH", "", domain.ShipRule{}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("a channel there is not: %v", err)
	}
}

// The Overview names the SKUs that hold the backordered orders: one emptied
// everywhere holds every order that wants it.
func TestOverviewNamesTheSKUsBackordersWaitFor(t *testing.T) {
	t.Parallel()
	a := openAt(t, demoDB(t), testClock.Now)
	ctx := context.Background()
	plan, err := a.Allocation.Plan(ctx, domain.OrderFilter{}, nil)
	if err != nil || len(plan.Orders) == 0 {
		t.Fatal("nothing to plan", err)
	}
	sku := plan.Orders[0].Parcels[0].Lines[0].SKU
	whs, err := a.Inventory.Warehouses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range whs {
		levels, _ := a.Inventory.StockLevels(ctx, w.Code)
		for _, l := range levels {
			if l.SKU == sku {
				if _, err := a.Inventory.Adjust(ctx, domain.Adjustment{SKU: sku, Warehouse: w.Code, Location: l.Location, Lot: l.Lot, Qty: -l.OnHand, Reason: domain.ReasonLost}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if plan, err = a.Allocation.Plan(ctx, domain.OrderFilter{}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Allocation.Commit(ctx, plan); err != nil {
		t.Fatal(err)
	}
	waiting := 0
	var wanted domain.Quantity
	err = a.Orders.Each(ctx, domain.OrderFilter{Status: domain.StatusBackordered}, func(o domain.Order) error {
		has := false
		for _, l := range o.Lines {
			if l.SKU == sku {
				has, wanted = true, wanted+l.Quantity
			}
		}
		if has {
			waiting++
		}
		return nil
	})
	if err != nil || waiting == 0 {
		t.Fatalf("no backordered order wants %s (%v)", sku, err)
	}
	v, err := a.Overview.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(v.Orders.ShortSKUs, func(k domain.ShortSKU) bool { return k.SKU == sku })
	if v.Orders.Backordered == 0 || i < 0 {
		t.Fatalf("%d backordered, waiting for %+v; want %s among them", v.Orders.Backordered, v.Orders.ShortSKUs, sku)
	}
	if k := v.Orders.ShortSKUs[i]; k.Orders != waiting || k.Wanted != wanted || k.Available != 0 {
		t.Errorf("%s: %+v, want %d orders wanting %d, none available", sku, k, waiting, wanted)
	}
}

// The Overview's receivables: the ageing's rows, and the open invoices past
// their due date by age — on the demo's billing history, some of both.
func TestOverviewReceivables(t *testing.T) {
	t.Parallel()
	a := openAt(t, demoDB(t), testClock.Now) // with its billing history
	ctx := context.Background()
	v, err := a.Overview.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := a.Billing.AgeingAt(ctx, a.Now())
	if err != nil {
		t.Fatal(err)
	}
	f := v.Finance
	if f.ClientsOwing != len(rows) || f.ClientsOwing == 0 {
		t.Errorf("%d clients owing, the ageing has %d rows", f.ClientsOwing, len(rows))
	}
	sum := 0
	for _, n := range f.OverdueByAge {
		sum += n
	}
	if sum != f.Overdue || len(f.OverdueByAge) != len(domain.AgeBuckets) {
		t.Errorf("%d overdue, by age %v", f.Overdue, f.OverdueByAge)
	}
	// Counted again from the invoices of every month.
	overdue := 0
	for m := range 4 {
		period := a.Now().AddDate(0, -m, 0).Format("2006-01")
		invs, err := a.Billing.Invoices(ctx, period)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range invs {
			if i.Number != "" && i.Open() > 0 && i.Status != domain.InvoiceCredit && domain.Day(i.Due).Before(domain.Day(a.Now())) {
				overdue++
			}
		}
	}
	if overdue != f.Overdue || overdue == 0 {
		t.Errorf("%d invoices overdue by the overview, %d by the invoices", f.Overdue, overdue)
	}
}

// Orders that came in without a ship-by (a bulk load, or a Portolan that
// did not keep it) get one when the window opens (RefreshLater).
func TestRefreshLaterGivesEveryOpenOrderAShipBy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := openAt(t, demoDB(t), testClock.Now)
	if err := a.BulkInsertOrders(ctx, "Bulk store", app.SandboxOrders(200, 7, a.Now())); err != nil {
		t.Fatal(err)
	}
	missing := func() int {
		n := 0
		err := a.Orders.Each(ctx, domain.OrderFilter{}, func(o domain.Order) error {
			if o.Status.Open() && o.ShipBy.IsZero() {
				n++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if missing() == 0 {
		t.Fatal("the bulk load's open orders have a ship-by already: the test needs some without")
	}
	a.Promises.RefreshLater()
	a.Wait()
	if n := missing(); n != 0 {
		t.Errorf("%d open orders still without a ship-by", n)
	}
}
