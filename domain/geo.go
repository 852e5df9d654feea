package domain

import (
	"maps"
	"slices"
	"strings"
)

// euMembers are the countries of the EU customs union (with Monaco, which
// is in it through France).
var euMembers = map[Country]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true, "FI": true,
	"FR": true, "DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true, "LT": true, "LU": true,
	"MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SK": true, "SI": true, "ES": true, "SE": true,
	"MC": true,
}

// CustomsArea is the customs territory a country belongs to: "EU" for the
// EU customs union, otherwise the country itself. Goods crossing from one
// area to another go through customs.
func CustomsArea(c Country) string {
	if euMembers[c] {
		return "EU"
	}
	return string(c)
}

// regions group countries for the "keep orders in their region" rule.
var regions = map[string][]Country{
	"Europe": {"AD", "AL", "AT", "BA", "BE", "BG", "BY", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FO", "FR", "GB", "GG",
		"GI", "GR", "HR", "HU", "IE", "IM", "IS", "IT", "JE", "LI", "LT", "LU", "LV", "MC", "MD", "ME", "MK", "MT", "NL", "NO",
		"PL", "PT", "RO", "RS", "SE", "SI", "SK", "SM", "UA", "VA", "XK", "TR"},
	"North America": {"US", "CA", "MX", "PR", "BM", "GL", "PM"},
	"Latin America": {"AR", "BO", "BR", "CL", "CO", "CR", "CU", "DO", "EC", "GT", "HN", "JM", "NI", "PA", "PE", "PY", "SV",
		"TT", "UY", "VE"},
	"Middle East and Africa": {"AE", "BH", "EG", "IL", "JO", "KW", "LB", "MA", "OM", "QA", "SA", "TN", "ZA", "NG", "KE", "GH"},
	"Asia":                   {"CN", "HK", "ID", "IN", "JP", "KR", "MO", "MY", "PH", "SG", "TH", "TW", "VN", "BD", "PK", "LK", "KZ"},
	"Oceania":                {"AU", "NZ", "FJ", "PG", "NC", "PF"},
}

var regionOf = func() map[Country]string {
	m := map[Country]string{}
	for r, cs := range regions {
		for _, c := range cs {
			m[c] = r
		}
	}
	return m
}()

// RegionNames lists the regions, sorted.
func RegionNames() []string {
	out := slices.Sorted(maps.Keys(regions))
	return out
}

// ValidZone says whether a zone of a flat price list is a country code, a
// region name or "*".
func ValidZone(z string) bool {
	z = strings.TrimSpace(z)
	if z == "*" || Country(strings.ToUpper(z)).Valid() {
		return true
	}
	for r := range regions {
		if strings.EqualFold(r, z) {
			return true
		}
	}
	return false
}

// Region is the broad region of a country ("Europe", "Asia", …), or "" for
// one not placed in any.
func Region(c Country) string { return regionOf[c] }

// DefaultRates are sensible shipping rates from each warehouse to each
// country, in the planning currency's minor units (EUR cents by default),
// for a start before real carrier rates are entered: within the same country
// €4.20 and 1 day, within a customs union €6.50 and 2 days, within a region
// €12.00 and 3 days, further €26.00 and 7 days (a little spread per lane), and
// "*" for countries not listed.
func DefaultRates(warehouses []Warehouse, countries []Country) []Rate {
	var out []Rate
	for _, w := range warehouses {
		from := w.Address.Country
		for _, c := range countries {
			var cost int64
			var days int
			switch {
			case c == from:
				cost, days = 420, 1
			case CustomsArea(c) == CustomsArea(from):
				cost, days = 650, 2
			case Region(c) != "" && Region(c) == Region(from):
				cost, days = 1200, 3
			default:
				cost, days = 2600, 7
			}
			spread := int64((int(w.Code[0])*31 + int(w.Code[len(w.Code)-1])*7 + int(c[0])*13 + int(c[1])) % 5)
			out = append(out, Rate{Warehouse: w.Code, Country: c, Cost: cost + spread*40, TransitDays: days})
		}
		out = append(out, Rate{Warehouse: w.Code, Country: "*", Cost: 3200, TransitDays: 9})
	}
	return out
}
