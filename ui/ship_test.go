package ui_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/ui"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// The warehouse lead's day in the window: a wave, its pick list, picks
// confirmed, each order scanned and packed, tracking numbers, one print job,
// the carrier's manifest.
func TestWaveToDispatchInTheWindow(t *testing.T) {
	a := demoApp(t, 600)
	ctx := context.Background()
	plan, _ := a.Allocation.Plan(ctx, domain.OrderFilter{}, nil)
	if _, err := a.Allocation.Commit(ctx, plan); err != nil {
		t.Fatal(err)
	}
	wh := domaintest.BusiestWarehouse(plan)
	m := newWindow(t, a)
	ui.SetDocumentsFolder(t.TempDir())
	ui.WithUI(func() { m.Start() })
	settle(m)
	s := openWarehouse(m, wh, 5)
	w := s.Waves
	ui.WithUI(func() {
		w.MaxOrders.SetText("2")
		w.CreateWave()
	})
	settle(m)
	if !strings.Contains(s.Result.Text, "Wave 1: 2 orders") {
		t.Fatalf("create wave: %q / %q", s.Result.Text, s.Problem.Text)
	}
	ui.WithUI(func() { w.SavePickList() })
	settle(m)
	if w.LastPath == "" || filepath.Base(w.LastPath) != "wave-1-picklist.pdf" {
		t.Fatalf("pick list: %q / %q", w.LastPath, s.Problem.Text)
	}
	if b, err := os.ReadFile(w.LastPath); err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("saved pick list: %v", err)
	}
	// Saving it again asks before replacing the file: kept when the answer is no.
	var asked []string
	answer := false
	uikit.ConfirmReplace = func(path string) bool { asked = append(asked, path); return answer }
	os.WriteFile(w.LastPath, []byte("an earlier print"), 0o644)
	ui.WithUI(func() { w.SavePickList() })
	settle(m)
	if b, _ := os.ReadFile(w.LastPath); string(b) != "an earlier print" || len(asked) != 1 || !strings.Contains(s.Problem.Text, "was kept") {
		t.Fatalf("declined: asked %v, problem %q, file %.20q", asked, s.Problem.Text, b)
	}
	answer = true
	ui.WithUI(func() { w.SavePickList() })
	settle(m)
	if b, _ := os.ReadFile(w.LastPath); !strings.HasPrefix(string(b), "%PDF-") || len(asked) != 2 {
		t.Fatalf("agreed: asked %v, file %.20q", asked, b)
	}
	ui.WithUI(func() { w.ConfirmAllPicks() })
	settle(m)
	if !strings.Contains(s.Result.Text, "Confirmed") {
		t.Fatalf("confirm: %q / %q", s.Result.Text, s.Problem.Text)
	}
	// Packing station.
	sh := s.Ship
	ui.WithUI(func() {
		s.Tabs.SelectIndex(6)
		sh.SelectWave(1)
	})
	settle(m)
	wave, _ := a.Inventory.Wave(ctx, 1)
	orders := map[int64][]domain.PickLine{}
	for _, l := range wave.Lines {
		orders[l.OrderID] = append(orders[l.OrderID], l)
	}
	for row := 0; row < len(orders); row++ {
		ui.WithUI(func() { sh.Orders.Select(widget.TableCellID{Row: row, Col: 0}) })
		number := cell(t, s, sh.Orders, row, 1)
		var lines []domain.PickLine
		for _, ls := range orders {
			if ls[0].Number == number {
				lines = ls
			}
		}
		for _, l := range lines {
			for range int(*l.Picked) {
				scan(sh.Scan, l.SKU)
			}
		}
		ui.WithUI(func() { sh.Weight.SetText("25000") })
		ui.WithUI(func() { sh.PackOrder() })
		settle(m)
		if !strings.Contains(s.Result.Text, "Order "+number+" packed in parcel") {
			t.Fatalf("pack %s: %q / %q", number, s.Result.Text, s.Problem.Text)
		}
	}
	// A colleague gives the first parcel its tracking number at another
	// desk: the live update shows it without reloading the wave.
	packed, _ := a.Inventory.ParcelsOfWave(ctx, 1)
	first := domain.MakeTrackingNumber(domain.CarrierDHL, 0)
	if err := a.Inventory.SetTracking(ctx, packed[0].ID, "", first); err != nil {
		t.Fatal(err)
	}
	if got := cell(t, s, sh.Parcels, 0, 6); got != "" {
		t.Fatalf("the first parcel's tracking before the update: %q", got)
	}
	ui.WithUI(func() { m.Changed([]string{"parcels"}) })
	settle(m)
	if got := cell(t, s, sh.Parcels, 0, 6); got != first {
		t.Fatalf("the first parcel's tracking after the update: %q, want %s", got, first)
	}
	// Tracking numbers, then the print job.
	ui.WithUI(func() { sh.PrintDocuments() })
	settle(m)
	if !s.Problem.Visible() || !strings.Contains(s.Problem.Text, "no tracking number yet") {
		t.Fatalf("documents without tracking: %q", s.Problem.Text)
	}
	for row := 0; row < len(orders); row++ {
		ui.WithUI(func() { sh.Parcels.Select(widget.TableCellID{Row: row, Col: 1}) })
		scan(sh.Tracking, domain.MakeTrackingNumber(domain.CarrierDHL, int64(row)))
		settle(m)
	}
	ui.WithUI(func() { sh.PrintDocuments() })
	settle(m)
	if filepath.Base(sh.LastPath) != "wave-1-labels.pdf" {
		t.Fatalf("documents: %q / %q", sh.LastPath, s.Problem.Text)
	}
	// A selection: the second parcel ticked alone prints alone.
	ps, _ := a.Inventory.ParcelsOfWave(ctx, 1)
	ui.WithUI(func() { sh.Parcels.Select(widget.TableCellID{Row: 1, Col: 0}) })
	if got := cell(t, s, sh.Parcels, 1, 0); got != "✓" || !sh.Chosen[ps[1].ID] {
		t.Fatalf("tick: %q %v", got, sh.Chosen)
	}
	ui.WithUI(func() { sh.PrintDocuments() })
	settle(m)
	if want := fmt.Sprintf("wave-1-parcels-%d.pdf", ps[1].ID); filepath.Base(sh.LastPath) != want {
		t.Fatalf("selection: %q, want %s / %q", sh.LastPath, want, s.Problem.Text)
	}
	whole, _ := os.ReadFile(filepath.Join(filepath.Dir(sh.LastPath), "wave-1-labels.pdf"))
	part, _ := os.ReadFile(sh.LastPath)
	if len(part) == 0 || len(part) >= len(whole) {
		t.Errorf("the selection's job (%d bytes) should be smaller than the wave's (%d)", len(part), len(whole))
	}
	ui.WithUI(func() { sh.Clear.OnTapped() })
	// The first parcel's packing slip alone.
	ui.WithUI(func() { sh.Parcels.Select(widget.TableCellID{Row: 0, Col: 1}) })
	ui.WithUI(func() { sh.PrintSlip() })
	settle(m)
	if want := fmt.Sprintf("packing-slip-%d.pdf", ps[0].ID); filepath.Base(sh.LastPath) != want {
		t.Fatalf("slip: %q / %q", sh.LastPath, s.Problem.Text)
	}
	// The first parcel is scanned at the dock and handed over alone; then the rest.
	scan(sh.HandOver, domain.MakeTrackingNumber(domain.CarrierDHL, 0))
	ui.WithUI(func() {
		sh.Carrier.SetText("UPS")
		sh.DispatchAll()
	})
	settle(m)
	if !strings.Contains(s.Result.Text, "1 parcel(s) handed to UPS (manifest 1)") {
		t.Fatalf("dispatch: %q / %q", s.Result.Text, s.Problem.Text)
	}
	ui.WithUI(func() { sh.DispatchAll() })
	settle(m)
	if !strings.Contains(s.Result.Text, fmt.Sprintf("%d parcel(s) handed to UPS (manifest 1)", len(orders)-1)) {
		t.Fatalf("second dispatch: %q / %q", s.Result.Text, s.Problem.Text)
	}
	for id := range orders {
		if o, _ := a.Orders.Order(ctx, id); o.Status != domain.StatusShipped {
			t.Errorf("order %s is %s", o.Number, o.Status)
		}
	}
	// The manifests tab lists the day's UPS manifest and reprints it; the
	// print log shows every document printed.
	ui.WithUI(func() { s.Tabs.SelectIndex(7) })
	settle(m)
	mp := s.Sent
	if got := cell(t, s, mp.Manifests, 0, 2) + " " + cell(t, s, mp.Manifests, 0, 3); got != fmt.Sprintf("UPS %d", len(orders)) {
		t.Fatalf("manifest row %q", got)
	}
	ui.WithUI(func() {
		mp.Manifests.Select(widget.TableCellID{Row: 0, Col: 0})
		mp.ReprintSelected()
	})
	settle(m)
	if filepath.Base(mp.LastPath) != "manifest-1.pdf" {
		t.Fatalf("reprint: %q / %q", mp.LastPath, s.Problem.Text)
	}
	settle(m)
	var docs []string
	for row := 0; row < 6; row++ {
		docs = append(docs, cell(t, s, mp.Log, row, 2)+":"+cell(t, s, mp.Log, row, 3))
	}
	want := fmt.Sprintf("manifest:manifest 1 (reprint) manifest:manifest 1 manifest:manifest 1 packing slip:parcel %d labels:parcels %d labels:wave 1", ps[0].ID, ps[1].ID)
	if strings.Join(docs, " ") != want {
		t.Errorf("print log\n got %s\nwant %s", strings.Join(docs, " "), want)
	}
	if d, _ := a.Inventory.Verify(ctx); len(d) != 0 {
		t.Errorf("ledger: %+v", d)
	}
}

