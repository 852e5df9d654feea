// Package files reads tables of outside data — CSV and XLSX exports from
// ERPs, marketplaces and storefronts — into a header and rows of text. XLSX is
// read with excelize; cells keep their raw values (a date is its serial
// number), so nothing is lost to a display format.
package files

import (
	"bytes"
	"strings"
)

// Table is a sheet of a file: the header row and the rows after it.
type Table struct {
	Headers []string
	Rows    [][]string
	Sheet   string // XLSX sheet name; "" for CSV
}

// MaxFileSize guards the window and the database against a wrong file.
const MaxFileSize = 200 << 20

// ReadTable reads a .csv, .tsv, .txt or .xlsx file whole (up to
// MaxTableRows rows); sheet picks an XLSX sheet (the first when empty).
// Errors say what is wrong with the file.
func ReadTable(path, sheet string) (Table, error) {
	r, err := OpenTable(path, sheet)
	if err != nil {
		return Table{}, err
	}
	defer r.Close()
	return collect(r)
}

// ReadCSV reads CSV text (see OpenTable) whole.
func ReadCSV(b []byte) (Table, error) {
	r, err := csvRows(bytes.NewReader(b))
	if err != nil {
		return Table{}, err
	}
	return collect(r)
}

func trimAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.TrimSpace(v)
	}
	return out
}
