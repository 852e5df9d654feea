package domain_test

import (
	"strings"
	"testing"

	"github.com/portolan/portolan/domain"
)

func TestParseStockSnapshot(t *testing.T) {
	rows, problems, err := domain.ParseStockSnapshot(
		[]string{"Item Code", "Site", "Bin Location", "Qty On Hand", "Batch", "Best Before"},
		[][]string{
			{"PRT-1", "NL-VEN", "A-01", "12", "", ""},
			{"PRT-2", "NL-VEN", "A-02", "3.0", "L7", "2027-03-31"},
			{"", "", "", "", "", ""},
			{"PRT-3", "NL-VEN", "A-03", "-1", "", ""},
			{"PRT-4", "NL-VEN", "A-04", "2", "", "2027-01-01"},
			{"PRT-1", "NL-VEN", "A-01", "5", "", ""},
			{"PRT-5", "", "A-05", "1", "", ""},
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Qty != 12 || rows[1].Qty != 3 || rows[1].Lot != "L7" || rows[1].Expiry != "2027-03-31" || rows[1].Row != 3 {
		t.Errorf("rows %+v", rows)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{"row 5, quantity", "row 6, expiry: an expiry date needs a lot", "row 7, sku: the same SKU, bin and lot as row 2", "row 8, warehouse: warehouse is empty"}
	if len(got) != len(want) {
		t.Fatalf("problems %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d: %q, want %q…", i, got[i], want[i])
		}
	}
	if _, _, err := domain.ParseStockSnapshot([]string{"SKU", "Qty"}, nil); err == nil || !strings.Contains(err.Error(), "no warehouse, location column") {
		t.Errorf("missing columns: %v", err)
	}
}

func TestParseInbounds(t *testing.T) {
	ins, problems, err := domain.ParseInbounds(
		[]string{"PO Number", "Vendor", "ETA", "SKU", "Ordered Qty"},
		[][]string{
			{"PO-1", "Kyoto Ceramics 京都陶器", "2026-12-02", "PRT-1", "24"},
			{"PO-1", "Kyoto Ceramics 京都陶器", "2026-12-02", "PRT-2", "12"},
			{"PO-2", "Ωμέγα", "", "PRT-3", "x"},
			{"PO-2", "Ωμέγα", "", "PRT-4", "5"},
			{"", "", "", "PRT-9", "1"},
			{"PO-3", "", "46000", "PRT-5", "6"},
		}, "NL-VEN")
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 2 || ins[0].Reference != "PO-1" || len(ins[0].Lines) != 2 || ins[0].Warehouse != "NL-VEN" || ins[0].ExpectedOn != "2026-12-02" ||
		ins[1].Reference != "PO-3" || ins[1].ExpectedOn != "2025-12-09" {
		t.Errorf("inbounds %+v", ins)
	}
	if len(problems) != 2 || problems[0].RowNumber != 4 || problems[1].RowNumber != 6 {
		t.Errorf("problems %+v", problems)
	}
	if _, _, err := domain.ParseInbounds([]string{"PO", "SKU", "Qty"}, nil, ""); err == nil || !strings.Contains(err.Error(), "choose the warehouse") {
		t.Errorf("no warehouse: %v", err)
	}
}
