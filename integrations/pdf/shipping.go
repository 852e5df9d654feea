package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/portolan/portolan/domain"
)

// JobOptions say how a batch of parcel documents prints.
type JobOptions struct {
	LabelPaper Paper // 4x6 or A6
	DocPaper   Paper // A4 or Letter, for customs papers and packing slips
	// The Incoterm (DAP by default), the sender's EORI and IOSS numbers,
	// prices on slips, and the carriers that need Latin script.
	domain.ShippingSettings
	At time.Time
	// CarrierLabels are the labels bought from carriers, by parcel ID, with
	// their files: such a parcel prints its carrier's label (PNG, GIF or
	// JPEG) on the label paper instead of Portolan's own.
	CarrierLabels map[int64]domain.Label
	// NoLabels leaves every label out: they print on a thermal printer.
	NoLabels bool
}

// PreflightError lists every problem that stopped a job; nothing was printed.
type PreflightError = domain.PreflightError

// Job writes one PDF for a batch of parcels, in parcel order: for each, its
// label, its customs papers when it leaves its customs territory (CN22 up to
// 300 EUR of contents, CN23 with a commercial invoice above), and its packing
// slip — so nothing is sorted by hand. A carrier label in ZPL is left out:
// it prints on a thermal printer. Every parcel is checked first; one
// problem and nothing is printed.
func Job(w io.Writer, parcels []domain.PackedParcel, o JobOptions) error {
	var problems []domain.PreflightProblem
	for _, p := range parcels {
		problems = append(problems, domain.Preflight(p)...)
		if l, ok := o.CarrierLabels[p.ID]; ok && !o.NoLabels && imageType(l.File) == "" && !l.IsZPL() {
			if err := readablePDF(l.File); err != nil {
				problems = append(problems, domain.PreflightProblem{ParcelID: p.ID, OrderID: p.OrderID, Number: p.Number, Field: "label",
					Message: fmt.Sprintf("the %s label is a %s file, which does not print here (a PDF, or a PNG, GIF or JPEG image does): "+
						"print it from the carrier's site", l.Carrier, labelKind(l))})
			}
		}
	}
	if len(problems) > 0 {
		return &PreflightError{Problems: problems}
	}
	if len(parcels) == 0 {
		return fmt.Errorf("no parcels to print")
	}
	if o.LabelPaper == "" {
		o.LabelPaper = Label4
	}
	if o.DocPaper == "" {
		o.DocPaper = A4
	}
	if o.Incoterm == "" {
		o.Incoterm = "DAP"
	}
	d := newDoc(o.LabelPaper, fmt.Sprintf("Parcels %s", parcels[0].Number), o.At)
	for _, p := range parcels {
		l, ok := o.CarrierLabels[p.ID]
		switch {
		case o.NoLabels:
		case ok && l.IsZPL():
			// A ZPL label prints on the thermal printer (Print labels);
			// its customs papers and slip print here as for any other.
		case ok:
			d.carrierLabel(p, l, o.LabelPaper)
		default:
			d.label(p, o.LabelPaper, o)
		}
		if p.NeedsCustoms() {
			d.customs(p, o)
		}
		d.slip(p, o)
	}
	return d.output(w)
}

// PackingSlip writes one parcel's packing slip alone, for the packing
// station (prices only when the settings say so).
func PackingSlip(w io.Writer, p domain.PackedParcel, o JobOptions) error {
	if o.DocPaper == "" {
		o.DocPaper = A4
	}
	d := newDoc(o.DocPaper, fmt.Sprintf("Packing slip %s", p.Number), o.At)
	d.slip(p, o)
	return d.output(w)
}

func (d *doc) page(p Paper) {
	sz := p.size()
	d.f.AddPageFormat("P", gofpdf.SizeType{Wd: sz.Wd, Ht: sz.Ht})
	d.w, d.h = sz.Wd, sz.Ht
}

func addressLines(a domain.Address) []string {
	return a.Lines()
}

