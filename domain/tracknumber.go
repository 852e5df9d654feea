package domain

import (
	"fmt"
	"strings"
)

// NormalizeTracking upper-cases a tracking number and drops the spaces and
// dashes people type or print between groups.
func NormalizeTracking(n string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, strings.TrimSpace(n))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return s != ""
}

func digit(c byte) int { return int(c - '0') }

// ups1Z checks a UPS 1Z number's check digit: letters count (ASCII−63) mod
// 10, odd positions ×1, even ×2.
func ups1Z(n string) bool {
	if len(n) != 18 || !strings.HasPrefix(n, "1Z") || !alnum(n) {
		return false
	}
	sum := 0
	for i := 2; i < 17; i++ {
		c := n[i]
		v := 0
		if c >= '0' && c <= '9' {
			v = digit(c)
		} else {
			v = (int(c) - 63) % 10
		}
		if (i-1)%2 == 0 { // positions 1..15: even positions doubled
			v *= 2
		}
		sum += v
	}
	return (10-sum%10)%10 == digit(n[17])
}

// mod10x3 is the "×3, ×1 from the right" check of FedEx Ground 15 and USPS IMpb.
func mod10x3(n string) bool {
	if len(n) < 2 || !allDigits(n) {
		return false
	}
	body, sum := n[:len(n)-1], 0
	for i := len(body) - 1; i >= 0; i-- {
		w := 1
		if (len(body)-1-i)%2 == 0 {
			w = 3
		}
		sum += digit(body[i]) * w
	}
	return (10-sum%10)%10 == digit(n[len(n)-1])
}

// fedex12 is FedEx Express's 12-digit check: weights 3,1,7 from the left.
func fedex12(n string) bool {
	if len(n) != 12 || !allDigits(n) {
		return false
	}
	w := [3]int{3, 1, 7}
	sum := 0
	for i := 0; i < 11; i++ {
		sum += digit(n[i]) * w[i%3]
	}
	return sum%11%10 == digit(n[11])
}

// dhlMod7 is DHL Express's waybill check: the body mod 7.
func dhlMod7(n string) bool {
	if (len(n) != 10 && len(n) != 11) || !allDigits(n) {
		return false
	}
	body := 0
	for i := 0; i < len(n)-1; i++ {
		body = (body*10 + digit(n[i])) % 7
	}
	return body == digit(n[len(n)-1])
}

// isS10 reports whether n is shaped like a UPU S10 number (AA123456789CH).
func isS10(n string) bool {
	if len(n) != 13 {
		return false
	}
	for _, i := range []int{0, 1, 11, 12} {
		if n[i] < 'A' || n[i] > 'Z' {
			return false
		}
	}
	return allDigits(n[2:11])
}

// s10Check verifies an S10 number's check digit (weights 8,6,4,2,3,5,9,7, mod 11).
func s10Check(n string) bool {
	w := [8]int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += digit(n[2+i]) * w[i]
	}
	r := 11 - sum%11
	switch r {
	case 10:
		r = 0
	case 11:
		r = 5
	}
	return r == digit(n[10])
}

// impb strips a USPS IMpb routing prefix (420 + ZIP or ZIP+4).
func impb(n string) string {
	if strings.HasPrefix(n, "420") {
		switch len(n) {
		case 30:
			return n[8:]
		case 34:
			return n[12:]
		}
	}
	return n
}

