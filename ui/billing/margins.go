package billing

import (
	"context"
	"fmt"
	"math"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// marginsTab is the Billing screen's margins: a month's fulfilment charges
// less what the carriers charged (invoiced, else expected) and the boxes,
// per client, destination country or order — the thinnest first.
type marginsTab struct {
	s        *Screen
	By       *widget.Select
	Currency *widget.Select
	Table    *widget.Table
	Summary  *widget.Label
	rows     []domain.Margin
	content  fyne.CanvasObject
}

// The groupings offered, and the name the service knows them by.
var marginGroups = map[string]string{"client": "client", "country": "country", "order": "order"}

func newMarginsTab(s *Screen) *marginsTab {
	m := &marginsTab{s: s}
	m.By = widget.NewSelect([]string{"client", "country", "order"}, nil)
	m.By.SetSelected("client")
	m.Currency = widget.NewSelect([]string{"EUR", "USD", "GBP", "JPY", "AUD", "CAD", "CHF"}, nil)
	m.Currency.SetSelected("EUR")
	type margin = domain.Margin
	money := func(title string, of func(margin) int64) uikit.Column[margin] {
		return uikit.Num(title, func(r margin) string { return amount(of(r), r.Currency) }).Wide(140)
	}
	m.Table = uikit.NewListTable(&m.rows,
		uikit.Column[margin]{Width: 280, Heading: func() string {
			return map[string]string{"client": "Client", "country": "Destination", "order": "Order"}[marginGroups[m.By.Selected]]
		}, Text: func(r margin) string {
			if c := domain.Country(r.Key); marginGroups[m.By.Selected] == "country" && c.Name() != "" {
				return r.Key + "  " + c.Name()
			}
			return r.Key
		}},
		uikit.Num("Orders", func(r margin) string { return fmt.Sprint(r.Orders) }).Wide(80),
		money("Revenue", func(r margin) int64 { return r.Revenue }),
		money("Carrier cost", func(r margin) int64 { return r.Cost }),
		money("Packaging", func(r margin) int64 { return r.Boxes }).Wide(120),
		uikit.Column[margin]{Title: "Margin", Width: 140, Right: true, Show: func(r margin, l *widget.Label) {
			if r.Margin < 0 {
				l.Importance = widget.DangerImportance
			}
			l.SetText(amount(r.Margin, r.Currency))
		}},
		uikit.Num("Margin %", func(r margin) string { return percentOf(r.Margin, r.Revenue) }).Wide(90))
	m.Summary = uikit.Wrapped("")
	top := container.NewHBox(widget.NewLabel("Per"), m.By, widget.NewLabel("in"), m.Currency,
		widget.NewLabel("(per client: in the client's currency; other currencies at the month's last rates)"))
	m.content = container.NewBorder(container.NewVBox(top, m.Summary), nil, nil, nil, m.Table)
	m.By.OnChanged = func(string) { m.Reload(s.Period.Selected) }
	m.Currency.OnChanged = func(string) { m.Reload(s.Period.Selected) }
	return m
}

// percentOf is part/whole as a percentage with one decimal ("—" of nothing).
func percentOf(part, whole int64) string {
	if whole == 0 {
		return "—"
	}
	tenths := part * 1000 / whole
	sign := ""
	if tenths < 0 {
		sign, tenths = "−", -tenths
	}
	return fmt.Sprintf("%s%d.%d %%", sign, tenths/10, tenths%10)
}

// Reload works the month's margins out again.
func (m *marginsTab) Reload(period string) {
	by, cur := marginGroups[m.By.Selected], domain.Currency(m.Currency.Selected)
	m.Summary.SetText(fmt.Sprintf("Working out the margins of %s per %s…", period, by))
	m.rows = nil
	m.Table.Refresh()
	m.s.tasks.Load(m.s.Problem, "margins", func(ctx context.Context) (func(), error) {
		rows, err := m.s.svc.Margins(ctx, period, by, cur)
		return func() {
			// The thinnest margins (as a share of revenue) first: what needs a look.
			share := func(r domain.Margin) int64 {
				if r.Revenue <= 0 {
					return math.MinInt64
				}
				return r.Margin * 10000 / r.Revenue
			}
			sort.SliceStable(rows, func(i, j int) bool {
				if rows[i].Currency != rows[j].Currency {
					return rows[i].Currency < rows[j].Currency
				}
				return share(rows[i]) < share(rows[j])
			})
			m.rows = rows
			totals := map[domain.Currency]*domain.Margin{}
			var order []domain.Currency
			for _, r := range rows {
				t := totals[r.Currency]
				if t == nil {
					t = &domain.Margin{Currency: r.Currency}
					totals[r.Currency] = t
					order = append(order, r.Currency)
				}
				t.Orders += r.Orders
				t.Revenue += r.Revenue
				t.Cost += r.Cost
				t.Boxes += r.Boxes
				t.Margin += r.Margin
			}
			text := fmt.Sprintf("%s: no shipped orders of clients.", period)
			if len(order) > 0 {
				text = period + ":"
				for i, c := range order {
					t := totals[c]
					if i > 0 {
						text += ";"
					}
					text += fmt.Sprintf(" %d orders, revenue %s, carrier cost %s, packaging %s, margin %s (%s)", t.Orders, amount(t.Revenue, c),
						amount(t.Cost, c), amount(t.Boxes, c), amount(t.Margin, c), percentOf(t.Margin, t.Revenue))
				}
			}
			m.Summary.SetText(text)
			m.Table.Refresh()
		}, err
	})
}
