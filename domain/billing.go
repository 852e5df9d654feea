package domain

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"
)

// Client is a merchant Portolan bills (for an in-house operation, one per
// sales entity). Orders of its channels are its orders.
type Client struct {
	ID          int64
	Code        string
	Name        string
	Currency    Currency // the billing currency
	PaymentDays int      // payment terms: days after the invoice date
	TaxBP       int64    // tax rate in basis points (2100 = 21 %)
	VATNumber   string
	Address     Address
	// BillPer is how the client is invoiced: "period" (a month's charges),
	// "order" or "shipment" (an invoice each).
	BillPer  string
	Channels []int64
}

// Company is who issues the invoices: printed on every invoice and at the
// head of the workbooks.
type Company struct {
	Name      string
	Address   Address
	VATNumber string
	// Payment says how to pay: bank, IBAN, BIC, reference (one per line).
	Payment string
}

// Validate checks the company before it is saved.
func (c *Company) Validate() error {
	c.Name, c.VATNumber, c.Payment = strings.TrimSpace(c.Name), strings.TrimSpace(c.VATNumber), strings.TrimSpace(c.Payment)
	if c.Name == "" {
		return Errorf(EINVALID, "the company needs a name")
	}
	if c.Address.Country != "" && !c.Address.Country.Valid() {
		return Errorf(EINVALID, "%q is not an ISO 3166-1 country code", c.Address.Country)
	}
	return nil
}

// Validate checks a client before it is saved.
func (c *Client) Validate() error {
	c.Code, c.Name = strings.TrimSpace(c.Code), strings.TrimSpace(c.Name)
	switch {
	case c.Code == "" || c.Name == "":
		return Errorf(EINVALID, "a client needs a code and a name")
	case !c.Currency.Valid():
		return Errorf(EINVALID, "client %s: %q is not an ISO 4217 currency", c.Code, c.Currency)
	case c.PaymentDays < 0 || c.PaymentDays > 365:
		return Errorf(EINVALID, "client %s: payment terms are 0 to 365 days", c.Code)
	case c.TaxBP < 0 || c.TaxBP > 10000:
		return Errorf(EINVALID, "client %s: the tax rate is 0 to 100 %%", c.Code)
	}
	if c.BillPer == "" {
		c.BillPer = "period"
	}
	if c.BillPer != "period" && c.BillPer != "order" && c.BillPer != "shipment" {
		return Errorf(EINVALID, "client %s: billed per period, order or shipment, not %q", c.Code, c.BillPer)
	}
	return nil
}

// FlatShipping is a shipping price for parcels to a zone (a country code,
// a region name, or "*") up to a weight.
type FlatShipping struct {
	Zone      string
	UpToGrams Grams
	Price     int64 // minor units of the card's currency
}

// RateCard is a client's prices from a date on; amounts in minor units of
// the card's currency. A change of rates is a new card: charges use the
// card in force on their date, so old invoices keep their rates.
type RateCard struct {
	ID            int64
	ClientID      int64
	EffectiveFrom time.Time // a UTC date
	Currency      Currency
	PerOrder      int64
	PerLine       int64
	PerUnit       int64            // per unit picked
	PerParcel     int64            // per parcel shipped
	Packaging     map[string]int64 // per box code
	ReceivingUnit int64            // per unit received
	PerInbound    int64            // per inbound received
	// StoragePer1000UnitDays is storage per 1,000 unit-days (a unit on the
	// shelf for a day costs a thousandth of it), from the stock ledger.
	StoragePer1000UnitDays int64
	// StoragePerBinDay is storage per storage bin holding the client's
	// stock at a day's end, from the stock ledger.
	StoragePerBinDay int64
	// Shipping: the carrier's cost × (1 + MarkupBP/10,000), or, when Flat
	// is set, the flat price for the zone and weight.
	MarkupBP       int64
	Flat           []FlatShipping
	MinimumMonthly int64 // the least a month is invoiced (net)
}

// Validate checks a card.
func (r *RateCard) Validate() error {
	if !r.Currency.Valid() {
		return Errorf(EINVALID, "rate card: %q is not an ISO 4217 currency", r.Currency)
	}
	if r.EffectiveFrom.IsZero() {
		return Errorf(EINVALID, "rate card: give the date it takes effect")
	}
	r.EffectiveFrom = Day(r.EffectiveFrom)
	for _, v := range []int64{r.PerOrder, r.PerLine, r.PerUnit, r.PerParcel, r.ReceivingUnit, r.PerInbound, r.StoragePer1000UnitDays, r.StoragePerBinDay, r.MarkupBP, r.MinimumMonthly} {
		if v < 0 {
			return Errorf(EINVALID, "rate card: rates are never negative")
		}
	}
	for _, f := range r.Flat {
		if f.Price < 0 || f.UpToGrams <= 0 || strings.TrimSpace(f.Zone) == "" {
			return Errorf(EINVALID, "rate card: a flat shipping price needs a zone, a weight limit and a price ≥ 0")
		}
		if !ValidZone(f.Zone) {
			return Errorf(EINVALID, "rate card: flat shipping zone %q is not a country code, a region (%s) or *", f.Zone, strings.Join(RegionNames(), ", "))
		}
	}
	return nil
}

// Day is the UTC date of t.
func Day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// MonthStart is the first day of the month n months from t's (UTC), counted
// from the first: 31 March less a month is 1 February, not 3 March as
// t.AddDate(0, -1, 0) would have it.
func MonthStart(t time.Time, n int) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
}

