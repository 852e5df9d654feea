package shopify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/internal/gqlcost"
	"github.com/portolan/portolan/integrations/storefront/shopify"
)

const token = "shpat_0123456789abcdef0123456789abcdef"

func moneySet(amount, cur string) string {
	return fmt.Sprintf(`{"presentmentMoney":{"amount":%q,"currencyCode":%q}}`, amount, cur)
}

func lineNode(sku string, qty int, price, cur string) string {
	return fmt.Sprintf(`{"sku":%q,"name":"Item %s","quantity":%d,"currentQuantity":%d,"variant":{"legacyResourceId":"4400%d"},"originalUnitPriceSet":%s}`,
		sku, sku, qty, qty, qty, moneySet(price, cur))
}

// order writes one order node in the Admin GraphQL shape.
func order(id int, cur, total, shipping, tax string, cancelled bool, addr string, more bool, lines ...string) string {
	cancelledAt := "null"
	if cancelled {
		cancelledAt = `"2026-11-21T08:00:00Z"`
	}
	end := "null"
	if more {
		end = `"lines-cursor"`
	}
	return fmt.Sprintf(`{"legacyResourceId":"%d","name":"#%d","createdAt":"2026-11-20T18:15:00+09:00","updatedAt":"2026-11-20T10:00:%02dZ",
		"cancelledAt":%s,"email":"buyer%d@example.com","note":null,"presentmentCurrencyCode":%q,
		"displayFinancialStatus":"PAID","displayFulfillmentStatus":"UNFULFILLED",
		"totalPriceSet":%s,"totalTaxSet":%s,"totalShippingPriceSet":%s,"shippingAddress":%s,"billingAddress":null,"shippingLine":{"title":"Express 1–2 days"},
		"lineItems":{"pageInfo":{"hasNextPage":%v,"endCursor":%s},"nodes":[%s]}}`,
		id, 1000+id, id%60, cancelledAt, id, cur, moneySet(total, cur), moneySet(tax, cur), moneySet(shipping, cur), addr,
		more, end, strings.Join(lines, ","))
}

const (
	tokyo  = `{"name":"山田 太郎","firstName":"太郎","lastName":"山田","company":null,"address1":"神南1-2-3","address2":null,"city":"渋谷区","province":"東京都","provinceCode":"JP-13","zip":"150-0041","countryCodeV2":"JP","phone":null}`
	kuwait = `{"name":"","firstName":"دانة","lastName":"المطيري","company":null,"address1":"قطعة 5، شارع سالم المبارك","address2":null,"city":"السالمية","province":"حولي","provinceCode":null,"zip":"22000","countryCodeV2":"KW","phone":"+965 2555 0101"}`
	athens = `{"name":"Ελένη Νικολάου","firstName":"Ελένη","lastName":"Νικολάου","company":null,"address1":"Οδός Ερμού 5","address2":null,"city":"Αθήνα","province":null,"provinceCode":null,"zip":"105 63","countryCodeV2":"GR","phone":null}`
)

// gqlServer speaks the Admin GraphQL API for two pages of two orders: the
// orders connection lists ids, nodes(ids:) returns the orders, and order 3
// has more lines than the first page of its lineItems. Like Shopify, it
// refuses a query whose requested cost exceeds the single-query limit.
type gqlServer struct {
	t        *testing.T
	requests atomic.Int32
	fail     func(w http.ResponseWriter, n int32) bool
	orders   map[string]string // by GID
	pages    func(after any) (ids []int, next string)
	byID     atomic.Int32 // nodes(ids:) requests
}

func cost(available float64) string {
	return fmt.Sprintf(`"extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000,"currentlyAvailable":%v,"restoreRate":100000}}}`, available)
}

func gid(id int) string { return fmt.Sprintf("gid://shopify/Order/%d", id) }

