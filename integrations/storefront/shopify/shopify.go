// Package shopify reads orders from a Shopify store through the Admin GraphQL
// API (pinned version) and maps them to Portolan's domain types. It
// implements domain.OrderSource.
//
// Incremental reads filter with updated_at:>= and sort by UPDATED_AT, paging
// with the connection's cursor (a keyset on the sort key, so an order changed
// during a sync moves behind the cursor instead of shifting a page). Shopify's
// cost-based throttling is honoured by waiting: a THROTTLED answer (HTTP 200
// or 429) waits until the bucket has restored the query's cost, then retries.
package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// APIVersion is the Admin API version Portolan speaks.
const APIVersion = "2026-10"

// A page of the orders connection is PageSize orders (Shopify's maximum). A
// query's requested cost may not exceed 1,000 points (an object costs 1, a
// connection 2 + first × its node's cost), so a page of 250 orders with their
// amounts, addresses and lines (≈ 32 points each) cannot be one query. The
// page is read in two steps: the connection lists 250 order ids (254 points),
// then the orders are read by id, DetailsPerRequest at a time (≈ 960 points),
// each with its first LinesPerOrder lines; an order with more lines has the
// rest read with its own lineItems connection. TestQueriesFitCostLimit checks
// every query's cost.
const (
	PageSize          = 250
	DetailsPerRequest = 30
	LinesPerOrder     = 5
)

// Client reads one shop's orders.
type Client struct {
	rest  *rest.Client
	token string
	// MaxThrottleWaits bounds how often one request waits for the cost bucket.
	MaxThrottleWaits int
}

// New returns a client for the shop at storeURL (e.g. https://shop.myshopify.com)
// with an Admin API access token.
func New(storeURL, token string) (*Client, error) {
	u, err := domain.CheckCredentialURL(storeURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(token) == "" {
		return nil, domain.Errorf(domain.EINVALID, "a Shopify channel needs an Admin API access token")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{rest: rest.New(u, 60*time.Second), token: token, MaxThrottleWaits: 20}, nil
}

// REST exposes the HTTP client's retry settings (tests shorten the waits).
func (c *Client) REST() *rest.Client { return c.rest }

func (c *Client) auth(r *resty.Request) { r.SetHeader("X-Shopify-Access-Token", c.token) }

const graphqlPath = "admin/api/" + APIVersion + "/graphql.json"

const moneyFields = `presentmentMoney { amount currencyCode }`

const addressFields = `name firstName lastName company address1 address2 city province provinceCode zip countryCodeV2 phone`

// listQuery pages the orders connection: ids only, sorted by update time.
var listQuery = `query OrderIDs($first: Int!, $after: String, $query: String!) {
  ordersCount(query: $query) { count precision }
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { id }
  }
}`

// detailsQuery reads the orders of a page by id.
var detailsQuery = `query OrderDetails($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Order {
      id legacyResourceId name createdAt updatedAt cancelledAt email note presentmentCurrencyCode
      displayFinancialStatus displayFulfillmentStatus
      totalPriceSet { ` + moneyFields + ` }
      totalTaxSet { ` + moneyFields + ` }
      totalShippingPriceSet { ` + moneyFields + ` }
      shippingAddress { ` + addressFields + ` }
      billingAddress { ` + addressFields + ` }
      shippingLine { title }
      lineItems(first: ` + fmt.Sprint(LinesPerOrder) + `) {
        pageInfo { hasNextPage endCursor }
        nodes { sku name quantity currentQuantity variant { legacyResourceId } originalUnitPriceSet { ` + moneyFields + ` } }
      }
    }
  }
}`

var moreLinesQuery = `query MoreLines($id: ID!, $after: String) {
  order(id: $id) {
    lineItems(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { sku name quantity currentQuantity variant { legacyResourceId } originalUnitPriceSet { ` + moneyFields + ` } }
    }
  }
}`

type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables"`
}

type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

type gqlResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions struct {
		Cost struct {
			RequestedQueryCost float64 `json:"requestedQueryCost"`
			ThrottleStatus     struct {
				MaximumAvailable   float64 `json:"maximumAvailable"`
				CurrentlyAvailable float64 `json:"currentlyAvailable"`
				RestoreRate        float64 `json:"restoreRate"`
			} `json:"throttleStatus"`
		} `json:"cost"`
	} `json:"extensions"`
}

