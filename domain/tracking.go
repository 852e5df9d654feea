package domain

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Milestone is where a parcel is on its way, the same for every carrier.
type Milestone string

// Milestones, in the order a parcel normally passes them.
const (
	MilestoneLabelCreated   Milestone = "label_created"
	MilestonePickedUp       Milestone = "picked_up"
	MilestoneInTransit      Milestone = "in_transit"
	MilestoneCustomsHold    Milestone = "customs_hold"
	MilestoneCustomsCleared Milestone = "customs_cleared"
	MilestoneOutForDelivery Milestone = "out_for_delivery"
	MilestoneDelivered      Milestone = "delivered"
	MilestoneDeliveryFailed Milestone = "delivery_failed"
	MilestoneException      Milestone = "exception"
	MilestoneReturned       Milestone = "returned_to_sender"
	MilestoneUnknown        Milestone = "unknown"
)

// Milestones lists every milestone, in display order.
var Milestones = []Milestone{MilestoneLabelCreated, MilestonePickedUp, MilestoneInTransit, MilestoneCustomsHold, MilestoneCustomsCleared,
	MilestoneOutForDelivery, MilestoneDelivered, MilestoneDeliveryFailed, MilestoneException, MilestoneReturned, MilestoneUnknown}

// Valid reports whether m is a known milestone.
func (m Milestone) Valid() bool {
	for _, x := range Milestones {
		if x == m {
			return true
		}
	}
	return false
}

// Final reports whether nothing more will happen: delivered or returned.
func (m Milestone) Final() bool { return m == MilestoneDelivered || m == MilestoneReturned }

// Problem reports whether the milestone needs a coordinator's attention.
func (m Milestone) Problem() bool {
	return m == MilestoneException || m == MilestoneDeliveryFailed || m == MilestoneCustomsHold || m == MilestoneReturned
}

