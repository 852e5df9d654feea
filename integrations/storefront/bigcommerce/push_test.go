package bigcommerce

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func TestPushTrackingCreatesOneShipment(t *testing.T) {
	var mu sync.Mutex
	var created []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != "tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/stores/abc/v2/orders/118/shipments":
			if r.Method == http.MethodPost {
				var body map[string]any
				json.NewDecoder(r.Body).Decode(&body)
				created = append(created, body)
				w.WriteHeader(http.StatusCreated)
				json.NewEncoder(w).Encode(map[string]any{"id": len(created), "order_id": 118, "tracking_number": body["tracking_number"],
					"date_created": "Fri, 27 Nov 2026 10:00:00 +0000", "items": body["items"]})
				return
			}
			if len(created) == 0 {
				w.WriteHeader(http.StatusNoContent) // BigCommerce's empty list
				return
			}
			json.NewEncoder(w).Encode(created)
		case "/stores/abc/v2/orders/118/shipping_addresses":
			w.Write([]byte(`[{"id":21,"order_id":118,"first_name":"Ζωή","last_name":"Παπαδοπούλου","city":"Αθήνα","country_iso2":"GR"}]`))
		case "/stores/abc/v2/orders/118/products":
			w.Write([]byte(`[{"id":501,"order_id":118,"sku":"PRT-1","quantity":2},{"id":502,"order_id":118,"sku":"PRT-2","quantity":1}]`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	c, err := New(srv.URL+"/stores/abc", "tok")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := c.PushTracking(context.Background(), "118", "UPS", "1Z999AA10123456784"); err != nil {
			t.Fatal(err)
		}
	}
	if len(created) != 1 {
		t.Fatalf("%d shipments created", len(created))
	}
	s := created[0]
	items, _ := s["items"].([]any)
	if s["order_address_id"] != float64(21) || s["tracking_number"] != "1Z999AA10123456784" || s["tracking_carrier"] != "ups" || len(items) != 2 {
		t.Errorf("shipment %+v", s)
	}
}
