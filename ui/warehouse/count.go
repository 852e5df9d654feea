package warehouse

import (
	"context"
	"fmt"
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

// CountPanel makes cycle counts of a zone or of some bins, takes counted
// quantities blind (what the system expects is never shown), and posts the
// differences as count corrections.
type CountPanel struct {
	s *Screen

	Zone    *widget.Select
	Bins    *widget.Entry
	Create  *widget.Button
	Open    *widget.Table
	Lines   *widget.Table
	Bin     *widget.Entry
	SKU     *widget.Entry
	Lot     *widget.Entry
	Counted *widget.Entry
	Record  *widget.Button
	Post    *widget.Button
	Cancel  *widget.Button
	Title   *widget.Label

	counts  []domain.Count
	current *domain.Count
	content fyne.CanvasObject
}

const noZone = "— a zone —"

func newCountPanel(s *Screen) *CountPanel {
	p := &CountPanel{s: s}
	p.Zone = widget.NewSelect([]string{noZone}, nil)
	p.Zone.SetSelected(noZone)
	p.Bins = widget.NewEntry()
	p.Bins.SetPlaceHolder("or bins: A-01-01, A-01-02")
	p.Create = widget.NewButtonWithIcon("Create count", theme.ContentAddIcon(), p.CreateCount)
	p.Open = uikit.NewListTable(&p.counts,
		uikit.Col("No.", func(c domain.Count) string { return fmt.Sprint(c.ID) }).Wide(50),
		uikit.Col("Scope", func(c domain.Count) string { return c.Scope }).Wide(170),
		uikit.Col("Created", func(c domain.Count) string { return uikit.LocalAt(c.CreatedAt, "2006-01-02 15:04") }).Wide(130))
	p.Open.OnSelected = func(id widget.TableCellID) {
		if id.Row < len(p.counts) {
			p.load(p.counts[id.Row].ID, p.Bin)
		}
	}
	type line = domain.CountLine
	p.Lines = uikit.NewColumnTable(p.lineCount, func(i int) (line, bool) { return p.current.Lines[i], true },
		uikit.Col("Bin", func(ln line) string { return ln.Bin }).Wide(100),
		uikit.Col("SKU", func(ln line) string { return ln.SKU }).Wide(120),
		uikit.Col("Lot", func(ln line) string { return ln.Lot }).Wide(80),
		uikit.Column[line]{Title: "Counted", Width: 80, Right: true, Show: func(ln line, l *widget.Label) {
			if ln.Counted == nil {
				l.Importance = widget.LowImportance
				l.SetText("to count")
			} else {
				l.SetText(uikit.QtyText(*ln.Counted))
			}
		}})
	p.Lines.OnSelected = func(id widget.TableCellID) {
		if p.current != nil && id.Row < len(p.current.Lines) {
			ln := p.current.Lines[id.Row]
			p.Bin.SetText(ln.Bin)
			p.SKU.SetText(ln.SKU)
			p.Lot.SetText(ln.Lot)
			p.s.focus(p.Counted)
		}
	}
	p.Counted = scanEntry("Counted", func() { p.RecordLine() })
	p.Lot = scanEntry("Lot", func() { s.focus(p.Counted) })
	p.SKU = scanEntry("Scan the SKU", func() { s.focus(p.Counted) })
	p.Bin = scanEntry("Scan the bin", func() { s.focus(p.SKU) })
	p.Record = widget.NewButtonWithIcon("Record", theme.ConfirmIcon(), p.RecordLine)
	p.Post = widget.NewButtonWithIcon("Post differences", theme.DocumentSaveIcon(), p.PostCount)
	p.Post.Importance = widget.HighImportance
	p.Cancel = widget.NewButtonWithIcon("Cancel count", theme.CancelIcon(), p.cancelCount)
	p.Title = uikit.Wrapped("Create a count, or select an open one.")
	p.enable(false)

	create := container.NewVBox(uikit.Heading("New count"),
		container.NewBorder(nil, nil, nil, p.Create, container.NewGridWithColumns(2, p.Zone, p.Bins)))
	left := container.NewBorder(container.NewVBox(create, uikit.Heading("Open counts")),
		nil, nil, nil, p.Open)
	form := widget.NewForm(widget.NewFormItem("Bin", p.Bin), widget.NewFormItem("SKU", p.SKU), widget.NewFormItem("Lot", p.Lot),
		widget.NewFormItem("Counted", p.Counted))
	right := container.NewBorder(container.NewVBox(p.Title, form, container.NewHBox(p.Record, p.Post, p.Cancel)), nil, nil, nil, p.Lines)
	p.content = uikit.Halves(left, right, 0.4)
	return p
}

func (p *CountPanel) enable(on bool) {
	uikit.SetEnabled(on, p.Record, p.Post, p.Cancel)
}

func (p *CountPanel) reload() {
	w := p.s.current()
	if w == nil {
		return
	}
	code, id := w.Code, w.ID
	p.s.tasks.Load(p.s.Problem, "counts", func(ctx context.Context) (func(), error) {
		zones, err := p.s.svc.Zones(ctx, id)
		var counts []domain.Count
		if err == nil {
			counts, err = p.s.svc.Counts(ctx, domain.CountOpen)
		}
		return func() {
			p.Zone.Options = append([]string{noZone}, zones...)
			p.Zone.Refresh()
			p.counts = p.counts[:0]
			for _, c := range counts {
				if c.Warehouse == code {
					p.counts = append(p.counts, c)
				}
			}
			p.Open.Refresh()
			if p.current != nil && (p.current.Warehouse != code || p.current.Status != domain.CountOpen) {
				p.current = nil
				p.enable(false)
				p.Title.SetText("Create a count, or select an open one.")
			}
			p.Lines.Refresh()
		}, err
	})
}

// CreateCount makes a count of the chosen zone, or of the typed bins.
func (p *CountPanel) CreateCount() {
	code := p.s.Code()
	zone := ""
	if p.Zone.Selected != noZone {
		zone = p.Zone.Selected
	}
	bins := strings.FieldsFunc(p.Bins.Text, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' })
	if code == "" || (zone == "" && len(bins) == 0) {
		p.s.fail("Choose a zone, or type the bins to count.")
		return
	}
	if zone != "" {
		bins = nil
	}
	var made domain.Count
	p.s.do("create count", func(ctx context.Context) (string, error) {
		c, err := p.s.svc.CreateCount(ctx, code, zone, bins)
		made = c
		return fmt.Sprintf("Count %d of %s: %d bin line(s) to count. Quantities are not shown: count what you see.", c.ID, c.Scope, len(c.Lines)), err
	}, func() {
		p.Bins.SetText("")
		p.show(made)
		p.s.focus(p.Bin)
	})
}

// load reads count id and shows it, then puts the keyboard in field.
func (p *CountPanel) load(id int64, field *widget.Entry) {
	p.s.tasks.Load(p.s.Problem, "count", func(ctx context.Context) (func(), error) {
		c, err := p.s.svc.Count(ctx, id)
		return func() {
			p.show(c)
			p.s.focus(field)
		}, err
	})
}

func (p *CountPanel) show(c domain.Count) {
	p.current = &c
	p.Title.SetText(fmt.Sprintf("Count %d — %s — %d of %d line(s) counted", c.ID, c.Scope, c.Counted(), len(c.Lines)))
	p.enable(c.Status == domain.CountOpen)
	p.Lines.Refresh()
}

func (p *CountPanel) lineCount() int {
	if p.current == nil {
		return 0
	}
	return len(p.current.Lines)
}

// updateLine shows a count line without what is expected: a blind count.
// RecordLine enters the form's counted quantity.
func (p *CountPanel) RecordLine() {
	if p.current == nil || p.current.Status != domain.CountOpen {
		p.s.fail("Select an open count first.")
		return
	}
	bin, sku := strings.TrimSpace(p.Bin.Text), strings.TrimSpace(p.SKU.Text)
	n, err := strconv.ParseInt(strings.TrimSpace(p.Counted.Text), 10, 64)
	if bin == "" || sku == "" || err != nil || n < 0 {
		p.s.fail("Give the bin, the SKU and the counted quantity (0 or more).")
		return
	}
	id, lot := p.current.ID, strings.TrimSpace(p.Lot.Text)
	p.s.do("record count", func(ctx context.Context) (string, error) {
		if err := p.s.svc.RecordCount(ctx, id, bin, sku, lot, domain.Quantity(n)); err != nil {
			return "", err
		}
		return fmt.Sprintf("Counted %d × %s in %s.", n, sku, bin), nil
	}, func() {
		p.SKU.SetText("")
		p.Lot.SetText("")
		p.Counted.SetText("")
		p.load(id, p.SKU) // the next SKU of the same bin, or scan another bin
	})
}

// PostCount posts the counted lines' differences.
func (p *CountPanel) PostCount() {
	if p.current == nil {
		return
	}
	c := *p.current
	if left := len(c.Lines) - c.Counted(); left > 0 {
		dialog.ShowConfirm("Post count", fmt.Sprintf("%d line(s) are not counted and will be left as they are. Post the others?", left),
			func(ok bool) {
				if ok {
					p.PostConfirmed()
				}
			}, p.s.window)
		return
	}
	p.PostConfirmed()
}

// PostConfirmed posts the counted lines' differences without asking.
func (p *CountPanel) PostConfirmed() {
	if p.current == nil {
		return
	}
	c := *p.current
	p.s.do("post count", func(ctx context.Context) (string, error) {
		res, err := p.s.svc.PostCount(ctx, c.ID)
		if err != nil {
			return "", err
		}
		msg := fmt.Sprintf("Count %d posted: %d line(s) counted, %d corrected", c.ID, res.Posted, res.Changed)
		if res.Uncounted > 0 {
			msg += fmt.Sprintf(", %d not counted (left as they were)", res.Uncounted)
		}
		for _, pr := range res.Problems {
			msg += "\n" + pr.Column + ": " + pr.Message
		}
		return msg + ".", nil
	}, func() {
		p.current = nil
		p.enable(false)
		p.Title.SetText("Create a count, or select an open one.")
		p.Lines.Refresh()
	})
}

func (p *CountPanel) cancelCount() {
	if p.current == nil {
		return
	}
	id := p.current.ID
	dialog.ShowConfirm("Cancel count", fmt.Sprintf("Drop count %d without posting anything?", id), func(ok bool) {
		if ok {
			p.s.do("cancel count", func(ctx context.Context) (string, error) {
				return fmt.Sprintf("Count %d cancelled.", id), p.s.svc.CancelCount(ctx, id)
			}, func() {
				p.current = nil
				p.enable(false)
				p.Lines.Refresh()
			})
		}
	}, p.s.window)
}
