package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/app/cli"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
)

// dhlNumber makes a valid 10-digit DHL Express waybill (mod 7 check).
func dhlNumber(i int) string {
	body := 331881000 + i
	return fmt.Sprintf("%09d%d", body, body%7)
}

// fakeDHL speaks the DHL Unified API: numbers whose body is even are
// delivered, odd ones in transit; it logs when each request came.
type fakeDHL struct {
	mu    sync.Mutex
	times []time.Time
	bad   map[string]bool // numbers answered with broken JSON
	srv   *httptest.Server
}

func newFakeDHL(t *testing.T, key string) *fakeDHL {
	f := &fakeDHL{bad: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.times = append(f.times, time.Now())
		f.mu.Unlock()
		if r.Header.Get("DHL-API-Key") != key {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"title":"Unauthorized","status":401,"detail":"Invalid API key"}`))
			return
		}
		n := r.URL.Query().Get("trackingNumber")
		if f.bad[n] {
			w.Write([]byte(`{"shipments":[{"status":`))
			return
		}
		code, text := "transit", "Arrived at Sort Facility LEIPZIG - GERMANY"
		if (n[8]-'0')%2 == 0 {
			code, text = "delivered", "Delivered"
		}
		// Scanned at 10:00 today and picked up at 08:00 yesterday (the tests' today).
		last, first := lastScan.Format(time.RFC3339), lastScan.Add(-26*time.Hour).Format(time.RFC3339)
		fmt.Fprintf(w, `{"shipments":[{"id":%q,"status":{"timestamp":%q,"statusCode":%q,"status":"X","description":%q},
			"events":[{"timestamp":%q,"statusCode":%q,"status":"X","description":%q},
			{"timestamp":%q,"statusCode":"transit","status":"PU","description":"Shipment picked up"}]}]}`, n, last, code, text, last, code, text, first)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// lastScan is when the fake DHL says every parcel was last scanned.
var lastScan = domaintest.Today().Add(10 * time.Hour)

// shippedOrders registers n shipments of demo orders with DHL numbers.
func shippedOrders(t *testing.T, a *app.App, carrier string, n, from int) []string {
	t.Helper()
	ctx := context.Background()
	page, err := a.Orders.OrderSummaries(ctx, domain.OrderFilter{}, 0, n+from)
	if err != nil || len(page) < n+from {
		t.Fatalf("orders: %v (%d)", err, len(page))
	}
	var numbers []string
	for i := 0; i < n; i++ {
		num := dhlNumber(from + i)
		if _, err := a.Tracking.AddShipment(ctx, page[from+i].Number, carrier, num); err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, num)
	}
	return numbers
}

func TestPollNeverExceedsTheBudget(t *testing.T) {
	t.Parallel()
	a := openAt(t, demoDBOf(t, 150), testClock.Now)
	ctx := context.Background()
	f := newFakeDHL(t, "k")
	acct := domain.CarrierAccount{Kind: domain.CarrierDHL, Name: "Test DHL", BaseURL: f.srv.URL, Key: "k", PerSecond: 4, PerDay: 9}
	if err := a.Tracking.SaveCarrierAccount(ctx, &acct); err != nil {
		t.Fatal(err)
	}
	shippedOrders(t, a, "Test DHL", 12, 0)
	res, err := a.Tracking.Poll(ctx, domain.DueFilter{Carrier: "Test DHL"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 9 || res.Checked != 9 || res.Skipped != 3 || len(f.times) != 9 {
		t.Fatalf("poll %+v; the server saw %d requests; the day's budget is 9", res, len(f.times))
	}
	if !strings.Contains(strings.Join(res.Problems, "\n"), "budget of 9 requests is used up; 3 parcel(s) wait") {
		t.Errorf("problems %v", res.Problems)
	}
	// No second holds more than 4 requests.
	for i := range f.times {
		n := 0
		for _, t2 := range f.times[i:] {
			if t2.Sub(f.times[i]) < time.Second {
				n++
			}
		}
		if n > 4 {
			t.Errorf("%d requests within a second from request %d", n, i)
		}
	}
	// Another poll the same day makes no request at all.
	res, err = a.Tracking.Poll(ctx, domain.DueFilter{All: true, Carrier: "Test DHL"}, nil)
	if err != nil || res.Requests != 0 || len(f.times) != 9 {
		t.Errorf("second poll %+v (%v); server saw %d", res, err, len(f.times))
	}
	if used, _ := a.Tracking.UsedToday(ctx, acct.ID); used != 9 {
		t.Errorf("used today %d", used)
	}
}

func TestPollOneBadAnswerOrAccountDoesNotStopTheRun(t *testing.T) {
	t.Parallel()
	a := openAt(t, demoDBOf(t, 150), testClock.Now)
	ctx := context.Background()
	good, refused := newFakeDHL(t, "good"), newFakeDHL(t, "good")
	for _, acct := range []domain.CarrierAccount{
		{Kind: domain.CarrierDHL, Name: "Test DHL", BaseURL: good.srv.URL, Key: "good", PerSecond: 100},
		{Kind: domain.CarrierDHL, Name: "DHL Parcel", BaseURL: refused.srv.URL, Key: "wrong", PerSecond: 100},
	} {
		if err := a.Tracking.SaveCarrierAccount(ctx, &acct); err != nil {
			t.Fatal(err)
		}
	}
	nums := shippedOrders(t, a, "Test DHL", 6, 0)
	shippedOrders(t, a, "DHL Parcel", 3, 6)
	good.bad[nums[1]] = true
	var last [2]int
	res, err := a.Tracking.Poll(ctx, domain.DueFilter{Carrier: "Test DHL"}, func(done, total int) { last = [2]int{done, total} })
	if err != nil {
		t.Fatal(err)
	}
	if res.Checked != 5 || res.Errors != 1 || res.Changed != 5 || last != [2]int{6, 6} {
		t.Fatalf("poll %+v, progress %v", res, last)
	}
	refusedRes, err := a.Tracking.Poll(ctx, domain.DueFilter{Carrier: "DHL Parcel"}, nil)
	if err != nil || refusedRes.Skipped != 3 || refusedRes.Checked != 0 {
		t.Fatalf("refused account: %+v %v", refusedRes, err)
	}
	res.Problems = append(res.Problems, refusedRes.Problems...)
	problems := strings.Join(res.Problems, "\n")
	if !strings.Contains(problems, "DHL Parcel refused the credentials") || strings.Contains(problems, "wrong") {
		t.Errorf("problems %s", problems)
	}
	accts, _ := a.Tracking.CarrierAccounts(ctx)
	for _, ac := range accts {
		if (ac.Name == "DHL Parcel") != (ac.Failing != "") {
			t.Errorf("%s failing %q", ac.Name, ac.Failing)
		}
	}
	// The broken answer is noted on its shipment; delivered ones move their orders.
	list, _ := a.Tracking.Shipments(ctx, domain.ShipmentFilter{Search: nums[1]}, 0, 5)
	if len(list) != 1 || !strings.Contains(list[0].Error, "not the JSON") {
		t.Errorf("broken answer %+v", list)
	}
	delivered, _ := a.Tracking.Shipments(ctx, domain.ShipmentFilter{Milestone: domain.MilestoneDelivered}, 0, 50)
	if len(delivered) == 0 {
		t.Fatal("nothing delivered")
	}
	_, events, _ := a.Tracking.Shipment(ctx, delivered[0].ID)
	if len(events) != 2 || events[0].Milestone != domain.MilestoneDelivered || events[1].Milestone != domain.MilestonePickedUp {
		t.Errorf("timeline %+v", events)
	}
	// Fixing the key and testing the connection clears the mark.
	for _, ac := range accts {
		if ac.Name == "DHL Parcel" {
			ac.Key = "good"
			if err := a.Tracking.SaveCarrierAccount(ctx, &ac); err != nil {
				t.Fatal(err)
			}
			if err := a.Tracking.TestAccount(ctx, ac.ID); err != nil {
				t.Errorf("test connection: %v", err)
			}
		}
	}
	accts, _ = a.Tracking.CarrierAccounts(ctx)
	for _, ac := range accts {
		if ac.Failing != "" {
			t.Errorf("%s still failing: %s", ac.Name, ac.Failing)
		}
	}
}

func TestCLITracking(t *testing.T) {
	t.Parallel()
	db := demoDBOf(t, 150)
	f := newFakeDHL(t, "dhl-key-123")
	if _, errs, code := runCLI(t, "--db", db, "carriers", "add", "--kind", "dhl", "--name", "DHL", "--url", "http://dhl.example.com", "--key", "k"); code != 1 ||
		!strings.Contains(errs, "plain http") {
		t.Errorf("plain http: %d %q", code, errs)
	}
	if out, errs, code := runCLI(t, "--db", db, "carriers", "add", "--kind", "dhl", "--name", "Test DHL", "--url", f.srv.URL, "--key", "dhl-key-123",
		"--per-second", "20"); code != 0 || !strings.Contains(out, "at most 20 requests a second and 250 a day") {
		t.Fatalf("carriers add: %d %q %q", code, out, errs)
	}
	out, _, code := runCLI(t, "--db", db, "carriers", "list", "--format", "json")
	if code != 0 || strings.Contains(out, "dhl-key-123") || !strings.Contains(out, `"per_day": 250`) {
		t.Errorf("carriers list: %s", out)
	}
	a, err := app.Open(db, app.Options{Now: testClock.Now})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := a.Orders.OrderSummaries(context.Background(), domain.OrderFilter{}, 0, 1)
	a.Close()
	number := page[0].Number
	if _, errs, code := runCLI(t, "--db", db, "shipments", "add", "--order", number, "--carrier", "Test DHL", "--tracking", "3318810010"); code != 1 ||
		!strings.Contains(errs, "check digit") {
		t.Errorf("bad check digit: %d %q", code, errs)
	}
	good := dhlNumber(2) // even: delivered
	if out, errs, code := runCLI(t, "--db", db, "shipments", "add", "--order", number, "--carrier", "Test DHL", "--tracking", good); code != 0 {
		t.Fatalf("shipments add: %d %q %q", code, out, errs)
	}
	if out, errs, code := runCLI(t, "--db", db, "track", "--once", "--carrier", "Test DHL"); code != 0 || !strings.Contains(out, "checked 1, changed 1, errors 0") {
		t.Fatalf("track: %d %q %q", code, out, errs)
	}
	out, _, _ = runCLI(t, "--db", db, "shipments", "list", "--format", "json", "--carrier", "Test DHL")
	var list []cli.ShipmentJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 {
		t.Fatalf("shipments list: %v %s", err, out)
	}
	s := list[0]
	if s.TrackingNumber != good || s.Carrier != "Test DHL" || s.OrderNumber != number || s.Milestone != "delivered" || s.LastEventAt != lastScan.Format(time.RFC3339) {
		t.Errorf("shipment %+v", s)
	}
	if out, _, _ := runCLI(t, "--db", db, "shipments", "list", "--status", "exceptions"); strings.Contains(out, good) {
		t.Errorf("a delivered parcel in the exceptions queue: %s", out)
	}
	if _, errs, code := runCLI(t, "--db", db, "carriers", "test", "--name", "test dhl"); code != 0 {
		t.Errorf("carriers test: %q", errs)
	}
}

func TestSandboxCarriersTrackTheDemoParcels(t *testing.T) {
	t.Parallel()
	clk := domaintest.NewClock()
	a := openAt(t, demoDBOf(t, 600), clk.Now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	accts, err := a.Tracking.TrySandboxCarriers(ctx, 300*time.Millisecond)
	if err != nil || len(accts) != 3 {
		t.Fatalf("sandbox: %v %+v", err, accts)
	}
	if used, _ := a.Tracking.UsesSandbox(ctx); !used {
		t.Error("UsesSandbox")
	}
	all, _ := a.Tracking.CountShipments(ctx, domain.ShipmentFilter{})
	delivered, _ := a.Tracking.CountShipments(ctx, domain.ShipmentFilter{Milestone: domain.MilestoneDelivered})
	open := all - delivered
	if open < 10 {
		t.Fatalf("only %d demo parcels on their way", open)
	}
	res, err := a.Tracking.Poll(ctx, domain.DueFilter{All: true}, nil)
	if err != nil || res.Checked != open || res.Errors != 0 || res.Skipped != 0 {
		t.Fatalf("first poll of %d: %+v %v", open, res, err)
	}
	counts, _ := a.Tracking.MilestoneCounts(ctx)
	if counts[domain.MilestoneInTransit]+counts[domain.MilestonePickedUp]+counts[domain.MilestoneLabelCreated] == 0 {
		t.Errorf("nothing on its way after the first poll: %v", counts)
	}
	// The journeys move: five steps later (by the App's clock, which the
	// sandbox carriers read) more parcels are delivered.
	clk.Add(1500 * time.Millisecond)
	if _, err := a.Tracking.Poll(ctx, domain.DueFilter{All: true}, nil); err != nil {
		t.Fatal(err)
	}
	after, _ := a.Tracking.MilestoneCounts(ctx)
	if after[domain.MilestoneDelivered] <= counts[domain.MilestoneDelivered] {
		t.Errorf("delivered %d → %d", counts[domain.MilestoneDelivered], after[domain.MilestoneDelivered])
	}
	// A second start reuses the accounts.
	again, err := a.Tracking.TrySandboxCarriers(ctx, time.Minute)
	list, _ := a.Tracking.CarrierAccounts(ctx)
	if err != nil || len(list) != 3 || again[0].ID != accts[0].ID {
		t.Errorf("second start: %v, %d accounts", err, len(list))
	}
}
