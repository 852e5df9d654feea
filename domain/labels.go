package domain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RateQuote is what one carrier account asks to carry one packed parcel
// with one of its services.
type RateQuote struct {
	Carrier     string // as the account names it: "USPS", "DHL Express"
	Service     string // the carrier's service name
	Price       Money
	TransitDays int       // 0: the carrier did not say
	DeliveryBy  time.Time // zero: the carrier did not say
	Guaranteed  bool
	// ShipmentRef is the carrier's shipment the quote belongs to (EasyPost:
	// "shp_…"); buying the quote buys that shipment. RateRef is the
	// carrier's id of this rate.
	ShipmentRef, RateRef string
}

// RateProblem is a carrier's reason for not quoting a service (a route it
// does not serve, an address it rejects), in its own words.
type RateProblem struct {
	Carrier, Message string
}

// Label is a carrier label bought for a parcel.
type Label struct {
	ShipmentRef string
	Carrier     string
	Service     string
	Tracking    string
	Cost        Money  // what the account is charged (the expected carrier cost)
	Format      string // "PNG", "PDF", "ZPL", "GIF", "EPL2"
	URL         string // where the carrier serves the label image
	// Refund is the carrier's answer to a void: "submitted", "refunded",
	// "rejected", RefundNotBilled, or "" before any.
	Refund string
	// File is the label file itself, once fetched from URL.
	File []byte
}

// IsZPL says whether the label is ZPL, made for a thermal printer (an
// account set to ZPL): it prints on one and nowhere else.
func (l Label) IsZPL() bool {
	return l.Format == "ZPL" || FileFormat(l.File) == "ZPL"
}

// FileFormat names a label file's format by its first bytes: "PNG", "GIF",
// "JPG", "PDF" or "ZPL"; "" when it is none of them.
func FileFormat(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG")):
		return "PNG"
	case bytes.HasPrefix(b, []byte("GIF8")):
		return "GIF"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "JPG"
	case bytes.HasPrefix(b, []byte("%PDF")):
		return "PDF"
	case bytes.Contains(b[:min(len(b), 256)], []byte("^XA")):
		return "ZPL"
	}
	return ""
}

// RefundNotBilled is a void that needs no refund: the carrier bills a
// label only once it scans the parcel (DHL Express).
const RefundNotBilled = "not-billed"

// VoidNote says what became of a voided label's cost.
func (l Label) VoidNote() string {
	if l.Refund == RefundNotBilled {
		return l.Carrier + " bills a label only once it scans the parcel: destroy the label, and it costs nothing"
	}
	return "the carrier's refund: " + l.Refund
}

// LabelSeller is a carrier shipping account: it quotes a parcel, sells
// its label, says whether a shipment was bought (the answer to a purchase
// that timed out), and voids a label within the carrier's window.
type LabelSeller interface {
	Quote(ctx context.Context, p PackedParcel, s ShippingSettings, reference string) ([]RateQuote, []RateProblem, error)
	Buy(ctx context.Context, q RateQuote) (Label, error)
	Bought(ctx context.Context, shipmentRef string) (Label, bool, error)
	Void(ctx context.Context, l Label) (Label, error)
	// LabelFile fetches the label's file from where the carrier serves it.
	LabelFile(ctx context.Context, l Label) ([]byte, error)
}

// ErrPurchaseUncertain marks a purchase whose answer never came: the
// carrier may or may not have sold the label, so it must be asked (Bought)
// before the parcel is bought again.
var ErrPurchaseUncertain = errors.New("the carrier did not answer the purchase; it may have sold the label")

// PurchaseState is where a label purchase stands.
type PurchaseState string

const (
	// PurchaseBuying: written down, the carrier being asked.
	PurchaseBuying PurchaseState = "buying"
	// PurchaseUncertain: the carrier's answer never came; ask it before
	// buying again.
	PurchaseUncertain PurchaseState = "uncertain"
	// PurchaseBought: the parcel has the carrier's label and tracking number.
	PurchaseBought PurchaseState = "bought"
	// PurchaseFailed: the carrier refused; nothing was bought.
	PurchaseFailed PurchaseState = "failed"
	// PurchaseVoided: the label was voided through the carrier.
	PurchaseVoided PurchaseState = "voided"
)

