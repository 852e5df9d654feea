package warehouse

import (
	"context"
	"fmt"
	"slices"
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

// LabelService is the carrier labels of the Pack and ship panel: rates from
// the shipping accounts, purchases (never twice) and voids;
// app.LabelService implements it.
type LabelService interface {
	Rates(ctx context.Context, parcelIDs []int64) ([]domain.ParcelRates, error)
	Buy(ctx context.Context, parcelIDs []int64, choice domain.LabelChoice, progress func(done, of int)) ([]domain.LabelOutcome, error)
	Void(ctx context.Context, parcelID int64) (domain.Label, error)
}

// SetLabels gives the Pack and ship panel its carrier labels: Get rates,
// Buy and print and Void label appear.
func (s *Screen) SetLabels(l LabelService) {
	s.Ship.labels = l
	if l != nil {
		s.Ship.labelBar.Show()
	}
}

// rateRow is a quote in the rates table.
type rateRow struct {
	parcel   domain.PackedParcel
	quote    domain.AccountQuote
	cheapest bool
	set, at  int    // its parcel's place in rateSets, and its place in that parcel's quotes
	chosen   string // why the purchase takes it ("chosen: the cheapest"), "" when it does not
}

// labelsPanel is the label part of the ShipPanel.
type labelsPanel struct {
	labels   LabelService
	labelBar *fyne.Container
	GetRates *widget.Button
	BuyLabel *widget.Button
	VoidLbl  *widget.Button
	// RatesTable and the rest are the last rates shown (for tests).
	RatesTable *widget.Table
	rates      []rateRow
	rateSets   []domain.ParcelRates
	Services   *widget.Select // firstChoice, or a service to buy
	RatesNote  *widget.Label
	// RateTotals sums the chosen rates per carrier, and what each carrier
	// would cost for every parcel it quoted.
	RateTotals *widget.Label
	// Outcomes are the last purchase run's.
	Outcomes     []domain.LabelOutcome
	ratesShow    dialog.Dialog
	outcomesShow dialog.Dialog
	// VoidOutcome voids the label selected in the purchase results.
	VoidOutcome   *widget.Button
	outcomesTable *widget.Table
	// Correcting is the ship-to address being corrected after a carrier
	// refused it.
	Correcting *AddressForm
}

func (p *ShipPanel) buildLabels() fyne.CanvasObject {
	p.GetRates = widget.NewButtonWithIcon("Get rates", theme.SearchIcon(), p.ShowRates)
	p.BuyLabel = widget.NewButtonWithIcon("Buy and print", theme.ConfirmIcon(), func() { p.BuyLabels(domain.LabelChoice{}) })
	p.VoidLbl = widget.NewButtonWithIcon("Void label", theme.DeleteIcon(), p.VoidLabel)
	p.labelBar = container.NewHBox(p.GetRates, p.BuyLabel, p.VoidLbl)
	p.labelBar.Hide()
	return p.labelBar
}

// labelParcels are the parcels a label action takes: those ticked, or every
// parcel of the wave that is not handed over and has no tracking number.
func (p *ShipPanel) labelParcels() []int64 {
	var ids []int64
	for _, pa := range p.parcels {
		if pa.Shipped {
			continue
		}
		if p.Chosen[pa.ID] || (len(p.Chosen) == 0 && pa.Tracking == "") {
			ids = append(ids, pa.ID)
		}
	}
	return ids
}

// ShowRates asks the shipping accounts for the parcels' rates and shows
// them, the cheapest of each parcel marked, with Buy.
func (p *ShipPanel) ShowRates() {
	ids := p.labelParcels()
	if p.labels == nil || len(ids) == 0 {
		p.s.fail("Tick the parcels to quote (without ticks: every parcel without a tracking number).")
		return
	}
	p.s.Problem.Hide()
	p.s.setResult(fmt.Sprintf("Asking the carriers for %d parcel(s)…", len(ids)))
	p.s.tasks.Run(func() func() {
		rates, err := p.labels.Rates(context.Background(), ids)
		return func() {
			p.s.setResult("")
			if err != nil {
				p.s.Problem.Show("rates", err)
				return
			}
			p.showRates(rates)
		}
	})
}

func (p *ShipPanel) showRates(rates []domain.ParcelRates) {
	p.rates, p.rateSets = p.rates[:0], rates
	services := []string{firstChoice}
	var notes []string
	for k, r := range rates {
		for i, q := range r.Quotes {
			p.rates = append(p.rates, rateRow{parcel: r.Parcel, quote: q, cheapest: i == 0, set: k, at: i})
			if name := q.Carrier + " " + q.Service; !slices.Contains(services, name) {
				services = append(services, name)
			}
		}
		for _, pr := range r.Problems {
			notes = append(notes, fmt.Sprintf("Parcel %d (%s): %s", r.Parcel.ID, r.Parcel.Number, pr))
		}
		if len(r.Quotes) == 0 && len(r.Problems) == 0 {
			notes = append(notes, fmt.Sprintf("Parcel %d (%s): no account quoted it", r.Parcel.ID, r.Parcel.Number))
		}
	}
	p.RatesTable = uikit.NewListTable(&p.rates,
		uikit.Col("Parcel", func(r rateRow) string { return strconv.FormatInt(r.parcel.ID, 10) }).Wide(55),
		uikit.Col("Order", func(r rateRow) string { return r.parcel.Number }).Wide(95),
		uikit.Col("To", func(r rateRow) string { return string(r.parcel.ShipTo.Country) }).Wide(45),
		uikit.Col("Account", func(r rateRow) string { return r.quote.Account }).Wide(150),
		uikit.Col("Carrier", func(r rateRow) string { return r.quote.Carrier }).Wide(115),
		uikit.Col("Service", func(r rateRow) string { return r.quote.Service }).Wide(140),
		uikit.Num("Price", func(r rateRow) string { return r.quote.Price.String() }).Wide(90),
		uikit.Num("Converted", func(r rateRow) string {
			if r.quote.Converted.Currency == "" {
				return ""
			}
			return "≈ " + r.quote.Converted.String()
		}).Wide(100),
		uikit.Num("Days", func(r rateRow) string {
			if r.quote.TransitDays == 0 {
				return "–"
			}
			return strconv.Itoa(r.quote.TransitDays)
		}).Wide(45),
		uikit.Col("Guaranteed", func(r rateRow) string { return map[bool]string{true: "yes", false: "no"}[r.quote.Guaranteed] }).Wide(80),
		uikit.Marked("", func(r rateRow, l *widget.Label) {
			switch {
			case r.chosen != "":
				l.Importance, l.TextStyle = widget.HighImportance, fyne.TextStyle{Bold: true}
				l.SetText("► " + r.chosen)
			case r.cheapest:
				l.Importance, l.TextStyle = widget.MediumImportance, fyne.TextStyle{}
				l.SetText("cheapest")
			default:
				l.SetText("")
			}
		}).Wide(330))
	p.RateTotals = uikit.Wrapped("")
	p.Services = widget.NewSelect(services, func(string) { p.markChosen() })
	p.Services.SetSelectedIndex(0)
	p.RatesNote = uikit.Wrapped(strings.Join(notes, "\n"))
	if len(notes) == 0 {
		p.RatesNote.Hide()
	}
	buy := widget.NewButtonWithIcon("Buy and print", theme.ConfirmIcon(), func() {
		p.ratesShow.Hide()
		p.BuyLabels(p.Choice())
	})
	buy.Importance = widget.HighImportance
	if len(p.rates) == 0 {
		buy.Disable()
	}
	body := container.NewBorder(nil, container.NewVBox(p.RatesNote, p.RateTotals,
		container.NewBorder(nil, nil, widget.NewLabel("Buy:"), buy, p.Services)), nil, nil, p.RatesTable)
	p.ratesShow = dialog.NewCustom(fmt.Sprintf("Rates for %d parcel(s)", len(rates)), "Close", body, p.s.window)
	p.ratesShow.Resize(fyne.NewSize(1420, 620))
	p.ratesShow.Show()
}

// markChosen marks the rate each parcel's purchase takes with the Buy
// choice (and why), and sums them per carrier beside what each carrier
// would cost for all the parcels it quoted.
func (p *ShipPanel) markChosen() {
	choice := p.Choice()
	for i := range p.rates {
		r := &p.rates[i]
		r.chosen = ""
		set := p.rateSets[r.set]
		if set.Index(choice) == r.at {
			r.chosen = "chosen under Buy"
			if choice == (domain.LabelChoice{}) {
				r.chosen = "chosen: " + set.Why
			}
		}
	}
	var b strings.Builder
	perCarrier, all := domain.ChosenTotals(p.rateSets, choice)
	bought := 0
	for _, t := range perCarrier {
		bought += t.Parcels
	}
	fmt.Fprintf(&b, "Bought as marked: %d of %d parcel(s), %s", bought, len(p.rateSets), domain.MoneySum(all))
	for i, t := range perCarrier {
		b.WriteString(map[bool]string{true: " — ", false: "; "}[i == 0] + t.String())
	}
	b.WriteString(".\nOne carrier for every parcel it quoted (its cheapest service): ")
	for i, t := range domain.OneCarrierTotals(p.rateSets) {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %d of %d, %s", t.Carrier, t.Parcels, len(p.rateSets), domain.MoneySum(t.Total))
	}
	b.WriteString(".")
	if p.RateTotals != nil {
		p.RateTotals.SetText(b.String())
	}
	if p.RatesTable != nil {
		p.RatesTable.Refresh()
	}
}

// firstChoice is the rates dialog's default: each parcel the service its
// order asked for where a quote matches it, else the cheapest
// (domain.LabelChoice.PickFor).
const firstChoice = "As each order asks, else the cheapest"

// Choice is what the rates dialog's Buy takes: the default, or the
// cheapest of one carrier's service.
func (p *ShipPanel) Choice() domain.LabelChoice {
	if p.Services == nil || p.Services.SelectedIndex() <= 0 {
		return domain.LabelChoice{}
	}
	name := p.Services.Selected
	for _, r := range p.rates {
		if r.quote.Carrier+" "+r.quote.Service == name {
			return domain.LabelChoice{Carrier: r.quote.Carrier, Service: r.quote.Service}
		}
	}
	return domain.LabelChoice{}
}

// BuyLabels buys the parcels' labels one after the other, with progress
// and Cancel (which stops before the next purchase, never in one), then
// shows what became of each — a bought label can be voided there — and
// prints the labels bought (PrintDocuments).
func (p *ShipPanel) BuyLabels(choice domain.LabelChoice) {
	p.buyLabels(p.labelParcels(), choice)
}

func (p *ShipPanel) buyLabels(ids []int64, choice domain.LabelChoice) {
	if p.labels == nil || len(ids) == 0 {
		p.s.fail("Tick the parcels to buy labels for (without ticks: every parcel without a tracking number).")
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	bar := widget.NewProgressBar()
	bar.Max = float64(len(ids))
	label := widget.NewLabel(fmt.Sprintf("Buying %d label(s)…", len(ids)))
	stop := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		cancel()
		label.SetText("Stopping after the purchase under way…")
	})
	busy := dialog.NewCustomWithoutButtons("Buying labels", container.NewVBox(label, bar, container.NewCenter(stop)), p.s.window)
	busy.Resize(fyne.NewSize(420, 150))
	busy.Show()
	p.s.tasks.Run(func() func() {
		out, err := p.labels.Buy(ctx, ids, choice, func(done, of int) {
			uikit.OnUI(func() {
				bar.SetValue(float64(done))
				label.SetText(fmt.Sprintf("Bought or tried %d of %d…", done, of))
			})
		})
		stopped := ctx.Err() != nil
		cancel()
		return func() {
			busy.Hide()
			if err != nil {
				p.s.Problem.Show("labels", err)
				return
			}
			p.Outcomes = out
			p.showOutcomes(len(ids), stopped)
			p.loadWave()
			// The labels just bought print at once, where this workstation
			// prints them (PrintDocuments).
			var bought []int64
			for _, o := range out {
				if o.State == domain.PurchaseBought {
					bought = append(bought, o.ParcelID)
				}
			}
			if len(bought) > 0 && p.wave != nil {
				p.printJob(bought)
			}
		}
	})
}

