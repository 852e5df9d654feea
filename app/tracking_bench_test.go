package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
)

// fastFedEx answers the FedEx Track API with no rate limit: each number in
// transit with two scans.
func fastFedEx(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			w.Write([]byte(`{"access_token":"t","token_type":"bearer","expires_in":3599}`))
			return
		}
		var req struct {
			TrackingInfo []struct {
				TrackingNumberInfo struct{ TrackingNumber string } `json:"trackingNumberInfo"`
			} `json:"trackingInfo"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var parts []string
		for _, ti := range req.TrackingInfo {
			n := ti.TrackingNumberInfo.TrackingNumber
			parts = append(parts, fmt.Sprintf(`{"trackingNumber":%q,"trackResults":[{"trackingNumberInfo":{"trackingNumber":%q},
				"latestStatusDetail":{"code":"IT","derivedCode":"IT","description":"In transit"},
				"estimatedDeliveryTimeWindow":{"window":{"ends":"2099-12-01T20:00:00Z"}},
				"scanEvents":[{"date":"2026-11-26T10:00:00Z","eventType":"AR","eventDescription":"At local FedEx facility","scanLocation":{"city":"MEMPHIS","countryCode":"US"}},
				{"date":"2026-11-25T10:00:00Z","eventType":"PU","eventDescription":"Picked up","scanLocation":{"city":"NEWARK","countryCode":"US"}}]}]}`, n, n))
		}
		fmt.Fprintf(w, `{"transactionId":"bench","output":{"completeTrackResults":[%s]}}`, strings.Join(parts, ","))
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkPollCycle50000 polls 50,000 parcels (FedEx, 30 numbers a
// request) against a local fake with no rate limit: the poller's own cost
// (HTTP, decoding, deduplicated events, schedule, orders following).
func BenchmarkPollCycle50000(b *testing.B) {
	const parcels = 50_000
	a := openAt(b, filepath.Join(b.TempDir(), "poll.db"), testClock.Now)
	ctx := context.Background()
	if err := a.Demo.Load(ctx, app.DemoOptions{Orders: 2000}, nil); err != nil {
		b.Fatal(err)
	}
	page, _ := a.Orders.OrderSummaries(ctx, domain.OrderFilter{}, 0, 2000)
	srv := fastFedEx(b)
	acct := domain.CarrierAccount{Kind: domain.CarrierFedEx, Name: "Bench FedEx", BaseURL: srv.URL, ClientID: "a", ClientSecret: "b",
		PerSecond: 1e6, PerDay: 1e9}
	if err := a.Tracking.SaveCarrierAccount(ctx, &acct); err != nil {
		b.Fatal(err)
	}
	ships := make([]domain.Shipment, parcels)
	now := time.Now()
	for i := range ships {
		ships[i] = domain.Shipment{OrderID: page[i%len(page)].ID, Carrier: "Bench FedEx", Tracking: domain.MakeTrackingNumber(domain.CarrierFedEx, int64(i)),
			Destination: "US", ShippedAt: now.Add(-24 * time.Hour), NextPollAt: now.Add(-time.Minute)}
	}
	if err := a.BulkShipments(ctx, ships); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var res domain.PollResult
	for b.Loop() {
		var err error
		res, err = a.Tracking.Poll(ctx, domain.DueFilter{All: true, Carrier: "Bench FedEx"}, nil)
		if err != nil || res.Checked != parcels || res.Errors != 0 {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.ReportMetric(float64(parcels)*float64(b.N)/b.Elapsed().Seconds(), "parcels/s")
	b.ReportMetric(float64(res.Requests), "requests")
}

var queueOnce sync.Once

// BenchmarkExceptionsQueueFirstPage reads the exceptions queue's first
// page and its count from 200,000 parcels (the 200,000-order demo's, topped
// up to 200,000): what the Shipments screen shows first.
func BenchmarkExceptionsQueueFirstPage(b *testing.B) {
	a := openBig(b)
	ctx := context.Background()
	queueOnce.Do(func() {
		n, err := a.Tracking.CountShipments(ctx, domain.ShipmentFilter{})
		if err != nil {
			b.Fatal(err)
		}
		page, _ := a.Orders.OrderSummaries(ctx, domain.OrderFilter{}, 0, 1000)
		var more []domain.Shipment
		now := time.Now()
		for i := n; i < 200_000; i++ {
			m := []domain.Milestone{domain.MilestoneInTransit, domain.MilestoneDelivered, domain.MilestoneException, domain.MilestoneCustomsHold}[i%4]
			s := domain.Shipment{OrderID: page[i%len(page)].ID, Carrier: "DHL", Tracking: domain.MakeTrackingNumber(domain.CarrierDHL, int64(500000+i)),
				Destination: "DE", ShippedAt: now.Add(-time.Duration(i%20) * 24 * time.Hour), Milestone: m, LastEventAt: now.Add(-time.Duration(i%9) * 24 * time.Hour)}
			if m == domain.MilestoneDelivered {
				s.DeliveredAt = s.LastEventAt
			}
			more = append(more, s)
		}
		if err := a.BulkShipments(ctx, more); err != nil {
			b.Fatal(err)
		}
	})
	if n, _ := a.Tracking.CountShipments(ctx, domain.ShipmentFilter{}); n < 200_000 {
		b.Fatalf("%d parcels", n)
	}
	b.ResetTimer()
	for b.Loop() {
		rows, err := a.Tracking.Shipments(ctx, domain.ShipmentFilter{Exceptions: true}, 0, 200)
		if err != nil || len(rows) != 200 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
		if _, err := a.Tracking.CountShipments(ctx, domain.ShipmentFilter{Exceptions: true}); err != nil {
			b.Fatal(err)
		}
	}
}
