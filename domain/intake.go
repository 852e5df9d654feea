package domain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SourceOrder is an order as a storefront or file delivers it, mapped to
// Portolan's types. Order.Status is left for the sync to decide; the
// storefront's own status is kept in SourceStatus.
type SourceOrder struct {
	Order        Order
	SourceStatus string // e.g. "processing", "cancelled"
	Cancelled    bool
	// PlacedUnknown says the source gave no order date (a file without a date
	// column): Order.PlacedAt is the time of import and a re-import keeps the first.
	PlacedUnknown bool
	// Print caches Fingerprint() once a sync has computed it.
	Print string
}

// RejectedOrder is an order a source delivered that cannot be stored as it is,
// with the reason a user can act on; syncs quarantine it and go on.
type RejectedOrder struct {
	ExternalID string
	Reason     string
	Raw        string // the payload as received, for the Import issues view (cut at MaxRawPayload)
}

// MaxRawPayload is the most of a rejected order's payload that is kept.
const MaxRawPayload = 64 << 10

// Quarantined is an order waiting in quarantine.
type Quarantined struct {
	ExternalID string
	Reason     string
	Raw        string
	FirstSeen  time.Time
	LastSeen   time.Time
}

// RawPayload keeps at most MaxRawPayload bytes of a payload.
func RawPayload(b []byte) string {
	if len(b) > MaxRawPayload {
		return string(b[:MaxRawPayload]) + "…"
	}
	return string(b)
}

// OrderPage is one page of a storefront's order feed.
type OrderPage struct {
	Orders   []SourceOrder
	Rejected []RejectedOrder
	// Next is the token for the following page, "" after the last page.
	Next string
	// ReportedTotal is how many orders the storefront says the window holds
	// (e.g. WooCommerce's X-WP-Total), or -1 when it does not say.
	ReportedTotal int
	// ByCreation says the source could not list orders by modification time
	// and read the window by creation time instead: a page's newest change
	// says nothing about the pages still to come, so the channel's cursor
	// moves only once the whole window has been read.
	ByCreation bool
	// Notice is what the user should know about how the source was read (a
	// fallback it had to take); it is shown in the channel's last-run line.
	Notice string
}

// OrderSource is a storefront's order feed, read oldest change first.
type OrderSource interface {
	// FetchUpdated returns the page after token ("" for the first) of the
	// orders changed at or after since.
	FetchUpdated(ctx context.Context, since time.Time, token string) (OrderPage, error)
}

// CheckCredentialURL refuses to send credentials anywhere but https, except
// plain http to the loopback interface (a local sandbox or test server).
func CheckCredentialURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, Errorf(EINVALID, "%q is not a web address; paste the store's address, e.g. https://store.example", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, Errorf(EINVALID, "%s uses plain http; credentials are only sent over https (or http to this computer)", u.Host)
	}
	if u.User != nil {
		return nil, Errorf(EINVALID, "%s has a user name or password in the address; give credentials in their own fields, where they are kept safe", ShownURL(raw))
	}
	return u, nil
}