func (p *ShipPanel) showOutcomes(asked int, stopped bool) {
	bought, failed, uncertain := 0, 0, 0
	for _, o := range p.Outcomes {
		switch o.State {
		case domain.PurchaseBought:
			bought++
		case domain.PurchaseFailed:
			failed++
		case domain.PurchaseUncertain:
			uncertain++
		}
	}
	summary := fmt.Sprintf("%d label(s) bought of %d parcel(s).", bought, asked)
	if stopped && len(p.Outcomes) < asked {
		summary += fmt.Sprintf(" Stopped: %d parcel(s) were not tried.", asked-len(p.Outcomes))
	}
	if failed > 0 {
		summary += fmt.Sprintf(" %d failed: nothing was bought for them (see Note).", failed)
	}
	if uncertain > 0 {
		summary += fmt.Sprintf(" %d uncertain: the carrier is asked about them at the next purchase, so nothing is bought twice.", uncertain)
	}
	p.s.Result.Importance = widget.SuccessImportance
	p.s.setResult(summary)
	table := uikit.NewListTable(&p.Outcomes,
		uikit.Col("Parcel", func(o domain.LabelOutcome) string { return strconv.FormatInt(o.ParcelID, 10) }).Wide(55),
		uikit.Col("Order", func(o domain.LabelOutcome) string { return o.Number }).Wide(95),
		uikit.Marked("Result", func(o domain.LabelOutcome, l *widget.Label) {
			switch o.State {
			case domain.PurchaseBought:
				l.Importance = widget.SuccessImportance
			case domain.PurchaseFailed, domain.PurchaseUncertain:
				l.Importance = widget.DangerImportance
			}
			l.SetText(map[domain.PurchaseState]string{"": "left alone"}[o.State] + string(o.State))
		}).Wide(80),
		uikit.Col("Carrier", func(o domain.LabelOutcome) string { return o.Label.Carrier }).Wide(115),
		uikit.Col("Service", func(o domain.LabelOutcome) string { return o.Label.Service }).Wide(150),
		uikit.Col("Tracking", func(o domain.LabelOutcome) string { return o.Label.Tracking }).Wide(130),
		uikit.Num("Cost", func(o domain.LabelOutcome) string {
			if o.Label.Tracking == "" {
				return ""
			}
			return o.Label.Cost.String()
		}).Wide(90),
		uikit.Col("Note", func(o domain.LabelOutcome) string { return o.Note }).Wide(270))
	// A carrier that refused the ship-to address says which field; the
	// address is corrected here, next to its words, and bought again.
	fixes := container.NewVBox()
	for _, o := range p.Outcomes {
		if o.State != domain.PurchaseFailed || o.Field == "" {
			continue
		}
		o := o
		fixes.Add(container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon("Correct the address…", theme.DocumentCreateIcon(), func() {
			p.CorrectAddress(o)
		}), widget.NewLabel(fmt.Sprintf("Parcel %d (order %s): the carrier refused the ship-to address", o.ParcelID, o.Number))))
	}
	p.outcomesTable = table
	// A label bought by mistake is voided from here: select it, then Void.
	p.VoidOutcome = widget.NewButtonWithIcon("Void the selected label", theme.DeleteIcon(), nil)
	p.VoidOutcome.Disable()
	selected := -1
	table.OnSelected = func(id widget.TableCellID) {
		selected = id.Row
		if selected < len(p.Outcomes) && p.Outcomes[selected].State == domain.PurchaseBought {
			p.VoidOutcome.Enable()
		} else {
			p.VoidOutcome.Disable()
		}
	}
	p.VoidOutcome.OnTapped = func() {
		if selected < 0 || selected >= len(p.Outcomes) || p.Outcomes[selected].State != domain.PurchaseBought {
			return
		}
		row := selected
		p.voidLabel(p.Outcomes[row].ParcelID, func() {
			p.Outcomes[row].State, p.Outcomes[row].Note = domain.PurchaseVoided, "voided"
			p.VoidOutcome.Disable()
			table.Refresh()
		})
	}
	fixes.Add(container.NewHBox(p.VoidOutcome))
	p.outcomesShow = dialog.NewCustom("Labels", "Close", container.NewBorder(widget.NewLabel(summary), fixes, nil, nil, table), p.s.window)
	p.outcomesShow.Resize(fyne.NewSize(1120, 440))
	p.outcomesShow.Show()
}

