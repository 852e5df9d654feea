// Package sandbox is a storefront on this computer: an HTTP handler that
// speaks the order APIs of Shopify (Admin GraphQL), WooCommerce (REST v3) and
// BigCommerce (v2) over the same orders held in memory, with their paging,
// filters, headers and authentication. New users sync it to see
// intake work without credentials; tests sync it as they would a real store.
package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/portolan/portolan/domain"
)

// Sandbox credentials: fixed, since the server only listens on loopback.
const (
	WooKey           = "ck_portolan_sandbox"
	WooSecret        = "cs_portolan_sandbox"
	ShopifyToken     = "shpat_portolan_sandbox"
	BigCommerceToken = "bc_portolan_sandbox"
	// BigCommercePath is the store path of the BigCommerce API (its "store hash").
	BigCommercePath = "/stores/sandbox"
)

// Order is an order in the sandbox store with its storefront status and
// modification time.
type Order struct {
	Order    domain.Order
	ID       int64
	Status   string // WooCommerce status: processing, on-hold, completed, cancelled, …
	Modified time.Time
	// Notes are the order's customer notes (tracking numbers told to the store).
	Notes []string

	wooJSON []byte // cached WooCommerce JSON; nil after a change
}

// Store holds the sandbox's orders; it is safe for concurrent use.
type Store struct {
	mu     sync.Mutex
	orders map[int64]*Order
	sorted []*Order // by modification, then id; nil after a change
	// Requests counts API calls served (for tests and the window's status line).
	requests int
	now      func() time.Time // the store's clock (stamps order notes)
}

// NewStore returns a store holding orders, reading the clock now.
func NewStore(orders []Order, now func() time.Time) *Store {
	s := &Store{orders: map[int64]*Order{}, now: now}
	for i := range orders {
		o := orders[i]
		s.orders[o.ID] = &o
	}
	return s
}

// Update changes an order as a shop admin would, bumping its modification time.
func (s *Store) Update(id int64, at time.Time, change func(o *Order)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[id]; ok {
		change(o)
		o.Modified = at.UTC()
		o.wooJSON = nil
		s.sorted = nil
	}
}

// Requests is the number of API calls served so far.
func (s *Store) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// ServeHTTP serves the three storefront APIs over the same orders: Shopify's
// Admin GraphQL orders query, WooCommerce's REST v3 orders and BigCommerce's
// v2 orders (see shopify.go and bigcommerce.go in this package).
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	switch {
	case strings.HasPrefix(r.URL.Path, "/admin/api/") && strings.HasSuffix(r.URL.Path, "/graphql.json"):
		s.serveShopify(w, r)
		return
	case strings.HasPrefix(r.URL.Path, BigCommercePath+"/v2/"):
		s.serveBigCommerce(w, r)
		return
	}
	s.serveWoo(w, r)
}

// serveWoo serves GET /wp-json/wc/v3/orders with WooCommerce's parameters
// (page, per_page ≤ 100, modified_after with dates_are_gmt, orderby=modified,
// order) and headers (X-WP-Total, X-WP-TotalPages), behind HTTP Basic auth.
func (s *Store) serveWoo(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/wp-json/wc/v3/orders/"); ok && rest != "" {
		s.serveWooOrder(w, r, rest)
		return
	}
	if r.Method != http.MethodGet || strings.TrimSuffix(r.URL.Path, "/") != "/wp-json/wc/v3/orders" {
		wooError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
		return
	}
	if u, p, ok := r.BasicAuth(); !ok || u != WooKey || p != WooSecret {
		wooError(w, http.StatusUnauthorized, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
		return
	}
	q := r.URL.Query()
	perPage, page := 10, 1
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			wooError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): per_page")
			return
		}
		perPage = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			wooError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): page")
			return
		}
		page = n
	}
	var after time.Time
	if v := q.Get("modified_after"); v != "" {
		t, err := time.Parse("2006-01-02T15:04:05", v)
		if err != nil {
			wooError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): modified_after")
			return
		}
		after = t // dates_are_gmt=true: GMT; the sandbox keeps GMT too
	}
	list := s.byModification(after, true)
	if q.Get("orderby") != "modified" {
		list = append([]*Order(nil), list...)
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	}
	if q.Get("order") == "desc" {
		list = append([]*Order(nil), list...)
		for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
			list[i], list[j] = list[j], list[i]
		}
	}
	pages := (len(list) + perPage - 1) / perPage
	w.Header().Set("X-WP-Total", strconv.Itoa(len(list)))
	w.Header().Set("X-WP-TotalPages", strconv.Itoa(pages))
	start := (page - 1) * perPage
	if start > len(list) {
		start = len(list)
	}
	end := min(start+perPage, len(list))
	// Each order's JSON is encoded once and kept until it changes, as a real
	// store would serve it from its own cache: the sandbox's CPU otherwise
	// competes with the client it serves on the same machine.
	var b bytes.Buffer
	b.WriteByte('[')
	for i, o := range list[start:end] {
		if i > 0 {
			b.WriteByte(',')
		}
		if o.wooJSON == nil {
			o.wooJSON, _ = json.Marshal(toWoo(o))
		}
		b.Write(o.wooJSON)
	}
	b.WriteString("]\n")
	_, _ = w.Write(b.Bytes())
}

