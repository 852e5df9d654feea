// Package bigcommerce reads orders from a BigCommerce store through the v2
// Orders API and maps them to Portolan's domain types. It implements
// domain.OrderSource.
//
// The list filters on min_date_modified (RFC 2822) sorted by date_modified,
// anchored on the newest modification already read (keyset paging, as for
// WooCommerce, so an order changed during a sync cannot shift a page). Line
// items and ship-to addresses are separate, paged calls per order. An empty
// page may come as 204 No Content. A 429 waits X-Rate-Limit-Time-Reset-Ms.
// Money arrives as strings with four decimals and is rounded half away from
// zero to the currency's minor unit.
package bigcommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// PageSize is the largest page BigCommerce serves.
const PageSize = 250

// Client reads one store's orders.
type Client struct {
	rest  *rest.Client
	token string
	// PerPage is the page size asked for.
	PerPage int
}

// New returns a client for the store at storeURL, the API path a user copies
// from the API account page: https://api.bigcommerce.com/stores/{store_hash}.
func New(storeURL, token string) (*Client, error) {
	u, err := domain.CheckCredentialURL(storeURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(token) == "" {
		return nil, domain.Errorf(domain.EINVALID, "a BigCommerce channel needs an API access token (X-Auth-Token)")
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/v2")
	if u.Host == "api.bigcommerce.com" && !strings.HasPrefix(u.Path, "/stores/") {
		return nil, domain.Errorf(domain.EINVALID, "the BigCommerce address must include the store hash: https://api.bigcommerce.com/stores/{store_hash}")
	}
	return &Client{rest: rest.New(u, 30*time.Second), token: token, PerPage: PageSize}, nil
}

// REST exposes the HTTP client's retry settings (tests shorten the waits).
func (c *Client) REST() *rest.Client { return c.rest }

func (c *Client) auth(r *resty.Request) { r.SetHeader("X-Auth-Token", c.token) }

const rfc2822 = "Mon, 02 Jan 2006 15:04:05 -0700"

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{rfc2822, time.RFC1123Z, time.RFC3339} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q is not RFC 2822", s)
}

// getList fetches a JSON array; 204 and an empty body are an empty list.
func (c *Client) getList(ctx context.Context, path string, q url.Values) ([]json.RawMessage, error) {
	resp, err := c.rest.Get(ctx, path, q, c.auth)
	if err != nil {
		return nil, err
	}
	body := strings.TrimSpace(string(resp.Body()))
	if resp.StatusCode() == http.StatusNoContent || body == "" {
		return nil, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		return nil, domain.Errorf(domain.EINVALID, "BigCommerce's answer is not a list (%s)", short(err.Error()))
	}
	return list, nil
}

// getAll reads every page of a list that BigCommerce pages (50 by default:
// an order's products), PageSize at a time.
func (c *Client) getAll(ctx context.Context, path string) ([]json.RawMessage, error) {
	var all []json.RawMessage
	for page := 1; ; page++ {
		raws, err := c.getList(ctx, path, url.Values{"limit": {strconv.Itoa(PageSize)}, "page": {strconv.Itoa(page)}})
		if err != nil {
			return nil, err
		}
		all = append(all, raws...)
		if len(raws) < PageSize {
			return all, nil
		}
	}
}

func short(s string) string {
	if len(s) > 140 {
		return s[:140] + "…"
	}
	return s
}

type wireAddress struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Company     string `json:"company"`
	Street1     string `json:"street_1"`
	Street2     string `json:"street_2"`
	City        string `json:"city"`
	State       string `json:"state"`
	Zip         string `json:"zip"`
	CountryISO2 string `json:"country_iso2"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`
	// ShippingMethod is on shipping addresses only: the service chosen for it.
	ShippingMethod string `json:"shipping_method"`
}

type wireOrder struct {
	ID                int64  `json:"id"`
	DateCreated       string `json:"date_created"`
	DateModified      string `json:"date_modified"`
	StatusID          int    `json:"status_id"`
	Status            string `json:"status"`
	ShippingCostExTax string `json:"shipping_cost_ex_tax"`
	TotalIncTax       string `json:"total_inc_tax"`
	TotalTax          string `json:"total_tax"`
	// CurrencyCode is the currency the storefront displayed; the amounts
	// are in the transactional currency, DefaultCurrencyCode (BigCommerce's
	// orders.v2 specification). Older answers without it have one currency.
	CurrencyCode        string      `json:"currency_code"`
	DefaultCurrencyCode string      `json:"default_currency_code"`
	CustomerMessage     string      `json:"customer_message"`
	IsDeleted           bool        `json:"is_deleted"`
	BillingAddress      wireAddress `json:"billing_address"`
}

