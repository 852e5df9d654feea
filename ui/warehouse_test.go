package ui_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui"
	"github.com/portolan/portolan/ui/warehouse"
)

// warehouseWindow opens the window on the Warehouse screen working in NL-VEN.
func warehouseWindow(t *testing.T) (*app.App, *ui.MainWindow, *warehouse.Screen) {
	t.Helper()
	a := demoApp(t, 5)
	m := openWindow(t, a)
	s := openWarehouse(m, "NL-VEN", -1)
	if s.Code() != "NL-VEN" {
		t.Fatalf("working in %q", s.Code())
	}
	return a, m, s
}

// openWarehouse shows the Warehouse screen working in the warehouse code, on
// its tab (or the one shown when tab < 0), and waits for it to read.
func openWarehouse(m *ui.MainWindow, code string, tab int) *warehouse.Screen {
	s := m.Warehouse
	ui.WithUI(func() {
		m.Tabs.SelectIndex(3)
		workIn(s, code)
		if tab >= 0 {
			s.Tabs.SelectIndex(tab)
		}
	})
	settle(m)
	return s
}

// workIn chooses the warehouse the screen works in, as its picker does.
func workIn(s *warehouse.Screen, code string) {
	for i, o := range s.Warehouse.Options {
		if strings.HasPrefix(o, code) {
			s.Warehouse.SetSelectedIndex(i)
		}
	}
}

// settle waits until background work and what it started are done.
func settle(m *ui.MainWindow) {
	for range 3 {
		m.Wait()
	}
}

