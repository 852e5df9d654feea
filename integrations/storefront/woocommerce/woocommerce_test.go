package woocommerce_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/storefront/woocommerce"
)

const (
	key    = "ck_5d1a3c0ffee5d1a3c0ffee5d1a3c0ffee5d1a3c0"
	secret = "cs_9b7e0decaf9b7e0decaf9b7e0decaf9b7e0decaf"
)

// wooOrder writes one order in WooCommerce's documented shape.
func wooOrder(id int, currency, status, modified string, ship map[string]string, lines ...string) string {
	addr, _ := json.Marshal(ship)
	return fmt.Sprintf(`{"id":%d,"parent_id":0,"number":"%d","order_key":"wc_order_%d","created_via":"checkout",
		"status":%q,"currency":%q,"date_created":"2026-11-20T10:15:00","date_created_gmt":"2026-11-20T09:15:00",
		"date_modified":%q,"date_modified_gmt":%q,"discount_total":"0.000","shipping_total":%q,"shipping_tax":"0.000",
		"cart_tax":"0.000","total":%q,"total_tax":%q,"prices_include_tax":false,"customer_id":0,"customer_note":"",
		"billing":{"first_name":"Billing","last_name":"Person","company":"","address_1":"1 Bill St","address_2":"","city":"Billtown",
		"state":"","postcode":"1000","country":"US","email":"buyer%d@example.com","phone":"+1 555 0100"},
		"shipping":%s,"payment_method":"stripe","transaction_id":"ch_1","meta_data":[],
		"line_items":[%s],"tax_lines":[],"shipping_lines":[{"id":7,"method_title":"DHL Express","method_id":"flat_rate","total":"4.90"}],"fee_lines":[],"coupon_lines":[],"refunds":[],"_links":{}}`,
		id, id, id, status, currency, modified, modified, amounts[currency][0], amounts[currency][1], amounts[currency][2],
		id, addr, strings.Join(lines, ","))
}

// shipping, total, tax per currency, as WooCommerce sends them with dp=3.
var amounts = map[string][3]string{
	"EUR": {"4.900", "54.800", "0.000"},
	"JPY": {"800.000", "10600.000", "0.000"},
	"KWD": {"1.250", "11.500", "0.000"},
}

func line(sku string, qty int, price string) string {
	p, _ := new(big.Rat).SetString(price)
	sub := new(big.Rat).Mul(p, big.NewRat(int64(qty), 1)).FloatString(2) // WooCommerce's subtotal: the line before discounts
	return fmt.Sprintf(`{"id":1,"name":"Item %s","product_id":42,"variation_id":0,"quantity":%d,"tax_class":"",
		"subtotal":%q,"subtotal_tax":"0","total":%q,"total_tax":"0","taxes":[],"meta_data":[],"sku":%q,"price":%s}`, sku, qty, sub, sub, sku, price)
}

var (
	japan = map[string]string{"first_name": "太郎", "last_name": "山田", "company": "", "address_1": "神南1-2-3", "address_2": "",
		"city": "渋谷区", "state": "JP13", "postcode": "150-0041", "country": "JP", "phone": ""}
	kuwait = map[string]string{"first_name": "يوسف", "last_name": "العنزي", "company": "", "address_1": "قطعة 3، شارع الخليج العربي",
		"address_2": "", "city": "مدينة الكويت", "state": "", "postcode": "15000", "country": "KW", "phone": "+965 2222 3333"}
	greece = map[string]string{"first_name": "Γιώργος", "last_name": "Παπαδόπουλος", "company": "", "address_1": "Οδός Ερμού 12",
		"address_2": "", "city": "Αθήνα", "state": "", "postcode": "105 63", "country": "GR", "phone": ""}
	empty = map[string]string{"first_name": "", "last_name": "", "company": "", "address_1": "", "address_2": "", "city": "",
		"state": "", "postcode": "", "country": "", "phone": ""}
)

// store is a WooCommerce test server with three pages of orders; it checks the
// credentials and the documented query parameters.
type store struct {
	t        *testing.T
	pages    [][]string
	requests atomic.Int32
	// old answers orderby=modified as a WooCommerce that does not know it.
	old bool
	// fail lets a test answer a request differently (return true when handled).
	fail func(w http.ResponseWriter, r *http.Request, n int32) bool
}

