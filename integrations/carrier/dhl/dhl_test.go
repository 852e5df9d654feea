package dhl

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/tracktest"
)

const delivered = `{"shipments":[{"id":"3318810025","service":"express",
 "origin":{"address":{"countryCode":"DE","addressLocality":"Leipzig"}},
 "status":{"timestamp":"2026-11-20T14:02:00+01:00","location":{"address":{"addressLocality":"TOKYO - JAPAN","countryCode":"JP"}},
   "statusCode":"delivered","status":"DELIVERED","description":"Delivered - Signed for by: 山田"},
 "estimatedTimeOfDelivery":"2026-11-20T18:00:00+09:00",
 "details":{"proofOfDelivery":{"timestamp":"2026-11-20T14:02:00+01:00","signed":{"@type":"Person","name":"山田"}},"references":{"number":"x","type":"y"}},
 "events":[
  {"timestamp":"2026-11-20T14:02:00+01:00","location":{"address":{"addressLocality":"TOKYO - JAPAN"}},"statusCode":"delivered","status":"DELIVERED","description":"Delivered - Signed for by: 山田"},
  {"timestamp":"2026-11-20T08:10:00+01:00","location":{"address":{"addressLocality":"TOKYO - JAPAN"}},"statusCode":"transit","status":"WC","description":"With delivery courier"},
  {"timestamp":"2026-11-19T22:00:00","location":{"address":{"addressLocality":"TOKYO - JAPAN"}},"statusCode":"transit","status":"CR","description":"Customs clearance status updated. Clearance processing complete"},
  {"timestamp":"2026-11-17T19:30:00+01:00","location":{"address":{"addressLocality":"LEIPZIG - GERMANY"}},"statusCode":"transit","status":"PU","description":"Shipment picked up"},
  {"timestamp":"2026-11-17T10:00:00+01:00","statusCode":"pre-transit","status":"SI","description":"Shipment information received"}]}]}`

const customsHold = `{"shipments":[{"id":"8487135506","status":{"timestamp":"2026-11-25T09:00:00Z","statusCode":"transit","status":"CH",
 "description":"Shipment is on hold; customs clearance delay: awaiting documents"},
 "events":[{"timestamp":"2026-11-25T09:00:00Z","statusCode":"transit","status":"CH","description":"Shipment is on hold; customs clearance delay: awaiting documents"}]}]}`

const failure = `{"shipments":[{"id":"1099255990","status":{"timestamp":"2026-11-26T11:00:00Z","statusCode":"failure","status":"BA","description":"Bad address"},"events":[]}]}`

const notFound = `{"title":"No result found","status":404,"detail":"No shipment with given tracking number found.","instance":"/track/shipments?trackingNumber=1234567891"}`

func server(t *testing.T, h http.HandlerFunc) domain.CarrierAccount {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return domain.CarrierAccount{Kind: domain.CarrierDHL, Name: "DHL", BaseURL: srv.URL, Key: "secret-key"}
}

func fast(c *Client) *Client {
	c.rc.Backoff = func(int) time.Duration { return time.Millisecond }
	return c
}

func TestTrackMapsTheDocumentedShapes(t *testing.T) {
	a := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/track/shipments" || r.Header.Get("DHL-API-Key") != "secret-key" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Query().Get("trackingNumber") {
		case "3318810025":
			w.Write([]byte(delivered))
		case "8487135506":
			w.Write([]byte(customsHold))
		case "1099255990":
			w.Write([]byte(failure))
		default:
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(notFound))
		}
	})
	c, err := New(a)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Track(context.Background(), []string{"3318810025", "8487135506", "1099255990", "1234567891"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 {
		t.Fatalf("%d results", len(res))
	}
	d := res[0]
	if d.Milestone != domain.MilestoneDelivered || len(d.Events) != 5 || !strings.Contains(d.Status, "山田") {
		t.Errorf("delivered: %+v", d)
	}
	want := []domain.Milestone{domain.MilestoneDelivered, domain.MilestoneOutForDelivery, domain.MilestoneCustomsCleared, domain.MilestonePickedUp, domain.MilestoneLabelCreated}
	for i, e := range d.Events {
		if e.Milestone != want[i] {
			t.Errorf("event %d %q: %s, want %s", i, e.Text, e.Milestone, want[i])
		}
	}
	if !d.Events[0].At.Equal(time.Date(2026, 11, 20, 13, 2, 0, 0, time.UTC)) || d.Events[2].At.IsZero() {
		t.Errorf("times %v %v", d.Events[0].At, d.Events[2].At)
	}
	if !d.ETA.Equal(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("eta %v", d.ETA)
	}
	if res[1].Milestone != domain.MilestoneCustomsHold || res[2].Milestone != domain.MilestoneException {
		t.Errorf("hold %s, failure %s", res[1].Milestone, res[2].Milestone)
	}
	if res[3].NotFound != "No shipment with given tracking number found." || res[3].Milestone != "" {
		t.Errorf("unknown number: %+v", res[3])
	}
}

func TestTrackRetriesAndRefuses(t *testing.T) {
	var calls atomic.Int32
	a := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.Write([]byte(failure))
		}
	})
	c, _ := New(a)
	res, err := fast(c).Track(context.Background(), []string{"1099255990"})
	if err != nil || len(res) != 1 || res[0].Milestone != domain.MilestoneException || calls.Load() != 3 {
		t.Fatalf("429 then 500 then success: %v %+v after %d calls", err, res, calls.Load())
	}
	bad := server(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"shipments":[{"status":`)) })
	c, _ = New(bad)
	tracktest.Malformed(t, c, "1099255990")
	refused := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"title":"Unauthorized","status":401,"detail":"Invalid API key"}`))
	})
	c, _ = New(refused)
	tracktest.Refused(t, c, "1099255990", refused.Key)
}

