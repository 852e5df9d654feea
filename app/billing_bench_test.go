package app_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
)

var (
	billMu  sync.Mutex
	billDBs = map[int]string{}
)

// billingDB has 50 clients, each with a channel of 4,000 orders shipped in
// November 2026 (200,000 orders, one parcel each) and a rate card.
func billingDB(b *testing.B) string { return billingDBOf(b, 4000) }

// billingDBOf has 50 clients with perClient orders each, shipped in
// November 2026 and charged (order, units, parcel, shipping: four charges
// an order) under their rate cards.
func billingDBOf(b *testing.B, perClient int) string {
	billMu.Lock()
	defer billMu.Unlock()
	if p, ok := billDBs[perClient]; ok {
		return p
	}
	p, err := makeBillingDB(perClient)
	if err != nil {
		b.Fatal(err)
	}
	billDBs[perClient] = p
	return p
}

func makeBillingDB(perClient int) (billPath string, billErr error) {
	dir, err := os.MkdirTemp("", "portolan-billing-")
	if err != nil {
		return "", err
	}
	billPath = filepath.Join(dir, "billing.db")
	a, err := app.Open(billPath, app.Options{Now: testClock.Now})
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
		if billErr = a.BulkInsertOrders(ctx, name, app.SandboxOrders(perClient, uint64(c+1), testClock.Now())); billErr != nil {
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
		page, err := a.Orders.OrderSummaries(ctx, domain.OrderFilter{ChannelID: ch.ID}, 0, perClient+1000)
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
	return billPath, billErr
}

// BenchmarkGenerateMonth50Clients200k drafts a month's invoices for 50
// clients from 200,000 shipped orders, their charges accrued as they
// shipped (the drafts are discarded between runs, outside the timing).
func BenchmarkGenerateMonth50Clients200k(b *testing.B) {
	a := openAt(b, billingDB(b), testClock.Now)
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
	a := openAt(b, billingDB(b), testClock.Now)
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

// BenchmarkExportMonth200kLines exports November's workbook from the
// database: 50 clients, 50,000 orders, 200,000 charge lines read from
// SQLite and written with the sheets, formats and formulas finance gets.
func BenchmarkExportMonth200kLines(b *testing.B) {
	a := openAt(b, billingDBOf(b, 1000), testClock.Now)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		lines := 0
		if err := a.Billing.ExportWorkbook(ctx, "Portolan", "2026-11", io.Discard, func(n int) { lines = n }); err != nil {
			b.Fatal(err)
		}
		if lines < 200_000 {
			b.Fatalf("%d lines exported", lines)
		}
		b.ReportMetric(float64(lines), "lines")
	}
}

// BenchmarkMarginsPerOrder50k works out November's margin per order — 50
// clients, 50,000 orders, each parcel on DHL's invoice for the month (so
// every shipment looks up what the carrier charged by tracking number).
func BenchmarkMarginsPerOrder50k(b *testing.B) {
	a := openAt(b, billingDBOf(b, 1000), testClock.Now)
	ctx := context.Background()
	lines, err := a.Billing.CarrierLines(ctx, "2026-11")
	if err != nil {
		b.Fatal(err)
	}
	if len(lines) == 0 { // once per database: DHL's invoice for every parcel of the month
		ships, err := a.Tracking.Shipments(ctx, domain.ShipmentFilter{Carrier: "DHL"}, 0, 100_000)
		if err != nil {
			b.Fatal(err)
		}
		var sb strings.Builder
		sb.WriteString("AWB,Currency,Total charge\n")
		for _, s := range ships {
			fmt.Fprintf(&sb, "%s,EUR,%d.%02d\n", s.Tracking, 5+s.ID%20, s.ID%100)
		}
		path := filepath.Join(b.TempDir(), "dhl-2026-11.csv")
		if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		if _, err := a.Billing.ImportCarrierInvoice(ctx, path, "DHL", "2026-11"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		rows, err := a.Billing.Margins(ctx, "2026-11", "order", "EUR")
		if err != nil || len(rows) < 50_000 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
}

// BenchmarkRecomputeMonth50k prices November again (Price the month
// again… / invoices recompute): 50,000 orders, their 200,000 charges
// dropped and worked out anew, the shipments marked for it.
func BenchmarkRecomputeMonth50k(b *testing.B) {
	a := openAt(b, billingDBOf(b, 1000), testClock.Now)
	ctx := context.Background()
	for b.Loop() {
		n, problems, err := a.Billing.Recompute(ctx, "2026-11")
		if err != nil || n < 200_000 || len(problems) != 0 {
			b.Fatalf("%d charges, %v, %v", n, problems, err)
		}
	}
}