func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.requests.Add(1)
	if r.URL.Path != "/wp-json/wc/v3/orders" {
		w.WriteHeader(404)
		fmt.Fprint(w, `{"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}`)
		return
	}
	if u, p, ok := r.BasicAuth(); !ok || u != key || p != secret {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":401}}`)
		return
	}
	if s.fail != nil && s.fail(w, r, n) {
		return
	}
	q := r.URL.Query()
	orderBy := q.Get("orderby")
	if q.Get("dates_are_gmt") != "true" || (orderBy != "modified" && orderBy != "date") || q.Get("order") != "asc" || q.Get("status") != "any" {
		s.t.Errorf("unexpected query %s", r.URL.RawQuery)
	}
	if orderBy == "modified" && s.old {
		// An older WooCommerce: WordPress's answer to a value outside the
		// parameter's enum (shape as in WordPress's rest_validate_request_arg,
		// quoted in woocommerce/woocommerce issue #24895 and WP-API issue #2906).
		w.WriteHeader(400)
		fmt.Fprint(w, `{"code":"rest_invalid_param","message":"Invalid parameter(s): orderby","data":{"status":400,`+
			`"params":{"orderby":"orderby is not one of date, id, include, title, slug."},`+
			`"details":{"orderby":{"code":"rest_not_in_enum","message":"orderby is not one of date, id, include, title, slug.","data":null}}}}`)
		return
	}
	// Like WooCommerce: orders modified after modified_after, oldest change first, paged.
	type item struct {
		body     string
		modified string
	}
	var list []item
	for _, p := range s.pages {
		for _, o := range p {
			var m struct {
				Modified string `json:"date_modified_gmt"`
			}
			json.Unmarshal([]byte(o), &m)
			if after := q.Get("modified_after"); after == "" || m.Modified > after {
				list = append(list, item{o, m.Modified})
			}
		}
	}
	if orderBy == "modified" {
		sort.SliceStable(list, func(i, j int) bool { return list[i].modified < list[j].modified })
	} // else by creation: the order the pages hold them in
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	page, _ := strconv.Atoi(q.Get("page"))
	w.Header().Set("X-WP-Total", strconv.Itoa(len(list)))
	w.Header().Set("X-WP-TotalPages", strconv.Itoa((len(list)+perPage-1)/perPage))
	var out []string
	for i := (page - 1) * perPage; i < page*perPage && i < len(list); i++ {
		out = append(out, list[i].body)
	}
	fmt.Fprint(w, "["+strings.Join(out, ",")+"]")
}

func newStore(t *testing.T) (*store, *woocommerce.Client) {
	s := &store{t: t, pages: [][]string{
		{
			wooOrder(101, "EUR", "processing", "2026-11-20T09:20:00", greece, line("PRT-10001", 2, "24.950")),
			wooOrder(102, "JPY", "on-hold", "2026-11-20T10:00:00", japan, line("PRT-10013", 1, "9800")),
		},
		{
			wooOrder(103, "KWD", "processing", "2026-11-21T08:00:00", kuwait, line("PRT-10020", 4, "2.5")),
			wooOrder(104, "EUR", "cancelled", "2026-11-21T09:00:00", empty, line("", 1, "49.9")),
		},
		{
			wooOrder(105, "EUR", "completed", "2026-11-22T12:00:00", greece, line("PRT-10002", 1, "49.900")),
		},
	}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := woocommerce.New(srv.URL+"/", key, secret)
	if err != nil {
		t.Fatal(err)
	}
	c.REST().Backoff = func(int) time.Duration { return time.Millisecond }
	c.PerPage = 2 // three pages of five orders
	return s, c
}

func fetchAll(ctx context.Context, c *woocommerce.Client) ([]domain.SourceOrder, []domain.RejectedOrder, int, error) {
	var all []domain.SourceOrder
	var rejected []domain.RejectedOrder
	token, reported := "", -1
	for {
		p, err := c.FetchUpdated(ctx, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), token)
		if err != nil {
			return all, rejected, reported, err
		}
	next:
		for _, o := range p.Orders { // keyset paging re-reads the anchor second; keep each order once
			for _, seen := range all {
				if seen.Order.ExternalID == o.Order.ExternalID {
					continue next
				}
			}
			all = append(all, o)
		}
		rejected = append(rejected, p.Rejected...)
		if token == "" {
			reported = p.ReportedTotal
		}
		if p.Next == "" {
			return all, rejected, reported, nil
		}
		token = p.Next
	}
}

