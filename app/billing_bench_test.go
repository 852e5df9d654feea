package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
)

var (
	billOnce sync.Once
	billPath string
	billErr  error
)

// billingDB has 50 clients, each with a channel of 4,000 orders shipped in
// November 2026 (200,000 orders, one parcel each) and a rate card.
func billingDB(b *testing.B) string {
	billOnce.Do(func() {
		dir, err := os.MkdirTemp("", "portolan-billing-")
		if err != nil {
			billErr = err
			return
		}
		billPath = filepath.Join(dir, "billing.db")
		a, err := app.Open(billPath)
		if err != nil {
			billErr = err
			return
		}
		defer a.Close()
		ctx := context.Background()
		if billErr = a.Demo.Load(ctx, app.DemoOptions{Orders: 1}, nil); billErr != nil {
			return
		}
		for c := range 50 {
			name := fmt.Sprintf("Client %02d", c)
			if billErr = a.BulkInsertOrders(ctx, name, app.SandboxOrders(4000, uint64(c+1))); billErr != nil {
				return
			}
		}
		chans, err := a.Intake.Channels(ctx)
		if err != nil {
			billErr = err
			return
		}
		day := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		n := 0
		for _, ch := range chans {
			if ch.Kind != domain.ChannelManual {
				continue
			}
			cl := domain.Client{Code: fmt.Sprintf("C%03d", ch.ID), Name: ch.Name + " GmbH", Currency: "EUR", TaxBP: 2100, PaymentDays: 30, Channels: []int64{ch.ID}}
			if billErr = a.Billing.SaveClient(ctx, &cl); billErr != nil {
				return
			}
			card := domain.RateCard{ClientID: cl.ID, EffectiveFrom: day.AddDate(0, -6, 0), Currency: "EUR", PerOrder: 150, PerUnit: 15, PerParcel: 40, MarkupBP: 1200}
			if billErr = a.Billing.SaveRateCard(ctx, &card); billErr != nil {
				return
			}
			page, err := a.Orders.Page(ctx, domain.OrderFilter{ChannelID: ch.ID}, 0, 5000)
			if err != nil {
				billErr = err
				return
			}
			ships := make([]domain.Shipment, len(page))
			for i, o := range page {
				ships[i] = domain.Shipment{OrderID: o.ID, Carrier: "DHL", Tracking: domain.MakeTrackingNumber(domain.CarrierDHL, int64(5_000_000+n)), Destination: o.Country,
					ShippedAt: day.Add(time.Duration(n%(29*24)) * time.Hour), Milestone: domain.MilestoneDelivered}
				n++
			}
			if billErr = a.BulkShipments(ctx, ships); billErr != nil {
				return
			}
		}
		_, _, billErr = a.Billing.Generate(ctx, "2026-11", 0) // accrue once
	})
	if billErr != nil {
		b.Fatal(billErr)
	}
	return billPath
}

// BenchmarkGenerateMonth50Clients200k drafts a month's invoices for 50
// clients from 200,000 shipped orders, their charges accrued as they
// shipped (the drafts are discarded between runs, outside the timing).
func BenchmarkGenerateMonth50Clients200k(b *testing.B) {
	a, err := app.Open(billingDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		if err := a.Billing.DiscardDrafts(ctx, "2026-11"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		invs, problems, err := a.Billing.Generate(ctx, "2026-11", 0)
		if err != nil || len(invs) != 50 || len(problems) != 0 {
			b.Fatalf("%d invoices, %v, %v", len(invs), problems, err)
		}
	}
}

// BenchmarkRegenerateMonth50Clients200k runs generate again on the same
// month with nothing new: the drafts are checked and kept.
func BenchmarkRegenerateMonth50Clients200k(b *testing.B) {
	a, err := app.Open(billingDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	if _, _, err := a.Billing.Generate(ctx, "2026-11", 0); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		invs, _, err := a.Billing.Generate(ctx, "2026-11", 0)
		if err != nil || len(invs) != 50 {
			b.Fatalf("%d invoices, %v", len(invs), err)
		}
	}
}
