package files

import (
	"archive/zip"
	"bufio"
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

// Limits on what a table file may hold, so that no file, however large or
// however crafted, takes more than a bounded amount of memory or disk:
const (
	// MaxStreamedSize is the largest CSV read row by row (order imports).
	MaxStreamedSize = 4 << 30
	// MaxUnzipped is the most an XLSX workbook may unpack to: a sheet of a
	// million rows is a few hundred megabytes; a "zip bomb" is refused.
	MaxUnzipped = 1 << 30
	// MaxRows is the most rows a sheet may have (Excel's own limit).
	MaxRows = 1_048_576
	// MaxTableRows is the most rows read into memory at once (every import
	// but orders, which are read row by row): half a million.
	MaxTableRows = 500_000
)

// unzipLimit is MaxUnzipped (tests lower it to try the limit quickly).
var unzipLimit int64 = MaxUnzipped

// Rows is a table file read row by row: Headers, then Next until io.EOF.
type Rows struct {
	headers []string
	sheet   string
	next    func() ([]string, error)
	close   func() error
	row     int // rows read, the header included
}

var _ domain.TableStream = (*Rows)(nil)

// Headers is the header row, trimmed.
func (r *Rows) Headers() []string { return r.headers }

// Sheet is the XLSX sheet read ("" for CSV).
func (r *Rows) Sheet() string { return r.sheet }

// Next returns the next row (io.EOF after the last); the slice is reused by
// the next call, the strings in it are not.
func (r *Rows) Next() ([]string, error) {
	rec, err := r.next()
	if err == nil {
		r.row++
	}
	return rec, err
}

// Close releases the file (and an XLSX workbook's temporary files).
func (r *Rows) Close() error { return r.close() }

// OpenTable opens a .csv, .tsv, .txt or .xlsx file to be read row by row;
// sheet picks an XLSX sheet (the first when empty).
func OpenTable(path, sheet string) (*Rows, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return openXLSX(path, sheet)
	case ".csv", ".tsv", ".txt":
		if st.Size() > MaxStreamedSize {
			return nil, domain.Errorf(domain.EINVALID, "%s is larger than %d GB; split it", filepath.Base(path), MaxStreamedSize>>30)
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		r, err := csvRows(f)
		if err != nil {
			f.Close()
			return nil, err
		}
		r.close = f.Close
		return r, nil
	}
	return nil, domain.Errorf(domain.EINVALID, "%s: Portolan reads .csv and .xlsx files (an .xls file must be saved as .xlsx first)", filepath.Base(path))
}

// csvRows reads CSV text from r: UTF-8 (with or without a byte-order mark),
// with the delimiter — comma, semicolon or tab — guessed from the header line.
func csvRows(src io.Reader) (*Rows, error) {
	br := bufio.NewReaderSize(src, 64<<10)
	start, _ := br.Peek(3)
	if bytes.HasPrefix(start, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	} else if bytes.HasPrefix(start, []byte("\xff\xfe")) || bytes.HasPrefix(start, []byte("\xfe\xff")) {
		return nil, domain.Errorf(domain.EINVALID, "the file is UTF-16; save it as \"CSV UTF-8\"")
	}
	// The header line, read on its own (a quoted header with a line break in
	// it reads on through the rest).
	headLine, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	first := []byte(headLine)
	delim := ','
	best := bytes.Count(first, []byte(","))
	for _, d := range []rune{';', '\t'} {
		if n := bytes.Count(first, []byte(string(d))); n > best {
			delim, best = d, n
		}
	}
	cr := csv.NewReader(io.MultiReader(strings.NewReader(headLine), br))
	cr.Comma = delim
	cr.FieldsPerRecord = -1 // ragged rows are reported per row, not as a failed file
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	r := &Rows{close: func() error { return nil }}
	r.next = func() ([]string, error) {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "CSV row %d cannot be read: %v", r.row+1, err)
		}
		for _, f := range rec {
			if !utf8.ValidString(f) {
				return nil, domain.Errorf(domain.EINVALID, "line %d of the file is not UTF-8 text; save it as \"CSV UTF-8\" so names in every script survive", line)
			}
		}
		return rec, nil
	}
	headers, err := r.Next()
	if errors.Is(err, io.EOF) || (err == nil && len(headers) == 0) {
		return nil, domain.Errorf(domain.EINVALID, "the file is empty")
	}
	if err != nil {
		return nil, err
	}
	r.headers = trimAll(headers)
	return r, nil
}

// openXLSX opens a workbook's sheet row by row, within MaxUnzipped and MaxRows.
func openXLSX(path, sheet string) (*Rows, error) {
	name := filepath.Base(path)
	// What the workbook unpacks to, from its directory, before anything is
	// unpacked (a size the directory understates fails while reading).
	if z, err := zip.OpenReader(path); err == nil {
		var total uint64
		for _, zf := range z.File {
			total += zf.UncompressedSize64
		}
		z.Close()
		if total > uint64(unzipLimit) {
			return nil, domain.Errorf(domain.EINVALID, "%s unpacks to %d MB, more than the %d MB Portolan reads of a workbook (split it, or save the sheet as CSV)",
				name, total>>20, unzipLimit>>20)
		}
	}
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: unzipLimit})
	if err != nil {
		if f != nil {
			f.Close() // its temporary files
		}
		return nil, domain.Errorf(domain.EINVALID, "%s is not a readable XLSX workbook (%v)", name, err)
	}
	fail := func(err error) (*Rows, error) {
		f.Close()
		return nil, err
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return fail(domain.Errorf(domain.EINVALID, "%s has no sheets", name))
	}
	if sheet == "" {
		sheet = sheets[0]
	} else if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		return fail(domain.Errorf(domain.EINVALID, "%s has no sheet %q (it has %s)", name, sheet, strings.Join(sheets, ", ")))
	}
	it, err := f.Rows(sheet)
	if err != nil {
		return fail(domain.Errorf(domain.EINVALID, "%s, sheet %q: %v", name, sheet, err))
	}
	r := &Rows{sheet: sheet, close: func() error { it.Close(); return f.Close() }}
	r.next = func() ([]string, error) {
		if !it.Next() {
			if err := it.Error(); err != nil {
				return nil, domain.Errorf(domain.EINVALID, "%s, sheet %q, row %d: %v", name, sheet, r.row+1, err)
			}
			return nil, io.EOF
		}
		if r.row >= MaxRows {
			return nil, domain.Errorf(domain.EINVALID, "sheet %q of %s has more than %d rows", sheet, name, MaxRows)
		}
		return it.Columns(excelize.Options{RawCellValue: true})
	}
	headers, err := r.Next()
	if errors.Is(err, io.EOF) {
		r.Close()
		return nil, domain.Errorf(domain.EINVALID, "sheet %q is empty", sheet)
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	r.headers = trimAll(headers)
	return r, nil
}

// collect reads the rest of rows into a Table, up to MaxTableRows rows.
func collect(r *Rows) (Table, error) {
	t := Table{Headers: r.headers, Sheet: r.sheet}
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return Table{}, err
		}
		if len(t.Rows) == MaxTableRows {
			return Table{}, domain.Errorf(domain.EINVALID, "the file has more than %d rows; split it", MaxTableRows)
		}
		t.Rows = append(t.Rows, append([]string(nil), rec...))
	}
}
