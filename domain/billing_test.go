package domain

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCardOnEffectiveDates(t *testing.T) {
	cards := []RateCard{{ID: 1, EffectiveFrom: day("2026-09-01")}, {ID: 2, EffectiveFrom: day("2026-11-01")}, {ID: 3, EffectiveFrom: day("2027-01-01")}}
	for at, want := range map[string]int64{"2026-08-31": 0, "2026-09-01": 1, "2026-10-31": 1, "2026-11-01": 2, "2026-12-31": 2, "2027-03-01": 3} {
		c, ok := CardOn(cards, day(at).Add(23*time.Hour))
		if (want == 0) == ok || ok && c.ID != want {
			t.Errorf("%s: card %d (%v), want %d", at, c.ID, ok, want)
		}
	}
}

func TestOrderChargesAcrossCurrencies(t *testing.T) {
	fx := NewFXTable([]FXRate{
		{Day: day("2026-11-01"), Base: "EUR", Quote: "JPY", Rate: big.NewRat(16250, 100)},  // 162.50
		{Day: day("2026-11-01"), Base: "EUR", Quote: "KWD", Rate: big.NewRat(3321, 10000)}, // 0.3321
		{Day: day("2026-11-20"), Base: "EUR", Quote: "JPY", Rate: big.NewRat(16000, 100)},
	})
	o := ShippedOrder{OrderID: 7, Number: "SH-7", ClientID: 3, Lines: 2, Units: 5, Shipped: day("2026-11-10").Add(9 * time.Hour),
		Parcels: []ShippedParcel{{ID: 11, Tracking: "1Z", Box: "M", Weight: 1200, To: "JP", Cost: NewMoney(1234, "EUR"), ShippedAt: day("2026-11-10")}}}
	cases := []struct {
		name string
		card RateCard
		want map[ChargeType]int64
	}{
		{"JPY card, 0 decimals", RateCard{Currency: "JPY", PerOrder: 150, PerLine: 20, PerUnit: 15, PerParcel: 50, Packaging: map[string]int64{"M": 80}, MarkupBP: 1000},
			// shipping: 12.34 EUR × 162.50 = 2005.25 → 2005 JPY; × 1.10 = 2205.5 → 2206
			map[ChargeType]int64{ChargeOrder: 150, ChargeLine: 40, ChargeUnit: 75, ChargeParcel: 50, ChargePackaging: 80, ChargeShipping: 2206}},
		{"KWD card, 3 decimals", RateCard{Currency: "KWD", PerOrder: 450, MarkupBP: 1500},
			// 12.34 EUR × 0.3321 = 4.098114 KWD → 4098 fils; × 1.15 = 4712.7 → 4713
			map[ChargeType]int64{ChargeOrder: 450, ChargeShipping: 4713}},
		{"flat table by zone", RateCard{Currency: "EUR", Flat: []FlatShipping{{"Asia", 1000, 1500}, {"Asia", 5000, 2400}, {"*", 30000, 5000}}},
			map[ChargeType]int64{ChargeShipping: 2400}},
	}
	for _, c := range cases {
		charges, err := OrderCharges(o, c.card, fx)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := map[ChargeType]int64{}
		for _, ch := range charges {
			got[ch.Type] += ch.Amount
			if ch.Currency != c.card.Currency || ch.ClientID != 3 || !ch.Date.Equal(day("2026-11-10")) {
				t.Errorf("%s: charge %+v", c.name, ch)
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: charges %v, want %v", c.name, got, c.want)
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("%s: %s = %d, want %d", c.name, k, got[k], v)
			}
		}
	}
	// No flat price for the weight: a clear error.
	heavy := o
	heavy.Parcels = []ShippedParcel{{ID: 12, To: "JP", Weight: 40000}}
	if _, err := OrderCharges(heavy, cases[2].card, fx); err == nil {
		t.Error("a parcel beyond every flat row was priced")
	}
	// No rate for the day: refused, not guessed.
	early := o
	early.Parcels = []ShippedParcel{{ID: 13, Cost: NewMoney(100, "EUR"), ShippedAt: day("2026-10-01")}}
	if _, err := OrderCharges(early, RateCard{Currency: "JPY"}, fx); err == nil {
		t.Error("converted without a rate")
	}
}

func TestStorageMinimumTaxAndAgeing(t *testing.T) {
	card := RateCard{Currency: "EUR", StoragePer1000UnitDays: 250, MinimumMonthly: 50000} // 2.50 EUR per 1,000 unit-days
	if c := StorageCharge(1, day("2026-11-02"), 12345, card); c.Amount != 3086 {          // 30.8625 EUR → 30.86
		t.Errorf("storage %d", c.Amount)
	}
	top, ok := MinimumTopUp(1, day("2026-11-15"), 32000, card)
	if !ok || top.Amount != 18000 || !top.Date.Equal(day("2026-11-30")) {
		t.Errorf("minimum %+v", top)
	}
	if _, ok := MinimumTopUp(1, day("2026-11-15"), 50000, card); ok {
		t.Error("top-up over the minimum")
	}
	if Tax(10005, 2100) != 2101 || Tax(999, 1900) != 190 || Tax(-10005, 2100) != -2101 {
		t.Errorf("tax %d %d %d", Tax(10005, 2100), Tax(999, 1900), Tax(-10005, 2100))
	}
	due := day("2026-10-01")
	for at, want := range map[string]int{"2026-09-15": 0, "2026-10-31": 0, "2026-11-01": 1, "2026-11-30": 1, "2026-12-30": 2, "2027-01-01": 3} {
		if got := AgeBucket(due, day(at)); got != want {
			t.Errorf("due %s, at %s: bucket %d, want %d", due.Format(time.DateOnly), at, got, want)
		}
	}
}