// label is a shipping label: sender, recipient in full, service, weight,
// parcel n/m, order number and the tracking number as a Code 128 barcode.
// Its layout is the same whatever the carrier.
func (d *doc) label(p domain.PackedParcel, paper Paper, o JobOptions) {
	d.page(paper)
	m := 5.0
	w := d.w - 2*m
	d.f.SetDrawColor(0, 0, 0)
	d.f.SetLineWidth(0.4)
	d.f.Rect(m, m, w, d.h-2*m, "D")
	y := m + 4
	d.font(7, true)
	d.text(m+2, y, w-4, "FROM", "L")
	d.font(8, false)
	wh := p.Warehouse
	from := addressLines(wh.Address)
	for _, l := range from[:min(len(from), 5)] {
		y += 3.4
		d.text(m+2, y, w-4, l, "L")
	}
	y += 3
	d.f.Line(m, y, m+w, y)
	y += 5
	d.font(8, true)
	d.text(m+2, y, w-4, "TO", "L")
	to := addressLines(p.ShipTo)
	for i, l := range to {
		if i == 0 {
			d.font(14, true)
			y += 6.5
		} else {
			d.font(11, false)
			y += 5
		}
		d.text(m+2, y, w-4, l, "L")
	}
	if p.ShipTo.Phone != "" {
		d.font(9, false)
		y += 4.5
		d.text(m+2, y, w-4, "Tel. "+p.ShipTo.Phone, "L")
	}
	if o.NeedsLatin(p) {
		y += 3
		d.f.SetFillColor(255, 235, 200)
		d.f.Rect(m+2, y, w-4, 9, "F")
		d.font(7.5, true)
		carrier := p.Carrier
		if carrier == "" {
			carrier = "the carrier"
		}
		d.text(m+3, y+3.5, w-6, fmt.Sprintf("International: %s requires Latin script.", carrier), "L")
		d.text(m+3, y+7, w-6, "Add a romanised address before handing it over.", "L")
		y += 9
	}
	y += 4
	d.f.Line(m, y, m+w, y)
	y += 5
	d.font(9, false)
	service := p.Service
	if service == "" {
		service = "Standard"
	}
	d.text(m+2, y, w-4, "Service: "+service, "L")
	y += 4.5
	d.text(m+2, y, w/2, fmt.Sprintf("Weight: %.2f kg", float64(p.Weight)/1000), "L")
	d.font(12, true)
	d.text(m+w/2, y, w/2-2, fmt.Sprintf("Parcel %d/%d", p.Seq, p.Of), "R")
	y += 5
	d.font(9, false)
	d.text(m+2, y, w-4, "Order "+p.Number, "L")
	if p.Carrier != "" {
		d.text(m+w/2, y, w/2-2, p.Carrier, "R")
	}
	// The tracking barcode fills the bottom of the label.
	bh := 26.0
	by := d.h - m - bh - 12
	if err := d.barcode(m+2, by, w-4, bh, p.Tracking, false); err != nil {
		d.f.SetError(err)
	}
	d.font(12, true)
	d.text(m+2, by+bh+6, w-4, p.Tracking, "C")
	d.font(6, false)
	d.text(m+2, d.h-m-1.5, w-4, "Label printed by Portolan, not issued by the carrier", "C")
}

// imageType is what gofpdf calls the image a label file holds ("" when it
// is not a PNG, GIF or JPEG image).
func imageType(b []byte) string {
	if f := domain.FileFormat(b); f == "PNG" || f == "GIF" || f == "JPG" {
		return f
	}
	return ""
}

// labelKind names a label file's kind for a message.
func labelKind(l domain.Label) string {
	if len(l.File) == 0 {
		return "missing"
	}
	if f := domain.FileFormat(l.File); f != "" {
		return f
	}
	if l.Format != "" {
		return l.Format
	}
	return "an unknown kind of"
}

// carrierLabel prints the label the parcel's carrier issued: its image, or
// the first page of its PDF, as large as the label paper allows, its
// proportions kept.
func (d *doc) carrierLabel(p domain.PackedParcel, l domain.Label, paper Paper) {
	d.page(paper)
	if imageType(l.File) == "" {
		d.pdfLabel(l.File)
		return
	}
	name := fmt.Sprintf("carrier-label-%d", p.ID)
	opts := gofpdf.ImageOptions{ImageType: imageType(l.File), ReadDpi: false}
	info := d.f.RegisterImageOptionsReader(name, opts, bytes.NewReader(l.File))
	if info == nil || d.f.Err() {
		return
	}
	m := 2.0
	w, h := d.w-2*m, d.h-2*m
	iw, ih := info.Width(), info.Height()
	if iw <= 0 || ih <= 0 {
		return
	}
	if (iw > ih) != (w > h) {
		// A label image on its side (UPS's GIF is wider than high) is turned
		// a quarter to stand on the label paper, as the carrier prints it.
		scale := min(w/ih, h/iw)
		dw, dh := iw*scale, ih*scale // the image's size before turning
		cx, cy := m+w/2, m+h/2
		d.f.TransformBegin()
		d.f.TransformRotate(90, cx, cy)
		d.f.ImageOptions(name, cx-dw/2, cy-dh/2, dw, dh, false, opts, 0, "")
		d.f.TransformEnd()
		return
	}
	scale := min(w/iw, h/ih)
	d.f.ImageOptions(name, m+(w-iw*scale)/2, m+(h-ih*scale)/2, iw*scale, ih*scale, false, opts, 0, "")
}

