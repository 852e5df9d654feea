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
		period := domain.MonthStart(a.Now(), -m).Format("2006-01")
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

// The Overview's other finance counts, each against the screens' own
// reads: the carrier invoice lines still to decide (the month's lines
// neither accepted nor disputed, and fewer once some are accepted), and
// this month's charges so far against last month's by the same day.
func TestOverviewCarrierLinesAndCharges(t *testing.T) {
	t.Parallel()
	a := openAt(t, demoDB(t), testClock.Now)
	ctx := context.Background()
	v, err := a.Overview.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := v.Finance
	if len(f.CarrierLinesOpen) == 0 {
		t.Fatal("the demo has no carrier lines to decide")
	}
	for month, n := range f.CarrierLinesOpen {
		lines, err := a.Billing.CarrierLines(ctx, month)
		if err != nil {
			t.Fatal(err)
		}
		open := 0
		for _, l := range lines {
			if l.State == "open" {
				open++
			}
		}
		if open != n {
			t.Errorf("%s: %d lines to decide by the overview, %d by the month's lines", month, n, open)
		}
		if _, err := a.Billing.SetCarrierLines(ctx, month, "", domain.ReconMatched, nil, "accepted"); err != nil {
			t.Fatal(err)
		}
		after, err := a.Overview.Overview(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if left := after.Finance.CarrierLinesOpen[month]; left >= n || left == 0 {
			t.Errorf("%s: %d lines to decide after accepting the matched ones, %d before", month, left, n)
		}
	}

	c := f.Charges
	now := domain.Day(a.Now())
	if c.Month != now.Format("2006-01") || c.ThisMonth.Currency != "EUR" || c.LastMonth.Currency != "EUR" {
		t.Fatalf("charges %+v", c)
	}
	if n, err := a.Billing.CountCharges(ctx, c.Month, 0, ""); err != nil || n != c.Count || n == 0 {
		t.Errorf("%d charges this month by the overview, %d by the Charges tab (%v)", c.Count, n, err)
	}
	// Summed again from the Charges tab's lists, per currency, then in
	// euros at today's rates.
	toEUR, err := a.Billing.ToPlanning(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lastMonth := domain.MonthStart(now, -1)
	sums := [2]map[domain.Currency]int64{{}, {}}
	for i, period := range []string{c.Month, lastMonth.Format("2006-01")} {
		charges, err := a.Billing.Charges(ctx, period, 0, 0, 1_000_000)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range charges {
			if i == 0 || ch.Date.Day() <= now.Day() {
				sums[i][ch.Currency] += ch.Amount
			}
		}
	}
	var eur [2]int64
	for i, m := range sums {
		for cur, amount := range m {
			v, ok := toEUR(domain.NewMoney(amount, cur))
			if !ok {
				t.Fatalf("no rate for %s", cur)
			}
			eur[i] += v.Amount
		}
	}
	this, last := eur[0], eur[1]
	if this != c.ThisMonth.Amount || last != c.LastMonth.Amount || last == 0 {
		t.Errorf("charged %d this month and %d last month by now; the overview says %v and %v", this, last, c.ThisMonth, c.LastMonth)
	}
	if ch := c.Change(); ch != domain.Share(int(this-last), int(last)) {
		t.Errorf("change %d", ch)
	}
}

// Inbounds due today and overdue are counted in each warehouse's own day,
// and low stock is named with its days of cover at the last 28 days' rate.
func TestOverviewInboundsAndCover(t *testing.T) {
	t.Parallel()
	a := openAt(t, demoDBOf(t, 3000), testClock.Now) // enough orders that low stock shipped lately
	ctx := context.Background()
	v, err := a.Overview.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	open, err := a.Inventory.Inbounds(ctx, domain.InboundOpen)
	if err != nil {
		t.Fatal(err)
	}
	whs, err := a.Inventory.Warehouses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{}
	for _, in := range open {
		for _, w := range whs {
			if w.Code != in.Warehouse {
				continue
			}
			// The warehouse's today, worked out here from its zone.
			loc, err := time.LoadLocation(w.TimeZone)
			if err != nil {
				t.Fatal(err)
			}
			today := a.Now().In(loc).Format(time.DateOnly)
			n := want[w.Code]
			switch {
			case in.ExpectedOn == today:
				n[0]++
			case in.ExpectedOn != "" && in.ExpectedOn < today:
				n[1]++
			}
			want[w.Code] = n
		}
	}
	total := 0
	for _, w := range v.Warehouses {
		if got := [2]int{w.InboundToday, w.InboundOverdue}; got != want[w.Code] {
			t.Errorf("%s: inbound today and overdue %v, want %v", w.Code, got, want[w.Code])
		}
		total += w.InboundToday + w.InboundOverdue
	}
	if total < 3 {
		t.Errorf("the demo expects %d inbounds today or before", total)
	}

	if v.LowStock == 0 || len(v.LowCover) == 0 || len(v.LowCover) > domain.LowCoverShown {
		t.Fatalf("%d low products, %d named", v.LowStock, len(v.LowCover))
	}
	prev := -1
	for _, l := range v.LowCover {
		if l.Available > l.ReorderPoint {
			t.Errorf("%+v is not low", l)
		}
		days, ok := l.DaysOfCover()
		if !ok {
			continue
		}
		if days < prev {
			t.Errorf("least cover not first: %d days after %d", days, prev)
		}
		prev = days
		if want := int(l.Available * domain.CoverDays / l.Shipped); days != want {
			t.Errorf("%+v: %d days, want %d", l, days, want)
		}
	}
	if prev < 0 {
		t.Error("none of the low stock shipped in the last 28 days: the test needs some that did")
	}
	// The least covered product's units shipped are units of it in orders
	// that left (the store's test counts them exactly): no more than in
	// every order shipped.
	l := v.LowCover[0]
	var units domain.Quantity
	err = a.Orders.Each(ctx, domain.OrderFilter{}, func(o domain.Order) error {
		if o.Status != domain.StatusShipped && o.Status != domain.StatusDelivered && o.Status != domain.StatusException {
			return nil
		}
		for _, line := range o.Lines {
			if line.SKU == l.SKU {
				units += line.Quantity
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if l.Shipped <= 0 || l.Shipped > units {
		t.Errorf("%s: %d shipped from %s in 28 days, %d in every order ever shipped", l.SKU, l.Shipped, l.Warehouse, units)
	}
}

// A parcel handed to its carrier counts in its warehouse's "handed over"
// (the parcels on the warehouse's manifests of its own today), and only
// there.
func TestOverviewHandedOver(t *testing.T) {
	t.Parallel()
	a := openAt(t, demoDBOf(t, 600, "--no-billing"), testClock.Now) // orders to allocate in every channel
	ctx := context.Background()
	before, err := a.Overview.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	chans, err := a.Intake.Channels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	order, _ := dispatchOne(t, a, chans[0])
	after, err := a.Overview.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	manifests, err := a.Inventory.Manifests(ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for i, w := range after.Warehouses {
		if w.HandedOver == before.Warehouses[i].HandedOver {
			continue
		}
		changed++
		on := 0
		for _, m := range manifests {
			if m.Warehouse == w.Code && m.Day == a.Now().In(mustZone(t, a, w.Code)).Format(time.DateOnly) {
				on += m.Parcels
			}
		}
		if w.HandedOver != before.Warehouses[i].HandedOver+1 || w.HandedOver != on {
			t.Errorf("%s: %d handed over, %d before, %d on its manifests of today (order %d)", w.Code, w.HandedOver, before.Warehouses[i].HandedOver, on, order)
		}
	}
	if changed != 1 {
		t.Errorf("%d warehouses' handed over changed", changed)
	}
}

func mustZone(t *testing.T, a *app.App, code string) *time.Location {
	t.Helper()
	whs, err := a.Inventory.Warehouses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range whs {
		if w.Code == code {
			loc, err := time.LoadLocation(w.TimeZone)
			if err != nil {
				t.Fatal(err)
			}
			return loc
		}
	}
	t.Fatalf("no warehouse %s", code)
	return nil
}