func TestFXCrossAndInverse(t *testing.T) {
	fx := NewFXTable([]FXRate{{Day: day("2026-11-02"), Base: "EUR", Quote: "USD", Rate: big.NewRat(10823, 10000)},
		{Day: day("2026-11-02"), Base: "EUR", Quote: "GBP", Rate: big.NewRat(8612, 10000)}})
	m, _, err := fx.Convert(NewMoney(10000, "USD"), "EUR", day("2026-11-05")) // 100 USD / 1.0823 = 92.396… EUR
	if err != nil || m.Amount != 9240 {
		t.Errorf("USD→EUR %v %v", m, err)
	}
	m, _, err = fx.Convert(NewMoney(10000, "USD"), "GBP", day("2026-11-05")) // × 0.8612/1.0823 = 79.571…
	if err != nil || m.Amount != 7957 {
		t.Errorf("USD→GBP %v %v", m, err)
	}
	if _, _, err := fx.Convert(NewMoney(1, "USD"), "JPY", day("2026-11-05")); err == nil {
		t.Error("no JPY rate, yet converted")
	}
	if _, err := ParseRate("-1"); err == nil {
		t.Error("negative rate")
	}
}

func TestReconcileCarrierInvoice(t *testing.T) {
	parcels := []ShippedParcel{{ID: 1, Tracking: "1Z999AA10123456784", Cost: NewMoney(1000, "EUR")},
		{ID: 2, Tracking: "3318810025", Cost: NewMoney(2000, "EUR")}, {ID: 3, Tracking: "770000000017", Cost: NewMoney(500, "EUR")}}
	lines := []CarrierLine{{Row: 2, Tracking: "1z999aa10123456784", Amount: NewMoney(1004, "EUR")}, {Row: 3, Tracking: "3318810025", Amount: NewMoney(2350, "EUR")},
		{Row: 4, Tracking: "9999999999", Amount: NewMoney(700, "EUR")}}
	res, err := Reconcile(lines, parcels, map[int64]string{1: "SH-1", 2: "SH-2", 3: "SH-3"}, 50, NewFXTable(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		class ReconcileClass
		diff  int64
	}{{ReconMatched, 4}, {ReconOver, 350}, {ReconNotOurs, 700}, {ReconMissing, -500}}
	if len(res) != len(want) {
		t.Fatalf("%+v", res)
	}
	for i, w := range want {
		if res[i].Class != w.class || res[i].Diff != w.diff {
			t.Errorf("line %d: %s %d, want %s %d", i, res[i].Class, res[i].Diff, w.class, w.diff)
		}
	}
	if res[1].Order != "SH-2" {
		t.Errorf("order %q", res[1].Order)
	}
	// Charged twice on the invoice, and a parcel already charged on an
	// earlier one: over by all of it; the earlier one is not missing.
	twice := []CarrierLine{{Row: 2, Tracking: "3318810025", Amount: NewMoney(2000, "EUR")}, {Row: 3, Tracking: "3318810025", Amount: NewMoney(2000, "EUR")},
		{Row: 4, Tracking: "1Z999AA10123456784", Amount: NewMoney(1000, "EUR")}}
	res, err = Reconcile(twice, parcels, nil, 50, NewFXTable(nil), map[string]bool{"1Z999AA10123456784": true, "770000000017": true})
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, r := range res {
		got += fmt.Sprintf("%s %s %d/%d|", r.Tracking, r.Class, r.Expected.Amount, r.Diff)
	}
	if want := "3318810025 matched 2000/0|3318810025 over 0/2000|1Z999AA10123456784 over 0/1000|"; got != want {
		t.Errorf("charged again:\n got %s\nwant %s", got, want)
	}
}

func TestParseCarrierInvoiceAmounts(t *testing.T) {
	lines, problems, err := ParseCarrierInvoice([]string{"Waybill Number", "Currency", "Total Charge"},
		[][]string{{"3318810025", "EUR", "4,60"}, {"1Z999AA10123456784", "EUR", "1.234,50"}, {"770000000017", "", "1,234.50"}, {"123", "JPY", "9,800"},
			{"3318810025", "XXX", "1"}, {"", "EUR", "3"}, {"8487135506", "EUR", "abc"}}, "USD")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"4.60 EUR", "1234.50 EUR", "1234.50 USD", "9800 JPY"}
	if len(lines) != len(want) || len(problems) != 3 {
		t.Fatalf("lines %+v problems %+v", lines, problems)
	}
	for i, w := range want {
		if lines[i].Amount.String() != w {
			t.Errorf("line %d: %s, want %s", i, lines[i].Amount, w)
		}
	}
	if _, _, err := ParseCarrierInvoice([]string{"Ref", "Amount"}, nil, "EUR"); err == nil {
		t.Error("a file without a tracking column was accepted")
	}
}

