package track

import (
	"testing"

	"github.com/portolan/portolan/domain"
)

func TestRefusedSaysTheCarriersWordsOrTheStatus(t *testing.T) {
	for _, c := range []struct {
		msg     string
		details []string
		want    string
	}{
		{"Invalid postal code", []string{" 9021 is not a ZIP Code ", ""}, "UPS refused the rates: Invalid postal code (9021 is not a ZIP Code)"},
		{"  ", nil, "UPS refused the rates: HTTP 422"},
		{"", []string{"a", "b"}, "UPS refused the rates: HTTP 422 (a; b)"},
	} {
		err := Refused("UPS", "the rates", 422, c.msg, c.details...)
		if err.Error() != c.want || domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Refused(%q, %q) = %q (%s), want %q", c.msg, c.details, err, domain.ErrorCode(err), c.want)
		}
	}
	if got := Truncate("Ελληνικά", 3); got != "Ελλ" {
		t.Errorf("Truncate cut %q, want whole characters", got)
	}
}
