package files

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A workbook that unpacks to more than the limit (a "zip bomb") is refused
// before anything is unpacked, leaving no temporary file.
func TestZipBombIsRefused(t *testing.T) {
	old := unzipLimit
	unzipLimit = 8 << 20 // the mechanism, tried at 8 MB instead of 1 GB
	t.Cleanup(func() { unzipLimit = old })
	path := filepath.Join(t.TempDir(), "bomb.xlsx")
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	sw.SetRow("A1", []any{"SKU", "Warehouse", "Bin", "Quantity"})
	for i := 2; i < 200_000; i++ { // ~10 MB of sheet XML, compressed to little
		sw.SetRow(fmt.Sprintf("A%d", i), []any{"PRT-10001", "NL-VEN", "A-01-01-1", 1})
	}
	sw.Flush()
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	tmpBefore, _ := filepath.Glob(filepath.Join(os.TempDir(), "excelize-*"))
	_, err := OpenTable(path, "")
	if err == nil || !strings.Contains(err.Error(), "unpacks to") {
		t.Errorf("a workbook unpacking past the limit: %v", err)
	}
	tmpAfter, _ := filepath.Glob(filepath.Join(os.TempDir(), "excelize-*"))
	if len(tmpAfter) > len(tmpBefore) {
		t.Errorf("temporary files left: %v", tmpAfter)
	}
}

// A CSV is read row by row: the rows come before the file has been read
// to its end, and a bad line further on is reported with its number.
func TestCSVIsStreamed(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		fmt.Fprintln(pw, "sku;qty")
		fmt.Fprintln(pw, "A;1")
		// Nothing more until the first row has been read.
	}()
	r, err := csvRows(pr)
	if err != nil {
		t.Fatal(err)
	}
	if row, err := r.Next(); err != nil || row[0] != "A" || r.Headers()[1] != "qty" {
		t.Fatalf("first row %v %v", row, err)
	}
	go func() {
		fmt.Fprintln(pw, "B;2")
		pw.Write([]byte("C\xff;3\n"))
		pw.Close()
	}()
	r.Next()
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("a line that is not UTF-8: %v", err)
	}
}
