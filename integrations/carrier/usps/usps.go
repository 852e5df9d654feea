// Package usps tracks parcels with the USPS Tracking API v3: an OAuth token
// (POST /oauth2/v3/token with a JSON body; expires_in is a string), then
// GET /tracking/v3/tracking/{number}?expand=DETAIL. It tolerates the
// documented variants: booleans as strings, and one tracking event sent as
// an object instead of an array.
package usps

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/track"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// Client is one USPS API application.
type Client struct {
	rc    *rest.Client
	token *track.Token
}

// New makes a client for the account; gate, when given, runs before
// every request (the poller's rate and budget).
func New(a domain.CarrierAccount, gate ...func(context.Context) error) (*Client, error) {
	rc, token, err := track.OAuthREST(a, gate, "USPS", func(ctx context.Context, rc *rest.Client) (*resty.Response, error) {
		return rc.PostJSON(ctx, "/oauth2/v3/token", map[string]string{"client_id": a.ClientID, "client_secret": a.ClientSecret,
			"grant_type": "client_credentials"}, nil)
	}, http.StatusNotFound)
	if err != nil {
		return nil, err
	}
	return &Client{rc: rc, token: token}, nil
}

type event struct {
	EventType      string     `json:"eventType"`
	EventTimestamp string     `json:"eventTimestamp"`
	GMTTimestamp   string     `json:"GMTTimestamp"`
	GMTOffset      string     `json:"GMTOffset"`
	EventCountry   *string    `json:"eventCountry"`
	EventCity      string     `json:"eventCity"`
	EventState     string     `json:"eventState"`
	EventZIP       string     `json:"eventZIP"`
	EventCode      track.Text `json:"eventCode"`
	AuthorizedAgt  track.Bool `json:"authorizedAgent"`
}

type response struct {
	TrackingNumber            string            `json:"trackingNumber"`
	Status                    string            `json:"status"`
	StatusCategory            string            `json:"statusCategory"`
	StatusSummary             string            `json:"statusSummary"`
	ExpectedDeliveryTimeStamp string            `json:"expectedDeliveryTimeStamp"`
	PredictedDeliveryDate     string            `json:"predictedDeliveryDate"`
	EmailEnabled              track.Bool        `json:"emailEnabled"`
	ProofOfDeliveryEnabled    track.Bool        `json:"proofOfDeliveryEnabled"`
	TrackingEvents            track.List[event] `json:"trackingEvents"`
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// categories are the words of USPS's status categories, in the order they
// are looked for, and the milestone each says.
var categories = []struct {
	words []string
	is    domain.Milestone
}{
	{[]string{"pre-shipment", "label created"}, domain.MilestoneLabelCreated},
	{[]string{"accepted", "picked up"}, domain.MilestonePickedUp},
	{[]string{"out for delivery", "available for pickup"}, domain.MilestoneOutForDelivery},
	{[]string{"delivered"}, domain.MilestoneDelivered},
	{[]string{"delivery attempt", "notice left"}, domain.MilestoneDeliveryFailed},
	{[]string{"return to sender"}, domain.MilestoneReturned},
	{[]string{"alert"}, domain.MilestoneException},
	{[]string{"in transit", "in-transit", "arrived", "departed"}, domain.MilestoneInTransit},
}

// milestone maps a status category (or an event's words).
func milestone(category, text string) domain.Milestone {
	c := strings.ToLower(strings.TrimSpace(category))
	base := domain.MilestoneUnknown
	for _, cat := range categories {
		if slices.ContainsFunc(cat.words, func(w string) bool { return strings.Contains(c, w) }) {
			base = cat.is
			break
		}
	}
	return track.Refine(base, category+" "+text)
}

// Track asks for each number in turn (the API takes one at a time).
func (c *Client) Track(ctx context.Context, numbers []string) ([]domain.TrackResult, error) {
	return track.OneByOne(ctx, numbers, c.one)
}

func (c *Client) one(ctx context.Context, n string) (domain.TrackResult, error) {
	resp, err := c.token.Do(ctx, func(tok string) (*resty.Response, error) {
		return c.rc.Get(ctx, "/tracking/v3/tracking/"+url.PathEscape(n), url.Values{"expand": {"DETAIL"}}, func(r *resty.Request) { r.SetAuthToken(tok) })
	})
	if err != nil {
		return domain.TrackResult{}, err
	}
	var body response
	res, done, err := track.Answer("USPS", n, resp, "trackingNumber", &body, func(e errorBody) string { return e.Error.Message },
		"USPS has no record of this number")
	if done {
		return res, err
	}
	res.Milestone, res.Status = milestone(body.StatusCategory, body.Status), body.StatusSummary
	if res.Status == "" {
		res.Status = body.Status
	}
	for _, e := range body.TrackingEvents {
		at := eventTime(e)
		country := ""
		if e.EventCountry != nil {
			country = *e.EventCountry
		}
		res.Events = append(res.Events, domain.TrackEvent{At: at, Code: string(e.EventCode), Text: e.EventType,
			Location: track.Place(e.EventCity, e.EventState, e.EventZIP, country), Milestone: milestone(e.EventType, "")})
	}
	res.ETA = track.ParseTime(body.ExpectedDeliveryTimeStamp)
	if res.ETA.IsZero() {
		res.ETA = track.ParseTime(body.PredictedDeliveryDate)
	}
	return res, nil
}

// Check proves the client id and secret and the address: a new token,
// then an answer for a number no parcel has, in the documented JSON.
func (c *Client) Check(ctx context.Context) error {
	if err := c.token.Check(ctx); err != nil {
		return err
	}
	return track.CheckByTracking(ctx, c, "9400100000000000000000", "USPS")
}

// eventTime is when an event happened. GMTTimestamp says it; without it,
// eventTimestamp is the clock at the event's place even though it ends in
// "Z" (USPS's published examples: "07:31:00Z" for 7:31 am in Richmond, VA),
// so it is read in the zone of the event's state (or country abroad).
func eventTime(e event) time.Time {
	if at := track.ParseTime(e.GMTTimestamp); !at.IsZero() {
		return at
	}
	loc := track.USStateZone(e.EventState)
	if e.EventCountry != nil && *e.EventCountry != "" && !strings.EqualFold(*e.EventCountry, "US") &&
		!strings.EqualFold(*e.EventCountry, "UNITED STATES") {
		loc = track.CountryZone(*e.EventCountry)
	}
	if loc != nil {
		if at, ok := track.WallClock(e.EventTimestamp, loc); ok {
			return at
		}
	}
	return track.ParseTime(e.EventTimestamp)
}
