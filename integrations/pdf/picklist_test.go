package pdf_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/pdf"
)

// pdfText extracts a PDF's text with poppler's pdftotext (installed by make test).
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is missing: make test installs poppler-utils")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func testWave() domain.Wave {
	w := domain.Wave{ID: 17, Warehouse: "NL-VEN", WhName: "Venlo fulfilment centre", CreatedAt: time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC), Orders: 3}
	add := func(tote int, number, customer, bin, zone string, seq int, sku, name string, qty int, lot, expiry string) {
		w.Lines = append(w.Lines, domain.PickLine{Tote: tote, Number: number, Customer: customer, Bin: bin, Zone: zone, PickSeq: seq,
			SKU: sku, Name: name, Qty: domain.Quantity(qty), Lot: lot, Expiry: expiry})
	}
	// Deliberately out of order: the list must walk BULK last, A before B.
	add(2, "SH-100002", "Иван Петров", "BULK-03", "BULK", 900, "PRT-10010", "Roll-top backpack 25 L — Black", 4, "", "")
	add(1, "SH-100001", "山田 太郎", "B-01-01-1", "B", 300, "PRT-10042", "Dripper — 白", 1, "", "")
	add(3, "BC-100003", "김민준", "A-01-02-1", "A", 20, "PRT-10368", "Solar power bank 20000 mAh — Sand", 2, "LNL-681", "2027-03-28")
	add(1, "SH-100001", "山田 太郎", "A-01-01-1", "A", 10, "PRT-10001", "Beanie — Ελληνικά", 3, "", "")
	return w
}

func TestPickListWalksTheWarehouseAndPrintsEveryScript(t *testing.T) {
	for _, paper := range []pdf.Paper{pdf.A4, pdf.Letter} {
		var b bytes.Buffer
		if err := pdf.PickList(&b, testWave(), paper, time.UTC); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
			t.Fatal("not a PDF")
		}
		text := pdfText(t, b.Bytes())
		for _, want := range []string{"Pick list — wave 17", "NL-VEN — Venlo fulfilment centre", "3 orders · 3 totes · 4 picks · 10 units",
			"WAVE-17", "山田 太郎", "Иван Петров", "김민준", "Ελληνικά", "白", "LNL-681", "exp. 2027-03-28", "page 1 of 1"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: %q missing from:\n%s", paper, want, text)
			}
		}
		// Walking order: zone A (10, 20), then B, then BULK.
		last := -1
		for _, bin := range []string{"A-01-01-1", "A-01-02-1", "B-01-01-1", "BULK-03"} {
			i := strings.Index(text, bin)
			if i < 0 || i < last {
				t.Errorf("%s: bin %s out of walking order (at %d, previous at %d)", paper, bin, i, last)
			}
			last = i
		}
	}
}

func TestPickListPagesAndReprints(t *testing.T) {
	w := testWave()
	base := w.Lines[0]
	for i := range 60 {
		l := base
		l.Bin, l.PickSeq, l.SKU = fmt.Sprintf("C-%02d-01-1", i), 500+i, fmt.Sprintf("PRT-2%04d", i)
		l.Zone = "C"
		w.Lines = append(w.Lines, l)
	}
	var a, b bytes.Buffer
	if err := pdf.PickList(&a, w, pdf.A4, time.UTC); err != nil {
		t.Fatal(err)
	}
	if err := pdf.PickList(&b, w, pdf.A4, time.UTC); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("a reprint is not the same document")
	}
	text := pdfText(t, a.Bytes())
	pages := strings.Count(text, "\f") // pdftotext ends every page with a form feed
	if pages < 3 || !strings.Contains(text, "page 1 of "+fmt.Sprint(pages)) || !strings.Contains(text, fmt.Sprintf("page %d of %d", pages, pages)) ||
		strings.Count(text, "(continued)") != pages-1 {
		t.Errorf("%d pages: %s", pages, text[:min(len(text), 600)])
	}
	if strings.Count(text, "PRT-2") != 60 {
		t.Errorf("%d of 60 picks printed", strings.Count(text, "PRT-2"))
	}
}
