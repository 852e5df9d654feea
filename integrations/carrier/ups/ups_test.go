package ups

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/tracktest"
)

func pkg(number, current, activities string) string {
	return fmt.Sprintf(`{"trackResponse":{"shipment":[{"inquiryNumber":%q,"package":[{"trackingNumber":%q,
  "currentStatus":%s,"deliveryDate":[{"type":"SDD","date":"20261128"}],"deliveryTime":{"type":"EOD","endTime":"230000"},
  "activity":[%s],"packageCount":1,"weight":{"unitOfMeasurement":"KGS","weight":"1.40"}}]}]}}`, number, number, current, activities)
}

var (
	delivered = pkg("1Z999AA10123456784", `{"type":"D","code":"KB","statusCode":"011","description":"DELIVERED","simplifiedTextDescription":"Delivered"}`,
		`{"date":"20261126","time":"143000","gmtDate":"20261126","gmtTime":"19:30:00","gmtOffset":"-05:00","location":{"address":{"city":"NEW YORK","stateProvince":"NY","countryCode":"US"}},"status":{"type":"D","code":"KB","statusCode":"011","description":"DELIVERED"}},
		 {"date":"20261126","time":"080000","gmtDate":"20261126","gmtTime":"13:00:00","gmtOffset":"-05:00","location":{"address":{"city":"NEW YORK","countryCode":"US"}},"status":{"type":"I","code":"OT","statusCode":"021","description":"Out For Delivery Today"}},
		 {"date":"20261124","time":"101500","gmtDate":"20261124","gmtTime":"15:15:00","gmtOffset":"-05:00","location":{"address":{"city":"LOUISVILLE","stateProvince":"KY","countryCode":"US"}},"status":{"type":"I","code":"CR","statusCode":"005","description":"Your package was released by the clearing agency."}},
		 {"date":"20261121","time":"170000","gmtDate":"20261121","gmtTime":"16:00:00","gmtOffset":"+01:00","location":{"address":{"city":"VENLO","countryCode":"NL"}},"status":{"type":"P","code":"PU","statusCode":"038","description":"Pickup Scan"}},
		 {"date":"20261121","time":"090000","gmtDate":"20261121","gmtTime":"08:00:00","gmtOffset":"+01:00","location":{"address":{"countryCode":"NL"}},"status":{"type":"M","code":"MP","statusCode":"003","description":"Shipper created a label, UPS has not received the package yet."}}`)
	customs = pkg("1ZA1B2C30300000012", `{"type":"I","code":"CD","statusCode":"072","description":"The package is being held; customs clearance delay"}`,
		`{"date":"20261126","time":"101500","gmtOffset":"+09:00","location":{"address":{"city":"NARITA","countryCode":"JP"}},"status":{"type":"I","code":"CD","description":"The package is being held; customs clearance delay"}}`)
	exception = pkg("1Z4E12345600123450", `{"type":"X","code":"UX","statusCode":"075","description":"The receiver was not available for delivery. We'll make a second attempt the next business day."}`, ``)
	warning   = `{"trackResponse":{"shipment":[{"inquiryNumber":"1Z5R89390357567127","warnings":[{"code":"TW0001","message":"Tracking Information Not Found"}]}]}}`
	notFound  = `{"response":{"errors":[{"code":"TV1002","message":"Tracking number not found"}]}}`
)

type fake struct {
	srv    *httptest.Server
	tokens atomic.Int32
	valid  atomic.Value // the token the server accepts
	hits   atomic.Int32
	expire atomic.Int32 // reject the token after this many track calls (0: never)
}

func newFake(t *testing.T, answer func(n string, hit int32, w http.ResponseWriter)) (*fake, domain.CarrierAccount) {
	return newUPS(t, func(w http.ResponseWriter, r *http.Request, hit int32) {
		answer(strings.TrimPrefix(r.URL.Path, "/api/track/v1/details/"), hit, w)
	})
}

