package pdf

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/portolan/portolan/domain"
)

// WeeklyReport implements domain.Documents: the week's figures and the
// Overview's counts on the first page, the trends' charts after, each
// with its legend and the numbers of its last column, on A4.
func (Renderer) WeeklyReport(w io.Writer, r domain.WeeklyReport) error {
	title := "Weekly operations report — " + r.Week
	d := newDoc(A4, title, r.At)
	const m = 15.0
	width := d.w - 2*m
	pg := &pages{d: d, margin: m, top: m, footer: func(n int) string { return fmt.Sprintf("Portolan · %s · page %d of {nb}", title, n) }}
	need := func(h float64) {
		if pg.y+h > d.h-m-6 {
			pg.next()
		}
	}
	heading := func(s string) {
		need(14)
		pg.y += 5
		d.font(12, true)
		d.text(m, pg.y+4, width, s, "L")
		d.f.SetDrawColor(180, 180, 180)
		d.f.Line(m, pg.y+6, m+width, pg.y+6)
		pg.y += 10
		d.font(9.5, false)
	}
	table := func(cols []float64, head []string, rows [][]string) {
		need(6 * float64(min(len(rows)+1, 4)))
		d.font(9, true)
		d.row(m, pg.y+4, cols, head, 1)
		pg.y += 6
		d.font(9.5, false)
		for _, r := range rows {
			need(5.5)
			d.row(m, pg.y+4, cols, r, 1)
			pg.y += 5.5
		}
	}
	local := func(t time.Time, layout string) string { return t.Local().Format(layout) }

	pg.next()
	d.font(18, true)
	d.text(m, pg.y+7, width, title, "L")
	pg.y += 12
	d.font(10, false)
	span := fmt.Sprintf("%s – %s", local(r.From, "Monday 2 January 2006"), local(r.To.Add(-time.Nanosecond), "Monday 2 January 2006"))
	if r.SoFar {
		span += " (the week so far)"
	}
	d.text(m, pg.y+4, width, span, "L")
	pg.y += 5.5
	d.text(m, pg.y+4, width, "Made "+local(r.At, "Mon 2 Jan 2006 15:04 MST")+"; the counts under “Now” are as of then.", "L")
	pg.y += 6

	heading("The week")
	placed := 0
	for _, n := range r.Placed {
		placed += n
	}
	var chans []string
	for _, k := range slices.Sorted(maps.Keys(r.Placed)) {
		chans = append(chans, fmt.Sprintf("%s %s", k, domain.GroupThousands(int64(r.Placed[k]), 0)))
	}
	line := fmt.Sprintf("Orders placed: %s", domain.GroupThousands(int64(placed), 0))
	if len(chans) > 0 {
		line += " (" + strings.Join(chans, ", ") + ")"
	}
	d.text(m, pg.y+4, width, line, "L")
	pg.y += 8
	cols := []float64{70, 35, 35, 40}
	punctual := func(first string, byKey map[string]domain.Punctuality) [][]string {
		var rows [][]string
		var all domain.Punctuality
		for _, k := range slices.Sorted(maps.Keys(byKey)) {
			p := byKey[k]
			all.Add(p)
			rows = append(rows, []string{k, count(p.Due), count(p.OnTime), share(p)})
		}
		if len(rows) == 0 {
			return [][]string{{"none in the week", "", "", ""}}
		}
		return append(rows, []string{first, count(all.Due), count(all.OnTime), share(all)})
	}
	table(cols, []string{"Shipped by ship-by", "Orders shipped", "By ship-by", "On time"}, punctual("All warehouses", r.ShippedBy))
	pg.y += 3
	table(cols, []string{"Delivered by the carrier's estimate", "Parcels delivered", "By the estimate", "On time"}, punctual("All carriers", r.DeliveredBy))

	v := r.Overview
	heading("Now — " + local(v.At, "Mon 2 Jan 2006 15:04"))
	o := v.Orders
	inToday, inOverdue := v.Inbounds()
	tiles := [][]string{
		{"Orders late (ship-by passed)", count(o.Late)},
		{"Orders due today", count(o.DueToday)},
		{"Orders to allocate", count(o.ToAllocate)},
		{"Orders backordered", count(o.Backordered)},
		{"Orders on hold", count(o.OnHold)},
		{"Orders that need review", count(o.NeedsReview)},
		{"Products at or under their reorder point", count(v.LowStock)},
		{"Parcels in the exceptions queue", count(v.Transport.Exceptions)},
		{"Storefront updates failing", count(v.Transport.PushesFailing)},
		{"Channels whose last sync failed or left a gap", count(len(v.Channels))},
		{"Clients owing", count(v.Finance.ClientsOwing)},
		{"Invoices overdue", count(v.Finance.Overdue)},
		{"Inbounds due today", count(inToday)},
		{"Inbounds overdue", count(inOverdue)},
		{"Carrier invoice lines to decide", count(v.Finance.CarrierLinesToDecide())},
		{"Charges this month (" + v.Finance.Charges.Month + ")", count(v.Finance.Charges.Count)},
	}
	// Two counts a row.
	var pairs [][]string
	for i := 0; i < len(tiles); i += 2 {
		pairs = append(pairs, []string{tiles[i][0], tiles[i][1], "    " + tiles[i+1][0], tiles[i+1][1]})
	}
	d.font(9.5, false)
	for _, p := range pairs {
		need(5.5)
		d.row(m, pg.y+4, []float64{68, 18, 76, 18}, []string{p[0], "", p[2], ""}, 9)
		d.text(m+68, pg.y+4, 17, p[1], "R")
		d.text(m+162, pg.y+4, 17, p[3], "R")
		pg.y += 5.5
	}
	c := v.Finance.Charges
	for _, l := range append([]string{fmt.Sprintf("Charged this month so far: %s.", c)}, lowCover(v.LowCover)...) {
		need(5)
		d.text(m, pg.y+4, width, l, "L")
		pg.y += 5
	}
	pg.y += 3
	var whs [][]string
	for _, wo := range v.Warehouses {
		next := "none set"
		if !wo.NextPickup.IsZero() {
			next = local(wo.NextPickup, "Mon 15:04")
		}
		whs = append(whs, []string{wo.Code, count(wo.Late), count(wo.DueToday), count(wo.Picking), count(wo.Packed), next, count(wo.ForPickup), count(wo.OpenWaves),
			fmt.Sprintf("%d / %d late", wo.InboundToday, wo.InboundOverdue), count(wo.HandedOver)})
	}
	table([]float64{22, 12, 18, 16, 16, 22, 20, 18, 18, 18}, []string{"Warehouse", "Late", "Due today", "Picking", "Packed", "Next pickup", "Due by then",
		"Open waves", "Inbound", "Handed over"}, whs)

	charts := r.Trends.Charts()
	if len(charts) > 0 {
		pg.next()
		d.font(14, true)
		d.text(m, pg.y+6, width, "Trends", "L")
		pg.y += 10
	}
	for i, c := range charts {
		if i >= len(r.Charts) {
			break
		}
		drawn := r.Charts[i]
		info := d.f.RegisterImageOptionsReader(fmt.Sprintf("chart-%d", i), gofpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(drawn.PNG))
		if info == nil || d.f.Err() {
			return d.f.Error()
		}
		ih := width * info.Height() / info.Width()
		need(12 + ih + 14)
		d.font(11, true)
		d.text(m, pg.y+4, width, c.Title, "L")
		pg.y += 7
		// The legend: a swatch in the series' colour and its name.
		d.font(8.5, false)
		x := m
		for si, s := range c.Series {
			if si >= len(drawn.Colors) {
				break
			}
			wName := d.width(s.Name) + 8
			if x+wName > m+width {
				x, pg.y = m, pg.y+4.5
			}
			col := drawn.Colors[si]
			d.f.SetFillColor(int(col.R), int(col.G), int(col.B))
			d.f.Rect(x, pg.y+0.8, 3, 3, "F")
			d.text(x+4, pg.y+3.6, 0, s.Name, "L")
			x += wName
		}
		pg.y += 6
		d.f.ImageOptions(fmt.Sprintf("chart-%d", i), m, pg.y, width, ih, false, gofpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		pg.y += ih + 1
		d.font(8.5, false)
		if c.Empty() {
			d.text(m, pg.y+3.5, width, "Nothing to show yet in these weeks.", "L")
		} else {
			for _, l := range wrap(d, "Latest — "+c.Describe(len(c.Categories)-1), width) {
				d.text(m, pg.y+3.5, width, l, "L")
				pg.y += 4.2
			}
		}
		pg.y += 7
	}
	pg.foot()
	return d.output(w)
}

// wrap breaks s at ", " into lines no wider than width.
func wrap(d *doc, s string, width float64) []string {
	var lines []string
	cur := ""
	for i, part := range strings.Split(s, ", ") {
		next := part
		if i > 0 && cur != "" {
			next = cur + ", " + part
		}
		if cur != "" && d.width(next) > width {
			lines = append(lines, cur+",")
			cur = part
			continue
		}
		cur = next
	}
	return append(lines, cur)
}

func count(n int) string { return domain.GroupThousands(int64(n), 0) }

func share(p domain.Punctuality) string {
	if p.Due == 0 {
		return "—"
	}
	return domain.GroupThousands(p.Share(), 2) + " %"
}

// lowCover says the low stock with the least cover, a line each.
func lowCover(ls []domain.LowStock) []string {
	var out []string
	for i, l := range ls {
		prefix := "   "
		if i == 0 {
			prefix = "Least cover: "
		}
		out = append(out, prefix+l.Describe())
	}
	return out
}
