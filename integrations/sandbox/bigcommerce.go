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

const rfc2822 = "Mon, 02 Jan 2006 15:04:05 -0700"

// serveBigCommerce answers BigCommerce's v2 orders API: the list with
// min_date_modified (inclusive), sort=date_modified:asc, page and limit, 204
// for an empty page, and each order's products and shipping addresses.
func (s *Store) serveBigCommerce(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Auth-Token") != BigCommerceToken {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `[{"status":401,"message":"You don't have a required scope to access the endpoint"}]`)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, BigCommercePath+"/v2")
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	if page < 1 {
		page = 1
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit < 1 || limit > 250 {
		limit = 50
	}
	if path == "/orders" {
		var from time.Time
		if v := q.Get("min_date_modified"); v != "" {
			t, err := time.Parse(rfc2822, v)
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `[{"status":400,"message":"The field 'min_date_modified' is invalid."}]`)
				return
			}
			from = t
		}
		list := s.byModification(from, false)
		start := (page - 1) * limit
		if start >= len(list) {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		var out []map[string]any
		for _, o := range list[start:min(start+limit, len(list))] {
			out = append(out, toBigCommerce(o))
		}
		_ = json.NewEncoder(w).Encode(out)
		return
	}
	var id int64
	var what string
	if _, err := fmt.Sscanf(path, "/orders/%d/%s", &id, &what); err != nil || s.orders[id] == nil {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `[{"status":404,"message":"The requested resource was not found."}]`)
		return
	}
	o := s.orders[id]
	switch what {
	case "products":
		if page > 1 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		var out []map[string]any
		for i, l := range o.Order.Lines {
			out = append(out, map[string]any{"id": id*100 + int64(i), "order_id": id, "product_id": 1000 + i, "variant_id": 1,
				"name": l.Name, "sku": l.SKU, "type": "physical", "price_ex_tax": four(l.UnitPrice), "price_inc_tax": four(l.UnitPrice),
				"quantity": l.Quantity, "quantity_shipped": 0, "product_options": []any{}})
		}
		_ = json.NewEncoder(w).Encode(out)
	case "shipping_addresses":
		a := bcAddress(o.Order)
		a["shipping_method"] = o.Order.Service
		_ = json.NewEncoder(w).Encode([]map[string]any{a})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// four writes an amount with four decimals, as BigCommerce does.
func four(m domain.Money) string {
	d := m.Decimal()
	whole, frac, _ := strings.Cut(d, ".")
	return whole + "." + (frac + "0000")[:4]
}

func bcAddress(d domain.Order) map[string]any {
	first, last := splitName(d.ShipTo.Name)
	return map[string]any{"first_name": first, "last_name": last, "company": d.ShipTo.Company, "street_1": d.ShipTo.Line1,
		"street_2": d.ShipTo.Line2, "city": d.ShipTo.City, "state": d.ShipTo.Region, "zip": d.ShipTo.PostalCode,
		"country": d.ShipTo.Country.Name(), "country_iso2": string(d.ShipTo.Country), "phone": d.ShipTo.Phone, "email": d.CustomerEmail}
}

func toBigCommerce(o *Order) map[string]any {
	d := o.Order
	statusID, status := 11, "Awaiting Fulfillment"
	switch o.Status {
	case "cancelled":
		statusID, status = 5, "Cancelled"
	case "completed":
		statusID, status = 10, "Completed"
	case "on-hold":
		statusID, status = 12, "Manual Verification Required"
	}
	return map[string]any{
		"id": o.ID, "customer_id": 0, "date_created": d.PlacedAt.UTC().Format(rfc2822), "date_modified": o.Modified.UTC().Format(rfc2822),
		"date_shipped": "", "status_id": statusID, "status": status, "custom_status": status,
		"shipping_cost_ex_tax": four(d.Shipping), "total_inc_tax": four(d.Total), "total_tax": four(d.Tax),
		"currency_code": string(d.Currency), "default_currency_code": string(d.Currency), // the amounts are in default_currency_code
		"customer_message": d.Notes, "staff_notes": "",
		"is_deleted": false, "channel_id": 1, "billing_address": bcAddress(d),
		"products":           map[string]any{"url": "", "resource": fmt.Sprintf("/orders/%d/products", o.ID)},
		"shipping_addresses": map[string]any{"url": "", "resource": fmt.Sprintf("/orders/%d/shippingaddresses", o.ID)},
	}
}
