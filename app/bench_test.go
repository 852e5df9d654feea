package app_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
)

const benchOrders = 200_000

var (
	benchOnce sync.Once
	benchDir  string
	benchPath string
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// bigDB is a demo database with 200,000 orders, made once per benchmark run.
func bigDB(b *testing.B) string {
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "portolan-bench-")
		if benchErr != nil {
			return
		}
		benchPath = filepath.Join(benchDir, "200k.db")
		a, err := app.Open(benchPath)
		if err != nil {
			benchErr = err
			return
		}
		defer a.Close()
		benchErr = a.Demo.Load(context.Background(), app.DemoOptions{Orders: benchOrders}, nil)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

func openBig(b *testing.B) *app.App {
	a, err := app.Open(bigDB(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	return a
}

// BenchmarkDemoGenerate200k writes the whole demo data set with 200,000 orders.
func BenchmarkDemoGenerate200k(b *testing.B) {
	for b.Loop() {
		a, err := app.Open(filepath.Join(b.TempDir(), "demo.db"))
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Demo.Load(context.Background(), app.DemoOptions{Orders: benchOrders}, nil); err != nil {
			b.Fatal(err)
		}
		a.Close()
	}
}

// BenchmarkOpenDatabase opens (and checks the schema of) the 200,000-order database.
func BenchmarkOpenDatabase(b *testing.B) {
	path := bigDB(b)
	for b.Loop() {
		a, err := app.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		a.Close()
	}
}

// orderScreenQuery is what the Orders screen runs for a filter: the count
// for the label and the first page of rows.
func orderScreenQuery(b *testing.B, a *app.App, f domain.OrderFilter) {
	ctx := context.Background()
	if _, err := a.Orders.Count(ctx, f); err != nil {
		b.Fatal(err)
	}
	if _, err := a.Orders.Page(ctx, f, 0, 200); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkOrdersFirstPage200k(b *testing.B) {
	a := openBig(b)
	b.Run("count+page", func(b *testing.B) {
		for b.Loop() {
			orderScreenQuery(b, a, domain.OrderFilter{})
		}
	})
	b.Run("page only", func(b *testing.B) {
		for b.Loop() {
			if _, err := a.Orders.Page(context.Background(), domain.OrderFilter{}, 0, 200); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("last page", func(b *testing.B) {
		for b.Loop() {
			if _, err := a.Orders.Page(context.Background(), domain.OrderFilter{}, benchOrders-200, 200); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("status filter", func(b *testing.B) {
		for b.Loop() {
			orderScreenQuery(b, a, domain.OrderFilter{Status: domain.StatusException})
		}
	})
}

func BenchmarkOrdersSearch200k(b *testing.B) {
	a := openBig(b)
	for _, q := range []struct{ name, text string }{
		{"latin name", "Müller"},
		{"japanese 2 chars", "山田"},
		{"email", "yamada.taro4"},
		{"order number", "BC-154321"},
		{"sku", "PRT-10042"},
		{"2 chars latin", "ox"},
		{"one letter", "m"},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				orderScreenQuery(b, a, domain.OrderFilter{Search: q.text})
			}
		})
	}
}
