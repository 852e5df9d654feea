package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/internal/gqlcost"
)

// serveShopify answers the Admin GraphQL queries Portolan sends the way Shopify
// does: the orders connection (ordersCount, sorted by UPDATED_AT, filtered with
// updated_at:>='…', cursor paging, at most 250 per page), orders read by id
// with nodes(ids:), an order's further lines, and the cost extension. A query
// whose requested cost exceeds Shopify's single-query limit is refused with
// MAX_COST_EXCEEDED, as Shopify refuses it.
func (s *Store) serveShopify(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Shopify-Access-Token") != ShopifyToken {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
		return
	}
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"errors":[{"message":"Bad request"}]}`)
		return
	}
	requested, err := gqlcost.QueryCost(req.Query, req.Variables)
	if err != nil {
		fmt.Fprintf(w, `{"errors":[{"message":%q}]}`, "Parse error: "+err.Error())
		return
	}
	if requested > gqlcost.Max {
		fmt.Fprintf(w, `{"errors":[{"message":"Query cost is %d, which exceeds the single query max cost limit (%d).","extensions":{"code":"MAX_COST_EXCEEDED","cost":%d,"maxCost":%d}}]}`,
			requested, gqlcost.Max, requested, gqlcost.Max)
		return
	}
	cost := fmt.Sprintf(`"extensions":{"cost":{"requestedQueryCost":%d,"actualQueryCost":%d,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":%d,"restoreRate":100.0}}}`,
		requested, requested/4, 2000-requested/4)
	switch {
	case strings.Contains(req.Query, "MoreLines"):
		// Sandbox orders have few lines: the first page of lines was complete.
		fmt.Fprintf(w, `{"data":{"order":{"lineItems":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]}}},%s}`, cost)
	case strings.Contains(req.Query, "nodes(ids:"):
		ids, _ := req.Variables["ids"].([]any)
		nodes := make([]string, 0, len(ids))
		for _, v := range ids {
			gid, _ := v.(string)
			id, err := strconv.ParseInt(strings.TrimPrefix(gid, shopifyOrderGID), 10, 64)
			o, ok := s.orders[id]
			if err != nil || !strings.HasPrefix(gid, shopifyOrderGID) || !ok {
				nodes = append(nodes, "null")
				continue
			}
			b, _ := json.Marshal(toShopify(o))
			nodes = append(nodes, string(b))
		}
		fmt.Fprintf(w, `{"data":{"nodes":[%s]},%s}`, strings.Join(nodes, ","), cost)
	default:
		s.serveShopifyOrders(w, req.Variables, cost)
	}
}

const shopifyOrderGID = "gid://shopify/Order/"

// serveShopifyOrders answers the orders connection with the orders' ids.
func (s *Store) serveShopifyOrders(w http.ResponseWriter, vars map[string]any, cost string) {
	var from time.Time
	if q, _ := vars["query"].(string); q != "" {
		v := strings.TrimSuffix(strings.TrimPrefix(q, "updated_at:>='"), "'")
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			fmt.Fprintf(w, `{"errors":[{"message":"Invalid search query %q"}]}`, q)
			return
		}
		from = t
	}
	first, ok := vars["first"].(float64)
	if !ok || first < 1 || first > 250 {
		fmt.Fprint(w, `{"errors":[{"message":"The first argument must be between 1 and 250","extensions":{"code":"BAD_REQUEST"}}]}`)
		return
	}
	list := s.byModification(from, false)
	count := len(list)
	if after, _ := vars["after"].(string); after != "" {
		// The cursor is the (modified, id) of the last order of the previous page.
		m, id, ok := strings.Cut(after, ":")
		nanos, err1 := strconv.ParseInt(m, 10, 64)
		oid, err2 := strconv.ParseInt(id, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			fmt.Fprint(w, `{"errors":[{"message":"Invalid cursor"}]}`)
			return
		}
		mark := &Order{ID: oid, Modified: time.Unix(0, nanos).UTC()}
		i := sort.Search(len(list), func(i int) bool { return before(mark, list[i]) })
		list = list[i:]
	}
	next := len(list) > int(first)
	if next {
		list = list[:int(first)]
	}
	nodes := make([]string, 0, len(list))
	for _, o := range list {
		nodes = append(nodes, fmt.Sprintf(`{"id":"%s%d"}`, shopifyOrderGID, o.ID))
	}
	end := "null"
	if len(list) > 0 {
		last := list[len(list)-1]
		end = fmt.Sprintf(`"%d:%d"`, last.Modified.UnixNano(), last.ID)
	}
	fmt.Fprintf(w, `{"data":{"ordersCount":{"count":%d,"precision":"EXACT"},"orders":{"pageInfo":{"hasNextPage":%v,"endCursor":%s},"nodes":[%s]}},%s}`,
		count, next, end, strings.Join(nodes, ","), cost)
}

type shopifyMoney struct {
	PresentmentMoney struct {
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currencyCode"`
	} `json:"presentmentMoney"`
}

func moneySet(m domain.Money) shopifyMoney {
	var s shopifyMoney
	s.PresentmentMoney.Amount, s.PresentmentMoney.CurrencyCode = m.Decimal(), string(m.Currency)
	return s
}

func toShopify(o *Order) map[string]any {
	d := o.Order
	first, last := splitName(d.ShipTo.Name)
	addr := map[string]any{"name": d.ShipTo.Name, "firstName": first, "lastName": last, "company": d.ShipTo.Company,
		"address1": d.ShipTo.Line1, "address2": d.ShipTo.Line2, "city": d.ShipTo.City, "province": d.ShipTo.Region,
		"provinceCode": nil, "zip": d.ShipTo.PostalCode, "countryCodeV2": string(d.ShipTo.Country), "phone": d.ShipTo.Phone}
	var lines []map[string]any
	for i, l := range d.Lines {
		lines = append(lines, map[string]any{"sku": l.SKU, "name": l.Name, "quantity": l.Quantity, "currentQuantity": l.Quantity,
			"variant": map[string]any{"legacyResourceId": strconv.FormatInt(o.ID*100+int64(i), 10)}, "originalUnitPriceSet": moneySet(l.UnitPrice)})
	}
	var cancelled any
	fulfil := "UNFULFILLED"
	switch o.Status {
	case "cancelled":
		cancelled = o.Modified.Format(time.RFC3339)
	case "completed":
		fulfil = "FULFILLED"
	}
	return map[string]any{
		"id": shopifyOrderGID + strconv.FormatInt(o.ID, 10), "legacyResourceId": strconv.FormatInt(o.ID, 10), "name": "#" + d.Number, "createdAt": d.PlacedAt.UTC().Format(time.RFC3339),
		"updatedAt": o.Modified.UTC().Format(time.RFC3339), "cancelledAt": cancelled, "email": d.CustomerEmail, "note": d.Notes,
		"presentmentCurrencyCode": string(d.Currency), "displayFinancialStatus": "PAID", "displayFulfillmentStatus": fulfil,
		"totalPriceSet": moneySet(d.Total), "totalTaxSet": moneySet(d.Tax), "totalShippingPriceSet": moneySet(d.Shipping),
		"shippingAddress": addr, "billingAddress": addr, "shippingLine": map[string]any{"title": d.Service},
		"lineItems": map[string]any{"pageInfo": map[string]any{"hasNextPage": false, "endCursor": nil}, "nodes": lines},
	}
}