// LabelPurchase is a label bought, or being bought, for a parcel.
type LabelPurchase struct {
	ID        int64
	ParcelID  int64
	AccountID int64
	Account   string // the shipping account's name
	Quote     RateQuote
	State     PurchaseState
	Label     Label // what the carrier sold (bought, voided)
	Error     string
	CreatedAt time.Time
	UpdatedAt time.Time
	Who       string
}

// Live says whether the purchase holds the parcel: a label bought, or one
// that may have been.
func (p LabelPurchase) Live() bool {
	return p.State == PurchaseBuying || p.State == PurchaseUncertain || p.State == PurchaseBought
}

// LabelStore keeps label purchases. A parcel has at most one live
// purchase: BeginPurchase refuses a second (ECONFLICT), so no label is
// bought while another may exist.
type LabelStore interface {
	// BeginPurchase writes a purchase down as buying, before the carrier is
	// asked, and sets its ID. A parcel that has left is refused.
	BeginPurchase(ctx context.Context, p *LabelPurchase) error
	// LivePurchase is the parcel's live purchase, if it has one.
	LivePurchase(ctx context.Context, parcelID int64) (LabelPurchase, bool, error)
	// SettlePurchase records what became of a purchase: bought (the parcel
	// takes the label's tracking number and carrier), failed (with why) or
	// uncertain (with why).
	SettlePurchase(ctx context.Context, id int64, state PurchaseState, l Label, why string) error
	// VoidPurchase records a label voided through its carrier: the parcel
	// loses its tracking number and is packed, without a label, again.
	VoidPurchase(ctx context.Context, id int64, l Label) error
	// BoughtLabels are the parcels' bought purchases (with their label
	// files where fetched), by parcel.
	BoughtLabels(ctx context.Context, parcelIDs []int64) (map[int64]LabelPurchase, error)
	// SaveLabelFile keeps a bought label's file.
	SaveLabelFile(ctx context.Context, purchaseID int64, file []byte) error
	// SetChannelShipping sets a channel's shipping promise: the service its
	// orders go with when they name none, and the days to the promised
	// delivery (0 to 90; 0: none).
	SetChannelShipping(ctx context.Context, channelID int64, service string, promiseDays int) error
}

// ParcelRates are the quotes the shipping accounts gave for one parcel.
type ParcelRates struct {
	Parcel   PackedParcel
	Quotes   []AccountQuote // cheapest first
	Problems []string       // why an account or a carrier gave none, in their words
	// Chosen is the place in Quotes of the quote a purchase without a
	// choice takes (LabelChoice.PickFor), -1 when none; Why says why.
	Chosen int
	Why    string
}

// Index is the place in Quotes of the quote a purchase with the choice
// takes: the default's (Chosen) when no carrier or service is chosen, else
// the cheapest of the chosen; -1 when none.
func (r ParcelRates) Index(c LabelChoice) int {
	if c.Carrier == "" && c.Service == "" {
		return r.Chosen
	}
	for i, q := range r.Quotes {
		if c.takes(q) {
			return i
		}
	}
	return -1
}

// CarrierTotal is what a batch of parcels costs with one carrier.
type CarrierTotal struct {
	Carrier string
	Parcels int
	// Total is in the planning currency where the quotes were converted,
	// else in their currencies: one amount per currency.
	Total []Money
}

// String is "DHL Express: 3 parcels, 74.20 EUR".
func (t CarrierTotal) String() string {
	return fmt.Sprintf("%s: %d parcel(s), %s", t.Carrier, t.Parcels, MoneySum(t.Total))
}

