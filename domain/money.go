package domain

import (
	"fmt"
	"math"
	"math/bits"
	"strings"
)

// Money is an amount in integer minor units of one currency: EUR 12.50 is
// {1250, "EUR"}, JPY 9800 is {9800, "JPY"}, KWD 1.250 is {1250, "KWD"}.
// It never uses floating point.
type Money struct {
	Amount   int64 // minor units
	Currency Currency
}

// NewMoney returns minor units of c.
func NewMoney(minor int64, c Currency) Money { return Money{Amount: minor, Currency: c} }

// ParseMoney parses a decimal string in major units ("1234.50", "-3", "9800")
// exactly. More decimals than the currency has are an error, never rounded.
func ParseMoney(s string, c Currency) (Money, error) {
	if !c.Valid() {
		return Money{}, Errorf(EINVALID, "%q is not an ISO 4217 currency code", string(c))
	}
	t := strings.TrimSpace(s)
	neg := false
	switch {
	case strings.HasPrefix(t, "-"):
		neg, t = true, t[1:]
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	}
	whole, frac, hasDot := strings.Cut(t, ".")
	exp := c.Exponent()
	if whole == "" && frac == "" || hasDot && frac == "" && whole == "" {
		return Money{}, Errorf(EINVALID, "%q is not an amount", s)
	}
	if len(frac) > exp {
		// allow trailing zeros beyond the exponent ("12.500" EUR, "9800.00" JPY)
		extra := frac[exp:]
		if strings.Trim(extra, "0") != "" {
			return Money{}, Errorf(EINVALID, "%q has more decimals than %s allows (%d)", s, c, exp)
		}
		frac = frac[:exp]
	}
	frac += strings.Repeat("0", exp-len(frac))
	var v uint64
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return Money{}, Errorf(EINVALID, "%q is not an amount", s)
		}
		hi, lo := bits.Mul64(v, 10)
		if hi != 0 {
			return Money{}, Errorf(EINVALID, "%q is too large", s)
		}
		lo, carry := bits.Add64(lo, uint64(r-'0'), 0)
		if carry != 0 || lo > math.MaxInt64 {
			return Money{}, Errorf(EINVALID, "%q is too large", s)
		}
		v = lo
	}
	a := int64(v)
	if a > c.MaxMinor() {
		return Money{}, Errorf(EINVALID, "%q is more than the largest amount Portolan takes (%s)", s, NewMoney(c.MaxMinor(), c))
	}
	if neg {
		a = -a
	}
	return Money{Amount: a, Currency: c}, nil
}

// MaxMajor is the largest amount Portolan takes, in major units of any
// currency: ten trillion (10¹³). Larger is a mistake, and a line of up to
// MaxQuantity units at such a price still sums without overflowing.
const MaxMajor = 10_000_000_000_000

// MaxMinor is MaxMajor in c's minor units (10¹⁵ cents, 10¹³ yen, 10¹⁶ fils).
func (c Currency) MaxMinor() int64 {
	m := int64(MaxMajor)
	for range c.Exponent() {
		m *= 10
	}
	return m
}

// Add returns m+o; it refuses different currencies and overflow.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("add %s to %s: %w", o.Currency, m.Currency, ErrCurrencyMismatch)
	}
	s := m.Amount + o.Amount
	if (s > m.Amount) != (o.Amount > 0) {
		return Money{}, Errorf(EINVALID, "%s + %s is beyond the amounts Portolan can add up", m, o)
	}
	return Money{Amount: s, Currency: m.Currency}, nil
}

// Sub returns m-o; it refuses different currencies and overflow.
func (m Money) Sub(o Money) (Money, error) {
	if o.Amount == math.MinInt64 {
		return Money{}, Errorf(EINVALID, "%s − %s is beyond the amounts Portolan can add up", m, o)
	}
	return m.Add(Money{Amount: -o.Amount, Currency: o.Currency})
}

// Mul returns m×q (a unit price times a quantity); it refuses overflow.
func (m Money) Mul(q Quantity) (Money, error) {
	p := m.Amount * int64(q)
	if q != 0 && (p/int64(q) != m.Amount || (m.Amount == -1 && int64(q) == math.MinInt64)) {
		return Money{}, Errorf(EINVALID, "%s × %d is beyond the amounts Portolan can multiply", m, q)
	}
	return Money{Amount: p, Currency: m.Currency}, nil
}

// IsZero reports whether the amount is zero.
func (m Money) IsZero() bool { return m.Amount == 0 }

// Decimal formats the amount in major units with exactly the currency's
// decimals and no grouping: "1234.50", "9800" (JPY), "1.250" (KWD).
func (m Money) Decimal() string {
	exp := m.Currency.Exponent()
	a := m.Amount
	sign := ""
	var u uint64
	if a < 0 {
		sign = "-"
		u = uint64(-(a + 1)) + 1
	} else {
		u = uint64(a)
	}
	if exp == 0 {
		return fmt.Sprintf("%s%d", sign, u)
	}
	p := uint64(1)
	for range exp {
		p *= 10
	}
	return fmt.Sprintf("%s%d.%0*d", sign, u/p, exp, u%p)
}

// String is the amount followed by the currency code: "1234.50 EUR".
func (m Money) String() string { return m.Decimal() + " " + string(m.Currency) }

// Grouped is the amount with its thousands grouped, without the currency:
// "43,900.00", "1,250" for JPY.
func (m Money) Grouped() string { return GroupThousands(m.Amount, m.Currency.Exponent()) }

// ParseMoneyRounded is ParseMoney for sources that send more decimals than the
// currency has (BigCommerce sends four): it rounds half away from zero to the
// currency's minor unit.
func ParseMoneyRounded(s string, c Currency) (Money, error) {
	if !c.Valid() {
		return Money{}, Errorf(EINVALID, "%q is not an ISO 4217 currency code", string(c))
	}
	t := strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(t, ".")
	exp := c.Exponent()
	if len(frac) <= exp {
		return ParseMoney(t, c)
	}
	for _, r := range frac {
		if r < '0' || r > '9' {
			return Money{}, Errorf(EINVALID, "%q is not an amount", s)
		}
	}
	up := frac[exp] >= '5'
	m, err := ParseMoney(whole+"."+frac[:exp], c)
	if err != nil || !up {
		return m, err
	}
	step := NewMoney(1, c)
	if strings.HasPrefix(whole, "-") {
		return m.Sub(step)
	}
	return m.Add(step)
}
