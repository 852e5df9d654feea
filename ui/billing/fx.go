package billing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// fxTab is the Billing screen's exchange rates: the month's rates (the
// ones its invoices convert at), one entered by hand, or the ECB's
// reference rates imported from the file the ECB publishes.
type fxTab struct {
	s       *Screen
	Table   *widget.Table
	Summary *widget.Label
	Add     *widget.Button
	Import  *widget.Button
	rates   []domain.FXRate
	content fyne.CanvasObject
}

func newFXTab(s *Screen) *fxTab {
	f := &fxTab{s: s}
	type rate = domain.FXRate
	f.Table = uikit.NewListTable(&f.rates,
		uikit.Col("Day", func(r rate) string { return r.Day.Format(time.DateOnly) }).Wide(110),
		uikit.Col("Base", func(r rate) string { return string(r.Base) }).Wide(70),
		uikit.Col("Currency", func(r rate) string { return string(r.Quote) }).Wide(90),
		uikit.Num("Units per 1 base", rateText).Wide(160))
	f.Summary = widget.NewLabel("")
	f.Summary.Wrapping = fyne.TextWrapWord
	f.Add = widget.NewButtonWithIcon("Add a rate…", theme.ContentAddIcon(), f.AddForm)
	f.Import = widget.NewButtonWithIcon("Import ECB rates…", theme.UploadIcon(), f.ChooseFile)
	f.content = container.NewBorder(f.Summary, container.NewHBox(f.Add, f.Import), nil, nil, f.Table)
	return f
}

// rateText writes a rate with the decimals it was published with (up to 8).
func rateText(r domain.FXRate) string {
	t := strings.TrimRight(r.Rate.FloatString(8), "0")
	return strings.TrimSuffix(t, ".")
}

// Reload reads the month's rates.
func (f *fxTab) Reload(period string) {
	f.s.tasks.Load(f.s.Problem, "exchange rates", func(ctx context.Context) (func(), error) {
		rates, err := f.s.svc.FXRatesIn(ctx, period)
		return func() {
			f.rates = rates
			days := map[string]bool{}
			for _, r := range rates {
				days[r.Day.Format(time.DateOnly)] = true
			}
			if len(rates) == 0 {
				f.Summary.SetText(fmt.Sprintf("No exchange rates for %s: invoices of the month convert other currencies at the latest rate before it. "+
					"Import the ECB's file (eurofxref-hist.zip, .xml or .csv from ecb.europa.eu) or add a rate.", period))
			} else {
				f.Summary.SetText(fmt.Sprintf("%d rate(s) on %d day(s) of %s. An invoice converts at the rates of its date (or the latest day before).",
					len(rates), len(days), period))
			}
			f.Table.Refresh()
		}, err
	})
}

// ChooseFile asks for an ECB rates file.
func (f *fxTab) ChooseFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			f.s.Problem.Show("exchange rates", err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		f.ImportFile(path)
	}, f.s.window)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".xml", ".csv", ".zip", ".xlsx"}))
	d.Show()
}

// ImportFile stores the rates of an ECB file (all of it, or nothing).
func (f *fxTab) ImportFile(path string) {
	period := f.s.Period.Selected
	f.s.tasks.Load(f.s.Problem, "exchange rates", func(ctx context.Context) (func(), error) {
		res, err := f.s.svc.ImportFXFile(ctx, path)
		return func() {
			msg := fmt.Sprintf("Imported %d exchange rate(s) of %s to %s.", res.Saved, res.From.Format(time.DateOnly), res.To.Format(time.DateOnly))
			if res.Skipped > 0 {
				msg += fmt.Sprintf(" %d row(s) without a date were skipped.", res.Skipped)
			}
			f.s.done(msg)
			f.Reload(period)
		}, err
	})
}

// AddForm enters one rate by hand.
func (f *fxTab) AddForm() {
	day, base, quote, rate := widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	day.SetText(f.s.svc.Now().Local().Format(time.DateOnly))
	base.SetText("EUR")
	quote.SetPlaceHolder("USD")
	rate.SetPlaceHolder("1.0823 (units of the currency per 1 base)")
	dialog.ShowForm("Add an exchange rate", "Save", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Day", day), widget.NewFormItem("Base", base), widget.NewFormItem("Currency", quote), widget.NewFormItem("Rate", rate),
	}, func(ok bool) {
		if ok {
			f.Save(day.Text, base.Text, quote.Text, rate.Text)
		}
	}, f.s.window)
}

// Save checks and stores one rate.
func (f *fxTab) Save(day, base, quote, rate string) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(day))
	if err != nil {
		f.s.Problem.Show("exchange rate", domain.Errorf(domain.EINVALID, "%q is not a day; write it as 2026-11-27", day))
		return
	}
	r, err := domain.ParseRate(rate)
	if err != nil {
		f.s.Problem.Show("exchange rate", err)
		return
	}
	fx := domain.FXRate{Day: d, Base: domain.Currency(strings.ToUpper(strings.TrimSpace(base))), Quote: domain.Currency(strings.ToUpper(strings.TrimSpace(quote))), Rate: r}
	if !fx.Base.Valid() || !fx.Quote.Valid() || fx.Base == fx.Quote {
		f.s.Problem.Show("exchange rate", domain.Errorf(domain.EINVALID, "%q and %q must be two different ISO 4217 currency codes", base, quote))
		return
	}
	period := f.s.Period.Selected
	f.s.tasks.Load(f.s.Problem, "exchange rate", func(ctx context.Context) (func(), error) {
		_, err := f.s.svc.SaveFXRates(ctx, []domain.FXRate{fx})
		return func() {
			f.s.done(fmt.Sprintf("1 %s = %s %s on %s saved.", fx.Base, rateText(fx), fx.Quote, d.Format(time.DateOnly)))
			f.Reload(period)
		}, err
	})
}