type wireProduct struct {
	Name       string `json:"name"`
	SKU        string `json:"sku"`
	ProductID  int64  `json:"product_id"`
	VariantID  int64  `json:"variant_id"`
	PriceExTax string `json:"price_ex_tax"`
	Quantity   int64  `json:"quantity"`
}

// FetchUpdated implements domain.OrderSource. The token is "<anchor unix seconds>:<page>".
func (c *Client) FetchUpdated(ctx context.Context, since time.Time, token string) (domain.OrderPage, error) {
	k, err := rest.ParseKeyset(token, since)
	if err != nil {
		return domain.OrderPage{}, fmt.Errorf("BigCommerce: %w", err)
	}
	anchor, page := k.Anchor, k.Page
	q := url.Values{}
	q.Set("sort", "date_modified:asc")
	q.Set("limit", strconv.Itoa(c.PerPage))
	q.Set("page", strconv.Itoa(page))
	if !anchor.IsZero() {
		q.Set("min_date_modified", anchor.Format(rfc2822))
	}
	raws, err := c.getList(ctx, "v2/orders", q)
	if err != nil {
		return domain.OrderPage{}, fmt.Errorf("reading BigCommerce orders: %w", err)
	}
	out := domain.OrderPage{ReportedTotal: -1} // v2 lists carry no totals
	var newest time.Time
	for i, raw := range raws {
		var w wireOrder
		if err := json.Unmarshal(raw, &w); err != nil {
			out.Rejected = append(out.Rejected, domain.RejectedOrder{ExternalID: fmt.Sprintf("(item %d)", i+1),
				Reason: "malformed order: " + short(err.Error()), Raw: domain.RawPayload(raw)})
			continue
		}
		if t, err := parseTime(w.DateModified); err == nil && t.After(newest) {
			newest = t
		}
		o, err := c.complete(ctx, w)
		if err != nil {
			if ctx.Err() != nil {
				return domain.OrderPage{}, ctx.Err()
			}
			if domain.ErrorCode(err) == domain.EINTERNAL {
				return domain.OrderPage{}, fmt.Errorf("reading BigCommerce order %d: %w", w.ID, err) // the store failed: retry the page later
			}
			out.Rejected = append(out.Rejected, domain.RejectedOrder{ExternalID: strconv.FormatInt(w.ID, 10), Reason: err.Error(), Raw: domain.RawPayload(raw)})
			continue
		}
		out.Orders = append(out.Orders, o)
	}
	if len(raws) < c.PerPage {
		return out, nil
	}
	// min_date_modified is inclusive: re-anchor on the newest second read.
	out.Next = k.Next(newest)
	return out, nil
}

// complete reads the order's lines and ship-to address and maps it.
func (c *Client) complete(ctx context.Context, w wireOrder) (domain.SourceOrder, error) {
	id := strconv.FormatInt(w.ID, 10)
	var products []wireProduct
	raws, err := c.getAll(ctx, "v2/orders/"+id+"/products")
	if err != nil {
		return domain.SourceOrder{}, fmt.Errorf("lines: %w", err)
	}
	for _, r := range raws {
		var p wireProduct
		if err := json.Unmarshal(r, &p); err != nil {
			return domain.SourceOrder{}, domain.Errorf(domain.EINVALID, "malformed line: %s", short(err.Error()))
		}
		products = append(products, p)
	}
	raws, err = c.getList(ctx, "v2/orders/"+id+"/shipping_addresses", nil)
	if err != nil {
		return domain.SourceOrder{}, fmt.Errorf("shipping address: %w", err)
	}
	addr := w.BillingAddress // digital orders have no shipping address
	if len(raws) > 1 {
		// Portolan's order has one ship-to: importing the first address only
		// would send everything there.
		return domain.SourceOrder{}, domain.Errorf(domain.EINVALID, "the order ships to %d addresses, and Portolan keeps one per order; "+
			"it is quarantined: ship it from BigCommerce, or split it there into one order per address", len(raws))
	}
	if len(raws) > 0 {
		if err := json.Unmarshal(raws[0], &addr); err != nil {
			return domain.SourceOrder{}, domain.Errorf(domain.EINVALID, "malformed shipping address: %s", short(err.Error()))
		}
	}
	return w.toDomain(products, addr)
}

