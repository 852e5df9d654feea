package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/app/cli"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
)

func TestCLIBillingMonth(t *testing.T) {
	t.Parallel()
	db := demoDBOf(t, 1500, "--no-billing")
	// Last month is billed; rate cards from a year ago, this month and next.
	yearAgo, thisMonth, nextMonth := domaintest.MonthStart(-12).Format(time.DateOnly), domaintest.MonthStart(0).Format(time.DateOnly), domaintest.MonthStart(1).Format(time.DateOnly)
	lastDay := domaintest.MonthStart(0).AddDate(0, 0, -1).Format(time.DateOnly)
	run := func(args ...string) string {
		t.Helper()
		out, errs, code := runCLI(t, append([]string{"--db", db}, args...)...)
		if code != 0 {
			t.Fatalf("%v: %d %q %q", args, code, out, errs)
		}
		return out
	}
	run("clients", "add", "--code", "EU", "--name", `=HYPERLINK("http://x","EU")`, "--currency", "EUR", "--tax", "21", "--channels", "SHOP-EU")
	run("clients", "add", "--code", "JP", "--name", "株式会社ポルトラン", "--currency", "JPY", "--tax", "10", "--channels", "BC-APAC")
	run("clients", "add", "--code", "AM", "--name", "Portolan Americas LLC", "--currency", "USD", "--channels", "WOO-AM")
	run("ratecards", "set", "--client", "EU", "--from", yearAgo, "--per-order", "1.50", "--per-line", "0.25", "--per-unit", "0.15",
		"--per-parcel", "0.40", "--markup", "12", "--box", "M=0.60", "--minimum", "50000.00")
	run("ratecards", "set", "--client", "JP", "--from", yearAgo, "--per-order", "220", "--markup", "10")
	run("ratecards", "set", "--client", "AM", "--from", yearAgo, "--per-order", "1.75", "--markup", "15")
	if _, errs, code := runCLI(t, "--db", db, "ratecards", "set", "--client", "JP", "--from", yearAgo, "--per-order", "2.20"); code == 0 {
		t.Errorf("yen with decimals accepted: %q", errs)
	}
	// From December, Americas pays flat shipping by zone and weight and
	// storage by the bin; November keeps its markup.
	run("ratecards", "set", "--client", "AM", "--from", thisMonth, "--per-order", "1.75", "--storage-per-bin-day", "0.08",
		"--flat", "US up to 2000 g: 6.90; North America up to 5000 g: 12.00; * up to 30000 g: 35.00")
	if out := run("ratecards", "list", "--client", "AM"); !strings.Contains(out, "AM from "+yearAgo+" (USD)") || !strings.Contains(out, "shipping: carrier cost + 15.00 %") ||
		!strings.Contains(out, "AM from "+thisMonth+" (USD)") || !strings.Contains(out, "storage per bin-day 0.08 USD") ||
		!strings.Contains(out, "US up to 2000 g: 6.90\n    North America up to 5000 g: 12.00\n    * up to 30000 g: 35.00") {
		t.Errorf("rate cards:\n%s", out)
	}
	if _, errs, code := runCLI(t, "--db", db, "ratecards", "set", "--client", "AM", "--from", nextMonth, "--flat", "Atlantis up to 1000 g: 9.00"); code == 0 ||
		!strings.Contains(errs, "Atlantis") {
		t.Errorf("an unknown zone: %d %q", code, errs)
	}
	// Rates as the ECB publishes them.
	ecb := filepath.Join(t.TempDir(), "eurofxref.csv")
	var b strings.Builder
	b.WriteString("Date,USD,JPY,BGN,\n")
	for d := domaintest.MonthStart(-1); d.Before(domaintest.MonthStart(0)); d = d.AddDate(0, 0, 1) {
		fmt.Fprintf(&b, "%s,1.0823,162.50,N/A,\n", d.Format(time.DateOnly))
	}
	days := domaintest.MonthStart(0).AddDate(0, 0, -1).Day()
	os.WriteFile(ecb, []byte(b.String()), 0o644)
	if out := run("fx", "import", ecb); !strings.Contains(out, fmt.Sprintf("Imported %d rate(s)", 2*days)) {
		t.Errorf("fx import: %q", out)
	}
	xml := filepath.Join(t.TempDir(), "eurofxref-daily.xml")
	os.WriteFile(xml, []byte(`<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">`+
		`<Cube><Cube time='`+lastDay+`'><Cube currency='USD' rate='1.0823'/><Cube currency='JPY' rate='162.50'/></Cube></Cube></gesmes:Envelope>`), 0o644)
	if out := run("fx", "import", xml); !strings.Contains(out, "Imported 2 rate(s) of "+lastDay+" to "+lastDay) {
		t.Errorf("fx import xml: %q", out)
	}
	out := run("invoices", "generate", "--period", lastMonth)
	if !strings.Contains(out, "3 draft invoice(s)") {
		t.Fatalf("generate: %s", out)
	}
	out = run("invoices", "issue", "--period", lastMonth)
	if strings.Count(out, "INV-") != 3 {
		t.Fatalf("issue: %s", out)
	}
	// A DHL invoice: one parcel charged right, one overcharged, one not ours.
	out = run("shipments", "list", "--carrier", "DHL", "--format", "json", "--limit", "5000")
	var ships []cli.ShipmentJSON
	json.Unmarshal([]byte(out), &ships)
	var nov []string
	for _, s := range ships {
		if strings.HasPrefix(s.LastEventAt, lastMonth) {
			nov = append(nov, s.TrackingNumber)
		}
	}
	if len(nov) < 4 {
		t.Fatalf("%d DHL parcels in November", len(nov))
	}
	inv := filepath.Join(t.TempDir(), "dhl.csv")
	// A file with a bad row imports nothing; fixed, it imports once: no line is charged twice.
	os.WriteFile(inv, []byte("AWB,Currency,Total charge\n"+nov[0]+",EUR,999.00\n"+nov[1]+",EUR,0.01\n9999999999,EUR,12.00\n"+nov[3]+",EUR,12abc\n"), 0o644)
	if _, errs, code := runCLI(t, "--db", db, "carrier-invoices", "import", inv, "--carrier", "DHL", "--period", lastMonth); code == 0 ||
		!strings.Contains(errs, "nothing was imported") || !strings.Contains(errs, "12abc") {
		t.Errorf("a file with a bad row: %d %q", code, errs)
	}
	os.WriteFile(inv, []byte("AWB,Currency,Total charge\n"+nov[0]+",EUR,999.00\n"+nov[1]+",EUR,0.01\n9999999999,EUR,12.00\n"), 0o644)
	out = run("carrier-invoices", "import", inv, "--carrier", "DHL", "--period", lastMonth)
	if !strings.Contains(out, "1 over") || !strings.Contains(out, "1 not ours") || !strings.Contains(out, "1 matched") {
		t.Errorf("carrier invoice: %s", out)
	}
	// The same file again is refused: nothing charged twice.
	if _, errs, code := runCLI(t, "--db", db, "carrier-invoices", "import", inv, "--carrier", "dhl", "--period", lastMonth); code == 0 ||
		!strings.Contains(errs, "already imported") {
		t.Errorf("the same file again: %d %q", code, errs)
	}
	// A later invoice charging a parcel again: over by all of it. Without
	// --period it is last month's (on any day, the 31st too).
	later := filepath.Join(t.TempDir(), "dhl-2.csv")
	os.WriteFile(later, []byte("AWB,Currency,Total charge\n"+nov[1]+",EUR,6.50\n"), 0o644)
	if out := run("carrier-invoices", "import", later, "--carrier", "DHL"); !strings.Contains(out, "DHL "+lastMonth+": 0 matched, 1 over (650 minor units") {
		t.Errorf("charged again: %s", out)
	}
	// A carrier writing its own headers: named once by a mapping, remembered.
	de := filepath.Join(t.TempDir(), "dpd.csv")
	os.WriteFile(de, []byte("Sendungsnummer;Betrag;Währung\n"+nov[2]+";7,80;EUR\n"), 0o644)
	if _, errs, code := runCLI(t, "--db", db, "carrier-invoices", "import", de, "--carrier", "DPD", "--period", lastMonth); code == 0 ||
		!strings.Contains(errs, "no tracking column") {
		t.Errorf("unknown headers: %d %q", code, errs)
	}
	mapping := filepath.Join(t.TempDir(), "dpd.json")
	os.WriteFile(mapping, []byte(`{"tracking": "Sendungsnummer", "amount": "Betrag", "currency": "Währung"}`), 0o644)
	// DPD's price may be within the expected cost or over it (it depends on the parcel).
	matched := 1
	if out := run("carrier-invoices", "import", de, "--carrier", "DPD", "--period", lastMonth, "--mapping", mapping); strings.Contains(out, "1 matched") {
		matched++
	} else if !strings.Contains(out, "1 over") {
		t.Errorf("with the mapping: %s", out)
	}
	// DPD's next invoice, read with the remembered columns (the parcel charged
	// again: over by all of it).
	de2 := filepath.Join(t.TempDir(), "dpd-2.csv")
	os.WriteFile(de2, []byte("Sendungsnummer;Betrag;Währung\n"+nov[2]+";8,10;EUR\n"), 0o644)
	if out := run("carrier-invoices", "import", de2, "--carrier", "dpd", "--period", lastMonth); !strings.Contains(out, "0 matched, 1 over (810 minor units") {
		t.Errorf("the remembered mapping: %s", out)
	}
	// The matched line becomes a payable, the overcharge is disputed.
	if out := run("carrier-invoices", "accept", "--period", lastMonth, "--class", "matched"); !strings.Contains(out, fmt.Sprintf("%d line(s) accepted", matched)) {
		t.Errorf("accept: %s", out)
	}
	if out := run("carrier-invoices", "dispute", "--period", lastMonth, "--tracking", nov[0]); !strings.Contains(out, "1 line(s) disputed") {
		t.Errorf("dispute: %s", out)
	}
	if out := run("carrier-invoices", "payables", "--period", lastMonth); !strings.Contains(out, "0.01 EUR  1") || !strings.Contains(out, "999.00 EUR  1") {
		t.Errorf("payables: %s", out)
	}
	book := filepath.Join(t.TempDir(), "2026-11.xlsx")
	out = run("invoices", "export", "--period", lastMonth, "--out", book, "--company", "Portolan Logistics B.V.")
	if !strings.Contains(out, "charge line(s)") {
		t.Fatalf("export: %s", out)
	}
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Summary")
	found := false
	for _, r := range rows {
		if len(r) > 1 && r[0] == `=HYPERLINK("http://x","EU")` {
			found = true
		}
	}
	if formula, _ := f.GetCellFormula("Summary", "A5"); !found || formula != "" {
		t.Errorf("the client's name should be text: %v", rows)
	}
	recon, _ := f.GetRows("Carrier reconciliation")
	if len(recon) < 4+1+1 {
		t.Errorf("reconciliation rows %d", len(recon))
	}
	lines, _ := f.GetRows("Lines")
	if len(lines) < 100 {
		t.Errorf("%d lines", len(lines))
	}
	// The invoicing company: a wrong country is refused, then set and shown.
	if _, errs, code := runCLI(t, "--db", db, "billing", "company", "--name", "Portolan Logistics B.V.", "--country", "XX"); code == 0 ||
		!strings.Contains(errs, "ISO 3166-1") {
		t.Errorf("a wrong country: %d %q", code, errs)
	}
	run("billing", "company", "--name", "Portolan Logistics B.V.", "--line1", "Celsiusweg 40", "--postal", "5928 PR", "--city", "Venlo",
		"--country", "nl", "--vat", "NL859623471B01", "--payment", `IBAN NL91 ABNA 0417 1643 00\nBIC ABNANL2A`)
	if out := run("billing", "company"); !strings.Contains(out, "5928 PR Venlo\nNL\nVAT NL859623471B01\nPayment: IBAN NL91 ABNA 0417 1643 00 · BIC ABNANL2A") {
		t.Errorf("company: %q", out)
	}
	// An issued invoice as a PDF.
	pdfOut := filepath.Join(t.TempDir(), "inv.pdf")
	run("invoices", "pdf", "--id", "1", "--out", pdfOut, "--company", "Portolan Logistics B.V.")
	if b, err := os.ReadFile(pdfOut); err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Errorf("invoice pdf: %v", err)
	}
	// The issued invoices cannot be drafted again.
	if out := run("invoices", "generate", "--period", lastMonth); !strings.Contains(out, "0 draft invoice(s)") {
		t.Errorf("again after issue: %s", out)
	}
}

