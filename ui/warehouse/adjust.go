package warehouse

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// AdjustPanel corrects one bin with a reason, and imports a stock snapshot
// file (previewed row by row before anything is posted).
type AdjustPanel struct {
	s *Screen

	SKU    *widget.Entry
	Bin    *widget.Entry
	Qty    *widget.Entry
	Reason *widget.Select
	Lot    *widget.Entry
	Expiry *widget.Entry
	Note   *widget.Entry
	Submit *widget.Button
	Import *widget.Button

	// Move between bins.
	MoveSKU, MoveFrom, MoveTo, MoveQty *widget.Entry
	MoveSubmit                         *widget.Button

	// The stock import preview, once a file was chosen.
	Preview     *domain.StockImportPreview
	PreviewText *widget.Label
	PostImport  *widget.Button
	preview     filePreview

	content fyne.CanvasObject
}

func reasonLabel(r domain.AdjustReason) string { return strings.ReplaceAll(string(r), "_", " ") }

func newAdjustPanel(s *Screen) *AdjustPanel {
	p := &AdjustPanel{s: s}
	var reasons []string
	for _, r := range domain.AdjustReasons {
		reasons = append(reasons, reasonLabel(r))
	}
	p.Reason = widget.NewSelect(reasons, nil)
	p.Reason.PlaceHolder = "Why?"
	p.Note = scanEntry("Note (optional)", func() { p.Post() })
	p.Expiry = scanEntry("YYYY-MM-DD, for a new lot", func() { s.focus(p.Note) })
	p.Lot = scanEntry("Lot (if tracked)", func() { s.focus(p.Qty) })
	p.Qty = scanEntry("+5 adds, -2 takes away", func() { s.focus(p.Note) })
	p.Bin = scanEntry("Scan the bin", func() { s.focus(p.Qty) })
	p.SKU = scanEntry("Scan or type the SKU", func() { s.focus(p.Bin) })
	p.Submit = widget.NewButtonWithIcon("Post adjustment", theme.ConfirmIcon(), p.Post)
	p.Submit.Importance = widget.HighImportance
	p.Import = widget.NewButtonWithIcon("Import stock snapshot…", theme.FolderOpenIcon(), p.chooseFile)
	p.MoveQty = scanEntry("Quantity", func() { p.MoveStock() })
	p.MoveTo = scanEntry("Scan the bin it goes to", func() { s.focus(p.MoveQty) })
	p.MoveFrom = scanEntry("Scan the bin it comes from", func() { s.focus(p.MoveTo) })
	p.MoveSKU = scanEntry("Scan or type the SKU", func() { s.focus(p.MoveFrom) })
	p.MoveSubmit = widget.NewButtonWithIcon("Move", theme.NavigateNextIcon(), p.MoveStock)
	moveForm := widget.NewForm(widget.NewFormItem("SKU", p.MoveSKU), widget.NewFormItem("From bin", p.MoveFrom),
		widget.NewFormItem("To bin", p.MoveTo), widget.NewFormItem("Quantity", p.MoveQty))
	form := widget.NewForm(widget.NewFormItem("SKU", p.SKU), widget.NewFormItem("Bin", p.Bin), widget.NewFormItem("Quantity", p.Qty),
		widget.NewFormItem("Reason", p.Reason), widget.NewFormItem("Lot", p.Lot), widget.NewFormItem("Expiry", p.Expiry),
		widget.NewFormItem("Note", p.Note))
	help := uikit.Wrapped("A stock snapshot (CSV or XLSX: SKU, warehouse, bin, quantity, and optionally lot and expiry) sets each " +
		"listed bin to its quantity. Each difference is posted as an adjustment, so the ledger explains every number. " +
		"Every row is checked and shown before anything is posted.")
	left := container.NewVBox(uikit.Heading("Adjust a bin"), form, container.NewHBox(p.Submit))
	right := container.NewVBox(uikit.Heading("Move between bins"),
		moveForm, container.NewHBox(p.MoveSubmit), widget.NewSeparator(),
		uikit.Heading("Stock import"), help, container.NewHBox(p.Import))
	p.content = container.NewGridWithColumns(2, left, right)
	return p
}

func (p *AdjustPanel) reload() {}