// OutcomesTable is the last purchase results' table (for tests).
func (p *ShipPanel) OutcomesTable() *widget.Table { return p.outcomesTable }

// CorrectAddress opens the ship-to address of a parcel whose carrier
// refused it, the carrier's words beside the field they name, to correct
// and buy the label again.
func (p *ShipPanel) CorrectAddress(o domain.LabelOutcome) {
	var parcel domain.PackedParcel
	for _, pa := range p.parcels {
		if pa.ID == o.ParcelID {
			parcel = pa
		}
	}
	if parcel.ID == 0 {
		p.s.fail(fmt.Sprintf("Parcel %d is no longer in this wave.", o.ParcelID))
		return
	}
	a := parcel.ShipTo
	entry := func(text string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(text)
		return e
	}
	f := &AddressForm{Line1: entry(a.Line1), Line2: entry(a.Line2), City: entry(a.City), Region: entry(a.Region), PostalCode: entry(a.PostalCode),
		Country: entry(string(a.Country)), Phone: entry(a.Phone)}
	items := []*widget.FormItem{widget.NewFormItem("Street", f.Line1), widget.NewFormItem("Line 2", f.Line2), widget.NewFormItem("City", f.City),
		widget.NewFormItem("Region / state", f.Region), widget.NewFormItem("Postal code", f.PostalCode), widget.NewFormItem("Country (ISO)", f.Country),
		widget.NewFormItem("Phone", f.Phone)}
	fields := []domain.ImportField{domain.FieldAddress1, "", domain.FieldCity, domain.FieldRegion, domain.FieldPostalCode, domain.FieldCountry, domain.FieldPhone}
	top := uikit.Wrapped(fmt.Sprintf("%s — order %s, parcel %d", a.Name, o.Number, o.ParcelID))
	for i, field := range fields {
		if field != "" && field == o.Field {
			items[i].HintText = "⚠ " + o.Note // the carrier's words, under the field they name
			f.Refused = items[i]
		}
	}
	if f.Refused == nil {
		top.SetText(top.Text + "\n⚠ " + o.Note)
	}
	f.Form = widget.NewForm(items...)
	var d dialog.Dialog
	f.Save = widget.NewButtonWithIcon("Save and buy again", theme.ConfirmIcon(), func() {
		to := domain.Address{Line1: f.Line1.Text, Line2: f.Line2.Text, City: f.City.Text, Region: f.Region.Text, PostalCode: f.PostalCode.Text,
			Country: domain.Country(f.Country.Text), Phone: f.Phone.Text}
		p.s.tasks.Run(func() func() {
			err := p.s.svc.SetShipAddress(context.Background(), parcel.OrderID, to, o.Note)
			return func() {
				if err != nil {
					f.Problem.SetText(uikit.UserMessage(err))
					f.Problem.Show()
					return
				}
				d.Hide()
				if p.outcomesShow != nil {
					p.outcomesShow.Hide()
				}
				p.buyLabels([]int64{o.ParcelID}, domain.LabelChoice{})
			}
		})
	})
	f.Save.Importance = widget.HighImportance
	f.Problem = uikit.FormProblem()
	f.Problem.Hide()
	d = dialog.NewCustom("Correct the ship-to address", "Cancel", container.NewVBox(top, f.Form, f.Problem, container.NewHBox(f.Save)), p.s.window)
	d.Resize(fyne.NewSize(720, 560))
	p.Correcting = f
	d.Show()
}

