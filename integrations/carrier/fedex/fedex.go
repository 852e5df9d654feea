// Package fedex tracks parcels with the FedEx Track API: an OAuth token
// (POST /oauth/token, form-encoded client credentials, cached), then POST
// /track/v1/trackingnumbers with up to 30 numbers; a number FedEx does not
// know comes back as an error inside HTTP 200.
package fedex

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/track"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// Batch is how many numbers one request may carry.
const Batch = 30

// Client is one FedEx API project.
type Client struct {
	rc    *rest.Client
	token *track.Token
}

// New makes a client for the account; gate, when given, runs before
// every request (the poller's rate and budget).
func New(a domain.CarrierAccount, gate ...func(context.Context) error) (*Client, error) {
	rc, token, err := track.OAuthREST(a, gate, "FedEx", func(ctx context.Context, rc *rest.Client) (*resty.Response, error) {
		return rc.PostForm(ctx, "/oauth/token", url.Values{"grant_type": {"client_credentials"},
			"client_id": {a.ClientID}, "client_secret": {a.ClientSecret}}, nil)
	})
	if err != nil {
		return nil, err
	}
	return &Client{rc: rc, token: token}, nil
}

type location struct {
	City                string `json:"city"`
	StateOrProvinceCode string `json:"stateOrProvinceCode"`
	CountryCode         string `json:"countryCode"`
	PostalCode          string `json:"postalCode"`
}

