package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

// The scale benchmarks (issue 16) run the same reads, intake and planning
// on the same data set on SQLite and on PostgreSQL, side by side:
//
//	make bench BENCH=BenchmarkScale
//
// The data set is the demo with PORTOLAN_BENCH_ORDERS orders (default
// 1,000,000), made once into a SQLite file — kept in PORTOLAN_BENCH_DIR when
// it is set, so that later runs reuse it — and copied onto the test server
// with db copy — or, with PORTOLAN_BENCH_PG, the copy made before on the
// server PORTOLAN_TEST_PG names.
const envBenchOrders, envBenchDir, envBenchPG = "PORTOLAN_BENCH_ORDERS", "PORTOLAN_BENCH_DIR", "PORTOLAN_BENCH_PG"

var (
	scaleOnce              sync.Once
	scaleFile, scalePG     string
	scaleErr               error
	scaleOrders            = 1_000_000
	scaleSearches          = []struct{ name, text string }{{"latin name", "Müller"}, {"japanese 2 chars", "山田"}, {"email", "yamada.taro4"}, {"order number", "BC-154321"}, {"sku", "PRT-10042"}, {"2 chars latin", "ox"}, {"one letter", "m"}}
	scaleIntake, scaleOpen = 20_000, 100_000
)

// scaleData makes (or finds) the data set: its file and its copy on the server.
func scaleData(b *testing.B) (file, server string) {
	scaleOnce.Do(func() {
		if v := os.Getenv(envBenchOrders); v != "" {
			if scaleOrders, scaleErr = strconv.Atoi(v); scaleErr != nil {
				return
			}
		}
		dir := os.Getenv(envBenchDir)
		if dir == "" {
			if dir, scaleErr = os.MkdirTemp("", "portolan-scale-"); scaleErr != nil {
				return
			}
			benchCleanups = append(benchCleanups, func() { os.RemoveAll(dir) })
		}
		scaleFile = filepath.Join(dir, fmt.Sprintf("demo-%d.db", scaleOrders))
		if _, err := os.Stat(scaleFile); err != nil {
			start := time.Now()
			a, err := app.Open(scaleFile, app.Options{Now: testClock.Now})
			if err != nil {
				scaleErr = err
				return
			}
			scaleErr = a.Demo.Load(context.Background(), app.DemoOptions{Orders: scaleOrders}, nil)
			a.Close()
			if scaleErr != nil {
				os.Remove(scaleFile)
				return
			}
			b.Logf("the demo with %d orders made in %s", scaleOrders, time.Since(start).Round(time.Second))
		}
		if scalePG = os.Getenv(envBenchPG); scalePG != "" {
			return // copied before, on the test server
		}
		scalePG = pgtest.Fixture(b)
		start := time.Now()
		_, scaleErr = app.CopyDatabase(context.Background(), scaleFile, scalePG, app.Options{Now: testClock.Now}, nil)
		b.Logf("copied onto the test server in %s", time.Since(start).Round(time.Second))
	})
	if scaleErr != nil {
		b.Fatal(scaleErr)
	}
	return scaleFile, scalePG
}

// benchCleanups run when the package's tests end (TestMain).
var benchCleanups []func()

// scaleCopy is a writable copy of the data set in store.
func scaleCopy(b *testing.B, store string) string {
	file, server := scaleData(b)
	if store == "postgres" {
		return pgtest.CopyDatabase(b, server)
	}
	dst := filepath.Join(b.TempDir(), "copy.db")
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(file+suffix, dst+suffix); err != nil && !(suffix != "" && os.IsNotExist(err)) {
			b.Fatal(err)
		}
	}
	return dst
}

var scaleStores = []string{"sqlite", "postgres"}

func scaleAt(b *testing.B, store string) string {
	file, server := scaleData(b)
	if store == "postgres" {
		return server
	}
	return file
}

// BenchmarkScaleOrdersScreen: the Orders screen's count and first page,
// unfiltered, by status and for every search of the benchmark set.
func BenchmarkScaleOrdersScreen(b *testing.B) {
	for _, store := range scaleStores {
		b.Run(store, func(b *testing.B) {
			a, err := app.Open(scaleAt(b, store), app.Options{Now: testClock.Now})
			if err != nil {
				b.Fatal(err)
			}
			defer a.Close()
			b.Run("count+page", func(b *testing.B) {
				for b.Loop() {
					orderScreenQuery(b, a, domain.OrderFilter{})
				}
			})
			b.Run("status exception", func(b *testing.B) {
				for b.Loop() {
					orderScreenQuery(b, a, domain.OrderFilter{Status: domain.StatusException})
				}
			})
			for _, q := range scaleSearches {
				b.Run("search "+q.name, func(b *testing.B) {
					for b.Loop() {
						orderScreenQuery(b, a, domain.OrderFilter{Search: q.text})
					}
				})
			}
		})
	}
}

// BenchmarkScaleIntake: a sync of 20,000 new orders over HTTP (a
// WooCommerce-shaped store on loopback, 100 a page) into the data set, and
// a bare insert of the same orders (no HTTP, decoding, lookups or
// fingerprints) to compare with.
func BenchmarkScaleIntake(b *testing.B) {
	orders := app.SandboxOrders(scaleIntake, 42, testClock.Now())
	for _, store := range scaleStores {
		fresh := func(b *testing.B) string { return scaleCopy(b, store) }
		b.Run(store+"/sync", func(b *testing.B) { benchSync(b, fresh, orders) })
		b.Run(store+"/bare insert", func(b *testing.B) { benchBareInsert(b, fresh, orders) })
	}
}

// BenchmarkScalePlan100kOpen: the allocation plan (read the open orders and
// the stock, plan) with 100,000 more open orders in the data set.
func BenchmarkScalePlan100kOpen(b *testing.B) {
	open := app.SandboxOrders(scaleOpen, 7, testClock.Now())
	for i := range open {
		open[i].Status = "processing" // waiting to be shipped: new
	}
	for _, store := range scaleStores {
		b.Run(store, func(b *testing.B) {
			a, err := app.Open(scaleCopy(b, store), app.Options{Now: testClock.Now})
			if err != nil {
				b.Fatal(err)
			}
			defer a.Close()
			if err := a.BulkInsertOrders(context.Background(), "Open", open); err != nil {
				b.Fatal(err)
			}
			var plan domain.Plan
			for b.Loop() {
				if plan, err = a.Allocation.Plan(context.Background(), domain.OrderFilter{}, nil); err != nil {
					b.Fatal(err)
				}
			}
			if plan.Totals.Orders < scaleOpen {
				b.Fatalf("planned %d orders, want %d or more", plan.Totals.Orders, scaleOpen)
			}
			b.ReportMetric(float64(plan.Totals.Orders), "orders")
		})
	}
}
