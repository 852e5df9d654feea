package warehouse

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

const adHoc = "Ad hoc (no inbound)"

// What the open inbounds list shows: all of them, or those due (the
// choice's domain.InboundDueToday or domain.InboundOverdue).
const (
	showAllInbounds = "All open"
	showDueToday    = "Due today"
	showOverdue     = "Overdue"
)

var showsDue = map[string]string{showDueToday: domain.InboundDueToday, showOverdue: domain.InboundOverdue}

// ReceivePanel books arriving goods into the RECEIVING bin, against an
// expected inbound (showing expected, received and the difference per line)
// or ad hoc, and records new inbounds.
type ReceivePanel struct {
	s *Screen

	Against  *widget.Select
	SKU      *widget.Entry
	Qty      *widget.Entry
	Lot      *widget.Entry
	Expiry   *widget.Entry
	Submit   *widget.Button
	Inbounds *widget.Table
	Lines    *widget.Table
	New      *widget.Button
	ImportIn *widget.Button
	Close    *widget.Button

	// The inbound import preview, once a file was chosen.
	InboundPreview *domain.InboundImportPreview
	PreviewText    *widget.Label
	ImportNow      *widget.Button
	preview        filePreview

	// Show keeps the open inbounds listed to those due today, or overdue
	// (in the warehouse's day), or lists them all.
	Show *widget.Select

	inbounds []domain.Inbound
	selected int // index in inbounds, -1 for ad hoc
	content  fyne.CanvasObject
}

func newReceivePanel(s *Screen) *ReceivePanel {
	p := &ReceivePanel{s: s, selected: -1}
	p.Against = widget.NewSelect([]string{adHoc}, nil)
	p.Against.SetSelected(adHoc)
	p.Against.OnChanged = func(string) { p.choose(p.Against.SelectedIndex() - 1) }
	p.Qty = scanEntry("Quantity", func() { p.ReceiveLine() })
	p.Expiry = scanEntry("Expiry YYYY-MM-DD (lots)", func() { s.focus(p.Qty) })
	p.Lot = scanEntry("Lot (if tracked)", func() { s.focus(p.Qty) })
	p.SKU = scanEntry("Scan or type the SKU", func() { s.focus(p.Qty) })
	p.Submit = widget.NewButtonWithIcon("Receive", theme.DownloadIcon(), p.ReceiveLine)
	p.Submit.Importance = widget.HighImportance
	p.Inbounds = uikit.NewListTable(&p.inbounds,
		uikit.Col("Reference", func(in domain.Inbound) string { return in.Reference }).Wide(110),
		uikit.Col("Supplier", func(in domain.Inbound) string { return in.Supplier }).Wide(180),
		uikit.Col("Expected", func(in domain.Inbound) string { return in.ExpectedOn }).Wide(90),
		uikit.Num("Units", func(in domain.Inbound) string {
			var exp, rec domain.Quantity
			for _, ln := range in.Lines {
				exp, rec = exp+ln.Expected, rec+ln.Received
			}
			return uikit.QtyText(rec) + " / " + uikit.QtyText(exp)
		}).Wide(90),
		uikit.Col("Status", func(in domain.Inbound) string { return string(in.Status) }).Wide(80))
	p.Inbounds.OnSelected = func(id widget.TableCellID) { p.Against.SetSelectedIndex(id.Row + 1) }
	type line = domain.InboundLine
	p.Lines = uikit.NewColumnTable(p.lineCount, func(i int) (line, bool) { return p.inbounds[p.selected].Lines[i], true },
		uikit.Col("SKU", func(ln line) string { return ln.SKU }).Wide(100),
		uikit.Col("Product", func(ln line) string { return ln.Name }).Wide(200),
		uikit.Num("Expected", func(ln line) string { return uikit.QtyText(ln.Expected) }).Wide(75),
		uikit.Num("Received", func(ln line) string { return uikit.QtyText(ln.Received) }).Wide(75),
		uikit.Column[line]{Title: "Difference", Width: 90, Right: true, Show: func(ln line, l *widget.Label) {
			v := ln.Variance()
			switch {
			case v > 0:
				l.Importance = widget.WarningImportance
				l.SetText(fmt.Sprintf("+%s over", uikit.QtyText(v)))
			case v < 0:
				l.SetText(fmt.Sprintf("%s to come", uikit.QtyText(-v)))
			default:
				l.Importance = widget.SuccessImportance
				l.SetText("complete")
			}
		}})
	p.Show = widget.NewSelect([]string{showAllInbounds, showDueToday, showOverdue}, func(string) { p.reload() })
	p.Show.SetSelected(showAllInbounds)
	p.New = widget.NewButtonWithIcon("New inbound…", theme.ContentAddIcon(), p.showNewInbound)
	p.ImportIn = widget.NewButtonWithIcon("Import inbounds…", theme.FolderOpenIcon(), p.chooseInboundFile)
	p.Close = widget.NewButtonWithIcon("Close inbound as it stands", theme.CancelIcon(), p.closeInbound)
	p.Close.Disable()

	form := widget.NewForm(
		widget.NewFormItem("Against", p.Against),
		widget.NewFormItem("SKU", p.SKU),
		widget.NewFormItem("Quantity", p.Qty),
		widget.NewFormItem("Lot", p.Lot),
		widget.NewFormItem("Expiry", p.Expiry),
	)
	left := container.NewBorder(container.NewVBox(form, container.NewHBox(p.Submit)), nil, nil, nil,
		container.NewBorder(uikit.Heading("Lines of the inbound"), nil, nil, nil, p.Lines))
	right := container.NewBorder(container.NewBorder(nil, nil, container.NewHBox(uikit.Heading("Open inbounds"), p.Show),
		container.NewHBox(p.New, p.ImportIn, p.Close)), nil, nil, nil, p.Inbounds)
	p.content = uikit.Halves(left, right, 0.45)
	return p
}