type result struct {
	TrackingNumberInfo struct {
		TrackingNumber string `json:"trackingNumber"`
	} `json:"trackingNumberInfo"`
	LatestStatusDetail struct {
		Code         string   `json:"code"`
		DerivedCode  string   `json:"derivedCode"`
		Description  string   `json:"description"`
		ScanLocation location `json:"scanLocation"`
	} `json:"latestStatusDetail"`
	DateAndTimes []struct {
		Type     string `json:"type"`
		DateTime string `json:"dateTime"`
	} `json:"dateAndTimes"`
	EstimatedDeliveryTimeWindow struct {
		Window struct {
			Ends string `json:"ends"`
		} `json:"window"`
	} `json:"estimatedDeliveryTimeWindow"`
	ScanEvents []struct {
		Date                 string   `json:"date"`
		EventType            string   `json:"eventType"`
		EventDescription     string   `json:"eventDescription"`
		ExceptionDescription string   `json:"exceptionDescription"`
		DerivedStatusCode    string   `json:"derivedStatusCode"`
		ScanLocation         location `json:"scanLocation"`
	} `json:"scanEvents"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// milestone maps a FedEx status or scan code, refined by its words.
func milestone(code, text string) domain.Milestone {
	base := domain.MilestoneUnknown
	switch strings.ToUpper(code) {
	case "OC", "IN":
		base = domain.MilestoneLabelCreated
	case "PU", "PX":
		base = domain.MilestonePickedUp
	case "IT", "AR", "DP", "AF", "PL", "AC", "AP", "OF", "TR", "EN", "DY", "DD", "FD", "PM", "SH", "CP":
		base = domain.MilestoneInTransit
	case "OD":
		base = domain.MilestoneOutForDelivery
	case "HL", "HP", "AD":
		base = domain.MilestoneOutForDelivery // waiting at a pickup location
	case "DL":
		base = domain.MilestoneDelivered
	case "DE":
		base = domain.MilestoneDeliveryFailed
	case "SE", "CA", "LO":
		base = domain.MilestoneException
	case "CD":
		base = domain.MilestoneCustomsHold
	case "CC": // clearance completed
		base = domain.MilestoneCustomsCleared
	case "RS", "RT", "RP":
		base = domain.MilestoneReturned
	}
	return track.Refine(base, text)
}

// Track asks for numbers in batches of 30.
func (c *Client) Track(ctx context.Context, numbers []string) ([]domain.TrackResult, error) {
	return track.InBatches(ctx, numbers, Batch, c.batch)
}

func (c *Client) batch(ctx context.Context, numbers []string) ([]domain.TrackResult, error) {
	type info struct {
		TrackingNumberInfo struct {
			TrackingNumber string `json:"trackingNumber"`
		} `json:"trackingNumberInfo"`
	}
	req := struct {
		IncludeDetailedScans bool   `json:"includeDetailedScans"`
		TrackingInfo         []info `json:"trackingInfo"`
	}{IncludeDetailedScans: true}
	for _, n := range numbers {
		var i info
		i.TrackingNumberInfo.TrackingNumber = n
		req.TrackingInfo = append(req.TrackingInfo, i)
	}
	resp, err := c.token.Do(ctx, func(tok string) (*resty.Response, error) {
		return c.rc.PostJSON(ctx, "/track/v1/trackingnumbers", req, func(r *resty.Request) {
			r.SetAuthToken(tok).SetHeader("X-locale", "en_US")
		})
	})
	if err != nil {
		return nil, err
	}
	// Each number's part of the answer is kept as its raw payload.
	var body struct {
		Output struct {
			CompleteTrackResults []json.RawMessage `json:"completeTrackResults"`
		} `json:"output"`
	}
	if err := json.Unmarshal(resp.Body(), &body); err != nil {
		return nil, domain.Errorf(domain.EINVALID, "FedEx's answer is not the JSON its API documents: %v", err)
	}
	byNumber := map[string]result{}
	raws := map[string][]byte{}
	for _, raw := range body.Output.CompleteTrackResults {
		var ctr struct {
			TrackingNumber string   `json:"trackingNumber"`
			TrackResults   []result `json:"trackResults"`
		}
		if err := json.Unmarshal(raw, &ctr); err != nil {
			return nil, domain.Errorf(domain.EINVALID, "FedEx's answer is not the JSON its API documents: %v", err)
		}
		if len(ctr.TrackResults) > 0 {
			byNumber[strings.ToUpper(ctr.TrackingNumber)] = ctr.TrackResults[0]
			raws[strings.ToUpper(ctr.TrackingNumber)] = raw
		}
	}
	var out []domain.TrackResult
	for _, n := range numbers {
		res := domain.TrackResult{Number: n, Raw: raws[strings.ToUpper(n)]}
		r, ok := byNumber[strings.ToUpper(n)]
		switch {
		case !ok:
			res.NotFound = "FedEx's answer did not mention this number"
		case r.Error != nil:
			res.NotFound = r.Error.Message
			if res.NotFound == "" {
				res.NotFound = r.Error.Code
			}
		default:
			d := r.LatestStatusDetail
			res.Milestone, res.Status = milestone(d.Code, d.Description), d.Description
			for _, e := range r.ScanEvents {
				l := e.ScanLocation
				text := e.EventDescription
				if e.ExceptionDescription != "" {
					text += ": " + e.ExceptionDescription
				}
				res.Events = append(res.Events, domain.TrackEvent{At: track.ParseTime(e.Date), Code: e.EventType, Text: text,
					Location: track.Place(l.City, l.StateOrProvinceCode, l.CountryCode), Milestone: milestone(e.EventType, text)})
			}
			res.ETA = track.ParseTime(r.EstimatedDeliveryTimeWindow.Window.Ends)
			for _, dt := range r.DateAndTimes {
				if dt.Type == "ESTIMATED_DELIVERY" && res.ETA.IsZero() {
					res.ETA = track.ParseTime(dt.DateTime)
				}
			}
		}
		out = append(out, res)
	}
	return out, nil
}

// Check proves the client id and secret and the address: a new token,
// then an answer for a number no parcel has, in the documented JSON.
func (c *Client) Check(ctx context.Context) error {
	if err := c.token.Check(ctx); err != nil {
		return err
	}
	return track.CheckByTracking(ctx, c, "000000000000", "FedEx")
}
