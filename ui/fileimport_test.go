package ui_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui"
)

func TestImportDialogMapsPreviewsAndImports(t *testing.T) {
	a := demoApp(t, 0)
	ch, err := a.Intake.AddChannel(context.Background(), domain.ChannelFile, "ERP", "", domain.Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "erp.csv")
	os.WriteFile(path, []byte("Order No;Currency;Article;Qty;Ship To;Street;Town;Country\n"+
		"SO-1;JPY;PRT-1;2;山田 太郎;神南1-2-3;渋谷区;JP\n"+
		"SO-2;EUR;PRT-2;1;Γιώργος Παπαδόπουλος;Οδός Ερμού 5;Αθήνα;GR\n"+
		"SO-3;EUR;PRT-3;0;Ana;Rua 1;Porto;PT\n"), 0o644)
	m := openWindow(t, a)
	s := m.Channels
	ui.WithUI(func() { s.OpenImport(ch, path) })
	m.Wait()
	d := s.Import
	if d == nil || !strings.Contains(d.Summary.Text, "Choose the columns for: sku") || !d.Import.Disabled() {
		t.Fatalf("unmapped file: %q", d.Summary.Text)
	}
	// The user maps the column the guess could not.
	ui.WithUI(func() { d.Columns[domain.FieldSKU].SetSelected("Article") })
	m.Wait()
	if !strings.Contains(d.Summary.Text, "3 rows: 2 orders ready, 1 problems") || !strings.Contains(d.Problems.Text, "row 4 (order SO-3), Qty") {
		t.Fatalf("preview: %q / %q", d.Summary.Text, d.Problems.Text)
	}
	if n, _ := a.Orders.CountOrders(context.Background(), domain.OrderFilter{}); n != 0 {
		t.Fatalf("preview wrote %d orders", n)
	}
	ui.WithUI(func() { d.Import.OnTapped() })
	m.Wait()
	m.Wait()
	if !strings.Contains(d.Result.Text, "2 new, 0 updated, 0 unchanged, 1 quarantined") {
		t.Errorf("result %q", d.Result.Text)
	}
	if m.Orders.Count.Text != "2 orders" {
		t.Errorf("orders screen shows %q", m.Orders.Count.Text)
	}
	// The quarantined order is listed with its reason in Import issues.
	ui.WithUI(func() { s.Table.Select(widget.TableCellID{Row: 0, Col: 0}) })
	ui.WithUI(func() { test.Tap(s.Issues) })
	m.Wait()
	if s.IssueList == nil || !strings.Contains(s.IssueList.Text, "Order SO-3") || !strings.Contains(s.IssueList.Text, "not a positive whole number") {
		t.Errorf("import issues: %v", s.IssueList)
	}
	// The mapping is remembered: the next file from this channel is ready at once.
	ui.WithUI(func() { s.OpenImport(ch, path) })
	m.Wait()
	if !strings.Contains(s.Import.Summary.Text, "2 orders ready") {
		t.Errorf("mapping not remembered: %q", s.Import.Summary.Text)
	}
}
