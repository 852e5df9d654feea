package ui

import (
	"errors"
	"strconv"
	"strings"

	"github.com/portolan/portolan/domain"
)

func asError(err error, target **domain.Error) bool { return errors.As(err, target) }

// groupThousands formats 1234567 as "1,234,567".
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatMoney shows an amount with grouped thousands and its currency code:
// "1,234.50 EUR", "98,000 JPY", "1.250 KWD".
func formatMoney(m domain.Money) string {
	d := m.Decimal()
	whole, frac, hasFrac := strings.Cut(d, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return m.String()
	}
	out := groupThousands(n)
	if strings.HasPrefix(whole, "-") && n == 0 {
		out = "-" + out
	}
	if hasFrac {
		out += "." + frac
	}
	return out + " " + string(m.Currency)
}
