package easypost

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/tracktest"
)

// trackerJSON is a tracker as the official example shows it: details oldest first.
func trackerJSON(code string) string {
	status, details := "pre_transit", `[{"object":"TrackingDetail","message":"Pre-Shipment information received","description":"","status":"pre_transit","status_detail":"status_update","datetime":"2026-11-20T09:00:00Z","source":"USPS","carrier_code":"","tracking_location":{"object":"TrackingLocation","city":null,"state":null,"country":null,"zip":null}}]`
	switch code {
	case "EZ4000000004":
		status = "delivered"
		details = `[{"message":"Pre-Shipment information received","status":"pre_transit","status_detail":"status_update","datetime":"2026-11-20T09:00:00Z","tracking_location":{"city":null,"state":null,"country":null,"zip":null}},
		 {"message":"Arrived at USPS Origin Facility","status":"in_transit","status_detail":"arrived_at_facility","datetime":"2026-11-21T11:30:00Z","tracking_location":{"city":"NORTH HOUSTON","state":"TX","country":"US","zip":"77315"}},
		 {"message":"Out for Delivery","status":"out_for_delivery","status_detail":"out_for_delivery","datetime":"2026-11-23T07:00:00Z","tracking_location":{"city":"CHARLESTON","state":"SC","country":"US","zip":"29401"}},
		 {"message":"Delivered","status":"delivered","status_detail":"arrived_at_destination","datetime":"2026-11-23T15:20:00Z","tracking_location":{"city":"CHARLESTON","state":"SC","country":"US","zip":"29401"}}]`
	case "EZ6000000006":
		status = "failure"
		details = `[{"message":"Delivery attempt failed: business closed","status":"failure","status_detail":"delivery_attempt_failed","datetime":"2026-11-25T16:00:00Z","tracking_location":{"city":"MADRID","country":"ES"}}]`
	}
	return fmt.Sprintf(`{"id":"trk_%s","object":"Tracker","mode":"test","tracking_code":%q,"status":%q,"status_detail":"status_update",
	 "created_at":"2026-11-20T09:00:00Z","updated_at":"2026-11-25T16:00:00Z","signed_by":null,"weight":null,"est_delivery_date":"2026-11-24T00:00:00Z",
	 "shipment_id":null,"carrier":"USPS","public_url":"https://track.easypost.com/x","fees":[],"tracking_details":%s,
	 "carrier_detail":{"object":"CarrierDetail","service":null,"container_type":null}}`, code, code, status, details)
}

type fake struct {
	mu      sync.Mutex
	created map[string]bool
	posts   atomic.Int32
}

