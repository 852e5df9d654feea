package warehouse

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// ManifestsPanel lists the warehouse's carrier manifests (per carrier, per
// day) for reprinting, and the print log: who printed what, when.
type ManifestsPanel struct {
	s *Screen

	Manifests *widget.Table
	Log       *widget.Table
	Reprint   *widget.Button
	LastPath  string

	list     []domain.ManifestSummary
	log      []domain.PrintRecord
	selected int
	content  fyne.CanvasObject
}

func newManifestsPanel(s *Screen) *ManifestsPanel {
	p := &ManifestsPanel{s: s, selected: -1}
	p.Manifests = uikit.NewTable(func() (int, int) { return len(p.list), 5 }, uikit.Titles("Manifest", "Day", "Carrier", "Parcels", "Weight"),
		func(id widget.TableCellID, l *widget.Label) {
			if id.Row >= len(p.list) {
				l.SetText("")
				return
			}
			m := p.list[id.Row]
			if id.Col >= 3 {
				l.Alignment = fyne.TextAlignTrailing
			}
			l.SetText([]string{strconv.FormatInt(m.ID, 10), m.Day, m.Carrier, strconv.Itoa(m.Parcels),
				fmt.Sprintf("%.1f kg", float64(m.Weight)/1000)}[id.Col])
		})
	for i, wd := range []float32{80, 100, 140, 70, 90} {
		p.Manifests.SetColumnWidth(i, wd)
	}
	p.Manifests.OnSelected = func(id widget.TableCellID) { p.selected = id.Row; p.Reprint.Enable() }
	p.Reprint = widget.NewButtonWithIcon("Save manifest PDF again", theme.DocumentPrintIcon(), p.ReprintSelected)
	p.Reprint.Disable()
	p.Log = uikit.NewTable(func() (int, int) { return len(p.log), 5 }, uikit.Titles("When", "Who", "Document", "Of", "Size"),
		func(id widget.TableCellID, l *widget.Label) {
			if id.Row >= len(p.log) {
				l.SetText("")
				return
			}
			r := p.log[id.Row]
			if id.Col == 4 {
				l.Alignment = fyne.TextAlignTrailing
			}
			l.SetText([]string{r.At.In(time.Local).Format("2006-01-02 15:04:05"), r.Who, r.Document, r.Ref,
				fmt.Sprintf("%d kB", (r.Bytes+1023)/1024)}[id.Col])
		})
	for i, wd := range []float32{150, 90, 100, 220, 70} {
		p.Log.SetColumnWidth(i, wd)
	}
	bold := fyne.TextStyle{Bold: true}
	left := container.NewBorder(container.NewVBox(widget.NewLabelWithStyle("Carrier manifests", fyne.TextAlignLeading, bold),
		widget.NewLabel("One per carrier and day; parcels join it as they are handed over.")), container.NewHBox(p.Reprint), nil, nil, p.Manifests)
	right := container.NewBorder(widget.NewLabelWithStyle("Print log (newest first)", fyne.TextAlignLeading, bold), nil, nil, nil, p.Log)
	split := container.NewHSplit(left, right)
	split.SetOffset(0.45)
	p.content = split
	return p
}

func (p *ManifestsPanel) reload() {
	code := p.s.Code()
	if code == "" {
		return
	}
	p.s.tasks.Run(func() func() {
		ctx := context.Background()
		list, err := p.s.svc.Manifests(ctx, code, 500)
		var log []domain.PrintRecord
		if err == nil {
			log, err = p.s.svc.PrintLog(ctx, 500)
		}
		return func() {
			if err != nil {
				p.s.Problem.Show("manifests", err)
				return
			}
			p.list, p.log = list, log
			p.selected = -1
			p.Manifests.UnselectAll()
			p.Reprint.Disable()
			p.Manifests.Refresh()
			p.Log.Refresh()
		}
	})
}

// ReprintSelected saves the selected manifest's PDF again (the same
// document) and logs the reprint.
func (p *ManifestsPanel) ReprintSelected() {
	if p.selected < 0 || p.selected >= len(p.list) {
		p.s.fail("Select a manifest.")
		return
	}
	m := p.list[p.selected]
	p.s.do("manifest", func(ctx context.Context) (string, error) {
		var buf bytes.Buffer
		if err := p.s.svc.ManifestPDF(ctx, m.ID, &buf); err != nil {
			return "", err
		}
		path, err := uikit.SaveDocument(fmt.Sprintf("manifest-%d.pdf", m.ID), buf.Bytes())
		if err != nil {
			return "", err
		}
		p.LastPath = path
		return fmt.Sprintf("Manifest %d (%s, %s, %d parcels) saved: %s", m.ID, m.Carrier, m.Day, m.Parcels, path),
			p.s.svc.Printed(ctx, "manifest", fmt.Sprintf("manifest %d (reprint)", m.ID), buf.Len())
	}, func() { p.s.offerDocument(p.LastPath) })
}
