package warehouse

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// ShippingSettingsForm edits what the shipping documents print besides the
// parcels: Incoterm, EORI and IOSS numbers, prices on packing slips, the
// paper of customs papers and slips, the carriers that need Latin script
// and the carrier of each storefront shipping service.
type ShippingSettingsForm struct {
	Incoterm *widget.Select
	EORI     *widget.Entry
	IOSS     *widget.Entry
	Prices   *widget.Check
	Paper    *widget.Select
	Latin    *widget.Entry
	Services *widget.Entry
	Form     *widget.Form
}

func newShippingSettingsForm(set domain.ShippingSettings) *ShippingSettingsForm {
	f := &ShippingSettingsForm{}
	f.Incoterm = widget.NewSelect([]string{"DAP", "DDP"}, nil)
	f.Incoterm.SetSelected(set.Incoterm)
	f.EORI, f.IOSS = widget.NewEntry(), widget.NewEntry()
	f.EORI.SetText(set.EORI)
	f.EORI.SetPlaceHolder("e.g. NL123456789000")
	f.IOSS.SetText(set.IOSS)
	f.IOSS.SetPlaceHolder("e.g. IM5280000000")
	f.Prices = widget.NewCheck("Print prices on packing slips", nil)
	f.Prices.SetChecked(set.Prices)
	f.Paper = widget.NewSelect([]string{"A4", "Letter"}, nil)
	f.Paper.SetSelected(map[bool]string{true: "A4", false: set.DocPaper}[set.DocPaper == ""])
	f.Latin = widget.NewEntry()
	f.Latin.SetText(strings.Join(set.LatinCarriers, ", "))
	f.Latin.SetPlaceHolder("none")
	f.Services = widget.NewMultiLineEntry()
	f.Services.SetPlaceHolder("Flat rate = DPD\nStandard shipping = PostNL")
	keys := slices.Sorted(maps.Keys(set.Carriers))
	var lines []string
	for _, k := range keys {
		lines = append(lines, k+" = "+set.Carriers[k])
	}
	f.Services.SetText(strings.Join(lines, "\n"))
	f.Services.SetMinRowsVisible(4)
	f.Form = widget.NewForm(
		widget.NewFormItem("Incoterm", f.Incoterm),
		widget.NewFormItem("Sender EORI", f.EORI),
		widget.NewFormItem("Sender IOSS", f.IOSS),
		widget.NewFormItem("", f.Prices),
		widget.NewFormItem("Papers and slips on", f.Paper),
		widget.NewFormItem("Latin script for", f.Latin),
		widget.NewFormItem("Service = carrier", f.Services),
	)
	f.Form.Items[5].HintText = "carriers that need the address in Latin script on international labels"
	f.Form.Items[6].HintText = "one per line, for services whose name does not say the carrier"
	return f
}

// Settings reads the form.
func (f *ShippingSettingsForm) Settings() (domain.ShippingSettings, error) {
	set := domain.ShippingSettings{Incoterm: f.Incoterm.Selected, EORI: strings.TrimSpace(f.EORI.Text), IOSS: strings.TrimSpace(f.IOSS.Text),
		Prices: f.Prices.Checked, DocPaper: f.Paper.Selected, LatinCarriers: []string{}, Carriers: map[string]string{}}
	for _, c := range strings.Split(f.Latin.Text, ",") {
		if c = strings.TrimSpace(c); c != "" {
			set.LatinCarriers = append(set.LatinCarriers, c)
		}
	}
	for i, l := range strings.Split(f.Services.Text, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return set, uikit.Problemf("line %d of the services, %q: write it as SERVICE = CARRIER", i+1, strings.TrimSpace(l))
		}
		set.Carriers[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return set, nil
}

// EditShippingSettings opens the shipping settings in a dialog.
func (s *Screen) EditShippingSettings() {
	s.tasks.Load(s.Problem, "shipping settings", func(ctx context.Context) (func(), error) {
		set, err := s.svc.ShippingSettings(ctx)
		return func() {
			f := newShippingSettingsForm(set)
			s.Settings = f
			d := dialog.NewCustomConfirm("Shipping settings", "Save", "Cancel", f.Form, func(ok bool) {
				if ok {
					s.SaveShippingSettings(f)
				}
			}, s.window)
			d.Resize(fyne.NewSize(620, 460))
			d.Show()
		}, err
	})
}

// SaveShippingSettings saves what the form holds.
func (s *Screen) SaveShippingSettings(f *ShippingSettingsForm) {
	set, err := f.Settings()
	if err != nil {
		s.fail(err.Error())
		return
	}
	s.do("shipping settings", func(ctx context.Context) (string, error) {
		return fmt.Sprintf("Shipping settings saved: Incoterm %s, papers on %s.", set.Incoterm, set.DocPaper), s.svc.SetShippingSettings(ctx, set)
	}, nil)
}
