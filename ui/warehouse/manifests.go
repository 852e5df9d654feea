package warehouse

import (
	"context"
	"fmt"
	"io"
	"strconv"

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
	type manifest = domain.ManifestSummary
	p.Manifests = uikit.NewListTable(&p.list,
		uikit.Col("Manifest", func(m manifest) string { return strconv.FormatInt(m.ID, 10) }).Wide(80),
		uikit.Col("Day", func(m manifest) string { return m.Day }).Wide(100),
		uikit.Col("Carrier", func(m manifest) string { return m.Carrier }).Wide(140),
		uikit.Num("Parcels", func(m manifest) string { return strconv.Itoa(m.Parcels) }).Wide(70),
		uikit.Num("Weight", func(m manifest) string { return fmt.Sprintf("%.1f kg", float64(m.Weight)/1000) }).Wide(90))
	p.Manifests.OnSelected = func(id widget.TableCellID) { p.selected = id.Row; p.Reprint.Enable() }
	p.Reprint = widget.NewButtonWithIcon("Save manifest PDF again", theme.DocumentPrintIcon(), p.ReprintSelected)
	p.Reprint.Disable()
	type record = domain.PrintRecord
	p.Log = uikit.NewListTable(&p.log,
		uikit.Col("When", func(r record) string { return uikit.LocalAt(r.At, "2006-01-02 15:04:05") }).Wide(150),
		uikit.Col("Who", func(r record) string { return r.Who }).Wide(90),
		uikit.Col("Document", func(r record) string { return r.Document }).Wide(100),
		uikit.Col("Of", func(r record) string { return r.Ref }).Wide(220),
		uikit.Num("Size", func(r record) string { return fmt.Sprintf("%d kB", (r.Bytes+1023)/1024) }).Wide(70))
	left := container.NewBorder(container.NewVBox(uikit.Heading("Carrier manifests"),
		widget.NewLabel("One per carrier and day; parcels join it as they are handed over.")), container.NewHBox(p.Reprint), nil, nil, p.Manifests)
	right := container.NewBorder(uikit.Heading("Print log (newest first)"), nil, nil, nil, p.Log)
	p.content = uikit.Halves(left, right, 0.45)
	return p
}

func (p *ManifestsPanel) reload() {
	p.s.load("manifests", func(ctx context.Context, code string) (func(), error) {
		list, err := p.s.svc.Manifests(ctx, code, 500)
		var log []domain.PrintRecord
		if err == nil {
			log, err = p.s.svc.PrintLog(ctx, 500)
		}
		return func() {
			p.list, p.log = list, log
			p.selected = -1
			p.Manifests.UnselectAll()
			p.Reprint.Disable()
			p.Manifests.Refresh()
			p.Log.Refresh()
		}, err
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
		return p.s.saveDocument(ctx, &p.LastPath, fmt.Sprintf("manifest-%d.pdf", m.ID), "manifest", fmt.Sprintf("manifest %d (reprint)", m.ID),
			func(w io.Writer) error { return p.s.svc.ManifestPDF(ctx, m.ID, w) },
			func(path string) string {
				return fmt.Sprintf("Manifest %d (%s, %s, %d parcels) saved: %s", m.ID, m.Carrier, m.Day, m.Parcels, path)
			})
	}, func() { p.s.offerDocument(p.LastPath) })
}

// ParcelsOn counts the parcels on the listed manifests of day (tests).
func (p *ManifestsPanel) ParcelsOn(day string) int {
	n := 0
	for _, m := range p.list {
		if m.Day == day {
			n += m.Parcels
		}
	}
	return n
}
