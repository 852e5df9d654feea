// Package dhlexpress speaks DHL Express's MyDHL API (DHL's OpenAPI
// document "DHL Express APIs (MyDHL API)", version 3.1.1): rates for a
// parcel (POST /rates), its shipment and label, with its export declaration
// across a customs border (POST /shipments), and the tracking of the
// account's shipments (GET /shipments/{number}/tracking; by Portolan's
// reference, GET /tracking). Every request is HTTP Basic with the account's
// API key and secret; errors are problem documents ({"title", "detail",
// "status", "additionalDetails"}).
package dhlexpress

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/track"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// Carrier is the carrier name DHL Express labels and quotes go under.
const Carrier = "DHL Express"

// Client is one DHL Express account on the MyDHL API.
type Client struct {
	rc *rest.Client // rates, look-ups, tracking: retried like every call
	// buy is tried once: an answer lost after DHL created the shipment
	// must not be sent again blindly (Bought tells what happened).
	buy                 *rest.Client
	user, pass, account string
	paperless           bool
	zpl                 bool // labels in ZPL, for a thermal printer
	now                 func() time.Time

	// quoted are the shipments quoted and not yet bought, by the
	// reference they are bought under: MyDHL creates a shipment only when
	// it is bought, from the same parcel the rates were for.
	quoted track.Quoted[shipmentRequest]
}

// New makes a client for the account; now is Portolan's clock (the planned
// shipping time DHL prices); gate, when given, runs before every request
// (the poller's rate and budget).
func New(a domain.CarrierAccount, now func() time.Time, gate ...func(context.Context) error) (*Client, error) {
	rc, buy, err := track.SellerREST(a)
	if err != nil {
		return nil, err
	}
	if len(gate) > 0 {
		rc.Gate = gate[0] // the poller's budget for tracking; a purchase is never held back by it
	}
	return &Client{rc: rc, buy: buy, user: a.ClientID, pass: a.ClientSecret, account: a.Number, paperless: a.Paperless, zpl: a.ZPL, now: now}, nil
}

var (
	_ domain.LabelSeller = (*Client)(nil)
	_ domain.Tracker     = (*Client)(nil)
)

func (c *Client) auth(r *resty.Request) { r.SetBasicAuth(c.user, c.pass) }

// problem is MyDHL's error document.
type problem struct {
	Instance          string   `json:"instance"`
	Title             string   `json:"title"`
	Detail            string   `json:"detail"`
	Message           string   `json:"message"`
	Status            string   `json:"status"`
	AdditionalDetails []string `json:"additionalDetails"`
}

// refused is DHL's refusal of what, in its own words.
func refused(resp *resty.Response, what string) error {
	var p problem
	_ = json.Unmarshal(resp.Body(), &p)
	msg := p.Detail
	if strings.TrimSpace(msg) == "" {
		msg = p.Title
	}
	return track.Refused("DHL Express", what, resp.StatusCode(), msg, strings.Join(p.AdditionalDetails, "; "))
}

// decode reads a MyDHL answer into v, which must hold key at its top level
// (the mark of the documented answer), or DHL's refusal in its words.
func decode(resp *resty.Response, key string, v any, what string) error {
	return track.Decode(resp, "DHL Express", key, what, v, refused)
}

type serviceArea struct {
	Code        string `json:"code"`
	Description string `json:"description"` // "AUCKLAND-NZ"
}

type trackEvent struct {
	Date        string        `json:"date"`
	Time        string        `json:"time"`
	GMTOffset   string        `json:"GMTOffset"`
	TypeCode    string        `json:"typeCode"`
	Description string        `json:"description"`
	ServiceArea []serviceArea `json:"serviceArea"`
	Remarks     []struct {
		Value string `json:"value"`
	} `json:"remarks"`
}

type trackedShipment struct {
	ShipmentTrackingNumber string `json:"shipmentTrackingNumber"`
	Status                 string `json:"status"`
	ProductCode            string `json:"productCode"`
	Description            string `json:"description"`
	ReceiverDetails        struct {
		PostalAddress struct {
			CountryCode string `json:"countryCode"`
		} `json:"postalAddress"`
	} `json:"receiverDetails"`
	Events                []trackEvent `json:"events"`
	EstimatedDeliveryDate string       `json:"estimatedDeliveryDate"`
}

type trackingResponse struct {
	Shipments []trackedShipment `json:"shipments"`
}