func TestFetchAllPagesAndMap(t *testing.T) {
	s, c := newStore(t)
	orders, rejected, reported, err := fetchAll(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	// Five requests: each page after the first re-reads the second of the newest order before it.
	if len(orders) != 5 || len(rejected) != 0 || reported != 5 || s.requests.Load() != 5 {
		t.Fatalf("%d orders, %d rejected, reported %d, %d requests", len(orders), len(rejected), reported, s.requests.Load())
	}
	byID := map[string]domain.SourceOrder{}
	for _, o := range orders {
		byID[o.Order.ExternalID] = o
	}
	jp := byID["102"].Order
	if jp.Currency != "JPY" || jp.Total != domain.NewMoney(10600, "JPY") || jp.Lines[0].UnitPrice != domain.NewMoney(9800, "JPY") ||
		jp.Service != "DHL Express" {
		t.Errorf("JPY order %+v", jp)
	}
	if jp.ShipTo.Name != "太郎 山田" || jp.ShipTo.City != "渋谷区" || jp.ShipTo.Country != "JP" {
		t.Errorf("Japanese address %+v", jp.ShipTo)
	}
	if !jp.PlacedAt.Equal(time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)) {
		t.Errorf("placed at %v, want the GMT time", jp.PlacedAt)
	}
	if byID["102"].SourceStatus != "on-hold" {
		t.Errorf("source status %q", byID["102"].SourceStatus)
	}
	kw := byID["103"].Order
	if kw.Total != domain.NewMoney(11500, "KWD") || kw.Shipping != domain.NewMoney(1250, "KWD") ||
		kw.Lines[0].UnitPrice != domain.NewMoney(2500, "KWD") || kw.Lines[0].Quantity != 4 {
		t.Errorf("KWD amounts %+v", kw)
	}
	if kw.ShipTo.Name != "يوسف العنزي" || kw.ShipTo.Phone != "+965 2222 3333" {
		t.Errorf("Arabic address %+v", kw.ShipTo)
	}
	gr := byID["101"].Order
	if gr.Lines[0].UnitPrice != domain.NewMoney(2495, "EUR") || gr.CustomerEmail != "buyer101@example.com" {
		t.Errorf("EUR order %+v", gr)
	}
	cancelled := byID["104"]
	if !cancelled.Cancelled || cancelled.Order.ShipTo.City != "Billtown" || cancelled.Order.Lines[0].SKU != "woo-42" {
		t.Errorf("cancelled order without shipping address or SKU: %+v", cancelled)
	}
}

func TestRetriesThrottlingAndServerErrors(t *testing.T) {
	s, c := newStore(t)
	s.fail = func(w http.ResponseWriter, r *http.Request, n int32) bool {
		switch n {
		case 2: // mid-sync throttling
			w.Header().Set("Retry-After", "0.01")
			w.WriteHeader(429)
			fmt.Fprint(w, `{"code":"too_many_requests","message":"Slow down","data":{"status":429}}`)
			return true
		case 3:
			w.WriteHeader(500)
			fmt.Fprint(w, `<html>Internal Server Error</html>`)
			return true
		}
		return false
	}
	orders, _, _, err := fetchAll(context.Background(), c)
	if err != nil || len(orders) != 5 {
		t.Fatalf("%d orders, %v", len(orders), err)
	}
	if s.requests.Load() != 7 {
		t.Errorf("%d requests, want 5 pages + 2 retries", s.requests.Load())
	}
}

func TestErrorsSayWhatToDo(t *testing.T) {
	s, good := newStore(t)
	srvURL := strings.TrimSuffix(good.REST().URL(""), "/")

	wrong, err := woocommerce.New(srvURL, key, "cs_wrong")
	if err != nil {
		t.Fatal(err)
	}
	_, err = wrong.FetchUpdated(context.Background(), time.Time{}, "")
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "refused the credentials") {
		t.Errorf("wrong secret: %v", err)
	}
	if strings.Contains(err.Error(), "cs_wrong") || strings.Contains(err.Error(), key) {
		t.Errorf("error shows a credential: %v", err)
	}

	if _, err := woocommerce.New("http://shop.example.com", key, secret); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("plain http to a remote host accepted: %v", err)
	}
	if _, err := woocommerce.New("https://shop.example.com", "", ""); err == nil {
		t.Error("missing credentials accepted")
	}

	s.fail = func(w http.ResponseWriter, r *http.Request, n int32) bool {
		fmt.Fprint(w, `{"orders": "this is not a list"`)
		return true
	}
	_, err = good.FetchUpdated(context.Background(), time.Time{}, "")
	if err == nil || !strings.Contains(err.Error(), "not a list of orders") {
		t.Errorf("malformed JSON: %v", err)
	}

	s.fail = func(w http.ResponseWriter, r *http.Request, n int32) bool {
		w.WriteHeader(503)
		return true
	}
	good.REST().Attempts = 3
	_, err = good.FetchUpdated(context.Background(), time.Time{}, "")
	if err == nil || !strings.Contains(err.Error(), "gave up after 3 attempts") || !strings.Contains(err.Error(), "503") {
		t.Errorf("persistent 503: %v", err)
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	s, c := newStore(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	s.fail = func(w http.ResponseWriter, r *http.Request, n int32) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.FetchUpdated(ctx, time.Time{}, "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled fetch error = %v", err)
	}
}