// CardOn is the card in force on a day: the latest that took effect on or
// before it; ok is false before the first.
func CardOn(cards []RateCard, at time.Time) (RateCard, bool) {
	d := Day(at)
	var best RateCard
	ok := false
	for _, c := range cards {
		if !c.EffectiveFrom.After(d) && (!ok || c.EffectiveFrom.After(best.EffectiveFrom)) {
			best, ok = c, true
		}
	}
	return best, ok
}

// ChargeType is what a charge is for.
type ChargeType string

// Charge types.
const (
	ChargeOrder     ChargeType = "order"
	ChargeLine      ChargeType = "line"
	ChargeUnit      ChargeType = "unit"
	ChargeParcel    ChargeType = "parcel"
	ChargePackaging ChargeType = "packaging"
	ChargeShipping  ChargeType = "shipping"
	ChargeReceiving ChargeType = "receiving"
	ChargeInbound   ChargeType = "inbound"
	ChargeStorage   ChargeType = "storage"
	ChargeMinimum   ChargeType = "minimum"
)

// Charge is one billable thing, linked to its source so it is never
// charged twice.
type Charge struct {
	ID         int64
	ClientID   int64
	Type       ChargeType
	Date       time.Time // UTC day it accrued
	SourceKind string    // order, shipment, inbound, storage, minimum
	SourceID   int64
	OrderID    int64  // the order of an order or parcel charge
	Ref        string // what a person recognises: order number, tracking, inbound reference
	Qty        int64
	Rate       int64 // minor units per Qty (storage: per 1,000 unit-days)
	Amount     int64 // minor units
	Currency   Currency
	InvoiceID  int64 // 0 until invoiced
}

// roundDiv divides rounding half away from zero.
func roundDiv(a, b int64) int64 {
	if b < 0 {
		a, b = -a, -b
	}
	if a >= 0 {
		return (a + b/2) / b
	}
	return -((-a + b/2) / b)
}

// MarkedUp is cost × (1 + bp/10,000), rounded to the minor unit.
func MarkedUp(cost, bp int64) int64 { return roundDiv(cost*(10000+bp), 10000) }

// FlatPrice is the flat shipping price for a parcel to a country of a
// weight: the country's own rows, else its region's, else "*"; the first
// row whose weight limit holds it. ok is false when none applies.
func FlatPrice(rows []FlatShipping, to Country, weight Grams) (int64, bool) {
	for _, zone := range []string{string(to), Region(to), "*"} {
		var mine []FlatShipping
		for _, r := range rows {
			if strings.EqualFold(r.Zone, zone) {
				mine = append(mine, r)
			}
		}
		sort.Slice(mine, func(i, j int) bool { return mine[i].UpToGrams < mine[j].UpToGrams })
		for _, r := range mine {
			if weight <= r.UpToGrams {
				return r.Price, true
			}
		}
	}
	return 0, false
}

// EstimateParcelWeights gives the parcels of an order that were never
// weighed a share of its weight (the order's products' weights less what
// the weighed parcels hold, split evenly, rounded up).
func EstimateParcelWeights(o *ShippedOrder, orderWeight Grams) {
	missing := 0
	left := orderWeight
	for _, p := range o.Parcels {
		if p.Weight == 0 {
			missing++
		} else {
			left -= p.Weight
		}
	}
	if missing == 0 || left <= 0 {
		return
	}
	share := (left + Grams(missing) - 1) / Grams(missing)
	for i := range o.Parcels {
		if o.Parcels[i].Weight == 0 {
			o.Parcels[i].Weight = share
		}
	}
}

// ShippedParcel is what billing needs of a parcel that left.
type ShippedParcel struct {
	ID        int64 // the shipment
	Warehouse int64 // 0 when shipped outside Portolan
	Tracking  string
	Box       string
	Weight    Grams
	To        Country
	Cost      Money // what the carrier is expected to charge
	ShippedAt time.Time
	// Bought is what its label cost when it was bought from the carrier
	// through Portolan (zero Money otherwise): the carrier is expected to
	// charge that.
	Bought Money
}

// ShippedOrder is an order handed to carriers, as billing sees it.
type ShippedOrder struct {
	OrderID  int64
	Number   string
	ClientID int64
	Lines    int
	Units    int64
	Parcels  []ShippedParcel
	Shipped  time.Time
}

// FX converts between currencies at dated rates.
type FX interface {
	// Convert gives m in currency to at the rate of the day, and the rate used.
	Convert(m Money, to Currency, at time.Time) (Money, *big.Rat, error)
}

