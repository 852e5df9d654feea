package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
)

func TestStatusTransitions(t *testing.T) {
	legal := []struct{ from, to domain.OrderStatus }{
		{"new", "allocated"}, {"allocated", "picking"}, {"picking", "packed"}, {"packed", "shipped"},
		{"shipped", "delivered"}, {"new", "on_hold"}, {"on_hold", "new"}, {"new", "backordered"},
		{"backordered", "allocated"}, {"allocated", "new"}, {"new", "cancelled"}, {"shipped", "exception"},
		{"exception", "delivered"}, {"picking", "allocated"},
		// shipped outside Portolan (a parcel registered with its tracking number)
		{"new", "shipped"}, {"allocated", "shipped"}, {"backordered", "shipped"}, {"on_hold", "shipped"},
	}
	illegal := []struct{ from, to domain.OrderStatus }{
		{"new", "packed"}, {"new", "delivered"}, {"new", "picking"}, {"cancelled", "new"}, {"delivered", "new"},
		{"shipped", "cancelled"}, {"shipped", "new"}, {"on_hold", "delivered"}, {"packed", "delivered"}, {"cancelled", "shipped"},
		{"new", "new"}, {"cancelled", "cancelled"},
	}
	for _, tt := range legal {
		if !domain.CanTransition(tt.from, tt.to) {
			t.Errorf("%s → %s should be allowed", tt.from, tt.to)
		}
	}
	for _, tt := range illegal {
		if domain.CanTransition(tt.from, tt.to) {
			t.Errorf("%s → %s should be refused", tt.from, tt.to)
		}
	}
	for _, s := range domain.OrderStatuses {
		for _, n := range domain.NextStatuses(s) {
			if _, err := domain.ParseOrderStatus(string(n)); err != nil {
				t.Errorf("%s leads to unknown status %q", s, n)
			}
		}
	}
}

func TestTransitionRecordsHistory(t *testing.T) {
	o := sampleOrder()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("JST", 9*3600))
	if err := o.TransitionTo(domain.StatusAllocated, at, "allocated to JP-ICH"); err != nil {
		t.Fatal(err)
	}
	if o.Status != domain.StatusAllocated || len(o.History) != 1 {
		t.Fatalf("status %s, history %v", o.Status, o.History)
	}
	h := o.History[0]
	if h.From != domain.StatusNew || h.To != domain.StatusAllocated || h.Reason != "allocated to JP-ICH" {
		t.Errorf("history entry = %+v", h)
	}
	if h.At.Location() != time.UTC || !h.At.Equal(at) {
		t.Errorf("history time %v not the same instant in UTC", h.At)
	}
	err := o.TransitionTo(domain.StatusDelivered, at, "skip ahead")
	if !errors.Is(err, domain.ErrIllegalTransition) {
		t.Errorf("allocated → delivered error = %v", err)
	}
	if o.Status != domain.StatusAllocated || len(o.History) != 1 {
		t.Errorf("illegal transition changed the order: %s, %d entries", o.Status, len(o.History))
	}
}

