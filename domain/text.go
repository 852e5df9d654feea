package domain

import (
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"
)

// Text from outside (storefronts, files) is bounded: a field holds at most
// its length in characters, and no control characters (line breaks only in
// notes). A longer or stranger value is a mistake or an attack, and its
// order is quarantined with the reason.
const (
	MaxNameLength  = 200  // a name, company, address line, city, region
	MaxShortLength = 64   // an order number, postal code, phone number
	MaxNotesLength = 5000 // notes and gift messages
)

// CheckText refuses a value longer than max characters or holding control
// characters (line breaks and tabs only where multiline); field names it.
func CheckText(field, value string, max int, multiline bool) error {
	if n := utf8.RuneCountInString(value); n > max {
		return Errorf(EINVALID, "%s is %d characters long; at most %d are taken", field, n, max)
	}
	if !utf8.ValidString(value) {
		return Errorf(EINVALID, "%s is not valid UTF-8 text", field)
	}
	for _, r := range value {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return Errorf(EINVALID, "%s holds a control character (%U)", field, r)
		}
	}
	return nil
}

// Orders are placed between EarliestOrder and LatestOrder: a date outside
// is a mistake (a spreadsheet's 1899-12-30, a placeholder 9999-12-31).
var (
	EarliestOrder = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	LatestOrder   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// checkPlaced refuses a placed-at time outside the plausible range.
func checkPlaced(ref string, t time.Time) error {
	if t.Before(EarliestOrder) || !t.Before(LatestOrder) {
		return Errorf(EINVALID, "order %s: placed on %s, which cannot be right (orders are placed from %d to %d)", ref,
			t.UTC().Format(time.DateOnly), EarliestOrder.Year(), LatestOrder.Year()-1)
	}
	return nil
}

// checkOrderText bounds every text field of an order.
func checkOrderText(o Order) error {
	a := o.ShipTo
	for _, f := range []struct {
		name, value string
		max         int
		multiline   bool
	}{
		{"the order number", o.Number, MaxShortLength, false}, {"the external id", o.ExternalID, MaxShortLength, false},
		{"the customer's email", o.CustomerEmail, 254, false}, {"the notes", o.Notes, MaxNotesLength, true},
		{"the name", a.Name, MaxNameLength, false}, {"the company", a.Company, MaxNameLength, false},
		{"address line 1", a.Line1, MaxNameLength, false}, {"address line 2", a.Line2, MaxNameLength, false},
		{"the city", a.City, MaxNameLength, false}, {"the region", a.Region, MaxNameLength, false},
		{"the postal code", a.PostalCode, MaxShortLength, false}, {"the phone number", a.Phone, MaxShortLength, false},
		{"the email", a.Email, 254, false}, {"the shipping service", o.Service, MaxNameLength, false},
	} {
		if err := CheckText(f.name, f.value, f.max, f.multiline); err != nil {
			return fmt.Errorf("order %s: %w", o.Number, err)
		}
	}
	for i, l := range o.Lines {
		if err := CheckText("the product name", l.Name, MaxNameLength, false); err != nil {
			return fmt.Errorf("order %s line %d: %w", o.Number, i+1, err)
		}
	}
	return nil
}

// Age is how old something is, as a person says it: "3 days", "5 hours",
// "12 minutes".
func Age(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	default:
		return fmt.Sprintf("%d minutes", max(0, int(d/time.Minute)))
	}
}
