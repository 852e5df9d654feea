package shopify

import (
	"context"
	"strings"

	"github.com/portolan/portolan/domain"
)

const fulfillmentStateQuery = `query FulfillmentState($id: ID!) {
  order(id: $id) {
    fulfillments(first: 50) { trackingInfo(first: 10) { number } }
    fulfillmentOrders(first: 20) {
      nodes {
        id status
        assignedLocation { location { id } }
        lineItems(first: 250) { nodes { id remainingQuantity lineItem { sku } } }
      }
    }
  }
}`

const fulfillmentCreateMutation = `mutation PushTracking($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}`

type fulfillmentOrder struct {
	ID               string `json:"id"`
	Status           string `json:"status"`
	AssignedLocation struct {
		Location struct {
			ID string `json:"id"`
		} `json:"location"`
	} `json:"assignedLocation"`
	LineItems struct {
		Nodes []struct {
			ID                string `json:"id"`
			RemainingQuantity int64  `json:"remainingQuantity"`
			LineItem          struct {
				SKU string `json:"sku"`
			} `json:"lineItem"`
		} `json:"nodes"`
	} `json:"lineItems"`
}

// PushTracking fulfils the parcel's own line items with its tracking number
// (mutation fulfillmentCreate, the customer notified): Shopify fulfils
// every remaining item of a fulfillment order given without line items, so
// each parcel names its items, mapped to the fulfillment orders' line items;
// and since one mutation may only hold fulfillment orders of one location,
// there is one per location. A parcel whose lines are not known (shipped
// outside Portolan) fulfils what is left. When a fulfillment already
// carries the number nothing is created again.
func (c *Client) PushTracking(ctx context.Context, p domain.TrackingPush) error {
	externalID := p.ExternalID
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
				Nodes []fulfillmentOrder `json:"nodes"`
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
			if strings.EqualFold(t.Number, p.Tracking) {
				return nil
			}
		}
	}
	groups, order := fulfilmentsByLocation(state.Order.FulfillmentOrders.Nodes, p.Lines)
	if len(order) == 0 {
		return domain.Errorf(domain.ECONFLICT, "Shopify order %s has nothing of this parcel left to fulfil (fulfilled or cancelled there)", externalID)
	}
	info := map[string]string{"company": shopifyCarrier(p.Carrier), "number": p.Tracking}
	if link := domain.TrackingLink(p.Carrier, p.Tracking); link != "" {
		info["url"] = link
	}
	for _, loc := range order {
		var out struct {
			FulfillmentCreate struct {
				UserErrors []struct {
					Field   []string `json:"field"`
					Message string   `json:"message"`
				} `json:"userErrors"`
			} `json:"fulfillmentCreate"`
		}
		vars := map[string]any{"fulfillment": map[string]any{"lineItemsByFulfillmentOrder": groups[loc], "notifyCustomer": true,
			"trackingInfo": info}}
		if err := c.query(ctx, fulfillmentCreateMutation, vars, &out); err != nil {
			return err
		}
		if ue := out.FulfillmentCreate.UserErrors; len(ue) > 0 {
			return domain.Errorf(domain.EINVALID, "Shopify refused the fulfillment: %s", ue[0].Message)
		}
	}
	return nil
}

// fulfilmentsByLocation is what to fulfil of the open fulfillment orders,
// grouped by their assigned location (in the order first met): the
// parcel's lines taken from the line items with that SKU still to fulfil,
// or, without lines, every open fulfillment order whole.
func fulfilmentsByLocation(fos []fulfillmentOrder, lines []domain.PushLine) (map[string][]map[string]any, []string) {
	want := map[string]int64{}
	for _, l := range lines {
		want[strings.ToLower(strings.TrimSpace(l.SKU))] += int64(l.Qty)
	}
	groups := map[string][]map[string]any{}
	var order []string
	for _, fo := range fos {
		if fo.Status != "OPEN" && fo.Status != "IN_PROGRESS" {
			continue
		}
		entry := map[string]any{"fulfillmentOrderId": fo.ID}
		if len(lines) > 0 {
			var items []map[string]any
			for _, li := range fo.LineItems.Nodes {
				k := strings.ToLower(strings.TrimSpace(li.LineItem.SKU))
				if n := min(li.RemainingQuantity, want[k]); n > 0 {
					items = append(items, map[string]any{"id": li.ID, "quantity": n})
					want[k] -= n
				}
			}
			if len(items) == 0 {
				continue
			}
			entry["fulfillmentOrderLineItems"] = items
		}
		loc := fo.AssignedLocation.Location.ID
		if _, seen := groups[loc]; !seen {
			order = append(order, loc)
		}
		groups[loc] = append(groups[loc], entry)
	}
	return groups, order
}

// shopifyCarrier is the carrier's name as Shopify spells it on its list of
// supported carriers (it builds the customer's tracking link only for
// those); another carrier keeps its own name, with a url where Portolan
// knows the tracking page.
func shopifyCarrier(name string) string {
	switch domain.CarrierOf(name) {
	case domain.CarrierDHL:
		return "DHL Express"
	case domain.CarrierUPS:
		return "UPS"
	case domain.CarrierFedEx:
		return "FedEx"
	case domain.CarrierUSPS:
		return "USPS"
	}
	for _, known := range []string{"Royal Mail", "Canada Post", "Australia Post", "DPD", "GLS", "PostNL", "TNT", "Japan Post (EN)",
		"La Poste", "Deutsche Post (DE)", "Purolator", "Sendle", "Aramex", "Chronopost", "Correos", "Poste Italiane"} {
		if strings.EqualFold(strings.TrimSpace(name), strings.TrimSuffix(strings.TrimSuffix(known, " (EN)"), " (DE)")) {
			return known
		}
	}
	return strings.TrimSpace(name)
}
