package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
)

var now = time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)

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
		got, _, ok := tc.choice.PickFor(domain.PackedParcel{Service: tc.asked}, quotes, now)
		if !ok || got.Service != tc.want {
			t.Errorf("%s: %q (%v), want %q", tc.name, got.Service, ok, tc.want)
		}
	}
	if _, _, ok := (domain.LabelChoice{Carrier: "FedEx"}).PickFor(domain.PackedParcel{}, quotes, now); ok {
		t.Error("a carrier that quoted nothing was picked")
	}
}

// Without a service the order names, its channel's service is bought; with
// a promised day, the cheapest that arrives by it — or the fastest.
func TestTheChannelsServiceAndPromise(t *testing.T) {
	q := func(carrier, service string, minor int64, days int, by time.Time) domain.AccountQuote {
		return domain.AccountQuote{RateQuote: domain.RateQuote{Carrier: carrier, Service: service, Price: domain.NewMoney(minor, "EUR"),
			TransitDays: days, DeliveryBy: by}}
	}
	quotes := []domain.AccountQuote{ // cheapest first
		q("SandboxPost", "Economy", 908, 6, time.Time{}), q("DHL Express", "Economy Select", 1242, 4, time.Time{}),
		q("DHL Express", "Express Worldwide", 1922, 0, now.Add(50*time.Hour)), q("DHL Express", "Express 12:00", 2507, 1, time.Time{}),
	}
	for _, tc := range []struct {
		name  string
		p     domain.PackedParcel
		want  string
		about string
	}{
		{"the channel's service, carrier's words once", domain.PackedParcel{ChannelService: "DHL Express Worldwide"}, "Express Worldwide", "channel"},
		{"the order's own service first", domain.PackedParcel{Service: "Economy", ChannelService: "DHL Express Worldwide"}, "Economy", "order asked"},
		{"a channel service nobody sells: the cheapest", domain.PackedParcel{ChannelService: "Pigeon post"}, "Economy", "cheapest"},
		{"promised in five days: the cheapest arriving by then", domain.PackedParcel{PromisedBy: now.AddDate(0, 0, 5)}, "Economy Select", "by the promised"},
		{"promised in two days: delivery by its date", domain.PackedParcel{PromisedBy: now.AddDate(0, 0, 2)}, "Express Worldwide", "by the promised"},
		{"promised today: none arrives, the fastest", domain.PackedParcel{PromisedBy: now}, "Express 12:00", "the fastest"},
	} {
		got, why, ok := domain.LabelChoice{}.PickFor(tc.p, quotes, now)
		if !ok || got.Service != tc.want || !strings.Contains(why, tc.about) {
			t.Errorf("%s: %q (%q), want %q", tc.name, got.Service, why, tc.want)
		}
	}
}

// The rates dialog's totals: the chosen quotes summed per carrier and in
// all (in the planning currency where converted, else per currency), and
// what each carrier would cost for every parcel it quoted.
func TestRateTotals(t *testing.T) {
	q := func(carrier, service string, price domain.Money, converted domain.Money) domain.AccountQuote {
		return domain.AccountQuote{RateQuote: domain.RateQuote{Carrier: carrier, Service: service, Price: price}, Converted: converted}
	}
	eur := func(cents int64) domain.Money { return domain.NewMoney(cents, "EUR") }
	rates := []domain.ParcelRates{
		{Quotes: []domain.AccountQuote{q("SandboxPost", "Economy", domain.NewMoney(982, "USD"), eur(908)), q("DHL Express", "Economy Select", eur(1242), domain.Money{})}, Chosen: 1},
		{Quotes: []domain.AccountQuote{q("DHL Express", "Economy Select", eur(2760), domain.Money{}), q("SandboxPost", "Economy", domain.NewMoney(500, "USD"), domain.Money{})}, Chosen: 0},
		{Quotes: []domain.AccountQuote{q("SandboxPost", "Standard", domain.NewMoney(700, "USD"), domain.Money{})}, Chosen: -1},
	}
	per, all := domain.ChosenTotals(rates, domain.LabelChoice{})
	if len(per) != 1 || per[0].String() != "DHL Express: 2 parcel(s), 40.02 EUR" || domain.MoneySum(all) != "40.02 EUR" {
		t.Errorf("the default's totals %v, %s", per, domain.MoneySum(all))
	}
	per, all = domain.ChosenTotals(rates, domain.LabelChoice{Carrier: "SandboxPost"})
	if len(per) != 1 || per[0].Parcels != 3 || domain.MoneySum(all) != "9.08 EUR + 12.00 USD" {
		t.Errorf("SandboxPost's totals %v, %s", per, domain.MoneySum(all))
	}
	one := domain.OneCarrierTotals(rates)
	if len(one) != 2 || one[0].String() != "SandboxPost: 3 parcel(s), 9.08 EUR + 12.00 USD" || one[1].String() != "DHL Express: 2 parcel(s), 40.02 EUR" {
		t.Errorf("one carrier each %v", one)
	}
}

// A carrier's refusal, in its own words, names the ship-to field to fix.
func TestAddressFieldReadsTheCarriersWords(t *testing.T) {
	for msg, want := range map[string]domain.ImportField{
		"EasyPost: Unable to verify address. (street1: Address not found; zip: invalid for the state)":             domain.FieldPostalCode,
		"EasyPost: Unable to verify address. (street1: is required)":                                               domain.FieldAddress1,
		"UPS refused the shipment of parcel 1 of SH-1: Missing or invalid ship to phone number (120802)":           domain.FieldPhone,
		"FedEx: RECIPIENTS.ADDRESSPOSTALCODE.INVALID: Please provide a valid postal code":                          domain.FieldPostalCode,
		"DHL Express: 422: #/customerDetails/receiverDetails/postalAddress/cityName: expected minLength: 1":        domain.FieldCity,
		"USPS: toAddress.state: must be a 2-letter state code":                                                     domain.FieldRegion,
		"DHL Express: 1001: The requested product(s) (P) not available based on your search criteria.":             "",
		"EasyPost: Customs information is required for international shipments.":                                   "",
		"DHL Express: 400: shipperDetails postalAddress postalCode is invalid":                                     "",
		"UPS: The recipient address could not be validated":                                                        domain.FieldShipTo,
		"DHL Express: #/customerDetails/receiverDetails/postalAddress/countryCode: XX is not a valid country code": domain.FieldCountry,
		"no account quoted it": "",
	} {
		if got := domain.AddressField(msg); got != want {
			t.Errorf("%q: %q, want %q", msg, got, want)
		}
	}
}
