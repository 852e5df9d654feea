package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
)

// Headers of Shopify's order export (a subset, in its order).
var shopifyExport = []string{"Name", "Email", "Financial Status", "Paid at", "Currency", "Subtotal", "Shipping", "Taxes", "Total",
	"Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku", "Shipping Name", "Shipping Street",
	"Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip", "Shipping Province",
	"Shipping Country", "Shipping Phone", "Notes", "Id"}

func TestGuessMappingOfShopifyExport(t *testing.T) {
	m := domain.GuessMapping(shopifyExport)
	want := map[domain.ImportField]string{
		domain.FieldOrderID: "Id", domain.FieldNumber: "Name", domain.FieldCurrency: "Currency", domain.FieldSKU: "Lineitem sku",
		domain.FieldQuantity: "Lineitem quantity", domain.FieldUnitPrice: "Lineitem price", domain.FieldName: "Shipping Name",
		domain.FieldAddress1: "Shipping Address1", domain.FieldCity: "Shipping City", domain.FieldCountry: "Shipping Country",
		domain.FieldPostalCode: "Shipping Zip", domain.FieldPlacedAt: "Created at", domain.FieldTotal: "Total",
		domain.FieldTax: "Taxes", domain.FieldShipping: "Shipping", domain.FieldStatus: "Financial Status", domain.FieldEmail: "Email",
	}
	for f, h := range want {
		if m[f] != h {
			t.Errorf("%s mapped to %q, want %q", f, m[f], h)
		}
	}
	if len(m.Missing()) != 0 {
		t.Errorf("missing %v", m.Missing())
	}
	if missing := domain.GuessMapping([]string{"foo", "bar"}).Missing(); len(missing) != len(domain.RequiredImportFields) {
		t.Errorf("missing %v", missing)
	}
}

func TestBuildOrders(t *testing.T) {
	headers := []string{"Order", "Date", "Currency", "SKU", "Qty", "Price", "Recipient", "Street", "City", "Zip", "Country", "Total", "Status"}
	m := domain.ColumnMapping{domain.FieldOrderID: "Order", domain.FieldPlacedAt: "Date", domain.FieldCurrency: "Currency",
		domain.FieldSKU: "SKU", domain.FieldQuantity: "Qty", domain.FieldUnitPrice: "Price", domain.FieldName: "Recipient",
		domain.FieldAddress1: "Street", domain.FieldCity: "City", domain.FieldPostalCode: "Zip", domain.FieldCountry: "Country",
		domain.FieldTotal: "Total", domain.FieldStatus: "Status"}
	rows := [][]string{
		{"A-1", "2026-11-20 14:30", "JPY", "PRT-1", "2", "¥4,800", "山田 太郎", "神南1-2-3", "渋谷区", "150-0041", "JP", "9600", "paid"},
		{"A-1", "", "JPY", "PRT-2", "1.0", "1200", "", "", "", "", "", "", ""},
		{"A-2", "46346.5", "KWD", "PRT-3", "3", "1.250", "يوسف العنزي", "شارع الخليج", "الكويت", "15000", "Kuwait", "", "cancelled"},
		{"A-3", "2026-11-21", "EUR", "PRT-4", "two", "12,50", "Jürgen Müller", "Königsallee 5", "Düsseldorf", "40212", "DE", "", ""},
		{"A-3", "", "EUR", "PRT-5", "1", "3", "", "", "", "", "", "", ""},
		{"A-4", "yesterday", "EUR", "PRT-6", "1", "3", "X", "Y", "Z", "1", "UK", "", ""},
		{"", "", "", "", "", "", "", "", "", "", "", "", ""},
		{"", "2026-11-21", "EUR", "PRT-7", "1", "3", "X", "Y", "Z", "1", "DE", "", ""},
		{"A-5", "2026-11-21T10:00:00+02:00", "EUR", "PRT-8", "1", "9.99", "Ana", "Rua 1", "Lisboa", "1000", "PT", "9.99", ""},
		{"A-5", "", "USD", "PRT-9", "1", "1", "", "", "", "", "", "", ""},
	}
	orders, problems := domain.BuildOrders(headers, rows, m, domain.ImportOptions{Location: time.FixedZone("JST", 9*3600)})
	if len(orders) != 2 || orders[0].Order.ExternalID != "A-1" || orders[1].Order.ExternalID != "A-2" {
		t.Fatalf("orders %+v", orders)
	}
	a1 := orders[0].Order
	if len(a1.Lines) != 2 || a1.Lines[0].UnitPrice != domain.NewMoney(4800, "JPY") || a1.Lines[1].Quantity != 1 ||
		a1.Total != domain.NewMoney(9600, "JPY") || a1.ShipTo.Name != "山田 太郎" {
		t.Errorf("A-1 %+v", a1)
	}
	if !a1.PlacedAt.Equal(time.Date(2026, 11, 20, 5, 30, 0, 0, time.UTC)) {
		t.Errorf("local time not read in the given zone: %v", a1.PlacedAt)
	}
	a2 := orders[1]
	if !a2.Cancelled || a2.Order.ShipTo.Country != "KW" || a2.Order.Total != domain.NewMoney(3750, "KWD") {
		t.Errorf("A-2 %+v", a2)
	}
	if !a2.Order.PlacedAt.Equal(time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)) { // serial 46346.5 = 2026-11-20 12:00 JST
		t.Errorf("serial date read as %v", a2.Order.PlacedAt)
	}
	var texts []string
	for _, p := range problems {
		texts = append(texts, p.String())
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"row 5 (order A-3), Qty", "row 7 (order A-4), Date", "row 7 (order A-4), Country: \"UK\"",
		"row 9, Order: no order id", "row 11 (order A-5), Currency: currency USD differs"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "row 8") {
		t.Errorf("a blank row was reported:\n%s", all)
	}
	_, problems = domain.BuildOrders(headers, rows, domain.ColumnMapping{domain.FieldOrderID: "Order"}, domain.ImportOptions{})
	if len(problems) != 1 || !strings.Contains(problems[0].Message, "map a column to currency") {
		t.Errorf("incomplete mapping: %v", problems)
	}
}

