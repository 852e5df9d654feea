package warehouse

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// PutawayPanel lists what waits in RECEIVING with a suggested bin for each,
// and moves it to the suggested bin or one the user scans instead.
type PutawayPanel struct {
	s *Screen

	Tasks  *widget.Table
	SKU    *widget.Entry
	Qty    *widget.Entry
	Bin    *widget.Entry
	Why    *widget.Label
	Submit *widget.Button

	tasks    []domain.PutawayTask
	selected int
	content  fyne.CanvasObject
}

func newPutawayPanel(s *Screen) *PutawayPanel {
	p := &PutawayPanel{s: s, selected: -1}
	type task = domain.PutawayTask
	p.Tasks = uikit.NewListTable(&p.tasks,
		uikit.Col("SKU", func(t task) string { return t.SKU }).Wide(100),
		uikit.Col("Product", func(t task) string { return t.Name }).Wide(190),
		uikit.Col("Lot", func(t task) string { return t.Lot }).Wide(70),
		uikit.Col("Expiry", func(t task) string { return t.Expiry }).Wide(90),
		uikit.Num("Qty", func(t task) string { return uikit.QtyText(t.Qty) }).Wide(60),
		uikit.Marked("Suggested bin", func(t task, l *widget.Label) {
			l.Importance = widget.HighImportance
			l.SetText(t.Suggested)
		}).Wide(100),
		uikit.Col("Why", func(t task) string { return t.Why }).Wide(260))
	p.Tasks.OnSelected = func(id widget.TableCellID) { p.choose(id.Row) }
	p.Bin = scanEntry("Scan the bin", func() { p.PutAway() })
	p.Qty = scanEntry("Quantity", func() { s.focus(p.Bin) })
	p.SKU = scanEntry("Scan the SKU to put away", func() { p.findSKU() })
	p.Why = uikit.Wrapped("Select a line, or scan its SKU.")
	p.Submit = widget.NewButtonWithIcon("Put away", theme.ConfirmIcon(), p.PutAway)
	p.Submit.Importance = widget.HighImportance
	form := widget.NewForm(widget.NewFormItem("SKU", p.SKU), widget.NewFormItem("Quantity", p.Qty), widget.NewFormItem("To bin", p.Bin))
	left := container.NewVBox(form, p.Why, container.NewHBox(p.Submit))
	split := uikit.Halves(left, container.NewBorder(
		uikit.Heading("Waiting in RECEIVING"), nil, nil, nil, p.Tasks), 0.32)
	p.content = split
	return p
}

func (p *PutawayPanel) reload() {
	p.s.load("putaway", func(ctx context.Context, code string) (func(), error) {
		tasks, err := p.s.svc.PutawayTasks(ctx, code)
		return func() {
			p.tasks, p.selected = tasks, -1
			p.Tasks.UnselectAll()
			p.Tasks.Refresh()
		}, err
	})
}

// choose fills the form from task i: all of it, to the suggested bin.
func (p *PutawayPanel) choose(i int) {
	if i < 0 || i >= len(p.tasks) {
		return
	}
	p.selected = i
	t := p.tasks[i]
	p.SKU.SetText(t.SKU)
	p.Qty.SetText(fmt.Sprint(int64(t.Qty)))
	p.Bin.SetText(t.Suggested)
	lot := ""
	if t.Lot != "" {
		lot = ", lot " + t.Lot
	}
	p.Why.SetText(fmt.Sprintf("%s × %s%s → %s: %s. Scan another bin to choose it instead.", uikit.QtyText(t.Qty), t.SKU, lot, orDash(t.Suggested), t.Why))
	p.s.focus(p.Bin)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// findSKU selects the first waiting line of the scanned SKU.
func (p *PutawayPanel) findSKU() {
	sku := strings.TrimSpace(p.SKU.Text)
	for i, t := range p.tasks {
		if strings.EqualFold(t.SKU, sku) {
			p.Tasks.Select(widget.TableCellID{Row: i, Col: 0})
			return
		}
	}
	p.s.fail(fmt.Sprintf("Nothing of %q waits in RECEIVING.", sku))
}

// PutAway moves the form's quantity to the form's bin.
func (p *PutawayPanel) PutAway() {
	if p.selected < 0 || p.selected >= len(p.tasks) || !strings.EqualFold(p.tasks[p.selected].SKU, strings.TrimSpace(p.SKU.Text)) {
		p.s.fail("Select a line to put away, or scan its SKU.")
		return
	}
	t := p.tasks[p.selected]
	qty, ok := quantity(p.Qty.Text, false)
	if !ok || qty > t.Qty {
		p.s.fail(fmt.Sprintf("Put away between 1 and %s.", uikit.QtyText(t.Qty)))
		p.s.focus(p.Qty)
		return
	}
	bin := strings.TrimSpace(p.Bin.Text)
	if bin == "" {
		p.s.fail("Scan or type the bin.")
		p.s.focus(p.Bin)
		return
	}
	pa := domain.Putaway{SKU: t.SKU, Warehouse: t.Warehouse, Lot: t.Lot, ToBin: bin, Qty: qty}
	p.s.do("put away", func(ctx context.Context) (string, error) {
		if err := p.s.svc.Putaway(ctx, pa); err != nil {
			return "", err
		}
		return fmt.Sprintf("Put away %s × %s in %s.", uikit.QtyText(qty), t.SKU, bin), nil
	}, func() {
		p.SKU.SetText("")
		p.Qty.SetText("")
		p.Bin.SetText("")
		p.Why.SetText("Select a line, or scan its SKU.")
		p.s.focus(p.SKU)
	})
}
