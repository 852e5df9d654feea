package pdf_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/pdf"
)

// BenchmarkPickList10000Lines writes the pick list of a wave of 10,000 picks
// (2,500 orders in totes, 5 zones, 8 % with lots, names in several scripts).
func BenchmarkPickList10000Lines(b *testing.B) {
	w := domain.Wave{ID: 42, Warehouse: "NL-VEN", WhName: "Venlo fulfilment centre", CreatedAt: time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC), Orders: 2500}
	names := []string{"Anna Müller", "山田 太郎", "Иван Петров", "김민준", "Ελένη Νικολάου", "José Hernández"}
	zones := []string{"A", "B", "C", "D", "BULK"}
	for i := range 10_000 {
		l := domain.PickLine{Tote: 1 + i%2500, Number: fmt.Sprintf("SH-%06d", 100000+i%2500), Customer: names[i%len(names)],
			Zone: zones[i%5], PickSeq: i, Bin: fmt.Sprintf("%s-%02d-%02d-%d", zones[i%5], i%40, i%9, 1+i%2),
			SKU: fmt.Sprintf("PRT-%05d", 10000+i%500), Name: "Merino wool beanie — Black", Qty: domain.Quantity(1 + i%3)}
		if i%12 == 0 {
			l.Lot, l.Expiry = fmt.Sprintf("L%05d", i), "2027-06-28"
		}
		w.Lines = append(w.Lines, l)
	}
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := pdf.PickList(&buf, w, pdf.A4, time.UTC); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1e6, "MB")
}

// BenchmarkJob1000Parcels writes one print job of 1,000 parcels: a 4×6
// label each, customs papers for the 600 leaving the EU (CN22 or CN23 with a
// commercial invoice), and a packing slip each.
func BenchmarkJob1000Parcels(b *testing.B) {
	wh := domain.Warehouse{Code: "NL-VEN", Name: "Venlo fulfilment centre",
		Address: domain.Address{Name: "Venlo fulfilment centre", Company: "Portolan Logistics B.V.", Line1: "Celsiusweg 40", City: "Venlo", PostalCode: "5928 PR", Country: "NL"}}
	dests := []domain.Address{
		{Name: "Anna de Vries", Line1: "Kerkstraat 1", City: "Utrecht", PostalCode: "3511 LX", Country: "NL"},
		{Name: "Jean Dupont", Line1: "12 rue de Rivoli", City: "Paris", PostalCode: "75001", Country: "FR"},
		{Name: "山田 太郎", Line1: "神南1-2-3", City: "渋谷区", Region: "東京都", PostalCode: "150-0041", Country: "JP", Phone: "+81 3 5555 0101"},
		{Name: "Иван Петров", Line1: "100 Main St", City: "Boston", Region: "MA", PostalCode: "02110", Country: "US", Phone: "+1 617 555 0100"},
		{Name: "James Smith", Line1: "1 High St", City: "London", PostalCode: "SW1A 1AA", Country: "GB"},
	}
	var parcels []domain.PackedParcel
	for i := range 1000 {
		to := dests[i%len(dests)]
		p := domain.PackedParcel{ID: int64(i + 1), OrderID: int64(i + 1), Number: fmt.Sprintf("SH-%06d", 100000+i), Seq: 1, Of: 1, Warehouse: wh,
			Weight: 2000, Tracking: fmt.Sprintf("JD0146000062%08d", i), Service: "DHL Express", ShipTo: to, Currency: "EUR"}
		for l := range 1 + i%3 {
			p.Lines = append(p.Lines, domain.ParcelLine{LineNo: l + 1, SKU: fmt.Sprintf("PRT-%05d", 10000+(i*7+l)%500), Name: "Merino wool beanie — Black",
				Qty: domain.Quantity(1 + l), UnitPrice: domain.NewMoney(int64(2500+(i%4)*12000), "EUR"), HSCode: "650500", Origin: "PT",
				Description: "Knitted hat of wool", UnitWeight: 90})
		}
		parcels = append(parcels, p)
	}
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := pdf.Job(&buf, parcels, pdf.JobOptions{At: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1e6, "MB")
}
