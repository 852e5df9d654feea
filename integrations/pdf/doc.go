package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
	"github.com/jung-kurt/gofpdf/contrib/gofpdi"

	"github.com/portolan/portolan/assets"
	"github.com/portolan/portolan/domain"
)

// Paper is a page size documents are made for.
type Paper string

// Paper sizes.
const (
	A4     Paper = "A4"
	Letter Paper = "Letter"
	Label4 Paper = "4x6" // 4 × 6 in label
	A6     Paper = "A6"
)

// ParsePaper accepts A4, Letter, 4x6 and A6 (any case).
func ParsePaper(s string) (Paper, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "a4", "":
		return A4, nil
	case "letter", "us letter":
		return Letter, nil
	case "4x6", "4×6":
		return Label4, nil
	case "a6":
		return A6, nil
	}
	return "", fmt.Errorf("unknown paper %q (A4, Letter, 4x6, A6)", s)
}

func (p Paper) size() gofpdf.SizeType {
	switch p {
	case Letter:
		return gofpdf.SizeType{Wd: 215.9, Ht: 279.4}
	case Label4:
		return gofpdf.SizeType{Wd: 101.6, Ht: 152.4}
	case A6:
		return gofpdf.SizeType{Wd: 105, Ht: 148}
	}
	return gofpdf.SizeType{Wd: 210, Ht: 297}
}

// doc is a PDF with Portolan's fonts: Noto Sans for most text, the fallback
// font (loaded on first use) for CJK, Hangul and Arabic runs.
type doc struct {
	f        *gofpdf.Fpdf
	importer *gofpdi.Importer // carriers' PDF labels (carrierpdf.go), made at the first
	w, h     float64
	fallback bool // the fallback font is loaded
	size     float64
	bold     bool
}

// ownCopy is a document's own copy of an embedded font. gofpdf writes into
// the array behind the bytes it is given while it subsets a font (its
// checksum pads a table by appending to a slice of them), so documents made
// at the same time (a pick list while a print job runs) must not share
// one. A copy costs about 0.1 ms (Noto Sans) to 1 ms (the CJK fallback,
// copied only for a document that needs it).
func ownCopy(font []byte) []byte { return bytes.Clone(font) }

func newDoc(p Paper, title string, at time.Time) *doc {
	sz := p.size()
	f := gofpdf.NewCustom(&gofpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: sz})
	f.SetAutoPageBreak(false, 0)
	f.SetCatalogSort(true) // fonts and images in a fixed order: a reprint is the same file
	f.SetMargins(0, 0, 0)
	f.AddUTF8FontFromBytes("sans", "", ownCopy(assets.SansFont))
	f.AddUTF8FontFromBytes("sans", "B", ownCopy(assets.SansBoldFont))
	f.SetTitle(title, true)
	f.SetCreator("Portolan", true)
	// The same document prints the same bytes: its dates are the document's, not the printing's.
	f.SetCreationDate(at.UTC())
	f.SetModificationDate(at.UTC())
	f.AliasNbPages("{nb}")
	d := &doc{f: f, w: sz.Wd, h: sz.Ht}
	d.font(10, false)
	return d
}

func (d *doc) font(size float64, bold bool) {
	d.size, d.bold = size, bold
	style := ""
	if bold {
		style = "B"
	}
	d.f.SetFont("sans", style, size)
}

// needsFallback reports whether Noto Sans lacks the rune (CJK, Hangul, Arabic, Hebrew…).
func needsFallback(r rune) bool {
	switch {
	case r >= 0x0590 && r <= 0x08FF, // Hebrew, Arabic, Syriac…
		r >= 0x1100 && r <= 0x11FF, // Hangul Jamo
		r >= 0x2E80 && r <= 0x9FFF, // CJK radicals, kana, ideographs, CJK punctuation
		r >= 0xA960 && r <= 0xA97F,
		r >= 0xAC00 && r <= 0xD7FF, // Hangul syllables
		r >= 0xF900 && r <= 0xFAFF, // CJK compatibility ideographs
		r >= 0xFB1D && r <= 0xFDFF, // Hebrew and Arabic presentation forms
		r >= 0xFE30 && r <= 0xFE4F,
		r >= 0xFE70 && r <= 0xFEFF,
		r >= 0xFF00 && r <= 0xFFEF,   // full-width forms
		r >= 0x20000 && r <= 0x2FFFF: // CJK extensions
		return true
	}
	return false
}

type run struct {
	text     string
	fallback bool
}

func runs(s string) []run {
	var out []run
	for _, r := range s {
		fb := needsFallback(r)
		if r == ' ' && len(out) > 0 {
			fb = out[len(out)-1].fallback // a space stays in the run it is in
		}
		if n := len(out); n > 0 && out[n-1].fallback == fb {
			out[n-1].text += string(r)
			continue
		}
		out = append(out, run{text: string(r), fallback: fb})
	}
	return out
}

func (d *doc) useRun(r run) {
	if !r.fallback {
		d.font(d.size, d.bold)
		return
	}
	if !d.fallback {
		d.f.AddUTF8FontFromBytes("fallback", "", ownCopy(assets.FallbackFont))
		d.fallback = true
	}
	d.f.SetFont("fallback", "", d.size)
}

// width measures s in the current size, run by run.
func (d *doc) width(s string) float64 {
	size, bold := d.size, d.bold
	var w float64
	for _, r := range runs(s) {
		d.useRun(r)
		w += d.f.GetStringWidth(r.text)
	}
	d.font(size, bold)
	return w
}