func TestDemoBillingHistory(t *testing.T) {
	t.Parallel()
	db := demoDBOf(t, 3000)
	out, _, code := runCLI(t, "--db", db, "invoices", "list")
	if code != 0 || len(regexp.MustCompile(`INV-\d{4}-`).FindAllString(out, -1)) != 6 || strings.Count(out, "draft") != 3 || !strings.Contains(out, "partly paid") {
		t.Fatalf("demo invoices:\n%s", out)
	}
	book := filepath.Join(t.TempDir(), "oct.xlsx")
	if _, errs, code := runCLI(t, "--db", db, "invoices", "export", "--period", domaintest.Month(-2), "--out", book); code != 0 {
		t.Fatal(errs)
	}
	if _, errs, code := runCLI(t, "--db", db, "invoices", "export", "--period", domaintest.Month(-2), "--out", db, "--force"); code == 0 ||
		!strings.Contains(errs, "must end in .xlsx") {
		t.Errorf("export over the database: %d %q", code, errs)
	}
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Carrier reconciliation")
	classes := map[string]int{}
	for _, r := range rows[4:] {
		if len(r) > 1 {
			classes[r[1]]++
		}
	}
	if classes["matched"] == 0 || classes["over"] == 0 || classes["not ours"] != 1 || classes["missing"] != 1 {
		t.Errorf("reconciliation %v", classes)
	}
}

