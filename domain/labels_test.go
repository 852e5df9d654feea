package domain_test

import (
	"testing"

	"github.com/portolan/portolan/domain"
)

func TestTheLabelBoughtForAParcel(t *testing.T) {
	q := func(carrier, service string, minor int64, days int, guaranteed bool) domain.AccountQuote {
		return domain.AccountQuote{Account: "EasyPost", RateQuote: domain.RateQuote{Carrier: carrier, Service: service,
			Price: domain.NewMoney(minor, "USD"), TransitDays: days, Guaranteed: guaranteed}}
	}
	quotes := []domain.AccountQuote{ // cheapest first
		q("USPS", "GroundAdvantage", 820, 5, false), q("USPS", "Priority", 1101, 3, false),
		q("DHL", "Express Worldwide", 4120, 2, true), q("USPS", "Express", 5120, 1, true),
	}
	for _, tc := range []struct {
		name   string
		choice domain.LabelChoice
		asked  string
		want   string
	}{
		{"nothing asked: the cheapest", domain.LabelChoice{}, "", "GroundAdvantage"},
		{"the order's service by name", domain.LabelChoice{}, "priority", "Priority"},
		{"carrier and service as the storefront wrote it", domain.LabelChoice{}, "DHL Express Worldwide", "Express Worldwide"},
		{"an express order: the cheapest within two days", domain.LabelChoice{}, "Express shipping (1-2 days)", "Express Worldwide"},
		{"a service nobody sells: the cheapest", domain.LabelChoice{}, "Pigeon", "GroundAdvantage"},
		{"the person's choice wins", domain.LabelChoice{Carrier: "usps", Service: "express"}, "Priority", "Express"},
	} {
		got, ok := tc.choice.PickFor(domain.PackedParcel{Service: tc.asked}, quotes)
		if !ok || got.Service != tc.want {
			t.Errorf("%s: %q (%v), want %q", tc.name, got.Service, ok, tc.want)
		}
	}
	if _, ok := (domain.LabelChoice{Carrier: "FedEx"}).PickFor(domain.PackedParcel{}, quotes); ok {
		t.Error("a carrier that quoted nothing was picked")
	}
}