// newUPS is a local UPS: its OAuth token endpoint, and serve behind the
// token (every request with a Bearer token, transId and transactionSrc).
func newUPS(t *testing.T, serve func(w http.ResponseWriter, r *http.Request, hit int32)) (*fake, domain.CarrierAccount) {
	f := &fake{}
	f.valid.Store("")
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/security/v1/oauth/token" {
			id, secret, ok := r.BasicAuth()
			if !ok || id != "client" || secret != "s3cret" || r.FormValue("grant_type") != "client_credentials" {
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"response":{"errors":[{"code":"250003","message":"Invalid Authentication Information."}]}}`))
				return
			}
			tok := fmt.Sprintf("tok-%d", f.tokens.Add(1))
			f.valid.Store(tok)
			fmt.Fprintf(w, `{"token_type":"Bearer","issued_at":"1764236400000","client_id":"client","access_token":%q,"expires_in":"14399","status":"approved"}`, tok)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+f.valid.Load().(string) || r.Header.Get("transId") == "" || r.Header.Get("transactionSrc") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"response":{"errors":[{"code":"250002","message":"Invalid Authentication Information."}]}}`))
			return
		}
		hit := f.hits.Add(1)
		if e := f.expire.Load(); e > 0 && hit == e {
			f.valid.Store("expired") // the token runs out now
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		serve(w, r, hit)
	}))
	t.Cleanup(f.srv.Close)
	return f, domain.CarrierAccount{Kind: domain.CarrierUPS, Name: "UPS", BaseURL: f.srv.URL, ClientID: "client", ClientSecret: "s3cret"}
}

func TestTrackMapsTheDocumentedShapes(t *testing.T) {
	f, a := newFake(t, func(n string, _ int32, w http.ResponseWriter) {
		switch n {
		case "1Z999AA10123456784":
			w.Write([]byte(delivered))
		case "1ZA1B2C30300000012":
			w.Write([]byte(customs))
		case "1Z4E12345600123450":
			w.Write([]byte(exception))
		case "1Z5R89390357567127":
			w.Write([]byte(warning))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(notFound))
		}
	})
	f.expire.Store(3) // the token expires in the middle of the run
	c, err := New(a)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Track(context.Background(), []string{"1Z999AA10123456784", "1ZA1B2C30300000012", "1Z4E12345600123450", "1Z5R89390357567127", "1Z879E930346834440"})
	if err != nil {
		t.Fatal(err)
	}
	if f.tokens.Load() != 2 {
		t.Errorf("%d tokens fetched; want one at the start and one after the expiry", f.tokens.Load())
	}
	d := res[0]
	want := []domain.Milestone{domain.MilestoneDelivered, domain.MilestoneOutForDelivery, domain.MilestoneCustomsCleared, domain.MilestonePickedUp, domain.MilestoneLabelCreated}
	if d.Milestone != domain.MilestoneDelivered || len(d.Events) != len(want) {
		t.Fatalf("delivered %+v", d)
	}
	for i, e := range d.Events {
		if e.Milestone != want[i] {
			t.Errorf("event %d %q: %s, want %s", i, e.Text, e.Milestone, want[i])
		}
	}
	if !d.Events[0].At.Equal(time.Date(2026, 11, 26, 19, 30, 0, 0, time.UTC)) || d.Events[0].Location != "NEW YORK, NY, US" {
		t.Errorf("first event %+v", d.Events[0])
	}
	if !d.ETA.Equal(time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("eta %v", d.ETA)
	}
	if res[1].Milestone != domain.MilestoneCustomsHold || !res[1].Events[0].At.Equal(time.Date(2026, 11, 26, 1, 15, 0, 0, time.UTC)) {
		t.Errorf("customs %+v", res[1])
	}
	if res[2].Milestone != domain.MilestoneDeliveryFailed {
		t.Errorf("receiver not available: %s", res[2].Milestone)
	}
	if res[3].NotFound != "Tracking Information Not Found" || res[4].NotFound != "Tracking number not found" {
		t.Errorf("unknown numbers: %q / %q", res[3].NotFound, res[4].NotFound)
	}
}

func TestTrackRetriesAndRefuses(t *testing.T) {
	_, a := newFake(t, func(n string, hit int32, w http.ResponseWriter) {
		switch hit {
		case 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 3:
			w.Write([]byte(exception))
		default:
			w.Write([]byte(`{"trackResponse":{"shipment":[{"package":[{"activity":"nope"}]}]}}`))
		}
	})
	c, _ := New(a)
	c.rc.Backoff = func(int) time.Duration { return time.Millisecond }
	res, err := c.Track(context.Background(), []string{"1Z4E12345600123450"})
	if err != nil || res[0].Milestone != domain.MilestoneDeliveryFailed {
		t.Fatalf("429, 503, then an answer: %v %+v", err, res)
	}
	tracktest.Malformed(t, c, "1Z4E12345600123450")
	a.ClientSecret = "wrong"
	c, _ = New(a)
	tracktest.Refused(t, c, "1Z4E12345600123450", a.ClientSecret)
}

