package bigcommerce

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/portolan/portolan/domain"
)

// PushTracking creates the parcel's shipment in BigCommerce (v2
// /orders/{id}/shipments) with the tracking number, the shipping address
// and the parcel's products (every product when the parcel's lines are not
// known); a shipment with the number already there is not created again.
func (c *Client) PushTracking(ctx context.Context, p domain.TrackingPush) error {
	externalID, carrier, tracking := p.ExternalID, p.Carrier, p.Tracking
	id := url.PathEscape(strings.TrimSpace(externalID))
	if id == "" {
		return domain.Errorf(domain.EINVALID, "the order has no BigCommerce id")
	}
	shipments, err := c.getList(ctx, "/v2/orders/"+id+"/shipments", nil)
	if err != nil {
		return err
	}
	for _, raw := range shipments {
		var s struct {
			TrackingNumber string `json:"tracking_number"`
		}
		if json.Unmarshal(raw, &s) == nil && strings.EqualFold(s.TrackingNumber, tracking) {
			return nil
		}
	}
	addrs, err := c.getList(ctx, "/v2/orders/"+id+"/shipping_addresses", nil)
	if err != nil {
		return err
	}
	if len(addrs) == 0 {
		return domain.Errorf(domain.EINVALID, "BigCommerce order %s has no shipping address to ship to", externalID)
	}
	var addr struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(addrs[0], &addr); err != nil {
		return domain.Errorf(domain.EINVALID, "BigCommerce's shipping address is not the JSON its API documents")
	}
	products, err := c.getAll(ctx, "/v2/orders/"+id+"/products")
	if err != nil {
		return err
	}
	type item struct {
		OrderProductID int64 `json:"order_product_id"`
		Quantity       int64 `json:"quantity"`
	}
	inParcel := map[string]int64{} // the parcel's lines, by SKU
	for _, l := range p.Lines {
		inParcel[strings.ToLower(l.SKU)] += int64(l.Qty)
	}
	var items []item
	for _, raw := range products {
		var op struct {
			ID       int64  `json:"id"`
			SKU      string `json:"sku"`
			Quantity int64  `json:"quantity"`
		}
		if err := json.Unmarshal(raw, &op); err != nil {
			return domain.Errorf(domain.EINVALID, "BigCommerce's order products are not the JSON its API documents")
		}
		q := op.Quantity
		if len(p.Lines) > 0 {
			k := strings.ToLower(op.SKU)
			q = min(q, inParcel[k])
			inParcel[k] -= q
		}
		if q > 0 {
			items = append(items, item{op.ID, q})
		}
	}
	body := map[string]any{"order_address_id": addr.ID, "tracking_number": tracking, "tracking_carrier": carrierCode(carrier),
		"shipping_provider": "", "comments": "Shipped with " + carrier, "items": items}
	if link := domain.TrackingLink(carrier, tracking); link != "" {
		body["tracking_link"] = link
	}
	_, err = c.rest.PostJSON(ctx, "/v2/orders/"+id+"/shipments", body, c.auth)
	return err
}

// carrierCode is BigCommerce's code for a carrier (its shipments'
// tracking_carrier must be one of them, or empty): "" for a carrier it does
// not know by a code Portolan knows.
func carrierCode(carrier string) string {
	switch domain.CarrierOf(carrier) {
	case domain.CarrierDHL:
		return "dhl"
	case domain.CarrierUPS:
		return "ups"
	case domain.CarrierFedEx:
		return "fedex"
	case domain.CarrierUSPS:
		return "usps"
	}
	switch strings.ToLower(strings.TrimSpace(carrier)) {
	case "royal mail":
		return "royal-mail"
	case "australia post", "auspost":
		return "auspost"
	case "canada post":
		return "canada-post"
	}
	return ""
}
