package domain

import (
	"strings"
	"unicode"
)

// The amounts read from files (order exports, rate tables, carrier
// invoices) are written the ways spreadsheets and accounting systems write
// them, and only those:
//
//	1234.50   1,234.50   1.234,50   1 234,50   1'234.50   12,50 (a decimal comma)
//	€12.50   12.50 EUR   US$ 12.50   -12.50   (12.50) (a negative, as accountants write it)
//
// Groups of thousands have three digits; the currency, when written, is the
// row's (its code or a symbol); a sign comes first. Anything else (9e18,
// 0x10, 12abc34, 1,23,4) is refused, quoting the input as written.

// ParseAmount reads an amount of cur exactly (more decimals than cur has are an error).
func ParseAmount(s string, cur Currency) (Money, error) { return parseAmount(s, cur, ParseMoney) }

// ParseAmountRounded reads an amount of cur, rounding more decimals than
// cur has half away from zero (carriers invoice fractions of a cent).
func ParseAmountRounded(s string, cur Currency) (Money, error) {
	return parseAmount(s, cur, ParseMoneyRounded)
}

func parseAmount(s string, cur Currency, parse func(string, Currency) (Money, error)) (Money, error) {
	t, err := normalAmount(s, cur)
	if err != nil {
		return Money{}, err
	}
	m, err := parse(t, cur)
	if err != nil {
		return Money{}, Errorf(EINVALID, "amount %q: %v", s, err)
	}
	return m, nil
}

// normalAmount is s as ParseMoney reads it ("-1234.50"), or an error.
func normalAmount(s string, cur Currency) (string, error) {
	bad := Errorf(EINVALID, "%q is not an amount; write it like 1234.50, 1,234.50 or 1.234,50", s)
	t := strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		neg, t = true, strings.TrimSpace(t[1:len(t)-1])
	}
	// The currency, before or after the number.
	start := strings.IndexFunc(t, func(r rune) bool { return unicode.IsDigit(r) || r == '-' || r == '+' || r == '−' })
	if start < 0 {
		return "", bad
	}
	end := strings.LastIndexFunc(t, unicode.IsDigit)
	if !currencyMark(t[:start], cur) || !currencyMark(t[end+1:], cur) {
		return "", bad
	}
	t = t[start : end+1]
	switch {
	case strings.HasPrefix(t, "-"), strings.HasPrefix(t, "−"):
		if neg {
			return "", bad
		}
		neg = true
		t = strings.TrimPrefix(strings.TrimPrefix(t, "-"), "−")
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	}
	// Digits and separators only, starting and ending with a digit.
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
		case r == '.' || r == ',' || r == '\'' || r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u2009':
		default:
			return "", bad
		}
	}
	if t == "" || t[0] < '0' || t[0] > '9' {
		return "", bad
	}
	// The decimal separator: the last dot or comma when both are used; a
	// lone dot; a lone comma followed by no more digits than cur has
	// decimals. Every other separator groups thousands.
	dec := rune(0)
	dots, commas := strings.Count(t, "."), strings.Count(t, ",")
	switch {
	case dots > 0 && commas > 0:
		if strings.LastIndex(t, ",") > strings.LastIndex(t, ".") {
			dec = ','
		} else {
			dec = '.'
		}
	case dots == 1:
		dec = '.'
	case commas == 1:
		if d := len(t) - strings.Index(t, ",") - 1; d <= cur.Exponent() {
			dec = ','
		}
	}
	whole, frac := t, ""
	if dec != 0 {
		i := strings.LastIndex(t, string(dec))
		whole, frac = t[:i], t[i+1:]
		if frac == "" || strings.IndexFunc(frac, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			return "", bad
		}
	}
	// Groups of thousands: 1 to 3 digits, then threes, one kind of separator.
	groups := strings.FieldsFunc(whole, func(r rune) bool { return r < '0' || r > '9' })
	if len(groups) > 1 {
		var sep rune
		for _, r := range whole {
			if r < '0' || r > '9' {
				if sep != 0 && r != sep || r == dec {
					return "", bad
				}
				sep = r
			}
		}
		if len(groups[0]) > 3 {
			return "", bad
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return "", bad
			}
		}
	} else if len(groups) == 1 && len(groups[0]) != len(whole) {
		return "", bad // a separator with no digits on one side
	}
	out := strings.Join(groups, "")
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out, nil
}

// currencyMark says whether s (what stands before or after an amount) is
// nothing, or names a currency: cur's code, a currency symbol with at most
// three letters to it ("€", "US$", "R$"), or a sign written in letters
// ("kr", "zł", "Kč", "Ft").
func currencyMark(s string, cur Currency) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, string(cur)) {
		return true
	}
	symbols, letters := 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Sc, r):
			symbols++
		case unicode.IsLetter(r) || r == '.':
			letters++
		default:
			return false
		}
	}
	if symbols > 0 {
		return symbols == 1 && letters <= 3
	}
	switch strings.ToLower(s) {
	case "kr", "kr.", "zł", "kč", "ft", "lei", "fr.", "rs", "rs.", "rm", "rp", "r", "lv", "din", "dh", "kn":
		return true
	}
	return false
}
