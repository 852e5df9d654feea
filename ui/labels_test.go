package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/printing/cupstest"
	"github.com/portolan/portolan/integrations/sandbox"
	"github.com/portolan/portolan/ui"
	"github.com/portolan/portolan/ui/warehouse"
)

// At the pack bench: the rates of a wave's parcels from the sandbox
// EasyPost, the cheapest marked; the labels bought with progress; the
// parcels then carry the carrier's tracking numbers.
// packBench is a wave of two orders packed in the busiest warehouse, the
// sandbox EasyPost as a shipping account, and the window at that wave's
// Pack and ship.
func packBench(t *testing.T) (a *app.App, m *ui.MainWindow, s *warehouse.Screen, sh *warehouse.ShipPanel, packed map[int64]bool, wave domain.Wave) {
	t.Helper()
	a = demoApp(t, 600)
	ctx := context.Background()
	var err error
	plan, _ := a.Allocation.Plan(ctx, domain.OrderFilter{}, nil)
	if _, err := a.Allocation.Commit(ctx, plan); err != nil {
		t.Fatal(err)
	}
	wh := domaintest.BusiestWarehouse(plan)
	wave, err = a.Inventory.CreateWave(ctx, wh, domain.WaveFilter{MaxOrders: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range wave.Lines {
		if _, err := a.Inventory.ConfirmPick(ctx, l.ID, l.Qty); err != nil {
			t.Fatal(err)
		}
	}
	packed = map[int64]bool{}
	for _, l := range wave.Lines {
		if !packed[l.OrderID] {
			packed[l.OrderID] = true
			if _, err := a.Inventory.Pack(ctx, l.OrderID, wh, "M", 20000, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv := httptest.NewServer(sandbox.NewCarriers(time.Hour, testClock.Now))
	t.Cleanup(srv.Close)
	acct := domain.CarrierAccount{Kind: domain.CarrierEasyPost, Name: "EasyPost", BaseURL: srv.URL + "/easypost", Key: sandbox.EasyPostKey, PerSecond: 5, PerDay: 1000}
	if err := a.Tracking.SaveCarrierAccount(ctx, &acct); err != nil {
		t.Fatal(err)
	}

	svc := services(a)
	svc.Labels = a.Labels
	m = ui.NewMainWindow(test.NewTempApp(t), svc)
	t.Cleanup(m.Window.Close)
	ui.SetDocumentsFolder(t.TempDir())
	ui.WithUI(func() { m.Start() })
	settle(m)
	s = openWarehouse(m, wh, 6)
	sh = s.Ship
	ui.WithUI(func() { sh.SelectWave(wave.ID) })
	settle(m)
	return a, m, s, sh, packed, wave
}

func TestBuyingLabelsInTheWindow(t *testing.T) {
	a, m, s, sh, packed, wave := packBench(t)
	ctx := context.Background()
	if !sh.GetRates.Visible() {
		t.Fatal("no Get rates button with a label service")
	}
	ui.WithUI(func() { sh.ShowRates() })
	settle(m)
	if sh.RatesTable == nil {
		t.Fatalf("no rates shown: %q", s.Problem.Text)
	}
	// Every account's quotes (the demo may have a sandbox account of its own).
	var ids []int64
	ps, _ := a.Inventory.ParcelsOfWave(ctx, wave.ID)
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	want, err := a.Labels.Rates(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	quotes := 0
	for _, r := range want {
		quotes += len(r.Quotes)
	}
	rows, _ := sh.RatesTable.Length()
	if rows != quotes || rows < 3*len(packed) {
		t.Fatalf("%d rates shown for %d parcels, the accounts quote %d", rows, len(packed), quotes)
	}
	// The rate each purchase takes is marked, with why; the others'
	// cheapest says so.
	if c := want[0].Chosen; c < 0 || want[0].Why == "" {
		t.Fatalf("no quote chosen for the first parcel: %+v", want[0])
	} else if got := cell(t, s, sh.RatesTable, c, 10); got != "► chosen: "+want[0].Why {
		t.Errorf("the chosen row %d's mark %q, want %q", c, got, want[0].Why)
	} else if c > 0 && cell(t, s, sh.RatesTable, 0, 10) != "cheapest" {
		t.Errorf("first row's mark %q", cell(t, s, sh.RatesTable, 0, 10))
	}
	if got := sh.RateTotals.Text; !strings.HasPrefix(got, fmt.Sprintf("Bought as marked: %d of %d parcel(s), ", len(want), len(want))) ||
		!strings.Contains(got, "One carrier for every parcel it quoted") || !strings.Contains(got, sandbox.SandboxCarrier+" "+strconv.Itoa(len(want))+" of ") {
		t.Errorf("totals %q", got)
	}
	// The first parcel's cheapest, whichever account and currency it is in.
	if got := cell(t, s, sh.RatesTable, 0, 5); got != want[0].Quotes[0].Service {
		t.Errorf("first row's service %q, want %q", got, want[0].Quotes[0].Service)
	}
	ui.WithUI(func() { sh.Services.SetSelected(sandbox.SandboxCarrier + " Standard") })
	// Chosen: each parcel's Standard is marked, and the totals are theirs.
	var standard domain.Money
	if row := want[0].Index(domain.LabelChoice{Carrier: sandbox.SandboxCarrier, Service: "Standard"}); cell(t, s, sh.RatesTable, row, 10) != "► chosen under Buy" {
		t.Errorf("the Standard row %d's mark %q", row, cell(t, s, sh.RatesTable, row, 10))
	}
	for _, r := range want {
		q := r.Quotes[r.Index(domain.LabelChoice{Carrier: sandbox.SandboxCarrier, Service: "Standard"})]
		standard.Amount, standard.Currency = standard.Amount+q.Planned().Amount, q.Planned().Currency
	}
	if got, wantText := sh.RateTotals.Text, fmt.Sprintf("Bought as marked: %d of %d parcel(s), %s — %s: %d parcel(s), %s.", len(want), len(want),
		standard, sandbox.SandboxCarrier, len(want), standard); !strings.HasPrefix(got, wantText) {
		t.Errorf("totals with Standard chosen %q, want %q", got, wantText)
	}
	ui.WithUI(func() { sh.BuyLabels(sh.Choice()) })
	settle(m)
	if len(sh.Outcomes) != len(packed) {
		t.Fatalf("outcomes %+v / %q", sh.Outcomes, s.Problem.Text)
	}
	for _, o := range sh.Outcomes {
		if o.State != domain.PurchaseBought || o.Label.Service != "Standard" || !strings.HasPrefix(o.Label.Tracking, "EZ") {
			t.Errorf("outcome %+v", o)
		}
	}
	// Bought, the labels print at once: here into the PDF with the papers.
	if !strings.HasPrefix(s.Result.Text, fmt.Sprintf("Labels, customs papers and packing slips of %d parcel(s) saved: ", len(packed))) ||
		sh.LastPath == "" {
		t.Errorf("result %q", s.Result.Text)
	} else if job, err := os.ReadFile(sh.LastPath); err != nil || bytes.Count(job, []byte("/Subtype /Image")) != len(packed) {
		t.Errorf("the print job holds %d label images (%v)", bytes.Count(job, []byte("/Subtype /Image")), err)
	}
	for row := range len(packed) {
		if got := cell(t, s, sh.Parcels, row, 6); !strings.HasPrefix(got, "EZ") {
			t.Errorf("parcel row %d tracking %q", row, got)
		}
	}

	// The labels go to this workstation's thermal printer, a real CUPS
	// queue; the choice is kept for the next time.
	cups := cupstest.Start(t)
	cups.AddPrinter(t, "Zebra-Bench-1", true, false)
	ui.WithUI(func() { sh.LoadPrinters() })
	settle(m)
	if len(sh.LabelPrinter.Options) != 2 || sh.LabelPrinter.Selected != "PDF (with the customs papers and slips)" {
		t.Fatalf("label printers %v, chosen %q", sh.LabelPrinter.Options, sh.LabelPrinter.Selected)
	}
	ui.WithUI(func() { sh.LabelPrinter.SetSelected("Zebra-Bench-1") })
	ui.WithUI(func() { sh.PrintLabelsNow() })
	settle(m)
	if !strings.Contains(s.Result.Text, "Sent 2 label(s) to Zebra-Bench-1") {
		t.Fatalf("result %q, problem %q", s.Result.Text, s.Problem.Text)
	}
	if zpl := cups.PrintedUntil(t, "Zebra-Bench-1", cupstest.Labels(2)); strings.Count(string(zpl), "^XZ") != 2 || !strings.Contains(string(zpl), "^GFA,") {
		t.Errorf("the printer received %d bytes", len(zpl))
	}
	ui.WithUI(func() { sh.LabelPrinter.SetSelected("PDF (with the customs papers and slips)"); sh.LoadPrinters() })
	settle(m)
	ui.WithUI(func() { sh.LabelPrinter.SetSelected("Zebra-Bench-1") })
	ui.WithUI(func() { sh.LoadPrinters() })
	settle(m)
	if sh.LabelPrinter.Selected != "Zebra-Bench-1" {
		t.Errorf("the workstation's printer was not kept: %q", sh.LabelPrinter.Selected)
	}
	// With the thermal printer chosen, printing sends the labels there and
	// saves the customs papers and slips alone.
	ui.WithUI(func() { sh.PrintDocuments() })
	settle(m)
	if !strings.HasPrefix(s.Result.Text, "Sent 2 label(s) to Zebra-Bench-1") ||
		!strings.Contains(s.Result.Text, "Customs papers and packing slips of 2 parcel(s) saved: ") {
		t.Fatalf("result %q, problem %q", s.Result.Text, s.Problem.Text)
	}
	if job, err := os.ReadFile(sh.LastPath); err != nil || bytes.Contains(job, []byte("/Subtype /Image")) {
		t.Errorf("the papers hold a label (%v)", err)
	}
	if zpl := cups.PrintedUntil(t, "Zebra-Bench-1", cupstest.Labels(4)); strings.Count(string(zpl), "^XZ") != 4 {
		t.Errorf("the printer received %d labels in all", strings.Count(string(zpl), "^XZ"))
	}
	// A label bought by mistake is voided from the purchase results.
	ui.WithUI(func() { sh.OutcomesTable().Select(widget.TableCellID{Row: 0, Col: 0}) })
	if sh.VoidOutcome.Disabled() {
		t.Fatal("Void is not offered for a bought label")
	}
	ui.WithUI(func() { test.Tap(sh.VoidOutcome) })
	settle(m)
	if sh.Outcomes[0].State != domain.PurchaseVoided || !strings.Contains(s.Result.Text, "label voided") {
		t.Errorf("void: %s, result %q, problem %q", sh.Outcomes[0].State, s.Result.Text, s.Problem.Text)
	}
}

// The carrier refuses a parcel's ship-to address: its words stand under
// the field they name, the address is corrected there, and the label is
// bought again.
func TestARefusedAddressIsCorrectedInTheWindow(t *testing.T) {
	a, m, s, sh, _, wave := packBench(t)
	ctx := context.Background()
	ps, err := a.Inventory.ParcelsOfWave(ctx, wave.ID)
	if err != nil || len(ps) == 0 {
		t.Fatal(ps, err)
	}
	wrong := domain.Address{Line1: "350 5th Ave", City: "New York", Region: "NY", PostalCode: "1O118", Country: "US", Phone: "+1 212 555 0100"}
	if err := a.Inventory.SetShipAddress(ctx, ps[0].OrderID, wrong, ""); err != nil {
		t.Fatal(err)
	}
	ui.WithUI(func() { sh.SelectWave(wave.ID) })
	settle(m)
	ui.WithUI(func() { sh.BuyLabels(domain.LabelChoice{}) })
	settle(m)
	var refused domain.LabelOutcome
	for _, o := range sh.Outcomes {
		if o.ParcelID == ps[0].ID {
			refused = o
		}
	}
	if refused.State != domain.PurchaseFailed || refused.Field != domain.FieldPostalCode {
		t.Fatalf("the refused parcel: %s %q %q / %q", refused.State, refused.Field, refused.Note, s.Problem.Text)
	}
	ui.WithUI(func() { sh.CorrectAddress(refused) })
	f := sh.Correcting
	if f == nil || f.Refused == nil || f.Refused.Text != "Postal code" || f.Refused.HintText != "⚠ "+refused.Note ||
		f.PostalCode.Text != "1O118" || f.City.Text != "New York" {
		t.Fatalf("the address form: refused %+v, postal code %q", f.Refused, f.PostalCode.Text)
	}
	ui.WithUI(func() {
		f.PostalCode.SetText("10118")
		test.Tap(f.Save)
	})
	settle(m)
	if len(sh.Outcomes) != 1 || sh.Outcomes[0].ParcelID != ps[0].ID || sh.Outcomes[0].State != domain.PurchaseBought {
		t.Fatalf("bought again: %d outcomes / %q %q", len(sh.Outcomes), f.Problem.Text, s.Problem.Text)
	}
	if o, _ := a.Orders.Order(ctx, ps[0].OrderID); o.ShipTo.PostalCode != "10118" {
		t.Errorf("the order goes to %+v", o.ShipTo)
	}
}