// ChosenTotals are the quotes a purchase with the choice takes, summed per
// carrier (by the carrier's name, in order of first appearance), and their
// sum over all carriers.
func ChosenTotals(rates []ParcelRates, c LabelChoice) (perCarrier []CarrierTotal, all []Money) {
	sums := carrierSums{}
	for _, r := range rates {
		if i := r.Index(c); i >= 0 {
			sums.add(r.Quotes[i])
			all = addMoney(all, r.Quotes[i].Planned())
		}
	}
	return sums.list, all
}

// OneCarrierTotals are what the parcels would cost if each went with one
// carrier, at that carrier's cheapest quote for each parcel it quoted.
func OneCarrierTotals(rates []ParcelRates) []CarrierTotal {
	sums := carrierSums{}
	for _, r := range rates {
		seen := map[string]bool{}
		for _, q := range r.Quotes { // cheapest first
			if !seen[q.Carrier] {
				seen[q.Carrier] = true
				sums.add(q)
			}
		}
	}
	return sums.list
}

// Planned is the quote's price in the planning currency where it was
// converted, else as quoted.
func (q AccountQuote) Planned() Money {
	if q.Converted.Currency != "" {
		return q.Converted
	}
	return q.Price
}

type carrierSums struct {
	list []CarrierTotal
}

func (t *carrierSums) add(q AccountQuote) {
	for i := range t.list {
		if t.list[i].Carrier == q.Carrier {
			t.list[i].Parcels++
			t.list[i].Total = addMoney(t.list[i].Total, q.Planned())
			return
		}
	}
	t.list = append(t.list, CarrierTotal{Carrier: q.Carrier, Parcels: 1, Total: []Money{q.Planned()}})
}

// addMoney adds m to a sum kept one amount per currency.
func addMoney(sum []Money, m Money) []Money {
	for i := range sum {
		if sum[i].Currency == m.Currency {
			sum[i].Amount += m.Amount
			return sum
		}
	}
	return append(sum, m)
}

// MoneySum writes a sum kept per currency (as ChosenTotals gives it): "74.20 EUR + 9.82 USD".
func MoneySum(sum []Money) string {
	if len(sum) == 0 {
		return "nothing"
	}
	parts := make([]string, len(sum))
	for i, m := range sum {
		parts[i] = m.String()
	}
	return strings.Join(parts, " + ")
}

// AccountQuote is a quote and the shipping account that gave it.
type AccountQuote struct {
	AccountID int64
	Account   string
	RateQuote
	// Converted is the price in the planning currency, at today's rate
	// (zero Money when there is no rate, or it is in that currency already).
	Converted Money
}

// LabelChoice narrows which quote is bought: a carrier and a service
// ("" is any); the cheapest that matches is bought.
type LabelChoice struct {
	Carrier, Service string
}

// PickFor is the quote bought for a parcel, and why: the choice's when one
// is made (Pick); else the service the order asked for — a quote of that
// name ("Express", "DHL Express Worldwide") — or else its channel's; for an
// order that asked for an express or next-day service, the cheapest that
// takes at most two days or is guaranteed; for an order with a promised
// delivery day, the cheapest that arrives by then (the fastest when none
// does); else the cheapest. now is when it is bought: a quote that says
// only its days in transit arrives that many days later.
func (c LabelChoice) PickFor(p PackedParcel, quotes []AccountQuote, now time.Time) (AccountQuote, string, bool) {
	if c.Carrier != "" || c.Service != "" {
		q, ok := c.Pick(quotes)
		return q, "as chosen", ok
	}
	for _, asked := range []struct{ service, why string }{{p.Service, "the service the order asked for"},
		{p.ChannelService, "the channel's service"}} {
		for _, q := range quotes {
			if namesService(asked.service, q.Carrier, q.Service) {
				return q, asked.why, true
			}
		}
	}
	if IsExpress(p.Service) {
		for _, q := range quotes {
			if (q.TransitDays > 0 && q.TransitDays <= 2) || q.Guaranteed {
				return q, "the cheapest within two days (the order asked for express)", true
			}
		}
	}
	if !p.PromisedBy.IsZero() && len(quotes) > 0 {
		day := p.PromisedBy.Format(time.DateOnly)
		var fastest AccountQuote
		var fastestAt time.Time
		for _, q := range quotes {
			at := q.DeliveryBy
			if at.IsZero() && q.TransitDays > 0 {
				at = now.AddDate(0, 0, q.TransitDays)
			}
			if at.IsZero() {
				continue // says nothing of when it arrives
			}
			if at.Format(time.DateOnly) <= day {
				return q, "the cheapest arriving by the promised " + day, true
			}
			if fastestAt.IsZero() || at.Before(fastestAt) {
				fastest, fastestAt = q, at
			}
		}
		if !fastestAt.IsZero() {
			return fastest, "none arrives by the promised " + day + ": the fastest", true
		}
	}
	q, ok := c.Pick(quotes)
	return q, "the cheapest", ok
}

