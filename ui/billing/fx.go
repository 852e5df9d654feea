package billing

import (
	"context"
	"errors"
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
	f.Summary = uikit.Wrapped("")
	f.Add = widget.NewButtonWithIcon("Add a rate…", theme.ContentAddIcon(), f.AddForm)
	f.Import = widget.NewButtonWithIcon("Import ECB rates…", theme.UploadIcon(), f.ChooseFile)
	f.content = container.NewBorder(f.Summary, container.NewHBox(f.Add, f.Import), nil, nil, f.Table)
	return f
}

// rateText writes a rate with the decimals it was published with.
func rateText(r domain.FXRate) string { return domain.RateText(r.Rate) }

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

// ImportFile stores the rates of an ECB file (all of it, or nothing); rates
// that jumped from the day before are saved only when the user confirms.
func (f *fxTab) ImportFile(path string) { f.importFile(path, false) }

func (f *fxTab) importFile(path string, acceptJumps bool) {
	period := f.s.Period.Selected
	f.s.tasks.Run(func() func() {
		res, err := f.s.svc.ImportFXFile(context.Background(), path, acceptJumps)
		return func() {
			if f.confirmJumps(err, func() { f.importFile(path, true) }) {
				return
			}
			if err != nil {
				f.s.Problem.Show("exchange rates", err)
				return
			}
			msg := fmt.Sprintf("Imported %d exchange rate(s) of %s to %s.", res.Saved, res.From.Format(time.DateOnly), res.To.Format(time.DateOnly))
			if res.Skipped > 0 {
				msg += fmt.Sprintf(" %d row(s) without a date were skipped.", res.Skipped)
			}
			if len(res.Problems) > 0 {
				msg += fmt.Sprintf(" %d value(s) are not rates and were left out: %s", len(res.Problems), strings.Join(res.Problems[:min(len(res.Problems), 3)], "; "))
			}
			f.s.done(msg)
			f.Reload(period)
		}
	})
}

// confirmJumps asks whether rates that jumped are right when err says so,
// and runs again when they are; it reports whether it asked.
func (f *fxTab) confirmJumps(err error, again func()) bool {
	var je *domain.FXJumpError
	if !errors.As(err, &je) {
		return false
	}
	dialog.ShowConfirm("Save these exchange rates?", je.Error()+"\n\nSave them anyway?", func(ok bool) {
		if ok {
			again()
		}
	}, f.s.window)
	return true
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
	f.save(fx, false)
}

func (f *fxTab) save(fx domain.FXRate, acceptJump bool) {
	period := f.s.Period.Selected
	f.s.tasks.Run(func() func() {
		_, err := f.s.svc.SaveFXRates(context.Background(), []domain.FXRate{fx}, acceptJump)
		return func() {
			if f.confirmJumps(err, func() { f.save(fx, true) }) {
				return
			}
			if err != nil {
				f.s.Problem.Show("exchange rate", err)
				return
			}
			f.s.done(fmt.Sprintf("1 %s = %s %s on %s saved.", fx.Base, rateText(fx), fx.Quote, fx.Day.Format(time.DateOnly)))
			f.Reload(period)
		}
	})
}
