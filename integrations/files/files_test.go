package files_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/files"
)

func TestReadCSVVariants(t *testing.T) {
	tests := []struct {
		name string
		text string
		rows int
		cell string
	}{
		{"comma", "Order,Name,City\nA-1,山田 太郎,渋谷区\n", 1, "山田 太郎"},
		{"semicolon with BOM", "\ufeffOrder;Name;City\nA-1;\"Müller; Jürgen\";Köln\nA-2;Ana;Porto\n", 2, "Müller; Jürgen"},
		{"tab", "Order\tName\tCity\nA-1\tمحمد\tدبي\n", 1, "محمد"},
		{"ragged rows are kept", "Order,Name,City\nA-1,Ana\n", 1, "Ana"},
		{"formula-looking text stays text", "Order,Name,City\nA-1,=HYPERLINK(\"x\"),Paris\n", 1, "=HYPERLINK(\"x\")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := files.ReadCSV([]byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(tab.Headers, "|") != "Order|Name|City" || len(tab.Rows) != tt.rows || tab.Rows[0][1] != tt.cell {
				t.Errorf("%+v", tab)
			}
		})
	}
	for name, b := range map[string][]byte{
		"utf-16":  {0xff, 0xfe, 'O', 0, 'r', 0},
		"latin-1": []byte("Order,Name\nA-1,M\xfcller\n"),
		"empty":   {},
	} {
		if _, err := files.ReadCSV(b); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestReadXLSX(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "orders.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Orders")
	f.SetSheetRow("Orders", "A1", &[]any{"Order", "Date", "Name", "Qty"})
	f.SetSheetRow("Orders", "A2", &[]any{"A-1", 46346.5, "김민준", 2})
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 22}) // shown as a date: the raw serial must still be read
	f.SetCellStyle("Orders", "B2", "B2", style)
	f.NewSheet("Notes")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	tab, err := files.ReadTable(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Sheet != "Orders" || len(tab.Rows) != 1 || tab.Rows[0][1] != "46346.5" || tab.Rows[0][2] != "김민준" || tab.Rows[0][3] != "2" {
		t.Errorf("%+v", tab)
	}
	if _, err := files.ReadTable(path, "Nope"); err == nil || !strings.Contains(err.Error(), "Orders, Notes") {
		t.Errorf("missing sheet: %v", err)
	}
	if _, err := files.ReadTable(path, "Notes"); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty sheet: %v", err)
	}
	xls := filepath.Join(dir, "old.xls")
	os.WriteFile(xls, []byte("x"), 0o644)
	if _, err := files.ReadTable(xls, ""); err == nil || !strings.Contains(err.Error(), ".xlsx") {
		t.Errorf(".xls: %v", err)
	}
	broken := filepath.Join(dir, "broken.xlsx")
	os.WriteFile(broken, []byte("not a zip"), 0o644)
	if _, err := files.ReadTable(broken, ""); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("broken xlsx: %v", err)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("Order,Name\nA-1,Ana\n"))
	f.Add([]byte("\ufeffa;b\n\"x;y\";z"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := files.ReadCSV(b)
		if err == nil && len(tab.Headers) == 0 {
			t.Error("no error and no header")
		}
	})
}
