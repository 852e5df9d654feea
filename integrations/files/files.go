// Package files reads tables of outside data — CSV and XLSX exports from
// ERPs, marketplaces and storefronts — into a header and rows of text. XLSX is
// read with excelize; cells keep their raw values (a date is its serial
// number), so nothing is lost to a display format.
package files

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/portolan/portolan/domain"
)

// Table is a sheet of a file: the header row and the rows after it.
type Table struct {
	Headers []string
	Rows    [][]string
	Sheet   string // XLSX sheet name; "" for CSV
}

// MaxFileSize guards the window and the database against a wrong file.
const MaxFileSize = 200 << 20

// ReadTable reads a .csv, .tsv, .txt or .xlsx file; sheet picks an XLSX sheet
// (the first when empty). Errors say what is wrong with the file.
func ReadTable(path, sheet string) (Table, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Table{}, fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	if st.Size() > MaxFileSize {
		return Table{}, domain.Errorf(domain.EINVALID, "%s is larger than %d MB; split it", filepath.Base(path), MaxFileSize>>20)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return readXLSX(path, sheet)
	case ".csv", ".tsv", ".txt":
		b, err := os.ReadFile(path)
		if err != nil {
			return Table{}, err
		}
		return ReadCSV(b)
	}
	return Table{}, domain.Errorf(domain.EINVALID, "%s: Portolan reads .csv and .xlsx files (an .xls file must be saved as .xlsx first)", filepath.Base(path))
}

// ReadCSV reads CSV text: UTF-8 (with or without a byte-order mark), with the
// delimiter — comma, semicolon or tab — guessed from the header line.
func ReadCSV(b []byte) (Table, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if bytes.HasPrefix(b, []byte("\xff\xfe")) || bytes.HasPrefix(b, []byte("\xfe\xff")) {
		return Table{}, domain.Errorf(domain.EINVALID, "the file is UTF-16; save it as \"CSV UTF-8\"")
	}
	if !utf8.Valid(b) {
		return Table{}, domain.Errorf(domain.EINVALID, "the file is not UTF-8 text; save it as \"CSV UTF-8\" so names in every script survive")
	}
	first, _, _ := bytes.Cut(b, []byte("\n"))
	delim := ','
	best := bytes.Count(first, []byte(","))
	for _, d := range []rune{';', '\t'} {
		if n := bytes.Count(first, []byte(string(d))); n > best {
			delim, best = d, n
		}
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = delim
	r.FieldsPerRecord = -1 // ragged rows are reported per row, not as a failed file
	r.LazyQuotes = true
	var t Table
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Table{}, domain.Errorf(domain.EINVALID, "CSV row %d cannot be read: %v", line, err)
		}
		if t.Headers == nil {
			t.Headers = trimAll(rec)
			continue
		}
		t.Rows = append(t.Rows, rec)
	}
	if len(t.Headers) == 0 {
		return Table{}, domain.Errorf(domain.EINVALID, "the file is empty")
	}
	return t, nil
}

func trimAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.TrimSpace(v)
	}
	return out
}

func readXLSX(path, sheet string) (Table, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return Table{}, domain.Errorf(domain.EINVALID, "%s is not a readable XLSX workbook (%v)", filepath.Base(path), err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Table{}, domain.Errorf(domain.EINVALID, "%s has no sheets", filepath.Base(path))
	}
	if sheet == "" {
		sheet = sheets[0]
	} else if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		return Table{}, domain.Errorf(domain.EINVALID, "%s has no sheet %q (it has %s)", filepath.Base(path), sheet, strings.Join(sheets, ", "))
	}
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return Table{}, err
	}
	if len(rows) == 0 {
		return Table{}, domain.Errorf(domain.EINVALID, "sheet %q is empty", sheet)
	}
	return Table{Headers: trimAll(rows[0]), Rows: rows[1:], Sheet: sheet}, nil
}
