package shopify

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
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
		var req struct {
			Query     string
			Variables map[string]any
		}
		json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		defer mu.Unlock()
		cost := `"extensions":{"cost":{"requestedQueryCost":10,"throttleStatus":{"maximumAvailable":2000,"currentlyAvailable":1990,"restoreRate":100}}}`
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
		if err := c.PushTracking(context.Background(), "5550001", "DHL", "3318810025"); err != nil {
			t.Fatal(err)
		}
	}
	if len(fulfilled) != 1 {
		t.Fatalf("%d fulfillments", len(fulfilled))
	}
	f := fulfilled[0]
	lines := f["lineItemsByFulfillmentOrder"].([]any)
	if f["notifyCustomer"] != true || lines[0].(map[string]any)["fulfillmentOrderId"] != "gid://shopify/FulfillmentOrder/9" ||
		f["trackingInfo"].(map[string]any)["company"] != "DHL" {
		t.Errorf("fulfillment %+v", f)
	}
	if err := c.PushTracking(context.Background(), "5550002", "DHL", "3318810026"); err == nil || !strings.Contains(err.Error(), "no order") {
		t.Errorf("unknown order: %v", err)
	}
	mu.Lock()
	fulfilled, refuse = nil, true
	mu.Unlock()
	if err := c.PushTracking(context.Background(), "5550001", "DHL", "3318810099"); err == nil || !strings.Contains(err.Error(), "not open") {
		t.Errorf("refused: %v", err)
	}
}