func (p *ReceivePanel) reload() {
	p.s.load("inbounds", func(ctx context.Context, code string) (func(), error) {
		all, err := p.s.svc.Inbounds(ctx, domain.InboundOpen)
		return func() {
			due := showsDue[p.Show.Selected]
			today := ""
			if w := p.s.current(); w != nil {
				today = w.Today(p.s.svc.Now())
			}
			keep := ""
			if p.selected >= 0 && p.selected < len(p.inbounds) {
				keep = p.inbounds[p.selected].Reference
			}
			p.inbounds = p.inbounds[:0]
			opts := []string{adHoc}
			for _, in := range all {
				if in.Warehouse == code && (due == "" || in.Due(today) == due) {
					p.inbounds = append(p.inbounds, in)
					opts = append(opts, in.Reference+" — "+in.Supplier)
				}
			}
			p.Against.Options = opts
			p.selected = -1
			for i, in := range p.inbounds {
				if in.Reference == keep {
					p.selected = i
				}
			}
			p.Against.SetSelectedIndex(p.selected + 1)
			p.Against.Refresh()
			p.Inbounds.Refresh()
			p.Lines.Refresh()
		}, err
	})
}

// choose receives against inbound i (-1: ad hoc).
func (p *ReceivePanel) choose(i int) {
	if i >= len(p.inbounds) {
		i = -1
	}
	p.selected = i
	if i < 0 {
		p.Close.Disable()
	} else {
		p.Close.Enable()
	}
	p.Lines.Refresh()
}

func (p *ReceivePanel) lineCount() int {
	if p.selected < 0 || p.selected >= len(p.inbounds) {
		return 0
	}
	return len(p.inbounds[p.selected].Lines)
}

