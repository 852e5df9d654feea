package app

import (
	"cmp"
	"context"
	"fmt"
	"image/color"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/portolan/portolan/domain"
)

// TrendService counts the Overview's trends — how the operation went,
// day by day, week by week, month by month — and draws them.
type TrendService struct {
	clocked
	reads domain.TrendReads
	// margins are a month's margins per client in one currency, and
	// that currency (the planning currency).
	margins func(ctx context.Context, period string) ([]domain.Margin, domain.Currency, error)
	render  domain.ChartRenderer
	// overview is the Overview's counts now; docs writes the report.
	overview func(context.Context) (domain.Overview, error)
	docs     domain.Documents
}

// Trend spans: 8 weeks of days and weeks, 6 months.
const (
	trendWeeks  = 8
	trendMonths = 6
)

// Trends are the trends up to the clock's now.
func (s *TrendService) Trends(ctx context.Context) (domain.Trends, error) {
	return s.TrendsTo(ctx, s.now())
}

// TrendsTo are the trends of the 56 days, 8 weeks and 6 months ending
// with end's day, week and month, in local time; end's count so far.
func (s *TrendService) TrendsTo(ctx context.Context, end time.Time) (domain.Trends, error) {
	end = end.Local()
	var t domain.Trends
	lastWeek := domain.WeekStart(end)
	weeks := make([]time.Time, 0, trendWeeks+1)
	for i := trendWeeks - 1; i >= -1; i-- {
		weeks = append(weeks, lastWeek.AddDate(0, 0, -7*i))
	}
	weekNames := make([]string, trendWeeks)
	for i := range weekNames {
		_, w := weeks[i].ISOWeek()
		weekNames[i] = fmt.Sprintf("W%02d", w)
	}
	// The 56 days ending with end's (none after it).
	today := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, end.Location())
	days := make([]time.Time, 0, 7*trendWeeks+1)
	for i := 7*trendWeeks - 1; i >= -1; i-- {
		days = append(days, today.AddDate(0, 0, -i))
	}
	dayNames := make([]string, len(days)-1)
	for i := range dayNames {
		dayNames[i] = days[i].Format("2 Jan")
	}

	placed, err := s.reads.OrdersPlaced(ctx, days)
	if err != nil {
		return t, fmt.Errorf("orders placed: %w", err)
	}
	t.OrdersPerDay = domain.Chart{Title: "Orders per day by channel", Unit: "orders", Kind: domain.ChartStacked, Categories: dayNames,
		Series: series(placed, func(n int) int64 { return int64(n) }, 0)}

	shipped, err := s.reads.ShippedOnTime(ctx, weeks)
	if err != nil {
		return t, fmt.Errorf("orders shipped: %w", err)
	}
	t.ShipOnTime = domain.Chart{Title: "Shipped by ship-by, per warehouse", Unit: "%", Decimals: 2, Kind: domain.ChartLines, Categories: weekNames,
		Series: series(shipped, domain.Punctuality.Share, domain.NoValue)}

	delivered, err := s.reads.DeliveredOnTime(ctx, weeks)
	if err != nil {
		return t, fmt.Errorf("parcels delivered: %w", err)
	}
	perCarrier := make([]map[string]domain.Punctuality, len(delivered))
	total := map[domain.Route]domain.Punctuality{}
	for i, m := range delivered {
		perCarrier[i] = map[string]domain.Punctuality{}
		for r, p := range m {
			c := perCarrier[i][r.Carrier]
			c.Add(p)
			perCarrier[i][r.Carrier] = c
			all := total[r]
			all.Add(p)
			total[r] = all
		}
	}
	t.DeliveredOnTime = domain.Chart{Title: "Delivered by the carrier's estimate, per carrier", Unit: "%", Decimals: 2, Kind: domain.ChartLines,
		Categories: weekNames, Series: series(perCarrier, domain.Punctuality.Share, domain.NoValue)}
	t.DeliveredByDestination = byDestination(total)

	if s.margins != nil {
		if t.CostPerOrder, t.MarginPerClient, err = s.monthly(ctx, end); err != nil {
			return t, err
		}
	}
	return t, nil
}

// series turns per-period maps into one series per key (sorted), each
// value by value, missing where a period has none of that key.
func series[V any](periods []map[string]V, value func(V) int64, missing int64) []domain.ChartSeries {
	seen := map[string]bool{}
	for _, m := range periods {
		for k := range m {
			seen[k] = true
		}
	}
	keys := slices.Sorted(maps.Keys(seen))
	out := make([]domain.ChartSeries, 0, len(keys))
	for _, k := range keys {
		s := domain.ChartSeries{Name: k, Values: make([]int64, len(periods))}
		for i, m := range periods {
			if v, ok := m[k]; ok {
				s.Values[i] = value(v)
			} else {
				s.Values[i] = missing
			}
		}
		out = append(out, s)
	}
	return out
}

// destinations is how many destination countries the delivered-on-time
// chart shows: those that received the most parcels.
const destinations = 8

