package fedex

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/tracktest"
)

const deliveredResult = `{"trackingNumberInfo":{"trackingNumber":"%s","carrierCode":"FDXE","trackingNumberUniqueId":"12025~%s~FDEG"},
 "latestStatusDetail":{"code":"DL","derivedCode":"DL","statusByLocale":"Delivered","description":"Delivered","scanLocation":{"city":"MÜNCHEN","countryCode":"DE","residential":false}},
 "dateAndTimes":[{"type":"ACTUAL_DELIVERY","dateTime":"2026-11-24T10:41:00+01:00"},{"type":"SHIP","dateTime":"2026-11-21T00:00:00-06:00"}],
 "scanEvents":[
  {"date":"2026-11-24T10:41:00+01:00","eventType":"DL","eventDescription":"Delivered","exceptionCode":"","exceptionDescription":"","derivedStatusCode":"DL","derivedStatus":"Delivered","scanLocation":{"streetLines":[""],"city":"MÜNCHEN","countryCode":"DE","postalCode":"80331","residential":false}},
  {"date":"2026-11-24T07:02:00+01:00","eventType":"OD","eventDescription":"On FedEx vehicle for delivery","derivedStatusCode":"IT","scanLocation":{"city":"MÜNCHEN","countryCode":"DE"}},
  {"date":"2026-11-23T12:00:00+01:00","eventType":"CC","eventDescription":"International shipment release - Import","derivedStatusCode":"IT","scanLocation":{"city":"KÖLN","countryCode":"DE"}},
  {"date":"2026-11-21T18:20:00-05:00","eventType":"PU","eventDescription":"Picked up","derivedStatusCode":"PU","scanLocation":{"city":"NEWARK","stateOrProvinceCode":"NJ","countryCode":"US","postalCode":"07102"}},
  {"date":"2026-11-21T09:00:00-05:00","eventType":"OC","eventDescription":"Shipment information sent to FedEx","derivedStatusCode":"IN","scanLocation":{}}]}`

const clearanceDelay = `{"trackingNumberInfo":{"trackingNumber":"%s"},"latestStatusDetail":{"code":"CD","derivedCode":"DE","description":"Clearance delay"},
 "estimatedDeliveryTimeWindow":{"window":{"ends":"2026-11-30T20:00:00+09:00"}},
 "scanEvents":[{"date":"2026-11-26T15:00:00+09:00","eventType":"CD","eventDescription":"Clearance delay","exceptionDescription":"Import documentation required","scanLocation":{"city":"NARITA","countryCode":"JP"}}]}`

const notFound = `{"trackingNumberInfo":{"trackingNumber":"%s","carrierCode":"","trackingNumberUniqueId":""},
 "error":{"code":"TRACKING.TRACKINGNUMBER.NOTFOUND","message":"Tracking number cannot be found. Please correct the tracking number and try again."}}`

type fake struct {
	requests  atomic.Int32
	maxInCall atomic.Int32
	tokens    atomic.Int32
}

func newFake(t *testing.T, status func(call int32) int) (*fake, domain.CarrierAccount) {
	f := &fake{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			if r.FormValue("client_id") != "proj" || r.FormValue("client_secret") != "s3cret" {
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"transactionId":"x","errors":[{"code":"NOT.AUTHORIZED.ERROR","message":"The given client credentials were not valid."}]}`))
				return
			}
			fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"bearer","expires_in":3599,"scope":"CXS"}`, f.tokens.Add(1))
			return
		}
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer tok-") || r.URL.Path != "/track/v1/trackingnumbers" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		call := f.requests.Add(1)
		if s := status(call); s != 200 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(s)
			return
		}
		var req struct {
			TrackingInfo []struct {
				TrackingNumberInfo struct{ TrackingNumber string } `json:"trackingNumberInfo"`
			} `json:"trackingInfo"`
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n := int32(len(req.TrackingInfo)); n > f.maxInCall.Load() {
			f.maxInCall.Store(n)
		}
		var parts []string
		for _, ti := range req.TrackingInfo {
			n := ti.TrackingNumberInfo.TrackingNumber
			one := deliveredResult
			switch {
			case strings.HasPrefix(n, "4"):
				one = clearanceDelay
			case strings.HasPrefix(n, "9"):
				one = notFound
			}
			parts = append(parts, fmt.Sprintf(`{"trackingNumber":%q,"trackResults":[`+strings.ReplaceAll(one, "%s", n)+`]}`, n))
		}
		fmt.Fprintf(w, `{"transactionId":"624deea6","output":{"completeTrackResults":[%s]}}`, strings.Join(parts, ","))
	}))
	t.Cleanup(srv.Close)
	return f, domain.CarrierAccount{Kind: domain.CarrierFedEx, Name: "FedEx", BaseURL: srv.URL, ClientID: "proj", ClientSecret: "s3cret"}
}

