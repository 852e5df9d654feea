// Package woocommerce reads orders from a WooCommerce store through its REST
// API v3 (/wp-json/wc/v3/orders) and maps them to Portolan's domain types.
// It implements domain.OrderSource.
//
// Incremental reads use modified_after with dates_are_gmt=true, ordered by
// modification time (by creation time where a store refuses that), 100 per
// page, and the store's X-WP-Total header. Authentication is HTTP Basic with
// the consumer key and secret, so only https addresses (or http to this
// computer) are accepted.
package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// PageSize is the largest page WooCommerce serves.
const PageSize = 100

const ordersPath = "wp-json/wc/v3/orders"

// Client reads one store's orders.
type Client struct {
	rest        *rest.Client
	key, secret string
	dp          int
	// PerPage is the page size asked for (WooCommerce allows up to 100).
	PerPage int
	// byDate is set once the store has refused orderby=modified.
	byDate bool
}

// New returns a client for the store at storeURL ("https://store.example",
// the address a user would paste). Credentials over plain http are refused
// except to loopback.
func New(storeURL, consumerKey, consumerSecret string) (*Client, error) {
	u, err := domain.CheckCredentialURL(storeURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(consumerKey) == "" || strings.TrimSpace(consumerSecret) == "" {
		return nil, domain.Errorf(domain.EINVALID, "a WooCommerce channel needs a consumer key and a consumer secret")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{rest: rest.New(u, 30*time.Second), key: consumerKey, secret: consumerSecret, dp: 3, PerPage: PageSize}, nil
}

// REST exposes the HTTP client's retry settings (tests shorten the waits).
func (c *Client) REST() *rest.Client { return c.rest }

func (c *Client) auth(r *resty.Request) { r.SetBasicAuth(c.key, c.secret) }

// FetchUpdated implements domain.OrderSource.
//
// Pages are read by modification time, oldest first, and each request is
// anchored on the newest modification already read (keyset paging) rather
// than on a page number: an order changed while the sync runs moves to the end
// of the list, which would shift a page-numbered list and skip an order at a
// page boundary. The anchor is re-read one second early, since timestamps have
// whole seconds; the upsert makes the re-read harmless. Only when a whole page
// shares that second does the client step to the next page number.
// The token is "<anchor unix seconds>:<page>".
func (c *Client) FetchUpdated(ctx context.Context, since time.Time, token string) (domain.OrderPage, error) {
	if page, ok := strings.CutPrefix(token, byDateToken); ok {
		n, err := strconv.Atoi(page)
		if err != nil || n < 1 {
			return domain.OrderPage{}, domain.Errorf(domain.EINVALID, "WooCommerce: bad page token %q", token)
		}
		return c.fetchByDate(ctx, since, n)
	}
	if c.byDate {
		return c.fetchByDate(ctx, since, 1)
	}
	k, err := rest.ParseKeyset(token, since)
	if err != nil {
		return domain.OrderPage{}, fmt.Errorf("WooCommerce: %w", err)
	}
	resp, err := c.rest.Get(ctx, ordersPath, c.query("modified", k.Anchor, k.Page), c.auth)
	if refusesOrderByModified(err) {
		// Start the window again by creation date; what was read so far
		// is read again, which the upsert makes harmless.
		c.byDate = true
		return c.fetchByDate(ctx, since, 1)
	}
	out, newest, err := c.page(resp, err)
	if err != nil || len(out.Orders)+len(out.Rejected) < c.PerPage {
		return out, err // "" Next: the last page
	}
	// modified_after is exclusive: re-anchor one second before the newest
	// order read, so orders sharing its second on the next page are not missed.
	anchor := time.Time{}
	if !newest.IsZero() {
		anchor = newest.Add(-time.Second)
	}
	out.Next = k.Next(anchor)
	return out, nil
}

// byDateToken starts the page tokens of a window read by creation date.
const byDateToken = "date:"

// fetchByDate reads page n of the orders changed after since, ordered by
// creation date: for stores that refuse orderby=modified (it is missing from
// older WooCommerce versions and from the REST reference). Creation dates do
// not move while the sync runs, so page numbers are stable; the whole window
// from since is read every time, and the cursor moves only at its end.
func (c *Client) fetchByDate(ctx context.Context, since time.Time, n int) (domain.OrderPage, error) {
	resp, err := c.rest.Get(ctx, ordersPath, c.query("date", since.UTC().Truncate(time.Second), n), c.auth)
	out, _, err := c.page(resp, err)
	if err != nil {
		return out, err
	}
	out.ByCreation = true
	out.Notice = "this store does not accept orderby=modified (an older WooCommerce), so orders were read by creation date, " +
		"the whole window again on every sync; updating WooCommerce makes syncs incremental again"
	if len(out.Orders)+len(out.Rejected) == c.PerPage {
		out.Next = byDateToken + strconv.Itoa(n+1)
	}
	return out, nil
}

// query is the orders list's query for one page.
func (c *Client) query(orderBy string, after time.Time, page int) url.Values {
	q := url.Values{}
	q.Set("per_page", strconv.Itoa(c.PerPage))
	q.Set("page", strconv.Itoa(page))
	q.Set("orderby", orderBy)
	q.Set("order", "asc")
	q.Set("status", "any")
	q.Set("dates_are_gmt", "true")
	// Three decimals keep KWD/BHD exact; amounts in two-decimal currencies
	// then end in 0, which ParseMoney accepts.
	q.Set("dp", strconv.Itoa(c.dp))
	if !after.IsZero() {
		q.Set("modified_after", after.Format("2006-01-02T15:04:05"))
	}
	return q
}

// page decodes one answer of the orders list, and the newest change in it.
func (c *Client) page(resp *resty.Response, err error) (domain.OrderPage, time.Time, error) {
	if err != nil {
		return domain.OrderPage{}, time.Time{}, fmt.Errorf("reading WooCommerce orders: %w", err)
	}
	orders, rejected, newest, err := decode(resp.Body())
	if err != nil {
		return domain.OrderPage{}, time.Time{}, fmt.Errorf("reading WooCommerce orders: %w", err)
	}
	out := domain.OrderPage{Orders: orders, Rejected: rejected, ReportedTotal: -1}
	if n, err := strconv.Atoi(resp.Header().Get("X-WP-Total")); err == nil {
		out.ReportedTotal = n
	}
	return out, newest, nil
}

// refusesOrderByModified tells WordPress's answer to a value outside a
// parameter's enum, for orderby:
// {"code":"rest_invalid_param","message":"Invalid parameter(s): orderby",
// "data":{"status":400,"params":{"orderby":"orderby is not one of date, id, include, title, slug."}}}
func refusesOrderByModified(err error) bool {
	var se *rest.StatusError
	if !errors.As(err, &se) || se.Status != 400 {
		return false
	}
	var body struct {
		Code string `json:"code"`
		Data struct {
			Params map[string]string `json:"params"`
		} `json:"data"`
	}
	if json.Unmarshal(se.Body, &body) != nil || body.Code != "rest_invalid_param" {
		return false
	}
	_, ok := body.Data.Params["orderby"]
	return ok
}

// wire types: only the fields Portolan reads.
type wireOrder struct {
	ID              json.Number `json:"id"`
	Number          string      `json:"number"`
	Status          string      `json:"status"`
	Currency        string      `json:"currency"`
	DateCreatedGMT  string      `json:"date_created_gmt"`
	DateModifiedGMT string      `json:"date_modified_gmt"`
	ShippingTotal   flexDecimal `json:"shipping_total"`
	TotalTax        flexDecimal `json:"total_tax"`
	Total           flexDecimal `json:"total"`
	CustomerNote    string      `json:"customer_note"`
	Billing         wireAddress `json:"billing"`
	Shipping        wireAddress `json:"shipping"`
	LineItems       []wireLine  `json:"line_items"`
	ShippingLines   []struct {
		MethodTitle string `json:"method_title"`
	} `json:"shipping_lines"`
}

type wireAddress struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
}

type wireLine struct {
	Name        string      `json:"name"`
	ProductID   json.Number `json:"product_id"`
	VariationID json.Number `json:"variation_id"`
	Quantity    json.Number `json:"quantity"`
	SKU         string      `json:"sku"`
	Price       flexDecimal `json:"price"` // a JSON number in WooCommerce, totals are strings
	Subtotal    flexDecimal `json:"subtotal"`
	Total       flexDecimal `json:"total"`
}

// flexDecimal accepts a decimal as a JSON string or number and keeps its
// exact text; it is never converted to a float.
type flexDecimal string

func (d *flexDecimal) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*d = ""
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		*d = flexDecimal(strings.TrimSpace(str))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("amount %s is neither a string nor a number", s)
	}
	*d = flexDecimal(n.String())
	return nil
}