// namesService says whether a service name as a storefront or a channel
// writes it ("priority", "DHL Express Worldwide") names a carrier's
// service: the service itself, or the carrier and the service, the
// carrier's words said once ("DHL Express" + "Express Worldwide").
func namesService(asked, carrier, service string) bool {
	asked = strings.Join(strings.Fields(strings.ToLower(asked)), " ")
	if asked == "" {
		return false
	}
	name := strings.ToLower(service)
	if asked == name || asked == strings.ToLower(carrier)+" "+name {
		return true
	}
	words := strings.Fields(strings.ToLower(carrier + " " + service))
	var once []string
	for i, w := range words {
		if i == 0 || w != words[i-1] {
			once = append(once, w)
		}
	}
	return asked == strings.Join(once, " ")
}

// Pick is the cheapest of quotes (cheapest first) that the choice allows.
func (c LabelChoice) Pick(quotes []AccountQuote) (AccountQuote, bool) {
	for _, q := range quotes {
		if c.takes(q) {
			return q, true
		}
	}
	return AccountQuote{}, false
}

// takes says whether the quote is of the chosen carrier and service.
func (c LabelChoice) takes(q AccountQuote) bool {
	return (c.Carrier == "" || strings.EqualFold(q.Carrier, c.Carrier)) && (c.Service == "" || strings.EqualFold(q.Service, c.Service))
}

// LabelOutcome is what became of one parcel in a run of label purchases.
type LabelOutcome struct {
	ParcelID int64
	Number   string // the order's number
	Label    Label
	State    PurchaseState // bought, uncertain or failed; "" when the parcel was left alone
	Note     string        // why it failed, was uncertain or was left alone
	// Field is the ship-to field a carrier's refusal names (AddressField),
	// to be corrected before buying again; "" when it names none.
	Field ImportField
}

// CheckQuotable says what a parcel lacks before a carrier can quote it: a
// weight and its box's three dimensions.
func CheckQuotable(p PackedParcel) error {
	if p.Weight <= 0 {
		return Errorf(EINVALID, "parcel %d of %s has no weight; weigh it before asking for rates", p.Seq, p.Number)
	}
	if d := p.Box.Dimensions; d.Length <= 0 || d.Width <= 0 || d.Height <= 0 {
		return Errorf(EINVALID, "parcel %d of %s has no box dimensions; choose its box before asking for rates", p.Seq, p.Number)
	}
	return nil
}

// CheckDeclarable is the customs pre-flight run before a label is bought
// for a parcel crossing a customs border: everything its declaration needs
// but the tracking number, which the purchase brings.
func CheckDeclarable(p PackedParcel) error {
	var problems []string
	for _, pr := range Preflight(p) {
		if pr.Field != "tracking" {
			problems = append(problems, pr.Field+": "+pr.Message)
		}
	}
	if len(problems) > 0 {
		return Errorf(EINVALID, "parcel %d of %s cannot be declared to customs: %s", p.Seq, p.Number, strings.Join(problems, "; "))
	}
	return nil
}
