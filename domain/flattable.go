package domain

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// flatRow reads "ZONE up to GRAMS g: PRICE".
var flatRow = regexp.MustCompile(`(?i)^\s*(.+?)\s+up\s+to\s+([0-9][0-9 _.,']*)\s*g\s*[:=]\s*(\S+)\s*$`)

// ParseFlatTable reads a flat shipping price list written one price per line
// (or separated by ";"), each "ZONE up to GRAMS g: PRICE" — the zone a
// country code, a region or * — as FormatFlatTable writes it:
//
//	DE up to 1000 g: 4.90
//	Europe up to 2000 g: 9.50
//	* up to 30000 g: 29.00
func ParseFlatTable(text string, cur Currency) ([]FlatShipping, error) {
	var out []FlatShipping
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' }) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		m := flatRow.FindStringSubmatch(line)
		if m == nil {
			return nil, Errorf(EINVALID, "flat shipping %q: write each price as ZONE up to GRAMS g: PRICE, e.g. \"DE up to 1000 g: 4.90\"", strings.TrimSpace(line))
		}
		zone := strings.TrimSpace(m[1])
		if !ValidZone(zone) {
			return nil, Errorf(EINVALID, "flat shipping %q: %q is not a country code, a region (%s) or *", strings.TrimSpace(line), zone,
				strings.Join(RegionNames(), ", "))
		}
		if len(zone) == 2 {
			zone = strings.ToUpper(zone)
		}
		g, err := strconv.ParseInt(strings.NewReplacer(" ", "", "_", "", ".", "", ",", "", "'", "").Replace(m[2]), 10, 64)
		if err != nil || g <= 0 {
			return nil, Errorf(EINVALID, "flat shipping %q: the weight is whole grams above 0", strings.TrimSpace(line))
		}
		price, err := ParseMoney(m[3], cur)
		if err != nil || price.Amount < 0 {
			return nil, Errorf(EINVALID, "flat shipping %q: %q is not a price in %s", strings.TrimSpace(line), m[3], cur)
		}
		out = append(out, FlatShipping{Zone: zone, UpToGrams: Grams(g), Price: price.Amount})
	}
	return out, nil
}

// FormatFlatTable writes a flat price list as ParseFlatTable reads it,
// countries first, then regions, then *, each by weight.
func FormatFlatTable(rows []FlatShipping, cur Currency) string {
	rank := func(z string) int {
		switch {
		case z == "*":
			return 2
		case len(z) == 2:
			return 0
		}
		return 1
	}
	sorted := append([]FlatShipping(nil), rows...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if rank(a.Zone) != rank(b.Zone) {
			return rank(a.Zone) < rank(b.Zone)
		}
		if a.Zone != b.Zone {
			return a.Zone < b.Zone
		}
		return a.UpToGrams < b.UpToGrams
	})
	var b strings.Builder
	for _, r := range sorted {
		fmt.Fprintf(&b, "%s up to %d g: %s\n", r.Zone, r.UpToGrams, NewMoney(r.Price, cur).Decimal())
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Describe lists a card's prices in words, those set only, e.g. "per
// order 1.50 EUR", "shipping: carrier cost + 12.00 %", then the flat table.
func (r RateCard) Describe() []string {
	m := func(v int64) string { return NewMoney(v, r.Currency).Decimal() + " " + string(r.Currency) }
	var out []string
	for _, x := range []struct {
		what string
		v    int64
	}{{"per order", r.PerOrder}, {"per line", r.PerLine}, {"per unit picked", r.PerUnit}, {"per parcel", r.PerParcel},
		{"receiving per unit", r.ReceivingUnit}, {"per inbound", r.PerInbound}, {"storage per 1,000 unit-days", r.StoragePer1000UnitDays},
		{"storage per bin-day", r.StoragePerBinDay}, {"monthly minimum", r.MinimumMonthly}} {
		if x.v != 0 {
			out = append(out, x.what+" "+m(x.v))
		}
	}
	boxes := slices.Sorted(maps.Keys(r.Packaging))
	for _, b := range boxes {
		out = append(out, "box "+b+" "+m(r.Packaging[b]))
	}
	if len(r.Flat) > 0 {
		out = append(out, "shipping: flat prices")
		for _, l := range strings.Split(FormatFlatTable(r.Flat, r.Currency), "\n") {
			out = append(out, "  "+l)
		}
	} else {
		out = append(out, fmt.Sprintf("shipping: carrier cost + %d.%02d %%", r.MarkupBP/100, r.MarkupBP%100))
	}
	return out
}
