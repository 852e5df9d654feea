package usps

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/tracktest"
)

// The spec's shape: events as an array, booleans as booleans.
const delivered = `{"trackingNumber":"9400111201080805483016","mailClass":"Priority Mail<SUP>&reg;</SUP>","mailType":"DOMESTIC_MAIL",
 "originCity":"EDISON","originState":"NJ","originZIP":"08817","destinationCity":"BOSTON","destinationState":"MA","destinationZIP":"02110",
 "status":"Delivered, In/At Mailbox","statusCategory":"Delivered","statusSummary":"Your item was delivered in or at the mailbox at 11:02 am on November 25, 2026 in BOSTON, MA 02110.",
 "expectedDeliveryTimeStamp":"2026-11-25T20:00:00-05:00","proofOfDeliveryEnabled":true,"emailEnabled":false,"services":[],"serviceTypeCode":"001",
 "trackingEvents":[
  {"eventType":"Delivered, In/At Mailbox","eventTimestamp":"2026-11-25T11:02:00","GMTTimestamp":"2026-11-25T16:02:00Z","GMTOffset":"-5:00","eventCity":"BOSTON","eventState":"MA","eventZIP":"02110","eventCountry":null,"firm":null,"name":null,"authorizedAgent":false,"eventCode":"01"},
  {"eventType":"Out for Delivery","eventTimestamp":"2026-11-25T06:10:00","GMTTimestamp":"2026-11-25T11:10:00Z","eventCity":"BOSTON","eventState":"MA","eventZIP":"02110","eventCountry":null,"authorizedAgent":false,"eventCode":"OF"},
  {"eventType":"In Transit to Next Facility","eventTimestamp":"2026-11-24T03:00:00","eventCity":"","eventState":"","eventZIP":"","eventCountry":null,"authorizedAgent":false,"eventCode":"NT"},
  {"eventType":"USPS picked up item","eventTimestamp":"2026-11-23T16:00:00","GMTTimestamp":"2026-11-23T21:00:00Z","eventCity":"EDISON","eventState":"NJ","eventZIP":"08817","eventCountry":null,"authorizedAgent":false,"eventCode":"03"},
  {"eventType":"Shipping Label Created, USPS Awaiting Item","eventTimestamp":"2026-11-23T09:00:00","GMTTimestamp":"2026-11-23T14:00:00Z","eventCity":"EDISON","eventState":"NJ","eventZIP":"08817","eventCountry":null,"authorizedAgent":false,"eventCode":"GX"}]}`

// The README's shape: booleans as strings, one event as an object.
const alert = `{"trackingNumber":"9361289878700317633795","status":"Notice Left (No Authorized Recipient Available)","statusCategory":"Alert",
 "statusSummary":"We attempted to deliver your item at 2:31 pm on November 26, 2026 in CHICAGO, IL 60601 and a notice was left because an authorized recipient was not available.",
 "proofOfDeliveryEnabled":"false","emailEnabled":"true","trackingEvents":{"eventType":"Notice Left (No Authorized Recipient Available)",
 "eventTimestamp":"2026-11-26T14:31:00","GMTTimestamp":"2026-11-26T20:31:00Z","eventCity":"CHICAGO","eventState":"IL","eventZIP":"60601","eventCountry":null,
 "authorizedAgent":"false","eventCode":"53"}}`

const notFound = `{"apiVersion":"v3","error":{"code":"404","message":"The tracking number may be incorrect or the status update is not yet available.","errors":[{"status":"404","code":"TRK-404","title":"Not Found"}]}}`