// ReceiveLine books what the form says.
func (p *ReceivePanel) ReceiveLine() {
	code := p.s.Code()
	sku := strings.TrimSpace(p.SKU.Text)
	qty, ok := quantity(p.Qty.Text, false)
	switch {
	case code == "":
		p.s.fail("Choose the warehouse first.")
		return
	case sku == "":
		p.s.fail("Scan or type the SKU that arrived.")
		p.s.focus(p.SKU)
		return
	case !ok:
		p.s.fail(fmt.Sprintf("%q is not a quantity; type a whole number above 0.", p.Qty.Text))
		p.s.focus(p.Qty)
		return
	}
	r := domain.Receipt{Warehouse: code, Lines: []domain.ReceiptLine{{SKU: sku, Qty: qty, Lot: p.Lot.Text, Expiry: p.Expiry.Text}}}
	against := "ad hoc"
	if p.selected >= 0 {
		r.InboundID = p.inbounds[p.selected].ID
		against = "against " + p.inbounds[p.selected].Reference
	}
	p.s.do("receive", func(ctx context.Context) (string, error) {
		got, err := p.s.svc.Receive(ctx, r)
		if err != nil {
			return "", err
		}
		ln := got[0]
		msg := fmt.Sprintf("Received %s × %s into RECEIVING (%s).", uikit.QtyText(ln.Qty), ln.SKU, against)
		switch v := ln.Variance(); {
		case r.InboundID == 0:
		case ln.Unexpected:
			msg += " Not on the inbound: recorded as an unexpected line."
		case v > 0:
			msg += fmt.Sprintf(" Over-receipt: %s more than expected.", uikit.QtyText(v))
		case v < 0:
			msg += fmt.Sprintf(" %s still expected.", uikit.QtyText(-v))
		default:
			msg += " Line complete."
		}
		return msg, nil
	}, func() {
		p.SKU.SetText("")
		p.Qty.SetText("")
		p.Lot.SetText("")
		p.Expiry.SetText("")
		p.s.focus(p.SKU)
	})
}

func (p *ReceivePanel) closeInbound() {
	if p.selected < 0 {
		return
	}
	in := p.inbounds[p.selected]
	dialog.ShowConfirm("Close inbound "+in.Reference, "Close it as it stands? What has not arrived stays recorded as short.",
		func(ok bool) {
			if ok {
				p.s.do("close inbound", func(ctx context.Context) (string, error) {
					return "Inbound " + in.Reference + " closed.", p.s.svc.CloseInbound(ctx, in.ID)
				}, nil)
			}
		}, p.s.window)
}

// showNewInbound asks for an expected delivery: reference, supplier, date and
// lines ("SKU quantity", one per line).
func (p *ReceivePanel) showNewInbound() {
	code := p.s.Code()
	if code == "" {
		p.s.fail("Choose the warehouse first.")
		return
	}
	ref := widget.NewEntry()
	supplier := widget.NewEntry()
	date := widget.NewEntry()
	date.SetPlaceHolder("YYYY-MM-DD")
	lines := widget.NewMultiLineEntry()
	lines.SetPlaceHolder("One line per SKU: SKU quantity\nPRT-10001 24\nPRT-10002 12")
	lines.SetMinRowsVisible(6)
	d := dialog.NewForm("New inbound to "+code, "Create", "Cancel", []*widget.FormItem{
		widget.NewFormItem("PO / ASN number", ref),
		widget.NewFormItem("Supplier", supplier),
		widget.NewFormItem("Expected on", date),
		widget.NewFormItem("Lines", lines),
	}, func(ok bool) {
		if !ok {
			return
		}
		in, err := ParseInboundLines(lines.Text)
		if err != nil {
			p.s.fail(err.Error())
			return
		}
		in.Warehouse, in.Reference, in.Supplier, in.ExpectedOn = code, strings.TrimSpace(ref.Text), strings.TrimSpace(supplier.Text), strings.TrimSpace(date.Text)
		p.s.do("new inbound", func(ctx context.Context) (string, error) {
			if err := p.s.svc.CreateInbound(ctx, &in); err != nil {
				return "", err
			}
			return fmt.Sprintf("Inbound %s recorded with %d line(s).", in.Reference, len(in.Lines)), nil
		}, nil)
	}, p.s.window)
	d.Resize(fyne.NewSize(520, 420))
	d.Show()
}