func TestShippingSettingsInTheWindow(t *testing.T) {
	a := demoApp(t, 50)
	ctx := context.Background()
	m := openWindow(t, a)
	s := m.Warehouse
	ui.WithUI(func() { s.EditShippingSettings() })
	settle(m)
	f := s.Settings
	if f == nil || f.Incoterm.Selected != "DAP" || f.Paper.Selected != "A4" || !strings.Contains(f.Latin.Text, "DHL") {
		t.Fatalf("form %+v", f)
	}
	ui.WithUI(func() {
		f.Incoterm.SetSelected("DDP")
		f.EORI.SetText(" NL123456789000 ")
		f.Paper.SetSelected("Letter")
		f.Latin.SetText("DHL, FedEx")
		f.Services.SetText("Flat rate = DPD\nbroken line")
		s.SaveShippingSettings(f)
	})
	settle(m)
	if !strings.Contains(s.Problem.Text, "line 2") {
		t.Errorf("a broken line should be refused: %q", s.Problem.Text)
	}
	if set, _ := a.Inventory.ShippingSettings(ctx); set.Incoterm != "DAP" {
		t.Errorf("saved despite the error: %+v", set)
	}
	ui.WithUI(func() {
		f.Services.SetText("Flat rate = DPD\n")
		s.SaveShippingSettings(f)
	})
	settle(m)
	set, err := a.Inventory.ShippingSettings(ctx)
	if err != nil || set.Incoterm != "DDP" || set.EORI != "NL123456789000" || set.DocPaper != "Letter" ||
		strings.Join(set.LatinCarriers, ",") != "DHL,FedEx" || set.Carriers["Flat rate"] != "DPD" || set.CarrierFor("flat rate") != "DPD" {
		t.Errorf("saved %+v (%v); %q", set, err, s.Problem.Text)
	}
}
