package tracktest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
)

// The checks every carrier's label seller is put through, against a local
// server speaking the carrier's documented shape.

// LostPurchase buys a label whose answer never comes back: the parcel is
// quoted under a reference, which the carrier has not sold a label for;
// lose makes the carrier's server drop its next purchase answer; Buy must
// then say the purchase is uncertain (not failed: the carrier may have
// sold it), and Bought must find the label sold under the reference. It
// returns that label, for the carrier's own checks.
func LostPurchase(t *testing.T, s domain.LabelSeller, p domain.PackedParcel, set domain.ShippingSettings, lose func()) domain.Label {
	t.Helper()
	ctx := context.Background()
	quote := firstQuote(t, s, p, set)
	ref := quote.ShipmentRef
	if _, bought, err := s.Bought(ctx, ref); err != nil || bought {
		t.Fatalf("before the purchase: bought %v, %v", bought, err)
	}
	lose()
	if _, err := s.Buy(ctx, quote); !errors.Is(err, domain.ErrPurchaseUncertain) {
		t.Fatalf("a purchase without an answer: %v, want uncertain", err)
	}
	l, bought, err := s.Bought(ctx, ref)
	if err != nil || !bought || l.ShipmentRef != ref || l.Tracking == "" {
		t.Fatalf("asked afterwards: bought %v, %+v, %v", bought, l, err)
	}
	return l
}

// firstQuote is the seller's first quote for the parcel.
func firstQuote(t *testing.T, s domain.LabelSeller, p domain.PackedParcel, set domain.ShippingSettings) domain.RateQuote {
	t.Helper()
	quotes, _, err := s.Quote(context.Background(), p, set, "portolan-parcel-7")
	if err != nil || len(quotes) == 0 {
		t.Fatal(quotes, err)
	}
	return quotes[0]
}

// BuysZPL buys a label with an account set to ZPL: the label says ZPL, and
// its file, as bought or fetched from the carrier, is want as the carrier
// sent it. It returns the label, for the carrier's own checks.
func BuysZPL(t *testing.T, s domain.LabelSeller, p domain.PackedParcel, set domain.ShippingSettings, want string) domain.Label {
	t.Helper()
	ctx := context.Background()
	label, err := s.Buy(ctx, firstQuote(t, s, p, set))
	if err != nil {
		t.Fatal(err)
	}
	file := label.File
	if len(file) == 0 {
		if file, err = s.LabelFile(ctx, label); err != nil {
			t.Fatal(err)
		}
	}
	if label.Format != "ZPL" || string(file) != want {
		t.Errorf("label %s %q", label.Format, file)
	}
	return label
}

// Venlo is the warehouse the sellers' tests send from in Europe.
var Venlo = domain.Warehouse{Code: "NL-VEN", TimeZone: "Europe/Amsterdam", Address: domain.Address{Name: "Ana Novak", Company: "Portolan B.V.",
	Line1: "Celsiusweg 40", City: "Venlo", PostalCode: "5928 PR", Country: "NL", Phone: "+31 77 000 0000"}}

// NewYork is where the sellers' tests send to in the United States.
var NewYork = domain.Address{Name: "José Müller", Line1: "350 5th Ave", City: "New York", Region: "NY", PostalCode: "10118",
	Country: "US", Phone: "+1 212 555 0100", Email: "jose@example.com"}

// Parcel is the parcel the sellers' tests buy labels for: three wool
// beanies at 12.50 each in currency (HS 6505.00, made in New Zealand), 1.54
// kg in a medium box of 300×205×100 mm, from the warehouse to the address,
// packed as the order's parcel 1 of 1.
func Parcel(from domain.Warehouse, to domain.Address, currency domain.Currency) domain.PackedParcel {
	return domain.PackedParcel{ID: 7, OrderID: 3, Number: "SH-1042", Seq: 1, Of: 1, Warehouse: from, ShipTo: to, Currency: currency,
		Box:    domain.Box{Code: "M", Dimensions: domain.Dimensions{Length: 300, Width: 205, Height: 100}, Tare: 150},
		Weight: 1540,
		Lines: []domain.ParcelLine{{LineNo: 1, SKU: "PRT-10042", Name: "Wool beanie", Qty: 3, UnitPrice: domain.NewMoney(1250, currency),
			HSCode: "6505.00", Origin: "NZ", Description: "Knitted wool hat", UnitWeight: 120}}}
}

// JSON is v as JSON, to look for what a request carried.
func JSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// NewSeller makes a carrier's seller for the account, as the test's edit
// changes it, on a clock stopped at now.
func NewSeller[S any](t *testing.T, a domain.CarrierAccount, edit func(*domain.CarrierAccount), now time.Time,
	newSeller func(domain.CarrierAccount, func() time.Time) (S, error)) S {
	t.Helper()
	edit(&a)
	s, err := newSeller(a, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	return s
}
