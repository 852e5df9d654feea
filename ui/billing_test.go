package ui_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/ui"
)

func TestBillingScreen(t *testing.T) {
	a, err := app.Open(filepath.Join(t.TempDir(), "bill.db"), app.Options{Now: testClock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.Demo.Load(context.Background(), app.DemoOptions{Orders: 2000, Billing: true}, nil); err != nil {
		t.Fatal(err)
	}
	m := newWindow(t, a)
	ui.SetDocumentsFolder(t.TempDir())
	ui.WithUI(func() { m.Start() })
	settle(m)
	s := m.Billing
	// The demo's months: two issued (the second partly paid), last month
	// drafted; fxDay is the last day of last month.
	issued, drafted := a.Demo.History.Issued[1], a.Demo.History.Drafted
	if issued != domaintest.Month(-2) || drafted != domaintest.Month(-1) || a.Demo.History.Current != domaintest.Month(0) {
		t.Fatalf("demo history %+v for today %s", a.Demo.History, domaintest.Today().Format(time.DateOnly))
	}
	fxDay := domaintest.MonthStart(0).AddDate(0, 0, -1).Format(time.DateOnly)
	// The window opens on this month, whose charges accrue (after its first
	// day, storage every day).
	if s.Period.Selected != domaintest.Month(0) || !strings.HasSuffix(s.ChargeCount.Text, " in "+domaintest.Month(0)) {
		t.Errorf("opens on %q: %q", s.Period.Selected, s.ChargeCount.Text)
	}
	if domaintest.Today().Day() > 2 && strings.HasPrefix(s.ChargeCount.Text, "0 ") {
		t.Errorf("no charges accrued this month: %q", s.ChargeCount.Text)
	}
	if !s.NoInvoices.Visible() || !strings.Contains(s.NoInvoices.Text, "No invoices for "+domaintest.Month(0)+" yet") {
		t.Errorf("the current month without invoices says nothing: %q", s.NoInvoices.Text)
	}
	ui.WithUI(func() { s.Period.SetSelected(issued) })
	settle(m)
	if s.NoInvoices.Visible() {
		t.Errorf("a month with invoices says it has none: %q", s.NoInvoices.Text)
	}
	if got := cell(t, s, s.Invoices, 0, 0); !strings.HasPrefix(got, "INV-"+domaintest.MonthStart(-1).Format("2006")+"-") {
		t.Fatalf("October's first invoice %q / %q", got, s.Problem.Text)
	}
	// The USD invoice of October is open: pay it.
	row := -1
	for r := 0; r < 3; r++ {
		if strings.HasSuffix(cell(t, s, s.Invoices, r, 7), "USD") && cell(t, s, s.Invoices, r, 2) == "issued" {
			row = r
		}
	}
	if row < 0 {
		t.Fatal("no open USD invoice in October")
	}
	ui.WithUI(func() { s.Invoices.Select(widget.TableCellID{Row: row, Col: 0}) })
	open := cell(t, s, s.Invoices, row, 7)
	ui.WithUI(func() {
		s.SavePayment(mustID(t, a, issued, row), strings.TrimSuffix(open, " USD"), "USD", domaintest.Today().Format(time.DateOnly))
	})
	settle(m)
	if !strings.Contains(s.Result.Text, "Payment of") || cell(t, s, s.Invoices, row, 2) != "paid" {
		t.Errorf("after payment: %q / %q, status %q", s.Result.Text, s.Problem.Text, cell(t, s, s.Invoices, row, 2))
	}
	// October's margins: per client in each client's currency, then per
	// destination country in euros, the thinnest first.
	if !strings.Contains(s.Margins.Summary.Text, issued+":") || !strings.Contains(s.Margins.Summary.Text, "JPY") ||
		!strings.HasPrefix(cell(t, s, s.Margins.Table, 0, 0), "Portolan Outfitters") {
		t.Errorf("margins per client: %q, first %q", s.Margins.Summary.Text, cell(t, s, s.Margins.Table, 0, 0))
	}
	ui.WithUI(func() { s.Margins.By.SetSelected("country") })
	settle(m)
	thin, next := cell(t, s, s.Margins.Table, 0, 5), cell(t, s, s.Margins.Table, 1, 5)
	if code, name, _ := strings.Cut(cell(t, s, s.Margins.Table, 0, 0), "  "); len(code) != 2 || domain.Country(code).Name() != name || !strings.HasSuffix(thin, " EUR") || strings.Contains(s.Margins.Summary.Text, "JPY") {
		t.Errorf("margins per country: %q %q / %q", cell(t, s, s.Margins.Table, 0, 0), thin, s.Margins.Summary.Text)
	}
	if a, b := mustPercent(t, cell(t, s, s.Margins.Table, 0, 6)), mustPercent(t, cell(t, s, s.Margins.Table, 1, 6)); a > b {
		t.Errorf("the thinnest margin is not first: %s (%s) then %s", thin, cell(t, s, s.Margins.Table, 0, 6), next)
	}
	// The month's workbook, with progress.
	ui.WithUI(func() { s.ExportExcel() })
	settle(m)
	if b, err := os.ReadFile(s.LastPath); err != nil || filepath.Base(s.LastPath) != "billing-"+issued+".xlsx" || !strings.HasPrefix(string(b), "PK") {
		t.Fatalf("export %q: %v / %q", s.LastPath, err, s.Problem.Text)
	}
	// The reconciliation of DHL's October invoice.
	if cell(t, s, s.Recon, 0, 0) != "DHL" {
		t.Errorf("reconciliation %q", cell(t, s, s.Recon, 0, 0))
	}
	// Matched lines become payables.
	ui.WithUI(func() { s.AcceptAll.OnTapped() })
	settle(m)
	if !strings.Contains(s.Payables.Text, "DHL: payable") || strings.Contains(s.Payables.Text, "payable 0.00 EUR (0 lines)") {
		t.Errorf("payables %q / %q", s.Payables.Text, s.Problem.Text)
	}
	// Charges page by page.
	if !strings.Contains(s.ChargeCount.Text, "charges in "+issued) || cell(t, s, s.Charges, 0, 0) == "…" {
		t.Errorf("charges %q %q", s.ChargeCount.Text, cell(t, s, s.Charges, 0, 0))
	}
	// Filtered: one type.
	ui.WithUI(func() { s.ChargeType.SetSelected("shipping") })
	settle(m)
	if got := cell(t, s, s.Charges, 0, 2); got != "shipping" {
		t.Errorf("filtered charges show %q", got)
	}
	// November: issue a draft, then its PDF.
	ui.WithUI(func() { s.Period.SetSelected(drafted) })
	settle(m)
	ui.WithUI(func() { s.Invoices.Select(widget.TableCellID{Row: 0, Col: 0}) })
	ui.WithUI(func() { s.IssueSelected() })
	settle(m)
	if !strings.HasPrefix(s.Result.Text, "Issued INV-") {
		t.Fatalf("issue: %q / %q", s.Result.Text, s.Problem.Text)
	}
	ui.WithUI(func() { s.Invoices.Select(widget.TableCellID{Row: 0, Col: 0}) })
	ui.WithUI(func() { s.SavePDF() })
	settle(m)
	if !strings.HasSuffix(s.LastPath, ".pdf") {
		t.Errorf("pdf %q / %q", s.LastPath, s.Problem.Text)
	}
	// A carrier invoice with its own headers: the window shows no column
	// for tracking until the coordinator chooses one, then reconciles.
	ships, err := a.Tracking.Shipments(context.Background(), domain.ShipmentFilter{Carrier: "DHL"}, 0, 5000)
	if err != nil {
		t.Fatal(err)
	}
	var nov string
	for _, sh := range ships {
		if sh.ShippedAt.UTC().Format("2006-01") == drafted {
			nov = sh.Tracking
		}
	}
	if nov == "" {
		t.Fatal("no DHL parcel shipped in November")
	}
	dpd := filepath.Join(t.TempDir(), "dpd.csv")
	os.WriteFile(dpd, []byte("Sendungsnummer;Betrag;Währung\n"+nov+";7,80;EUR\n"), 0o644)
	ui.WithUI(func() { s.CarrierColumns(dpd, "DPD") })
	settle(m)
	if s.Mapping == nil || s.Mapping["tracking"].Selected != "(none)" || len(s.Mapping["tracking"].Options) != 4 ||
		s.Mapping["tracking"].Options[1] != "Sendungsnummer   (e.g. "+nov+")" {
		t.Fatalf("column choice before mapping: %+v / %q", s.Mapping, s.Problem.Text)
	}
	ui.WithUI(func() {
		s.SelectColumn("tracking", "Sendungsnummer")
		s.SelectColumn("amount", "Betrag")
		s.SelectColumn("currency", "Währung")
		s.ImportCarrierFile(dpd, "DPD", s.ChosenMapping())
	})
	settle(m)
	if !strings.Contains(s.Result.Text, "DPD "+drafted+":") || strings.Contains(s.Result.Text, "0 matched, 0 over") {
		t.Errorf("mapped import: %q / %q", s.Result.Text, s.Problem.Text)
	}
	// The next file from the same carrier opens with its columns remembered.
	ui.WithUI(func() { s.CarrierColumns(dpd, "DPD") })
	settle(m)
	if got := s.ChosenMapping(); got["tracking"] != "Sendungsnummer" || got["amount"] != "Betrag" {
		t.Errorf("remembered columns %v", got)
	}
	// The ECB's reference rates imported from its XML: the month's table
	// shows them; a broken file stores nothing and says why.
	ecb := filepath.Join(t.TempDir(), "eurofxref-daily.xml")
	os.WriteFile(ecb, []byte(`<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
<gesmes:subject>Reference rates</gesmes:subject><Cube><Cube time='`+fxDay+`'><Cube currency='USD' rate='1.0999'/><Cube currency='JPY' rate='163.25'/></Cube></Cube></gesmes:Envelope>`), 0o644)
	ui.WithUI(func() { s.FX.ImportFile(ecb) })
	settle(m)
	if !strings.Contains(s.Result.Text, "Imported 2 exchange rate(s) of "+fxDay) {
		t.Errorf("ecb import: %q / %q", s.Result.Text, s.Problem.Text)
	}
	found := false
	for r := 0; r < 10; r++ {
		if cell(t, s, s.FX.Table, r, 0)+" "+cell(t, s, s.FX.Table, r, 2)+" "+cell(t, s, s.FX.Table, r, 3) == fxDay+" JPY 163.25" {
			found = true
		}
	}
	if !found {
		t.Errorf("the imported JPY rate is not among November's: first %q", cell(t, s, s.FX.Table, 0, 2))
	}
	broken := filepath.Join(t.TempDir(), "broken.xml")
	os.WriteFile(broken, []byte("<Envelope><Cube><Cube time='"+fxDay+"'><Cube currency='USD' rate='1.5'/>"), 0o644)
	ui.WithUI(func() { s.FX.ImportFile(broken) })
	settle(m)
	if !strings.Contains(s.Problem.Text, "not well-formed XML") || cell(t, s, s.FX.Table, 0, 0) != fxDay {
		t.Errorf("broken file: %q, first day %q", s.Problem.Text, cell(t, s, s.FX.Table, 0, 0))
	}
	ui.WithUI(func() { s.FX.Save(fxDay, "EUR", "EURO", "1.2") })
	if !strings.Contains(s.Problem.Text, "ISO 4217") {
		t.Errorf("a wrong currency: %q", s.Problem.Text)
	}
	// A new rate card from the window: flat shipping by zone and storage by
	// the bin; a price list that cannot be read saves nothing.
	ui.WithUI(func() { s.Clients.Select(widget.TableCellID{Row: 0, Col: 0}) })
	settle(m)
	clients, err := a.Billing.Clients(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var first domain.Client
	for _, c := range clients {
		if cell(t, s, s.Clients, 0, 0) == c.Code {
			first = c
		}
	}
	before := len(mustCards(t, a, first.ID))
	ui.WithUI(func() {
		s.SaveCard(first, map[string]string{"From": domaintest.MonthStart(1).Format(time.DateOnly), "Per order": "2", "Storage per bin-day": "1",
			"Packaging per box": "S=1, M=2", "Flat shipping": "Atlantis up to 1000 g: 4"})
	})
	settle(m)
	if !strings.Contains(s.Problem.Text, "Atlantis") || len(mustCards(t, a, first.ID)) != before {
		t.Errorf("a wrong zone: %q, %d cards", s.Problem.Text, len(mustCards(t, a, first.ID)))
	}
	ui.WithUI(func() {
		s.SaveCard(first, map[string]string{"From": domaintest.MonthStart(1).Format(time.DateOnly), "Per order": "2", "Storage per bin-day": "1",
			"Packaging per box": "S=1, M=2", "Flat shipping": "JP up to 1000 g: 9\nAsia up to 5000 g: 20\n* up to 30000 g: 60"})
	})
	settle(m)
	cards := mustCards(t, a, first.ID)
	last := cards[len(cards)-1]
	if len(cards) != before+1 || len(last.Flat) != 3 || last.Packaging["M"] == 0 || last.StoragePerBinDay == 0 {
		t.Fatalf("saved card %+v / %q", last, s.Problem.Text)
	}
	if got := cell(t, s, s.Cards, len(cards)-1, 6); got != "flat, 3 price(s)" || !strings.Contains(s.CardInfo.Text, "Asia up to 5000 g") ||
		!strings.Contains(s.CardInfo.Text, "storage per bin-day") {
		t.Errorf("the card in the window: %q / %q", got, s.CardInfo.Text)
	}
	// November priced again from the window: the drafts go (made again by
	// Generate), the charges come back, issued invoices stay.
	charged, err := a.Billing.CountCharges(context.Background(), drafted, 0, "")
	if err != nil || charged == 0 {
		t.Fatalf("%d charges in %s: %v", charged, drafted, err)
	}
	ui.WithUI(func() { s.RecomputeMonth() })
	settle(m)
	again, _ := a.Billing.CountCharges(context.Background(), drafted, 0, "")
	if !strings.Contains(s.Result.Text, drafted+" priced again") || again < charged/2 {
		t.Errorf("recompute: %q / %q, %d charges then %d", s.Result.Text, s.Problem.Text, charged, again)
	}
	// The invoicing company: a wrong country is refused.
	ui.WithUI(func() {
		s.SaveCompany(domain.Company{Name: "Portolan Logistics B.V.", Address: domain.Address{Country: "ZZ"}})
	})
	settle(m)
	if !strings.Contains(s.Problem.Text, "ZZ") {
		t.Errorf("a wrong country: %q", s.Problem.Text)
	}
	ui.WithUI(func() {
		s.SaveCompany(domain.Company{Name: "Portolan Fulfilment GmbH", Address: domain.Address{City: "Leipzig", Country: "DE"}})
	})
	settle(m)
	if c, err := a.Billing.Company(context.Background()); err != nil || c.Name != "Portolan Fulfilment GmbH" || !strings.Contains(s.Result.Text, "Portolan Fulfilment GmbH") {
		t.Errorf("company %+v %v / %q", c, err, s.Result.Text)
	}
	// A client added through the form's save.
	ui.WithUI(func() {
		s.SaveClient(domain.Client{Code: "NEW", Name: "Neue Kunde GmbH", Currency: "CHF", TaxBP: 810, PaymentDays: 20, BillPer: "order"})
	})
	settle(m)
	if got := cell(t, s, s.Clients, 0, 0) + cell(t, s, s.Clients, 1, 0) + cell(t, s, s.Clients, 2, 0) + cell(t, s, s.Clients, 3, 0); !strings.Contains(got, "NEW") {
		t.Errorf("clients %q", got)
	}
}

// mustPercent reads "36.2 %" (or "−4.0 %") in tenths of a percent.
func mustPercent(t *testing.T, s string) int64 {
	t.Helper()
	v := strings.TrimSuffix(strings.Replace(s, "−", "-", 1), " %")
	whole, tenth, ok := strings.Cut(v, ".")
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(tenth, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		t.Fatalf("%q is not a percentage", s)
	}
	if strings.HasPrefix(whole, "-") {
		return w*10 - f
	}
	return w*10 + f
}

func mustCards(t *testing.T, a *app.App, client int64) []domain.RateCard {
	t.Helper()
	cards, err := a.Billing.RateCards(context.Background(), client)
	if err != nil {
		t.Fatal(err)
	}
	return cards
}

func mustID(t *testing.T, a *app.App, period string, row int) int64 {
	t.Helper()
	invs, err := a.Billing.Invoices(context.Background(), period)
	if err != nil || row >= len(invs) {
		t.Fatal(err)
	}
	return invs[row].ID
}
