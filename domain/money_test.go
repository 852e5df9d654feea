package domain_test

import (
	"errors"
	"math"
	"testing"

	"github.com/portolan/portolan/domain"
)

func TestCurrencyExponents(t *testing.T) {
	tests := []struct {
		code string
		exp  int
	}{
		{"JPY", 0}, {"KRW", 0}, {"USD", 2}, {"EUR", 2}, {"KWD", 3}, {"BHD", 3}, {"eur", 2}, {" gbp ", 2},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			c, err := domain.ParseCurrency(tt.code)
			if err != nil {
				t.Fatal(err)
			}
			if c.Exponent() != tt.exp {
				t.Errorf("%s exponent = %d, want %d", c, c.Exponent(), tt.exp)
			}
		})
	}
	for _, bad := range []string{"", "EU", "EURO", "XYZ", "123"} {
		if _, err := domain.ParseCurrency(bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseCurrency(%q) error = %v, want invalid", bad, err)
		}
	}
}

func TestParseMoneyAndDecimal(t *testing.T) {
	tests := []struct {
		in    string
		cur   string
		minor int64
		out   string
	}{
		{"1234.50", "EUR", 123450, "1234.50"},
		{"1234.5", "EUR", 123450, "1234.50"},
		{"0.01", "USD", 1, "0.01"},
		{"-3", "USD", -300, "-3.00"},
		{"-0.05", "USD", -5, "-0.05"},
		{"9800", "JPY", 9800, "9800"},
		{"9800.00", "JPY", 9800, "9800"},
		{"1.250", "KWD", 1250, "1.250"},
		{"0.001", "BHD", 1, "0.001"},
		{"+7", "KRW", 7, "7"},
		{".5", "EUR", 50, "0.50"},
		{"10000000000000.00", "EUR", 1_000_000_000_000_000, "10000000000000.00"}, // the largest amount taken
	}
	for _, tt := range tests {
		t.Run(tt.in+" "+tt.cur, func(t *testing.T) {
			m, err := domain.ParseMoney(tt.in, domain.MustCurrency(tt.cur))
			if err != nil {
				t.Fatal(err)
			}
			if m.Amount != tt.minor {
				t.Errorf("amount = %d, want %d", m.Amount, tt.minor)
			}
			if got := m.Decimal(); got != tt.out {
				t.Errorf("Decimal() = %q, want %q", got, tt.out)
			}
		})
	}
	bad := []struct{ in, cur string }{
		{"92233720368547758.07", "EUR"}, {"10000000000000.01", "EUR"}, {"10000000000001", "JPY"},
		{"12.345", "EUR"}, {"1.5", "JPY"}, {"1.2345", "KWD"}, {"abc", "EUR"}, {"", "EUR"}, {"1,000", "EUR"},
		{"1e3", "EUR"}, {"92233720368547758.08", "EUR"}, {".", "EUR"}, {"-", "EUR"}, {"1.00", "XXX"},
	}
	for _, tt := range bad {
		if m, err := domain.ParseMoney(tt.in, domain.Currency(tt.cur)); err == nil {
			t.Errorf("ParseMoney(%q, %s) = %v, want error", tt.in, tt.cur, m)
		}
	}
}

func TestMoneyArithmetic(t *testing.T) {
	eur := func(v int64) domain.Money { return domain.NewMoney(v, "EUR") }
	sum, err := eur(1050).Add(eur(250))
	if err != nil || sum != eur(1300) {
		t.Fatalf("Add = %v, %v", sum, err)
	}
	diff, err := eur(1050).Sub(eur(2000))
	if err != nil || diff != eur(-950) {
		t.Fatalf("Sub = %v, %v", diff, err)
	}
	if _, err := eur(1).Add(domain.NewMoney(1, "USD")); !errors.Is(err, domain.ErrCurrencyMismatch) {
		t.Errorf("EUR+USD error = %v, want ErrCurrencyMismatch", err)
	}
	if _, err := eur(1).Sub(domain.NewMoney(1, "JPY")); !errors.Is(err, domain.ErrCurrencyMismatch) {
		t.Errorf("EUR-JPY error = %v, want ErrCurrencyMismatch", err)
	}
	if _, err := eur(math.MaxInt64).Add(eur(1)); err == nil {
		t.Error("overflow not refused")
	}
	if _, err := eur(math.MinInt64).Sub(eur(1)); err == nil {
		t.Error("negative overflow not refused")
	}
	p, err := eur(1999).Mul(3)
	if err != nil || p != eur(5997) {
		t.Errorf("Mul = %v, %v", p, err)
	}
	if _, err := eur(math.MaxInt64 / 2).Mul(3); err == nil {
		t.Error("Mul overflow not refused")
	}
	if s := domain.NewMoney(9800, "JPY").String(); s != "9800 JPY" {
		t.Errorf("String = %q", s)
	}
	if s := domain.NewMoney(math.MinInt64, "USD").Decimal(); s != "-92233720368547758.08" {
		t.Errorf("MinInt64 Decimal = %q", s)
	}
}

func TestGramsString(t *testing.T) {
	for g, want := range map[domain.Grams]string{850: "850 g", 1250: "1.250 kg", 0: "0 g", -2500: "-2.500 kg"} {
		if got := g.String(); got != want {
			t.Errorf("%d g = %q, want %q", int64(g), got, want)
		}
	}
}

func TestParseMoneyRounded(t *testing.T) {
	tests := []struct {
		in    string
		cur   string
		minor int64
	}{
		{"62.6793", "EUR", 6268}, {"62.6750", "EUR", 6268}, {"62.6749", "EUR", 6267}, {"0.0000", "USD", 0},
		{"-1.0050", "USD", -101}, {"9800.0000", "JPY", 9800}, {"9800.5000", "JPY", 9801}, {"1.2345", "KWD", 1235},
		{"12.5", "EUR", 1250}, {"-0.5000", "JPY", -1}, {"-0.0040", "EUR", 0},
	}
	for _, tt := range tests {
		m, err := domain.ParseMoneyRounded(tt.in, domain.MustCurrency(tt.cur))
		if err != nil || m.Amount != tt.minor {
			t.Errorf("ParseMoneyRounded(%q, %s) = %v, %v; want %d", tt.in, tt.cur, m, err, tt.minor)
		}
	}
	if _, err := domain.ParseMoneyRounded("1.23x4", "EUR"); err == nil {
		t.Error("garbage accepted")
	}
}