// customs writes a CN22 for contents worth up to 300 EUR, else a CN23 and
// a commercial invoice.
func (d *doc) customs(p domain.PackedParcel, o JobOptions) {
	value, _ := p.Value()
	cn22 := domain.IndicativeEUR(value) <= 30000
	forms := []string{"CN23 — Customs declaration", "Commercial invoice"}
	if cn22 {
		forms = []string{"CN22 — Customs declaration"}
	}
	for _, title := range forms {
		d.page(o.DocPaper)
		m := 15.0
		w := d.w - 2*m
		y := m + 6
		d.font(16, true)
		d.text(m, y, w, title, "L")
		d.font(9, false)
		d.text(m, y, w, fmt.Sprintf("Order %s · parcel %d/%d · %s", p.Number, p.Seq, p.Of, p.Tracking), "R")
		y += 10
		half := w/2 - 4
		d.font(8, true)
		d.text(m, y, half, "Sender", "L")
		d.text(m+w/2, y, half, "Recipient", "L")
		d.font(9, false)
		from := addressLines(p.Warehouse.Address)
		to := addressLines(p.ShipTo)
		if p.ShipTo.Phone != "" {
			to = append(to, "Tel. "+p.ShipTo.Phone)
		}
		for i := 0; i < max(len(from), len(to)); i++ {
			y += 4.5
			if i < len(from) {
				d.text(m, y, half, from[i], "L")
			}
			if i < len(to) {
				d.text(m+w/2, y, half, to[i], "L")
			}
		}
		if o.EORI != "" || o.IOSS != "" {
			y += 5
			ids := []string{}
			if o.EORI != "" {
				ids = append(ids, "EORI "+o.EORI)
			}
			if o.IOSS != "" {
				ids = append(ids, "IOSS "+o.IOSS)
			}
			d.text(m, y, w, strings.Join(ids, " · "), "L")
		}
		y += 9
		cols := []float64{0, 24, 16, 12, 22, 30}
		cols[0] = w - (24 + 16 + 12 + 22 + 30)
		heads := []string{"Description", "HS code", "Origin", "Qty", "Net weight", "Value (" + string(p.Currency) + ")"}
		d.font(8, true)
		d.row(m, y, cols, heads, 3)
		d.f.Line(m, y+1.5, m+w, y+1.5)
		d.font(9, false)
		for _, l := range p.Lines {
			y += 5.5
			v, _ := l.UnitPrice.Mul(l.Qty)
			cells := []string{l.Description, l.HSCode, string(l.Origin), fmt.Sprint(l.Qty),
				fmt.Sprintf("%.3f kg", float64(l.UnitWeight*domain.Grams(l.Qty))/1000), v.Decimal()}
			d.row(m, y, cols, cells, 3)
		}
		y += 3
		d.f.Line(m, y, m+w, y)
		y += 5
		d.font(9, true)
		d.text(m, y, w-cols[5], fmt.Sprintf("Total — net %.3f kg, gross %.3f kg", float64(p.NetWeight())/1000, float64(p.Weight)/1000), "L")
		d.text(m+w-cols[5]-30, y, cols[5]+30-1, value.Decimal()+" "+string(p.Currency), "R")
		y += 8
		d.font(9, false)
		d.text(m, y, w, fmt.Sprintf("Category: sale of goods · Incoterm: %s · Currency: %s", o.Incoterm, p.Currency), "L")
		y += 12
		d.text(m, y, w, "I certify that the particulars given in this declaration are correct.", "L")
		y += 10
		at := o.At
		if !p.PackedAt.IsZero() {
			at = p.PackedAt
		}
		d.text(m, y, w/2, "Date: "+at.Format("2006-01-02"), "L")
		d.text(m+w/2, y, w/2, "Signature: ______________________", "L")
	}
}