// ValidateTracking checks a tracking number for a carrier kind ("" for any):
// its shape, and its check digit where the format has one. It returns the
// normalised number, or an error that says what is wrong.
func ValidateTracking(kind CarrierKind, raw string) (string, error) {
	n := NormalizeTracking(raw)
	if len(n) < 6 || len(n) > 40 || !alnum(n) {
		return n, Errorf(EINVALID, "%q is not a tracking number: 6 to 40 letters and digits", raw)
	}
	bad := func(format string) (string, error) {
		return n, Errorf(EINVALID, "%s fails the check digit of a %s number; look for a mistyped or swapped digit", n, format)
	}
	switch kind.Family() {
	case CarrierUPS:
		switch {
		case strings.HasPrefix(n, "1Z"):
			if len(n) != 18 {
				return n, Errorf(EINVALID, "a UPS 1Z number has 18 characters; %s has %d", n, len(n))
			}
			if !ups1Z(n) {
				return bad("UPS 1Z")
			}
		case len(n) == 11 && n[0] == 'T' && allDigits(n[1:]), len(n) == 9 && allDigits(n), len(n) == 26 && allDigits(n):
			// freight, InfoNotice and Mail Innovations numbers carry no check digit
		default:
			return n, Errorf(EINVALID, "%s is not a UPS tracking number (1Z… with 18 characters)", n)
		}
	case CarrierFedEx:
		switch {
		case !allDigits(n):
			return n, Errorf(EINVALID, "%s is not a FedEx tracking number: FedEx numbers are digits", n)
		case len(n) == 12:
			if !fedex12(n) {
				return bad("FedEx Express 12-digit")
			}
		case len(n) == 15:
			if !mod10x3(n) {
				return bad("FedEx Ground 15-digit")
			}
		case len(n) == 20 || len(n) == 22:
			if !mod10x3(n) {
				return bad("FedEx SmartPost")
			}
		case len(n) == 34:
			if !mod10x3(n[19:]) { // the 15-digit package number at the end
				return bad("FedEx Ground 34-digit")
			}
		default:
			return n, Errorf(EINVALID, "%s is not a FedEx tracking number (12, 15, 20, 22 or 34 digits)", n)
		}
	case CarrierUSPS:
		switch {
		case isS10(n):
			if !s10Check(n) {
				return bad("UPU S10")
			}
		case allDigits(n) && (len(n) == 20 || len(n) == 22 || len(n) == 30 || len(n) == 34):
			if !mod10x3(impb(n)) {
				return bad("USPS IMpb")
			}
		default:
			return n, Errorf(EINVALID, "%s is not a USPS tracking number (20–22 digits, or AA123456789US)", n)
		}
	case CarrierDHL:
		switch {
		case allDigits(n) && (len(n) == 10 || len(n) == 11):
			if !dhlMod7(n) {
				return bad("DHL Express waybill")
			}
		case isS10(n):
			if !s10Check(n) {
				return bad("UPU S10")
			}
		case strings.HasPrefix(n, "JJD") || strings.HasPrefix(n, "JVGL") || allDigits(n) && len(n) >= 12:
			// piece ids and DHL Parcel numbers: no check digit to verify
		case len(n) >= 12 && strings.ContainsAny(n[:2], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && allDigits(n[2:]):
			// DHL eCommerce (GM…, LX…, RX…)
		default:
			return n, Errorf(EINVALID, "%s is not a DHL tracking number (a 10-digit waybill, JJD…, or a DHL Parcel/eCommerce number)", n)
		}
	case CarrierEasyPost, "":
		// The aggregator takes any carrier's number; catch the formats whose check digit we know.
		switch {
		case strings.HasPrefix(n, "1Z") && len(n) == 18 && !ups1Z(n):
			return bad("UPS 1Z")
		case isS10(n) && !s10Check(n):
			return bad("UPU S10")
		}
	default:
		return n, Errorf(EINVALID, "unknown carrier kind %q", kind)
	}
	return n, nil
}

// DetectCarriers lists the carrier kinds whose format (with its check digit)
// a number matches, most specific first; empty when none says so.
func DetectCarriers(raw string) []CarrierKind {
	n := NormalizeTracking(raw)
	var out []CarrierKind
	switch {
	case ups1Z(n):
		out = append(out, CarrierUPS)
	case isS10(n) && s10Check(n):
		if strings.HasSuffix(n, "US") {
			out = append(out, CarrierUSPS)
		}
	case allDigits(n):
		if (len(n) == 20 || len(n) == 22 || len(n) == 30 || len(n) == 34) && mod10x3(impb(n)) {
			out = append(out, CarrierUSPS)
		}
		if len(n) == 12 && fedex12(n) || len(n) == 15 && mod10x3(n) {
			out = append(out, CarrierFedEx)
		}
		if len(n) == 10 && dhlMod7(n) {
			out = append(out, CarrierDHL)
		}
	case strings.HasPrefix(n, "JJD"):
		out = append(out, CarrierDHL)
	}
	return out
}

// TrackingHint says which carrier a number looks like, for the entry form.
func TrackingHint(raw string) string {
	ks := DetectCarriers(raw)
	if len(ks) == 0 {
		return ""
	}
	names := make([]string, len(ks))
	for i, k := range ks {
		p, _ := k.Profile()
		names[i] = p.Name
	}
	return fmt.Sprintf("looks like %s", strings.Join(names, " or "))
}

// MakeTrackingNumber builds a well-formed number of a carrier's main format
// from a serial, with its check digit: for sample data and sandboxes.
func MakeTrackingNumber(kind CarrierKind, serial int64) string {
	serial = max(serial, 0)
	switch kind.Family() {
	case CarrierUPS:
		body := fmt.Sprintf("1ZPRT%03d03%07d", serial/10000000%1000, serial%10000000)
		for c := byte('0'); c <= '9'; c++ {
			if ups1Z(body + string(c)) {
				return body + string(c)
			}
		}
	case CarrierFedEx:
		body := fmt.Sprintf("77%09d", serial%1000000000)
		for c := byte('0'); c <= '9'; c++ {
			if fedex12(body + string(c)) {
				return body + string(c)
			}
		}
	case CarrierUSPS:
		body := fmt.Sprintf("94001118992%010d", serial%10000000000)
		for c := byte('0'); c <= '9'; c++ {
			if mod10x3(body + string(c)) {
				return body + string(c)
			}
		}
	case CarrierDHL:
		body := 100000000 + serial%900000000
		return fmt.Sprintf("%09d%d", body, body%7)
	}
	return fmt.Sprintf("EZ%010d", serial%10000000000)
}

// CarrierKindOf is the tracking API kind a carrier's name says ("DHL
// Express" → dhl), or "" for a carrier Portolan has no client for.
func CarrierKindOf(name string) CarrierKind {
	low := " " + strings.ToLower(name) + " "
	for _, k := range []CarrierKind{CarrierDHL, CarrierFedEx, CarrierUSPS, CarrierUPS} {
		p, _ := k.Profile()
		if containsWord(low, strings.ToLower(p.Name)) {
			return k
		}
	}
	return ""
}