// ParseInboundLines reads "SKU quantity" lines (spaces, tabs, commas or
// semicolons between) into an inbound's lines.
func ParseInboundLines(text string) (domain.Inbound, error) {
	var in domain.Inbound
	for i, raw := range strings.Split(text, "\n") {
		f := strings.FieldsFunc(raw, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == ';' })
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 {
			return in, uikit.Problemf("line %d %q: write the SKU and the quantity, e.g. PRT-10001 24", i+1, strings.TrimSpace(raw))
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || n <= 0 {
			return in, uikit.Problemf("line %d: %q is not a quantity above 0", i+1, f[1])
		}
		in.Lines = append(in.Lines, domain.InboundLine{SKU: f[0], Expected: domain.Quantity(n)})
	}
	if len(in.Lines) == 0 {
		return in, uikit.Problemf("an inbound needs at least one line: SKU and quantity")
	}
	return in, nil
}

func (p *ReceivePanel) chooseInboundFile() {
	if p.s.Code() == "" {
		p.s.fail("Choose the warehouse first.")
		return
	}
	uikit.ChooseTableFile(p.s.window, func(path string) { p.OpenInboundImport(path) })
}

// OpenInboundImport reads a file of expected deliveries (rows without a
// warehouse go to the one worked in) and shows what it would record.
func (p *ReceivePanel) OpenInboundImport(path string) {
	code := p.s.Code()
	p.s.tasks.Load(p.s.Problem, "inbound import", func(ctx context.Context) (func(), error) {
		prev, err := p.s.svc.PreviewInboundImport(path, "", code)
		return func() {
			p.showInboundPreview(prev)
		}, err
	})
}

func (p *ReceivePanel) showInboundPreview(prev domain.InboundImportPreview) {
	p.InboundPreview = &prev
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d inbound(s) can be recorded; %d row problem(s).\n", filepath.Base(prev.Path), len(prev.Inbounds), len(prev.Problems))
	for _, in := range prev.Inbounds {
		var units domain.Quantity
		for _, l := range in.Lines {
			units += l.Expected
		}
		fmt.Fprintf(&b, "%s to %s from %s, expected %s: %d line(s), %s units\n", in.Reference, in.Warehouse, orDash(in.Supplier),
			orDash(in.ExpectedOn), len(in.Lines), uikit.QtyText(units))
	}
	writeProblems(&b, "Problems (their inbounds are left out):", prev.Problems)
	p.preview = p.s.showFilePreview("Import inbounds", b.String(), "Record %d inbound(s)", len(prev.Inbounds), 480, p.ImportPreviewed)
	p.PreviewText, p.ImportNow = p.preview.Text, p.preview.Post
}

// ImportPreviewed records the previewed inbounds.
func (p *ReceivePanel) ImportPreviewed() {
	if p.InboundPreview == nil {
		return
	}
	prev := *p.InboundPreview
	p.ImportNow.Disable()
	p.s.do("inbound import", func(ctx context.Context) (string, error) {
		n, problems, err := p.s.svc.ImportInbounds(ctx, prev)
		if err != nil {
			return "", err
		}
		msg := fmt.Sprintf("Recorded %d inbound(s) from %s.", n, filepath.Base(prev.Path))
		for _, pr := range problems {
			msg += "\n" + pr
		}
		return msg, nil
	}, func() {
		p.preview.hide()
		p.InboundPreview = nil
	})
}

// ShownInbounds are the open inbounds listed (tests).
func (p *ReceivePanel) ShownInbounds() []domain.Inbound { return p.inbounds }