func TestBadOrdersAreRejectedOthersKept(t *testing.T) {
	good := wooOrder(201, "EUR", "processing", "2026-11-20T09:20:00", greece, line("PRT-1", 1, "10"))
	badCountry := wooOrder(202, "EUR", "processing", "2026-11-20T09:20:00",
		map[string]string{"first_name": "A", "last_name": "B", "address_1": "x", "city": "y", "country": "UK"}, line("PRT-1", 1, "10"))
	badQty := wooOrder(203, "EUR", "processing", "2026-11-20T09:20:00", greece, line("PRT-1", 0, "10"))
	badAmount := strings.Replace(wooOrder(204, "EUR", "processing", "2026-11-20T09:20:00", greece, line("PRT-1", 1, "10")),
		`"total":"54.800"`, `"total":"54.8051"`, 1)
	notAnObject := `"hello"`
	orders, rejected, err := woocommerce.Decode([]byte("[" + strings.Join([]string{good, badCountry, badQty, badAmount, notAnObject}, ",") + "]"))
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 || orders[0].Order.ExternalID != "201" {
		t.Errorf("kept %v", orders)
	}
	reasons := map[string]string{}
	for _, r := range rejected {
		reasons[r.ExternalID] = r.Reason
		if r.Raw == "" {
			t.Errorf("rejected order %s kept no payload", r.ExternalID)
		}
	}
	for id, want := range map[string]string{"202": "GB", "203": "quantity", "204": "more decimals", "(item 5)": "malformed"} {
		if !strings.Contains(reasons[id], want) {
			t.Errorf("order %s rejected with %q, want a reason about %q", id, reasons[id], want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("[" + wooOrder(1, "JPY", "processing", "2026-11-20T09:20:00", japan, line("A", 1, "9800")) + "]"))
	f.Add([]byte(`[{"id":1,"currency":"KWD","line_items":[{"price":1e309}]}]`))
	f.Add([]byte(`[{"id":"x","total":{"a":1}}]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		orders, _, err := woocommerce.Decode(body)
		if err != nil {
			return
		}
		for _, o := range orders {
			if err := o.Order.Validate(); err != nil {
				t.Errorf("Decode returned an invalid order: %v", err)
			}
		}
	})
}

func TestStoreRefusingOrderByModifiedIsReadByCreation(t *testing.T) {
	s, c := newStore(t)
	s.old = true
	// Created in id order; 105 was changed first, 101 last.
	s.pages = [][]string{{
		wooOrder(101, "EUR", "processing", "2026-11-22T12:00:00", greece, line("PRT-10001", 2, "24.950")),
		wooOrder(102, "JPY", "on-hold", "2026-11-20T10:00:00", japan, line("PRT-10013", 1, "9800")),
		wooOrder(103, "KWD", "processing", "2026-11-21T08:00:00", kuwait, line("PRT-10020", 4, "2.5")),
		wooOrder(104, "EUR", "processing", "2026-11-20T09:00:00", greece, line("PRT-10002", 1, "49.900")),
		wooOrder(105, "EUR", "completed", "2026-11-19T12:00:00", greece, line("PRT-10002", 1, "49.900")),
	}}
	since := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	token := ""
	for {
		p, err := c.FetchUpdated(context.Background(), since, token)
		if err != nil {
			t.Fatal(err)
		}
		if !p.ByCreation || !strings.Contains(p.Notice, "orderby=modified") || p.ReportedTotal != 5 {
			t.Fatalf("page after the refusal: by creation %v, notice %q, reported %d", p.ByCreation, p.Notice, p.ReportedTotal)
		}
		for _, o := range p.Orders {
			ids = append(ids, o.Order.ExternalID)
		}
		if p.Next == "" {
			break
		}
		token = p.Next
	}
	// One refused request, then three pages numbered from the window's start.
	if strings.Join(ids, ",") != "101,102,103,104,105" || s.requests.Load() != 4 {
		t.Errorf("read %v in %d requests", ids, s.requests.Load())
	}
	// The client remembers: the next sync asks by date at once.
	s.requests.Store(0)
	if _, err := c.FetchUpdated(context.Background(), since, ""); err != nil || s.requests.Load() != 1 {
		t.Errorf("second sync: %v after %d requests", err, s.requests.Load())
	}

	// Any other 400 is an error, not a fallback.
	s2, c2 := newStore(t)
	s2.fail = func(w http.ResponseWriter, r *http.Request, n int32) bool {
		w.WriteHeader(400)
		fmt.Fprint(w, `{"code":"rest_invalid_param","message":"Invalid parameter(s): per_page","data":{"status":400,"params":{"per_page":"per_page must be between 1 (inclusive) and 100 (inclusive)"}}}`)
		return true
	}
	if _, err := c2.FetchUpdated(context.Background(), since, ""); err == nil || !strings.Contains(err.Error(), "per_page") {
		t.Errorf("other refusal: %v", err)
	}
}