func (s *gqlServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.requests.Add(1)
	if r.Method != http.MethodPost || r.URL.Path != "/admin/api/"+shopify.APIVersion+"/graphql.json" {
		w.WriteHeader(404)
		fmt.Fprint(w, `{"errors":"Not Found"}`)
		return
	}
	if r.Header.Get("X-Shopify-Access-Token") != token {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
		return
	}
	if s.fail != nil && s.fail(w, n) {
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		s.t.Errorf("request is not JSON: %s", body)
	}
	if c, err := gqlcost.QueryCost(req.Query, req.Variables); err != nil || c > gqlcost.Max {
		s.t.Errorf("query cost %d (%v) exceeds Shopify's limit: %s", c, err, req.Query)
		fmt.Fprintf(w, `{"errors":[{"message":"Query cost is %d, which exceeds the single query max cost limit (1000).","extensions":{"code":"MAX_COST_EXCEEDED"}}]}`, c)
		return
	}
	switch {
	case strings.Contains(req.Query, "MoreLines"):
		if req.Variables["id"] != gid(3) || req.Variables["after"] != "lines-cursor" {
			s.t.Errorf("more lines asked with %v", req.Variables)
		}
		fmt.Fprintf(w, `{"data":{"order":{"lineItems":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[%s,%s]}}},%s}`,
			lineNode("PRT-EXTRA-1", 1, "1.000", "KWD"), lineNode("PRT-EXTRA-2", 2, "0.500", "KWD"), cost(1900))
		return
	case strings.Contains(req.Query, "nodes(ids:"):
		s.byID.Add(1)
		var nodes []string
		for _, id := range req.Variables["ids"].([]any) {
			o, ok := s.orders[id.(string)]
			if !ok {
				o = "null"
			}
			nodes = append(nodes, o)
		}
		fmt.Fprintf(w, `{"data":{"nodes":[%s]},%s}`, strings.Join(nodes, ","), cost(1300))
		return
	}
	if q, _ := req.Variables["query"].(string); !strings.HasPrefix(q, "updated_at:>='2026-11-01T00:00:00Z'") || !strings.Contains(req.Query, "sortKey: UPDATED_AT") {
		s.t.Errorf("query %q / %s", q, req.Query)
	}
	if req.Variables["first"] != float64(250) {
		s.t.Errorf("page of %v orders, want Shopify's maximum of 250", req.Variables["first"])
	}
	var ids []int
	next, cursor := false, "null"
	if s.pages != nil {
		var to string
		ids, to = s.pages(req.Variables["after"])
		if next = to != ""; next {
			cursor = strconv.Quote(to)
		}
	} else {
		ids, next, cursor = s.defaultPage(req.Variables["after"])
	}
	var nodes []string
	for _, id := range ids {
		nodes = append(nodes, fmt.Sprintf(`{"id":%q}`, gid(id)))
	}
	fmt.Fprintf(w, `{"data":{"ordersCount":{"count":4,"precision":"EXACT"},"orders":{"pageInfo":{"hasNextPage":%v,"endCursor":%s},"nodes":[%s]}},%s}`,
		next, cursor, strings.Join(nodes, ","), cost(1200))
}

// defaultPage lists orders 1 and 2, then 3, 4 and 5 (5 is deleted before it is read).
func (s *gqlServer) defaultPage(after any) (ids []int, next bool, cursor string) {
	cursor = "null"
	switch after {
	case nil:
		ids, next, cursor = []int{1, 2}, true, `"page-2"`
	case "page-2":
		ids = []int{3, 4, 5} // 5 is deleted before it is read
	default:
		s.t.Errorf("unknown cursor %v", after)
	}
	return ids, next, cursor
}

func shopOrders() map[string]string {
	return map[string]string{
		gid(1): order(1, "JPY", "10600.0", "800.0", "0.0", false, tokyo, false, lineNode("PRT-10013", 1, "9800.0", "JPY")),
		gid(2): order(2, "EUR", "54.80", "4.90", "9.10", false, athens, false, lineNode("PRT-10001", 2, "20.40", "EUR")),
		gid(3): order(3, "KWD", "14.500", "1.000", "0.000", false, kuwait, true, lineNode("PRT-10020", 4, "2.500", "KWD")),
		gid(4): order(4, "EUR", "0.00", "0.00", "0.00", true, athens, false, lineNode("PRT-10002", 1, "49.90", "EUR")),
	}
}

func newShop(t *testing.T) (*gqlServer, *shopify.Client) {
	s := &gqlServer{t: t, orders: shopOrders()}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := shopify.New(srv.URL, token)
	if err != nil {
		t.Fatal(err)
	}
	c.REST().Backoff = func(int) time.Duration { return time.Millisecond }
	return s, c
}