func FuzzDecode(f *testing.F) {
	tracktest.FuzzDecode(f, []string{delivered, customsHold, failure, notFound, `{}`, `{"shipments":[{}]}`}, "", "", "3318810025",
		func(url string) (domain.Tracker, error) {
			return New(domain.CarrierAccount{Name: "DHL", BaseURL: url, Key: "k"})
		})
}

func TestStatusMapping(t *testing.T) {
	for _, c := range []struct {
		code, text string
		want       domain.Milestone
	}{
		{"pre-transit", "Shipment information received", domain.MilestoneLabelCreated},
		{"transit", "Shipment picked up", domain.MilestonePickedUp},
		{"transit", "Arrived at Sort Facility", domain.MilestoneInTransit},
		{"transit", "Shipment is on hold; customs clearance delay", domain.MilestoneCustomsHold},
		{"transit", "Clearance processing complete", domain.MilestoneCustomsCleared},
		{"transit", "With delivery courier", domain.MilestoneOutForDelivery},
		{"delivered", "Delivered", domain.MilestoneDelivered},
		{"failure", "Bad address", domain.MilestoneException},
		{"failure", "Delivery attempt failed, recipient not home", domain.MilestoneDeliveryFailed},
		{"failure", "Returned to shipper", domain.MilestoneReturned},
		{"unknown", "", domain.MilestoneUnknown},
		{"", "", domain.MilestoneUnknown},
	} {
		if got := milestone(status{StatusCode: c.code, Description: c.text}); got != c.want {
			t.Errorf("%s %q: %s, want %s", c.code, c.text, got, c.want)
		}
	}
}

func TestCheckWantsTheDocumentedAnswer(t *testing.T) {
	tracktest.CheckWantsTheDocumentedAnswer(t, "", "", func(url string) (domain.Tracker, error) {
		return New(domain.CarrierAccount{Name: "DHL", BaseURL: url, Key: "k"})
	})
}

// A parcel sent back to its sender is "delivered" to the sender: DHL says
// so with returnFlag in the shipment's details (shape of the Shipment
// Tracking - Unified API's shipment object). It is returned, not delivered.
func TestReturnedParcelIsNotDelivered(t *testing.T) {
	a := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"shipments":[{"id":"1234567890","service":"express",
 "status":{"timestamp":"2026-11-24T10:12:00","location":{"address":{"addressLocality":"Leipzig","countryCode":"DE"}},
   "statusCode":"delivered","status":"delivered","description":"Delivered"},
 "details":{"returnFlag":true},
 "events":[{"timestamp":"2026-11-24T10:12:00","statusCode":"delivered","status":"delivered","description":"Delivered"}]}]}`))
	})
	c, _ := New(a)
	res, err := c.Track(context.Background(), []string{"1234567890"})
	if err != nil || len(res) != 1 || res[0].Milestone != domain.MilestoneReturned {
		t.Fatalf("a return delivered to its sender: %v %+v", err, res)
	}
}

// DHL writes an event's time as the clock at its place without a zone
// ("2023-10-26T12:08:00"): read in the zone of a country that has one,
// otherwise kept as written and said so in the event.
func TestEventTimesWithoutAZone(t *testing.T) {
	leipzig := status{Timestamp: "2023-10-26T12:08:00", StatusCode: "transit", Description: "Processed at LEIPZIG - GERMANY"}
	leipzig.Location.Address = address{AddressLocality: "Leipzig", CountryCode: "DE"}
	if e := event(leipzig); !e.At.Equal(time.Date(2023, 10, 26, 10, 8, 0, 0, time.UTC)) {
		t.Errorf("12:08 in Leipzig (CEST): %v", e.At)
	}
	chicago := status{Timestamp: "2023-10-26T12:08:00", StatusCode: "transit", Description: "Arrived at Sort Facility"}
	chicago.Location.Address = address{AddressLocality: "Chicago", CountryCode: "US"}
	if e := event(chicago); !e.At.Equal(time.Date(2023, 10, 26, 12, 8, 0, 0, time.UTC)) || !strings.Contains(e.Text, "local time at Chicago, US") {
		t.Errorf("a country of several zones: %v %q", e.At, e.Text)
	}
	withZone := status{Timestamp: "2023-10-26T12:08:00+02:00", StatusCode: "transit"}
	withZone.Location.Address = address{CountryCode: "US"}
	if e := event(withZone); !e.At.Equal(time.Date(2023, 10, 26, 10, 8, 0, 0, time.UTC)) || strings.Contains(e.Text, "local time") {
		t.Errorf("a time with its offset: %v %q", e.At, e.Text)
	}
}