// OrderCharges are the charges of a shipped order under the card in force
// on its shipping day: per order, line, unit picked, parcel, box, and
// shipping (marked-up carrier cost, converted to the card's currency, or
// the flat price).
func OrderCharges(o ShippedOrder, card RateCard, fx FX) ([]Charge, error) {
	day := Day(o.Shipped)
	c := func(t ChargeType, kind string, id int64, ref string, qty, rate int64) Charge {
		return Charge{ClientID: o.ClientID, Type: t, Date: day, SourceKind: kind, SourceID: id, OrderID: o.OrderID, Ref: ref, Qty: qty, Rate: rate,
			Amount: qty * rate, Currency: card.Currency}
	}
	var out []Charge
	add := func(ch Charge) {
		if ch.Amount != 0 {
			out = append(out, ch)
		}
	}
	add(c(ChargeOrder, "order", o.OrderID, o.Number, 1, card.PerOrder))
	add(c(ChargeLine, "order", o.OrderID, o.Number, int64(o.Lines), card.PerLine))
	add(c(ChargeUnit, "order", o.OrderID, o.Number, o.Units, card.PerUnit))
	for _, p := range o.Parcels {
		ref := o.Number + " / " + p.Tracking
		add(c(ChargeParcel, "shipment", p.ID, ref, 1, card.PerParcel))
		add(c(ChargePackaging, "shipment", p.ID, ref+" box "+p.Box, 1, card.Packaging[p.Box]))
		if len(card.Flat) > 0 {
			if p.Weight <= 0 {
				return nil, Errorf(EINVALID, "order %s: parcel %s has no weight, and flat shipping is priced by weight; give the products weights "+
					"(or pack it in Portolan, which weighs it)", o.Number, p.Tracking)
			}
			price, ok := FlatPrice(card.Flat, p.To, p.Weight)
			if !ok {
				return nil, Errorf(EINVALID, "order %s: the rate card has no flat shipping price to %s for %d g", o.Number, p.To, p.Weight)
			}
			add(c(ChargeShipping, "shipment", p.ID, ref, 1, price))
			continue
		}
		cost := p.Cost
		if cost.Currency != card.Currency && cost.Amount != 0 {
			conv, _, err := fx.Convert(cost, card.Currency, p.ShippedAt)
			if err != nil {
				return nil, fmt.Errorf("order %s: %w", o.Number, err)
			}
			cost = conv
		}
		add(c(ChargeShipping, "shipment", p.ID, ref, 1, MarkedUp(cost.Amount, card.MarkupBP)))
	}
	return out, nil
}

// RatePer says what a charge's rate is per, when not per each: storage by
// the unit is priced per 1,000 unit-days, storage by the bin per bin-day.
func (c Charge) RatePer() string {
	switch {
	case c.Type == ChargeStorage && c.SourceKind == "storage_bins":
		return "bin-day"
	case c.Type == ChargeStorage:
		return "1,000 unit-days"
	}
	return ""
}

// BinStorageCharge is a day's storage by bins: the storage bins holding
// the client's stock at the day's end × the rate per bin-day.
func BinStorageCharge(clientID int64, day time.Time, bins int64, card RateCard) Charge {
	return Charge{ClientID: clientID, Type: ChargeStorage, Date: Day(day), SourceKind: "storage_bins", SourceID: Day(day).Unix() / 86400,
		Ref: fmt.Sprintf("%d bins occupied", bins), Qty: bins, Rate: card.StoragePerBinDay,
		Amount: bins * card.StoragePerBinDay, Currency: card.Currency}
}

// StorageCharge is a day's storage: unit-days × the rate per 1,000, rounded.
func StorageCharge(clientID int64, day time.Time, units int64, card RateCard) Charge {
	return Charge{ClientID: clientID, Type: ChargeStorage, Date: Day(day), SourceKind: "storage", SourceID: Day(day).Unix() / 86400,
		Ref: fmt.Sprintf("%d units stored", units), Qty: units, Rate: card.StoragePer1000UnitDays,
		Amount: roundDiv(units*card.StoragePer1000UnitDays, 1000), Currency: card.Currency}
}

// MinimumTopUp is the charge that lifts a month's net to the card's minimum
// (nothing when the month reached it).
func MinimumTopUp(clientID int64, month time.Time, net int64, card RateCard) (Charge, bool) {
	if card.MinimumMonthly <= net {
		return Charge{}, false
	}
	first := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	return Charge{ClientID: clientID, Type: ChargeMinimum, Date: first.AddDate(0, 1, -1), SourceKind: "minimum", SourceID: first.Unix() / 86400,
		Ref: "minimum monthly charge " + first.Format("2006-01"), Qty: 1, Rate: card.MinimumMonthly - net, Amount: card.MinimumMonthly - net,
		Currency: card.Currency}, true
}

// Tax is net × bp / 10,000, rounded to the minor unit.
func Tax(net, bp int64) int64 { return roundDiv(net*bp, 10000) }

// InvoiceStatus is where an invoice stands.
type InvoiceStatus string

// Invoice statuses.
const (
	InvoiceDraft   InvoiceStatus = "draft"
	InvoiceIssued  InvoiceStatus = "issued"
	InvoicePartly  InvoiceStatus = "partly_paid"
	InvoicePaid    InvoiceStatus = "paid"
	InvoiceCredit  InvoiceStatus = "credit_note" // a credit note correcting an issued invoice
	InvoiceCleared InvoiceStatus = "credited"    // fully credited
)

// Invoice is what a client owes for a period, an order or a shipment.
type Invoice struct {
	ID         int64
	Number     string // given when issued; drafts have none
	ClientID   int64
	ClientName string
	PeriodFrom time.Time
	PeriodTo   time.Time // exclusive
	Date       time.Time // invoice date (issue day)
	Due        time.Time
	Currency   Currency
	Net, Tax   int64
	Paid       int64 // in the invoice's currency
	Status     InvoiceStatus
	Corrects   int64 // for a credit note: the invoice it corrects
	// FX says at which rates of the invoice date charges in other
	// currencies were converted ("" when none were).
	FX    string
	Lines []Charge
	// DraftedBy and IssuedBy are the people who drafted and issued it
	// ("" before Portolan recorded them).
	DraftedBy, IssuedBy string
}

// Gross is net plus tax.
func (i Invoice) Gross() int64 { return i.Net + i.Tax }

// Open is what is still owed.
func (i Invoice) Open() int64 { return i.Gross() - i.Paid }

// AgeBucket is how long an open amount is past its due date: 0–30, 31–60,
// 61–90 or 90+ days (not yet due counts as 0–30).
func AgeBucket(due, at time.Time) int {
	days := int(Day(at).Sub(Day(due)).Hours() / 24)
	switch {
	case days <= 30:
		return 0
	case days <= 60:
		return 1
	case days <= 90:
		return 2
	}
	return 3
}