func newFake(t *testing.T, fail func() int) (*fake, domain.CarrierAccount) {
	f := &fake{created: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key, pass, ok := r.BasicAuth(); !ok || key != "EZTK123" || pass != "" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"code":"APIKEY.INACTIVE","message":"This api key is no longer active.","errors":[]}}`))
			return
		}
		if s := fail(); s != 0 {
			w.WriteHeader(s)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		switch r.Method {
		case http.MethodGet:
			code := r.URL.Query().Get("tracking_code")
			if f.created[code] {
				fmt.Fprintf(w, `{"trackers":[%s],"has_more":false}`, trackerJSON(code))
				return
			}
			w.Write([]byte(`{"trackers":[],"has_more":false}`))
		case http.MethodPost:
			f.posts.Add(1)
			var body struct {
				Tracker struct {
					TrackingCode string `json:"tracking_code"`
				} `json:"tracker"`
			}
			json.NewDecoder(r.Body).Decode(&body)
			code := body.Tracker.TrackingCode
			if !strings.HasPrefix(code, "EZ") {
				w.WriteHeader(http.StatusUnprocessableEntity)
				w.Write([]byte(`{"error":{"code":"TRACKER.TRACKING_CODE.INVALID","message":"Invalid tracking code.","errors":["tracking_code is not valid for any carrier"]}}`))
				return
			}
			f.created[code] = true
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(trackerJSON(code)))
		}
	}))
	t.Cleanup(srv.Close)
	return f, domain.CarrierAccount{Kind: domain.CarrierEasyPost, Name: "EasyPost", BaseURL: srv.URL, Key: "EZTK123"}
}

func TestTrackCreatesOnceThenReads(t *testing.T) {
	f, a := newFake(t, func() int { return 0 })
	c, err := New(a)
	if err != nil {
		t.Fatal(err)
	}
	numbers := []string{"EZ1000000001", "EZ4000000004", "EZ6000000006", "RB123456785GB"}
	res, err := c.Track(context.Background(), numbers)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Track(context.Background(), numbers[:3]); err != nil || f.posts.Load() != 4 {
		t.Fatalf("second run: %v, %d trackers created (want no new one)", err, f.posts.Load())
	}
	if res[0].Milestone != domain.MilestoneLabelCreated {
		t.Errorf("pre-transit: %s", res[0].Milestone)
	}
	d := res[1]
	want := []domain.Milestone{domain.MilestoneLabelCreated, domain.MilestoneInTransit, domain.MilestoneOutForDelivery, domain.MilestoneDelivered}
	if d.Milestone != domain.MilestoneDelivered || len(d.Events) != 4 || d.Status != "Delivered" {
		t.Fatalf("delivered %+v", d)
	}
	for i, e := range d.Events {
		if e.Milestone != want[i] {
			t.Errorf("event %d: %s, want %s", i, e.Milestone, want[i])
		}
	}
	if d.Events[3].Location != "CHARLESTON, SC, 29401, US" || !d.ETA.Equal(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("location %q eta %v", d.Events[3].Location, d.ETA)
	}
	if res[2].Milestone != domain.MilestoneDeliveryFailed {
		t.Errorf("failed attempt: %s", res[2].Milestone)
	}
	if res[3].NotFound != "Invalid tracking code." {
		t.Errorf("invalid code (errors as strings): %+v", res[3])
	}
}

func TestTrackRetriesAndRefuses(t *testing.T) {
	var calls atomic.Int32
	_, a := newFake(t, func() int { return map[int32]int{1: 429, 2: 502}[calls.Add(1)] })
	c, _ := New(a)
	c.rc.Backoff = func(int) time.Duration { return time.Millisecond }
	if res, err := c.Track(context.Background(), []string{"EZ4000000004"}); err != nil || res[0].Milestone != domain.MilestoneDelivered {
		t.Fatalf("429, 502, then an answer: %v %+v", err, res)
	}
	a.Key = "EZTKwrong"
	c, _ = New(a)
	tracktest.Refused(t, c, "EZ4000000004", a.Key)
}

func FuzzDecode(f *testing.F) {
	tracktest.FuzzDecode(f, []string{`{"trackers":[` + trackerJSON("EZ4000000004") + `]}`, `{"trackers":[{}]}`}, "", "", "EZ4000000004",
		func(url string) (domain.Tracker, error) {
			return New(domain.CarrierAccount{Name: "EasyPost", BaseURL: url, Key: "k"})
		})
}

func TestStatusMapping(t *testing.T) {
	for _, c := range []struct {
		status, detail string
		want           domain.Milestone
	}{
		{"pre_transit", "status_update", domain.MilestoneLabelCreated},
		{"in_transit", "arrived_at_facility", domain.MilestoneInTransit},
		{"out_for_delivery", "out_for_delivery", domain.MilestoneOutForDelivery},
		{"available_for_pickup", "", domain.MilestoneOutForDelivery},
		{"delivered", "arrived_at_destination", domain.MilestoneDelivered},
		{"return_to_sender", "return", domain.MilestoneReturned},
		// status_detail values as EasyPost's client libraries enumerate them.
		{"failure", "delivery_exception", domain.MilestoneDeliveryFailed},
		{"failure", "refused", domain.MilestoneDeliveryFailed},
		{"in_transit", "lost", domain.MilestoneException},
		{"in_transit", "weather_delay", domain.MilestoneInTransit},
		{"in_transit", "transferred_to_destination_carrier", domain.MilestoneInTransit},
		{"pre_transit", "label_created", domain.MilestoneLabelCreated},
		{"failure", "address_correction", domain.MilestoneException},
		{"cancelled", "", domain.MilestoneException},
		{"unknown", "", domain.MilestoneUnknown},
		{"error", "", domain.MilestoneException}, // the carrier could not track it: someone should look
	} {
		if got := milestone(c.status, c.detail, ""); got != c.want {
			t.Errorf("%s/%s: %s, want %s", c.status, c.detail, got, c.want)
		}
	}
}

func TestCheckWantsTheDocumentedAnswer(t *testing.T) {
	tracktest.CheckWantsTheDocumentedAnswer(t, "", "", func(url string) (domain.Tracker, error) {
		return New(domain.CarrierAccount{Name: "EasyPost", BaseURL: url, Key: "k"})
	})
}
