package files

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const ecbXML = `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
	<gesmes:subject>Reference rates</gesmes:subject>
	<gesmes:Sender>
		<gesmes:name>European Central Bank</gesmes:name>
	</gesmes:Sender>
	<Cube>
		<Cube time='2026-11-27'>
			<Cube currency='USD' rate='1.0823'/>
			<Cube currency='JPY' rate='162.50'/>
			<Cube currency='KWD' rate='0.33215'/>
		</Cube>
		<Cube time='2026-11-26'>
			<Cube currency='USD' rate='1.0801'/>
			<Cube currency='XX' rate='1.0'/>
		</Cube>
	</Cube>
</gesmes:Envelope>`

func write(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestECBRatesXML(t *testing.T) {
	f, err := ReadECBRates(write(t, "eurofxref-hist.xml", ecbXML))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, r := range f.Rates {
		got = append(got, r.Day.Format("2006-01-02")+" "+string(r.Base)+"/"+string(r.Quote)+" "+r.Rate.FloatString(5))
	}
	want := "2026-11-27 EUR/USD 1.08230|2026-11-27 EUR/JPY 162.50000|2026-11-27 EUR/KWD 0.33215|2026-11-26 EUR/USD 1.08010"
	if strings.Join(got, "|") != want {
		t.Errorf("rates\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
}

func TestECBRatesCSVAndZip(t *testing.T) {
	csv := "Date,USD,JPY,BGN,\n2026-11-27,1.0823,162.50,N/A,\n2026-11-26,1.0801,161.90,N/A,\nnot a day,1,1,1,\n"
	f, err := ReadECBRates(write(t, "eurofxref-hist.csv", csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rates) != 4 || f.Skipped != 1 || f.Rates[1].Quote != "JPY" || f.Rates[1].Rate.FloatString(2) != "162.50" {
		t.Errorf("csv: %d rates, %d skipped, %+v", len(f.Rates), f.Skipped, f.Rates)
	}
	// The ECB serves its files zipped.
	zp := filepath.Join(t.TempDir(), "eurofxref.zip")
	zf, _ := os.Create(zp)
	zw := zip.NewWriter(zf)
	w, _ := zw.Create("eurofxref.csv")
	w.Write([]byte("Date, USD, JPY, \n27 November 2026, 1.0823, 162.50, \n"))
	zw.Close()
	zf.Close()
	f, err = ReadECBRates(zp)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rates) != 2 || f.Rates[0].Day.Format("2006-01-02") != "2026-11-27" || f.Rates[0].Rate.FloatString(4) != "1.0823" {
		t.Errorf("zip: %+v", f.Rates)
	}
}

func TestECBRatesRefusesWhatItCannotRead(t *testing.T) {
	for name, body := range map[string]string{
		"broken.xml":   "<gesmes:Envelope><Cube><Cube time='2026-11-27'><Cube currency='USD' rate='1.08'/>",
		"empty.xml":    "<Envelope><Cube/></Envelope>",
		"orders.csv":   "Order,Total\n1001,12.00\n",
		"nothing.csv":  "Date,USD\n2026-11-27,N/A\n",
		"negative.xml": "<Envelope><Cube><Cube time='2026-11-27'><Cube currency='USD' rate='-1'/></Cube></Cube></Envelope>",
	} {
		if _, err := ReadECBRates(write(t, name, body)); err == nil {
			t.Errorf("%s was read", name)
		}
	}
}