func TestTrackBatchesOf30(t *testing.T) {
	f, a := newFake(t, func(int32) int { return 200 })
	c, err := New(a)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for i := 0; i < 65; i++ {
		numbers = append(numbers, fmt.Sprintf("%d%011d", []int{1, 4, 9}[i%3], i))
	}
	res, err := c.Track(context.Background(), numbers)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 65 || f.requests.Load() != 3 || f.maxInCall.Load() != 30 || f.tokens.Load() != 1 {
		t.Fatalf("%d results in %d requests (at most %d numbers each), %d tokens", len(res), f.requests.Load(), f.maxInCall.Load(), f.tokens.Load())
	}
	d := res[0]
	want := []domain.Milestone{domain.MilestoneDelivered, domain.MilestoneOutForDelivery, domain.MilestoneCustomsCleared, domain.MilestonePickedUp, domain.MilestoneLabelCreated}
	if d.Number != numbers[0] || d.Milestone != domain.MilestoneDelivered || len(d.Events) != 5 {
		t.Fatalf("delivered %+v", d)
	}
	for i, e := range d.Events {
		if e.Milestone != want[i] {
			t.Errorf("event %d %q: %s, want %s", i, e.Text, e.Milestone, want[i])
		}
	}
	if d.Events[0].Location != "MÜNCHEN, DE" || !d.Events[0].At.Equal(time.Date(2026, 11, 24, 9, 41, 0, 0, time.UTC)) {
		t.Errorf("event %+v", d.Events[0])
	}
	h := res[1]
	if h.Milestone != domain.MilestoneCustomsHold || !strings.Contains(h.Events[0].Text, "Import documentation required") ||
		!h.ETA.Equal(time.Date(2026, 11, 30, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("clearance delay %+v", h)
	}
	if !strings.HasPrefix(res[2].NotFound, "Tracking number cannot be found") {
		t.Errorf("not found: %+v", res[2])
	}
}

func TestTrackRetriesAndRefuses(t *testing.T) {
	_, a := newFake(t, func(call int32) int {
		return map[int32]int{1: 429, 2: 500}[call] + map[bool]int{true: 200}[call > 2]
	})
	c, _ := New(a)
	c.rc.Backoff = func(int) time.Duration { return time.Millisecond }
	if res, err := c.Track(context.Background(), []string{"123456789012"}); err != nil || res[0].Milestone != domain.MilestoneDelivered {
		t.Fatalf("429, 500, then an answer: %v %+v", err, res)
	}
	a.ClientSecret = "wrong"
	c, _ = New(a)
	tracktest.Refused(t, c, "477179081230", a.ClientSecret)
	bad := tracktest.Server(t, "/oauth/token", `{"access_token":"t","expires_in":3599}`, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"output":{"completeTrackResults":{}}}`))
	})
	c, _ = New(domain.CarrierAccount{Name: "FedEx", BaseURL: bad.URL, ClientID: "a", ClientSecret: "b"})
	tracktest.Malformed(t, c, "477179081230")
}

func FuzzDecode(f *testing.F) {
	seed := `{"output":{"completeTrackResults":[{"trackingNumber":"477179081230","trackResults":[` + strings.ReplaceAll(deliveredResult, "%s", "477179081230") + `]}]}}`
	tracktest.FuzzDecode(f, []string{seed, `{}`}, "/oauth/token", `{"access_token":"t","expires_in":3599}`, "477179081230",
		func(url string) (domain.Tracker, error) {
			return New(domain.CarrierAccount{Name: "FedEx", BaseURL: url, ClientID: "a", ClientSecret: "b"})
		})
}

func TestStatusMapping(t *testing.T) {
	for code, want := range map[string]domain.Milestone{
		"OC": domain.MilestoneLabelCreated, "PU": domain.MilestonePickedUp, "IT": domain.MilestoneInTransit, "AR": domain.MilestoneInTransit,
		"DP": domain.MilestoneInTransit, "AF": domain.MilestoneInTransit, "OD": domain.MilestoneOutForDelivery, "HL": domain.MilestoneOutForDelivery,
		"DL": domain.MilestoneDelivered, "DE": domain.MilestoneDeliveryFailed, "SE": domain.MilestoneException, "CD": domain.MilestoneCustomsHold,
		"CC": domain.MilestoneCustomsCleared, "RS": domain.MilestoneReturned, "CA": domain.MilestoneException, "ZZ": domain.MilestoneUnknown,
	} {
		if got := milestone(code, ""); got != want {
			t.Errorf("%s: %s, want %s", code, got, want)
		}
	}
}

func TestCheckWantsTheDocumentedAnswer(t *testing.T) {
	tracktest.CheckWantsTheDocumentedAnswer(t, "/oauth/token", `{"access_token":"t","expires_in":3599}`, func(url string) (domain.Tracker, error) {
		return New(domain.CarrierAccount{Name: "FedEx", BaseURL: url, ClientID: "a", ClientSecret: "b"})
	})
}
