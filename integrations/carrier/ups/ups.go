// Package ups tracks parcels with the UPS Track API: an OAuth
// client-credentials token (HTTP Basic to /security/v1/oauth/token, cached
// until it expires), GET /api/track/v1/details/{number} with the transId and
// transactionSrc headers; an unknown number is a 404, or a 200 with warnings.
package ups

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/track"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// Client is one UPS API application.
type Client struct {
	rc    *rest.Client
	token *track.Token
}

// New makes a client for the account; gate, when given, runs before
// every request (the poller's rate and budget).
func New(a domain.CarrierAccount, gate ...func(context.Context) error) (*Client, error) {
	rc, token, err := track.OAuthREST(a, gate, "UPS", func(ctx context.Context, rc *rest.Client) (*resty.Response, error) {
		return rc.PostForm(ctx, "/security/v1/oauth/token", url.Values{"grant_type": {"client_credentials"}}, func(r *resty.Request) {
			r.SetBasicAuth(a.ClientID, a.ClientSecret)
		})
	}, http.StatusNotFound)
	if err != nil {
		return nil, err
	}
	return &Client{rc: rc, token: token}, nil
}

type status struct {
	Type        string `json:"type"`
	Code        string `json:"code"`
	StatusCode  string `json:"statusCode"`
	Description string `json:"description"`
}

type activity struct {
	Date      string `json:"date"`
	Time      string `json:"time"`
	GMTDate   string `json:"gmtDate"`
	GMTTime   string `json:"gmtTime"`
	GMTOffset string `json:"gmtOffset"`
	Location  struct {
		Address struct {
			City          string `json:"city"`
			StateProvince string `json:"stateProvince"`
			CountryCode   string `json:"countryCode"`
		} `json:"address"`
	} `json:"location"`
	Status status `json:"status"`
}

type response struct {
	TrackResponse struct {
		Shipment []struct {
			InquiryNumber string `json:"inquiryNumber"`
			Warnings      []struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"warnings"`
			Package []struct {
				TrackingNumber string `json:"trackingNumber"`
				CurrentStatus  status `json:"currentStatus"`
				DeliveryDate   []struct {
					Type string `json:"type"`
					Date string `json:"date"`
				} `json:"deliveryDate"`
				DeliveryTime struct {
					EndTime string `json:"endTime"`
				} `json:"deliveryTime"`
				Activity []activity `json:"activity"`
			} `json:"package"`
		} `json:"shipment"`
	} `json:"trackResponse"`
}

type errorBody struct {
	Response struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"response"`
}

// milestone maps a UPS status: its type (M manifest, P pickup, I in
// transit, X exception, D delivery, RS returned, MV manifest void, U
// update) and, because type D covers "loaded on delivery vehicle", "out for
// delivery" and "delivered" alike, its code and description.
func milestone(s status) domain.Milestone {
	desc := strings.ToLower(s.Description)
	base := domain.MilestoneUnknown
	switch strings.ToUpper(s.Type) {
	case "M":
		base = domain.MilestoneLabelCreated
	case "P":
		base = domain.MilestonePickedUp
	case "I", "U":
		base = domain.MilestoneInTransit
	case "X", "MV":
		base = domain.MilestoneException
	case "D":
		switch {
		case strings.Contains(desc, "out for delivery") || strings.Contains(desc, "delivery vehicle") || strings.Contains(desc, "on the way"):
			base = domain.MilestoneOutForDelivery
		case strings.Contains(desc, "deliver"):
			base = domain.MilestoneDelivered
		default:
			base = domain.MilestoneInTransit // a D status that does not say it was delivered has not been
		}
	case "RS":
		base = domain.MilestoneReturned
	}
	switch strings.ToUpper(s.Code) {
	case "OT", "OF":
		return domain.MilestoneOutForDelivery
	case "RS":
		return domain.MilestoneReturned
	}
	return track.Refine(base, s.Description)
}

// when reads an activity's time: GMT date and time when given, else the
// local ones with their offset. UPS writes a time as HHMMSS and may drop
// the leading zero ("74700" is 07:47:00, the specification's own example).
func when(a activity) time.Time {
	if len(a.GMTDate) == 8 {
		if hms, ok := hhmmss(a.GMTTime); ok {
			if t, err := time.Parse("20060102150405", a.GMTDate+hms); err == nil {
				return t
			}
		}
	}
	if hms, ok := hhmmss(a.Time); ok && len(a.Date) == 8 {
		off := a.GMTOffset
		if off == "" {
			off = "+00:00"
		}
		if t, err := time.Parse("20060102150405-07:00", a.Date+hms+off); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// hhmmss is a UPS time as six digits: "74700" and "07:47:00" are "074700".
func hhmmss(s string) (string, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ":", "")
	if s == "" || len(s) > 6 || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return "", false
	}
	return strings.Repeat("0", 6-len(s)) + s, true
}

// Track asks for each number in turn.
func (c *Client) Track(ctx context.Context, numbers []string) ([]domain.TrackResult, error) {
	return track.OneByOne(ctx, numbers, c.one)
}

func transID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (c *Client) one(ctx context.Context, n string) (domain.TrackResult, error) {
	resp, err := c.token.Do(ctx, func(tok string) (*resty.Response, error) {
		return c.rc.Get(ctx, "/api/track/v1/details/"+url.PathEscape(n), url.Values{"locale": {"en_US"}, "returnSignature": {"false"}}, func(r *resty.Request) {
			r.SetAuthToken(tok).SetHeader("transId", transID()).SetHeader("transactionSrc", "portolan")
		})
	})
	if err != nil {
		return domain.TrackResult{}, err
	}
	var body response
	res, done, err := track.Answer("UPS", n, resp, "trackResponse", &body, func(e errorBody) string {
		if len(e.Response.Errors) > 0 {
			return e.Response.Errors[0].Message
		}
		return ""
	}, "UPS has no tracking information for this number")
	if done {
		return res, err
	}
	sh := body.TrackResponse.Shipment
	if len(sh) == 0 || len(sh[0].Package) == 0 {
		res.NotFound = "UPS returned no package for this number"
		if len(sh) > 0 && len(sh[0].Warnings) > 0 {
			res.NotFound = sh[0].Warnings[0].Message
		}
		return res, nil
	}
	p := sh[0].Package[0]
	res.Milestone, res.Status = milestone(p.CurrentStatus), p.CurrentStatus.Description
	for _, a := range p.Activity {
		l := a.Location.Address
		res.Events = append(res.Events, domain.TrackEvent{At: when(a), Code: a.Status.Type + "/" + a.Status.Code, Text: a.Status.Description,
			Location: track.Place(l.City, l.StateProvince, l.CountryCode), Milestone: milestone(a.Status)})
	}
	if res.Milestone == domain.MilestoneUnknown {
		if e, ok := track.Latest(res.Events); ok {
			res.Milestone = e.Milestone
		}
	}
	for _, d := range p.DeliveryDate {
		if d.Type == "SDD" || d.Type == "RDD" {
			end := (p.DeliveryTime.EndTime + "000000")[:6]
			if t, err := time.Parse("20060102150405", d.Date+end); err == nil {
				res.ETA = t
			}
		}
	}
	return res, nil
}

// Check proves the client id and secret and the address: a new token,
// then an answer for a number no parcel has, in the documented JSON.
func (c *Client) Check(ctx context.Context) error {
	if err := c.token.Check(ctx); err != nil {
		return err
	}
	return track.CheckByTracking(ctx, c, "1Z0000000000000000", "UPS")
}
