package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/portolan/portolan/domain"
)

func TestPushTrackingFulfilsOnce(t *testing.T) {
	var mu sync.Mutex
	var fulfilled []map[string]any
	refuse := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Shopify-Access-Token") != "shpat_x" || !strings.HasSuffix(r.URL.Path, "/graphql.json") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		req := graphQLRequest(r)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case strings.Contains(req.Query, "FulfillmentState"):
			if req.Variables["id"] != "gid://shopify/Order/5550001" {
				w.Write([]byte(`{"data":{"order":null},` + cost + `}`))
				return
			}
			var fs []string
			for _, f := range fulfilled {
				n := f["trackingInfo"].(map[string]any)["number"].(string)
				fs = append(fs, `{"trackingInfo":[{"number":"`+n+`"}]}`)
			}
			status := "OPEN"
			if len(fulfilled) > 0 {
				status = "CLOSED"
			}
			w.Write([]byte(`{"data":{"order":{"fulfillments":[` + strings.Join(fs, ",") + `],"fulfillmentOrders":{"nodes":[{"id":"gid://shopify/FulfillmentOrder/9","status":"` + status + `"}]}}},` + cost + `}`))
		case strings.Contains(req.Query, "fulfillmentCreate"):
			if refuse {
				w.Write([]byte(`{"data":{"fulfillmentCreate":{"fulfillment":null,"userErrors":[{"field":["fulfillment"],"message":"Fulfillment order is not open"}]}},` + cost + `}`))
				return
			}
			f := req.Variables["fulfillment"].(map[string]any)
			fulfilled = append(fulfilled, f)
			w.Write([]byte(`{"data":{"fulfillmentCreate":{"fulfillment":{"id":"gid://shopify/Fulfillment/1","status":"SUCCESS"},"userErrors":[]}},` + cost + `}`))
		default:
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	c, err := New(srv.URL, "shpat_x")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := c.PushTracking(context.Background(), domain.TrackingPush{ExternalID: "5550001", Carrier: "DHL", Tracking: "3318810025"}); err != nil {
			t.Fatal(err)
		}
	}
	if len(fulfilled) != 1 {
		t.Fatalf("%d fulfillments", len(fulfilled))
	}
	f := fulfilled[0]
	lines := f["lineItemsByFulfillmentOrder"].([]any)
	if f["notifyCustomer"] != true || lines[0].(map[string]any)["fulfillmentOrderId"] != "gid://shopify/FulfillmentOrder/9" ||
		f["trackingInfo"].(map[string]any)["company"] != "DHL Express" { // as Shopify spells it on its carrier list
		t.Errorf("fulfillment %+v", f)
	}
	if err := c.PushTracking(context.Background(), domain.TrackingPush{ExternalID: "5550002", Carrier: "DHL", Tracking: "3318810026"}); err == nil || !strings.Contains(err.Error(), "no order") {
		t.Errorf("unknown order: %v", err)
	}
	mu.Lock()
	fulfilled, refuse = nil, true
	mu.Unlock()
	if err := c.PushTracking(context.Background(), domain.TrackingPush{ExternalID: "5550001", Carrier: "DHL", Tracking: "3318810099"}); err == nil || !strings.Contains(err.Error(), "not open") {
		t.Errorf("refused: %v", err)
	}
}

