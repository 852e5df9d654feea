package files_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/portolan/portolan/integrations/files"
)

func TestBillingWorkbookReopens(t *testing.T) {
	at := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	lines := []files.WorkbookLine{
		{Date: at, Client: `=HYPERLINK("http://evil.example","click")`, Invoice: "INV-2026-00001", Type: "order", Reference: "+SUM(A1:A9)", Qty: 1, Rate: 150, Amount: 150, Currency: "EUR"},
		{Date: at.AddDate(0, 0, 1), Client: "株式会社ポルトラン", Invoice: "INV-2026-00002", Type: "shipping", Reference: "@cmd|' /C calc'!A0", Qty: 1, Rate: 2206, Amount: 2206, Currency: "JPY"},
		{Date: at.AddDate(0, 0, 2), Client: "Al-Sabah Trading", Invoice: "", Type: "unit", Reference: "-2+3", Qty: 3, Rate: 125, Amount: 375, Currency: "KWD", RatePer: "bin-day"},
	}
	var buf bytes.Buffer
	var progress int
	err := files.WriteBillingWorkbook(&buf, files.BillingWorkbook{Company: "Portolan Logistics B.V.", Period: "2026-11", Generated: at,
		Invoices: []files.WorkbookInvoice{
			{Client: `=HYPERLINK("http://evil.example","x")`, Number: "INV-2026-00001", Status: "issued", Currency: "EUR", Net: 10005, Tax: 2101, Paid: 5000,
				IssuedBy: "ana.novak"},
			{Client: "株式会社ポルトラン", Number: "INV-2026-00002", Status: "paid", Currency: "JPY", Net: 98000, Tax: 9800, Paid: 107800},
			{Client: "Müller GmbH", Number: "INV-2026-00003", Status: "issued", Currency: "EUR", Net: 100, Tax: 21},
		},
		Lines: func(yield func(files.WorkbookLine) error) error {
			for _, l := range lines {
				if err := yield(l); err != nil {
					return err
				}
			}
			return nil
		},
		Ageing:   []files.WorkbookAgeing{{Client: "Müller GmbH", Currency: "EUR", Buckets: [4]int64{121, 0, 0, 0}}},
		Carrier:  []files.WorkbookRecon{{Carrier: "DHL", Class: "over", Tracking: "3318810025", Order: "SH-1", Currency: "EUR", Charged: 2350, Expected: 2000, Diff: 350}},
		Progress: func(n int) { progress = n },
	})
	if err != nil {
		t.Fatal(err)
	}
	if progress != 3 {
		t.Errorf("progress %d", progress)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "Summary|Lines|AR ageing|Carrier reconciliation" {
		t.Errorf("sheets %s", got)
	}
	get := func(sheet, cell string) string {
		v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	formula := func(sheet, cell string) string {
		v, err := f.GetCellFormula(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Outside text stays text: no formula anywhere it came from.
	for _, c := range []struct{ sheet, cell, want string }{
		{"Summary", "A5", `=HYPERLINK("http://evil.example","x")`}, {"Lines", "B5", `=HYPERLINK("http://evil.example","click")`},
		{"Lines", "E5", "+SUM(A1:A9)"}, {"Lines", "E6", "@cmd|' /C calc'!A0"}, {"Lines", "E7", "-2+3"}, {"Summary", "A6", "株式会社ポルトラン"},
	} {
		if got := get(c.sheet, c.cell); got != c.want || formula(c.sheet, c.cell) != "" {
			t.Errorf("%s!%s = %q (formula %q), want the text %q", c.sheet, c.cell, got, formula(c.sheet, c.cell), c.want)
		}
	}
	// Amounts are numbers, gross and open are live formulas, totals per currency.
	if get("Summary", "J4") != "Issued by" || get("Summary", "J5") != "ana.novak" || formula("Summary", "J5") != "" {
		t.Errorf("issued by: %q %q", get("Summary", "J4"), get("Summary", "J5"))
	}
	if get("Summary", "E5") != "100.05" || get("Summary", "E6") != "98000" || formula("Summary", "G5") != "E5+F5" || formula("Summary", "I5") != "G5-H5" {
		t.Errorf("summary row: %s %s %q %q", get("Summary", "E5"), get("Summary", "E6"), formula("Summary", "G5"), formula("Summary", "I5"))
	}
	if got := formula("Summary", "E9"); got != `SUMIF($D$5:$D$7,"EUR",E5:E7)` || get("Summary", "A9") != "Total EUR" || get("Summary", "A10") != "Total JPY" {
		t.Errorf("totals %q %q %q", got, get("Summary", "A9"), get("Summary", "A10"))
	}
	if get("Lines", "H7") != "0.375" || get("Lines", "H6") != "2206" {
		t.Errorf("KWD %s JPY %s", get("Lines", "H7"), get("Lines", "H6"))
	}
	// Formats: the currency's decimals and code; dates as dates.
	numFmt := func(sheet, cell string) string {
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if st.CustomNumFmt == nil {
			return ""
		}
		return *st.CustomNumFmt
	}
	for cell, want := range map[string]string{"E5": `#,##0.00 "EUR"`, "E6": `#,##0 "JPY"`} {
		if got := numFmt("Summary", cell); got != want {
			t.Errorf("Summary!%s format %q, want %q", cell, got, want)
		}
	}
	if got := numFmt("Lines", "H7"); got != `#,##0.000 "KWD"` {
		t.Errorf("KWD format %q", got)
	}
	if got := numFmt("Lines", "A5"); got != "yyyy-mm-dd" {
		t.Errorf("date format %q", got)
	}
	if v, _ := f.GetCellValue("Lines", "A5"); v != "2026-11-03" {
		t.Errorf("date shown as %q", v)
	}
	// Frozen header, filters.
	for _, sheet := range []string{"Summary", "Lines", "AR ageing", "Carrier reconciliation"} {
		p, err := f.GetPanes(sheet)
		if err != nil || !p.Freeze || p.YSplit != 4 {
			t.Errorf("%s panes %+v %v", sheet, p, err)
		}
	}
	if tables, _ := f.GetTables("Lines"); len(tables) != 1 || tables[0].Range != "A4:J7" {
		t.Errorf("lines table %+v", tables)
	}
	// What each rate is per: storage by the bin or the unit, else each.
	if get("Lines", "J4") != "Rate per" || get("Lines", "J5") != "each" || get("Lines", "J7") != "bin-day" {
		t.Errorf("rate per: %q %q %q", get("Lines", "J4"), get("Lines", "J5"), get("Lines", "J7"))
	}
	if formula("AR ageing", "G5") != "SUM(C5:F5)" || formula("Carrier reconciliation", "H5") != "F5-G5" {
		t.Errorf("ageing %q, carrier %q", formula("AR ageing", "G5"), formula("Carrier reconciliation", "H5"))
	}
}

// LibreOffice opens the workbook and computes its formulas (gross, open,
// per-currency totals) to the right amounts. `make test` installs it: finance
// staff open the workbook in a real spreadsheet program, so the suite does too.
func TestBillingWorkbookInLibreOffice(t *testing.T) {
	t.Parallel()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("LibreOffice is not installed (make test installs it; or apt-get install libreoffice-calc-nogui)")
	}
	dir := t.TempDir()
	var buf bytes.Buffer
	err = files.WriteBillingWorkbook(&buf, files.BillingWorkbook{Company: "Portolan", Period: "2026-11", Generated: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		Invoices: []files.WorkbookInvoice{
			{Client: "A", Number: "INV-1", Status: "issued", Currency: "EUR", Net: 10005, Tax: 2101, Paid: 5000},
			{Client: "B", Number: "INV-2", Status: "issued", Currency: "EUR", Net: 100, Tax: 21},
			{Client: "C", Number: "INV-3", Status: "paid", Currency: "KWD", Net: 1250, Tax: 0, Paid: 1250},
		}})
	if err != nil {
		t.Fatal(err)
	}
	book := filepath.Join(dir, "book.xlsx")
	if err := os.WriteFile(book, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", dir, book)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v: %s", err, out)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "book.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// Formatted as the sheet says: two decimals for EUR, three for KWD, with the code.
	for _, want := range []string{"A,INV-1,issued,EUR,100.05 EUR,21.01 EUR,121.06 EUR,50.00 EUR,71.06 EUR",
		"Total EUR,,,EUR,101.05 EUR,21.22 EUR,122.27 EUR,50.00 EUR,72.27 EUR", "Total KWD,,,KWD,1.250 KWD,0.000 KWD,1.250 KWD,1.250 KWD,0.000 KWD"} {
		if !strings.Contains(string(csv), want) {
			t.Errorf("%q missing from LibreOffice's reading:\n%s", want, csv)
		}
	}
}
