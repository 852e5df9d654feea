package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/portolan/portolan/domain"
)

// PushTracking tells the store an order shipped: a customer-visible order
// note with the carrier and tracking number (WooCommerce core has no
// tracking field), then the order marked completed. A note already there
// is not added again.
func (c *Client) PushTracking(ctx context.Context, p domain.TrackingPush) error {
	externalID, carrier, tracking := p.ExternalID, p.Carrier, p.Tracking
	id := url.PathEscape(strings.TrimSpace(externalID))
	if id == "" {
		return domain.Errorf(domain.EINVALID, "the order has no WooCommerce id")
	}
	resp, err := c.rest.Get(ctx, "/wp-json/wc/v3/orders/"+id+"/notes", url.Values{"type": {"customer"}}, c.auth)
	if err != nil {
		return err
	}
	var notes []struct {
		Note string `json:"note"`
	}
	if err := json.Unmarshal(resp.Body(), &notes); err != nil {
		return domain.Errorf(domain.EINVALID, "WooCommerce's order notes are not the JSON its API documents: %s", shortJSONError(err))
	}
	seen := false
	for _, n := range notes {
		if strings.Contains(n.Note, tracking) {
			seen = true
		}
	}
	if !seen {
		note := fmt.Sprintf("Your order has shipped with %s. Tracking number: %s", carrier, tracking)
		if _, err := c.rest.PostJSON(ctx, "/wp-json/wc/v3/orders/"+id+"/notes", map[string]any{"note": note, "customer_note": true}, c.auth); err != nil {
			return err
		}
	}
	_, err = c.rest.PutJSON(ctx, "/wp-json/wc/v3/orders/"+id, map[string]string{"status": "completed"}, c.auth)
	return err
}