// scan types a code into a field and presses Enter, as a barcode scanner does.
func scan(e *widget.Entry, code string) {
	ui.WithUI(func() {
		e.SetText("")
		test.Type(e, code)
		e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
}

func stockOf(t *testing.T, a *app.App, sku, bin string) domain.Quantity {
	t.Helper()
	levels, err := a.Inventory.StockLevels(context.Background(), "NL-VEN")
	if err != nil {
		t.Fatal(err)
	}
	var n domain.Quantity
	for _, l := range levels {
		if l.SKU == sku && l.Location == bin {
			n += l.OnHand
		}
	}
	return n
}

func TestReceiveAndPutAwayWithAScanner(t *testing.T) {
	a, m, s := warehouseWindow(t)
	ctx := context.Background()
	levels, _ := a.Inventory.StockLevels(ctx, "NL-VEN")
	sku, home := levels[0].SKU, levels[0].Location
	// The expected delivery comes from the supplier's ASN file.
	r := s.Receive
	file := filepath.Join(t.TempDir(), "asn.csv")
	os.WriteFile(file, []byte("ASN,Supplier,ETA,SKU,Qty\nPO-9001,Ωμέγα Textiles,2026-12-01,"+sku+",10\nPO-9002,Other,,"+sku+",lots\n"), 0o644)
	ui.WithUI(func() { r.OpenInboundImport(file) })
	settle(m)
	if r.InboundPreview == nil || !strings.Contains(r.PreviewText.Text, "1 inbound(s) can be recorded; 1 row problem(s)") {
		t.Fatalf("inbound preview %v / %q", r.InboundPreview, s.Problem.Text)
	}
	ui.WithUI(func() { r.ImportPreviewed() })
	settle(m)
	if !strings.Contains(s.Result.Text, "Recorded 1 inbound(s)") {
		t.Fatalf("inbound import: %q / %q", s.Result.Text, s.Problem.Text)
	}
	// The demo's own open inbounds (one expected today) and the import's.
	opened := len(r.Against.Options)
	row := slices.IndexFunc(r.Against.Options, func(o string) bool { return strings.HasPrefix(o, "PO-9001") }) - 1
	if row < 0 {
		t.Fatalf("against options %v", r.Against.Options)
	}
	ui.WithUI(func() { r.Inbounds.Select(widget.TableCellID{Row: row, Col: 0}) })
	if r.Against.SelectedIndex() != row+1 {
		t.Fatalf("selecting the inbound chose %q", r.Against.Selected)
	}
	// Scanner: SKU + Enter moves to the quantity; quantity + Enter receives.
	scan(r.SKU, sku)
	if c := m.Window.Canvas().Focused(); c != r.Qty {
		t.Errorf("after the SKU, focus is on %v", c)
	}
	scan(r.Qty, "12")
	settle(m)
	if !strings.Contains(s.Result.Text, "Received 12 × "+sku) || !strings.Contains(s.Result.Text, "Over-receipt: 2 more than expected") {
		t.Errorf("result %q / problem %q", s.Result.Text, s.Problem.Text)
	}
	if got := stockOf(t, a, sku, domain.ReceivingBin); got != 12 {
		t.Errorf("RECEIVING holds %d", got)
	}
	// The inbound is complete and no longer listed as open.
	if len(r.Against.Options) != opened-1 || slices.ContainsFunc(r.Against.Options, func(o string) bool { return strings.HasPrefix(o, "PO-9001") }) {
		t.Errorf("open inbounds after full receipt: %v", r.Against.Options)
	}
	scan(r.SKU, sku)
	scan(r.Qty, "zero")
	if !s.Problem.Visible() || !strings.Contains(s.Problem.Text, "not a quantity") {
		t.Errorf("bad quantity: %q", s.Problem.Text)
	}

	// Put away: the task suggests the bin already holding the SKU.
	ui.WithUI(func() { s.Tabs.SelectIndex(1) })
	settle(m)
	p := s.Putaway
	scan(p.SKU, sku)
	if p.Bin.Text != home || p.Qty.Text != "12" {
		t.Fatalf("form after scanning the SKU: bin %q qty %q (suggested home bin %s)", p.Bin.Text, p.Qty.Text, home)
	}
	before := stockOf(t, a, sku, home)
	scan(p.Qty, "5")
	scan(p.Bin, home)
	settle(m)
	if !strings.Contains(s.Result.Text, "Put away 5 × "+sku+" in "+home) {
		t.Errorf("putaway result %q / %q", s.Result.Text, s.Problem.Text)
	}
	if stockOf(t, a, sku, home) != before+5 || stockOf(t, a, sku, domain.ReceivingBin) != 7 {
		t.Errorf("after putaway: home %d, receiving %d", stockOf(t, a, sku, home), stockOf(t, a, sku, domain.ReceivingBin))
	}
	if d, _ := a.Inventory.Verify(ctx); len(d) != 0 {
		t.Errorf("ledger: %+v", d)
	}
}

func TestTransferCountAdjustAndImportInTheWindow(t *testing.T) {
	a, m, s := warehouseWindow(t)
	ctx := context.Background()
	levels, _ := a.Inventory.StockLevels(ctx, "NL-VEN")
	sku, bin, had := levels[0].SKU, levels[0].Location, levels[0].OnHand

	// Transfer two lines of the same SKU (added up) to JP-ICH, then receive it there.
	ui.WithUI(func() { s.Tabs.SelectIndex(2) })
	settle(m)
	tr := s.Transfer
	ui.WithUI(func() { tr.To.SetSelected("JP-ICH") })
	scan(tr.SKU, sku)
	scan(tr.Qty, "1")
	scan(tr.SKU, sku)
	scan(tr.Qty, "1")
	if tr.Lines.Length != nil {
		if rows, _ := tr.Lines.Length(); rows != 1 {
			t.Errorf("%d transfer lines, want the SKU once", rows)
		}
	}
	ui.WithUI(func() { tr.SendTransfer() })
	settle(m)
	if !strings.Contains(s.Result.Text, "sent to JP-ICH") {
		t.Fatalf("send: %q / %q", s.Result.Text, s.Problem.Text)
	}
	ui.WithUI(func() { workIn(s, "JP-ICH") })
	settle(m)
	ui.WithUI(func() { tr.Transfers.Select(widget.TableCellID{Row: 0, Col: 0}) })
	if tr.ReceiveIt.Disabled() {
		t.Fatal("the transfer arriving here cannot be received")
	}
	ui.WithUI(func() { tr.ReceiveSelected() })
	settle(m)
	if !strings.Contains(s.Result.Text, "received into RECEIVING of JP-ICH") {
		t.Errorf("receive: %q / %q", s.Result.Text, s.Problem.Text)
	}

	// Back in NL-VEN: a blind count of the SKU's bin.
	openWarehouse(m, "NL-VEN", 3)
	c := s.Count
	ui.WithUI(func() { c.Bins.SetText(bin) })
	ui.WithUI(func() { c.CreateCount() })
	settle(m)
	if !strings.Contains(s.Result.Text, "Quantities are not shown") {
		t.Fatalf("create count: %q / %q", s.Result.Text, s.Problem.Text)
	}
	for row := 0; row < 3; row++ { // no column shows what is expected
		for col := 0; col < 4; col++ {
			if got := cell(t, s, c.Lines, row, col); got == itoa(int(had-2)) && col == 3 {
				t.Errorf("blind count shows the expected quantity in row %d", row)
			}
		}
	}
	scan(c.Bin, bin)
	scan(c.SKU, sku)
	scan(c.Counted, itoa(int(had-2)+1)) // one more than the system thinks
	settle(m)
	ui.WithUI(func() { c.PostConfirmed() }) // other SKUs of the bin stay uncounted
	settle(m)
	if !strings.Contains(s.Result.Text, "1 corrected") {
		t.Errorf("post count: %q / %q", s.Result.Text, s.Problem.Text)
	}
	if got := stockOf(t, a, sku, bin); got != had-2+1 {
		t.Errorf("after the count the bin holds %d, want %d", got, had-2+1)
	}

	// Adjust from the keyboard, then import a snapshot.
	ui.WithUI(func() { s.Tabs.SelectIndex(4) })
	ad := s.Adjust
	scan(ad.SKU, sku)
	scan(ad.Bin, bin)
	ui.WithUI(func() {
		test.Type(ad.Qty, "-1")
		ad.Reason.SetSelected("damaged")
	})
	scan(ad.Note, "dropped")
	settle(m)
	if !strings.Contains(s.Result.Text, "by -1 (damaged)") {
		t.Errorf("adjust: %q / %q", s.Result.Text, s.Problem.Text)
	}
	// Move two to another bin and back again.
	scan(ad.MoveSKU, sku)
	scan(ad.MoveFrom, bin)
	scan(ad.MoveTo, "BULK-01")
	scan(ad.MoveQty, "2")
	settle(m)
	if !strings.Contains(s.Result.Text, "Moved 2 × "+sku+" from "+bin+" to BULK-01") || stockOf(t, a, sku, "BULK-01") < 2 {
		t.Errorf("move: %q / %q", s.Result.Text, s.Problem.Text)
	}
	scan(ad.MoveSKU, sku)
	scan(ad.MoveFrom, "BULK-01")
	scan(ad.MoveTo, bin)
	scan(ad.MoveQty, "2")
	settle(m)
	file := filepath.Join(t.TempDir(), "snapshot.csv")
	os.WriteFile(file, []byte("SKU,Warehouse,Bin,Quantity\n"+sku+",NL-VEN,"+bin+",40\n"+sku+",NL-VEN,NOPE,1\n"+sku+",NL-VEN,"+bin+",-3\n"), 0o644)
	ui.WithUI(func() { ad.OpenImport(file) })
	settle(m)
	if ad.Preview == nil || !strings.Contains(ad.PreviewText.Text, "2 row(s) can be posted, 1 have problems") {
		t.Fatalf("preview: %v / %q", ad.Preview, s.Problem.Text)
	}
	if got := stockOf(t, a, sku, bin); got != had-2 {
		t.Errorf("the preview wrote: %d", got)
	}
	ui.WithUI(func() { ad.PostPreview() })
	settle(m)
	if !strings.Contains(s.Result.Text, "1 bin(s) changed") || !strings.Contains(s.Result.Text, `no bin "NOPE"`) {
		t.Errorf("import: %q / %q", s.Result.Text, s.Problem.Text)
	}
	if got := stockOf(t, a, sku, bin); got != 40 {
		t.Errorf("after the import the bin holds %d", got)
	}
	if d, _ := a.Inventory.Verify(ctx); len(d) != 0 {
		t.Errorf("ledger: %+v", d)
	}
}
