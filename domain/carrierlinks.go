package domain

import (
	"net/url"
	"strings"
)

// CarrierOf is the carrier kind a carrier's name (as a coordinator writes
// it: "DHL", "DHL Express", "ups", "FedEx Ground") names, or "" for one
// Portolan has no client for.
func CarrierOf(name string) CarrierKind {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, k := range CarrierKinds {
		if p, ok := k.Profile(); ok && k != CarrierEasyPost && strings.HasPrefix(n, strings.ToLower(p.Name)) {
			return k
		}
	}
	return ""
}

// TrackingLink is the carrier's public tracking page for a number, where
// Portolan knows it ("" otherwise): storefronts show it to the customer.
func TrackingLink(carrier, number string) string {
	n := url.QueryEscape(strings.TrimSpace(number))
	switch CarrierOf(carrier) {
	case CarrierDHL:
		return "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=" + n
	case CarrierUPS:
		return "https://www.ups.com/track?tracknum=" + n
	case CarrierFedEx:
		return "https://www.fedex.com/fedextrack/?trknbr=" + n
	case CarrierUSPS:
		return "https://tools.usps.com/go/TrackConfirmAction?tLabels=" + n
	}
	return ""
}
