package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// serveShopify answers the Admin GraphQL orders query the way Shopify does:
// ordersCount, the orders connection sorted by UPDATED_AT filtered with
// updated_at:>='…', cursor paging, and the cost extension.
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
	cost := `"extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":120,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1880,"restoreRate":100.0}}}`
	if strings.Contains(req.Query, "MoreLines") {
		// Sandbox orders have few lines: the first page of lines was complete.
		fmt.Fprintf(w, `{"data":{"order":{"lineItems":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]}}},%s}`, cost)
		return
	}
	var from time.Time
	if q, _ := req.Variables["query"].(string); q != "" {
		v := strings.TrimSuffix(strings.TrimPrefix(q, "updated_at:>='"), "'")
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			fmt.Fprintf(w, `{"errors":[{"message":"Invalid search query %q"}]}`, q)
			return
		}
		from = t
	}
	first := 50
	if f, ok := req.Variables["first"].(float64); ok && f >= 1 && f <= 250 {
		first = int(f)
	}
	list := s.byModification(from, false)
	count := len(list)
	if after, _ := req.Variables["after"].(string); after != "" {
		// The cursor is the (modified, id) of the last order of the previous page.
		m, id, ok := strings.Cut(after, ":")
		nanos, err1 := strconv.ParseInt(m, 10, 64)
		oid, err2 := strconv.ParseInt(id, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			fmt.Fprint(w, `{"errors":[{"message":"Invalid cursor"}]}`)
			return
		}
		mark := &Order{ID: oid, Modified: time.Unix(0, nanos).UTC()}
		i := 0
		for i < len(list) && !before(mark, list[i]) {
			i++
		}
		list = list[i:]
	}
	next := len(list) > first
	if next {
		list = list[:first]
	}
	nodes := make([]string, 0, len(list))
	for _, o := range list {
		b, _ := json.Marshal(toShopify(o))
		nodes = append(nodes, string(b))
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
		"legacyResourceId": strconv.FormatInt(o.ID, 10), "name": "#" + d.Number, "createdAt": d.PlacedAt.UTC().Format(time.RFC3339),
		"updatedAt": o.Modified.UTC().Format(time.RFC3339), "cancelledAt": cancelled, "email": d.CustomerEmail, "note": d.Notes,
		"presentmentCurrencyCode": string(d.Currency), "displayFinancialStatus": "PAID", "displayFulfillmentStatus": fulfil,
		"totalPriceSet": moneySet(d.Total), "totalTaxSet": moneySet(d.Tax), "totalShippingPriceSet": moneySet(d.Shipping),
		"shippingAddress": addr, "billingAddress": addr,
		"lineItems": map[string]any{"pageInfo": map[string]any{"hasNextPage": false, "endCursor": nil}, "nodes": lines},
	}
}
