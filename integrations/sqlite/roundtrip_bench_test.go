package sqlite_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sqlite"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

// A warehouse on another continent: every packet to the server and back
// waits oneWay, as a ~150 ms round trip does.
const oneWay = 75 * time.Millisecond

// slowLink is a TCP proxy on loopback to the test server that delays every
// chunk of bytes by wait in each direction, keeping their order.
func slowLink(tb testing.TB, dsn string, wait time.Duration) string {
	tb.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	network, addr := "tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	if strings.HasPrefix(cfg.Host, "/") {
		network, addr = "unix", filepath.Join(cfg.Host, fmt.Sprintf(".s.PGSQL.%d", cfg.Port))
	}
	l := &link{network: network, addr: addr, wait: wait}
	return l.start(tb, cfg)
}

// link is a proxy to the test server that can be cut (every connection
// dropped, new ones refused) and mended, as a network fails and recovers.
type link struct {
	network, addr string
	wait          time.Duration
	mu            sync.Mutex
	cut           bool
	open          []net.Conn
}

func (l *link) start(tb testing.TB, cfg *pgx.ConnConfig) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			l.mu.Lock()
			if l.cut {
				l.mu.Unlock()
				client.Close()
				continue
			}
			server, err := net.Dial(l.network, l.addr)
			if err != nil {
				l.mu.Unlock()
				client.Close()
				continue
			}
			l.open = append(l.open, client, server)
			l.mu.Unlock()
			go delay(server, client, l.wait)
			go delay(client, server, l.wait)
		}
	}()
	u := url.URL{Scheme: "postgres", User: url.User(cfg.User), Host: ln.Addr().String(), Path: "/" + cfg.Database, RawQuery: "sslmode=disable"}
	return u.String()
}

// Cut drops every connection and refuses new ones until Mend.
func (l *link) Cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cut = true
	for _, c := range l.open {
		c.Close()
	}
	l.open = nil
}

// Mend lets connections through again.
func (l *link) Mend() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cut = false
}