// query runs a GraphQL query, waiting out THROTTLED answers, and decodes data into out.
func (c *Client) query(ctx context.Context, q string, vars map[string]any, out any) error {
	for wait := 0; ; wait++ {
		resp, err := c.rest.PostJSON(ctx, graphqlPath, gqlRequest{Query: q, Variables: vars}, c.auth)
		if err != nil {
			return err
		}
		var g gqlResponse
		if err := json.Unmarshal(resp.Body(), &g); err != nil {
			return domain.Errorf(domain.EINVALID, "Shopify's answer is not GraphQL JSON (%s)", short(err.Error()))
		}
		if throttled(g.Errors) {
			if wait >= c.MaxThrottleWaits {
				return domain.Errorf(domain.EINTERNAL, "Shopify kept throttling after %d waits; try again later", wait)
			}
			if err := rest.Sleep(ctx, throttleWait(g)); err != nil {
				return err
			}
			continue
		}
		if len(g.Errors) > 0 {
			msgs := make([]string, 0, len(g.Errors))
			for _, e := range g.Errors {
				msgs = append(msgs, e.Message)
			}
			if strings.Contains(strings.ToLower(strings.Join(msgs, " ")), "access denied") {
				return domain.Errorf(domain.EINVALID, "Shopify denied access (%s); the token needs the read_orders scope (read_all_orders for orders older than 60 days; write_merchant_managed_fulfillment_orders to send tracking numbers back)", short(strings.Join(msgs, "; ")))
			}
			return domain.Errorf(domain.EINVALID, "Shopify answered with errors: %s", short(strings.Join(msgs, "; ")))
		}
		if len(g.Data) == 0 || string(g.Data) == "null" {
			return domain.Errorf(domain.EINVALID, "Shopify's answer has no data")
		}
		if err := json.Unmarshal(g.Data, out); err != nil {
			return domain.Errorf(domain.EINVALID, "Shopify's answer has an unexpected shape (%s)", short(err.Error()))
		}
		return nil
	}
}

func throttled(errs []gqlError) bool {
	for _, e := range errs {
		if e.Extensions.Code == "THROTTLED" || strings.EqualFold(e.Message, "Throttled") {
			return true
		}
	}
	return false
}

// throttleWait is the time until the bucket holds the query's cost again.
func throttleWait(g gqlResponse) time.Duration {
	ts := g.Extensions.Cost.ThrottleStatus
	need := g.Extensions.Cost.RequestedQueryCost - ts.CurrentlyAvailable
	if ts.RestoreRate <= 0 || need <= 0 || math.IsNaN(need) {
		return time.Second
	}
	return time.Duration(math.Ceil(need/ts.RestoreRate*1000)) * time.Millisecond
}

