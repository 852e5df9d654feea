package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Box is a carton or mailer the packing station packs into.
type Box struct {
	Code       string
	Name       string
	Dimensions Dimensions
	Tare       Grams
}

// ParcelLine is so many of an order line in a parcel.
type ParcelLine struct {
	LineNo    int
	SKU       string
	Name      string
	Qty       Quantity
	UnitPrice Money
	// For customs papers, from the product.
	HSCode      string
	Origin      Country
	Description string // customs description
	UnitWeight  Grams
}

// PackedParcel is what one warehouse ships of an order in one box.
type PackedParcel struct {
	ID        int64
	OrderID   int64
	Number    string // the order's number
	Seq, Of   int    // parcel n of m of the order
	Warehouse Warehouse
	Box       Box
	Weight    Grams
	Tracking  string
	Carrier   string
	Service   string
	ShipTo    Address
	Currency  Currency
	Lines     []ParcelLine
	PackedAt  time.Time
	Shipped   bool // handed to the carrier
	// CarrierScan is the first scan by the carrier of the parcel's bought
	// label (zero: none yet): the carrier has it, and it is to be handed
	// over (the poller does so where the person polling may dispatch).
	CarrierScan time.Time
	// ChannelService is the service the order's channel ships with when
	// the order names none (Channel.ShipService).
	ChannelService string
	// PromisedBy is the day delivery was promised by (the order's placing
	// plus its channel's PromiseDays); zero: no promise.
	PromisedBy time.Time
}

