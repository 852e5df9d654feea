package track

import (
	"strings"
	"time"
	_ "time/tzdata" // the zones, also where the system has none (Windows)
)

// Carriers write some times as the clock read at the place of the event,
// without saying which zone that is (DHL's "2023-10-26T12:08:00"; USPS's
// eventTimestamp, which even ends in "Z"). These tables give the zone of a
// place where one zone covers it, so such a time is read there.

// countryZones are the countries with one time zone (most of the world's
// parcels), by ISO code.
var countryZones = map[string]string{
	"AE": "Asia/Dubai", "AT": "Europe/Vienna", "BE": "Europe/Brussels", "BG": "Europe/Sofia", "CH": "Europe/Zurich",
	"CN": "Asia/Shanghai", "CZ": "Europe/Prague", "DE": "Europe/Berlin", "DK": "Europe/Copenhagen", "EE": "Europe/Tallinn",
	"FI": "Europe/Helsinki", "FR": "Europe/Paris", "GB": "Europe/London", "GR": "Europe/Athens", "HK": "Asia/Hong_Kong",
	"HR": "Europe/Zagreb", "HU": "Europe/Budapest", "IE": "Europe/Dublin", "IL": "Asia/Jerusalem", "IN": "Asia/Kolkata",
	"IT": "Europe/Rome", "JP": "Asia/Tokyo", "KR": "Asia/Seoul", "KW": "Asia/Kuwait", "LT": "Europe/Vilnius",
	"LU": "Europe/Luxembourg", "LV": "Europe/Riga", "MY": "Asia/Kuala_Lumpur", "NL": "Europe/Amsterdam", "NO": "Europe/Oslo",
	"NZ": "Pacific/Auckland", "PH": "Asia/Manila", "PL": "Europe/Warsaw", "PT": "Europe/Lisbon", "RO": "Europe/Bucharest",
	"RS": "Europe/Belgrade", "SA": "Asia/Riyadh", "SE": "Europe/Stockholm", "SG": "Asia/Singapore", "SI": "Europe/Ljubljana",
	"SK": "Europe/Bratislava", "TH": "Asia/Bangkok", "TR": "Europe/Istanbul", "TW": "Asia/Taipei", "UA": "Europe/Kyiv",
	"VN": "Asia/Ho_Chi_Minh", "ZA": "Africa/Johannesburg", "QA": "Asia/Qatar", "BH": "Asia/Bahrain", "OM": "Asia/Muscat",
}

// usStateZones are the US states and territories by their postal code, each
// with the zone most of it keeps.
var usStateZones = map[string]string{
	"AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix", "AR": "America/Chicago", "CA": "America/Los_Angeles",
	"CO": "America/Denver", "CT": "America/New_York", "DE": "America/New_York", "DC": "America/New_York", "FL": "America/New_York",
	"GA": "America/New_York", "HI": "Pacific/Honolulu", "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis",
	"IA": "America/Chicago", "KS": "America/Chicago", "KY": "America/New_York", "LA": "America/Chicago", "ME": "America/New_York",
	"MD": "America/New_York", "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago", "MS": "America/Chicago",
	"MO": "America/Chicago", "MT": "America/Denver", "NE": "America/Chicago", "NV": "America/Los_Angeles", "NH": "America/New_York",
	"NJ": "America/New_York", "NM": "America/Denver", "NY": "America/New_York", "NC": "America/New_York", "ND": "America/Chicago",
	"OH": "America/New_York", "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York", "RI": "America/New_York",
	"SC": "America/New_York", "SD": "America/Chicago", "TN": "America/Chicago", "TX": "America/Chicago", "UT": "America/Denver",
	"VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles", "WV": "America/New_York", "WI": "America/Chicago",
	"WY": "America/Denver", "PR": "America/Puerto_Rico", "GU": "Pacific/Guam", "VI": "America/St_Thomas", "AS": "Pacific/Pago_Pago",
	"MP": "Pacific/Saipan", "AA": "", "AE": "", "AP": "",
}

// CountryZone is the zone of a country with one zone (nil otherwise).
func CountryZone(country string) *time.Location {
	return zone(countryZones[strings.ToUpper(strings.TrimSpace(country))])
}

// USStateZone is the zone of a US state or territory (nil when unknown).
func USStateZone(state string) *time.Location {
	return zone(usStateZones[strings.ToUpper(strings.TrimSpace(state))])
}

func zone(name string) *time.Location {
	if name == "" {
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}

// WallClock reads a time as the clock at the place showed it: its date and
// time of day in loc, whatever offset or "Z" it was written with. ok is
// false when s is no time.
func WallClock(s string, loc *time.Location) (time.Time, bool) {
	t := ParseTime(s)
	if t.IsZero() {
		return t, false
	}
	// ParseTime read the digits as UTC (or shifted them by a written offset):
	// take the digits as written.
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05"} {
		if len(s) >= len(layout) {
			if w, err := time.ParseInLocation(layout, s[:len(layout)], loc); err == nil {
				return w.UTC(), true
			}
		}
	}
	return t, false
}

// HasOffset says whether a written time names its zone ("Z" or an offset).
func HasOffset(s string) bool {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "Z") {
		return true
	}
	if len(s) > 19 {
		tail := s[19:]
		return strings.ContainsAny(tail, "+-")
	}
	return false
}