// Decode parses a page of WooCommerce orders. A body that is not a JSON array
// of objects is an error; an order that cannot be mapped is rejected with its
// reason and the others are kept.
func Decode(body []byte) ([]domain.SourceOrder, []domain.RejectedOrder, error) {
	orders, rejected, _, err := decode(body)
	return orders, rejected, err
}

// decode is Decode that also returns the newest modification time on the
// page, rejected orders included.
func decode(body []byte) ([]domain.SourceOrder, []domain.RejectedOrder, time.Time, error) {
	// The whole page in one pass when it is well-formed (the usual case) …
	// (a page with a bad order is read again below, to keep each payload as sent) …
	var whole []wireOrder
	if json.Unmarshal(body, &whole) == nil {
		orders := make([]domain.SourceOrder, 0, len(whole))
		var newest time.Time
		for _, w := range whole {
			if t, err := gmt(w.DateModifiedGMT); err == nil && t.After(newest) {
				newest = t
			}
			o, err := w.toDomain()
			if err != nil {
				orders = nil
				break
			}
			orders = append(orders, o)
		}
		if orders != nil {
			return orders, nil, newest, nil
		}
	}
	// … else order by order, so one malformed order does not stop the page.
	var raw []json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, nil, time.Time{}, domain.Errorf(domain.EINVALID, "the store's answer is not a list of orders (%s)", shortJSONError(err))
	}
	var orders []domain.SourceOrder
	var rejected []domain.RejectedOrder
	var newest time.Time
	for i, r := range raw {
		var w wireOrder
		err := json.Unmarshal(r, &w)
		modified := w.DateModifiedGMT
		if err != nil {
			// A malformed order still moves the page's position forward.
			var stamp struct {
				Modified string `json:"date_modified_gmt"`
			}
			_ = json.Unmarshal(r, &stamp)
			modified = stamp.Modified
		}
		if t, terr := gmt(modified); terr == nil && t.After(newest) {
			newest = t
		}
		if err != nil {
			rejected = append(rejected, domain.RejectedOrder{ExternalID: fmt.Sprintf("(item %d)", i+1),
				Reason: "malformed order: " + shortJSONError(err), Raw: domain.RawPayload(r)})
			continue
		}
		o, err := w.toDomain()
		if err != nil {
			rejected = append(rejected, domain.RejectedOrder{ExternalID: w.ID.String(), Reason: err.Error(), Raw: domain.RawPayload(r)})
			continue
		}
		orders = append(orders, o)
	}
	return orders, rejected, newest, nil
}

