package domain

import (
	"strings"
	"time"
	"unicode"
)

// Product is a stock-keeping unit.
type Product struct {
	ID                 int64
	SKU                string
	Name               string
	GTIN               string // barcode: EAN-13, UPC-A, GTIN-14, may be empty
	Weight             Grams
	Dimensions         Dimensions
	HSCode             string // Harmonized System code, 6–10 digits
	Origin             Country
	CustomsDescription string
	UnitValue          Money // declared value per unit for customs
	LotTracked         bool  // stock is kept per lot (with an expiry date where it has one)
}

// Validate checks the product's own fields.
func (p Product) Validate() error {
	if err := ValidateSKU(p.SKU); err != nil {
		return err
	}
	if strings.TrimSpace(p.Name) == "" {
		return Errorf(EINVALID, "product %s has no name", p.SKU)
	}
	if p.GTIN != "" && !validGTIN(p.GTIN) {
		return Errorf(EINVALID, "product %s: barcode %q is not a valid GTIN (8, 12, 13 or 14 digits with check digit)", p.SKU, p.GTIN)
	}
	if p.Weight < 0 {
		return Errorf(EINVALID, "product %s: weight must not be negative", p.SKU)
	}
	if err := p.Dimensions.Validate(); err != nil {
		return Errorf(EINVALID, "product %s: %s", p.SKU, err)
	}
	if p.HSCode != "" && !validHSCode(p.HSCode) {
		return Errorf(EINVALID, "product %s: HS code %q must be 6 to 10 digits", p.SKU, p.HSCode)
	}
	if p.Origin != "" && !p.Origin.Valid() {
		return Errorf(EINVALID, "product %s: origin %q is not an ISO 3166-1 alpha-2 code", p.SKU, string(p.Origin))
	}
	if p.UnitValue.Currency != "" && !p.UnitValue.Currency.Valid() {
		return Errorf(EINVALID, "product %s: unknown currency %q", p.SKU, string(p.UnitValue.Currency))
	}
	return nil
}

// ValidateSKU accepts 1–64 printable characters without spaces at either end.
func ValidateSKU(sku string) error {
	if sku == "" || len(sku) > 64 || strings.TrimSpace(sku) != sku {
		return Errorf(EINVALID, "SKU %q must be 1 to 64 characters without leading or trailing spaces", sku)
	}
	for _, r := range sku {
		if !unicode.IsPrint(r) {
			return Errorf(EINVALID, "SKU %q contains a non-printable character", sku)
		}
	}
	return nil
}

func validHSCode(s string) bool {
	if len(s) < 6 || len(s) > 10 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// validGTIN checks length and the GS1 mod-10 check digit.
func validGTIN(s string) bool {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return false
	}
	sum := 0
	for i := len(s) - 2; i >= 0; i-- {
		d := int(s[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if (len(s)-2-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	check := int(s[len(s)-1] - '0')
	return check >= 0 && check <= 9 && (10-sum%10)%10 == check
}

// GTINCheckDigit returns the GS1 check digit for the digits of a GTIN without it.
func GTINCheckDigit(body string) byte {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// Warehouse is a site that holds stock and ships parcels.
type Warehouse struct {
	ID       int64
	Code     string // short unique code such as "NL-VEN"
	Name     string
	Address  Address
	TimeZone string // IANA name, e.g. "Europe/Amsterdam"
}

// Validate checks code, name, address and time zone.
func (w Warehouse) Validate() error {
	if strings.TrimSpace(w.Code) == "" || len(w.Code) > 16 {
		return Errorf(EINVALID, "warehouse code must be 1 to 16 characters")
	}
	if strings.TrimSpace(w.Name) == "" {
		return Errorf(EINVALID, "warehouse %s has no name", w.Code)
	}
	if err := w.Address.Validate(); err != nil {
		return Errorf(EINVALID, "warehouse %s: %s", w.Code, err)
	}
	if _, err := time.LoadLocation(w.TimeZone); err != nil || w.TimeZone == "" {
		return Errorf(EINVALID, "warehouse %s: %q is not an IANA time zone", w.Code, w.TimeZone)
	}
	return nil
}

// Location is a bin in a warehouse, picked in PickSequence order.
type Location struct {
	ID           int64
	WarehouseID  int64
	Code         string // e.g. "A-03-02-1"
	Zone         string // e.g. "A", "BULK", "COLD"
	PickSequence int
}

// Validate checks the bin code and zone.
func (l Location) Validate() error {
	if strings.TrimSpace(l.Code) == "" {
		return Errorf(EINVALID, "bin code is empty")
	}
	if strings.TrimSpace(l.Zone) == "" {
		return Errorf(EINVALID, "bin %s has no zone", l.Code)
	}
	if l.PickSequence < 0 {
		return Errorf(EINVALID, "bin %s: pick sequence must not be negative", l.Code)
	}
	return nil
}

// ChannelKind is the technology a channel's orders come from.
type ChannelKind string

// Channel kinds.
const (
	ChannelShopify     ChannelKind = "shopify"
	ChannelWooCommerce ChannelKind = "woocommerce"
	ChannelBigCommerce ChannelKind = "bigcommerce"
	ChannelFile        ChannelKind = "file"
	ChannelManual      ChannelKind = "manual"
)

// ParseChannelKind rejects unknown kinds.
func ParseChannelKind(s string) (ChannelKind, error) {
	switch k := ChannelKind(strings.ToLower(strings.TrimSpace(s))); k {
	case ChannelShopify, ChannelWooCommerce, ChannelBigCommerce, ChannelFile, ChannelManual:
		return k, nil
	}
	return "", Errorf(EINVALID, "unknown channel kind %q (shopify, woocommerce, bigcommerce, file, manual)", s)
}

// Channel is a source of orders: a storefront, an ERP export, manual entry.
type Channel struct {
	ID      int64
	Code    string
	Name    string
	Kind    ChannelKind
	BaseURL string
	// ShipService is the carrier service the channel's orders go with when
	// an order names none that a shipping account quotes ("DHL Express
	// Worldwide"); "" none.
	ShipService string
	// PromiseDays is how many days after an order is placed its delivery
	// is promised (0: no promise): labels are bought to arrive by then.
	PromiseDays int
}

// Validate checks code, name and kind.
func (c Channel) Validate() error {
	if strings.TrimSpace(c.Code) == "" || len(c.Code) > 32 {
		return Errorf(EINVALID, "channel code must be 1 to 32 characters")
	}
	if strings.TrimSpace(c.Name) == "" {
		return Errorf(EINVALID, "channel %s has no name", c.Code)
	}
	if _, err := ParseChannelKind(string(c.Kind)); err != nil {
		return err
	}
	return nil
}