// AgeBuckets names the ageing columns.
var AgeBuckets = []string{"0–30", "31–60", "61–90", "90+"}

// Payment is money received against an invoice, possibly in another
// currency: converted at the rate of its day, the difference against the
// invoice's own conversion recorded, not lost.
type Payment struct {
	ID        int64
	InvoiceID int64
	At        time.Time
	Amount    Money // as received
	Rate      string
	Applied   int64 // in the invoice's currency
	// ExchangeDiff is, for a payment in another currency than the
	// client's books, the gain (+) or loss (−) in the invoice currency
	// against the rate of the invoice date.
	ExchangeDiff int64
	Note         string
}

// FXRate is a dated exchange rate: 1 Base = Rate Quote (e.g. ECB's: 1 EUR = 1.0823 USD).
type FXRate struct {
	Day   time.Time
	Base  Currency
	Quote Currency
	Rate  *big.Rat
}

// FXImport is what an import of exchange rates stored.
type FXImport struct {
	Saved    int
	Skipped  int // rows or days without a date
	From, To time.Time
	Problems []string // rates left out, and why
}

// FXFile is what a file of exchange rates holds: the rates, how many rows
// or days had no date, and the values that are not rates (each said).
type FXFile struct {
	Rates    []FXRate
	Skipped  int
	Problems []string
}

// FXTable converts through the rates of a day (or the latest before it),
// crossing through a common base where needed.
type FXTable struct {
	rates map[Currency]map[Currency][]FXRate // base → quote → by day
}

// NewFXTable indexes rates.
func NewFXTable(rates []FXRate) *FXTable {
	t := &FXTable{rates: map[Currency]map[Currency][]FXRate{}}
	for _, r := range rates {
		if t.rates[r.Base] == nil {
			t.rates[r.Base] = map[Currency][]FXRate{}
		}
		t.rates[r.Base][r.Quote] = append(t.rates[r.Base][r.Quote], r)
	}
	for _, qs := range t.rates {
		for _, list := range qs {
			sort.Slice(list, func(i, j int) bool { return list[i].Day.Before(list[j].Day) })
		}
	}
	return t
}

func (t *FXTable) on(base, quote Currency, at time.Time) (*big.Rat, bool) {
	list := t.rates[base][quote]
	d := Day(at)
	var best *big.Rat
	for _, r := range list {
		if r.Day.After(d) {
			break
		}
		best = r.Rate
	}
	return best, best != nil
}

// Rate is units of to per unit of from on a day (latest rate on or before
// it): direct, inverse, or crossed through any base that quotes both.
func (t *FXTable) Rate(from, to Currency, at time.Time) (*big.Rat, error) {
	if from == to {
		return big.NewRat(1, 1), nil
	}
	if r, ok := t.on(from, to, at); ok {
		return r, nil
	}
	if r, ok := t.on(to, from, at); ok && r.Sign() > 0 {
		return new(big.Rat).Inv(r), nil
	}
	for base := range t.rates {
		a, ok1 := t.on(base, from, at)
		b, ok2 := t.on(base, to, at)
		if ok1 && ok2 && a.Sign() > 0 {
			return new(big.Rat).Quo(b, a), nil
		}
	}
	return nil, Errorf(ENOTFOUND, "no exchange rate from %s to %s on or before %s; enter or import one", from, to, Day(at).Format(time.DateOnly))
}

// Convert gives m in currency to at the day's rate, rounded half away from
// zero to the minor unit of to.
func (t *FXTable) Convert(m Money, to Currency, at time.Time) (Money, *big.Rat, error) {
	r, err := t.Rate(m.Currency, to, at)
	if err != nil {
		return Money{}, nil, err
	}
	return NewMoney(convertMinor(m.Amount, m.Currency, to, r), to), r, nil
}