func (w wireOrder) toDomain(products []wireProduct, a wireAddress) (domain.SourceOrder, error) {
	code := w.DefaultCurrencyCode
	if strings.TrimSpace(code) == "" {
		code = w.CurrencyCode
	}
	cur, err := domain.ParseCurrency(code)
	if err != nil {
		return domain.SourceOrder{}, err
	}
	amount := func(what, s string) (domain.Money, error) {
		if strings.TrimSpace(s) == "" {
			return domain.NewMoney(0, cur), nil
		}
		m, err := domain.ParseMoneyRounded(s, cur)
		if err != nil {
			return m, fmt.Errorf("%s: %w", what, err)
		}
		return m, nil
	}
	placed, err := parseTime(w.DateCreated)
	if err != nil {
		return domain.SourceOrder{}, err
	}
	modified, err := parseTime(w.DateModified)
	if err != nil {
		modified = placed
	}
	id := strconv.FormatInt(w.ID, 10)
	o := domain.Order{ExternalID: id, Number: id, PlacedAt: placed, UpdatedAt: modified, Currency: cur,
		Notes: w.CustomerMessage, CustomerEmail: strings.TrimSpace(w.BillingAddress.Email), Status: domain.StatusNew,
		Service: strings.TrimSpace(a.ShippingMethod)}
	if o.Total, err = amount("total", w.TotalIncTax); err != nil {
		return domain.SourceOrder{}, err
	}
	if o.Tax, err = amount("tax", w.TotalTax); err != nil {
		return domain.SourceOrder{}, err
	}
	if o.Shipping, err = amount("shipping", w.ShippingCostExTax); err != nil {
		return domain.SourceOrder{}, err
	}
	country, err := domain.ParseCountry(a.CountryISO2)
	if err != nil {
		return domain.SourceOrder{}, fmt.Errorf("ship-to country: %w", err)
	}
	email := a.Email
	if email == "" {
		email = o.CustomerEmail
	}
	o.ShipTo = domain.Address{Name: strings.TrimSpace(a.FirstName + " " + a.LastName), Company: a.Company, Line1: a.Street1,
		Line2: a.Street2, City: a.City, Region: a.State, PostalCode: a.Zip, Country: country, Phone: a.Phone, Email: email}
	for i, p := range products {
		price, err := amount(fmt.Sprintf("line %d price", i+1), p.PriceExTax)
		if err != nil {
			return domain.SourceOrder{}, err
		}
		sku := strings.TrimSpace(p.SKU)
		if sku == "" {
			sku = fmt.Sprintf("bc-%d-%d", p.ProductID, p.VariantID) // custom products have no SKU
		}
		o.Lines = append(o.Lines, domain.OrderLine{SKU: sku, Name: p.Name, Quantity: domain.Quantity(p.Quantity), UnitPrice: price})
	}
	if err := o.Validate(); err != nil {
		return domain.SourceOrder{}, err
	}
	// 4 Refunded, 5 Cancelled, 6 Declined; a deleted order is gone from the store.
	cancelled := w.StatusID == 4 || w.StatusID == 5 || w.StatusID == 6 || w.IsDeleted
	status := strings.ToLower(w.Status)
	if w.IsDeleted {
		status = "deleted"
	}
	return domain.SourceOrder{Order: o, SourceStatus: status, Cancelled: cancelled}, nil
}

// DecodeOrder maps an order with its products and (optional) shipping address
// as the v2 API returns them. It is the decoder the client uses, exposed for fuzzing.
func DecodeOrder(order, products, shippingAddress []byte) (domain.SourceOrder, error) {
	var w wireOrder
	if err := json.Unmarshal(order, &w); err != nil {
		return domain.SourceOrder{}, domain.Errorf(domain.EINVALID, "malformed order: %s", short(err.Error()))
	}
	var ps []wireProduct
	if err := json.Unmarshal(products, &ps); err != nil {
		return domain.SourceOrder{}, domain.Errorf(domain.EINVALID, "malformed lines: %s", short(err.Error()))
	}
	addr := w.BillingAddress
	if len(shippingAddress) > 0 {
		if err := json.Unmarshal(shippingAddress, &addr); err != nil {
			return domain.SourceOrder{}, domain.Errorf(domain.EINVALID, "malformed shipping address: %s", short(err.Error()))
		}
	}
	return w.toDomain(ps, addr)
}
