package pdf

import (
	"fmt"
	"io"
	"time"

	"github.com/portolan/portolan/domain"
)

// PickList writes a wave's pick list: a header with the wave (also as a
// barcode), warehouse, date and counts; then the picks grouped by zone in
// walking order, each with its tote, bin and SKU (with barcodes),
// description, lot and expiry, quantity and a box to tick; page numbers on
// every page. loc is the time zone dates are shown in.
func PickList(w io.Writer, wave domain.Wave, paper Paper, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	lines := append([]domain.PickLine(nil), wave.Lines...)
	domain.SortWalk(lines)
	d := newDoc(paper, fmt.Sprintf("Pick list — wave %d", wave.ID), wave.CreatedAt)
	const margin = 12.0
	width := d.w - 2*margin
	// Columns: tote, bin (+barcode), SKU (+barcode), description, lot/expiry, qty, tick.
	cols := []float64{12, 32, 36, 0, 26, 12, 8}
	fixed := 0.0
	for _, c := range cols {
		fixed += c
	}
	cols[3] = width - fixed
	colX := make([]float64, len(cols))
	x := margin
	for i, c := range cols {
		colX[i] = x
		x += c
	}
	const rowH = 15.0
	totes := map[int]bool{}
	for _, l := range lines {
		totes[l.Tote] = true
	}
	page := 0
	var y float64
	footer := func() {
		d.font(8, false)
		d.text(margin, d.h-7, width/2, fmt.Sprintf("Wave %d · %s", wave.ID, wave.Warehouse), "L")
		d.text(margin+width/2, d.h-7, width/2, fmt.Sprintf("page %d of {nb}", page), "R")
	}
	newPage := func() {
		if page > 0 {
			footer()
		}
		d.f.AddPage()
		page++
		y = margin
		if page == 1 {
			d.font(16, true)
			d.text(margin, y+6, width-70, fmt.Sprintf("Pick list — wave %d", wave.ID), "L")
			d.font(10, false)
			d.text(margin, y+13, width-70, fmt.Sprintf("%s — %s", wave.Warehouse, wave.WhName), "L")
			d.text(margin, y+19, width-70, "Created "+wave.CreatedAt.In(loc).Format("2006-01-02 15:04 MST"), "L")
			d.text(margin, y+25, width-70, fmt.Sprintf("%d orders · %d totes · %d picks · %d units",
				wave.Orders, len(totes), len(lines), int64(wave.Units())), "L")
			if err := d.barcode(margin+width-66, y+2, 66, 14, fmt.Sprintf("WAVE-%d", wave.ID), true); err != nil {
				d.f.SetError(err)
			}
			y += 32
		} else {
			d.font(10, true)
			d.text(margin, y+5, width, fmt.Sprintf("Pick list — wave %d (continued)", wave.ID), "L")
			y += 9
		}
		d.font(8, true)
		for i, h := range []string{"Tote", "Bin", "SKU", "Description", "Lot / expiry", "Qty", ""} {
			align := "L"
			if i == 5 {
				align = "R"
			}
			d.text(colX[i]+1, y+4, cols[i]-2, h, align)
		}
		d.f.SetDrawColor(0, 0, 0)
		d.f.Line(margin, y+6, margin+width, y+6)
		y += 7
	}
	newPage()
	zone := ""
	for _, l := range lines {
		if l.Zone != zone {
			if y+7+rowH > d.h-14 {
				newPage()
			}
			zone = l.Zone
			d.f.SetFillColor(230, 230, 230)
			d.f.Rect(margin, y, width, 6, "F")
			d.font(9, true)
			d.text(margin+1, y+4.3, width-2, "Zone "+zone, "L")
			y += 7
		}
		if y+rowH > d.h-14 {
			newPage()
		}
		d.font(12, true)
		d.text(colX[0]+1, y+6, cols[0]-2, fmt.Sprintf("%d", l.Tote), "L")
		d.font(10, true)
		d.text(colX[1]+1, y+4, cols[1]-2, l.Bin, "L")
		if err := d.barcode(colX[1]+1, y+5.5, cols[1]-4, 7, l.Bin, false); err != nil {
			return fmt.Errorf("bin %s: %w", l.Bin, err)
		}
		d.text(colX[2]+1, y+4, cols[2]-2, l.SKU, "L")
		if err := d.barcode(colX[2]+1, y+5.5, cols[2]-4, 7, l.SKU, false); err != nil {
			return fmt.Errorf("SKU %s: %w", l.SKU, err)
		}
		d.font(9, false)
		d.text(colX[3]+1, y+4, cols[3]-2, l.Name, "L")
		d.font(8, false)
		d.text(colX[3]+1, y+8.5, cols[3]-2, fmt.Sprintf("order %s · %s", l.Number, l.Customer), "L")
		if l.Lot != "" {
			d.text(colX[4]+1, y+4, cols[4]-2, l.Lot, "L")
			if l.Expiry != "" {
				d.text(colX[4]+1, y+8.5, cols[4]-2, "exp. "+l.Expiry, "L")
			}
		}
		d.font(12, true)
		d.text(colX[5], y+6, cols[5]-1, fmt.Sprintf("%d", l.Qty), "R")
		d.f.SetDrawColor(0, 0, 0)
		d.f.Rect(colX[6]+1.5, y+2, 5, 5, "D")
		d.f.SetDrawColor(200, 200, 200)
		d.f.Line(margin, y+rowH-1, margin+width, y+rowH-1)
		y += rowH
	}
	footer()
	return d.output(w)
}
