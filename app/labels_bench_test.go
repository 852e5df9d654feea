package app_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sandbox"
)

// apiDelay is how long each of the benchmark's carrier accounts takes to
// answer a request, as a carrier API on the internet does.
const apiDelay = 150 * time.Millisecond

// labelBench is 200 packed parcels of the demo (with 400 more orders) and
// three EasyPost accounts, each a sandbox behind apiDelay — or, with
// express, the sandbox's DHL Express (its labels PDFs) behind apiDelay.
func labelBench(b *testing.B, express ...bool) (*app.App, []int64) {
	b.Helper()
	ctx := context.Background()
	a, err := app.Open(filepath.Join(b.TempDir(), "labels.db"), app.Options{Now: testClock.Now})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	if err := a.Demo.Load(ctx, app.DemoOptions{Orders: 300}, nil); err != nil {
		b.Fatal(err)
	}
	if err := a.BulkInsertOrders(ctx, "Bench", app.SandboxOrders(400, 11, testClock.Now())); err != nil {
		b.Fatal(err)
	}
	parcels := packedWave(b, a, 200)
	if len(parcels) < 200 {
		b.Fatalf("%d parcels packed", len(parcels))
	}
	if len(express) > 0 && express[0] {
		shop := sandbox.NewCarriers(time.Hour, testClock.Now)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(apiDelay)
			shop.ServeHTTP(w, r)
		}))
		b.Cleanup(srv.Close)
		for _, acct := range app.SandboxCarrierAccounts(srv.URL) {
			if acct.Kind == domain.CarrierDHLExpress {
				acct.PerSecond = 50
				if err := a.Tracking.SaveCarrierAccount(ctx, &acct); err != nil {
					b.Fatal(err)
				}
			}
		}
		return a, parcels[:200]
	}
	for i := range 3 {
		shop := sandbox.NewCarriers(time.Hour, testClock.Now)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(apiDelay)
			shop.ServeHTTP(w, r)
		}))
		b.Cleanup(srv.Close)
		acct := domain.CarrierAccount{Kind: domain.CarrierEasyPost, Name: fmt.Sprintf("EasyPost %d", i+1), BaseURL: srv.URL + "/easypost",
			Key: sandbox.EasyPostKey, PerSecond: 50, PerDay: 100000}
		if err := a.Tracking.SaveCarrierAccount(ctx, &acct); err != nil {
			b.Fatal(err)
		}
	}
	return a, parcels[:200]
}

// BenchmarkRates200Parcels3Accounts: the rates of 200 parcels from three
// accounts, each answering in apiDelay (issue 17).
func BenchmarkRates200Parcels3Accounts(b *testing.B) {
	a, parcels := labelBench(b)
	for b.Loop() {
		rates, err := a.Labels.Rates(context.Background(), parcels)
		if err != nil {
			b.Fatal(err)
		}
		quotes := 0
		for _, r := range rates {
			quotes += len(r.Quotes)
		}
		if quotes != 200*3*3 {
			b.Fatalf("%d quotes", quotes)
		}
	}
}

// BenchmarkPrintJob200CarrierLabels: one print job (label, customs papers,
// packing slip each) of 200 parcels whose carrier labels were bought.
func BenchmarkPrintJob200CarrierLabels(b *testing.B) {
	a, parcels := labelBench(b)
	start := time.Now()
	run, err := a.Labels.Buy(context.Background(), parcels, domain.LabelChoice{}, nil)
	b.Logf("200 labels bought (quote, buy and fetch each, %d at a time, every request %s) in %s", app.ParcelsBoughtAtOnce, apiDelay,
		time.Since(start).Round(100*time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range run {
		if r.State != domain.PurchaseBought {
			b.Fatalf("parcel %d: %+v", r.ParcelID, r)
		}
	}
	benchPrintJob(b, a, parcels)
}

// BenchmarkPrintJob200DHLExpressPDFLabels: one print job of 200 parcels
// whose DHL Express labels came as PDFs, each page placed into the job
// (gofpdi) — the other half of issue 17's print job of 200 carrier labels.
func BenchmarkPrintJob200DHLExpressPDFLabels(b *testing.B) {
	a, parcels := labelBench(b, true)
	start := time.Now()
	run, err := a.Labels.Buy(context.Background(), parcels, domain.LabelChoice{Carrier: "DHL Express", Service: "Express Worldwide"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("200 DHL Express labels bought (quote and buy each, %d at a time, every request %s) in %s", app.ParcelsBoughtAtOnce, apiDelay,
		time.Since(start).Round(100*time.Millisecond))
	for _, r := range run {
		if r.State != domain.PurchaseBought || r.Label.Format != "PDF" {
			b.Fatalf("parcel %d: %+v", r.ParcelID, r.State)
		}
	}
	benchPrintJob(b, a, parcels)
}

// benchPrintJob times the print job of the parcels' labels on 4×6 stock,
// and reports its size.
func benchPrintJob(b *testing.B, a *app.App, parcels []int64) {
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if _, err := a.Inventory.Documents(context.Background(), 0, parcels, "4x6", &buf); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/(1<<20), "MB")
}
