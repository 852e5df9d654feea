package files

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// RatesFile is what a file of euro reference rates held.
type RatesFile = domain.FXFile

// ReadECBRates reads the European Central Bank's euro foreign exchange
// reference rates in any of the layouts it publishes them: the XML of
// eurofxref-daily.xml / eurofxref-hist.xml (Cube time= with Cube currency=
// rate=), the CSV of eurofxref.csv / eurofxref-hist.csv (Date, then a
// column per currency), either of them inside the .zip the ECB serves, or
// the same table saved as .xlsx. Every rate is units of the currency per
// euro.
func ReadECBRates(path string) (RatesFile, error) {
	st, err := os.Stat(path)
	if err != nil {
		return RatesFile{}, fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	if st.Size() > MaxFileSize {
		return RatesFile{}, domain.Errorf(domain.EINVALID, "%s is larger than %d MB; split it", filepath.Base(path), MaxFileSize>>20)
	}
	name := filepath.Base(path)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xml":
		b, err := os.ReadFile(path)
		if err != nil {
			return RatesFile{}, err
		}
		return readRatesXML(name, b)
	case ".zip":
		return readRatesZip(path)
	}
	t, err := ReadTable(path, "")
	if err != nil {
		return RatesFile{}, err
	}
	return ratesFromTable(name, t)
}

// readRatesZip reads the first .csv or .xml file of a zip archive.
func readRatesZip(path string) (RatesFile, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return RatesFile{}, domain.Errorf(domain.EINVALID, "%s is not a zip archive Portolan can open: %v", filepath.Base(path), err)
	}
	defer z.Close()
	for _, f := range z.File {
		ext := strings.ToLower(filepath.Ext(f.Name))
		if ext != ".csv" && ext != ".xml" {
			continue
		}
		if f.UncompressedSize64 > MaxFileSize {
			return RatesFile{}, domain.Errorf(domain.EINVALID, "%s in %s is larger than %d MB", f.Name, filepath.Base(path), MaxFileSize>>20)
		}
		r, err := f.Open()
		if err != nil {
			return RatesFile{}, err
		}
		b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
		r.Close()
		if err != nil {
			return RatesFile{}, fmt.Errorf("%s in %s: %w", f.Name, filepath.Base(path), err)
		}
		if ext == ".xml" {
			return readRatesXML(f.Name, b)
		}
		t, err := ReadCSV(b)
		if err != nil {
			return RatesFile{}, err
		}
		return ratesFromTable(f.Name, t)
	}
	return RatesFile{}, domain.Errorf(domain.EINVALID, "%s holds no .csv or .xml file of rates", filepath.Base(path))
}

// ratesFromTable reads the CSV layout: a Date column, then one per currency.
func ratesFromTable(name string, t Table) (RatesFile, error) {
	if len(t.Headers) < 2 || !strings.EqualFold(strings.TrimSpace(t.Headers[0]), "date") {
		return RatesFile{}, domain.Errorf(domain.EINVALID,
			"%s is not in the ECB's layout: the first column must be Date and the others currency codes (headers found: %s)",
			name, strings.Join(t.Headers, ", "))
	}
	var out RatesFile
	for _, row := range t.Rows {
		if len(row) == 0 || strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		d, ok := ecbDay(row[0])
		if !ok {
			out.Skipped++
			continue
		}
		for i := 1; i < len(row) && i < len(t.Headers); i++ {
			addRate(&out, d, t.Headers[i], row[i])
		}
	}
	return out, someRates(out, name, "")
}

// addRate adds a rate as the ECB writes it (units of the currency per euro)
// to the file. It passes over a column that is no currency and a day the
// ECB published no rate ("" or N/A), and keeps a rate it cannot read as a
// problem.
func addRate(out *RatesFile, day time.Time, currency, rate string) {
	cur := domain.Currency(strings.ToUpper(strings.TrimSpace(currency)))
	rate = strings.TrimSpace(rate)
	if !cur.Valid() || rate == "" || strings.EqualFold(rate, "N/A") {
		return
	}
	r, err := domain.ParseRate(rate)
	if err != nil {
		out.Problems = append(out.Problems, fmt.Sprintf("%s %s: %v", day.Format(time.DateOnly), cur, err))
		return
	}
	out.Rates = append(out.Rates, domain.FXRate{Day: day, Base: "EUR", Quote: cur, Rate: r})
}

// someRates refuses a file that held no rate, saying what its layout
// should have held.
func someRates(out RatesFile, name, layout string) error {
	if len(out.Rates) == 0 {
		return domain.Errorf(domain.EINVALID, "%s holds no exchange rate%s", name, layout)
	}
	return nil
}

// ecbDay reads a date as the ECB writes it (2026-11-27), or as a
// spreadsheet saved it (27 November 2026, or a serial number).
func ecbDay(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, "2 January 2006", "02 January 2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d, true
		}
	}
	if d, err := domain.ParseImportTime(s, time.UTC); err == nil {
		return d.Truncate(24 * time.Hour), true
	}
	return time.Time{}, false
}

// readRatesXML reads the gesmes envelope: a Cube per day (time=) holding a
// Cube per currency (currency=, rate=). It is decoded as a stream, so the
// full history (tens of thousands of cubes) is read without building a tree.
func readRatesXML(name string, b []byte) (RatesFile, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var out RatesFile
	var day time.Time
	inDay := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return RatesFile{}, domain.Errorf(domain.EINVALID, "%s is not well-formed XML: %v", name, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Cube" {
			continue
		}
		var t, cur, rate string
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "time":
				t = a.Value
			case "currency":
				cur = a.Value
			case "rate":
				rate = a.Value
			}
		}
		switch {
		case t != "":
			d, err := time.Parse(time.DateOnly, strings.TrimSpace(t))
			inDay = err == nil
			if !inDay {
				out.Skipped++
			}
			day = d
		case cur != "" && inDay:
			addRate(&out, day, cur, rate)
		}
	}
	return out, someRates(out, name, " (the ECB's XML has <Cube time=…> days with <Cube currency=… rate=…>)")
}
