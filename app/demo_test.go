package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/app/demo"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

func openApp(t *testing.T) *app.App {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "portolan.db"), testClock.Now)
}

// openAt opens the database at path on the clock now, closed when the test
// ends. When the tests run on PostgreSQL (PORTOLAN_TEST_STORE=postgres), a
// file path stands for a database of the test server's, the same one each
// time the test opens that path.
func openAt(t testing.TB, path string, now func() time.Time) *app.App {
	t.Helper()
	path = storeAt(t, path)
	a, err := app.Open(path, app.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

const testOrders = 400

func loadDemo(t *testing.T, a *app.App, orders int) {
	t.Helper()
	if err := a.Demo.Load(context.Background(), app.DemoOptions{Orders: orders}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestDemoDataSet(t *testing.T) {
	t.Parallel()
	a := openApp(t)
	var progress []int
	err := a.Demo.Load(context.Background(), app.DemoOptions{Orders: testOrders}, func(done, total int) {
		if total != testOrders {
			t.Errorf("progress total %d", total)
		}
		progress = append(progress, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(progress) == 0 || progress[len(progress)-1] != testOrders {
		t.Errorf("progress = %v", progress)
	}
	ctx := context.Background()

	warehouses, err := a.Inventory.Warehouses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	continents := map[string]bool{}
	for _, w := range warehouses {
		continent, _, _ := strings.Cut(w.TimeZone, "/")
		continents[continent] = true
		bins, err := a.Inventory.StockLevels(ctx, w.Code)
		if err != nil || len(bins) == 0 {
			t.Errorf("warehouse %s has no stock: %v", w.Code, err)
		}
	}
	if len(warehouses) < 5 || len(continents) < 3 {
		t.Errorf("%d warehouses on %d continents %v", len(warehouses), len(continents), continents)
	}
	products, err := a.Inventory.CountProductStock(ctx, domain.StockFilter{})
	if err != nil || products != 500 {
		t.Errorf("%d products, %v", products, err)
	}
	// Power banks are lot-tracked, with use-by dates.
	lots := 0
	for _, w := range warehouses {
		levels, _ := a.Inventory.StockLevels(ctx, w.Code)
		for _, l := range levels {
			if l.Lot != "" {
				lots++
				if !strings.Contains(l.SKU, "PRT-") || len(l.Expiry) != 10 {
					t.Errorf("lot %+v", l)
				}
			}
		}
	}
	if lots == 0 {
		t.Error("no lot-tracked stock in the demo")
	}
	// The demo's stock is in the ledger: verify finds nothing to correct.
	if d, err := a.Inventory.Verify(ctx); err != nil || len(d) != 0 {
		t.Errorf("demo stock does not match its ledger: %v %v", d, err)
	}
	channels, err := a.Orders.Channels(ctx)
	if err != nil || len(channels) != 3 {
		t.Errorf("%d channels, %v", len(channels), err)
	}
	n, err := a.Orders.CountOrders(ctx, domain.OrderFilter{})
	if err != nil || n != testOrders {
		t.Errorf("%d orders, %v", n, err)
	}

	currencies := map[domain.Currency]bool{}
	countries := map[domain.Country]bool{}
	scripts := map[string]bool{}
	statuses := map[domain.OrderStatus]bool{}
	err = a.Orders.Each(ctx, domain.OrderFilter{}, func(o domain.Order) error {
		if err := o.Validate(); err != nil {
			t.Errorf("demo order invalid: %v", err)
		}
		if total, err := o.ComputedTotal(); err != nil || total != o.Total {
			t.Errorf("order %s total %v, lines add up to %v", o.Number, o.Total, total)
		}
		full, err := a.Orders.Order(ctx, o.ID)
		if err != nil {
			return err
		}
		if len(full.History) == 0 || full.History[len(full.History)-1].To != o.Status {
			t.Errorf("order %s history does not end in its status %s", o.Number, o.Status)
		}
		currencies[o.Currency] = true
		countries[o.ShipTo.Country] = true
		statuses[o.Status] = true
		for _, r := range o.ShipTo.Name {
			for name, table := range map[string]*unicode.RangeTable{"Han": unicode.Han, "Hiragana/Katakana": unicode.Katakana,
				"Hangul": unicode.Hangul, "Greek": unicode.Greek, "Cyrillic": unicode.Cyrillic, "Arabic": unicode.Arabic} {
				if unicode.Is(table, r) {
					scripts[name] = true
				}
			}
			if unicode.Is(unicode.Latin, r) && r > 0x7f {
				scripts["Latin with diacritics"] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(currencies) < 6 || len(countries) < 30 {
		t.Errorf("%d currencies, %d countries", len(currencies), len(countries))
	}
	for _, s := range []string{"Han", "Hangul", "Greek", "Cyrillic", "Arabic", "Latin with diacritics"} {
		if !scripts[s] {
			t.Errorf("no %s names in the demo data", s)
		}
	}
	if len(statuses) < 4 {
		t.Errorf("statuses %v", statuses)
	}
	for _, c := range []domain.Currency{"JPY", "KWD", "EUR", "USD"} {
		if !currencies[c] {
			t.Errorf("no orders in %s", c)
		}
	}
}

func exportJSON(t *testing.T, a *app.App) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	err := a.Orders.Each(context.Background(), domain.OrderFilter{}, func(o domain.Order) error {
		o.ID, o.ChannelID, o.UpdatedAt = 0, 0, o.PlacedAt // creation time differs between runs
		return enc.Encode(o)
	})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The same day and options make the same data set, whenever it is made.
func TestDemoIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := openApp(t), openApp(t)
	day := demo.AsOf(domaintest.Today())
	for _, x := range []*app.App{a, b} {
		if err := x.Demo.Load(context.Background(), app.DemoOptions{Orders: 120, Until: day}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(exportJSON(t, a), exportJSON(t, b)) {
		t.Error("two demo runs with the same options differ")
	}
}

func TestDemoRefusesDataAndRollsBackWhenCancelled(t *testing.T) {
	t.Parallel()
	a := openApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := a.Demo.Load(ctx, app.DemoOptions{Orders: 5000}, func(done, total int) {
		cancel() // the first progress report cancels
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled demo error = %v", err)
	}
	empty, err := a.Demo.IsEmpty(context.Background())
	if err != nil || !empty {
		t.Fatalf("cancelled demo left data (empty=%v, %v)", empty, err)
	}
	loadDemo(t, a, 10)
	err = a.Demo.Load(context.Background(), app.DemoOptions{Orders: 10}, nil)
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("second demo load error = %v, want conflict", err)
	}
	n, _ := a.Orders.CountOrders(context.Background(), domain.OrderFilter{})
	if n != 10 {
		t.Errorf("%d orders after refused reload", n)
	}
}

func TestTransitionThroughService(t *testing.T) {
	t.Parallel()
	a := openApp(t)
	loadDemo(t, a, 50)
	ctx := context.Background()
	page, err := a.Orders.OrderSummaries(ctx, domain.OrderFilter{Status: domain.StatusDelivered}, 0, 1)
	if err != nil || len(page) != 1 {
		t.Fatalf("no delivered order: %v", err)
	}
	id := page[0].ID
	if err := a.Orders.Transition(ctx, id, domain.StatusException, "customer asked to wait"); err != nil {
		t.Fatal(err)
	}
	if err := a.Orders.Transition(ctx, id, domain.StatusPicking, "skip"); !errors.Is(err, domain.ErrIllegalTransition) {
		t.Errorf("illegal transition error = %v", err)
	}
	o, err := a.Orders.Order(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	last := o.History[len(o.History)-1]
	if o.Status != domain.StatusException || last.Reason != "customer asked to wait" || last.From != domain.StatusDelivered {
		t.Errorf("status %s, last history %+v", o.Status, last)
	}
	// Someone who opened it while it was delivered and now acts on that is
	// told what happened since, by whom, and nothing changes.
	err = a.Orders.TransitionSeen(ctx, id, domain.StatusDelivered, domain.StatusCancelled, "parcel came back")
	want := fmt.Sprintf("order %s was changed to exception by %s at %s (\"customer asked to wait\") after you opened it, when it was delivered",
		o.Number, last.Who, last.At.Local().Format("15:04"))
	if domain.ErrorCode(err) != domain.ECONFLICT || err == nil || !strings.Contains(err.Error(), want) || last.Who == "" {
		t.Errorf("acting on what was seen before a colleague's change: %v\nwant %s", err, want)
	}
	if again, _ := a.Orders.Order(ctx, id); again.Status != domain.StatusException || len(again.History) != len(o.History) {
		t.Errorf("changed anyway: %s", again.Status)
	}
	if err := a.Orders.TransitionSeen(ctx, id, domain.StatusException, domain.StatusCancelled, "parcel came back"); err != nil {
		t.Errorf("acting on what is current: %v", err)
	}
}

// testClock is the clock of the tests that do not set their own: the tests'
// today (PORTOLAN_TEST_TODAY, else the real date), 12:00 UTC, moving on.
var testClock = domaintest.NewClock()

var (
	serverDBsMu sync.Mutex
	serverDBs   = map[string]string{} // file path → database on the test server
)

// storeAt is where the database the tests call path lives: path itself, or
// on PostgreSQL runs a database of the test server's for it.
func storeAt(t testing.TB, path string) string {
	t.Helper()
	if !pgtest.OnPostgres() || app.IsServerAddress(path) {
		return path
	}
	serverDBsMu.Lock()
	defer serverDBsMu.Unlock()
	if dsn, ok := serverDBs[path]; ok {
		return dsn
	}
	dsn := pgtest.NewDatabase(t)
	serverDBs[path] = dsn
	return dsn
}