func FuzzDecode(f *testing.F) {
	tracktest.FuzzDecode(f, []string{delivered, customs, exception, warning, notFound, `{}`}, "/security/v1/oauth/token",
		`{"access_token":"t","expires_in":"14399"}`, "1Z999AA10123456784", func(url string) (domain.Tracker, error) {
			return New(domain.CarrierAccount{Name: "UPS", BaseURL: url, ClientID: "a", ClientSecret: "b"})
		})
}

func TestStatusMapping(t *testing.T) {
	for _, c := range []struct {
		typ, code, text string
		want            domain.Milestone
	}{
		{"M", "MP", "Shipper created a label", domain.MilestoneLabelCreated},
		{"P", "PU", "Pickup Scan", domain.MilestonePickedUp},
		{"I", "AR", "Arrived at Facility", domain.MilestoneInTransit},
		{"I", "OT", "Out For Delivery Today", domain.MilestoneOutForDelivery},
		{"I", "CD", "Held; customs clearance delay", domain.MilestoneCustomsHold},
		{"I", "CR", "Released by the clearing agency", domain.MilestoneCustomsCleared},
		{"X", "UX", "Receiver was not available for delivery", domain.MilestoneDeliveryFailed},
		{"X", "XX", "Address information incorrect", domain.MilestoneException},
		{"X", "RS", "Returned to shipper", domain.MilestoneReturned},
		{"D", "KB", "DELIVERED", domain.MilestoneDelivered},
		// Type D is also "on its way to you": only the code and words tell (UPS's status list).
		{"D", "DP", "Loaded on Delivery Vehicle", domain.MilestoneOutForDelivery},
		{"D", "XD", "Out For Delivery", domain.MilestoneOutForDelivery},
		{"D", "ZZ", "Processing at UPS Facility", domain.MilestoneInTransit},
		{"MV", "", "Shipment voided", domain.MilestoneException},
		{"U", "", "The delivery date has been updated", domain.MilestoneInTransit},
		{"Q", "", "", domain.MilestoneUnknown},
	} {
		if got := milestone(status{Type: c.typ, Code: c.code, Description: c.text}); got != c.want {
			t.Errorf("%s/%s %q: %s, want %s", c.typ, c.code, c.text, got, c.want)
		}
	}
}

func TestCheckWantsTheDocumentedAnswer(t *testing.T) {
	tracktest.CheckWantsTheDocumentedAnswer(t, "/security/v1/oauth/token", `{"access_token":"t","expires_in":"14399"}`, func(url string) (domain.Tracker, error) {
		return New(domain.CarrierAccount{Name: "UPS", BaseURL: url, ClientID: "a", ClientSecret: "b"})
	})
}

// UPS writes times as HHMMSS and drops the leading zero: the Tracking API
// specification's example activity (UPS-API/api-documentation, Tracking.yaml)
// has "time": "024700" local at "-05:00" and "gmtTime": "74700", which is
// 07:47:00 GMT, not 74:70.
func TestTimesWithoutTheLeadingZero(t *testing.T) {
	a := activity{Date: "20210210", Time: "024700", GMTDate: "20210210", GMTTime: "74700", GMTOffset: "-05:00"}
	want := time.Date(2021, 2, 10, 7, 47, 0, 0, time.UTC)
	if got := when(a); !got.Equal(want) {
		t.Errorf("gmtTime 74700: %v, want %v", got, want)
	}
	a.GMTDate, a.GMTTime = "", ""
	if got := when(a); !got.Equal(want) {
		t.Errorf("local 024700 at -05:00: %v, want %v", got, want)
	}
	a = activity{GMTDate: "20210210", GMTTime: "10500"} // 01:05:00, not 10:50
	if got := when(a); !got.Equal(time.Date(2021, 2, 10, 1, 5, 0, 0, time.UTC)) {
		t.Errorf("gmtTime 10500: %v", got)
	}
}
