package bigcommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
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
		if err := c.PushTracking(context.Background(), domain.TrackingPush{ExternalID: "118", Carrier: "UPS", Tracking: "1Z999AA10123456784"}); err != nil {
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

// BigCommerce pages an order's products (50 when no limit is asked for,
// at most 250: orders.v2 specification), and a shipment's tracking_carrier
// must be one of its carrier codes or empty.
func TestPushTrackingShipsEveryLineWithACarrierCode(t *testing.T) {
	const lines = 300
	var created []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/stores/abc/v2/orders/7/shipments":
			if r.Method == http.MethodPost {
				var body map[string]any
				json.NewDecoder(r.Body).Decode(&body)
				created = append(created, body)
				w.WriteHeader(http.StatusCreated)
				w.Write([]byte(`{"id":1}`))
				return
			}
			w.WriteHeader(http.StatusNoContent)
		case "/stores/abc/v2/orders/7/shipping_addresses":
			w.Write([]byte(`[{"id":3,"order_id":7,"city":"London","country_iso2":"GB"}]`))
		case "/stores/abc/v2/orders/7/products":
			limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
			if limit == 0 {
				limit = 50
			}
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			page = max(page, 1)
			var out []string
			for i := (page - 1) * limit; i < min(page*limit, lines); i++ {
				out = append(out, fmt.Sprintf(`{"id":%d,"order_id":7,"sku":"PRT-%d","quantity":1}`, 1000+i, i))
			}
			if len(out) == 0 {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			w.Write([]byte("[" + strings.Join(out, ",") + "]"))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	c, _ := New(srv.URL+"/stores/abc", "tok")
	for _, carrier := range []string{"DHL Express", "Royal Mail", "Aramex"} {
		created = nil
		if err := c.PushTracking(context.Background(), domain.TrackingPush{ExternalID: "7", Carrier: carrier, Tracking: "JD014600006200000001"}); err != nil {
			t.Fatal(err)
		}
		s := created[0]
		items, _ := s["items"].([]any)
		if len(items) != lines {
			t.Errorf("%s: %d of %d lines shipped", carrier, len(items), lines)
		}
		want := map[string]string{"DHL Express": "dhl", "Royal Mail": "royal-mail", "Aramex": ""}[carrier]
		if s["tracking_carrier"] != want {
			t.Errorf("%s: tracking_carrier %q, want %q", carrier, s["tracking_carrier"], want)
		}
		if _, link := s["tracking_link"]; link != (carrier == "DHL Express") {
			t.Errorf("%s: tracking_link %v", carrier, s["tracking_link"])
		}
	}
}

// Amounts are in the transactional currency, default_currency_code; the
// currency_code is what the storefront displayed (orders.v2).
func TestTransactionalCurrency(t *testing.T) {
	addr := `{"first_name":"Emily","last_name":"Nguyen","street_1":"128 Main Street","city":"Austin","state":"Texas","zip":"78701","country_iso2":"US","email":"e@example.com"}`
	o, err := DecodeOrder([]byte(`{"id":9,"date_created":"Fri, 20 Nov 2026 18:15:00 +0900","date_modified":"Fri, 20 Nov 2026 18:15:00 +0900",
		"status_id":11,"currency_code":"EUR","default_currency_code":"USD","currency_exchange_rate":"0.9200000000",
		"total_inc_tax":"25.0000","total_tax":"0.0000","shipping_cost_ex_tax":"5.0000","billing_address":`+addr+`}`),
		[]byte(`[{"name":"Mug","sku":"PRT-1","product_id":1,"variant_id":1,"price_ex_tax":"20.0000","quantity":1}]`), []byte(addr))
	if err != nil {
		t.Fatal(err)
	}
	if o.Order.Currency != "USD" || o.Order.Total != domain.NewMoney(2500, "USD") {
		t.Errorf("currency %s, total %v", o.Order.Currency, o.Order.Total)
	}
}

// An order shipping to several addresses is quarantined with the reason,
// not imported with the first address only.
func TestOrderWithSeveralAddressesIsQuarantined(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/stores/abc/v2/orders":
			w.Write([]byte(`[{"id":12,"date_created":"Fri, 20 Nov 2026 18:15:00 +0900","date_modified":"Fri, 20 Nov 2026 18:15:00 +0900",
				"status_id":11,"currency_code":"USD","default_currency_code":"USD","total_inc_tax":"20.0000","total_tax":"0.0000",
				"shipping_cost_ex_tax":"0.0000","billing_address":{"first_name":"A","street_1":"1 Main St","city":"Austin","country_iso2":"US"}}]`))
		case "/stores/abc/v2/orders/12/products":
			w.Write([]byte(`[{"id":1,"name":"Mug","sku":"PRT-1","quantity":2,"price_ex_tax":"10.0000"}]`))
		case "/stores/abc/v2/orders/12/shipping_addresses":
			w.Write([]byte(`[{"id":1,"first_name":"A","street_1":"1 Main St","city":"Austin","country_iso2":"US"},
				{"id":2,"first_name":"B","street_1":"2 Elm St","city":"Boston","country_iso2":"US"}]`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	c, _ := New(srv.URL+"/stores/abc", "tok")
	page, err := c.FetchUpdated(context.Background(), time.Time{}, "")
	if err != nil || len(page.Orders) != 0 || len(page.Rejected) != 1 || !strings.Contains(page.Rejected[0].Reason, "ships to 2 addresses") {
		t.Errorf("%v %+v", err, page)
	}
}