func wooError(w http.ResponseWriter, status int, code, msg string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg, "data": map[string]int{"status": status}})
}

type wooAddress struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone"`
}

type wooLine struct {
	ID        int64       `json:"id"`
	Name      string      `json:"name"`
	ProductID int64       `json:"product_id"`
	Quantity  int64       `json:"quantity"`
	Subtotal  string      `json:"subtotal"`
	Total     string      `json:"total"`
	SKU       string      `json:"sku"`
	Price     json.Number `json:"price"` // a JSON number, as WooCommerce sends it
}

type wooOrder struct {
	ID              int64      `json:"id"`
	ParentID        int64      `json:"parent_id"`
	Number          string     `json:"number"`
	OrderKey        string     `json:"order_key"`
	CreatedVia      string     `json:"created_via"`
	Status          string     `json:"status"`
	Currency        string     `json:"currency"`
	DateCreated     string     `json:"date_created"`
	DateCreatedGMT  string     `json:"date_created_gmt"`
	DateModified    string     `json:"date_modified"`
	DateModifiedGMT string     `json:"date_modified_gmt"`
	DiscountTotal   string     `json:"discount_total"`
	ShippingTotal   string     `json:"shipping_total"`
	Total           string     `json:"total"`
	TotalTax        string     `json:"total_tax"`
	CustomerNote    string     `json:"customer_note"`
	Billing         wooAddress `json:"billing"`
	Shipping        wooAddress `json:"shipping"`
	LineItems       []wooLine  `json:"line_items"`
	ShippingLines   []wooShip  `json:"shipping_lines"`
}

type wooShip struct {
	MethodID    string `json:"method_id"`
	MethodTitle string `json:"method_title"`
	Total       string `json:"total"`
}

const wooTime = "2006-01-02T15:04:05"

func toWoo(o *Order) wooOrder {
	d := o.Order
	first, last, _ := strings.Cut(d.ShipTo.Name, " ")
	addr := wooAddress{FirstName: first, LastName: last, Company: d.ShipTo.Company, Address1: d.ShipTo.Line1,
		Address2: d.ShipTo.Line2, City: d.ShipTo.City, State: d.ShipTo.Region, Postcode: d.ShipTo.PostalCode,
		Country: string(d.ShipTo.Country), Phone: d.ShipTo.Phone}
	billing := addr
	billing.Email = d.CustomerEmail
	w := wooOrder{ID: o.ID, Number: d.Number, OrderKey: fmt.Sprintf("wc_order_%d", o.ID), CreatedVia: "checkout",
		Status: o.Status, Currency: string(d.Currency),
		DateCreated: d.PlacedAt.UTC().Format(wooTime), DateCreatedGMT: d.PlacedAt.UTC().Format(wooTime),
		DateModified: o.Modified.UTC().Format(wooTime), DateModifiedGMT: o.Modified.UTC().Format(wooTime),
		DiscountTotal: domain.NewMoney(0, d.Currency).Decimal(), ShippingTotal: d.Shipping.Decimal(),
		Total: d.Total.Decimal(), TotalTax: d.Tax.Decimal(), CustomerNote: d.Notes, Billing: billing, Shipping: addr,
		ShippingLines: []wooShip{{MethodID: "flat_rate", MethodTitle: d.Service, Total: d.Shipping.Decimal()}}}
	for i, l := range d.Lines {
		t, _ := l.Total()
		w.LineItems = append(w.LineItems, wooLine{ID: o.ID*100 + int64(i), Name: l.Name, ProductID: 1000 + int64(i),
			Quantity: int64(l.Quantity), Subtotal: t.Decimal(), Total: t.Decimal(), SKU: l.SKU,
			Price: json.Number(l.UnitPrice.Decimal())})
	}
	return w
}

