package domain

import (
	"strings"
	"time"
)

// InboundStatus is where an expected delivery stands.
type InboundStatus string

// Inbound statuses.
const (
	InboundOpen     InboundStatus = "open"     // expected, or partly received
	InboundReceived InboundStatus = "received" // every line received in full (or more)
	InboundClosed   InboundStatus = "closed"   // closed by hand, shortages and all
)

// Inbound is an expected delivery: a purchase order or an advance shipping
// notice from a supplier.
type Inbound struct {
	ID         int64
	Warehouse  string // code
	Reference  string // PO or ASN number, unique per warehouse
	Supplier   string
	ExpectedOn string // YYYY-MM-DD or ""
	Status     InboundStatus
	CreatedAt  time.Time
	Lines      []InboundLine
}

// InboundLine is one SKU of an inbound, with what has arrived so far.
type InboundLine struct {
	SKU      string
	Name     string
	Expected Quantity
	Received Quantity
}

// Variance is received less expected: positive for an over-receipt, negative
// while (or when closed) short.
func (l InboundLine) Variance() Quantity { return l.Received - l.Expected }

// Validate checks an inbound before it is stored.
func (in Inbound) Validate() error {
	if strings.TrimSpace(in.Reference) == "" {
		return Errorf(EINVALID, "an inbound needs a reference (the purchase order or ASN number)")
	}
	if strings.TrimSpace(in.Warehouse) == "" {
		return Errorf(EINVALID, "inbound %s: which warehouse receives it?", in.Reference)
	}
	if _, err := ParseExpiry(in.ExpectedOn); err != nil {
		return Errorf(EINVALID, "inbound %s: expected date %q is not a date like 2026-12-01", in.Reference, in.ExpectedOn)
	}
	if len(in.Lines) == 0 {
		return Errorf(EINVALID, "inbound %s has no lines", in.Reference)
	}
	for _, l := range in.Lines {
		if strings.TrimSpace(l.SKU) == "" || l.Expected <= 0 {
			return Errorf(EINVALID, "inbound %s: every line needs a SKU and a positive quantity", in.Reference)
		}
	}
	return nil
}

// ReceiptLine is what arrived of one SKU (and lot).
type ReceiptLine struct {
	SKU    string
	Lot    string
	Expiry string
	Qty    Quantity
}

// Receipt is goods arriving at a warehouse's RECEIVING bin, against an
// inbound or not (InboundID 0: ad hoc).
type Receipt struct {
	Warehouse string
	InboundID int64
	Lines     []ReceiptLine
	Note      string
}

// ReceivedLine reports one line of a receipt against what was expected.
type ReceivedLine struct {
	SKU        string
	Qty        Quantity
	Expected   Quantity // 0 for an ad hoc receipt or a SKU the inbound did not list
	Received   Quantity // in total against the inbound, this receipt included
	Unexpected bool     // the inbound did not list this SKU
}

// Variance is received so far less expected.
func (l ReceivedLine) Variance() Quantity { return l.Received - l.Expected }

// PutawayTask is stock waiting in a RECEIVING bin, with where it should go.
type PutawayTask struct {
	SKU       string
	Name      string
	Warehouse string
	Lot       string
	Expiry    string
	Qty       Quantity
	Suggested string // bin code
	Why       string // why that bin
}

// Putaway moves received stock from RECEIVING to a storage bin.
type Putaway struct {
	SKU       string
	Warehouse string
	Lot       string
	ToBin     string
	Qty       Quantity
}

// CountStatus is where a cycle count stands.
type CountStatus string

// Count statuses.
const (
	CountOpen      CountStatus = "open"
	CountPosted    CountStatus = "posted"
	CountCancelled CountStatus = "cancelled"
)

// Count is a cycle count of some bins of a warehouse. What the bins were
// expected to hold is kept but not shown while counting (a blind count).
type Count struct {
	ID        int64
	Warehouse string
	Scope     string // "zone B" or the bins
	Status    CountStatus
	CreatedAt time.Time
	PostedAt  time.Time
	Lines     []CountLine
}

// CountLine is one SKU and lot in one bin of a count.
type CountLine struct {
	Bin      string
	SKU      string
	Lot      string
	Expected Quantity  // what the bin held when the count was made: not for the counter's eyes
	Counted  *Quantity // nil until counted
}

// Counted reports how many lines have a counted quantity.
func (c Count) Counted() int {
	n := 0
	for _, l := range c.Lines {
		if l.Counted != nil {
			n++
		}
	}
	return n
}

// CountResult is what posting a count did.
type CountResult struct {
	Posted    int // counted lines
	Changed   int // lines whose difference was posted as an adjustment
	Uncounted int // lines left uncounted, not posted
	Problems  []RowProblem
}

// Zone is the warehouse's time zone (UTC when it names none that exists).
func (w Warehouse) Zone() *time.Location {
	loc, err := time.LoadLocation(w.TimeZone)
	if err != nil || w.TimeZone == "" {
		return time.UTC
	}
	return loc
}

// Today is the warehouse's day at now ("2026-12-06"), in its time zone.
func (w Warehouse) Today(now time.Time) string { return now.In(w.Zone()).Format(time.DateOnly) }

// When an open inbound is expected, against the warehouse's today.
const (
	InboundDueToday = "today"
	InboundOverdue  = "overdue"
)

// Due says whether the inbound is open and expected on today
// (InboundDueToday) or before it (InboundOverdue); "" otherwise.
func (in Inbound) Due(today string) string {
	switch {
	case in.Status != InboundOpen || in.ExpectedOn == "" || in.ExpectedOn > today:
		return ""
	case in.ExpectedOn == today:
		return InboundDueToday
	}
	return InboundOverdue
}