func short(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

type money struct {
	PresentmentMoney struct {
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currencyCode"`
	} `json:"presentmentMoney"`
}

type address struct {
	Name         string `json:"name"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	Company      string `json:"company"`
	Address1     string `json:"address1"`
	Address2     string `json:"address2"`
	City         string `json:"city"`
	Province     string `json:"province"`
	ProvinceCode string `json:"provinceCode"`
	Zip          string `json:"zip"`
	CountryCode  string `json:"countryCodeV2"`
	Phone        string `json:"phone"`
}

type lineConnection struct {
	PageInfo struct {
		HasNextPage bool   `json:"hasNextPage"`
		EndCursor   string `json:"endCursor"`
	} `json:"pageInfo"`
	Nodes []struct {
		SKU             string `json:"sku"`
		Name            string `json:"name"`
		Quantity        int64  `json:"quantity"`
		CurrentQuantity *int64 `json:"currentQuantity"`
		Variant         *struct {
			LegacyResourceID string `json:"legacyResourceId"`
		} `json:"variant"`
		OriginalUnitPriceSet money `json:"originalUnitPriceSet"`
	} `json:"nodes"`
}

type orderNode struct {
	LegacyResourceID        string     `json:"legacyResourceId"`
	Name                    string     `json:"name"`
	CreatedAt               time.Time  `json:"createdAt"`
	UpdatedAt               time.Time  `json:"updatedAt"`
	CancelledAt             *time.Time `json:"cancelledAt"`
	Email                   string     `json:"email"`
	Note                    string     `json:"note"`
	PresentmentCurrencyCode string     `json:"presentmentCurrencyCode"`
	FinancialStatus         string     `json:"displayFinancialStatus"`
	FulfillmentStatus       string     `json:"displayFulfillmentStatus"`
	TotalPriceSet           money      `json:"totalPriceSet"`
	TotalTaxSet             money      `json:"totalTaxSet"`
	TotalShippingPriceSet   money      `json:"totalShippingPriceSet"`
	ShippingAddress         *address   `json:"shippingAddress"`
	BillingAddress          *address   `json:"billingAddress"`
	ShippingLine            *struct {
		Title string `json:"title"`
	} `json:"shippingLine"`
	LineItems lineConnection `json:"lineItems"`
}

type ordersData struct {
	OrdersCount *struct {
		Count     int    `json:"count"`
		Precision string `json:"precision"`
	} `json:"ordersCount"`
	Orders struct {
		PageInfo struct {
			HasNextPage bool   `json:"hasNextPage"`
			EndCursor   string `json:"endCursor"`
		} `json:"pageInfo"`
		Nodes []struct {
			ID string `json:"id"`
		} `json:"nodes"`
	} `json:"orders"`
}

// FetchUpdated implements domain.OrderSource. The token is the connection's end cursor.
func (c *Client) FetchUpdated(ctx context.Context, since time.Time, token string) (domain.OrderPage, error) {
	filter := "updated_at:>='" + since.UTC().Format(time.RFC3339) + "'"
	if since.IsZero() {
		filter = "updated_at:>='1970-01-01T00:00:00Z'"
	}
	vars := map[string]any{"first": PageSize, "query": filter}
	if token != "" {
		vars["after"] = token
	}
	var list ordersData
	if err := c.query(ctx, listQuery, vars, &list); err != nil {
		return domain.OrderPage{}, fmt.Errorf("reading Shopify orders: %w", err)
	}
	page := domain.OrderPage{ReportedTotal: -1}
	if list.OrdersCount != nil && list.OrdersCount.Precision == "EXACT" {
		page.ReportedTotal = list.OrdersCount.Count
	}
	ids := make([]any, 0, len(list.Orders.Nodes))
	for _, n := range list.Orders.Nodes {
		ids = append(ids, n.ID)
	}
	for start := 0; start < len(ids); start += DetailsPerRequest {
		chunk := ids[start:min(start+DetailsPerRequest, len(ids))]
		var data struct {
			Nodes []json.RawMessage `json:"nodes"`
		}
		if err := c.query(ctx, detailsQuery, map[string]any{"ids": chunk}, &data); err != nil {
			return domain.OrderPage{}, fmt.Errorf("reading Shopify orders: %w", err)
		}
		for i, raw := range data.Nodes {
			if len(raw) == 0 || string(raw) == "null" {
				continue // deleted in Shopify since the page was listed
			}
			id := fmt.Sprint(chunk[min(i, len(chunk)-1)])
			var n orderNode
			if err := json.Unmarshal(raw, &n); err != nil {
				page.Rejected = append(page.Rejected, domain.RejectedOrder{ExternalID: strings.TrimPrefix(id, "gid://shopify/Order/"),
					Reason: "malformed order: " + short(err.Error()), Raw: domain.RawPayload(raw)})
				continue
			}
			if n.LineItems.PageInfo.HasNextPage {
				if err := c.moreLines(ctx, &n); err != nil {
					return domain.OrderPage{}, fmt.Errorf("reading the lines of Shopify order %s: %w", n.Name, err)
				}
			}
			o, err := n.toDomain()
			if err != nil {
				page.Rejected = append(page.Rejected, domain.RejectedOrder{ExternalID: n.LegacyResourceID, Reason: err.Error(), Raw: domain.RawPayload(raw)})
				continue
			}
			page.Orders = append(page.Orders, o)
		}
	}
	if list.Orders.PageInfo.HasNextPage {
		page.Next = list.Orders.PageInfo.EndCursor
	}
	return page, nil
}

// moreLines reads the lines of an order beyond the first LinesPerOrder.
func (c *Client) moreLines(ctx context.Context, n *orderNode) error {
	after := n.LineItems.PageInfo.EndCursor
	for {
		var data struct {
			Order *struct {
				LineItems lineConnection `json:"lineItems"`
			} `json:"order"`
		}
		vars := map[string]any{"id": "gid://shopify/Order/" + n.LegacyResourceID, "after": after}
		if err := c.query(ctx, moreLinesQuery, vars, &data); err != nil {
			return err
		}
		if data.Order == nil {
			return domain.Errorf(domain.EINVALID, "the order disappeared while its lines were read")
		}
		n.LineItems.Nodes = append(n.LineItems.Nodes, data.Order.LineItems.Nodes...)
		if !data.Order.LineItems.PageInfo.HasNextPage {
			return nil
		}
		after = data.Order.LineItems.PageInfo.EndCursor
	}
}

func (n orderNode) toDomain() (domain.SourceOrder, error) {
	if n.LegacyResourceID == "" {
		return domain.SourceOrder{}, fmt.Errorf("order has no id")
	}
	cur, err := domain.ParseCurrency(n.PresentmentCurrencyCode)
	if err != nil {
		return domain.SourceOrder{}, err
	}
	amount := func(what string, m money) (domain.Money, error) {
		a := m.PresentmentMoney
		if a.Amount == "" {
			return domain.NewMoney(0, cur), nil
		}
		if a.CurrencyCode != "" && a.CurrencyCode != string(cur) {
			return domain.Money{}, fmt.Errorf("%s in %s, order in %s", what, a.CurrencyCode, cur)
		}
		v, err := domain.ParseMoney(a.Amount, cur)
		if err != nil {
			return v, fmt.Errorf("%s: %w", what, err)
		}
		return v, nil
	}
	o := domain.Order{ExternalID: n.LegacyResourceID, Number: n.Name, PlacedAt: n.CreatedAt.UTC(), UpdatedAt: n.UpdatedAt.UTC(),
		Currency: cur, Notes: n.Note, CustomerEmail: strings.TrimSpace(n.Email), Status: domain.StatusNew}
	if n.ShippingLine != nil {
		o.Service = strings.TrimSpace(n.ShippingLine.Title)
	}
	if o.Number == "" {
		o.Number = o.ExternalID
	}
	if o.Total, err = amount("total", n.TotalPriceSet); err != nil {
		return domain.SourceOrder{}, err
	}
	if o.Tax, err = amount("tax", n.TotalTaxSet); err != nil {
		return domain.SourceOrder{}, err
	}
	if o.Shipping, err = amount("shipping", n.TotalShippingPriceSet); err != nil {
		return domain.SourceOrder{}, err
	}
	a := n.ShippingAddress
	if a == nil {
		a = n.BillingAddress
	}
	if a == nil {
		return domain.SourceOrder{}, fmt.Errorf("order has neither a shipping nor a billing address")
	}
	name := strings.TrimSpace(a.Name)
	if name == "" {
		name = strings.TrimSpace(a.FirstName + " " + a.LastName)
	}
	country, err := domain.ParseCountry(a.CountryCode)
	if err != nil {
		return domain.SourceOrder{}, fmt.Errorf("ship-to country: %w", err)
	}
	region := a.ProvinceCode
	if region == "" {
		region = a.Province
	}
	o.ShipTo = domain.Address{Name: name, Company: a.Company, Line1: a.Address1, Line2: a.Address2, City: a.City,
		Region: region, PostalCode: a.Zip, Country: country, Phone: a.Phone, Email: o.CustomerEmail}
	for i, l := range n.LineItems.Nodes {
		price, err := amount(fmt.Sprintf("line %d price", i+1), l.OriginalUnitPriceSet)
		if err != nil {
			return domain.SourceOrder{}, err
		}
		sku := strings.TrimSpace(l.SKU)
		if sku == "" && l.Variant != nil && l.Variant.LegacyResourceID != "" {
			sku = "shopify-" + l.Variant.LegacyResourceID
		}
		if sku == "" {
			sku = fmt.Sprintf("shopify-line-%d", i+1) // a custom item without a product
		}
		qty := l.Quantity
		if l.CurrentQuantity != nil {
			qty = *l.CurrentQuantity // after order edits and removals
		}
		if qty <= 0 {
			continue // removed by an order edit
		}
		o.Lines = append(o.Lines, domain.OrderLine{SKU: sku, Name: l.Name, Quantity: domain.Quantity(qty), UnitPrice: price})
	}
	if err := o.Validate(); err != nil {
		return domain.SourceOrder{}, err
	}
	status := strings.ToLower(n.FinancialStatus + "/" + n.FulfillmentStatus)
	if n.CancelledAt != nil {
		status = "cancelled"
	}
	return domain.SourceOrder{Order: o, SourceStatus: status, Cancelled: n.CancelledAt != nil}, nil
}

// DecodeOrder maps one order node of the details query. It is the decoder the
// client uses for every order, exposed for fuzzing.
func DecodeOrder(raw []byte) (domain.SourceOrder, error) {
	var n orderNode
	if err := json.Unmarshal(raw, &n); err != nil {
		return domain.SourceOrder{}, domain.Errorf(domain.EINVALID, "malformed order: %s", short(err.Error()))
	}
	return n.toDomain()
}