// Amounts that would overflow a total are refused with the row, not summed
// into 0.00.
func TestBuildOrdersRefusesOverflowingAmounts(t *testing.T) {
	headers := []string{"Order", "Currency", "SKU", "Qty", "Price", "Recipient", "Street", "City", "Zip", "Country", "Date"}
	m := domain.ColumnMapping{domain.FieldPlacedAt: "Date", domain.FieldOrderID: "Order", domain.FieldCurrency: "Currency", domain.FieldSKU: "SKU", domain.FieldQuantity: "Qty",
		domain.FieldUnitPrice: "Price", domain.FieldName: "Recipient", domain.FieldAddress1: "Street", domain.FieldCity: "City",
		domain.FieldPostalCode: "Zip", domain.FieldCountry: "Country"}
	addr := []string{"Ana", "Rua 1", "Lisboa", "1000", "PT", "2026-11-21"}
	rows := [][]string{
		append([]string{"B-1", "EUR", "PRT-1", "1000", "92,233,720,368,547,758.07"}, addr...),
		append([]string{"B-2", "EUR", "PRT-1", "1000000000", "10000000000000.00"}, addr...),
		append([]string{"B-3", "EUR", "PRT-1", "2", "10.00"}, addr...),
	}
	orders, problems := domain.BuildOrders(headers, rows, m, domain.ImportOptions{Location: time.UTC})
	if len(orders) != 1 || orders[0].Order.ExternalID != "B-3" || orders[0].Order.Total != domain.NewMoney(2000, "EUR") {
		t.Fatalf("orders %+v\n%v", orders, problems)
	}
	var all []string
	for _, p := range problems {
		all = append(all, p.String())
	}
	text := strings.Join(all, "\n")
	if len(problems) != 2 || !strings.Contains(text, "largest amount") || !strings.Contains(text, "do not add up") {
		t.Errorf("problems:\n%s", text)
	}
}

// Text is bounded, control characters and impossible dates refused, a row
// copied twice flagged: such orders are refused with the reason (the store
// quarantines them; an import lists them).
func TestImplausibleOrdersAreRefused(t *testing.T) {
	good := domain.Order{ExternalID: "1", Number: "#1", PlacedAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Currency: "EUR",
		Lines:  []domain.OrderLine{{SKU: "PRT-1", Quantity: 1, UnitPrice: domain.NewMoney(1000, "EUR")}},
		Total:  domain.NewMoney(1000, "EUR"),
		ShipTo: domain.Address{Name: "Ana", Line1: "Rua 1", City: "Lisboa", Country: "PT"}, Status: domain.StatusNew}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*domain.Order){
		"a 5,000,000-character name": func(o *domain.Order) { o.ShipTo.Name = strings.Repeat("A", 5_000_000) },
		"a bell in a name":           func(o *domain.Order) { o.ShipTo.Name = "Ana\x07" },
		"a line break in the city":   func(o *domain.Order) { o.ShipTo.City = "Lis\nboa" },
		"placed in 1899":             func(o *domain.Order) { o.PlacedAt = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC) },
		"placed in 9999":             func(o *domain.Order) { o.PlacedAt = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC) },
	} {
		o := good
		change(&o)
		if err := o.Validate(); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	notes := good
	notes.Notes = "Ring twice.\nLeave at the door."
	if err := notes.Validate(); err != nil {
		t.Errorf("notes on two lines: %v", err)
	}

	headers := []string{"Order", "Date", "Currency", "SKU", "Qty", "Price", "Recipient", "Street", "City", "Zip", "Country", "Total"}
	m := domain.ColumnMapping{domain.FieldOrderID: "Order", domain.FieldPlacedAt: "Date", domain.FieldCurrency: "Currency",
		domain.FieldSKU: "SKU", domain.FieldQuantity: "Qty", domain.FieldUnitPrice: "Price", domain.FieldName: "Recipient",
		domain.FieldAddress1: "Street", domain.FieldCity: "City", domain.FieldPostalCode: "Zip", domain.FieldCountry: "Country", domain.FieldTotal: "Total"}
	row := []string{"D-1", "2026-11-21", "EUR", "PRT-1", "1", "10.00", "Ana", "Rua 1", "Lisboa", "1000", "PT", "10.00"}
	orders, problems := domain.BuildOrders(headers, [][]string{row, row, row}, m, domain.ImportOptions{Location: time.UTC})
	if len(orders) != 0 || len(problems) != 2 || !strings.Contains(problems[0].String(), "repeats row 2") {
		t.Errorf("a row copied: %d orders, %v", len(orders), problems)
	}
}
