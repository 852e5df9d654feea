package domain

import (
	"fmt"
	"strings"
	"time"
)

// Overview is what needs doing now, at every stage and warehouse: the
// counts of the Overview screen and of `portolan overview`. Each count is
// the count of the screen its tile opens, with the filter the tile names.
type Overview struct {
	At         time.Time           `json:"at"`
	Orders     OrdersOverview      `json:"orders"`
	Warehouses []WarehouseOverview `json:"warehouses"`
	// LowStock counts the products at or under their reorder point in
	// some warehouse (the Inventory screen's "Low stock only").
	LowStock int `json:"low_stock_products"`
	// LowCover are the low stock's rows (product and warehouse) with the
	// fewest days of cover, the fewest first (at most LowCoverShown).
	LowCover  []LowStock        `json:"low_stock_least_cover"`
	Transport TransportOverview `json:"transport"`
	Finance   FinanceOverview   `json:"finance"`
	Channels  []ChannelProblem  `json:"channels_failing"`
}

// LowCoverShown is how many of the low stock the Overview names.
const LowCoverShown = 5

// OrdersOverview counts the orders waiting on the coordinator.
type OrdersOverview struct {
	ToAllocate int `json:"to_allocate"` // status new
	// OldestToAllocate is when the oldest of them was placed (zero: none).
	OldestToAllocate time.Time `json:"oldest_to_allocate,omitzero"`
	Backordered      int       `json:"backordered"`
	// ShortSKUs are the SKUs that hold the backordered orders, most first.
	ShortSKUs   []ShortSKU `json:"backordered_skus"`
	OnHold      int        `json:"on_hold"`
	NeedsReview int        `json:"needs_review"`
	Late        int        `json:"late"`      // yet to ship, ship-by passed
	DueToday    int        `json:"due_today"` // yet to ship, ship-by later today
}

// WarehouseOverview is one warehouse's day: what must ship and how far it is.
type WarehouseOverview struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Late     int    `json:"late"`      // its orders past their ship-by
	DueToday int    `json:"due_today"` // its orders due later today
	Picking  int    `json:"picking"`   // its orders being picked
	Packed   int    `json:"packed"`    // packed, waiting for the carrier
	// NextPickup is the next carrier pickup (zero: it has none), LastPickup
	// the last of that day's, and ForPickup its orders that must be ready
	// by then (ship-by at or before it: an order whose carrier is not yet
	// known is due by the day's last pickup).
	NextPickup time.Time `json:"next_pickup,omitzero"`
	LastPickup time.Time `json:"last_pickup_that_day,omitzero"`
	ForPickup  int       `json:"due_by_then"`
	OpenWaves  int       `json:"open_waves"`
	// InboundToday and InboundOverdue are its open inbounds expected today
	// (its own day) and before.
	InboundToday   int `json:"inbound_due_today"`
	InboundOverdue int `json:"inbound_overdue"`
	// HandedOver counts its parcels on today's carrier manifests (its own
	// day): handed to the carriers.
	HandedOver int `json:"handed_over_today"`
}

// TransportOverview counts the parcels and updates that need a look.
type TransportOverview struct {
	// Exceptions is the exceptions queue, and ByMilestone its parcels by
	// their last milestone (why they are there).
	Exceptions  int               `json:"exceptions"`
	ByMilestone map[Milestone]int `json:"exceptions_by_milestone"`
	// PushesFailing are tracking numbers the storefronts refused or could
	// not be told.
	PushesFailing int `json:"storefront_updates_failing"`
}

// ChannelProblem is a channel whose last sync failed or left a gap.
type ChannelProblem struct {
	Code    string    `json:"code"`
	Name    string    `json:"name"`
	Problem string    `json:"problem"`
	Since   time.Time `json:"since,omitzero"` // its last complete sync (zero: never)
}

// FinanceOverview is what the clients owe.
type FinanceOverview struct {
	// ClientsOwing are the rows of the receivables' ageing: a client and
	// currency with issued invoices not paid in full.
	ClientsOwing int `json:"clients_owing"`
	// Overdue counts the open invoices past their due date, and OverdueByAge
	// the same by days past due (AgeBuckets: 0–30, 31–60, 61–90, 90+).
	Overdue      int   `json:"invoices_overdue"`
	OverdueByAge []int `json:"invoices_overdue_by_age"`
	// CarrierLinesOpen counts the carrier invoice lines neither accepted
	// nor disputed, by the month their invoice covers ("2026-10").
	CarrierLinesOpen map[string]int `json:"carrier_lines_open"`
	// Charges are this month's charges so far against last month's to the
	// same day.
	Charges ChargesSoFar `json:"charges"`
}

// Inbounds counts the open inbounds due today and overdue, of every
// warehouse (each in its own day).
func (v Overview) Inbounds() (today, overdue int) {
	for _, w := range v.Warehouses {
		today, overdue = today+w.InboundToday, overdue+w.InboundOverdue
	}
	return today, overdue
}

// CarrierLinesToDecide counts the carrier invoice lines still to decide,
// of every month.
func (f FinanceOverview) CarrierLinesToDecide() int {
	n := 0
	for _, lines := range f.CarrierLinesOpen {
		n += lines
	}
	return n
}

// ChargesSoFar is what was charged this month up to today (its day
// included), and last month up to the same day, in the planning currency
// (charges in a currency without an exchange rate are left out and named).
type ChargesSoFar struct {
	Month     string   `json:"month"` // "2026-12"
	Count     int      `json:"count"` // this month's charges so far
	ThisMonth Money    `json:"this_month"`
	LastMonth Money    `json:"last_month_by_now"`
	Unpriced  []string `json:"currencies_without_rate,omitempty"`
}

// String says this month so far against last month by now: "45,128.40
// EUR; last month by now 43,900.00 EUR (+2.8 %)".
func (c ChargesSoFar) String() string {
	return c.ThisMonth.Grouped() + " " + string(c.ThisMonth.Currency) + "; " + c.Describe()
}

// Describe says last month by now and the change: "last month by now
// 43,900.00 EUR (+2.8 %)".
func (c ChargesSoFar) Describe() string {
	s := "last month by now " + c.LastMonth.Grouped() + " " + string(c.LastMonth.Currency)
	if ch := c.Change(); ch != NoValue {
		s += fmt.Sprintf(" (%+.1f %%)", float64(ch)/100)
	}
	if len(c.Unpriced) > 0 {
		s += "; no exchange rate for " + strings.Join(c.Unpriced, ", ")
	}
	return s
}

// Change is this month against last month by now, in basis points
// (NoValue: nothing charged last month by now).
func (c ChargesSoFar) Change() int64 {
	return Share(c.ThisMonth.Amount-c.LastMonth.Amount, c.LastMonth.Amount)
}
