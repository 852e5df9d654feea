package domain

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"time"
)

// Chart is a trend to draw: for each series, a value per category (a day,
// a week, a month), oldest first. Values are integers in 10^-Decimals of
// Unit (a rate in basis points is Unit "%" with Decimals 2); NoValue marks
// a category the series has nothing for (no parcel delivered that week).
type Chart struct {
	Title      string        `json:"title"`
	Unit       string        `json:"unit"`
	Decimals   int           `json:"decimals"`
	Kind       ChartKind     `json:"kind"`
	Categories []string      `json:"categories"`
	Series     []ChartSeries `json:"series"`
}

// ChartSeries is one line or set of bars of a chart.
type ChartSeries struct {
	Name   string  `json:"name"`
	Values []int64 `json:"values"`
}

// NoValue is a point a series does not have.
const NoValue = math.MinInt64

// ChartKind is how a chart is drawn.
type ChartKind string

const (
	ChartLines   ChartKind = "lines"   // a line per series (rates, amounts over time)
	ChartStacked ChartKind = "stacked" // stacked bars (counts that add up)
	ChartBars    ChartKind = "bars"    // bars side by side per category
)

// Value is a point as a number of Unit (for drawing); ok is false for NoValue.
func (c Chart) Value(series, category int) (float64, bool) {
	v := c.Series[series].Values[category]
	if v == NoValue {
		return 0, false
	}
	return float64(v) / math.Pow10(c.Decimals), true
}

// Format writes a value with its unit: "96.25 %", "1,204 orders", "4.31 EUR".
func (c Chart) Format(v int64) string {
	if v == NoValue {
		return "—"
	}
	s := GroupThousands(v, c.Decimals)
	switch c.Unit {
	case "":
		return s
	case "%":
		return s + " %"
	default:
		return s + " " + c.Unit
	}
}

// Describe is the numbers of one category, for hover and the report:
// "W48: NL-VEN 96.25 %, DE-LEJ 91.00 %".
func (c Chart) Describe(category int) string {
	if category < 0 || category >= len(c.Categories) {
		return ""
	}
	parts := make([]string, 0, len(c.Series)+1)
	var total int64
	for _, s := range c.Series {
		v := s.Values[category]
		if v != NoValue {
			total += v
		}
		parts = append(parts, s.Name+" "+c.Format(v))
	}
	if c.Kind == ChartStacked && len(c.Series) > 1 {
		parts = append(parts, "total "+c.Format(total))
	}
	return c.Categories[category] + ": " + strings.Join(parts, ", ")
}

// Empty is whether the chart has no value at all.
func (c Chart) Empty() bool {
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v != NoValue && v != 0 {
				return false
			}
		}
	}
	return true
}

// GroupThousands writes v (in 10^-decimals) with thousands separated by
// commas: 1234567 with 2 decimals is "12,345.67".
func GroupThousands(v int64, decimals int) string {
	neg := v < 0
	if neg {
		v = -v
	}
	p := int64(math.Pow10(decimals))
	whole, frac := v/p, v%p
	digits := fmt.Sprint(whole)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if decimals > 0 {
		fmt.Fprintf(&b, ".%0*d", decimals, frac)
	}
	return b.String()
}

// Share is part of whole in basis points (9625 is 96.25 %); NoValue when
// whole is 0.
func Share[N ~int | ~int64](part, whole N) int64 {
	if whole == 0 {
		return NoValue
	}
	return int64(math.Round(float64(part) * 10000 / float64(whole)))
}

// Punctuality counts what was due and what of it was on time.
type Punctuality struct {
	Due    int `json:"due"`
	OnTime int `json:"on_time"`
}

// Add counts o in.
func (p *Punctuality) Add(o Punctuality) { p.Due += o.Due; p.OnTime += o.OnTime }

// Share is the on-time share in basis points (NoValue: nothing was due).
func (p Punctuality) Share() int64 { return Share(p.OnTime, p.Due) }

// Route is a carrier to a destination country.
type Route struct {
	Carrier string
	To      Country
}

// TrendReads reads what the trends are counted from, per period: each
// answer has a map per period [bounds[i], bounds[i+1]).
type TrendReads interface {
	// OrdersPlaced counts the orders placed in each period by channel code.
	OrdersPlaced(ctx context.Context, bounds []time.Time) ([]map[string]int, error)
	// ShippedOnTime counts the orders first shipped in each period by the
	// warehouse that shipped them, and those shipped by their ship-by
	// (orders without a ship-by are left out).
	ShippedOnTime(ctx context.Context, bounds []time.Time) ([]map[string]Punctuality, error)
	// DeliveredOnTime counts the parcels delivered in each period by
	// carrier and destination, and those delivered by the carrier's
	// estimate (by the end of its day; without one, within 5 days) — as
	// TrackingReads.OnTimeRates does.
	DeliveredOnTime(ctx context.Context, bounds []time.Time) ([]map[Route]Punctuality, error)
}