// text writes s with its baseline at y, left at x, within width w (0: no
// limit; longer text is cut with "…"), aligned "L", "C" or "R".
func (d *doc) text(x, y, w float64, s, align string) {
	if w > 0 && d.width(s) > w {
		rs := []rune(s)
		for len(rs) > 0 && d.width(string(rs)+"…") > w {
			rs = rs[:len(rs)-1]
		}
		s = string(rs) + "…"
	}
	switch align {
	case "R":
		x += w - d.width(s)
	case "C":
		x += (w - d.width(s)) / 2
	}
	size, bold := d.size, d.bold
	for _, r := range runs(s) {
		d.useRun(r)
		d.f.Text(x, y, r.text)
		x += d.f.GetStringWidth(r.text)
	}
	d.font(size, bold)
}

// row writes the cells of a table row side by side from x, each within its
// column (less 1 mm of gap): left-aligned, except the columns from
// rightFrom on (numbers), which are right-aligned.
func (d *doc) row(x, y float64, cols []float64, cells []string, rightFrom int) {
	for i, c := range cells {
		align := "L"
		if i >= rightFrom {
			align = "R"
		}
		d.text(x, y, cols[i]-1, c, align)
		x += cols[i]
	}
}

// barcode draws text as a Code 128 barcode filling w × h at (x, y), with
// the text under it when label is true.
func (d *doc) barcode(x, y, w, h float64, text string, label bool) error {
	vals, err := Code128(text)
	if err != nil {
		return err
	}
	mods := code128Modules(vals)
	total := 0
	for _, m := range mods {
		total += m
	}
	unit := w / float64(total+20) // 10 modules of quiet zone each side
	cx := x + 10*unit
	d.f.SetFillColor(0, 0, 0)
	for i, m := range mods {
		if i%2 == 0 {
			d.f.Rect(cx, y, float64(m)*unit, h, "F")
		}
		cx += float64(m) * unit
	}
	if label {
		size, bold := d.size, d.bold
		d.font(7, false)
		d.text(x, y+h+2.6, w, text, "C")
		d.font(size, bold)
	}
	return nil
}

// pages runs a document's pages: next ends the page it leaves with its
// footer line and starts the next, its cursor y at top, then header writes
// what the page starts with (y moved as it goes).
type pages struct {
	d      *doc
	margin float64
	top    float64
	n      int     // the page written on (0: none yet)
	y      float64 // where writing goes on
	footer func(page int) string
	header func(page int)
}

// next starts a page.
func (p *pages) next() {
	if p.n > 0 {
		p.foot()
	}
	p.d.f.AddPage()
	p.n++
	p.y = p.top
	if p.header != nil {
		p.header(p.n)
	}
}

// foot writes the page's footer line (the last page's before output).
func (p *pages) foot() {
	p.d.font(8, false)
	p.d.text(p.margin, p.d.h-8, p.d.w-2*p.margin, p.footer(p.n), "R")
}

func (d *doc) output(w io.Writer) error {
	if err := d.f.Error(); err != nil {
		return err
	}
	return d.f.Output(w)
}

// Renderer is the domain.Documents port: every document on the paper asked
// for, a paper it does not print on refused as EINVALID.
type Renderer struct{}

var _ domain.Documents = Renderer{}

func pagePaper(s string) (Paper, error) {
	p, err := ParsePaper(s)
	if err != nil || (p != A4 && p != Letter) {
		return "", domain.Errorf(domain.EINVALID, "pages print on A4 or Letter, not %q", s)
	}
	return p, nil
}

// PickList writes a wave's pick list.
func (Renderer) PickList(w io.Writer, wave domain.Wave, paper string, loc *time.Location) error {
	p, err := pagePaper(paper)
	if err != nil {
		return err
	}
	return PickList(w, wave, p, loc)
}

// Job writes labels, customs papers and packing slips; documents go on the
// settings' paper (A4 when it is not a page size). With labelPaper
// domain.NoLabels it writes the papers and slips alone: the labels print
// on a thermal printer.
func (Renderer) Job(w io.Writer, parcels []domain.PackedParcel, labelPaper string, set domain.ShippingSettings, at time.Time,
	carrierLabels map[int64]domain.Label) error {
	o := JobOptions{At: at, ShippingSettings: set, CarrierLabels: carrierLabels, NoLabels: labelPaper == domain.NoLabels}
	if !o.NoLabels {
		lp, err := ParsePaper(labelPaper)
		if err != nil || (lp != Label4 && lp != A6) {
			return domain.Errorf(domain.EINVALID, "labels print on 4x6 or A6 (or %q: none), not %q", domain.NoLabels, labelPaper)
		}
		o.LabelPaper = lp
	}
	dp, err := pagePaper(set.DocPaper)
	if err != nil {
		dp = A4
	}
	o.DocPaper = dp
	return Job(w, parcels, o)
}

// PackingSlip writes one parcel's packing slip, dated when it was packed.
func (Renderer) PackingSlip(w io.Writer, p domain.PackedParcel, set domain.ShippingSettings) error {
	dp, err := pagePaper(set.DocPaper)
	if err != nil {
		dp = A4
	}
	return PackingSlip(w, p, JobOptions{DocPaper: dp, At: p.PackedAt, ShippingSettings: set})
}

// Manifest writes a carrier's manifest on A4.
func (Renderer) Manifest(w io.Writer, m domain.Manifest) error { return ManifestPDF(w, m, A4) }

// Invoice writes an invoice or credit note on A4.
func (Renderer) Invoice(w io.Writer, inv domain.Invoice, seller domain.Company, client domain.Client) error {
	return InvoicePDF(w, inv, InvoiceParty{Name: seller.Name, Address: seller.Address, VATNumber: seller.VATNumber, Payment: seller.Payment}, client, A4)
}
