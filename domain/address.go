package domain

import (
	"net/mail"
	"strings"
)

// Address is a postal address in any script. Lines are kept as entered.
type Address struct {
	Name       string
	Company    string
	Line1      string
	Line2      string
	City       string
	Region     string // state, province, prefecture
	PostalCode string
	Country    Country
	Phone      string
	Email      string
}

// Validate checks what every shipment needs: a name, a first line, a city and
// a valid country; an email, when present, must be an address.
func (a Address) Validate() error {
	var missing []string
	if strings.TrimSpace(a.Name) == "" && strings.TrimSpace(a.Company) == "" {
		missing = append(missing, "name")
	}
	if strings.TrimSpace(a.Line1) == "" {
		missing = append(missing, "address line 1")
	}
	if strings.TrimSpace(a.City) == "" {
		missing = append(missing, "city")
	}
	if len(missing) > 0 {
		return Errorf(EINVALID, "address is missing %s", strings.Join(missing, ", "))
	}
	if !a.Country.Valid() {
		return Errorf(EINVALID, "address country %q is not an ISO 3166-1 alpha-2 code", string(a.Country))
	}
	if a.Email != "" {
		if err := ValidateEmail(a.Email); err != nil {
			return err
		}
	}
	return nil
}

// Lines returns the address as printable lines, skipping empty parts.
func (a Address) Lines() []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	add(a.Name)
	add(a.Company)
	add(a.Line1)
	add(a.Line2)
	switch a.Country {
	case "US", "CA", "AU":
		// "Miami, FL 33181"
		cityLine := a.City
		if r := strings.TrimSpace(a.Region + " " + a.PostalCode); r != "" {
			cityLine += ", " + r
		}
		add(cityLine)
	case "GB", "IE":
		add(a.City)
		add(a.Region)
		add(a.PostalCode)
	default:
		add(strings.TrimSpace(a.PostalCode + " " + a.City))
		add(a.Region)
	}
	if a.Country.Valid() {
		add(a.Country.Name())
	}
	return out
}

// ValidateEmail accepts a bare address such as "yui@example.jp".
func ValidateEmail(s string) error {
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s {
		return Errorf(EINVALID, "%q is not an email address", s)
	}
	return nil
}

// FieldShipTo is the ship-to address as a whole: a carrier's refusal that
// speaks of it without naming a field (AddressField).
const FieldShipTo ImportField = "ship_to"

// AddressField reads a carrier's refusal of a shipment for the field of
// the ship-to address it names — in the words the carriers use ("zip:
// invalid for the state", "RECIPIENTS.ADDRESSPOSTALCODE.INVALID",
// "#/customerDetails/receiverDetails/postalAddress/cityName", "Missing or
// invalid ship to phone number") — FieldAddress when it speaks of the
// address without naming a field, and "" when it is not about the ship-to
// address (the shipper's, customs, the account, the service).
func AddressField(message string) ImportField {
	// MyDHL's paths pass through postalAddress on the way to the field.
	m := strings.ReplaceAll(strings.ToLower(message), "postaladdress", "")
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(m, w) {
				return true
			}
		}
		return false
	}
	if has("shipper", "from_address", "fromaddress", "origin", "manufacturer", "customs", "credential", "account number") {
		return ""
	}
	switch {
	case has("phone"):
		return FieldPhone
	case has("zip", "postal", "postcode"):
		return FieldPostalCode
	case has("cityname", "city"):
		return FieldCity
	case has("state", "province", "region"):
		return FieldRegion
	case has("countrycode", "country"):
		return FieldCountry
	case has("street", "addressline", "address line", "address1"):
		return FieldAddress1
	case has("address", "recipient", "receiver", "ship to", "ship-to"):
		return FieldShipTo
	}
	return ""
}