// cuttableLink is a proxy without delay that the test can cut and mend.
func cuttableLink(tb testing.TB, dsn string) (string, *link) {
	tb.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	l := &link{network: "unix", addr: filepath.Join(cfg.Host, fmt.Sprintf(".s.PGSQL.%d", cfg.Port))}
	if !strings.HasPrefix(cfg.Host, "/") {
		l.network, l.addr = "tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	}
	return l.start(tb, cfg), l
}

// delay copies from src to dst, each chunk wait after it was read.
func delay(dst io.WriteCloser, src io.ReadCloser, wait time.Duration) {
	type chunk struct {
		at   time.Time
		data []byte
	}
	q := make(chan chunk, 1024)
	go func() {
		defer close(q)
		for {
			buf := make([]byte, 64<<10)
			n, err := src.Read(buf)
			if n > 0 {
				q <- chunk{time.Now().Add(wait), buf[:n]}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range q {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.data); err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
}

// farAway is a database on the test server, set up by setup through a
// direct connection, then opened again through a link that delays each
// direction by wait.
func farAway(b *testing.B, wait time.Duration, setup func(db *sqlite.DB)) *sqlite.DB {
	b.Helper()
	dsn := pgtest.NewDatabase(b)
	near, err := sqlite.OpenPostgres(context.Background(), dsn, clock)
	if err != nil {
		b.Fatal(err)
	}
	setup(near)
	near.Close()
	far, err := sqlite.OpenPostgres(context.Background(), slowLink(b, dsn, wait), clock)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { far.Close() })
	return far
}

// report adds what trips round trips cost at a 150 ms round trip.
func report(b *testing.B, trips int64) {
	b.ReportMetric(float64(trips), "round-trips")
	b.ReportMetric(float64(trips)*float64(2*oneWay)/float64(time.Second), "s-at-150ms")
}

// measure runs op once per iteration and reports its round trips.
func measure(b *testing.B, db *sqlite.DB, op func() error) {
	b.Helper()
	var trips int64
	for b.Loop() {
		before := db.RoundTrips()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		trips = db.RoundTrips() - before
	}
	report(b, trips)
}

// warehouseWithOrders is a warehouse with stock and n open one-line orders.
func warehouseWithOrders(b testing.TB, db *sqlite.DB, n int) {
	ctx := context.Background()
	ch := domain.Channel{Code: "WEB", Name: "Web", Kind: domain.ChannelManual}
	wh := domain.Warehouse{Code: "AU-SYD", Name: "Sydney", TimeZone: "Australia/Sydney", Address: domain.Address{Name: "Portolan Pty", Line1: "1 Dock Rd", City: "Sydney", Country: "AU"}}
	if err := db.CatalogStore().CreateChannel(ctx, &ch); err != nil {
		b.Fatal(err)
	}
	if err := db.CatalogStore().CreateWarehouse(ctx, &wh); err != nil {
		b.Fatal(err)
	}
	if err := db.Bulk(ctx, func(w domain.BulkWriter) error {
		for i := range 20 {
			p := domain.Product{SKU: fmt.Sprintf("SKU-%02d", i), Name: "Part", Weight: 200}
			if err := w.AddProduct(&p); err != nil {
				return err
			}
			loc := domain.Location{WarehouseID: wh.ID, Code: fmt.Sprintf("A-%02d", i), Zone: "A", PickSequence: i}
			if err := w.AddLocation(&loc); err != nil {
				return err
			}
			if err := w.AddStock(p.ID, loc.ID, "", "", domain.Quantity(n)); err != nil {
				return err
			}
		}
		for i := range n {
			o := &domain.Order{ChannelID: ch.ID, ExternalID: fmt.Sprint(i), Number: fmt.Sprintf("AU-%05d", i), PlacedAt: placedAt.Add(time.Duration(i) * time.Second),
				Currency: "AUD", Total: domain.NewMoney(1000, "AUD"), Status: domain.StatusNew, CustomerEmail: "c@example.com",
				ShipTo: domain.Address{Name: "Ana Lima", Line1: "1 George St", City: "Sydney", Country: "AU"},
				Lines:  []domain.OrderLine{{SKU: fmt.Sprintf("SKU-%02d", i%20), Name: "Part", Quantity: 1, UnitPrice: domain.NewMoney(1000, "AUD")}}}
			if err := w.AddOrder(o); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
}

func planAll(b testing.TB, db *sqlite.DB) domain.Plan {
	plan, _ := planOpenOrders(b, db, "AU")
	return plan
}

// BenchmarkFarAwayOrdersFirstPage: the Orders screen's first page and count.
func BenchmarkFarAwayOrdersFirstPage(b *testing.B) {
	db := farAway(b, oneWay, func(db *sqlite.DB) { warehouseWithOrders(b, db, 1000) })
	measure(b, db, func() error {
		if _, err := db.OrderStore().OrderSummaries(context.Background(), domain.OrderFilter{}, 0, 50); err != nil {
			return err
		}
		_, err := db.OrderStore().CountOrders(context.Background(), domain.OrderFilter{})
		return err
	})
}

// BenchmarkFarAwayAllocationCommit1000: committing a plan of 1,000 orders,
// counted on a link without delay (s-at-150ms is what it would take far away).
func BenchmarkFarAwayAllocationCommit1000(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		var plan domain.Plan
		db := farAway(b, 0, func(db *sqlite.DB) { warehouseWithOrders(b, db, 1000); plan = planAll(b, db) })
		before := db.RoundTrips()
		b.StartTimer()
		if _, err := db.AllocationStore().CommitPlan(ctx, plan, placedAt); err != nil {
			b.Fatal(err)
		}
		report(b, db.RoundTrips()-before)
	}
}

// BenchmarkFarAwayPickListAndDispatch100: a wave of 100 orders — its pick
// list read through the delaying link; its 100 parcels packed and
// dispatched, counted on a link without delay (s-at-150ms is what they would
// take far away).
func BenchmarkFarAwayPickListAndDispatch100(b *testing.B) {
	ctx := context.Background()
	var wave domain.Wave
	dsn := pgtest.NewDatabase(b)
	setup, err := sqlite.OpenPostgres(ctx, dsn, clock)
	if err != nil {
		b.Fatal(err)
	}
	warehouseWithOrders(b, setup, 100)
	if _, err := setup.AllocationStore().CommitPlan(ctx, planAll(b, setup), placedAt); err != nil {
		b.Fatal(err)
	}
	if wave, err = setup.LedgerStore().CreateWave(ctx, "AU-SYD", domain.WaveFilter{}); err != nil {
		b.Fatal(err)
	}
	for _, ln := range wave.Lines {
		if _, err := setup.LedgerStore().ConfirmPick(ctx, ln.ID, ln.Qty); err != nil {
			b.Fatal(err)
		}
	}
	setup.Close()
	open := func(wait time.Duration) *sqlite.DB {
		db, err := sqlite.OpenPostgres(ctx, slowLink(b, dsn, wait), clock)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		return db
	}
	far, near := open(oneWay), open(0)
	b.Run("pick list", func(b *testing.B) {
		measure(b, far, func() error { _, err := far.StockStore().Wave(ctx, wave.ID); return err })
	})
	var parcels []int64
	b.Run("pack 100", func(b *testing.B) {
		for b.Loop() {
			if len(parcels) > 0 {
				continue // an order is packed once; the first pass is the measurement
			}
			before := near.RoundTrips()
			seen := map[int64]bool{}
			for _, ln := range wave.Lines {
				if seen[ln.OrderID] {
					continue
				}
				seen[ln.OrderID] = true
				id, err := near.LedgerStore().Pack(ctx, ln.OrderID, "AU-SYD", "M", 400, nil)
				if err != nil {
					b.Fatal(err)
				}
				if err := near.LedgerStore().SetTracking(ctx, id, "DHL", domain.MakeTrackingNumber(domain.CarrierDHL, id)); err != nil {
					b.Fatal(err)
				}
				parcels = append(parcels, id)
			}
			report(b, near.RoundTrips()-before)
		}
	})
	b.Run("dispatch 100", func(b *testing.B) {
		done := false
		for b.Loop() {
			if done {
				continue // a parcel is dispatched once; the first pass is the measurement
			}
			done = true
			before := near.RoundTrips()
			if _, err := near.LedgerStore().Dispatch(ctx, parcels, "DHL", placedAt); err != nil {
				b.Fatal(err)
			}
			report(b, near.RoundTrips()-before)
		}
	})
}