func convertMinor(amount int64, from, to Currency, r *big.Rat) int64 {
	v := new(big.Rat).SetInt64(amount)
	v.Mul(v, r)
	v.Mul(v, new(big.Rat).SetInt64(pow10(to.Exponent())))
	v.Quo(v, new(big.Rat).SetInt64(pow10(from.Exponent())))
	// round half away from zero
	num, den := new(big.Int).Set(v.Num()), v.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(rem, big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// Exchange rates are bounded: a unit of one currency buys from MinRate to
// MaxRate units of another (the widest real pairs, such as EUR/VND or
// KWD/IRR, sit well inside), given with at most RateDecimals decimals.
const (
	RateDecimals = 12
	MaxRateJump  = 1.25 // a day's rate beyond ±25 % of the day before needs confirming
)

var (
	MinRate = big.NewRat(1, 1_000_000)  // 0.000001
	MaxRate = big.NewRat(10_000_000, 1) // 10,000,000
)

// ParseRate reads a decimal exchange rate ("1.0823", "156.23"): digits with
// at most RateDecimals decimals, from MinRate to MaxRate. Exponents,
// signs, NaN and the like are refused, quoting the input.
func ParseRate(s string) (*big.Rat, error) {
	t := strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(t, ".")
	digits := func(x string) bool { return strings.IndexFunc(x, func(r rune) bool { return r < '0' || r > '9' }) < 0 }
	if whole == "" || !digits(whole) || !digits(frac) || len(frac) > RateDecimals || strings.HasSuffix(t, ".") {
		return nil, Errorf(EINVALID, "%q is not an exchange rate: write a decimal number like 1.0823 (at most %d decimals)", s, RateDecimals)
	}
	r, _ := new(big.Rat).SetString(t)
	if r.Cmp(MinRate) < 0 || r.Cmp(MaxRate) > 0 {
		return nil, Errorf(EINVALID, "%q is not a plausible exchange rate: one unit buys from %s to %s units of another currency",
			s, MinRate.FloatString(6), MaxRate.FloatString(0))
	}
	return r, nil
}

// RateText is a rate as stored and shown: exact, without trailing zeros.
func RateText(r *big.Rat) string {
	t := strings.TrimRight(r.FloatString(RateDecimals), "0")
	return strings.TrimSuffix(t, ".")
}

// Validate checks a rate: two different currencies and a plausible rate.
func (r FXRate) Validate() error {
	if !r.Base.Valid() || !r.Quote.Valid() || r.Base == r.Quote {
		return Errorf(EINVALID, "%q and %q must be two different ISO 4217 currency codes", r.Base, r.Quote)
	}
	if r.Rate == nil {
		return Errorf(EINVALID, "%s/%s on %s has no rate", r.Base, r.Quote, r.Day.Format(time.DateOnly))
	}
	_, err := ParseRate(RateText(r.Rate))
	return err
}

// FXJump is a rate beyond MaxRateJump of the pair's rate of an earlier day.
type FXJump struct {
	New, Before FXRate
}

func (j FXJump) String() string {
	return fmt.Sprintf("1 %s = %s %s on %s, against %s on %s", j.New.Base, RateText(j.New.Rate), j.New.Quote, j.New.Day.Format(time.DateOnly),
		RateText(j.Before.Rate), j.Before.Day.Format(time.DateOnly))
}

// FXJumpError lists the rates that moved more than MaxRateJump from the
// day before: saved only when confirmed.
type FXJumpError struct{ Jumps []FXJump }

func (e *FXJumpError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d exchange rate(s) moved more than %.0f %% from the day before, so nothing was saved:",
		len(e.Jumps), (MaxRateJump-1)*100)
	for i, j := range e.Jumps {
		if i == 5 {
			fmt.Fprintf(&b, "\n… and %d more", len(e.Jumps)-5)
			break
		}
		b.WriteString("\n" + j.String())
	}
	return b.String()
}

// FXJumps finds the rates of fresh that moved beyond MaxRateJump from the
// same pair's rate of the latest earlier day, in earlier (stored, any
// order) or in fresh itself.
func FXJumps(earlier, fresh []FXRate) []FXJump {
	type pair struct{ b, q Currency }
	all := append(append([]FXRate(nil), earlier...), fresh...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Day.Before(all[j].Day) })
	isNew := map[*big.Rat]bool{}
	for _, r := range fresh {
		isNew[r.Rate] = true
	}
	last := map[pair]FXRate{}
	limit := new(big.Rat).SetFloat64(MaxRateJump)
	var out []FXJump
	for _, r := range all {
		k := pair{r.Base, r.Quote}
		if before, ok := last[k]; ok && isNew[r.Rate] && before.Day.Before(r.Day) && before.Rate.Sign() > 0 {
			ratio := new(big.Rat).Quo(r.Rate, before.Rate)
			if ratio.Cmp(limit) > 0 || new(big.Rat).Mul(ratio, limit).Cmp(big.NewRat(1, 1)) < 0 {
				out = append(out, FXJump{New: r, Before: before})
			}
		}
		last[k] = r
	}
	return out
}

// ReconcileClass is how a carrier invoice line compares with what Portolan expected.
type ReconcileClass string

// Reconciliation classes.
const (
	ReconMatched ReconcileClass = "matched"
	ReconOver    ReconcileClass = "over"     // charged more than expected
	ReconNotOurs ReconcileClass = "not_ours" // no parcel of ours with this tracking number
	ReconMissing ReconcileClass = "missing"  // a parcel of ours the invoice does not charge
)

// CarrierLine is one line of a carrier's invoice.
type CarrierLine struct {
	Row      int
	Tracking string
	Amount   Money
	Service  string
}

// Reconciled is a carrier invoice line (or a missing parcel) classified.
type Reconciled struct {
	Class    ReconcileClass
	Tracking string
	ParcelID int64
	Order    string
	Charged  Money
	Expected Money
	Diff     int64 // charged − expected, in the charged currency
}

// Reconcile matches a carrier's invoice lines with the parcels it carried
// by tracking number: within tolerance (basis points of the expected cost)
// a line is matched, above it over (with the difference); a line for no
// parcel of ours is not ours; a parcel of the period without a line is
// missing. Expected costs in another currency are converted at the day's rate.
// A parcel charged again — twice on the invoice, or already charged on an
// earlier invoice (alreadyCharged, by normalised tracking number) — is over
// by all it is charged; a parcel already charged is not missing.
func Reconcile(lines []CarrierLine, parcels []ShippedParcel, orders map[int64]string, toleranceBP int64, fx FX, alreadyCharged map[string]bool) ([]Reconciled, error) {
	byTracking := map[string]ShippedParcel{}
	for _, p := range parcels {
		byTracking[NormalizeTracking(p.Tracking)] = p
	}
	seen := map[int64]bool{}
	var out []Reconciled
	for _, l := range lines {
		n := NormalizeTracking(l.Tracking)
		p, ok := byTracking[n]
		if !ok {
			out = append(out, Reconciled{Class: ReconNotOurs, Tracking: n, Charged: l.Amount, Diff: l.Amount.Amount})
			continue
		}
		if seen[p.ID] || alreadyCharged[n] {
			// Charged again — twice on this invoice, or already on an
			// earlier one: all of it is too much.
			out = append(out, Reconciled{Class: ReconOver, Tracking: n, ParcelID: p.ID, Order: orders[p.ID], Charged: l.Amount,
				Expected: NewMoney(0, l.Amount.Currency), Diff: l.Amount.Amount})
			continue
		}
		seen[p.ID] = true
		exp := p.Cost
		if exp.Currency != l.Amount.Currency && exp.Amount != 0 {
			conv, _, err := fx.Convert(exp, l.Amount.Currency, p.ShippedAt)
			if err != nil {
				return nil, err
			}
			exp = conv
		}
		diff := l.Amount.Amount - exp.Amount
		class := ReconMatched
		if diff > roundDiv(exp.Amount*toleranceBP, 10000) {
			class = ReconOver
		}
		out = append(out, Reconciled{Class: class, Tracking: n, ParcelID: p.ID, Order: orders[p.ID], Charged: l.Amount, Expected: exp, Diff: diff})
	}
	for _, p := range parcels {
		if !seen[p.ID] && !alreadyCharged[NormalizeTracking(p.Tracking)] {
			out = append(out, Reconciled{Class: ReconMissing, Tracking: NormalizeTracking(p.Tracking), ParcelID: p.ID, Order: orders[p.ID],
				Expected: p.Cost, Diff: -p.Cost.Amount})
		}
	}
	return out, nil
}