var since = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func fetchAll(t *testing.T, c *shopify.Client) ([]domain.SourceOrder, []domain.RejectedOrder, int, error) {
	var orders []domain.SourceOrder
	var rejected []domain.RejectedOrder
	token, reported := "", -1
	for {
		p, err := c.FetchUpdated(context.Background(), since, token)
		if err != nil {
			return orders, rejected, reported, err
		}
		if token == "" {
			reported = p.ReportedTotal
		}
		orders, rejected = append(orders, p.Orders...), append(rejected, p.Rejected...)
		if p.Next == "" {
			return orders, rejected, reported, nil
		}
		token = p.Next
	}
}

func TestFetchPagesAndMap(t *testing.T) {
	_, c := newShop(t)
	orders, rejected, reported, err := fetchAll(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 4 || len(rejected) != 0 || reported != 4 {
		t.Fatalf("%d orders, %v rejected, reported %d", len(orders), rejected, reported)
	}
	jp := orders[0].Order
	if jp.ExternalID != "1" || jp.Number != "#1001" || jp.Total != domain.NewMoney(10600, "JPY") ||
		jp.Lines[0].UnitPrice != domain.NewMoney(9800, "JPY") || jp.ShipTo.Name != "山田 太郎" || jp.ShipTo.Region != "JP-13" ||
		jp.Service != "Express 1–2 days" || !domain.IsExpress(jp.Service) {
		t.Errorf("JPY order %+v", jp)
	}
	if !jp.PlacedAt.Equal(time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)) || jp.PlacedAt.Location() != time.UTC {
		t.Errorf("placed %v", jp.PlacedAt)
	}
	kw := orders[2].Order
	if kw.Total != domain.NewMoney(14500, "KWD") || len(kw.Lines) != 3 || kw.Lines[2].UnitPrice != domain.NewMoney(500, "KWD") {
		t.Errorf("KWD order with more lines %+v", kw)
	}
	if kw.ShipTo.Name != "دانة المطيري" || kw.ShipTo.Region != "حولي" {
		t.Errorf("Arabic address %+v", kw.ShipTo)
	}
	if !orders[3].Cancelled || orders[3].SourceStatus != "cancelled" || orders[1].SourceStatus != "paid/unfulfilled" {
		t.Errorf("statuses %q %q", orders[3].SourceStatus, orders[1].SourceStatus)
	}
}

// A full page of 250 orders is read by id in chunks that each fit the cost limit.
func TestFullPageReadInChunks(t *testing.T) {
	s, c := newShop(t)
	s.orders = map[string]string{}
	for id := 1; id <= 260; id++ {
		s.orders[gid(id)] = order(id, "EUR", "54.80", "4.90", "9.10", false, athens, false, lineNode("PRT-10001", 2, "20.40", "EUR"))
	}
	s.pages = func(after any) ([]int, string) {
		if after == nil {
			ids := make([]int, 250)
			for i := range ids {
				ids[i] = i + 1
			}
			return ids, "next"
		}
		return []int{251, 252, 253, 254, 255, 256, 257, 258, 259, 260}, ""
	}
	orders, rejected, _, err := fetchAll(t, c)
	if err != nil || len(orders) != 260 || len(rejected) != 0 {
		t.Fatalf("%d orders, %d rejected, %v", len(orders), len(rejected), err)
	}
	for i, o := range orders {
		if o.Order.ExternalID != strconv.Itoa(i+1) {
			t.Fatalf("order %d is %s: the page's order was not kept", i+1, o.Order.ExternalID)
		}
	}
	want := (250+shopify.DetailsPerRequest-1)/shopify.DetailsPerRequest + 1
	if got := int(s.byID.Load()); got != want {
		t.Errorf("%d reads by id, want %d", got, want)
	}
}