func TestParseOrderStatus(t *testing.T) {
	for in, want := range map[string]domain.OrderStatus{"new": "new", "On hold": "on_hold", "on-hold": "on_hold", " SHIPPED ": "shipped"} {
		if got, err := domain.ParseOrderStatus(in); err != nil || got != want {
			t.Errorf("ParseOrderStatus(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := domain.ParseOrderStatus("lost"); err == nil {
		t.Error("unknown status accepted")
	}
	if l := domain.StatusOnHold.Label(); l != "On hold" {
		t.Errorf("label %q", l)
	}
}

func sampleOrder() domain.Order {
	jpy := domain.Currency("JPY")
	return domain.Order{
		ExternalID: "5100000001", Number: "BC-100001", PlacedAt: time.Date(2026, 2, 1, 3, 4, 5, 0, time.UTC),
		Currency: jpy,
		Lines: []domain.OrderLine{
			{SKU: "PRT-10001", Quantity: 2, UnitPrice: domain.NewMoney(4800, jpy)},
			{SKU: "PRT-10002", Quantity: 1, UnitPrice: domain.NewMoney(12300, jpy)},
		},
		Shipping: domain.NewMoney(1000, jpy), Tax: domain.NewMoney(2290, jpy), Total: domain.NewMoney(25190, jpy),
		ShipTo: domain.Address{Name: "山田 太郎", Line1: "神南1-2-3", City: "渋谷区", PostalCode: "150-0041", Country: "JP"},
		Status: domain.StatusNew,
	}
}

func TestOrderTotalsAndValidate(t *testing.T) {
	o := sampleOrder()
	if err := o.Validate(); err != nil {
		t.Fatalf("valid order: %v", err)
	}
	sub, err := o.Subtotal()
	if err != nil || sub.Amount != 21900 {
		t.Errorf("subtotal = %v, %v", sub, err)
	}
	total, err := o.ComputedTotal()
	if err != nil || total != o.Total {
		t.Errorf("computed total = %v, stored %v, %v", total, o.Total, err)
	}
	if o.Units() != 3 {
		t.Errorf("units = %d", o.Units())
	}
	tests := map[string]func(o *domain.Order){
		"no lines":       func(o *domain.Order) { o.Lines = nil },
		"zero quantity":  func(o *domain.Order) { o.Lines[0].Quantity = 0 },
		"mixed currency": func(o *domain.Order) { o.Lines[1].UnitPrice = domain.NewMoney(100, "USD") },
		"bad currency":   func(o *domain.Order) { o.Currency = "YEN" },
		"no external id": func(o *domain.Order) { o.ExternalID = "" },
		"bad ship-to":    func(o *domain.Order) { o.ShipTo.Country = "XX" },
		"bad email":      func(o *domain.Order) { o.CustomerEmail = "@@" },
		"unknown status": func(o *domain.Order) { o.Status = "lost" },
		"no placed time": func(o *domain.Order) { o.PlacedAt = time.Time{} },
		"negative price": func(o *domain.Order) { o.Lines[0].UnitPrice.Amount = -1 },
		"total currency": func(o *domain.Order) { o.Total = domain.NewMoney(1, "EUR") },
		"blank SKU":      func(o *domain.Order) { o.Lines[0].SKU = " A" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			o := sampleOrder()
			mutate(&o)
			if err := o.Validate(); domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("Validate() = %v, want invalid", err)
			}
		})
	}
	mixed := sampleOrder()
	mixed.Lines[1].UnitPrice = domain.NewMoney(100, "USD")
	if _, err := mixed.Subtotal(); !errors.Is(err, domain.ErrCurrencyMismatch) {
		t.Errorf("mixed subtotal error = %v", err)
	}
}

func TestProductValidate(t *testing.T) {
	body := "400000010001"
	p := domain.Product{SKU: "PRT-10001", Name: "Merino wool beanie", GTIN: body + string(domain.GTINCheckDigit(body)),
		Weight: 90, HSCode: "650500", Origin: "NZ", UnitValue: domain.NewMoney(1300, "USD")}
	if err := p.Validate(); err != nil {
		t.Fatalf("valid product: %v", err)
	}
	if err := (domain.Product{SKU: "X", Name: "x", GTIN: "4006381333931"}).Validate(); err != nil {
		t.Errorf("real EAN-13 4006381333931 rejected: %v", err)
	}
	bad := map[string]func(p *domain.Product){
		"gtin check digit": func(p *domain.Product) { p.GTIN = "4006381333932" },
		"gtin length":      func(p *domain.Product) { p.GTIN = "12345" },
		"hs letters":       func(p *domain.Product) { p.HSCode = "65A500" },
		"hs short":         func(p *domain.Product) { p.HSCode = "6505" },
		"origin":           func(p *domain.Product) { p.Origin = "ZZ" },
		"weight":           func(p *domain.Product) { p.Weight = -1 },
		"sku":              func(p *domain.Product) { p.SKU = "" },
		"dimensions":       func(p *domain.Product) { p.Dimensions.Height = -5 },
	}
	for name, mutate := range bad {
		t.Run(name, func(t *testing.T) {
			q := p
			mutate(&q)
			if err := q.Validate(); domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("Validate() = %v, want invalid", err)
			}
		})
	}
}

func TestWarehouseValidate(t *testing.T) {
	w := domain.Warehouse{Code: "JP-ICH", Name: "市川物流センター", TimeZone: "Asia/Tokyo",
		Address: domain.Address{Company: "ポルトラン株式会社", Line1: "塩浜2丁目13-1", City: "市川市", Country: "JP"}}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	w.TimeZone = "Mars/Olympus"
	if err := w.Validate(); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("bad time zone accepted: %v", err)
	}
}
