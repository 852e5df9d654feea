package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/jung-kurt/gofpdf/contrib/gofpdi"
	realgofpdi "github.com/phpdave11/gofpdi"
)

// Carriers that send labels as PDF (DHL Express, and EasyPost's label_pdf
// where asked) have their label's first page placed on the label paper as
// it is: gofpdi (the importer gofpdf's own contrib package wraps) copies the
// page's drawing into the job, so the carrier's barcodes stay vectors.

// readablePDF says whether b is a PDF whose first page can be placed. The
// importer panics on what it cannot read; that becomes the error.
func readablePDF(b []byte) (err error) {
	if !bytes.HasPrefix(b, []byte("%PDF")) {
		return errors.New("not a PDF")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unreadable PDF: %v", r)
		}
	}()
	imp := realgofpdi.NewImporter()
	rs := io.ReadSeeker(bytes.NewReader(b))
	imp.SetSourceStream(&rs)
	if box, ok := imp.GetPageSizes()[1]["/MediaBox"]; !ok || box["w"] <= 0 || box["h"] <= 0 {
		return errors.New("the PDF has no first page")
	}
	return nil
}

// pdfLabel places the first page of a PDF label on the current page, as
// large as the page allows, its proportions kept.
func (d *doc) pdfLabel(file []byte) {
	defer func() {
		if r := recover(); r != nil {
			d.f.SetError(fmt.Errorf("a carrier's PDF label could not be read: %v", r))
		}
	}()
	if d.importer == nil {
		d.importer = gofpdi.NewImporter()
	}
	rs := io.ReadSeeker(bytes.NewReader(file))
	tpl := d.importer.ImportPageFromStream(d.f, &rs, 1, "/MediaBox")
	box := d.importer.GetPageSizes()[1]["/MediaBox"]
	pw, ph := box["w"]*25.4/72, box["h"]*25.4/72 // points to millimetres
	if pw <= 0 || ph <= 0 {
		d.f.SetError(errors.New("a carrier's PDF label has no page size"))
		return
	}
	scale := min(d.w/pw, d.h/ph)
	d.importer.UseImportedTemplate(d.f, tpl, (d.w-pw*scale)/2, (d.h-ph*scale)/2, pw*scale, ph*scale)
}
