package bigcommerce_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/storefront/bigcommerce"
)

const token = "bc_token_5f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c"

type bcOrder struct {
	id        int
	currency  string
	statusID  int
	status    string
	modified  time.Time
	total     string
	shipping  string
	tax       string
	billing   string
	shipTo    string // "" for no shipping address
	products  []string
	malformed bool
}

func address(first, last, street, city, state, zip, iso2, phone, email string) string {
	return fmt.Sprintf(`{"first_name":%q,"last_name":%q,"company":"","street_1":%q,"street_2":"","city":%q,"state":%q,"zip":%q,
		"country":"","country_iso2":%q,"phone":%q,"email":%q,"shipping_method":"Standard Shipping"}`, first, last, street, city, state, zip, iso2, phone, email)
}

func product(sku string, qty int, price string) string {
	return fmt.Sprintf(`{"id":1,"order_id":1,"product_id":77,"variant_id":12,"order_address_id":1,"name":"Item %s","sku":%q,
		"type":"physical","price_ex_tax":%q,"price_inc_tax":%q,"total_inc_tax":"0.0000","weight":"0.5000","quantity":%d,
		"quantity_shipped":0,"product_options":[]}`, sku, sku, price, price, qty)
}

type store struct {
	t        *testing.T
	orders   []bcOrder
	requests atomic.Int32
	fail     func(w http.ResponseWriter, r *http.Request, n int32) bool
}

const base = "/stores/abc123/v2"

