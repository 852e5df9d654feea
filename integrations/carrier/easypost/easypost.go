// Package easypost tracks parcels of any carrier through the EasyPost
// Tracker API (HTTP Basic with the API key): it looks a tracker up by its
// tracking code (GET /v2/trackers) and creates one (POST /v2/trackers) the
// first time, so a carrier without a client of its own is still tracked.
package easypost

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/track"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// Client is one EasyPost API key.
type Client struct {
	rc  *rest.Client
	key string
	// Carrier names the carrier for new trackers ("" lets EasyPost detect it).
	Carrier string
}

// New makes a client for the account; gate, when given, runs before
// every request (the poller's rate and budget).
func New(a domain.CarrierAccount, gate ...func(context.Context) error) (*Client, error) {
	rc, err := track.NewREST(a, gate, http.StatusUnprocessableEntity, http.StatusNotFound)
	if err != nil {
		return nil, err
	}
	return &Client{rc: rc, key: a.Key}, nil
}

func (c *Client) auth(r *resty.Request) { r.SetBasicAuth(c.key, "") }

type tracker struct {
	ID              string `json:"id"`
	TrackingCode    string `json:"tracking_code"`
	Status          string `json:"status"`
	StatusDetail    string `json:"status_detail"`
	Carrier         string `json:"carrier"`
	EstDeliveryDate string `json:"est_delivery_date"`
	TrackingDetails []struct {
		Message          string `json:"message"`
		Description      string `json:"description"`
		Status           string `json:"status"`
		StatusDetail     string `json:"status_detail"`
		Datetime         string `json:"datetime"`
		CarrierCode      string `json:"carrier_code"`
		TrackingLocation struct {
			City    *string `json:"city"`
			State   *string `json:"state"`
			Country *string `json:"country"`
			Zip     *string `json:"zip"`
		} `json:"tracking_location"`
	} `json:"tracking_details"`
}