// ChargeFilter chooses charges for lists and exports.
type ChargeFilter struct {
	ClientID int64
	From, To time.Time // days, To exclusive
	Type     ChargeType
}

// The billing port, cut by capability (setup, charges, invoices,
// reconciliation) so that a second store can be written and tested one
// capability at a time. BillingStore is all of them.

// BillingSetup keeps who is billed and at what prices: clients, their stock, rate cards, exchange rates and the invoicing company.
type BillingSetup interface {
	Clients(ctx context.Context) ([]Client, error)
	SaveClient(ctx context.Context, c *Client) error
	RateCards(ctx context.Context, clientID int64) ([]RateCard, error)
	SaveRateCard(ctx context.Context, r *RateCard) error
	FXRates(ctx context.Context) ([]FXRate, error)
	FXRatesBetween(ctx context.Context, from, to time.Time) ([]FXRate, error)
	SaveFXRates(ctx context.Context, rates []FXRate) (int, error)
	// AssignProducts makes the products whose SKU starts with prefix ("" all) the client's stock.
	AssignProducts(ctx context.Context, clientID int64, prefix string) (int, error)
	// Company is the invoicing company (ok false when never set).
	Company(ctx context.Context) (c Company, ok bool, err error)
	SetCompany(ctx context.Context, c Company) error
}

// ChargeStore works out and keeps charges: what was shipped, stored and received, priced into charges.
type ChargeStore interface {
	// ShippedOrders are the orders of clients' channels with parcels handed
	// to carriers in [from, to), each with those parcels.
	ShippedOrders(ctx context.Context, from, to time.Time) ([]ShippedOrder, error)
	// AddCharges stores charges; one already charged (same client, type and
	// source) is left as it is. The shipments given are marked accrued in
	// the same transaction. It returns how many charges were new.
	AddCharges(ctx context.Context, charges []Charge, shipments []int64) (int, error)
	// DropUnbilled removes a period's charges (of a type, "" all) not on an
	// invoice, to compute them again (shipments left without a billed
	// charge are accrued again by the next run).
	DropUnbilled(ctx context.Context, clientID int64, t ChargeType, from, to time.Time) (int, error)
	Charges(ctx context.Context, f ChargeFilter, offset, limit int) ([]Charge, error)
	CountCharges(ctx context.Context, f ChargeFilter) (int, error)
	// SumCharges sums the charges of [from, to) per currency, and counts them.
	SumCharges(ctx context.Context, from, to time.Time) (map[Currency]int64, int, error)
	// EachCharge streams a period's charges in date order (exports).
	EachCharge(ctx context.Context, f ChargeFilter, fn func(Charge) error) error
	// StockDays gives, per client owning stock, the units on the shelf at the
	// end of each day of [from, to), from the stock ledger.
	StockDays(ctx context.Context, from, to time.Time) (map[int64]map[time.Time]int64, error)
	// BinDays gives, per client, the storage bins holding its stock at the
	// end of each day of [from, to).
	BinDays(ctx context.Context, from, to time.Time) (map[int64]map[time.Time]int64, error)
	// OrderWeights estimates orders' weights from their lines' products.
	OrderWeights(ctx context.Context, orderIDs []int64) (map[int64]Grams, error)
	// Receipts lists the units received into the clients' stock in [from, to).
	Receipts(ctx context.Context, from, to time.Time) ([]ReceiptCharge, error)
}

// InvoiceStore drafts, issues and records payment of invoices.
type InvoiceStore interface {
	// PeriodSums sums a client's charges of a period in one pass.
	PeriodSums(ctx context.Context, clientID int64, from, to time.Time) (PeriodSums, error)
	// CreatePeriodInvoice stores a draft with every unbilled charge of the
	// client's period.
	CreatePeriodInvoice(ctx context.Context, inv *Invoice) (int, error)
	// PeriodDraft is the client's draft for the period from (0: none).
	PeriodDraft(ctx context.Context, clientID int64, from time.Time) (int64, error)
	// RefreshDraft adds the period's unbilled charges to a draft and sets its
	// net and tax with net (given the draft's totals per currency).
	RefreshDraft(ctx context.Context, inv *Invoice, net func(map[Currency]int64) (int64, int64, error)) error
	// DropDraftMinimum removes the month's minimum charge that is unbilled or on the draft.
	DropDraftMinimum(ctx context.Context, clientID, draftID int64, from, to time.Time) error
	// DropDrafts removes a client's draft invoices of periods starting in
	// [from, to), their charges freed for the next draft.
	DropDrafts(ctx context.Context, clientID int64, from, to time.Time) error
	// CreateInvoice stores a draft with its charges.
	CreateInvoice(ctx context.Context, inv *Invoice, chargeIDs []int64) error
	IssueInvoice(ctx context.Context, id int64, date time.Time, paymentDays int) (Invoice, error)
	// SetDraftTotals sets a draft's net, tax and exchange rates.
	SetDraftTotals(ctx context.Context, id, net, tax int64, fx string) error
	Invoice(ctx context.Context, id int64) (Invoice, error)
	Invoices(ctx context.Context, clientID int64, from, to time.Time) ([]Invoice, error)
	AddPayment(ctx context.Context, p *Payment) error
}