func TestThrottlingIsWaitedOut(t *testing.T) {
	s, c := newShop(t)
	s.fail = func(w http.ResponseWriter, n int32) bool {
		switch n {
		case 2: // THROTTLED with HTTP 200
			fmt.Fprintf(w, `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],%s}`, cost(10))
			return true
		case 3: // and with HTTP 429
			w.Header().Set("Retry-After", "0.01")
			w.WriteHeader(429)
			fmt.Fprintf(w, `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],%s}`, cost(10))
			return true
		case 4:
			w.WriteHeader(502)
			return true
		}
		return false
	}
	orders, _, _, err := fetchAll(t, c)
	if err != nil || len(orders) != 4 {
		t.Fatalf("%d orders, %v", len(orders), err)
	}
	if s.requests.Load() != 8 {
		t.Errorf("%d requests, want 5 (2 lists, 2 reads by id, 1 of more lines) + 3 retries", s.requests.Load())
	}
}

func TestErrors(t *testing.T) {
	s, c := newShop(t)
	url := strings.TrimSuffix(c.REST().URL(""), "/")
	bad, _ := shopify.New(url, "shpat_wrong")
	_, err := bad.FetchUpdated(context.Background(), since, "")
	if !strings.Contains(fmt.Sprint(err), "refused the credentials") || strings.Contains(fmt.Sprint(err), "shpat_wrong") {
		t.Errorf("wrong token: %v", err)
	}
	if _, err := shopify.New("http://shop.myshopify.com", token); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("plain http accepted: %v", err)
	}
	s.fail = func(w http.ResponseWriter, n int32) bool {
		fmt.Fprint(w, `{"errors":[{"message":"Access denied for orders field. Required access: `+"`read_orders`"+` access scope."}],"data":null}`)
		return true
	}
	if _, err := c.FetchUpdated(context.Background(), since, ""); !strings.Contains(fmt.Sprint(err), "read_orders scope") {
		t.Errorf("access denied: %v", err)
	}
	s.fail = func(w http.ResponseWriter, n int32) bool {
		fmt.Fprint(w, `{"data":{"orders":`)
		return true
	}
	if _, err := c.FetchUpdated(context.Background(), since, ""); !strings.Contains(fmt.Sprint(err), "not GraphQL JSON") {
		t.Errorf("malformed: %v", err)
	}
	s.fail = nil
	s.orders[gid(1)] = order(1, "XXX", "1.00", "0", "0", false, athens, false, lineNode("A", 1, "1.00", "XXX"))
	s.orders[gid(2)] = order(2, "EUR", "1.00", "0", "0", false, athens, false, lineNode("A", 1, "1.001", "EUR"))
	p, err := c.FetchUpdated(context.Background(), since, "")
	if err != nil || len(p.Rejected) != 2 || !strings.Contains(p.Rejected[0].Reason, "ISO 4217") || !strings.Contains(p.Rejected[1].Reason, "decimals") ||
		p.Rejected[0].ExternalID != "1" || len(p.Orders) != 0 {
		t.Errorf("bad orders: %+v %v", p.Rejected, err)
	}
	s.orders[gid(1)] = `{"legacyResourceId":"1","name":7}`
	if p, err := c.FetchUpdated(context.Background(), since, ""); err != nil || len(p.Rejected) != 2 ||
		p.Rejected[0].ExternalID != "1" || !strings.Contains(p.Rejected[0].Reason, "malformed") {
		t.Errorf("malformed order: %+v %v", p.Rejected, err)
	}
	// The store never answers (until the test ends): the client's deadline must.
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	s.fail = func(w http.ResponseWriter, n int32) bool {
		<-hang
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.FetchUpdated(ctx, since, ""); err == nil {
		t.Error("timeout not reported")
	}
}

func FuzzDecodeOrder(f *testing.F) {
	f.Add([]byte(order(1, "JPY", "10600.0", "800.0", "0.0", false, tokyo, false, lineNode("PRT-1", 1, "9800.0", "JPY"))))
	f.Add([]byte(order(3, "KWD", "14.500", "1.000", "0.000", true, kuwait, false, lineNode("", 4, "2.500", "KWD"))))
	f.Add([]byte(`{"legacyResourceId":"1","presentmentCurrencyCode":"EUR","lineItems":{"nodes":[{"quantity":-5}]}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		o, err := shopify.DecodeOrder(raw)
		if err != nil {
			return
		}
		if err := o.Order.Validate(); err != nil {
			t.Errorf("decoded an invalid order: %v", err)
		}
	})
}
