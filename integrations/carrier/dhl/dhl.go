// Package dhl tracks parcels with the DHL Shipment Tracking – Unified API
// (GET /track/shipments, DHL-API-Key header; an unknown number is a 404
// problem document).
package dhl

import (
	"context"
	"net/http"
	"net/url"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/track"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// Client is one DHL API key.
type Client struct {
	rc  *rest.Client
	key string
}

// New makes a client for the account; gate, when given, runs before
// every request (the poller's rate and budget).
func New(a domain.CarrierAccount, gate ...func(context.Context) error) (*Client, error) {
	rc, err := track.NewREST(a, gate, http.StatusNotFound)
	if err != nil {
		return nil, err
	}
	return &Client{rc: rc, key: a.Key}, nil
}

func (c *Client) auth(r *resty.Request) { r.SetHeader("DHL-API-Key", c.key) }

type address struct {
	AddressLocality string `json:"addressLocality"`
	PostalCode      string `json:"postalCode"`
	CountryCode     string `json:"countryCode"`
}

type status struct {
	Timestamp string `json:"timestamp"`
	Location  struct {
		Address address `json:"address"`
	} `json:"location"`
	StatusCode  string `json:"statusCode"`
	Status      string `json:"status"`
	Description string `json:"description"`
	Remark      string `json:"remark"`
}

type response struct {
	Shipments []struct {
		ID                      track.Text `json:"id"`
		Service                 string     `json:"service"`
		Status                  status     `json:"status"`
		EstimatedTimeOfDelivery string     `json:"estimatedTimeOfDelivery"`
		EstimatedFrame          struct {
			Through string `json:"estimatedThrough"`
		} `json:"estimatedDeliveryTimeFrame"`
		Events []status `json:"events"`
		// Details.ReturnFlag marks a shipment on its way back to (or
		// delivered to) its sender: its "delivered" is the sender's.
		Details struct {
			ReturnFlag track.Bool `json:"returnFlag"`
		} `json:"details"`
	} `json:"shipments"`
}

type problem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

// milestone maps DHL's normalised statusCode, refined by its words.
func milestone(s status) domain.Milestone {
	base := domain.MilestoneUnknown
	switch s.StatusCode {
	case "pre-transit":
		base = domain.MilestoneLabelCreated
	case "transit":
		base = domain.MilestoneInTransit
	case "delivered":
		base = domain.MilestoneDelivered
	case "failure":
		base = domain.MilestoneException
	}
	return track.Refine(base, s.Status+" "+s.Description+" "+s.Remark)
}

func event(s status) domain.TrackEvent {
	a := s.Location.Address
	text := s.Description
	if text == "" {
		text = s.Status
	}
	code := s.Status
	if code == "" {
		code = s.StatusCode
	}
	at := track.ParseTime(s.Timestamp)
	if !track.HasOffset(s.Timestamp) && !at.IsZero() {
		// DHL writes the clock at the event's place, without its zone: read it
		// in the zone of the event's country where it has one; otherwise it is
		// kept as written, and the event says so.
		if loc := track.CountryZone(a.CountryCode); loc != nil {
			at, _ = track.WallClock(s.Timestamp, loc)
		} else {
			text += " (local time at " + track.Place(a.AddressLocality, a.CountryCode) + ")"
		}
	}
	return domain.TrackEvent{At: at, Code: code, Text: text,
		Location: track.Place(a.AddressLocality, a.PostalCode, a.CountryCode), Milestone: milestone(s)}
}

// Track asks for each number in turn (the API takes one at a time).
func (c *Client) Track(ctx context.Context, numbers []string) ([]domain.TrackResult, error) {
	return track.OneByOne(ctx, numbers, c.one)
}

func (c *Client) one(ctx context.Context, n string) (domain.TrackResult, error) {
	resp, err := c.rc.Get(ctx, "/track/shipments", url.Values{"trackingNumber": {n}}, c.auth)
	if err != nil {
		return domain.TrackResult{}, err
	}
	var body response
	res, done, err := track.Answer("DHL", n, resp, "shipments", &body, func(p problem) string { return p.Detail },
		"DHL has no shipment with this number")
	if done {
		return res, err
	}
	if len(body.Shipments) == 0 {
		res.NotFound = "DHL returned no shipment for this number"
		return res, nil
	}
	sh := body.Shipments[0]
	res.Milestone, res.Status = milestone(sh.Status), sh.Status.Description
	if sh.Details.ReturnFlag {
		// A return delivered is delivered to the sender: the parcel came back.
		res.Milestone = domain.MilestoneReturned
	}
	if res.Status == "" {
		res.Status = sh.Status.Status
	}
	for _, e := range sh.Events {
		res.Events = append(res.Events, event(e))
	}
	if len(res.Events) == 0 && sh.Status.Timestamp != "" {
		res.Events = append(res.Events, event(sh.Status))
	}
	res.ETA = track.ParseTime(sh.EstimatedTimeOfDelivery)
	if res.ETA.IsZero() {
		res.ETA = track.ParseTime(sh.EstimatedFrame.Through)
	}
	return res, nil
}

// Check proves the key works: DHL answers a made-up number with 404, a bad
// key with 401.
func (c *Client) Check(ctx context.Context) error {
	return track.CheckByTracking(ctx, c, "0000000000", "DHL")
}
