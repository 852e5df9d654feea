package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
)

// A warehouse's day is its own: at 23:30 UTC it is already tomorrow in
// Ichikawa and still today in Edison; an unknown zone reads as UTC.
func TestAWarehousesDayAndItsInbounds(t *testing.T) {
	now := time.Date(2026, 12, 6, 23, 30, 0, 0, time.UTC)
	for tz, want := range map[string]string{"Asia/Tokyo": "2026-12-07", "America/New_York": "2026-12-06", "": "2026-12-06", "Mars/Olympus": "2026-12-06"} {
		if got := (domain.Warehouse{TimeZone: tz}).Today(now); got != want {
			t.Errorf("%q: today is %s, want %s", tz, got, want)
		}
	}
	for _, c := range []struct {
		in   domain.Inbound
		want string
	}{
		{domain.Inbound{Status: domain.InboundOpen, ExpectedOn: "2026-12-07"}, domain.InboundDueToday},
		{domain.Inbound{Status: domain.InboundOpen, ExpectedOn: "2026-12-05"}, domain.InboundOverdue},
		{domain.Inbound{Status: domain.InboundOpen, ExpectedOn: "2026-12-08"}, ""},
		{domain.Inbound{Status: domain.InboundOpen}, ""},
		{domain.Inbound{Status: domain.InboundClosed, ExpectedOn: "2026-12-05"}, ""},
	} {
		if got := c.in.Due("2026-12-07"); got != c.want {
			t.Errorf("%+v: %q, want %q", c.in, got, c.want)
		}
	}
	v := domain.Overview{Warehouses: []domain.WarehouseOverview{{InboundToday: 1, InboundOverdue: 2}, {InboundToday: 3}}}
	if today, overdue := v.Inbounds(); today != 4 || overdue != 2 {
		t.Errorf("inbounds of every warehouse: %d today, %d overdue", today, overdue)
	}
}

// The month's charges are said against last month's to the same day, with
// the change, and the currencies left out for want of a rate are named.
func TestChargesSoFarAreSaidAgainstLastMonth(t *testing.T) {
	c := domain.ChargesSoFar{ThisMonth: domain.NewMoney(4512840, "EUR"), LastMonth: domain.NewMoney(4390000, "EUR")}
	if got, want := c.String(), "45,128.40 EUR; last month by now 43,900.00 EUR (+2.8 %)"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	c.LastMonth.Amount, c.Unpriced = 0, []string{"KWD"}
	if c.Change() != domain.NoValue || c.Describe() != "last month by now 0.00 EUR; no exchange rate for KWD" {
		t.Errorf("nothing last month: %d %q", c.Change(), c.Describe())
	}
	if got := domain.NewMoney(1250000, "JPY").Grouped(); got != "1,250,000" {
		t.Errorf("JPY %q", got)
	}
	f := domain.FinanceOverview{CarrierLinesOpen: map[string]int{"2026-10": 3, "2026-11": 5}}
	if f.CarrierLinesToDecide() != 8 {
		t.Errorf("%d lines to decide", f.CarrierLinesToDecide())
	}
}

// Low stock is named by days of cover, the fewest first; what did not ship
// lasts, as far as anyone knows, and comes last.
func TestLowStockByDaysOfCover(t *testing.T) {
	ls := []domain.LowStock{
		{SKU: "B", Warehouse: "NL-VEN", Available: 5},                  // none shipped
		{SKU: "C", Warehouse: "NL-VEN", Available: 10, Shipped: 28},    // 10 days
		{SKU: "A", Warehouse: "JP-ICH", Available: -2, Shipped: 56},    // oversold: 0 days
		{SKU: "A", Warehouse: "DE-LEJ", Available: 10, Shipped: 28},    // 10 days, before C
		{SKU: "D", Warehouse: "NL-VEN", Available: 3, Shipped: 28 * 4}, // 0.75: 0 days
	}
	domain.SortByCover(ls)
	var got []string
	for _, l := range ls {
		got = append(got, l.Describe())
	}
	want := []string{"A at JP-ICH, 0 days (-2 left)", "D at NL-VEN, 0 days (3 left)", "A at DE-LEJ, 10 days (10 left)",
		"C at NL-VEN, 10 days (10 left)", "B at NL-VEN, none shipped in 28 days (5 left)"}
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("%q\nwant %q", got, want)
	}
}