// Add puts a new order into the store, as a customer checking out would.
func (s *Store) Add(o Order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[o.ID] = &o
	s.sorted = nil
}

// before orders by modification time, then id: the order every API here pages in.
func before(a, b *Order) bool {
	if !a.Modified.Equal(b.Modified) {
		return a.Modified.Before(b.Modified)
	}
	return a.ID < b.ID
}

// byModification returns the orders changed at or after from (strictly after
// when strict), oldest change first, from an index kept sorted like a store's
// database would (rebuilt after a change). The result must not be modified.
func (s *Store) byModification(from time.Time, strict bool) []*Order {
	if s.sorted == nil {
		s.sorted = make([]*Order, 0, len(s.orders))
		for _, o := range s.orders {
			s.sorted = append(s.sorted, o)
		}
		sort.Slice(s.sorted, func(i, j int) bool { return before(s.sorted[i], s.sorted[j]) })
	}
	if from.IsZero() {
		return s.sorted
	}
	i := sort.Search(len(s.sorted), func(i int) bool {
		m := s.sorted[i].Modified
		return m.After(from) || (!strict && m.Equal(from))
	})
	return s.sorted[i:]
}

func splitName(full string) (first, last string) {
	first, last, _ = strings.Cut(full, " ")
	return first, last
}

// serveWooOrder serves one order's notes (GET and POST .../orders/{id}/notes)
// and its status change (PUT .../orders/{id} {"status": …}): what Portolan
// uses to tell the store a parcel shipped.
func (s *Store) serveWooOrder(w http.ResponseWriter, r *http.Request, rest string) {
	if u, p, ok := r.BasicAuth(); !ok || u != WooKey || p != WooSecret {
		wooError(w, http.StatusUnauthorized, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")
		return
	}
	idText, sub, _ := strings.Cut(strings.TrimSuffix(rest, "/"), "/")
	id, err := strconv.ParseInt(idText, 10, 64)
	o, ok := s.orders[id]
	if err != nil || !ok {
		wooError(w, http.StatusNotFound, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
		return
	}
	now := s.now().UTC().Truncate(time.Second)
	switch {
	case sub == "notes" && r.Method == http.MethodGet:
		out := []map[string]any{}
		for i, n := range o.Notes {
			out = append(out, map[string]any{"id": i + 1, "note": n, "customer_note": true, "date_created_gmt": now.Format("2006-01-02T15:04:05")})
		}
		_ = json.NewEncoder(w).Encode(out)
	case sub == "notes" && r.Method == http.MethodPost:
		var body struct {
			Note         string `json:"note"`
			CustomerNote bool   `json:"customer_note"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || strings.TrimSpace(body.Note) == "" {
			wooError(w, http.StatusBadRequest, "rest_missing_callback_param", "Missing parameter(s): note")
			return
		}
		o.Notes = append(o.Notes, body.Note)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"id": len(o.Notes), "note": body.Note, "customer_note": body.CustomerNote})
	case sub == "" && r.Method == http.MethodPut:
		var body struct {
			Status string `json:"status"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Status == "" {
			wooError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): status")
			return
		}
		if o.Status != body.Status {
			o.Status, o.Modified, o.wooJSON, s.sorted = body.Status, now, nil, nil
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": o.ID, "status": o.Status})
	default:
		wooError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
	}
}

// Order returns a copy of an order as the store holds it now.
func (s *Store) Order(id int64) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, false
	}
	return *o, true
}