// slip is the packing slip: what is in the parcel, for the customer; no
// prices unless asked for.
func (d *doc) slip(p domain.PackedParcel, o JobOptions) {
	d.page(o.DocPaper)
	m := 15.0
	w := d.w - 2*m
	y := m + 6
	d.font(16, true)
	d.text(m, y, w, "Packing slip", "L")
	d.font(10, false)
	d.text(m, y, w, "Order "+p.Number, "R")
	y += 8
	d.font(9, false)
	d.text(m, y, w, fmt.Sprintf("Parcel %d of %d · shipped from %s", p.Seq, p.Of, p.Warehouse.Name), "L")
	y += 8
	for _, l := range addressLines(p.ShipTo) {
		d.text(m, y, w, l, "L")
		y += 4.5
	}
	y += 6
	d.font(8, true)
	d.text(m, y, 30, "SKU", "L")
	d.text(m+32, y, w-60, "Item", "L")
	d.text(m+w-25, y, 25, "Quantity", "R")
	if o.Prices {
		d.text(m+w-60, y, 30, "Price", "R")
	}
	d.f.Line(m, y+1.5, m+w, y+1.5)
	d.font(10, false)
	for _, l := range p.Lines {
		y += 6
		d.text(m, y, 30, l.SKU, "L")
		d.text(m+32, y, w-(32+65), l.Name, "L")
		if o.Prices {
			d.text(m+w-60, y, 30, l.UnitPrice.String(), "R")
		}
		d.text(m+w-25, y, 25, fmt.Sprint(l.Qty), "R")
	}
	y += 12
	d.font(9, false)
	d.text(m, y, w, "Thank you for your order.", "L")
}

// ManifestPDF writes a carrier's manifest: every parcel handed over with its
// tracking number, order, destination and weight, the totals, and lines for
// both signatures.
func ManifestPDF(w io.Writer, m domain.Manifest, paper Paper) error {
	d := newDoc(paper, fmt.Sprintf("Manifest %d — %s %s", m.ID, m.Carrier, m.Day), m.CreatedAt)
	const margin = 15.0
	width := d.w - 2*margin
	pg := &pages{d: d, margin: margin, top: margin + 6, footer: func(n int) string { return fmt.Sprintf("Manifest %d · page %d of {nb}", m.ID, n) }}
	pg.header = func(page int) {
		if page == 1 {
			d.font(16, true)
			d.text(margin, pg.y, width-70, fmt.Sprintf("Manifest — %s", m.Carrier), "L")
			d.font(10, false)
			d.text(margin, pg.y+7, width-70, fmt.Sprintf("%s — %s · %s", m.Warehouse.Code, m.Warehouse.Name, m.Day), "L")
			var kg float64
			for _, p := range m.Parcels {
				kg += float64(p.Weight) / 1000
			}
			d.text(margin, pg.y+13, width-70, fmt.Sprintf("%d parcels · %.1f kg", len(m.Parcels), kg), "L")
			if err := d.barcode(margin+width-66, pg.y-5, 66, 12, fmt.Sprintf("MANIFEST-%d", m.ID), true); err != nil {
				d.f.SetError(err)
			}
			pg.y += 22
		}
		d.font(8, true)
		cols := []float64{60, 30, 0, 22}
		cols[2] = width - 112
		d.row(margin, pg.y, cols, []string{"Tracking number", "Order", "Destination", "Weight"}, 3)
		d.f.Line(margin, pg.y+1.5, margin+width, pg.y+1.5)
	}
	pg.next()
	for _, p := range m.Parcels {
		if pg.y+6 > d.h-30 {
			pg.next()
		}
		pg.y += 6
		d.font(9, false)
		dest := strings.TrimSpace(p.ShipTo.City + " " + p.ShipTo.PostalCode + ", " + string(p.ShipTo.Country))
		cells := []string{p.Tracking, p.Number, p.ShipTo.Name + " · " + dest, fmt.Sprintf("%.2f kg", float64(p.Weight)/1000)}
		cols := []float64{60, 30, width - 112, 22}
		d.row(margin, pg.y, cols, cells, 3)
	}
	pg.y += 16
	if pg.y > d.h-30 {
		pg.next()
		pg.y += 16
	}
	d.font(9, false)
	d.text(margin, pg.y, width/2, "Handed over by: ______________________", "L")
	d.text(margin+width/2, pg.y, width/2, "Received by "+m.Carrier+": ______________________", "L")
	pg.foot()
	return d.output(w)
}