func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.requests.Add(1)
	if r.Header.Get("X-Auth-Token") != token {
		w.WriteHeader(401)
		fmt.Fprint(w, `[{"status":401,"message":"You don't have a required scope to access the endpoint"}]`)
		return
	}
	if s.fail != nil && s.fail(w, r, n) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	path := strings.TrimPrefix(r.URL.Path, base)
	q := r.URL.Query()
	if path == "/orders" {
		if q.Get("sort") != "date_modified:asc" {
			s.t.Errorf("sort %q", q.Get("sort"))
		}
		var from time.Time
		if v := q.Get("min_date_modified"); v != "" {
			t, err := time.Parse("Mon, 02 Jan 2006 15:04:05 -0700", v)
			if err != nil {
				s.t.Errorf("min_date_modified %q is not RFC 2822", v)
			}
			from = t
		}
		var list []bcOrder
		for _, o := range s.orders {
			if !o.modified.Before(from) {
				list = append(list, o)
			}
		}
		sort.SliceStable(list, func(i, j int) bool { return list[i].modified.Before(list[j].modified) })
		limit, _ := strconv.Atoi(q.Get("limit"))
		page, _ := strconv.Atoi(q.Get("page"))
		start := (page - 1) * limit
		if start >= len(list) {
			w.WriteHeader(204) // BigCommerce's empty page
			return
		}
		var out []string
		for _, o := range list[start:min(start+limit, len(list))] {
			if o.malformed {
				out = append(out, `{"id":"not a number"}`)
				continue
			}
			out = append(out, fmt.Sprintf(`{"id":%d,"customer_id":0,"date_created":"Fri, 20 Nov 2026 18:15:00 +0900",
				"date_modified":%q,"date_shipped":"","status_id":%d,"status":%q,"custom_status":%q,
				"subtotal_ex_tax":"0.0000","shipping_cost_ex_tax":%q,"total_inc_tax":%q,"total_tax":%q,"items_total":1,
				"currency_code":"USD","default_currency_code":%q,"customer_message":"","staff_notes":"","is_deleted":false,"channel_id":1,
				"billing_address":%s,"products":{"url":"x","resource":"/orders/%d/products"},"shipping_addresses":{"url":"x","resource":"/orders/%d/shippingaddresses"}}`,
				o.id, o.modified.Format("Mon, 02 Jan 2006 15:04:05 -0700"), o.statusID, o.status, o.status, o.shipping, o.total, o.tax,
				o.currency, o.billing, o.id, o.id))
		}
		fmt.Fprint(w, "["+strings.Join(out, ",")+"]")
		return
	}
	var id int
	var what string
	if _, err := fmt.Sscanf(path, "/orders/%d/%s", &id, &what); err != nil {
		w.WriteHeader(404)
		return
	}
	for _, o := range s.orders {
		if o.id != id {
			continue
		}
		switch what {
		case "products":
			if q.Get("page") != "1" {
				w.WriteHeader(204)
				return
			}
			fmt.Fprint(w, "["+strings.Join(o.products, ",")+"]")
		case "shipping_addresses":
			if o.shipTo == "" {
				w.WriteHeader(204)
				return
			}
			fmt.Fprint(w, "["+o.shipTo+"]")
		default:
			w.WriteHeader(404)
		}
		return
	}
	w.WriteHeader(404)
}

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func newStore(t *testing.T) (*store, *bigcommerce.Client) {
	tokyo := address("太郎", "山田", "神南1-2-3", "渋谷区", "東京都", "150-0041", "JP", "", "taro@example.jp")
	kuwait := address("دانة", "المطيري", "شارع سالم المبارك", "السالمية", "حولي", "22000", "KW", "+965 2555 0101", "")
	texas := address("Emily", "Nguyen", "128 Main Street", "Austin", "Texas", "78701", "US", "+1 512 555 0100", "emily@example.com")
	s := &store{t: t, orders: []bcOrder{
		{id: 101, currency: "JPY", statusID: 11, status: "Awaiting Fulfillment", modified: t0, total: "10600.0000", shipping: "800.0000",
			tax: "0.0000", billing: tokyo, shipTo: tokyo, products: []string{product("PRT-10013", 1, "9800.0000")}},
		{id: 102, currency: "KWD", statusID: 11, status: "Awaiting Fulfillment", modified: t0.Add(time.Minute), total: "11.5004",
			shipping: "1.2500", tax: "0.0000", billing: kuwait, shipTo: kuwait, products: []string{product("PRT-10020", 4, "2.5625")}},
		{id: 103, currency: "USD", statusID: 5, status: "Cancelled", modified: t0.Add(2 * time.Minute), total: "62.6793",
			shipping: "5.0000", tax: "4.6793", billing: texas, shipTo: texas, products: []string{product("", 1, "53.0000")}},
		{id: 104, currency: "USD", statusID: 10, status: "Completed", modified: t0.Add(3 * time.Minute), total: "20.0000",
			shipping: "0.0000", tax: "0.0000", billing: texas, products: []string{product("GIFT-CARD", 1, "20.0000")}},
		{id: 105, malformed: true, modified: t0.Add(4 * time.Minute)},
	}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := bigcommerce.New(srv.URL+"/stores/abc123", token)
	if err != nil {
		t.Fatal(err)
	}
	c.PerPage = 2
	c.REST().Backoff = func(int) time.Duration { return time.Millisecond }
	return s, c
}

func fetchAll(ctx context.Context, c *bigcommerce.Client) (map[string]domain.SourceOrder, []domain.RejectedOrder, error) {
	orders := map[string]domain.SourceOrder{}
	var rejected []domain.RejectedOrder
	token := ""
	for {
		p, err := c.FetchUpdated(ctx, t0.Add(-time.Hour), token)
		if err != nil {
			return orders, rejected, err
		}
		for _, o := range p.Orders {
			orders[o.Order.ExternalID] = o
		}
		rejected = append(rejected, p.Rejected...)
		if p.Next == "" {
			return orders, rejected, nil
		}
		token = p.Next
	}
}

func TestFetchAndMap(t *testing.T) {
	_, c := newStore(t)
	orders, rejected, err := fetchAll(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 4 || len(rejected) == 0 || !strings.Contains(rejected[0].Reason, "malformed") {
		t.Fatalf("%d orders, rejected %v", len(orders), rejected)
	}
	jp := orders["101"].Order
	if jp.Total != domain.NewMoney(10600, "JPY") || jp.Lines[0].UnitPrice != domain.NewMoney(9800, "JPY") ||
		jp.ShipTo.Name != "太郎 山田" || !jp.PlacedAt.Equal(time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)) || jp.Service != "Standard Shipping" {
		t.Errorf("JPY order %+v", jp)
	}
	kw := orders["102"].Order
	if kw.Total != domain.NewMoney(11500, "KWD") || kw.Lines[0].UnitPrice != domain.NewMoney(2563, "KWD") || kw.ShipTo.Region != "حولي" {
		t.Errorf("KWD order (4-decimal strings rounded) %+v", kw)
	}
	us := orders["103"]
	if !us.Cancelled || us.Order.Total != domain.NewMoney(6268, "USD") || us.Order.Lines[0].SKU != "bc-77-12" || us.Order.ShipTo.Region != "Texas" {
		t.Errorf("cancelled order %+v", us)
	}
	digital := orders["104"].Order
	if digital.ShipTo.City != "Austin" || orders["104"].SourceStatus != "completed" {
		t.Errorf("order without shipping address %+v", digital)
	}
}

func TestRateLimitAndErrors(t *testing.T) {
	s, c := newStore(t)
	s.fail = func(w http.ResponseWriter, r *http.Request, n int32) bool {
		switch n {
		case 2:
			w.Header().Set("X-Rate-Limit-Time-Reset-Ms", "15")
			w.Header().Set("X-Rate-Limit-Requests-Left", "0")
			w.WriteHeader(429)
			return true
		case 3:
			w.WriteHeader(500)
			fmt.Fprint(w, `[{"status":500,"message":"Internal Server Error"}]`)
			return true
		}
		return false
	}
	orders, _, err := fetchAll(context.Background(), c)
	if err != nil || len(orders) != 4 {
		t.Fatalf("%d orders, %v", len(orders), err)
	}
	url := strings.TrimSuffix(c.REST().URL(""), "/")
	bad, _ := bigcommerce.New(url, "wrong")
	if _, err := bad.FetchUpdated(context.Background(), t0, ""); !strings.Contains(fmt.Sprint(err), "refused the credentials") {
		t.Errorf("wrong token: %v", err)
	}
	if _, err := bigcommerce.New("https://api.bigcommerce.com/", token); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("address without store hash accepted: %v", err)
	}
	s.fail = func(w http.ResponseWriter, r *http.Request, n int32) bool {
		if strings.HasSuffix(r.URL.Path, "/orders") {
			fmt.Fprint(w, `{"not":"a list"}`)
			return true
		}
		return false
	}
	if _, err := c.FetchUpdated(context.Background(), t0, ""); !strings.Contains(fmt.Sprint(err), "not a list") {
		t.Errorf("malformed list: %v", err)
	}
	s.fail = func(w http.ResponseWriter, r *http.Request, n int32) bool {
		if strings.Contains(r.URL.Path, "/products") {
			w.WriteHeader(503)
			return true
		}
		return false
	}
	c.REST().Attempts = 2
	if _, err := c.FetchUpdated(context.Background(), t0, ""); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("lines unavailable must fail the page, not lose the order: %v", err)
	}
}

func FuzzDecodeOrder(f *testing.F) {
	addr := address("Emily", "Nguyen", "128 Main Street", "Austin", "Texas", "78701", "US", "", "e@example.com")
	f.Add([]byte(`{"id":1,"date_created":"Fri, 20 Nov 2026 18:15:00 +0900","date_modified":"Fri, 20 Nov 2026 18:15:00 +0900",
		"status_id":5,"currency_code":"KWD","total_inc_tax":"11.5004","total_tax":"0.0000","shipping_cost_ex_tax":"1.2500",
		"billing_address":`+addr+`}`), []byte("["+product("A", 2, "2.5625")+"]"), []byte(addr))
	f.Add([]byte(`{"id":2,"currency_code":"JPY"}`), []byte(`[]`), []byte(nil))
	f.Fuzz(func(t *testing.T, order, products, ship []byte) {
		o, err := bigcommerce.DecodeOrder(order, products, ship)
		if err != nil {
			return
		}
		if err := o.Order.Validate(); err != nil {
			t.Errorf("decoded an invalid order: %v", err)
		}
	})
}
