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