func TestBinStorageAndFlatTable(t *testing.T) {
	card := RateCard{Currency: "KWD", StoragePerBinDay: 125} // 0.125 KWD a bin a day
	if c := BinStorageCharge(1, day("2026-11-02"), 37, card); c.Amount != 4625 || c.SourceKind != "storage_bins" || c.Qty != 37 {
		t.Errorf("bin storage %+v", c)
	}
	if a, b := BinStorageCharge(1, day("2026-11-02"), 1, card), StorageCharge(1, day("2026-11-02"), 1, card); a.SourceKind == b.SourceKind {
		t.Error("bin-days and unit-days of a day are the same source: one would replace the other")
	}
	text := "* up to 30000 g: 29.00; de up to 1,000 g: 4.90\nEurope up to 2000 g: 9.50\nDE up to 5000g = 7.90"
	rows, err := ParseFlatTable(text, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	want := "DE up to 1000 g: 4.90\nDE up to 5000 g: 7.90\nEurope up to 2000 g: 9.50\n* up to 30000 g: 29.00"
	if got := FormatFlatTable(rows, "EUR"); got != want {
		t.Errorf("flat table\n%s\nwant\n%s", got, want)
	}
	again, err := ParseFlatTable(want, "EUR")
	if err != nil || len(again) != 4 {
		t.Fatalf("round trip: %v %v", again, err)
	}
	for to, w := range map[string]int64{"DE/800": 490, "DE/4000": 790, "FR/1500": 950, "FR/2500": 2900, "JP/100": 2900} {
		c, g, _ := strings.Cut(to, "/")
		grams, _ := strconv.Atoi(g)
		if p, ok := FlatPrice(again, Country(c), Grams(grams)); !ok || p != w {
			t.Errorf("%s: %d %v, want %d", to, p, ok, w)
		}
	}
	jpy, err := ParseFlatTable("JP up to 2000 g: 1200", "JPY")
	if err != nil || jpy[0].Price != 1200 {
		t.Errorf("JPY flat %v %v", jpy, err)
	}
	for _, bad := range []string{"DE 1000 4.90", "Atlantis up to 1000 g: 4.90", "DE up to 0 g: 4.90", "DE up to 1000 g: four", "XX up to 1 g: 1"} {
		if _, err := ParseFlatTable(bad, "EUR"); err == nil {
			t.Errorf("%q was read", bad)
		}
	}
	if err := (&RateCard{Currency: "EUR", EffectiveFrom: day("2026-11-01"), Flat: []FlatShipping{{Zone: "Mars", UpToGrams: 1, Price: 1}}}).Validate(); err == nil {
		t.Error("a card with an unknown zone was accepted")
	}
}

func TestEstimateParcelWeights(t *testing.T) {
	o := ShippedOrder{Number: "SH-1", Parcels: []ShippedParcel{{ID: 1, Weight: 900}, {ID: 2}, {ID: 3}}}
	EstimateParcelWeights(&o, 2901) // 2,001 g left for two parcels: 1,001 each (rounded up)
	if o.Parcels[0].Weight != 900 || o.Parcels[1].Weight != 1001 || o.Parcels[2].Weight != 1001 {
		t.Errorf("weights %+v", o.Parcels)
	}
	none := ShippedOrder{Number: "SH-2", Parcels: []ShippedParcel{{ID: 4, Tracking: "1Z4", To: "DE"}}}
	EstimateParcelWeights(&none, 0) // products without weights: still unknown
	card := RateCard{Currency: "EUR", Flat: []FlatShipping{{"*", 30000, 900}}}
	if _, err := OrderCharges(none, card, NewFXTable(nil)); err == nil || !strings.Contains(err.Error(), "no weight") {
		t.Errorf("an unweighed parcel priced by weight: %v", err)
	}
}

// Months are counted from their first day: the 31st less a month is the
// month before, whatever its length.
func TestMonthStart(t *testing.T) {
	for _, c := range []struct {
		at   string
		n    int
		want string
	}{{"2027-03-31", -1, "2027-02-01"}, {"2027-12-31", -1, "2027-11-01"}, {"2028-01-31", 1, "2028-02-01"}, {"2027-01-15", -13, "2025-12-01"}, {"2026-12-07", 0, "2026-12-01"}} {
		at, _ := time.Parse(time.DateOnly, c.at)
		if got := MonthStart(at.Add(23*time.Hour), c.n).Format(time.DateOnly); got != c.want {
			t.Errorf("MonthStart(%s, %d) = %s, want %s", c.at, c.n, got, c.want)
		}
	}
}
