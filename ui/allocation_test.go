package ui_test

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui"
)

func TestAllocationPlanOverrideCommit(t *testing.T) {
	a := demoApp(t, 600)
	m := openWindow(t, a)
	s := m.Allocation
	ui.WithUI(func() {
		m.Tabs.SelectIndex(4) // after Overview, Orders, Inventory, Warehouse
		s.RunPlan(true)
	})
	settle(m)
	if !strings.Contains(s.Totals.Text, "allocated") || !strings.Contains(s.Totals.Text, "highest-ranked warehouse") ||
		!strings.Contains(s.Totals.Text, "Nothing is reserved until you commit") {
		t.Fatalf("totals %q / %q", s.Totals.Text, s.Problem.Text)
	}
	// The plan shown was improved over all its orders, and says how good it is.
	if !strings.Contains(s.Totals.Text, "above the best possible (") || s.Improving.Visible() {
		t.Errorf("no bound in %q (improving shown: %v)", s.Totals.Text, s.Improving.Visible())
	}
	if got := cell(t, s, s.Table, 0, 5); got == "" {
		t.Error("the first order has no reason")
	}
	// Move the first allocated order's first line to another warehouse.
	ctx := context.Background()
	plan, _ := a.Allocation.Plan(ctx, domain.OrderFilter{}, nil)
	var target domain.PlannedOrder
	row := -1
	for i, o := range plan.Orders {
		if len(o.Parcels) == 1 {
			target, row = o, i
			break
		}
	}
	if row < 0 {
		t.Fatal("no allocated order")
	}
	ui.WithUI(func() { s.Table.Select(widget.TableCellID{Row: row, Col: 0}) })
	if !strings.Contains(s.Detail.Text, target.Number) {
		t.Errorf("detail %q", s.Detail.Text)
	}
	other := "US-ONT"
	if target.Parcels[0].Warehouse == other {
		other = "AU-SYD"
	}
	line := target.Parcels[0].Lines[0]
	ui.WithUI(func() { s.Override(target.OrderID, line.LineNo, other) })
	settle(m)
	// The override holds only where the other warehouse has the stock; either way the plan says so.
	var after domain.PlannedOrder
	over, _ := a.Allocation.Plan(ctx, domain.OrderFilter{}, map[int64]map[int]string{target.OrderID: {line.LineNo: other}})
	for _, o := range over.Orders {
		if o.OrderID == target.OrderID {
			after = o
		}
	}
	if got := cell(t, s, s.Table, row, 2); got != linesOf(after) {
		t.Errorf("after the override the grid shows %q, want %q", got, linesOf(after))
	}
	if !strings.Contains(s.Totals.Text, "1 order(s) with lines moved by hand") {
		t.Errorf("totals %q", s.Totals.Text)
	}
	ui.WithUI(func() { s.CommitPlan() })
	settle(m)
	if !strings.Contains(s.Totals.Text, "Committed:") {
		t.Fatalf("commit: %q / %q", s.Totals.Text, s.Problem.Text)
	}
	n, _ := a.Orders.CountOrders(ctx, domain.OrderFilter{Status: domain.StatusAllocated})
	if n == 0 {
		t.Error("no order is allocated after the commit")
	}
	// The order detail shows where each line ships from and why; un-allocating releases it.
	page, _ := a.Orders.OrderSummaries(ctx, domain.OrderFilter{Status: domain.StatusAllocated}, 0, 1)
	d := m.Orders.Detail
	ui.WithUI(func() { d.Show(page[0].ID) })
	d.Wait()
	if !strings.Contains(d.Alloc.Text, " from ") || !strings.Contains(d.Alloc.Text, "Why: ") {
		t.Errorf("allocation in the detail: %q", d.Alloc.Text)
	}
	ui.WithUI(func() { d.Unallocate(page[0].ID, "customer asked to wait") })
	d.Wait()
	if o, _ := a.Orders.Order(ctx, page[0].ID); o.Status != domain.StatusNew {
		t.Errorf("after un-allocating: %s", o.Status)
	}
	if d, _ := a.Inventory.Verify(ctx); len(d) != 0 {
		t.Errorf("ledger: %+v", d)
	}
}

func linesOf(o domain.PlannedOrder) string {
	var parts []string
	for _, pc := range o.Parcels {
		for _, l := range pc.Lines {
			parts = append(parts, itoa(int(l.Qty))+"×"+l.SKU+" → "+pc.Warehouse)
		}
	}
	for _, l := range o.Backorder {
		parts = append(parts, itoa(int(l.Qty))+"×"+l.SKU+" waits")
	}
	return strings.Join(parts, ", ")
}

func TestRatesEditorChangesOneRate(t *testing.T) {
	a := demoApp(t, 5)
	m := openWindow(t, a)
	s := m.Allocation
	ui.WithUI(func() { s.ShowRates() })
	settle(m)
	e := s.RatesEditor
	if e == nil {
		t.Fatalf("no rate editor: %q", s.Problem.Text)
	}
	if n, _ := e.Table.Length(); n < 7 {
		t.Fatalf("%d default rates listed", n)
	}
	ui.WithUI(func() {
		e.Warehouse.SetSelected("NL-VEN")
		e.Country.SetText("de")
		e.Cost.SetText("3.95")
		e.Days.SetText("1")
		s.SaveRate(e)
	})
	settle(m)
	if !strings.Contains(e.Note.Text, "Saved: NL-VEN → DE 3.95 EUR, 1 day(s)") {
		t.Fatalf("note %q", e.Note.Text)
	}
	rates, _ := a.Allocation.Rates(context.Background())
	found := false
	for _, r := range rates {
		found = found || (r.Warehouse == "NL-VEN" && r.Country == "DE" && r.Cost == 395 && r.TransitDays == 1)
	}
	if !found {
		t.Error("the rate was not stored")
	}
	ui.WithUI(func() {
		e.Country.SetText("UK")
		s.SaveRate(e)
	})
	if !strings.Contains(e.Note.Text, "not an ISO 3166-1") {
		t.Errorf("bad country: %q", e.Note.Text)
	}
}
