package uikit

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

func AsError(err error, target **domain.Error) bool { return errors.As(err, target) }

// GroupThousands formats 1234567 as "1,234,567".
func GroupThousands(n int64) string { return domain.GroupThousands(n, 0) }

// FormatMoney shows an amount with grouped thousands and its currency code:
// "1,234.50 EUR", "98,000 JPY", "1.250 KWD".
func FormatMoney(m domain.Money) string {
	d := m.Decimal()
	whole, frac, hasFrac := strings.Cut(d, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return m.String()
	}
	out := GroupThousands(n)
	if strings.HasPrefix(whole, "-") && n == 0 {
		out = "-" + out
	}
	if hasFrac {
		out += "." + frac
	}
	return out + " " + string(m.Currency)
}
func Contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func QtyText(q domain.Quantity) string { return GroupThousands(int64(q)) }

func LocalAt(t time.Time, layout string) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(time.Local).Format(layout)
}
