package billing

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// The rate card form's price fields, in the order shown, with what they set.
var cardPrices = []struct {
	label string
	field func(*domain.RateCard) *int64
}{
	{"Per order", func(r *domain.RateCard) *int64 { return &r.PerOrder }},
	{"Per line", func(r *domain.RateCard) *int64 { return &r.PerLine }},
	{"Per unit picked", func(r *domain.RateCard) *int64 { return &r.PerUnit }},
	{"Per parcel", func(r *domain.RateCard) *int64 { return &r.PerParcel }},
	{"Receiving per unit", func(r *domain.RateCard) *int64 { return &r.ReceivingUnit }},
	{"Per inbound", func(r *domain.RateCard) *int64 { return &r.PerInbound }},
	{"Storage per 1,000 unit-days", func(r *domain.RateCard) *int64 { return &r.StoragePer1000UnitDays }},
	{"Storage per bin-day", func(r *domain.RateCard) *int64 { return &r.StoragePerBinDay }},
	{"Monthly minimum", func(r *domain.RateCard) *int64 { return &r.MinimumMonthly }},
}

// Names of the form's other fields.
const (
	cardFrom      = "From"
	cardPackaging = "Packaging per box"
	cardMarkup    = "Shipping markup %"
	cardFlat      = "Flat shipping"
)

// newCardsTable lists rate cards, a column per price.
func newCardsTable(cards *[]domain.RateCard) *widget.Table {
	type card = domain.RateCard
	price := func(title string, of func(card) int64) uikit.Column[card] {
		return uikit.Col(title, func(r card) string { return amount(of(r), r.Currency) })
	}
	return uikit.NewListTable(cards,
		uikit.Col("From", func(r card) string { return r.EffectiveFrom.Format(time.DateOnly) }).Wide(95),
		price("Per order", func(r card) int64 { return r.PerOrder }).Wide(100),
		price("Per line", func(r card) int64 { return r.PerLine }).Wide(90),
		price("Per unit", func(r card) int64 { return r.PerUnit }).Wide(90),
		price("Per parcel", func(r card) int64 { return r.PerParcel }).Wide(100),
		uikit.Col("Storage", func(r card) string {
			var storage []string
			if r.StoragePer1000UnitDays != 0 {
				storage = append(storage, domain.NewMoney(r.StoragePer1000UnitDays, r.Currency).Decimal()+" / 1,000 unit-days")
			}
			if r.StoragePerBinDay != 0 {
				storage = append(storage, domain.NewMoney(r.StoragePerBinDay, r.Currency).Decimal()+" / bin-day")
			}
			return strings.Join(storage, " · ")
		}).Wide(200),
		uikit.Col("Shipping", func(r card) string {
			if len(r.Flat) > 0 {
				return fmt.Sprintf("flat, %d price(s)", len(r.Flat))
			}
			return fmt.Sprintf("cost + %d.%02d %%", r.MarkupBP/100, r.MarkupBP%100)
		}).Wide(150),
		price("Monthly minimum", func(r card) int64 { return r.MinimumMonthly }).Wide(130))
}

// showCard writes every price of a card under the table.
func (s *Screen) showCard(row int) {
	if row < 0 || row >= len(s.cards) {
		return
	}
	r := s.cards[row]
	parts := r.Describe()
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	s.CardInfo.SetText(fmt.Sprintf("From %s (%s): %s", r.EffectiveFrom.Format(time.DateOnly), r.Currency, strings.Join(parts, " · ")))
}