// Trends are the Overview's charts: how the operation went, week by week.
type Trends struct {
	// OrdersPerDay: orders placed per day by channel, the last 8 weeks.
	OrdersPerDay Chart `json:"orders_per_day"`
	// ShipOnTime: the share of orders shipped by their ship-by, per
	// warehouse per week.
	ShipOnTime Chart `json:"ship_on_time"`
	// DeliveredOnTime: the share of parcels delivered by the carrier's
	// estimate, per carrier, per week; DeliveredByDestination the same
	// over the 8 weeks, per destination country and carrier.
	DeliveredOnTime        Chart `json:"delivered_on_time"`
	DeliveredByDestination Chart `json:"delivered_on_time_by_destination"`
	// CostPerOrder is the fulfilment cost (carrier and boxes) per order
	// shipped, per month, in the planning currency; MarginPerClient the
	// margin as a share of revenue, per client per month.
	CostPerOrder    Chart `json:"cost_per_order"`
	MarginPerClient Chart `json:"margin_per_client"`
}

// Charts lists them in the order they are shown.
func (t Trends) Charts() []Chart {
	return []Chart{t.OrdersPerDay, t.ShipOnTime, t.DeliveredOnTime, t.DeliveredByDestination, t.CostPerOrder, t.MarginPerClient}
}

// ChartStyle is how a chart is rendered: its size in pixels and the
// theme's colours (light or dark).
type ChartStyle struct {
	Width, Height int
	// Scale is pixels per point of text (1 on a plain screen, 2 on a
	// high-density one or for print).
	Scale      float64
	Foreground color.Color
	Background color.Color
	Grid       color.Color
}

// RenderedChart is a chart drawn as a PNG, with where its categories
// are, so that a pointer over it can name the category below it.
type RenderedChart struct {
	PNG []byte
	// Plot is the area of the data in the image's pixels, and Columns the
	// x of each category's centre there.
	Plot    image.Rectangle
	Columns []int
	// Colors are the series' colours, for the legend set beside it.
	Colors []color.RGBA
}

// CategoryAt is the category whose column is nearest x (in the image's
// pixels), or -1 outside the plot.
func (r RenderedChart) CategoryAt(x, y int) int {
	if !image.Pt(x, y).In(r.Plot.Inset(-4)) || len(r.Columns) == 0 {
		return -1
	}
	best, dist := -1, math.MaxInt
	for i, cx := range r.Columns {
		if d := abs(cx - x); d < dist {
			best, dist = i, d
		}
	}
	return best
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// ChartRenderer draws charts (the chart adapter).
type ChartRenderer interface {
	Render(c Chart, style ChartStyle) (RenderedChart, error)
}

// ISOWeek names the week of t: "2026-W48".
func ISOWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// ParseISOWeek is the Monday 00:00 starting an ISO week ("2026-W48") in loc.
func ParseISOWeek(s string, loc *time.Location) (time.Time, error) {
	var y, w int
	if n, err := fmt.Sscanf(strings.TrimSpace(s), "%d-W%d", &y, &w); err != nil || n != 2 || w < 1 || w > 53 || y < 1970 || y > 9999 {
		return time.Time{}, Errorf(EINVALID, "a week is written YYYY-Www (2026-W48), not %q", s)
	}
	// The 4th of January is always in week 1.
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, loc)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+7*(w-1))
	if yy, ww := monday.ISOWeek(); yy != y || ww != w {
		return time.Time{}, Errorf(EINVALID, "%d has no week %d", y, w)
	}
	return monday, nil
}

// WeekStart is the Monday 00:00 of t's week, in t's location.
func WeekStart(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// WeeklyReport is the weekly operations report: the Overview's counts as
// they stand, and the trends of the 8 weeks ending with the week.
type WeeklyReport struct {
	Week     string    // "2026-W48"
	From, To time.Time // its Monday 00:00 and the next, local time
	At       time.Time // when the report was made (the counts are as of then)
	// SoFar says the week is not over yet.
	SoFar bool
	// The week's own figures.
	Placed      map[string]int         // orders placed, by channel
	ShippedBy   map[string]Punctuality // orders shipped, by warehouse
	DeliveredBy map[string]Punctuality // parcels delivered, by carrier
	Overview    Overview
	Trends      Trends
	// Charts are the trends drawn (Trends.Charts' order), for the report.
	Charts []RenderedChart
}