func shortJSONError(err error) string {
	s := err.Error()
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// gmt parses WooCommerce's "2006-01-02T15:04:05" GMT timestamps (no offset).
func gmt(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q is not YYYY-MM-DDTHH:MM:SS", s)
}

func (w wireOrder) toDomain() (domain.SourceOrder, error) {
	id := strings.TrimSpace(w.ID.String())
	if id == "" || id == "0" {
		return domain.SourceOrder{}, fmt.Errorf("order has no id")
	}
	cur, err := domain.ParseCurrency(w.Currency)
	if err != nil {
		return domain.SourceOrder{}, err
	}
	placed, err := gmt(w.DateCreatedGMT)
	if err != nil {
		return domain.SourceOrder{}, fmt.Errorf("created: %w", err)
	}
	modified, err := gmt(w.DateModifiedGMT)
	if err != nil {
		modified = placed
	}
	money := func(what string, d flexDecimal) (domain.Money, error) {
		if d == "" {
			return domain.NewMoney(0, cur), nil
		}
		m, err := domain.ParseMoney(string(d), cur)
		if err != nil {
			return m, fmt.Errorf("%s: %w", what, err)
		}
		return m, nil
	}
	o := domain.Order{ExternalID: id, Number: w.Number, PlacedAt: placed, UpdatedAt: modified, Currency: cur,
		Notes: w.CustomerNote, CustomerEmail: strings.TrimSpace(w.Billing.Email), Status: domain.StatusNew}
	if o.Number == "" {
		o.Number = id
	}
	if len(w.ShippingLines) > 0 {
		o.Service = strings.TrimSpace(w.ShippingLines[0].MethodTitle)
	}
	if o.Shipping, err = money("shipping total", w.ShippingTotal); err != nil {
		return domain.SourceOrder{}, err
	}
	if o.Tax, err = money("total tax", w.TotalTax); err != nil {
		return domain.SourceOrder{}, err
	}
	if o.Total, err = money("total", w.Total); err != nil {
		return domain.SourceOrder{}, err
	}
	addr := w.Shipping
	if strings.TrimSpace(addr.Address1) == "" && strings.TrimSpace(addr.City) == "" {
		addr = w.Billing // no separate shipping address
	}
	name := strings.TrimSpace(strings.TrimSpace(addr.FirstName) + " " + strings.TrimSpace(addr.LastName))
	country, err := domain.ParseCountry(addr.Country)
	if err != nil {
		return domain.SourceOrder{}, fmt.Errorf("ship-to country: %w", err)
	}
	phone := addr.Phone
	if phone == "" {
		phone = w.Billing.Phone
	}
	o.ShipTo = domain.Address{Name: name, Company: addr.Company, Line1: addr.Address1, Line2: addr.Address2,
		City: addr.City, Region: addr.State, PostalCode: addr.Postcode, Country: country, Phone: phone, Email: o.CustomerEmail}
	for i, l := range w.LineItems {
		q, err := strconv.ParseInt(l.Quantity.String(), 10, 64)
		if err != nil || q <= 0 {
			return domain.SourceOrder{}, fmt.Errorf("line %d: quantity %q is not a positive whole number", i+1, l.Quantity)
		}
		price, err := unitPrice(l, q, cur)
		if err != nil {
			return domain.SourceOrder{}, fmt.Errorf("line %d: %w", i+1, err)
		}
		sku := strings.TrimSpace(l.SKU)
		if sku == "" {
			// Products without a SKU are still orderable in WooCommerce.
			sku = "woo-" + l.ProductID.String()
			if v := l.VariationID.String(); v != "" && v != "0" {
				sku += "-" + v
			}
		}
		o.Lines = append(o.Lines, domain.OrderLine{SKU: sku, Name: l.Name, Quantity: domain.Quantity(q), UnitPrice: price})
	}
	if err := o.Validate(); err != nil {
		return domain.SourceOrder{}, err
	}
	status := strings.ToLower(w.Status)
	cancelled := status == "cancelled" || status == "refunded" || status == "failed" || status == "trash"
	return domain.SourceOrder{Order: o, SourceStatus: status, Cancelled: cancelled}, nil
}

// unitPrice is a line's price for one unit. WooCommerce's "price" is the
// line's subtotal divided by its quantity, unrounded ("18.900000000000002",
// a long-standing WooCommerce behaviour), so the unit price is worked out
// from the exact subtotal and the quantity, rounded to the currency's minor
// unit half away from zero; "price" is only read without a subtotal.
func unitPrice(l wireLine, q int64, cur domain.Currency) (domain.Money, error) {
	if l.Subtotal != "" {
		sub, err := domain.ParseMoneyRounded(string(l.Subtotal), cur)
		if err != nil {
			return sub, fmt.Errorf("subtotal: %w", err)
		}
		if sub.Amount < 0 {
			return sub, domain.Errorf(domain.EINVALID, "subtotal %s is negative", l.Subtotal)
		}
		return domain.NewMoney((sub.Amount*2+q)/(2*q), cur), nil
	}
	if l.Price == "" {
		return domain.NewMoney(0, cur), nil
	}
	m, err := domain.ParseMoneyRounded(string(l.Price), cur)
	if err != nil {
		return m, fmt.Errorf("price: %w", err)
	}
	return m, nil
}