// Track asks for each number in turn (one shipment a request).
func (c *Client) Track(ctx context.Context, numbers []string) ([]domain.TrackResult, error) {
	return track.OneByOne(ctx, numbers, c.one)
}

func (c *Client) one(ctx context.Context, n string) (domain.TrackResult, error) {
	resp, err := c.rc.Get(ctx, "/shipments/"+url.PathEscape(n)+"/tracking",
		url.Values{"trackingView": {"all-checkpoints"}, "levelOfDetail": {"shipment"}, "requestGMTOffsetPerEvent": {"true"}}, c.auth)
	if err != nil {
		return domain.TrackResult{}, err
	}
	if resp.StatusCode() == http.StatusBadRequest || resp.StatusCode() == http.StatusUnprocessableEntity {
		return domain.TrackResult{}, refused(resp, "tracking "+n)
	}
	var body trackingResponse
	res, done, err := track.Answer(Carrier, n, resp, "shipments", &body, func(p problem) string { return p.Detail },
		"DHL Express has no shipment with this number")
	if done {
		return res, err
	}
	if len(body.Shipments) == 0 {
		res.NotFound = "DHL Express returned no shipment for this number"
		return res, nil
	}
	sh := body.Shipments[0]
	for _, e := range sh.Events {
		res.Events = append(res.Events, event(e))
	}
	if last, ok := track.Latest(res.Events); ok {
		res.Milestone, res.Status = last.Milestone, last.Text
	} else {
		// Created, not yet scanned: DHL has the shipment's data only.
		res.Milestone, res.Status = domain.MilestoneLabelCreated, "Shipment information received"
	}
	if sh.EstimatedDeliveryDate != "" {
		res.ETA = wallClock(sh.EstimatedDeliveryDate, sh.ReceiverDetails.PostalAddress.CountryCode)
	}
	return res, nil
}

// Check proves the key and secret work: DHL answers a waybill no one has
// with its documented "No data found", and refuses bad credentials.
func (c *Client) Check(ctx context.Context) error {
	return track.CheckByTracking(ctx, c, "0000000000", Carrier)
}

// wallClock reads a MyDHL time, written as the clock at the place without
// its zone, in the zone of the place's country (as written where unknown).
func wallClock(s, country string) time.Time {
	if track.HasOffset(s) {
		return track.ParseTime(s)
	}
	if loc := track.CountryZone(country); loc != nil {
		if t, ok := track.WallClock(s, loc); ok {
			return t
		}
	}
	return track.ParseTime(s)
}

// event is one checkpoint; its clock is the service area's ("AUCKLAND-NZ").
func event(e trackEvent) domain.TrackEvent {
	var place, country string
	if len(e.ServiceArea) > 0 {
		place = e.ServiceArea[0].Description
		if i := strings.LastIndexByte(place, '-'); i >= 0 && len(place)-i == 3 {
			country = place[i+1:]
		}
	}
	stamp := e.Date + "T" + e.Time
	text := e.Description
	for _, r := range e.Remarks {
		if r.Value != "" {
			text += " — " + r.Value
		}
	}
	var at time.Time
	switch {
	case e.GMTOffset != "":
		at = track.ParseTime(stamp + e.GMTOffset)
	default:
		if at = wallClock(stamp, country); !at.IsZero() && track.CountryZone(country) == nil {
			text += " (local time at " + place + ")"
		}
	}
	return domain.TrackEvent{At: at, Code: e.TypeCode, Text: text, Location: place, Milestone: milestone(e.TypeCode, text)}
}

// milestone maps DHL Express's checkpoint codes, refined by their words.
func milestone(code, text string) domain.Milestone {
	base := domain.MilestoneInTransit // facility scans: PL, DF, AF, AR, RR, TP …
	switch strings.ToUpper(code) {
	case "SA", "SI":
		base = domain.MilestoneLabelCreated
	case "PU":
		base = domain.MilestonePickedUp
	case "CR":
		base = domain.MilestoneCustomsCleared
	case "CD", "HP":
		base = domain.MilestoneCustomsHold
	case "WC":
		base = domain.MilestoneOutForDelivery
	case "OK", "DD":
		base = domain.MilestoneDelivered
	case "NH", "CA", "BA", "MD", "CM", "RD":
		base = domain.MilestoneDeliveryFailed
	case "RT":
		base = domain.MilestoneReturned
	case "MS", "TD", "SS", "DS", "OH":
		base = domain.MilestoneException
	}
	return track.Refine(base, text)
}
