package sqlite_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sqlite"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

// watch watches db until the test ends and hands on what it hears.
func watch(tb testing.TB, db *sqlite.DB) <-chan []string {
	heard := make(chan []string, 64)
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.Watch(wctx, func(tables []string) {
			select {
			case heard <- tables:
			case <-wctx.Done():
			}
		})
	}()
	tb.Cleanup(func() { stop(); <-done })
	return heard
}

// A colleague's committed change reaches a Portolan that watches: on a
// team server naming the tables it changed, on SQLite as "something".
func TestWatchHearsOthersChanges(t *testing.T) {
	t.Parallel()
	dbs := openClients(t, 2)
	mine, theirs := dbs[0], dbs[1]
	f := newFixture(t, theirs)
	o := order(f.channel.ID, "W1", "#W1", placedAt, "Ana", "a@example.com", "NL", "EUR", "PRT-1")
	must(t, theirs.OrderStore().CreateOrder(ctx, o))

	heard := watch(t, mine)
	// Change until heard (the watcher may not be listening yet at the first change).
	deadline := time.After(20 * time.Second)
	change := time.NewTicker(300 * time.Millisecond)
	defer change.Stop()
	want := "orders"
	if !pgtest.OnPostgres() {
		want = sqlite.AnyTable
	}
	status := []domain.OrderStatus{domain.StatusOnHold, domain.StatusNew}
	for i := 0; ; {
		select {
		case tables := <-heard:
			if slices.Contains(tables, want) {
				return
			}
			t.Logf("heard %v", tables)
		case <-change.C:
			must(t, theirs.OrderStore().UpdateOrder(ctx, o.ID, func(o *domain.Order) error {
				return o.TransitionTo(status[i%2], placedAt, "checking")
			}))
			i++
		case <-deadline:
			t.Fatalf("no news of the change, want %q", want)
		}
	}
}

// After the team's server was out of reach, the watcher connects again by
// itself and says that anything may have changed meanwhile.
func TestWatchConnectsAgain(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	openPG(t, dsn) // the schema
	through, l := cuttableLink(t, dsn)
	db := openPG(t, through)
	heard := watch(t, db)
	other := openPG(t, dsn)
	f := newFixture(t, other)
	o := order(f.channel.ID, "W1", "#W1", placedAt, "Ana", "a@example.com", "NL", "EUR", "PRT-1")
	must(t, other.OrderStore().CreateOrder(ctx, o))
	// Change until heard: the link is cut only once the watcher listens
	// (cut before its first connection, there would be nothing to make again).
	listening := time.After(20 * time.Second)
	change := time.NewTicker(300 * time.Millisecond)
	defer change.Stop()
	status := []domain.OrderStatus{domain.StatusOnHold, domain.StatusNew}
	for i, heardAny := 0, false; !heardAny; {
		select {
		case <-heard:
			heardAny = true
		case <-change.C:
			must(t, other.OrderStore().UpdateOrder(ctx, o.ID, func(o *domain.Order) error {
				return o.TransitionTo(status[i%2], placedAt, "checking")
			}))
			i++
		case <-listening:
			t.Fatal("the watcher never listened")
		}
	}
	l.Cut()
	l.Mend()
	timeout := time.After(30 * time.Second) // the reconnection waits a second or more: a limit, not a speed
	for {
		select {
		case tables := <-heard:
			if slices.Contains(tables, sqlite.AnyTable) {
				return
			}
		case <-timeout:
			t.Fatal("the watcher did not connect again")
		}
	}
}

// How long a colleague's committed change takes to reach a watching
// Portolan: near the server, and across a 75 ms-each-way link.
func BenchmarkLiveNotice(b *testing.B) {
	for _, wait := range []time.Duration{0, oneWay} {
		b.Run(fmt.Sprintf("link-%s", wait), func(b *testing.B) {
			dsn := pgtest.NewDatabase(b)
			writer, err := sqlite.OpenPostgres(ctx, dsn, clock)
			if err != nil {
				b.Fatal(err)
			}
			defer writer.Close()
			watchAt := dsn
			if wait > 0 {
				watchAt = slowLink(b, dsn, wait)
			}
			watcher, err := sqlite.OpenPostgres(ctx, watchAt, clock)
			if err != nil {
				b.Fatal(err)
			}
			defer watcher.Close()
			heard := watch(b, watcher)
			ch := domain.Channel{Code: "X", Name: "X", Kind: domain.ChannelManual}
			if err := writer.CatalogStore().CreateChannel(ctx, &ch); err != nil {
				b.Fatal(err)
			}
			p := 0
		listening: // until the watcher is listening: a change heard
			for {
				p = (p + 1) % 10
				if err := writer.AllocationStore().SetChannelPriority(ctx, ch.ID, p); err != nil {
					b.Fatal(err)
				}
				select {
				case <-heard:
					break listening
				case <-time.After(time.Second):
				}
			}
			for b.Loop() {
				p = (p + 1) % 10
				if err := writer.AllocationStore().SetChannelPriority(ctx, ch.ID, p); err != nil {
					b.Fatal(err)
				}
				<-heard
			}
		})
	}
}

// A search counts its hits exactly up to the cap, and stops there; other
// filters count exactly. (Not parallel: it lowers the cap for a while.)
func TestSearchCountStopsAtTheCap(t *testing.T) {
	defer sqlite.SetSearchCountCap(3)()
	db := openTemp(t)
	f := newFixture(t, db)
	for i := range 6 {
		must(t, db.OrderStore().CreateOrder(ctx, order(f.channel.ID, fmt.Sprint("K", i), fmt.Sprintf("#K%d", i), placedAt, "Jürgen Köhler",
			"j@example.com", "DE", "EUR", "PRT-1")))
	}
	must(t, db.OrderStore().CreateOrder(ctx, order(f.channel.ID, "A", "#A", placedAt, "Ana Lima", "a@example.com", "PT", "EUR", "PRT-1")))
	for _, c := range []struct {
		f    domain.OrderFilter
		want int
	}{
		{domain.OrderFilter{Search: "kohler"}, 4},                // three or more characters: stops at cap + 1
		{domain.OrderFilter{Search: "kö"}, 4},                    // a word start
		{domain.OrderFilter{Search: "kohler", Country: "DE"}, 4}, // a search with another filter
		{domain.OrderFilter{Search: "lima"}, 1},                  // below the cap: exact
		{domain.OrderFilter{Country: "DE"}, 6},                   // no search: exact
		{domain.OrderFilter{}, 7},
	} {
		if n, err := db.OrderStore().CountOrders(ctx, c.f); err != nil || n != c.want {
			t.Errorf("%+v: %d (%v), want %d", c.f, n, err, c.want)
		}
	}
}