// byDestination is the delivered-on-time share over all the weeks, per
// destination (the busiest) and carrier.
func byDestination(total map[domain.Route]domain.Punctuality) domain.Chart {
	perCountry := map[domain.Country]int{}
	carriers := map[string]bool{}
	for r, p := range total {
		perCountry[r.To] += p.Due
		carriers[r.Carrier] = true
	}
	countries := make([]domain.Country, 0, len(perCountry))
	for c := range perCountry {
		countries = append(countries, c)
	}
	slices.SortFunc(countries, func(a, b domain.Country) int {
		if perCountry[a] != perCountry[b] {
			return perCountry[b] - perCountry[a]
		}
		return cmp.Compare(a, b)
	})
	countries = countries[:min(len(countries), destinations)]
	c := domain.Chart{Title: "Delivered by the carrier's estimate, per destination (8 weeks)", Unit: "%", Decimals: 2, Kind: domain.ChartBars}
	for _, to := range countries {
		c.Categories = append(c.Categories, string(to))
	}
	for _, carrier := range slices.Sorted(maps.Keys(carriers)) {
		s := domain.ChartSeries{Name: carrier}
		for _, to := range countries {
			p, ok := total[domain.Route{Carrier: carrier, To: to}]
			if !ok {
				s.Values = append(s.Values, domain.NoValue)
				continue
			}
			s.Values = append(s.Values, p.Share())
		}
		c.Series = append(c.Series, s)
	}
	return c
}

// monthly is the fulfilment cost per order shipped and the margin per
// client, for each of the 6 months ending with end's.
func (s *TrendService) monthly(ctx context.Context, end time.Time) (cost, margin domain.Chart, err error) {
	first := time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, time.UTC)
	cost = domain.Chart{Title: "Fulfilment cost per order (carrier and boxes)", Kind: domain.ChartLines}
	margin = domain.Chart{Title: "Margin per client (share of revenue)", Unit: "%", Decimals: 2, Kind: domain.ChartLines}
	perClient := make([]map[string]int64, trendMonths)
	costs := make([]map[string]int64, trendMonths)
	for i := range trendMonths {
		month := first.AddDate(0, i-trendMonths+1, 0).Format("2006-01")
		cost.Categories = append(cost.Categories, month)
		margin.Categories = append(margin.Categories, month)
		rows, cur, err := s.margins(ctx, month)
		if err != nil {
			return cost, margin, fmt.Errorf("margins of %s: %w", month, err)
		}
		cost.Unit, cost.Decimals = string(cur), cur.Exponent()
		perClient[i], costs[i] = map[string]int64{}, map[string]int64{}
		var spent int64
		var orders int
		for _, r := range rows {
			spent += r.Cost + r.Boxes
			orders += r.Orders
			if r.Revenue > 0 {
				perClient[i][r.Key] = domain.Share(r.Margin, r.Revenue)
			}
		}
		if orders > 0 {
			costs[i]["All clients"] = (spent + int64(orders)/2) / int64(orders)
		}
	}
	cost.Series = series(costs, func(v int64) int64 { return v }, domain.NoValue)
	margin.Series = series(perClient, func(v int64) int64 { return v }, domain.NoValue)
	return cost, margin, nil
}

// Render draws a chart as a PNG in style.
func (s *TrendService) Render(c domain.Chart, style domain.ChartStyle) (domain.RenderedChart, error) {
	return s.render.Render(c, style)
}

// reportStyle is how the report's charts are drawn: for print, on white.
var reportStyle = domain.ChartStyle{Width: 1600, Height: 560, Scale: 3,
	Foreground: color.Black, Background: color.White, Grid: color.Gray{Y: 0xdd}}

// Report is the weekly operations report of week ("2026-W48"; "" the last
// full week): the week's figures, the Overview's counts as they stand,
// and the trends of the 8 weeks ending with it, charts drawn. A week not
// yet begun is refused.
func (s *TrendService) Report(ctx context.Context, week string) (domain.WeeklyReport, error) {
	now := s.now().Local()
	var from time.Time
	if week == "" {
		from = domain.WeekStart(now).AddDate(0, 0, -7)
	} else {
		var err error
		if from, err = domain.ParseISOWeek(week, time.Local); err != nil {
			return domain.WeeklyReport{}, err
		}
	}
	r := domain.WeeklyReport{Week: domain.ISOWeek(from), From: from, To: from.AddDate(0, 0, 7), At: s.now()}
	if from.After(now) {
		return r, domain.Errorf(domain.EINVALID, "week %s has not begun yet (today is in %s)", r.Week, domain.ISOWeek(now))
	}
	r.SoFar = r.To.After(now)
	bounds := []time.Time{r.From, r.To}
	placed, err := s.reads.OrdersPlaced(ctx, bounds)
	if err != nil {
		return r, err
	}
	shipped, err := s.reads.ShippedOnTime(ctx, bounds)
	if err != nil {
		return r, err
	}
	delivered, err := s.reads.DeliveredOnTime(ctx, bounds)
	if err != nil {
		return r, err
	}
	r.Placed, r.ShippedBy, r.DeliveredBy = placed[0], shipped[0], map[string]domain.Punctuality{}
	for route, p := range delivered[0] {
		c := r.DeliveredBy[route.Carrier]
		c.Add(p)
		r.DeliveredBy[route.Carrier] = c
	}
	if r.Overview, err = s.overview(ctx); err != nil {
		return r, err
	}
	end := r.To.Add(-time.Nanosecond)
	if r.SoFar {
		end = now
	}
	if r.Trends, err = s.TrendsTo(ctx, end); err != nil {
		return r, err
	}
	for _, c := range r.Trends.Charts() {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		drawn, err := s.render.Render(c, reportStyle)
		if err != nil {
			return r, fmt.Errorf("chart %q: %w", c.Title, err)
		}
		r.Charts = append(r.Charts, drawn)
	}
	return r, nil
}

// ReportPDF writes the weekly operations report of week (Report) as a PDF.
func (s *TrendService) ReportPDF(ctx context.Context, week string, w io.Writer) (domain.WeeklyReport, error) {
	r, err := s.Report(ctx, week)
	if err != nil {
		return r, err
	}
	return r, s.docs.WeeklyReport(w, r)
}