type errorBody struct {
	Error struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Errors  json.RawMessage `json:"errors"` // objects or plain strings
	} `json:"error"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// The values of EasyPost's tracker status and status_detail enums (as its
// client libraries list them), and what each means for a parcel.
var (
	statuses = map[string]domain.Milestone{
		"unknown": domain.MilestoneUnknown, "pre_transit": domain.MilestoneLabelCreated, "in_transit": domain.MilestoneInTransit,
		"out_for_delivery": domain.MilestoneOutForDelivery, "available_for_pickup": domain.MilestoneOutForDelivery,
		"delivered": domain.MilestoneDelivered, "return_to_sender": domain.MilestoneReturned,
		"failure": domain.MilestoneException, "cancelled": domain.MilestoneException, "error": domain.MilestoneException,
	}
	// details that say more than the status: a failed or refused delivery,
	// a return, a customs hold, a parcel lost or damaged.
	details = map[string]domain.Milestone{
		"delivery_exception": domain.MilestoneDeliveryFailed, "refused": domain.MilestoneDeliveryFailed,
		"failure": domain.MilestoneDeliveryFailed, "return": domain.MilestoneReturned,
		"lost": domain.MilestoneException, "damaged": domain.MilestoneException, "missorted": domain.MilestoneException,
		"transit_exception": domain.MilestoneException, "expired": domain.MilestoneException,
		"address_correction": domain.MilestoneException, "awaiting_information": domain.MilestoneException,
		"held": domain.MilestoneCustomsHold, "label_created": domain.MilestoneLabelCreated,
		"out_for_delivery": domain.MilestoneOutForDelivery, "arrived_at_pickup_location": domain.MilestoneOutForDelivery,
	}
)

// milestone maps a tracker's status, made finer by its status_detail where
// that says more (a held parcel is held by customs only when its words say
// so), and by the event's words.
func milestone(status, detail, text string) domain.Milestone {
	base := statuses[status]
	if d, ok := details[detail]; ok && status != "delivered" {
		base = d
		if d == domain.MilestoneCustomsHold && !strings.Contains(strings.ToLower(text), "customs") {
			base = domain.MilestoneException
		}
	}
	return track.Refine(base, strings.ReplaceAll(detail, "_", " ")+" "+text)
}

// Track asks for each number in turn.
func (c *Client) Track(ctx context.Context, numbers []string) ([]domain.TrackResult, error) {
	return track.OneByOne(ctx, numbers, c.one)
}

func (c *Client) one(ctx context.Context, n string) (domain.TrackResult, error) {
	res := domain.TrackResult{Number: n}
	resp, err := c.rc.Get(ctx, "/v2/trackers", url.Values{"tracking_code": {n}, "page_size": {"1"}}, c.auth)
	if err != nil {
		return res, err
	}
	var list struct {
		Trackers []tracker `json:"trackers"`
	}
	if err := json.Unmarshal(resp.Body(), &list); err != nil && resp.StatusCode() == http.StatusOK {
		return res, domain.Errorf(domain.EINVALID, "EasyPost's answer for %s is not the JSON its API documents: %v", n, err)
	}
	var t tracker
	body := resp.Body()
	if len(list.Trackers) > 0 {
		t = list.Trackers[0]
	} else {
		req := map[string]any{"tracker": map[string]string{"tracking_code": n}}
		if c.Carrier != "" {
			req["tracker"] = map[string]string{"tracking_code": n, "carrier": c.Carrier}
		}
		resp, err := c.rc.PostJSON(ctx, "/v2/trackers", req, c.auth)
		if err != nil {
			return res, err
		}
		body = resp.Body()
		if resp.StatusCode() != http.StatusOK && resp.StatusCode() != http.StatusCreated {
			var e errorBody
			_ = json.Unmarshal(body, &e)
			res.NotFound, res.Raw = e.Error.Message, body
			if res.NotFound == "" {
				res.NotFound = "EasyPost cannot track this number"
			}
			return res, nil
		}
		if err := json.Unmarshal(body, &t); err != nil {
			return res, domain.Errorf(domain.EINVALID, "EasyPost's answer for %s is not the JSON its API documents: %v", n, err)
		}
	}
	res.Raw = body
	res.Milestone, res.Status = milestone(t.Status, t.StatusDetail, ""), strings.ReplaceAll(t.Status, "_", " ")
	for _, d := range t.TrackingDetails {
		l := d.TrackingLocation
		text := d.Message
		if text == "" {
			text = d.Description
		}
		res.Events = append(res.Events, domain.TrackEvent{At: track.ParseTime(d.Datetime), Code: d.Status + "/" + d.StatusDetail, Text: text,
			Location: track.Place(str(l.City), str(l.State), str(l.Zip), str(l.Country)), Milestone: milestone(d.Status, d.StatusDetail, text)})
	}
	if e, ok := track.Latest(res.Events); ok && e.Text != "" {
		res.Status = e.Text
		// The tracker's own detail is often a generic "status_update": the
		// newest event's words say more.
		detail := t.StatusDetail
		if i := strings.Index(e.Code, "/"); i >= 0 && detail == "status_update" {
			detail = e.Code[i+1:]
		}
		res.Milestone = milestone(t.Status, detail, e.Text)
	}
	res.ETA = track.ParseTime(t.EstDeliveryDate)
	return res, nil
}

// Check proves the key and the address by listing one tracker: the answer
// must be the documented list (creating a tracker to test would cost one).
func (c *Client) Check(ctx context.Context) error {
	resp, err := c.rc.Get(ctx, "/v2/trackers", url.Values{"page_size": {"1"}}, c.auth)
	if err != nil {
		return err
	}
	var list struct {
		Trackers *[]json.RawMessage `json:"trackers"`
	}
	if json.Unmarshal(resp.Body(), &list) != nil || list.Trackers == nil {
		return domain.Errorf(domain.EINVALID, "EasyPost answered, but not with the tracker list its API documents; check the account's address")
	}
	return nil
}