// Post posts the form's adjustment.
func (p *AdjustPanel) Post() {
	code := p.s.Code()
	qty, ok := quantity(p.Qty.Text, true)
	switch {
	case code == "":
		p.s.fail("Choose the warehouse first.")
		return
	case strings.TrimSpace(p.SKU.Text) == "" || strings.TrimSpace(p.Bin.Text) == "":
		p.s.fail("Give the SKU and the bin.")
		return
	case !ok:
		p.s.fail(fmt.Sprintf("%q is not a quantity: +5 adds five, -2 takes two away.", p.Qty.Text))
		return
	case p.Reason.SelectedIndex() < 0:
		p.s.fail("Choose why: damaged, lost, found, expired, count correction or other.")
		return
	}
	a := domain.Adjustment{SKU: strings.TrimSpace(p.SKU.Text), Warehouse: code, Location: strings.TrimSpace(p.Bin.Text), Qty: qty,
		Reason: domain.AdjustReasons[p.Reason.SelectedIndex()], Lot: p.Lot.Text, Expiry: p.Expiry.Text, Note: strings.TrimSpace(p.Note.Text)}
	p.s.do("adjust", func(ctx context.Context) (string, error) {
		if _, err := p.s.svc.Adjust(ctx, a); err != nil {
			return "", err
		}
		return fmt.Sprintf("Adjusted %s in %s by %+d (%s).", a.SKU, a.Location, a.Qty, reasonLabel(a.Reason)), nil
	}, func() {
		for _, e := range []*widget.Entry{p.SKU, p.Bin, p.Qty, p.Lot, p.Expiry, p.Note} {
			e.SetText("")
		}
		p.s.focus(p.SKU)
	})
}

// MoveStock moves the move form's quantity between two bins.
func (p *AdjustPanel) MoveStock() {
	code := p.s.Code()
	sku, from, to := strings.TrimSpace(p.MoveSKU.Text), strings.TrimSpace(p.MoveFrom.Text), strings.TrimSpace(p.MoveTo.Text)
	qty, ok := quantity(p.MoveQty.Text, false)
	if code == "" || sku == "" || from == "" || to == "" || !ok {
		p.s.fail("Give the SKU, the bin it comes from, the bin it goes to and a quantity above 0.")
		return
	}
	p.s.do("move", func(ctx context.Context) (string, error) {
		if err := p.s.svc.Move(ctx, sku, code, from, to, "", qty); err != nil {
			return "", err
		}
		return fmt.Sprintf("Moved %s × %s from %s to %s.", uikit.QtyText(qty), sku, from, to), nil
	}, func() {
		for _, e := range []*widget.Entry{p.MoveSKU, p.MoveFrom, p.MoveTo, p.MoveQty} {
			e.SetText("")
		}
		p.s.focus(p.MoveSKU)
	})
}

func (p *AdjustPanel) chooseFile() {
	uikit.ChooseTableFile(p.s.window, func(path string) { p.OpenImport(path) })
}

// OpenImport reads a stock snapshot file in the background and shows what it
// would post, row by row, with a button to post it.
func (p *AdjustPanel) OpenImport(path string) {
	p.s.tasks.Load(p.s.Problem, "stock import", func(ctx context.Context) (func(), error) {
		prev, err := p.s.svc.PreviewStockImport(path, "")
		return func() {
			p.showPreview(prev)
		}, err
	})
}

func (p *AdjustPanel) showPreview(prev domain.StockImportPreview) {
	p.Preview = &prev
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d row(s) can be posted, %d have problems and will be skipped.\n", filepath.Base(prev.Path), len(prev.Rows), len(prev.Problems))
	for i, r := range prev.Rows {
		if i == 12 {
			fmt.Fprintf(&b, "… and %d more\n", len(prev.Rows)-12)
			break
		}
		lot := ""
		if r.Lot != "" {
			lot = " lot " + r.Lot
		}
		fmt.Fprintf(&b, "row %d: %s%s in %s %s → %s\n", r.Row, r.SKU, lot, r.Warehouse, r.Location, uikit.QtyText(r.Qty))
	}
	writeProblems(&b, "Problems:", prev.Problems)
	p.preview = p.s.showFilePreview("Import stock snapshot", b.String(), "Post %d row(s)", len(prev.Rows), 520, p.PostPreview)
	p.PreviewText, p.PostImport = p.preview.Text, p.preview.Post
}

// PostPreview posts the previewed rows.
func (p *AdjustPanel) PostPreview() {
	if p.Preview == nil {
		return
	}
	prev := *p.Preview
	p.PostImport.Disable()
	p.s.do("stock import", func(ctx context.Context) (string, error) {
		res, err := p.s.svc.ImportStock(ctx, prev)
		if err != nil {
			return "", err
		}
		msg := fmt.Sprintf("Stock import of %s: %d row(s) posted, %d bin(s) changed, %d already right, %d skipped.",
			filepath.Base(prev.Path), res.Rows, res.Changed, res.Rows-res.Changed, len(res.Problems))
		for i, pr := range res.Problems {
			if i == 10 {
				msg += fmt.Sprintf("\n… and %d more", len(res.Problems)-10)
				break
			}
			msg += "\n" + pr.String()
		}
		return msg, nil
	}, func() {
		p.preview.hide()
		p.Preview = nil
	})
}
