package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// OrderStatus is where an order is in its lifecycle.
type OrderStatus string

// Order statuses. The main path is new → allocated → picking → packed →
// shipped → delivered; the others branch off it (see CanTransition).
const (
	StatusNew         OrderStatus = "new"
	StatusAllocated   OrderStatus = "allocated"
	StatusPicking     OrderStatus = "picking"
	StatusPacked      OrderStatus = "packed"
	StatusShipped     OrderStatus = "shipped"
	StatusDelivered   OrderStatus = "delivered"
	StatusOnHold      OrderStatus = "on_hold"
	StatusBackordered OrderStatus = "backordered"
	StatusCancelled   OrderStatus = "cancelled"
	StatusException   OrderStatus = "exception"
)

// OrderStatuses lists every status in lifecycle order.
var OrderStatuses = []OrderStatus{
	StatusNew, StatusAllocated, StatusPicking, StatusPacked, StatusShipped, StatusDelivered,
	StatusOnHold, StatusBackordered, StatusCancelled, StatusException,
}

// transitions is the order state machine: from → allowed targets.
var transitions = map[OrderStatus][]OrderStatus{
	// An order not yet picked may be shipped outside Portolan (a parcel
	// registered with its tracking number): it is shipped, and follows it.
	StatusNew:         {StatusAllocated, StatusBackordered, StatusOnHold, StatusCancelled, StatusShipped},
	StatusAllocated:   {StatusPicking, StatusNew, StatusBackordered, StatusOnHold, StatusCancelled, StatusShipped},
	StatusPicking:     {StatusPacked, StatusAllocated, StatusException, StatusCancelled},
	StatusPacked:      {StatusShipped, StatusPicking, StatusException, StatusCancelled},
	StatusShipped:     {StatusDelivered, StatusException},
	StatusDelivered:   {StatusException},
	StatusOnHold:      {StatusNew, StatusCancelled, StatusShipped},
	StatusBackordered: {StatusAllocated, StatusNew, StatusOnHold, StatusCancelled, StatusShipped},
	StatusCancelled:   {},
	StatusException:   {StatusNew, StatusShipped, StatusDelivered, StatusOnHold, StatusCancelled},
}

// ParseOrderStatus rejects unknown statuses; "on hold" and "On-Hold" are accepted as on_hold.
func ParseOrderStatus(s string) (OrderStatus, error) {
	norm := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
	st := OrderStatus(norm)
	if _, ok := transitions[st]; !ok {
		names := make([]string, len(OrderStatuses))
		for i, o := range OrderStatuses {
			names[i] = string(o)
		}
		return "", Errorf(EINVALID, "unknown order status %q (one of %s)", s, strings.Join(names, ", "))
	}
	return st, nil
}