func TestBillingMargins(t *testing.T) {
	t.Parallel()
	db := demoDBOf(t, 3000)
	out, errs, code := runCLI(t, "--db", db, "billing", "margins", "--period", domaintest.Month(-2), "--by", "client")
	if code != 0 || strings.Count(out, "\n") != 4 || !strings.Contains(out, "Portolan Outfitters Europe B.V.") || !strings.Contains(out, " JPY") {
		t.Fatalf("margins by client: %d %q %q", code, out, errs)
	}
	a := openAt(t, db, testClock.Now)
	ctx := context.Background()
	byCountry, err := a.Billing.Margins(ctx, domaintest.Month(-2), "country", "EUR")
	if err != nil || len(byCountry) < 5 {
		t.Fatalf("by country: %v %d", err, len(byCountry))
	}
	var orders int
	for _, m := range byCountry {
		if m.Currency != "EUR" || m.Margin != m.Revenue-m.Cost-m.Boxes || m.Revenue <= 0 || m.Cost <= 0 {
			t.Errorf("row %+v", m)
		}
		orders += m.Orders
	}
	byOrder, _ := a.Billing.Margins(ctx, domaintest.Month(-2), "order", "EUR")
	if len(byOrder) != orders {
		t.Errorf("%d orders by country, %d rows by order", orders, len(byOrder))
	}
	if _, err := a.Billing.Margins(ctx, domaintest.Month(-2), "warehouse", "EUR"); err == nil {
		t.Error("margins by warehouse accepted")
	}
	// Two channels numbering their orders alike: still a row per order.
	var ids []int64
	for i, name := range []string{"Twin Shop A", "Twin Shop B"} {
		if err := a.BulkInsertOrders(ctx, name, app.SandboxOrders(3, 7, testClock.Now())); err != nil {
			t.Fatal(err)
		}
		chans, _ := a.Intake.Channels(ctx)
		for _, ch := range chans {
			if ch.Name == name {
				ids = append(ids, ch.ID)
				orders, _ := a.Orders.OrderSummaries(ctx, domain.OrderFilter{ChannelID: ch.ID}, 0, 10)
				var ships []domain.Shipment
				for j, o := range orders {
					ships = append(ships, domain.Shipment{OrderID: o.ID, Carrier: "DHL", Tracking: domain.MakeTrackingNumber(domain.CarrierDHL, int64(9_000_000+i*10+j)),
						Destination: o.Country, ShippedAt: domaintest.MonthStart(-2).AddDate(0, 0, 11).Add(10 * time.Hour), Milestone: domain.MilestoneDelivered})
				}
				if err := a.BulkShipments(ctx, ships); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	twins := domain.Client{Code: "TWINS", Name: "Twin Shops Ltd", Currency: "EUR", Channels: ids}
	if err := a.Billing.SaveClient(ctx, &twins); err != nil {
		t.Fatal(err)
	}
	card := domain.RateCard{ClientID: twins.ID, EffectiveFrom: domaintest.MonthStart(-12), Currency: "EUR", PerOrder: 100}
	if err := a.Billing.SaveRateCard(ctx, &card); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Billing.Generate(ctx, domaintest.Month(-2), twins.ID); err != nil {
		t.Fatal(err)
	}
	again, _ := a.Billing.Margins(ctx, domaintest.Month(-2), "order", "EUR")
	if len(again) != len(byOrder)+6 {
		t.Errorf("%d rows by order after 6 orders numbered in pairs, want %d", len(again), len(byOrder)+6)
	}
}