// ReconciliationStore reconciles carrier invoices with the parcels the carriers took, and works out margins.
type ReconciliationStore interface {
	// Shipments(ctx, carrier, numbers, from, to) reads the parcels of a
	// carrier with those tracking numbers, and every other parcel it took
	// in [from, to); orders maps their ids to order numbers.
	CarrierParcels(ctx context.Context, carrier string, numbers []string, from, to time.Time) (parcels []ShippedParcel, orders map[int64]string, err error)
	// SaveCarrierInvoice stores an invoice's reconciled lines; a file (by its
	// SHA-256) already imported for the carrier is refused (ECONFLICT).
	SaveCarrierInvoice(ctx context.Context, carrier, file, sha256, period string, lines []Reconciled) (int64, error)
	// ChargedTrackings says which (normalised) tracking numbers the carrier
	// has charged on invoices imported before.
	ChargedTrackings(ctx context.Context, carrier string, numbers []string) (map[string]bool, error)
	CarrierLines(ctx context.Context, period string) ([]CarrierInvoiceLine, error)
	// CarrierMapping is the column mapping remembered for a carrier's invoices.
	CarrierMapping(ctx context.Context, carrier string) (map[string]string, error)
	SetCarrierMapping(ctx context.Context, carrier string, mapping map[string]string) error
	// SetCarrierLines accepts (a payable) or disputes open carrier invoice
	// lines of a period: those of a class, or with the given tracking numbers.
	SetCarrierLines(ctx context.Context, period, carrier string, class ReconcileClass, tracking []string, state string) (int, error)
	// Payables sums accepted and disputed carrier charges of a period per carrier and currency.
	Payables(ctx context.Context, period string) ([]Payable, error)
	// OpenCarrierLines counts the carrier invoice lines neither accepted
	// nor disputed, by the month their invoice covers.
	OpenCarrierLines(ctx context.Context) (map[string]int, error)
	// PeriodShipments lists the shipments handed over in [from, to) of
	// clients' orders, with what a carrier invoice charged for them (if any).
	PeriodShipments(ctx context.Context, from, to time.Time) ([]ShipmentCost, error)
	// OrderRevenue sums each order's charges of a period per currency.
	OrderRevenue(ctx context.Context, from, to time.Time) (map[int64]map[Currency]int64, error)
}

// BillingReads is what the billing screens read as it is stored: clients,
// rate cards, one invoice, a month's carrier invoice lines and payables.
type BillingReads interface {
	Clients(ctx context.Context) ([]Client, error)
	RateCards(ctx context.Context, clientID int64) ([]RateCard, error)
	Invoice(ctx context.Context, id int64) (Invoice, error)
	CarrierLines(ctx context.Context, period string) ([]CarrierInvoiceLine, error)
	Payables(ctx context.Context, period string) ([]Payable, error)
}

// BillingStore keeps clients, rate cards, rates, charges and invoices.
type BillingStore interface {
	Transactor
	BillingSetup
	ChargeStore
	InvoiceStore
	ReconciliationStore
}

// CarrierInvoiceLine is a reconciled line of an imported carrier invoice.
type CarrierInvoiceLine struct {
	Carrier string
	State   string // open, accepted (a payable), disputed
	Reconciled
}

// Payable is what a carrier is owed for a period (accepted lines) and what
// is in dispute, in one currency.
type Payable struct {
	Carrier          string
	Currency         Currency
	Accepted         int64
	AcceptedLines    int
	Disputed         int64
	DisputedLines    int
	Open, OpenAmount int64
}

var carrierInvoiceHeaders = map[string][]string{
	"tracking": {"tracking", "trackingnumber", "trackingno", "awb", "awbnumber", "waybill", "waybillnumber", "shipmentnumber", "consignment",
		"consignmentnumber", "parcelnumber", "airwaybill", "airwaybillnumber"},
	"amount": {"amount", "charge", "charges", "total", "totalcharge", "totalcharges", "netcharge", "netamount", "cost", "price",
		"totalamount", "invoiceamount"},
	"currency": {"currency", "currencycode", "cur", "ccy"},
	"service":  {"service", "product", "servicetype"},
}

// ParseCarrierInvoice reads a carrier's invoice table (tracking number and
// amount, optionally currency and service; amounts as the carrier writes
// them, "1.234,50" or "1,234.50"), recognising its columns by their
// headers. Rows with a problem are reported and left out.
func ParseCarrierInvoice(headers []string, rows [][]string, defaultCurrency Currency) ([]CarrierLine, []RowProblem, error) {
	return ParseCarrierInvoiceMapped(headers, rows, defaultCurrency, nil)
}

