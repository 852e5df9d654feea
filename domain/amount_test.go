package domain

import (
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	for _, c := range []struct {
		in   string
		cur  Currency
		want int64
	}{
		{"1234.50", "EUR", 123450}, {"1,234.50", "EUR", 123450}, {"1.234,50", "EUR", 123450},
		{"1 234,50", "EUR", 123450}, {"1\u00a0234,50", "EUR", 123450}, {"1'234.50", "CHF", 123450},
		{"12,50", "EUR", 1250}, {"9,800", "JPY", 9800}, {"1,234", "EUR", 123400}, {"2,500", "KWD", 2500},
		{"€12.50", "EUR", 1250}, {"12.50 EUR", "EUR", 1250}, {"US$ 12.50", "USD", 1250}, {"¥9800", "JPY", 9800},
		{"1 234,50 kr", "SEK", 123450}, {"-12.50", "EUR", -1250}, {"−12.50", "EUR", -1250}, {"(12.50)", "EUR", -1250},
		{"+3", "GBP", 300}, {"0.10", "EUR", 10}, {"1,234,567.89", "USD", 123456789},
	} {
		m, err := ParseAmount(c.in, c.cur)
		if err != nil || m.Amount != c.want || m.Currency != c.cur {
			t.Errorf("%q %s: %v %v, want %d", c.in, c.cur, m, err, c.want)
		}
	}
	for _, in := range []string{"9e18", "1e3", "12abc34", "0x10", "1,23,4", "12..5", "1.2.3,4", "abc12", "12 EURO", "--5", "(-5)",
		"1,2345.00", "12,", ".", "", "NaN", "Inf", "12 USD 13", "1_000", "12.5.", "1 234.567,00"} {
		if m, err := ParseAmount(in, "EUR"); err == nil {
			t.Errorf("%q read as %v", in, m)
		} else if in != "" && !strings.Contains(err.Error(), in) {
			t.Errorf("%q: the error does not quote the input: %v", in, err)
		}
	}
	if m, err := ParseAmountRounded("12.3456", "USD"); err != nil || m.Amount != 1235 {
		t.Errorf("rounded: %v %v", m, err)
	}
	if _, err := ParseAmount("12.345", "EUR"); err == nil {
		t.Error("more decimals than EUR has")
	}
}