// Label is the status for people: "On hold".
func (s OrderStatus) Label() string {
	t := strings.ReplaceAll(string(s), "_", " ")
	if t == "" {
		return ""
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

func (s OrderStatus) String() string { return string(s) }

// CanTransition reports whether an order may move from one status to another.
func CanTransition(from, to OrderStatus) bool {
	for _, t := range transitions[from] {
		if t == to {
			return true
		}
	}
	return false
}

// NextStatuses lists the statuses an order in s may move to.
func NextStatuses(s OrderStatus) []OrderStatus {
	return append([]OrderStatus(nil), transitions[s]...)
}

// OrderLine is one SKU on an order.
type OrderLine struct {
	SKU       string
	Name      string
	Quantity  Quantity
	UnitPrice Money
}

// Total is UnitPrice × Quantity.
func (l OrderLine) Total() (Money, error) { return l.UnitPrice.Mul(l.Quantity) }

// SearchCountCap is the most orders a search counts exactly (see
// OrderReads.CountOrders).
const SearchCountCap = 10_000

// StatusChange is one entry of an order's history.
type StatusChange struct {
	At     time.Time // UTC
	From   OrderStatus
	To     OrderStatus
	Reason string
	Who    string // the person whose Portolan made the change ("" before Portolan recorded it)
}

// Order is a customer order from a channel.
// OpenStatuses are the statuses of orders yet to ship: they have a
// ship-by, and can be late.
var OpenStatuses = []OrderStatus{StatusNew, StatusAllocated, StatusPicking, StatusPacked, StatusOnHold, StatusBackordered, StatusException}

// Open reports whether an order of this status has yet to ship.
func (s OrderStatus) Open() bool { return slices.Contains(OpenStatuses, s) }

type Order struct {
	ID            int64
	ChannelID     int64
	ChannelCode   string // filled by stores when reading
	ExternalID    string // the channel's id; unique per channel
	Number        string // the number the customer sees, e.g. "#1042"
	PlacedAt      time.Time
	UpdatedAt     time.Time
	Currency      Currency
	Lines         []OrderLine
	Shipping      Money
	Tax           Money
	Total         Money
	ShipTo        Address
	CustomerEmail string
	Notes         string
	Status        OrderStatus
	History       []StatusChange
	// StatusChanged is who last changed its status, and when: set by the
	// reads that list orders without their history (exports).
	StatusChanged Change
	// Review, when not empty, says what the source changed after the order was
	// allocated; the change was not applied and a coordinator should look.
	Review string
	// Service is the shipping service the customer chose ("Express", "Standard
	// shipping"), as the storefront names it; "" when unknown.
	Service string
	// Priority is set by hand, -9 to 9 (0: normal); higher is allocated first.
	Priority int
	// ShipBy is when it must ship by its channel's promise, as last worked
	// out (app.PromiseService.Refresh); zero when not yet.
	ShipBy time.Time
}

// expressWords mark a shipping service the customer paid to have fast.
var expressWords = []string{"express", "expedited", "next day", "next-day", "overnight", "priority", "same day", "same-day",
	"1-day", "one day", "24h", "24 h", "eilversand", "prioritaire", "urgente", "速達", "翌日", "당일", "익일"}

// IsExpress reports whether a shipping service name is an express one.
func IsExpress(service string) bool {
	s := strings.ToLower(service)
	for _, w := range expressWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// Subtotal sums the lines.
func (o Order) Subtotal() (Money, error) {
	sum := NewMoney(0, o.Currency)
	for _, l := range o.Lines {
		t, err := l.Total()
		if err != nil {
			return Money{}, err
		}
		if sum, err = sum.Add(t); err != nil {
			return Money{}, err
		}
	}
	return sum, nil
}

// ComputedTotal is subtotal + shipping + tax.
func (o Order) ComputedTotal() (Money, error) {
	s, err := o.Subtotal()
	if err != nil {
		return Money{}, err
	}
	for _, m := range []Money{o.Shipping, o.Tax} {
		if m.Currency == "" && m.Amount == 0 {
			continue
		}
		if s, err = s.Add(m); err != nil {
			return Money{}, err
		}
	}
	return s, nil
}

// Units is the sum of line quantities.
func (o Order) Units() Quantity {
	var q Quantity
	for _, l := range o.Lines {
		q += l.Quantity
	}
	return q
}

// Validate checks identity, currency, lines, address and status.
func (o Order) Validate() error {
	ref := o.Number
	if ref == "" {
		ref = o.ExternalID
	}
	if strings.TrimSpace(o.ExternalID) == "" {
		return Errorf(EINVALID, "order %s has no external id", ref)
	}
	if strings.TrimSpace(o.Number) == "" {
		return Errorf(EINVALID, "order %s has no number", ref)
	}
	if o.PlacedAt.IsZero() {
		return Errorf(EINVALID, "order %s has no placed-at time", ref)
	}
	if err := checkPlaced(ref, o.PlacedAt); err != nil {
		return err
	}
	if err := checkOrderText(o); err != nil {
		return err
	}
	if !o.Currency.Valid() {
		return Errorf(EINVALID, "order %s: %q is not an ISO 4217 currency", ref, string(o.Currency))
	}
	if len(o.Lines) == 0 {
		return Errorf(EINVALID, "order %s has no lines", ref)
	}
	for i, l := range o.Lines {
		if err := ValidateSKU(l.SKU); err != nil {
			return Errorf(EINVALID, "order %s line %d: %s", ref, i+1, err)
		}
		if err := l.Quantity.Positive("the quantity"); err != nil {
			return Errorf(EINVALID, "order %s line %d (%s): %v", ref, i+1, l.SKU, err)
		}
		if l.UnitPrice.Currency != o.Currency {
			return Errorf(EINVALID, "order %s line %d (%s): price in %s, order in %s", ref, i+1, l.SKU, l.UnitPrice.Currency, o.Currency)
		}
		if l.UnitPrice.Amount < 0 {
			return Errorf(EINVALID, "order %s line %d (%s): negative price", ref, i+1, l.SKU)
		}
	}
	if o.Total.Currency != o.Currency {
		return Errorf(EINVALID, "order %s: total in %s, order in %s", ref, o.Total.Currency, o.Currency)
	}
	if err := o.ShipTo.Validate(); err != nil {
		return Errorf(EINVALID, "order %s ship-to: %s", ref, err)
	}
	if o.CustomerEmail != "" {
		if err := ValidateEmail(o.CustomerEmail); err != nil {
			return Errorf(EINVALID, "order %s: %s", ref, err)
		}
	}
	if _, ok := transitions[o.Status]; !ok {
		return Errorf(EINVALID, "order %s: unknown status %q", ref, string(o.Status))
	}
	return nil
}

// CheckTransition is the state machine's answer to order number going from
// from to to: nil, or an ECONFLICT error (ErrIllegalTransition) naming the
// order and both statuses. A store that changes a status without loading
// the order asks it too.
func CheckTransition(number string, from, to OrderStatus) error {
	if CanTransition(from, to) {
		return nil
	}
	return &Error{Code: ECONFLICT, Err: ErrIllegalTransition,
		Message: fmt.Sprintf("Order %s is %s and cannot become %s; reload it to see what changed.", number, from.Label(), to.Label())}
}

// TransitionTo moves the order to status to, recording the change with its
// time (stored in UTC) and reason. Illegal transitions return an error
// wrapping ErrIllegalTransition and leave the order unchanged.
func (o *Order) TransitionTo(to OrderStatus, at time.Time, reason string) error {
	if err := CheckTransition(o.Number, o.Status, to); err != nil {
		return err
	}
	o.History = append(o.History, StatusChange{At: at.UTC(), From: o.Status, To: to, Reason: reason})
	o.Status = to
	o.UpdatedAt = at.UTC()
	return nil
}
