package domain

import (
	"strings"
	"testing"
	"time"
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

func TestParseRateAndJumps(t *testing.T) {
	r, err := ParseRate("0.000123456789")
	if err != nil || RateText(r) != "0.000123456789" {
		t.Errorf("12 decimals: %v %v", r, err)
	}
	for _, bad := range []string{"9e18", "10000001", "0.0000009", "-1", "0", "NaN", "+1.2", "1.", "1.0000000000001", " "} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("%q read as a rate", bad)
		}
	}
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	rate := func(d int, v string) FXRate {
		r, _ := ParseRate(v)
		return FXRate{Day: day(d), Base: "EUR", Quote: "USD", Rate: r}
	}
	stored := []FXRate{rate(2, "1.08")}
	if j := FXJumps(stored, []FXRate{rate(3, "1.30"), rate(4, "1.31")}); len(j) != 0 {
		t.Errorf("20 %% then 1 %%: %v", j)
	}
	j := FXJumps(stored, []FXRate{rate(4, "0.80"), rate(3, "1.09")})
	if len(j) != 1 || RateText(j[0].Before.Rate) != "1.09" || RateText(j[0].New.Rate) != "0.8" {
		t.Errorf("a fall of 27 %% against the day before in the same file: %v", j)
	}
}
