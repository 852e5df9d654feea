package shopify

import (
	"context"
	"strings"

	"github.com/portolan/portolan/domain"
)

const fulfillmentStateQuery = `query FulfillmentState($id: ID!) {
  order(id: $id) {
    fulfillments(first: 50) { trackingInfo(first: 10) { number } }
    fulfillmentOrders(first: 20) { nodes { id status } }
  }
}`

const fulfillmentCreateMutation = `mutation PushTracking($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}`

// PushTracking fulfils the order's open fulfillment orders with the
// tracking number (mutation fulfillmentCreate, the customer notified); when
// a fulfillment already carries the number nothing is created again.
func (c *Client) PushTracking(ctx context.Context, externalID, carrier, tracking string) error {
	id := strings.TrimSpace(externalID)
	if id == "" {
		return domain.Errorf(domain.EINVALID, "the order has no Shopify id")
	}
	if !strings.HasPrefix(id, "gid://") {
		id = "gid://shopify/Order/" + id
	}
	var state struct {
		Order *struct {
			Fulfillments []struct {
				TrackingInfo []struct {
					Number string `json:"number"`
				} `json:"trackingInfo"`
			} `json:"fulfillments"`
			FulfillmentOrders struct {
				Nodes []struct {
					ID     string `json:"id"`
					Status string `json:"status"`
				} `json:"nodes"`
			} `json:"fulfillmentOrders"`
		} `json:"order"`
	}
	if err := c.query(ctx, fulfillmentStateQuery, map[string]any{"id": id}, &state); err != nil {
		return err
	}
	if state.Order == nil {
		return domain.Errorf(domain.ENOTFOUND, "Shopify has no order %s", externalID)
	}
	for _, f := range state.Order.Fulfillments {
		for _, t := range f.TrackingInfo {
			if strings.EqualFold(t.Number, tracking) {
				return nil
			}
		}
	}
	var lines []map[string]any
	for _, fo := range state.Order.FulfillmentOrders.Nodes {
		if fo.Status == "OPEN" || fo.Status == "IN_PROGRESS" {
			lines = append(lines, map[string]any{"fulfillmentOrderId": fo.ID})
		}
	}
	if len(lines) == 0 {
		return domain.Errorf(domain.ECONFLICT, "Shopify order %s has nothing left to fulfil (fulfilled or cancelled there)", externalID)
	}
	var out struct {
		FulfillmentCreate struct {
			UserErrors []struct {
				Field   []string `json:"field"`
				Message string   `json:"message"`
			} `json:"userErrors"`
		} `json:"fulfillmentCreate"`
	}
	vars := map[string]any{"fulfillment": map[string]any{"lineItemsByFulfillmentOrder": lines, "notifyCustomer": true,
		"trackingInfo": map[string]string{"company": carrier, "number": tracking}}}
	if err := c.query(ctx, fulfillmentCreateMutation, vars, &out); err != nil {
		return err
	}
	if ue := out.FulfillmentCreate.UserErrors; len(ue) > 0 {
		return domain.Errorf(domain.EINVALID, "Shopify refused the fulfillment: %s", ue[0].Message)
	}
	return nil
}