// ParseCarrierInvoiceMapped is ParseCarrierInvoice with columns named by a
// mapping (field → header: "tracking", "amount", "currency", "service");
// fields it does not name are still guessed from the headers.
func ParseCarrierInvoiceMapped(headers []string, rows [][]string, defaultCurrency Currency, mapping map[string]string) ([]CarrierLine, []RowProblem, error) {
	col, err := matchColumns(headers, carrierInvoiceHeaders)
	if err != nil {
		return nil, nil, err
	}
	for field, header := range mapping {
		if _, known := carrierInvoiceHeaders[field]; !known {
			return nil, nil, Errorf(EINVALID, "the mapping names %q; the fields are tracking, amount, currency and service", field)
		}
		i := headerIndex(headers, header)
		col[field] = i
		if i < 0 {
			return nil, nil, Errorf(EINVALID, "the mapping's %s column %q is not in the file (headers found: %s)", field, header, strings.Join(headers, ", "))
		}
	}
	for _, f := range []string{"tracking", "amount"} {
		if _, ok := col[f]; !ok {
			return nil, nil, Errorf(EINVALID, "the file has no %s column (headers found: %s); name it with a mapping", f, strings.Join(headers, ", "))
		}
	}
	var out []CarrierLine
	var problems []RowProblem
	for i, r := range rows {
		get := func(f string) string { return col.cell(r, f) }
		row := i + 2
		tr := NormalizeTracking(get("tracking"))
		if tr == "" && get("amount") == "" {
			continue
		}
		cur := Currency(strings.ToUpper(get("currency")))
		if cur == "" {
			cur = defaultCurrency
		}
		if !cur.Valid() {
			problems = append(problems, RowProblem{RowNumber: row, Column: "currency", Message: fmt.Sprintf("%q is not an ISO 4217 currency", cur)})
			continue
		}
		if tr == "" {
			problems = append(problems, RowProblem{RowNumber: row, Column: "tracking", Message: "no tracking number"})
			continue
		}
		amt, err := ParseAmountRounded(get("amount"), cur)
		if err != nil {
			problems = append(problems, RowProblem{RowNumber: row, Column: "amount", Message: err.Error()})
			continue
		}
		out = append(out, CarrierLine{Row: row, Tracking: tr, Amount: amt, Service: get("service")})
	}
	return out, problems, nil
}

// AgeingRow is what a client owes by age, in its currency.
type AgeingRow struct {
	Client   string
	Currency Currency
	Buckets  [4]int64
}

// ReceiptCharge is stock received for a client: a receipt in the ledger, and
// the inbound it closed, if any.
type ReceiptCharge struct {
	ClientID   int64
	MovementID int64
	Day        time.Time
	Qty        int64
	SKU        string
	InboundID  int64 // the inbound received against (0 ad hoc)
	Inbound    string
}

// ReceivingCharges are the charges for stock received: per unit on each
// receipt, and once per inbound.
func ReceivingCharges(r ReceiptCharge, card RateCard) []Charge {
	var out []Charge
	if card.ReceivingUnit > 0 {
		out = append(out, Charge{ClientID: r.ClientID, Type: ChargeReceiving, Date: Day(r.Day), SourceKind: "receipt", SourceID: r.MovementID,
			Ref: fmt.Sprintf("%s received %s", r.SKU, r.Inbound), Qty: r.Qty, Rate: card.ReceivingUnit, Amount: r.Qty * card.ReceivingUnit, Currency: card.Currency})
	}
	if card.PerInbound > 0 && r.InboundID != 0 {
		out = append(out, Charge{ClientID: r.ClientID, Type: ChargeInbound, Date: Day(r.Day), SourceKind: "inbound", SourceID: r.InboundID,
			Ref: "inbound " + r.Inbound, Qty: 1, Rate: card.PerInbound, Amount: card.PerInbound, Currency: card.Currency})
	}
	return out
}

// ShipmentCost is a shipment with what its carrier charged, for margins.
type ShipmentCost struct {
	ShippedParcel
	OrderID  int64
	Order    string
	ClientID int64
	Charged  Money // from a carrier invoice line (zero currency: not invoiced yet)
	BoxCost  int64 // what the box cost, in the planning currency (0 when shipped outside Portolan)
}

// Margin is revenue (fulfilment charges) less carrier cost for an order,
// a client or a destination.
type Margin struct {
	Key      string
	Currency Currency
	Orders   int
	Revenue  int64
	Cost     int64 // carrier cost: invoiced where a carrier invoice charged it, else expected
	Boxes    int64 // packaging: what the boxes cost
	Margin   int64 // revenue − carrier cost − packaging
}

// PeriodSums are a client's charges of a period summed per currency: all
// but the monthly minimum, those on no invoice, and whether a minimum is
// already on an issued invoice.
type PeriodSums struct {
	WithoutMinimum map[Currency]int64
	Unbilled       map[Currency]int64
	UnbilledCount  int
	MinimumIssued  bool
}

// CarrierInvoiceFields are the columns a carrier invoice mapping names.
var CarrierInvoiceFields = []string{"tracking", "amount", "currency", "service"}

// GuessCarrierColumns guesses which header holds each field ("" none),
// starting from a remembered mapping.
func GuessCarrierColumns(headers []string, remembered map[string]string) map[string]string {
	out := map[string]string{}
	col, _ := matchColumns(headers, carrierInvoiceHeaders)
	for f, i := range col {
		out[f] = headers[i]
	}
	for f, h := range remembered {
		if i := headerIndex(headers, h); i >= 0 {
			out[f] = headers[i]
		}
	}
	return out
}

// headerIndex is the column whose header is name (case and spaces aside),
// -1 when none is.
func headerIndex(headers []string, name string) int {
	for i, h := range headers {
		if strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(name)) {
			return i
		}
	}
	return -1
}