// AddressForm is the ship-to address being corrected (for tests).
type AddressForm struct {
	Form                                                   *widget.Form
	Line1, Line2, City, Region, PostalCode, Country, Phone *widget.Entry
	Refused                                                *widget.FormItem // the field the carrier's words name
	Save                                                   *widget.Button
	Problem                                                *widget.Label
}

// VoidLabel voids the selected parcel's carrier label through its carrier.
func (p *ShipPanel) VoidLabel() {
	if p.labels == nil || p.parcel < 0 || p.parcel >= len(p.parcels) {
		p.s.fail("Select the parcel whose label to void.")
		return
	}
	pa := p.parcels[p.parcel]
	dialog.ShowConfirm("Void label", fmt.Sprintf("Void the %s label %s of parcel %d (order %s) through the carrier?\n"+
		"The parcel stays packed, without a label, and can be bought anew.", pa.Carrier, pa.Tracking, pa.ID, pa.Number),
		func(ok bool) {
			if ok {
				p.voidLabel(pa.ID, nil)
			}
		}, p.s.window)
}

// voidLabel voids the parcel's label, then reloads the wave and calls
// done (when given).
func (p *ShipPanel) voidLabel(id int64, done func()) {
	p.s.do("void label", func(ctx context.Context) (string, error) {
		l, err := p.labels.Void(ctx, id)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Parcel %d: label voided (%s).", id, l.VoidNote()), nil
	}, func() {
		p.loadWave()
		if done != nil {
			done()
		}
	})
}
