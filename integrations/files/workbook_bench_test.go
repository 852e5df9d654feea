package files_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/files"
)

const benchLines = 200_000

func benchLine(i int) files.WorkbookLine {
	cur := []domain.Currency{"EUR", "USD", "JPY", "KWD"}[i%4]
	return files.WorkbookLine{Date: time.Date(2026, 11, 1+i%30, 0, 0, 0, 0, time.UTC), Client: fmt.Sprintf("Client %02d GmbH", i%50),
		Invoice: fmt.Sprintf("INV-2026-%05d", i%50+1), Type: []string{"order", "line", "unit", "parcel", "shipping"}[i%5],
		Reference: fmt.Sprintf("SH-%06d / 1Z999AA1%08d", i/5, i), Qty: int64(1 + i%3), Rate: int64(150 + i%7), Amount: int64((1 + i%3) * (150 + i%7)), Currency: cur}
}

// BenchmarkWorkbook200kLines writes the billing workbook with 200,000
// charge lines (and 50 invoices) to nowhere.
func BenchmarkWorkbook200kLines(b *testing.B) {
	var invs []files.WorkbookInvoice
	for i := range 50 {
		invs = append(invs, files.WorkbookInvoice{Client: fmt.Sprintf("Client %02d GmbH", i), Number: fmt.Sprintf("INV-2026-%05d", i+1),
			Status: "issued", Currency: "EUR", Net: 1234567, Tax: 259259})
	}
	b.ReportAllocs()
	for b.Loop() {
		err := files.WriteBillingWorkbook(io.Discard, files.BillingWorkbook{Company: "Portolan", Period: "2026-11", Generated: time.Now(), Invoices: invs,
			Lines: func(yield func(files.WorkbookLine) error) error {
				for i := range benchLines {
					if err := yield(benchLine(i)); err != nil {
						return err
					}
				}
				return nil
			}})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBareStreamWriter200k writes the same 200,000 rows of cells with
// a bare excelize StreamWriter: the floor the workbook is compared with.
func BenchmarkBareStreamWriter200k(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		for i := range benchLines {
			l := benchLine(i)
			cell, _ := excelize.CoordinatesToCellName(1, i+5)
			if err := sw.SetRow(cell, []any{l.Date, l.Client, l.Invoice, l.Type, l.Reference, l.Qty, float64(l.Rate) / 100, float64(l.Amount) / 100, string(l.Currency)}); err != nil {
				b.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			b.Fatal(err)
		}
		if _, err := f.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