// CardForm adds a rate card for the selected client from a date, starting
// from the prices of its latest card.
func (s *Screen) CardForm() {
	if s.client < 0 || s.client >= len(s.clients) {
		s.Problem.Show("rate card", uikit.Problem("select a client first"))
		return
	}
	c := s.clients[s.client]
	latest := domain.RateCard{Currency: c.Currency}
	if len(s.cards) > 0 {
		latest = s.cards[len(s.cards)-1]
	}
	entries := map[string]*widget.Entry{}
	entry := func(name, text, hint string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(text)
		e.SetPlaceHolder(hint)
		entries[name] = e
		return e
	}
	next := domain.MonthStart(s.svc.Now(), 1)
	items := []*widget.FormItem{widget.NewFormItem(cardFrom, entry(cardFrom, next.Format(time.DateOnly), "YYYY-MM-DD"))}
	for _, p := range cardPrices {
		text := ""
		if v := *p.field(&latest); v != 0 && latest.Currency == c.Currency {
			text = domain.NewMoney(v, c.Currency).Decimal()
		}
		items = append(items, widget.NewFormItem(p.label, entry(p.label, text, "0 "+string(c.Currency))))
	}
	var boxes []string
	for b, v := range latest.Packaging {
		boxes = append(boxes, b+"="+domain.NewMoney(v, c.Currency).Decimal())
	}
	sort.Strings(boxes)
	items = append(items, widget.NewFormItem(cardPackaging, entry(cardPackaging, strings.Join(boxes, ", "), "e.g. S=0.40, M=0.60, L=0.90")))
	markup := ""
	if latest.MarkupBP != 0 {
		markup = fmt.Sprintf("%d.%02d", latest.MarkupBP/100, latest.MarkupBP%100)
	}
	items = append(items, widget.NewFormItem(cardMarkup, entry(cardMarkup, markup, "e.g. 12 (% on the carrier's cost)")))
	flat := entry(cardFlat, domain.FormatFlatTable(latest.Flat, c.Currency), "DE up to 1000 g: 4.90\nEurope up to 2000 g: 9.50\n* up to 30000 g: 29.00")
	flat.MultiLine = true
	flat.SetMinRowsVisible(4)
	items = append(items, widget.NewFormItem(cardFlat, flat))
	hint := uikit.Wrapped("Flat shipping, when given, replaces the markup: one price per line, the zone a country code, a region (" +
		strings.Join(domain.RegionNames(), ", ") + ") or *.")
	items = append(items, widget.NewFormItem("", hint))
	d := dialog.NewForm("Rate card for "+c.Code+" ("+string(c.Currency)+")", "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		values := map[string]string{}
		for k, e := range entries {
			values[k] = e.Text
		}
		s.SaveCard(c, values)
	}, s.window)
	d.Resize(fyne.NewSize(640, 0))
	d.Show()
}

// SaveCard checks the form's values (by field name) and saves the card.
func (s *Screen) SaveCard(c domain.Client, values map[string]string) {
	fail := func(err error) { s.Problem.Show("rate card", err) }
	day, err := time.Parse(time.DateOnly, strings.TrimSpace(values[cardFrom]))
	if err != nil {
		fail(uikit.Problemf("%q is not a date like 2026-12-01", values[cardFrom]))
		return
	}
	card := domain.RateCard{ClientID: c.ID, EffectiveFrom: day, Currency: c.Currency, Packaging: map[string]int64{}}
	for _, p := range cardPrices {
		t := strings.TrimSpace(values[p.label])
		if t == "" {
			continue
		}
		m, err := domain.ParseMoney(t, c.Currency)
		if err != nil {
			fail(uikit.Problemf("%s: %v", p.label, err))
			return
		}
		*p.field(&card) = m.Amount
	}
	for _, b := range strings.FieldsFunc(values[cardPackaging], func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		k, v, ok := strings.Cut(b, "=")
		m, err := domain.ParseMoney(strings.TrimSpace(v), c.Currency)
		if !ok || strings.TrimSpace(k) == "" || err != nil {
			fail(uikit.Problemf("%s: %q is BOX=PRICE, e.g. M=0.60", cardPackaging, strings.TrimSpace(b)))
			return
		}
		card.Packaging[strings.ToUpper(strings.TrimSpace(k))] = m.Amount
	}
	if t := strings.TrimSpace(values[cardMarkup]); t != "" {
		if card.MarkupBP, err = parseBP(t); err != nil {
			fail(err)
			return
		}
	}
	if card.Flat, err = domain.ParseFlatTable(values[cardFlat], c.Currency); err != nil {
		fail(err)
		return
	}
	s.tasks.Run(func() func() {
		err := s.svc.SaveRateCard(context.Background(), &card)
		return func() {
			if err != nil {
				fail(err)
				return
			}
			s.done(fmt.Sprintf("Rates of %s from %s saved.", c.Code, day.Format(time.DateOnly)))
			s.loadCards()
		}
	})
}