func newFake(t *testing.T, answer func(n string, w http.ResponseWriter)) (*atomic.Int32, domain.CarrierAccount) {
	tokens := &atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth2/v3/token" {
			var body map[string]string
			if json.NewDecoder(r.Body).Decode(&body) != nil || body["client_id"] != "app" || body["client_secret"] != "s3cret" || body["grant_type"] != "client_credentials" {
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"error":"invalid_client","error_description":"Client authentication failed."}`))
				return
			}
			tokens.Add(1)
			w.Write([]byte(`{"access_token":"tok","token_type":"Bearer","issued_at":"1764236400000","expires_in":"28799","status":"approved","scope":"tracking"}`))
			return
		}
		if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Query().Get("expand") != "DETAIL" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		answer(strings.TrimPrefix(r.URL.Path, "/tracking/v3/tracking/"), w)
	}))
	t.Cleanup(srv.Close)
	return tokens, domain.CarrierAccount{Kind: domain.CarrierUSPS, Name: "USPS", BaseURL: srv.URL, ClientID: "app", ClientSecret: "s3cret"}
}

func TestTrackToleratesTheDocumentedVariants(t *testing.T) {
	tokens, a := newFake(t, func(n string, w http.ResponseWriter) {
		switch n {
		case "9400111201080805483016":
			w.Write([]byte(delivered))
		case "9361289878700317633795":
			w.Write([]byte(alert))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(notFound))
		}
	})
	c, err := New(a)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Track(context.Background(), []string{"9400111201080805483016", "9361289878700317633795", "9400100000000000000013"})
	if err != nil {
		t.Fatal(err)
	}
	if tokens.Load() != 1 {
		t.Errorf("%d tokens for one run", tokens.Load())
	}
	d := res[0]
	want := []domain.Milestone{domain.MilestoneDelivered, domain.MilestoneOutForDelivery, domain.MilestoneInTransit, domain.MilestonePickedUp, domain.MilestoneLabelCreated}
	if d.Milestone != domain.MilestoneDelivered || len(d.Events) != 5 || !strings.HasPrefix(d.Status, "Your item was delivered") {
		t.Fatalf("delivered %+v", d)
	}
	for i, e := range d.Events {
		if e.Milestone != want[i] {
			t.Errorf("event %d %q: %s, want %s", i, e.Text, e.Milestone, want[i])
		}
	}
	if !d.Events[0].At.Equal(time.Date(2026, 11, 25, 16, 2, 0, 0, time.UTC)) || d.Events[0].Location != "BOSTON, MA, 02110" || d.Events[0].Code != "01" {
		t.Errorf("event %+v", d.Events[0])
	}
	if !d.ETA.Equal(time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("eta %v", d.ETA)
	}
	if res[1].Milestone != domain.MilestoneDeliveryFailed || len(res[1].Events) != 1 {
		t.Errorf("notice left (one event as an object, booleans as strings): %+v", res[1])
	}
	if !strings.HasPrefix(res[2].NotFound, "The tracking number may be incorrect") {
		t.Errorf("not found %+v", res[2])
	}
}

func TestTrackRetriesAndRefuses(t *testing.T) {
	var calls atomic.Int32
	_, a := newFake(t, func(n string, w http.ResponseWriter) {
		switch calls.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
		case 3:
			w.Write([]byte(delivered))
		default:
			w.Write([]byte(`{"trackingEvents":[{"eventTimestamp":12}]}`))
		}
	})
	c, _ := New(a)
	c.rc.Backoff = func(int) time.Duration { return time.Millisecond }
	if res, err := c.Track(context.Background(), []string{"9400111201080805483016"}); err != nil || res[0].Milestone != domain.MilestoneDelivered {
		t.Fatalf("429, 503, then an answer: %v %+v", err, res)
	}
	tracktest.Malformed(t, c, "9400111201080805483016")
	a.ClientSecret = "wrong"
	c, _ = New(a)
	tracktest.Refused(t, c, "9400111201080805483016", a.ClientSecret)
}

func FuzzDecode(f *testing.F) {
	tracktest.FuzzDecode(f, []string{delivered, alert, notFound, `{}`}, "/oauth2/v3/token", `{"access_token":"t","expires_in":"28799"}`,
		"9400111201080805483016", func(url string) (domain.Tracker, error) {
			return New(domain.CarrierAccount{Name: "USPS", BaseURL: url, ClientID: "a", ClientSecret: "b"})
		})
}

func TestStatusMapping(t *testing.T) {
	for _, c := range []struct {
		category, text string
		want           domain.Milestone
	}{
		{"Pre-Shipment", "Shipping Label Created, USPS Awaiting Item", domain.MilestoneLabelCreated},
		{"Accepted", "USPS picked up item", domain.MilestonePickedUp},
		{"In Transit", "Arrived at USPS Regional Facility", domain.MilestoneInTransit},
		{"In Transit", "Held in Customs", domain.MilestoneCustomsHold},
		{"Out for Delivery", "Out for Delivery", domain.MilestoneOutForDelivery},
		{"Available for Pickup", "Available for Pickup", domain.MilestoneOutForDelivery},
		{"Delivered", "Delivered, In/At Mailbox", domain.MilestoneDelivered},
		{"Alert", "Notice Left (No Authorized Recipient Available)", domain.MilestoneDeliveryFailed},
		{"Alert", "Return to Sender", domain.MilestoneReturned},
		{"Alert", "Insufficient Address", domain.MilestoneException},
		{"Delivery Attempt", "", domain.MilestoneDeliveryFailed},
		{"Something new", "", domain.MilestoneUnknown},
	} {
		if got := milestone(c.category, c.text); got != c.want {
			t.Errorf("%s %q: %s, want %s", c.category, c.text, got, c.want)
		}
	}
}

func TestCheckWantsTheDocumentedAnswer(t *testing.T) {
	tracktest.CheckWantsTheDocumentedAnswer(t, "/oauth2/v3/token", `{"access_token":"t","expires_in":"28799"}`, func(url string) (domain.Tracker, error) {
		return New(domain.CarrierAccount{Name: "USPS", BaseURL: url, ClientID: "a", ClientSecret: "b"})
	})
}

// USPS's published Tracking v3 examples write eventTimestamp as the clock
// in the event's city, with a "Z": "2016-01-07T07:31:00Z" for 7:31 am in
// RICHMOND, VA. Without GMTTimestamp it is read in Virginia's zone.
func TestEventTimesAreLocalToTheEvent(t *testing.T) {
	e := event{EventType: "Arrived at USPS Regional Facility", EventTimestamp: "2016-01-07T07:31:00Z", EventCity: "RICHMOND", EventState: "VA"}
	if got := eventTime(e); !got.Equal(time.Date(2016, 1, 7, 12, 31, 0, 0, time.UTC)) {
		t.Errorf("7:31 am in Richmond, VA: %v", got)
	}
	e.GMTTimestamp = "2016-01-07T12:31:00Z"
	e.EventState = "CA" // GMTTimestamp, when given, says it
	if got := eventTime(e); !got.Equal(time.Date(2016, 1, 7, 12, 31, 0, 0, time.UTC)) {
		t.Errorf("with GMTTimestamp: %v", got)
	}
}