// Label is the milestone for people.
func (m Milestone) Label() string {
	if m == "" {
		return "not tracked yet"
	}
	s := strings.ReplaceAll(string(m), "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// CarrierKind is which tracking API a carrier account speaks.
type CarrierKind string

// Carrier kinds.
const (
	CarrierDHL      CarrierKind = "dhl"
	CarrierUPS      CarrierKind = "ups"
	CarrierFedEx    CarrierKind = "fedex"
	CarrierUSPS     CarrierKind = "usps"
	CarrierEasyPost CarrierKind = "easypost"
	// CarrierDHLExpress is a DHL Express customer account on the MyDHL API:
	// rates, labels and tracking of the account's own shipments.
	CarrierDHLExpress CarrierKind = "dhl-express"
)

// CarrierKinds lists the kinds Portolan has clients for.
var CarrierKinds = []CarrierKind{CarrierDHL, CarrierUPS, CarrierFedEx, CarrierUSPS, CarrierEasyPost, CarrierDHLExpress}

// Family is the carrier whose tracking numbers the kind's parcels carry
// (DHL Express labels carry DHL waybills).
func (k CarrierKind) Family() CarrierKind {
	if k == CarrierDHLExpress {
		return CarrierDHL
	}
	return k
}

// CarrierProfile is what Portolan knows of a carrier's API: its production
// host, its documented limits and how many numbers one request may carry.
type CarrierProfile struct {
	Name      string
	BaseURL   string
	PerSecond float64
	PerDay    int
	Batch     int
	OAuth     bool // client id and secret, else an API key
}

// Profile describes a carrier kind; ok is false for an unknown kind.
func (k CarrierKind) Profile() (CarrierProfile, bool) {
	switch k {
	case CarrierDHL: // Starter service level: 250 calls a day, 1 a second
		return CarrierProfile{"DHL", "https://api-eu.dhl.com", 1, 250, 1, false}, true
	case CarrierUPS: // limits unpublished; kept modest
		return CarrierProfile{"UPS", "https://onlinetools.ups.com", 5, 20000, 1, true}, true
	case CarrierFedEx: // 1,400 transactions per 10 s; 30 numbers a request
		return CarrierProfile{"FedEx", "https://apis.fedex.com", 50, 100000, 30, true}, true
	case CarrierUSPS: // new apps: about 60 calls an hour
		return CarrierProfile{"USPS", "https://apis.usps.com", 1, 1440, 1, true}, true
	case CarrierEasyPost:
		return CarrierProfile{"EasyPost", "https://api.easypost.com", 5, 50000, 1, false}, true
	case CarrierDHLExpress: // MyDHL API: HTTP Basic with the API key and secret; limits per contract, kept modest
		return CarrierProfile{"DHL Express", "https://express.api.dhl.com/mydhlapi", 2, 5000, 1, true}, true
	}
	return CarrierProfile{}, false
}

// CarrierAccount is a carrier API account tracking is polled through.
type CarrierAccount struct {
	ID           int64
	Kind         CarrierKind
	Name         string // also the carrier name parcels go with ("DHL")
	BaseURL      string
	Key          string // DHL or EasyPost API key
	ClientID     string // UPS, FedEx, USPS OAuth; DHL Express: the MyDHL API key
	ClientSecret string // DHL Express: the MyDHL API secret
	// Number is the carrier account labels are billed to (DHL Express:
	// the shipper account number; UPS: the shipper number; FedEx: the
	// account number; USPS: the Enterprise Payment System account).
	Number string
	// CRID and MID are a USPS account's Customer Registration ID and
	// Mailer ID, under which its labels are owned and paid for.
	CRID, MID string
	// Paperless sends the commercial invoice to customs electronically
	// with the shipment (DHL Express Paperless Trade, service WY; FedEx
	// Electronic Trade Documents), where the account has it enabled: no
	// paper invoice travels with the parcel.
	Paperless bool
	// ZPL asks the carrier for its labels in ZPL, for a thermal printer's
	// raw queue (DHL Express sends PDF otherwise, UPS GIF, FedEx, USPS
	// and EasyPost PNG). A ZPL label prints only on a thermal printer.
	ZPL       bool
	PerSecond float64 // the budget: never more requests than this a second…
	PerDay    int     // …and a UTC day
	// Failing says why the account stopped working (refused credentials),
	// "" while it works.
	Failing   string
	CheckedAt time.Time
}

// Validate checks an account before it is saved: a known kind, a name, an
// https address (http only to this computer) and the credentials its API
// needs; the budget defaults to the carrier's documented limits.
func (a *CarrierAccount) Validate() error {
	p, ok := a.Kind.Profile()
	if !ok {
		return Errorf(EINVALID, "unknown carrier kind %q (dhl, ups, fedex, usps or easypost)", a.Kind)
	}
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		return Errorf(EINVALID, "give the carrier account a name, e.g. %q", p.Name)
	}
	if strings.TrimSpace(a.BaseURL) == "" {
		a.BaseURL = p.BaseURL
	}
	u, err := CheckCredentialURL(a.BaseURL)
	if err != nil {
		return err
	}
	a.BaseURL = strings.TrimSuffix(u.String(), "/")
	if p.OAuth && (strings.TrimSpace(a.ClientID) == "" || strings.TrimSpace(a.ClientSecret) == "") {
		if a.Kind == CarrierDHLExpress {
			return Errorf(EINVALID, "DHL Express needs the API key and API secret of your MyDHL API access")
		}
		return Errorf(EINVALID, "%s needs the client id and client secret of your API project", p.Name)
	}
	if !p.OAuth && strings.TrimSpace(a.Key) == "" {
		return Errorf(EINVALID, "%s needs the API key of your account", p.Name)
	}
	a.Number = strings.TrimSpace(a.Number)
	if a.Kind == CarrierDHLExpress && (len(a.Number) < 6 || len(a.Number) > 12 || !allDigits(a.Number)) {
		return Errorf(EINVALID, "DHL Express needs the shipper account number labels are billed to (9 digits, e.g. 123456789)")
	}
	if a.Kind == CarrierDHL {
		a.ZPL = false // DHL's Unified API only tracks: it sells no labels
	}
	if a.PerSecond <= 0 {
		a.PerSecond = p.PerSecond
	}
	if a.PerDay <= 0 {
		a.PerDay = p.PerDay
	}
	return nil
}

// TrackEvent is one scan of a parcel.
type TrackEvent struct {
	At        time.Time
	Code      string // the carrier's own code
	Text      string // the carrier's own words
	Location  string
	Milestone Milestone
}

// TrackResult is what a carrier says of one tracking number.
type TrackResult struct {
	Number string
	// NotFound is the carrier's reason when it knows no such number.
	NotFound  string
	Milestone Milestone
	Status    string // the carrier's current status text
	Events    []TrackEvent
	ETA       time.Time
	Raw       []byte // the carrier's answer, for audit
}

// Tracker is a carrier's tracking API.
type Tracker interface {
	// Track asks for up to Batch numbers; an unknown number is a result
	// with NotFound, not an error.
	Track(ctx context.Context, numbers []string) ([]TrackResult, error)
	// Check proves the credentials work (the "Test connection" button).
	Check(ctx context.Context) error
}

// Shipment is a parcel on its way, as the Shipments screen lists it.
type Shipment struct {
	ID       int64
	ParcelID int64 // 0 when shipped outside Portolan
	// WarehouseID is the warehouse it left from, for a shipment without a
	// parcel whose warehouse is known (history loaded in bulk; 0: unknown).
	WarehouseID int64
	OrderID     int64
	OrderNumber string
	Carrier     string
	Tracking    string
	Destination Country
	ShippedAt   time.Time
	Milestone   Milestone
	Status      string // the carrier's words for the last event
	LastEventAt time.Time
	ETA         time.Time
	NextPollAt  time.Time
	PolledAt    time.Time
	Error       string // the last poll's problem with this number
	DeliveredAt time.Time
	// Attention is why the shipment is in the exceptions queue ("" when not).
	Attention string
}

// DaysInTransit counts whole days since dispatch (until delivery).
func (s Shipment) DaysInTransit(now time.Time) int {
	end := now
	if !s.DeliveredAt.IsZero() {
		end = s.DeliveredAt
	}
	if end.Before(s.ShippedAt) {
		return 0
	}
	return int(end.Sub(s.ShippedAt).Hours() / 24)
}

// TrackingPolicy is the poller's schedule and the exceptions queue's rules.
type TrackingPolicy struct {
	FirstPoll   time.Duration // after dispatch (carriers show new parcels after 10–30 min)
	InTransit   time.Duration // between polls of a moving parcel
	OutForDel   time.Duration // out for delivery: more often
	Problem     time.Duration // exceptions, holds, failed deliveries
	MaxInterval time.Duration // backing off never waits longer
	StaleAfter  time.Duration // no scan for this long: flagged
}

// DefaultTrackingPolicy polls new parcels 30 min after dispatch, moving ones
// every 4 h, out-for-delivery every hour, problems every 2 h, backs off to
// a day, and flags a parcel with no scan for 5 days.
func DefaultTrackingPolicy() TrackingPolicy {
	return TrackingPolicy{FirstPoll: 30 * time.Minute, InTransit: 4 * time.Hour, OutForDel: time.Hour, Problem: 2 * time.Hour,
		MaxInterval: 24 * time.Hour, StaleAfter: 5 * 24 * time.Hour}
}

// The exceptions queue, ranked: milestones that always need a look (rank 1
// and 2), then parcels with no scan for StaleAfter (3), then parcels past
// their ETA (4). Delivered and returned parcels are never stale or late.
var attentionMilestones = []struct {
	milestone Milestone
	reason    string
	rank      int
}{
	{MilestoneException, "Exception", 1},
	{MilestoneReturned, "Returned to sender", 1},
	{MilestoneDeliveryFailed, "Delivery failed", 2},
	{MilestoneCustomsHold, "Customs hold", 2},
}

// Ranks of the exceptions queue after the milestones that always need a look.
const (
	AttentionStale = 3 // no scan for StaleAfter
	AttentionLate  = 4 // past its ETA
)

// AttentionMilestones are the milestones of rank (1 or 2) that always put a
// parcel in the exceptions queue; a store filters and orders by them.
func AttentionMilestones(rank int) []Milestone {
	var out []Milestone
	for _, a := range attentionMilestones {
		if a.rank == rank {
			out = append(out, a.milestone)
		}
	}
	return out
}

// SettledMilestones are those of parcels that are never stale or late.
func SettledMilestones() []Milestone { return []Milestone{MilestoneDelivered, MilestoneReturned} }

// Attention is why a parcel is in the exceptions queue at now ("" when it
// is not) and its rank there (1 first; 0 when it is not in it).
func (p TrackingPolicy) Attention(s Shipment, now time.Time) (string, int) {
	for _, a := range attentionMilestones {
		if s.Milestone == a.milestone {
			return a.reason, a.rank
		}
	}
	if slices.Contains(SettledMilestones(), s.Milestone) {
		return "", 0
	}
	last := s.LastEventAt
	if last.IsZero() {
		last = s.ShippedAt
	}
	if now.Sub(last) > p.StaleAfter {
		return fmt.Sprintf("No scan for %d days", int(now.Sub(last).Hours()/24)), AttentionStale
	}
	if !s.ETA.IsZero() && now.After(s.ETA) {
		return "Late against the ETA", AttentionLate
	}
	return "", 0
}

// NextPoll is when to ask about a parcel again after a poll at now; zero
// for a delivered or returned parcel (never again). Every poll that brought
// nothing new doubles the wait, up to MaxInterval.
func (p TrackingPolicy) NextPoll(now time.Time, m Milestone, unchanged int) time.Time {
	if m.Final() {
		return time.Time{}
	}
	every := p.InTransit
	switch {
	case m == MilestoneOutForDelivery:
		every = p.OutForDel
	case m.Problem():
		every = p.Problem
	case m == "" || m == MilestoneLabelCreated || m == MilestoneUnknown:
		every = 2 * time.Hour
	}
	for i := 0; i < unchanged && every < p.MaxInterval; i++ {
		every *= 2
	}
	return now.Add(min(every, p.MaxInterval))
}

// OrderFollowsParcels is the order status its parcels' milestones imply:
// every parcel delivered → delivered; any exception or return → exception
// with the reason; otherwise "" (no change).
func OrderFollowsParcels(ms []Milestone, reasons []string) (OrderStatus, string) {
	if len(ms) == 0 {
		return "", ""
	}
	all := true
	for i, m := range ms {
		if m == MilestoneException || m == MilestoneReturned {
			r := m.Label()
			if i < len(reasons) && reasons[i] != "" {
				r += ": " + reasons[i]
			}
			return StatusException, r
		}
		if m != MilestoneDelivered {
			all = false
		}
	}
	if all {
		return StatusDelivered, "every parcel delivered"
	}
	return "", ""
}

// ShipmentFilter chooses shipments for the Shipments screen and the command line.
type ShipmentFilter struct {
	Milestone Milestone // "" any
	Carrier   string    // "" any
	Country   Country   // destination, "" any
	Search    string    // tracking or order number (prefix)
	// Exceptions lists only what needs attention (the exceptions queue).
	Exceptions bool
}

// DueFilter chooses the shipments a poll asks about.
type DueFilter struct {
	Carrier string // "" every carrier
	All     bool   // every undelivered shipment, due or not
	Limit   int    // 0: no limit
	// Shipment asks about this one shipment only, due or not.
	Shipment int64
}

// OnTime is the delivered-on-time rate of a carrier to a country.
type OnTime struct {
	Carrier   string
	Country   Country
	Delivered int
	OnTime    int // delivered by the ETA the carrier gave (or within 5 days without one)
}

// TrackingReads reads what the screens show of tracking as it is stored:
// accounts, one shipment with its events, counts, on-time rates, pushes.
type TrackingReads interface {
	CarrierAccounts(ctx context.Context) ([]CarrierAccount, error)
	Shipment(ctx context.Context, id int64) (Shipment, []TrackEvent, error)
	MilestoneCounts(ctx context.Context) (map[Milestone]int, error)
	OnTimeRates(ctx context.Context) ([]OnTime, error)
	Pushes(ctx context.Context, state string, limit int) ([]TrackingPush, error)
	PushCounts(ctx context.Context) (map[string]int, error)
}

// TrackingStore keeps carrier accounts, shipments and their events.
type TrackingStore interface {
	TrackingReads
	SaveCarrierAccount(ctx context.Context, a *CarrierAccount) error
	DeleteCarrierAccount(ctx context.Context, id int64) error
	// SetAccountFailing marks an account as failing ("" clears it).
	SetAccountFailing(ctx context.Context, id int64, why string, at time.Time) error
	// ReserveRequests takes up to n requests of an account's budget for the
	// UTC day of at, never more than perDay in all; it returns how many.
	ReserveRequests(ctx context.Context, accountID int64, at time.Time, n, perDay int) (int, error)
	// ReleaseRequests gives back reserved requests that were not made.
	ReleaseRequests(ctx context.Context, accountID int64, at time.Time, n int) error
	UsedToday(ctx context.Context, accountID int64, at time.Time) (int, error)

	// AddShipment registers a parcel shipped outside Portolan.
	AddShipment(ctx context.Context, s *Shipment, policy TrackingPolicy) error
	DueShipments(ctx context.Context, now time.Time, f DueFilter) ([]Shipment, error)
	// RecordTracking stores what carriers said: new events (deduplicated)
	// with the raw answer, the milestone, ETA and the next poll; orders
	// follow their parcels. It returns how many shipments changed.
	RecordTracking(ctx context.Context, results map[int64]TrackResult, policy TrackingPolicy, now time.Time) (int, error)
	// RecordTrackingError notes a failed poll of shipments and backs them off.
	RecordTrackingError(ctx context.Context, ids []int64, why string, policy TrackingPolicy, now time.Time) error
	Shipments(ctx context.Context, f ShipmentFilter, now time.Time, stale time.Duration, offset, limit int) ([]Shipment, error)
	CountShipments(ctx context.Context, f ShipmentFilter, now time.Time, stale time.Duration) (int, error)
	// ExceptionMilestones counts the exceptions queue by milestone: what
	// CountShipments says of it with each Milestone, in one read.
	ExceptionMilestones(ctx context.Context, now time.Time, stale time.Duration) (map[Milestone]int, error)

	// The queue of tracking numbers to tell the storefronts.
	DuePushes(ctx context.Context, now time.Time, limit int) ([]TrackingPush, error)
	FinishPush(ctx context.Context, id int64, why string, next, now time.Time) error
	RetryPushes(ctx context.Context, now time.Time) (int, error)
}

// PollResult is what one poll of the carriers did.
type PollResult struct {
	Checked  int // tracking numbers asked about
	Changed  int // shipments with something new
	Errors   int // numbers whose poll failed (they are asked again later)
	Skipped  int // due but not asked: no account, account failing, budget used up
	Requests int // HTTP requests made
	Pushed   int // tracking numbers told to their storefronts
	PushLeft int // pushes that failed this time (retried later, or listed as failed)
	// HandedOver counts the parcels whose carriers scanned their labels,
	// dispatched by this poll; Scanned those that wait for someone who may
	// dispatch them.
	HandedOver, Scanned int
	Problems            []string
}

// Summary says what the poll did, in one line for people.
func (r PollResult) Summary() string {
	s := fmt.Sprintf("checked %d, changed %d, errors %d, not polled %d (%d requests); storefronts told %d, not yet %d",
		r.Checked, r.Changed, r.Errors, r.Skipped, r.Requests, r.Pushed, r.PushLeft)
	if r.HandedOver > 0 {
		s += fmt.Sprintf("; %d parcel(s) handed over on their carrier's first scan", r.HandedOver)
	}
	if r.Scanned > 0 {
		s += fmt.Sprintf("; %d parcel(s) scanned by their carrier wait to be handed over", r.Scanned)
	}
	return s
}

// TrackingPush is a tracking number to tell the order's storefront.
type TrackingPush struct {
	ID          int64
	ShipmentID  int64
	ChannelID   int64
	OrderID     int64
	OrderNumber string
	ExternalID  string // the storefront's order id
	Carrier     string
	Tracking    string
	Attempts    int
	State       string // pending, done, failed
	Error       string
	NextAt      time.Time
	// Lines are what the parcel holds, by SKU; none for a parcel shipped
	// outside Portolan (the storefront then fulfils what is left of the order).
	Lines []PushLine
}

// PushLine is a SKU and how many of it a parcel holds.
type PushLine struct {
	SKU string
	Qty Quantity
}

// TrackingPusher tells a storefront an order's parcel left with a carrier
// and its tracking number (p.ExternalID, p.Carrier, p.Tracking, p.Lines):
// the parcel's own lines are fulfilled, one fulfilment per parcel. Pushing
// the same number twice changes nothing.
type TrackingPusher interface {
	PushTracking(ctx context.Context, p TrackingPush) error
}
