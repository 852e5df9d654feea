package pdf_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/pdf"
)

func TestInvoicePDF(t *testing.T) {
	d := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	inv := domain.Invoice{ID: 3, Number: "INV-2026-00003", Date: d, Due: d.AddDate(0, 0, 30), PeriodFrom: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		PeriodTo: d, Currency: "JPY", Net: 9870, Tax: 987, Status: domain.InvoiceIssued,
		Lines: []domain.Charge{
			{Date: d.AddDate(0, 0, -20), Type: domain.ChargeOrder, Ref: "BC-102978", Qty: 1, Rate: 220, Amount: 220, Currency: "JPY"},
			{Date: d.AddDate(0, 0, -20), Type: domain.ChargeShipping, Ref: "BC-102978 / 3318810025", Qty: 1, Rate: 9650, Amount: 9650, Currency: "JPY"},
		}}
	client := domain.Client{Name: "株式会社ポルトラン", TaxBP: 1000, VATNumber: "T1234567890123",
		Address: domain.Address{Name: "株式会社ポルトラン", Line1: "神南1-2-3", City: "渋谷区", PostalCode: "150-0041", Country: "JP"}}
	seller := pdf.InvoiceParty{Name: "Portolan Logistics B.V.", VATNumber: "NL123456789B01",
		Address: domain.Address{Company: "Portolan Logistics B.V.", Line1: "Celsiusweg 40", City: "Venlo", PostalCode: "5928 PR", Country: "NL"},
		Payment: "MUFG Bank, Ltd.\nIBAN NL91 ABNA 0417 1643 00"}
	var b bytes.Buffer
	if err := pdf.InvoicePDF(&b, inv, seller, client, pdf.A4); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdfText(t, b.Bytes())), " ")
	for _, want := range []string{"Invoice", "INV-2026-00003", "株式会社ポルトラン", "神南1-2-3", "T1234567890123", "Portolan Logistics B.V.",
		"2026-12-31", "2026-11-01 – 2026-11-30", "BC-102978 / 3318810025", "9650", "Tax (10 %) 987", "Total JPY 10857", "NL123456789B01",
		"Payment by 2026-12-31 MUFG Bank, Ltd. IBAN NL91 ABNA 0417 1643 00"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q missing from %s", want, text)
		}
	}
	// A credit note says so.
	cn := domain.Invoice{ID: 4, Number: "CN-2026-00001", Date: d, Currency: "EUR", Net: -1000, Tax: -210, Status: domain.InvoiceCredit, Corrects: 3}
	b.Reset()
	if err := pdf.InvoicePDF(&b, cn, seller, domain.Client{Name: "Müller GmbH", TaxBP: 2100}, pdf.Letter); err != nil {
		t.Fatal(err)
	}
	text = strings.Join(strings.Fields(pdfText(t, b.Bytes())), " ")
	for _, want := range []string{"Credit note", "CN-2026-00001", "Müller GmbH", "Total EUR -12.10", "Correction of invoice 3"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q missing from %s", want, text)
		}
	}
	if strings.Contains(text, "Payment by") { // nothing to pay on a credit note
		t.Errorf("a credit note asks for payment: %s", text)
	}
}