// Two parcels of one order, its items at two locations: each parcel
// fulfils its own line items (Shopify fulfils every remaining item of a
// fulfillment order given without them), and one mutation holds the
// fulfillment orders of one location only. Shapes as the Admin GraphQL
// reference documents FulfillmentOrder, FulfillmentOrderLineItem and
// FulfillmentInput.lineItemsByFulfillmentOrder.
func TestEachParcelFulfilsItsOwnItems(t *testing.T) {
	var mu sync.Mutex
	var mutations []map[string]any
	remaining := map[string]int64{"gid://shopify/FulfillmentOrderLineItem/11": 2, "gid://shopify/FulfillmentOrderLineItem/12": 1,
		"gid://shopify/FulfillmentOrderLineItem/21": 3}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := graphQLRequest(r)
		mu.Lock()
		defer mu.Unlock()
		if strings.Contains(req.Query, "fulfillmentCreate") {
			f := req.Variables["fulfillment"].(map[string]any)
			locations := map[string]bool{}
			for _, e := range f["lineItemsByFulfillmentOrder"].([]any) {
				fo := e.(map[string]any)["fulfillmentOrderId"].(string)
				locations[map[string]string{"gid://shopify/FulfillmentOrder/1": "A", "gid://shopify/FulfillmentOrder/2": "B"}[fo]] = true
				items, _ := e.(map[string]any)["fulfillmentOrderLineItems"].([]any)
				if len(items) == 0 {
					t.Errorf("a fulfillment order without line items: Shopify would fulfil all of it")
				}
				for _, it := range items {
					m := it.(map[string]any)
					remaining[m["id"].(string)] -= int64(m["quantity"].(float64))
				}
			}
			if len(locations) != 1 {
				w.Write([]byte(`{"data":{"fulfillmentCreate":{"fulfillment":null,"userErrors":[{"field":["fulfillment"],"message":"All fulfillment orders must be assigned to the same location."}]}},` + cost + `}`))
				return
			}
			mutations = append(mutations, f)
			w.Write([]byte(`{"data":{"fulfillmentCreate":{"fulfillment":{"id":"gid://shopify/Fulfillment/1","status":"SUCCESS"},"userErrors":[]}},` + cost + `}`))
			return
		}
		node := func(id, loc string, items ...string) string {
			return `{"id":"` + id + `","status":"OPEN","assignedLocation":{"location":{"id":"` + loc + `"}},"lineItems":{"nodes":[` + strings.Join(items, ",") + `]}}`
		}
		item := func(id, sku string) string {
			return fmt.Sprintf(`{"id":%q,"remainingQuantity":%d,"lineItem":{"sku":%q}}`, id, remaining[id], sku)
		}
		w.Write([]byte(`{"data":{"order":{"fulfillments":[],"fulfillmentOrders":{"nodes":[` +
			node("gid://shopify/FulfillmentOrder/1", "gid://shopify/Location/A", item("gid://shopify/FulfillmentOrderLineItem/11", "PRT-1"),
				item("gid://shopify/FulfillmentOrderLineItem/12", "PRT-2")) + `,` +
			node("gid://shopify/FulfillmentOrder/2", "gid://shopify/Location/B", item("gid://shopify/FulfillmentOrderLineItem/21", "PRT-3")) +
			`]}}},` + cost + `}`))
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "shpat_x")
	// Parcel 1: one PRT-1 (location A). Parcel 2: the other PRT-1, PRT-2 and the PRT-3s (A and B).
	if err := c.PushTracking(context.Background(), domain.TrackingPush{ExternalID: "1", Carrier: "UPS", Tracking: "1Z999AA10123456784",
		Lines: []domain.PushLine{{SKU: "PRT-1", Qty: 1}}}); err != nil {
		t.Fatal(err)
	}
	if remaining["gid://shopify/FulfillmentOrderLineItem/11"] != 1 || remaining["gid://shopify/FulfillmentOrderLineItem/12"] != 1 {
		t.Fatalf("the first parcel fulfilled %v", remaining)
	}
	if err := c.PushTracking(context.Background(), domain.TrackingPush{ExternalID: "1", Carrier: "Aramex", Tracking: "35476842371",
		Lines: []domain.PushLine{{SKU: "PRT-1", Qty: 1}, {SKU: "PRT-2", Qty: 1}, {SKU: "PRT-3", Qty: 3}}}); err != nil {
		t.Fatal(err)
	}
	for id, n := range remaining {
		if n != 0 {
			t.Errorf("%s: %d left", id, n)
		}
	}
	if len(mutations) != 3 { // parcel 1 at A; parcel 2 at A and at B
		t.Errorf("%d fulfillments", len(mutations))
	}
	if info := mutations[2]["trackingInfo"].(map[string]any); info["company"] != "Aramex" || info["number"] != "35476842371" {
		t.Errorf("tracking info %v", info)
	}
}

// cost is the query cost Shopify's answers carry (a full bucket).
const cost = `"extensions":{"cost":{"requestedQueryCost":10,"throttleStatus":{"maximumAvailable":2000,"currentlyAvailable":1990,"restoreRate":100}}}`

// graphQLRequest reads a GraphQL request's query and variables.
func graphQLRequest(r *http.Request) (req struct {
	Query     string
	Variables map[string]any
}) {
	json.NewDecoder(r.Body).Decode(&req)
	return req
}
