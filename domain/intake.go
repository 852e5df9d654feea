package domain

import (
	"context"
	"net"
	"net/url"
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
}

// RejectedOrder is an order a source delivered that cannot be stored as it is,
// with the reason a user can act on; syncs quarantine it and go on.
type RejectedOrder struct {
	ExternalID string
	Reason     string
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
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