// ShownURL is an address as it may be shown or logged: without a user name
// and password written into it ("https://user:pw@host" shows as
// "https://host").
func ShownURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		if at := strings.LastIndex(raw, "@"); at >= 0 {
			if i := strings.Index(raw, "://"); i >= 0 && i < at {
				return raw[:i+3] + raw[at+1:]
			}
		}
		return raw
	}
	u.User = nil
	return u.String()
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Fingerprint is a digest of everything a source says about an order, so a
// re-sync can tell an unchanged order from an updated one.
func (s SourceOrder) Fingerprint() string {
	o := s.Order
	placed := o.PlacedAt.UnixMilli()
	if s.PlacedUnknown {
		placed = 0
	}
	// Length-prefixed fields: no separator inside a value can make two orders look alike.
	b := make([]byte, 0, 512)
	str := func(v string) {
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ':')
		b = append(b, v...)
	}
	num := func(v int64) {
		b = strconv.AppendInt(b, v, 10)
		b = append(b, ';')
	}
	a := o.ShipTo
	for _, v := range []string{o.ExternalID, o.Number, string(o.Currency), o.CustomerEmail, s.SourceStatus, o.Notes,
		a.Name, a.Company, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, string(a.Country), a.Phone, a.Email} {
		str(v)
	}
	for _, v := range []int64{placed, o.Shipping.Amount, o.Tax.Amount, o.Total.Amount} {
		num(v)
	}
	for _, l := range o.Lines {
		str(l.SKU)
		str(l.Name)
		num(int64(l.Quantity))
		num(l.UnitPrice.Amount)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Note records an event in the order's history without changing its status.
func (o *Order) Note(at time.Time, reason string) {
	o.History = append(o.History, StatusChange{At: at.UTC(), From: o.Status, To: o.Status, Reason: reason})
}

// editable reports whether an order's lines and address may still be replaced
// by its source: nothing has been reserved or picked for it yet.
func editable(s OrderStatus) bool {
	return s == StatusNew || s == StatusOnHold || s == StatusBackordered
}

// NewFromSource turns a source order Portolan has not seen into a new order
// with its first history entries.
func NewFromSource(src SourceOrder, channelName string, at time.Time) Order {
	o := src.Order
	o.Status = StatusNew
	o.History = []StatusChange{{At: at.UTC(), To: StatusNew, Reason: "imported from " + channelName}}
	if src.Cancelled {
		_ = o.TransitionTo(StatusCancelled, at, fmt.Sprintf("%s in %s", src.SourceStatus, channelName))
	}
	return o
}

// MergeSource applies a newer version of an order from its source to the
// stored order. While nothing is reserved or picked, lines, address, totals
// and notes are replaced; later, the stored order keeps them and its history
// says what the storefront changed. A cancellation in the storefront cancels
// the order when its status allows, and is noted otherwise.
func MergeSource(stored *Order, src SourceOrder, channelName string, at time.Time) {
	n := src.Order
	if editable(stored.Status) {
		stored.Number, stored.Currency = n.Number, n.Currency
		if !src.PlacedUnknown {
			stored.PlacedAt = n.PlacedAt
		}
		stored.Lines, stored.Shipping, stored.Tax, stored.Total = n.Lines, n.Shipping, n.Tax, n.Total
		stored.ShipTo, stored.CustomerEmail, stored.Notes, stored.Service = n.ShipTo, n.CustomerEmail, n.Notes, n.Service
		stored.Note(at, "updated from "+channelName)
	} else if !src.Cancelled {
		if diff := Differences(*stored, n); len(diff) > 0 {
			stored.Review = fmt.Sprintf("Changed in %s after allocation, not applied: %s", channelName, strings.Join(diff, "; "))
			stored.Note(at, stored.Review)
		}
	}
	if src.Cancelled && stored.Status != StatusCancelled {
		reason := fmt.Sprintf("%s in %s", src.SourceStatus, channelName)
		if err := stored.TransitionTo(StatusCancelled, at, reason); err != nil {
			stored.Note(at, reason+" after "+stored.Status.Label()+"; needs attention")
		}
	}
	stored.UpdatedAt = at.UTC()
}

// Credentials are what a channel needs to read its storefront. They are
// stored with the channel and never shown, printed or logged.
type Credentials struct {
	Token  string `json:"token,omitempty"`  // Shopify access token, BigCommerce X-Auth-Token
	Key    string `json:"key,omitempty"`    // WooCommerce consumer key
	Secret string `json:"secret,omitempty"` // WooCommerce consumer secret
}

// String hides the values, so credentials cannot leak through %v.
func (Credentials) String() string { return "[credentials hidden]" }

// GoString hides the values from %#v too.
func (c Credentials) GoString() string { return c.String() }

// SyncStatus is how a sync run ended.
type SyncStatus string

// Sync run outcomes.
const (
	SyncRunning   SyncStatus = "running"
	SyncComplete  SyncStatus = "complete"  // everything the storefront reported was stored or quarantined
	SyncGap       SyncStatus = "gap"       // fewer orders arrived than the storefront reported
	SyncFailed    SyncStatus = "failed"    // an error stopped it; committed pages stay
	SyncCancelled SyncStatus = "cancelled" // the user stopped it; committed pages stay
)

// SyncRun is one incremental read of one channel, kept as the proof of what
// was fetched and stored.
type SyncRun struct {
	ID          int64
	ChannelID   int64
	Since       time.Time // orders changed at or after this were asked for
	StartedAt   time.Time
	FinishedAt  time.Time
	Fetched     int // orders received, stored or quarantined
	New         int
	Updated     int
	Unchanged   int
	Quarantined int
	Reported    int // what the storefront said the window holds; -1 if it did not say
	Status      SyncStatus
	// Error says why a run failed or left a gap; on a complete run, a notice
	// about how the source was read (OrderPage.Notice), else "".
	Error string
}

// SyncState is where a channel's incremental sync stands.
type SyncState struct {
	ChannelID   int64
	Cursor      time.Time // newest source change committed; zero before the first sync
	LastSuccess time.Time
	LastRun     *SyncRun
}

// IntakeReads reads a channel's sync state and its quarantine.
type IntakeReads interface {
	SyncState(ctx context.Context, channelID int64) (SyncState, error)
	// QuarantinedOrders lists the orders waiting in quarantine, most recently seen first.
	QuarantinedOrders(ctx context.Context, channelID int64) ([]Quarantined, error)
}

// IntakeStore keeps what syncs bring in, page by page.
type IntakeStore interface {
	IntakeReads
	// HoldChannel keeps every other client of the database from syncing the
	// channel until release is called: one sync of a channel at a time. A
	// channel another client is syncing returns an ECONFLICT *Error saying who.
	HoldChannel(ctx context.Context, channelID int64) (release func(), err error)
	StartRun(ctx context.Context, run *SyncRun) error
	// CommitPage upserts the page's orders by (channel, external id),
	// quarantines its rejects, moves the channel's cursor to cursor and adds to
	// run's counts, all in one transaction.
	CommitPage(ctx context.Context, run *SyncRun, channelName string, page OrderPage, cursor time.Time) error
	FinishRun(ctx context.Context, run *SyncRun) error
	// AddChannel stores a channel with its credentials and sets its ID.
	AddChannel(ctx context.Context, c *Channel, creds Credentials) error
	ChannelCredentials(ctx context.Context, channelID int64) (Credentials, error)
	// UpdateChannel changes a channel's name and address, and its credentials
	// when creds is not nil.
	UpdateChannel(ctx context.Context, c Channel, creds *Credentials) error
	// DeleteChannel removes a channel that has no orders; one with orders
	// returns an ECONFLICT *Error.
	DeleteChannel(ctx context.Context, channelID int64) error
	// QuarantineCount is how many of the channel's orders wait in quarantine.
	QuarantineCount(ctx context.Context, channelID int64) (int, error)
	// ImportMapping is the column mapping last used for the channel's files (empty if none).
	ImportMapping(ctx context.Context, channelID int64) (ColumnMapping, error)
	SaveImportMapping(ctx context.Context, channelID int64, m ColumnMapping) error
}

// Differences describes what differs between an order and a newer version of
// it: lines (by SKU), ship-to address, totals and notes.
func Differences(old, new Order) []string {
	var out []string
	qty := func(lines []OrderLine) map[string]Quantity {
		m := map[string]Quantity{}
		for _, l := range lines {
			m[l.SKU] += l.Quantity
		}
		return m
	}
	oq, nq := qty(old.Lines), qty(new.Lines)
	var skus []string
	for sku := range oq {
		skus = append(skus, sku)
	}
	for sku := range nq {
		if _, ok := oq[sku]; !ok {
			skus = append(skus, sku)
		}
	}
	sort.Strings(skus)
	for _, sku := range skus {
		switch a, b := oq[sku], nq[sku]; {
		case a == 0:
			out = append(out, fmt.Sprintf("%s added (%d)", sku, b))
		case b == 0:
			out = append(out, fmt.Sprintf("%s removed (was %d)", sku, a))
		case a != b:
			out = append(out, fmt.Sprintf("%s quantity %d → %d", sku, a, b))
		}
	}
	if old.ShipTo != new.ShipTo {
		out = append(out, "ship-to "+strings.Join(old.ShipTo.Lines(), ", ")+" → "+strings.Join(new.ShipTo.Lines(), ", "))
	}
	if old.Total != new.Total {
		out = append(out, fmt.Sprintf("total %s → %s", old.Total, new.Total))
	}
	if old.Notes != new.Notes {
		out = append(out, fmt.Sprintf("notes %q → %q", old.Notes, new.Notes))
	}
	return out
}