// Value is what the parcel's contents are worth (for customs).
func (p PackedParcel) Value() (Money, error) {
	sum := NewMoney(0, p.Currency)
	for _, l := range p.Lines {
		v, err := l.UnitPrice.Mul(l.Qty)
		if err != nil {
			return sum, err
		}
		if sum, err = sum.Add(v); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// NetWeight adds up the contents' weights.
func (p PackedParcel) NetWeight() Grams {
	var g Grams
	for _, l := range p.Lines {
		g += l.UnitWeight * Grams(l.Qty)
	}
	return g
}

// NeedsCustoms reports whether the parcel leaves its origin's customs
// territory (international, or e.g. EU ↔ GB).
func (p PackedParcel) NeedsCustoms() bool {
	return CustomsArea(p.Warehouse.Address.Country) != CustomsArea(p.ShipTo.Country)
}

// Declared is what a carrier's customs declaration starts from: whether the
// parcel crosses a customs border and, when it does, its contents' value,
// once its declaration has passed the pre-flight (CheckDeclarable).
func (p PackedParcel) Declared() (value Money, customs bool, err error) {
	if !p.NeedsCustoms() {
		return Money{}, false, nil
	}
	if err := CheckDeclarable(p); err != nil {
		return Money{}, true, err
	}
	value, err = p.Value()
	return value, true, err
}

// PreflightProblem is what stops a parcel's documents from printing.
type PreflightProblem struct {
	ParcelID int64
	OrderID  int64
	Number   string
	SKU      string // for a line's problem
	Field    string
	Message  string
}

func (p PreflightProblem) String() string {
	return fmt.Sprintf("order %s (parcel %d), %s: %s", p.Number, p.ParcelID, p.Field, p.Message)
}

// phoneRequired are destinations whose carriers want the recipient's phone
// on international parcels.
var phoneRequired = map[Country]bool{"US": true, "CA": true, "JP": true, "KR": true, "CN": true, "AE": true, "SA": true, "KW": true, "BR": true, "MX": true, "AU": true}

// Preflight checks a parcel before its documents print: a tracking number;
// for customs, every line's HS code (6–10 digits), origin and value, weights
// that add up, and the recipient's phone where the carrier requires it.
func Preflight(p PackedParcel) []PreflightProblem {
	var out []PreflightProblem
	sku := ""
	add := func(field, format string, args ...any) {
		out = append(out, PreflightProblem{ParcelID: p.ID, OrderID: p.OrderID, Number: p.Number, SKU: sku, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(p.Tracking) == "" {
		add("tracking", "no tracking number yet: enter or import it")
	}
	if p.Weight <= 0 {
		add("weight", "the parcel has no weight")
	}
	if !p.NeedsCustoms() {
		return out
	}
	for _, l := range p.Lines {
		sku = l.SKU
		hs := strings.ReplaceAll(strings.ReplaceAll(l.HSCode, ".", ""), " ", "")
		if len(hs) < 6 || len(hs) > 10 || strings.IndexFunc(hs, func(r rune) bool { return !unicode.IsDigit(r) }) >= 0 {
			add("HS code", "%s has no HS code of 6–10 digits (%q)", l.SKU, l.HSCode)
		}
		if !l.Origin.Valid() {
			add("origin", "%s has no country of origin", l.SKU)
		}
		if l.UnitPrice.Amount <= 0 {
			add("value", "%s is declared at no value", l.SKU)
		}
		if l.UnitWeight <= 0 {
			add("weight", "%s has no weight", l.SKU)
		}
	}
	sku = ""
	if net := p.NetWeight(); net > 0 && p.Weight > 0 && net > p.Weight {
		add("weight", "the contents weigh %d g but the parcel %d g", net, p.Weight)
	}
	if phoneRequired[p.ShipTo.Country] && strings.TrimSpace(p.ShipTo.Phone) == "" {
		add("phone", "carriers to %s need the recipient's phone number", p.ShipTo.Country)
	}
	return out
}

// Manifest is a carrier's list of the parcels handed to it on one day.
type Manifest struct {
	ID        int64
	Warehouse Warehouse
	Carrier   string
	Day       string // YYYY-MM-DD
	CreatedAt time.Time
	Parcels   []PackedParcel
}

// ManifestSummary is a manifest in a list.
type ManifestSummary struct {
	ID        int64
	Warehouse string
	Carrier   string
	Day       string
	CreatedAt time.Time
	Parcels   int
	Weight    Grams
}

// PrintRecord is one printed document in the reprint log.
type PrintRecord struct {
	At       time.Time
	Who      string
	Document string
	Ref      string
	Bytes    int
}

// ShippingSettings are what customs papers and slips print besides the
// parcel: the Incoterm (DAP or DDP), the sender's EORI and IOSS numbers,
// and whether packing slips show prices.
type ShippingSettings struct {
	Incoterm string `json:"incoterm"`
	EORI     string `json:"eori"`
	IOSS     string `json:"ioss"`
	Prices   bool   `json:"prices"`
	// DocPaper is the paper customs papers and packing slips print on
	// ("A4" or "Letter"; "" is A4).
	DocPaper string `json:"doc_paper,omitempty"`
	// Carriers names the carrier of a storefront's shipping service, for
	// services whose name does not say it ("Flat rate" → "DPD").
	Carriers map[string]string `json:"carriers,omitempty"`
	// LatinCarriers are the carriers that require the recipient's address
	// in Latin script on international labels.
	LatinCarriers []string `json:"latin_carriers"`
}

// DefaultLatinCarriers are the carriers known to need a Latin-script
// address on international labels.
var DefaultLatinCarriers = []string{"DHL", "UPS", "FedEx", "USPS", "DPD", "GLS", "TNT", "Aramex"}

// knownCarriers are carrier names a shipping service's name may contain.
var knownCarriers = []string{"DHL", "UPS", "FedEx", "USPS", "DPD", "GLS", "TNT", "Aramex", "EMS", "Royal Mail", "Parcelforce",
	"Japan Post", "Yamato", "Sagawa", "SF Express", "Canada Post", "Purolator", "Australia Post", "PostNL", "La Poste", "Colissimo",
	"Chronopost", "Correos", "Poste Italiane", "Deutsche Post", "Hermes", "Evri", "OnTrac", "Korea Post", "CJ Logistics"}

// KnownCarriers are the carrier names Portolan recognises in services.
func KnownCarriers() []string { return append([]string(nil), knownCarriers...) }

// CarrierFor is the carrier of a shipping service: as the settings name
// it, else the carrier the service's name contains ("DHL Express" → DHL),
// else "".
func (s ShippingSettings) CarrierFor(service string) string {
	service = strings.TrimSpace(service)
	for k, v := range s.Carriers {
		if strings.EqualFold(strings.TrimSpace(k), service) {
			return v
		}
	}
	low := strings.ToLower(service)
	best := ""
	for _, c := range knownCarriers {
		// The longest name wins: "SF Express" over "EMS"-like fragments.
		if containsWord(low, strings.ToLower(c)) && len(c) > len(best) {
			best = c
		}
	}
	return best
}

// containsWord reports whether w occurs in s between non-letters.
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		a, b := i+j, i+j+len(w)
		before := a == 0 || !unicode.IsLetter(rune(s[a-1]))
		after := b == len(s) || !unicode.IsLetter(rune(s[b]))
		if before && after {
			return true
		}
		i = a + 1
	}
}

// NeedsLatin reports whether a parcel's label needs a warning: it is
// international, its carrier requires Latin script (an unknown carrier is
// assumed to) and the recipient's address is not all Latin.
func (s ShippingSettings) NeedsLatin(p PackedParcel) bool {
	if !p.NeedsCustoms() || Latin(strings.Join(p.ShipTo.Lines(), " ")) {
		return false
	}
	if strings.TrimSpace(p.Carrier) == "" {
		return true
	}
	for _, c := range s.LatinCarriers {
		if strings.EqualFold(strings.TrimSpace(c), strings.TrimSpace(p.Carrier)) {
			return true
		}
	}
	return false
}

// Latin reports whether every letter of s is in Latin script.
func Latin(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

// TrackingRow is one row of a tracking-number file: a parcel (by its number,
// or by the order's number when the order has one parcel), its tracking
// number and carrier.
type TrackingRow struct {
	Row      int
	Parcel   int64
	Order    string
	Tracking string
	Carrier  string
}

var trackingHeaders = map[string][]string{
	"parcel":   {"parcel", "parcelid", "parcelnumber", "package"},
	"order":    {"order", "ordernumber", "orderno", "reference", "name"},
	"tracking": {"tracking", "trackingnumber", "trackingno", "awb", "waybill", "consignment"},
	"carrier":  {"carrier", "courier", "shipper"},
}

// ParseTracking reads a tracking-number file.
func ParseTracking(headers []string, rows [][]string) ([]TrackingRow, []RowProblem, error) {
	col, err := matchColumns(headers, trackingHeaders, "tracking")
	if err != nil {
		return nil, nil, err
	}
	_, hasParcel := col["parcel"]
	_, hasOrder := col["order"]
	if !hasParcel && !hasOrder {
		return nil, nil, Errorf(EINVALID, "the file needs a parcel or an order column (headers found: %s)", strings.Join(headers, ", "))
	}
	var out []TrackingRow
	var problems []RowProblem
	for i, r := range rows {
		get := func(f string) string { return col.cell(r, f) }
		t := TrackingRow{Row: i + 2, Order: get("order"), Tracking: get("tracking"), Carrier: get("carrier")}
		if t.Tracking == "" && t.Order == "" && get("parcel") == "" {
			continue
		}
		if p := get("parcel"); p != "" {
			n, err := parseWhole(p)
			if err != nil || n <= 0 {
				problems = append(problems, RowProblem{RowNumber: t.Row, Column: "parcel", Message: fmt.Sprintf("%q is not a parcel number", p)})
				continue
			}
			t.Parcel = n
		}
		if t.Tracking == "" {
			problems = append(problems, RowProblem{RowNumber: t.Row, Column: "tracking", Message: "no tracking number"})
			continue
		}
		out = append(out, t)
	}
	return out, problems, nil
}
