package sqlite_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/sqlite"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"

	_ "modernc.org/sqlite"
)

var ctx = context.Background()

// openTemp opens an empty database for a test: SQLite, or PostgreSQL when
// PORTOLAN_TEST_STORE=postgres (every store test is a contract test).
func openTemp(t *testing.T) *sqlite.DB {
	t.Helper()
	// A fixed day: these tests' data are dated around it.
	var db *sqlite.DB
	var err error
	if pgtest.OnPostgres() {
		db, err = sqlite.OpenPostgres(ctx, pgtest.NewDatabase(t), clock)
	} else {
		db, err = sqlite.Open(filepath.Join(t.TempDir(), "test.db"), clock)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openClients opens one empty database and n handles to it, as n people's
// Portolan would: n connection pools on PostgreSQL, n openings of one file
// on SQLite.
func openClients(t *testing.T, n int) []*sqlite.DB {
	t.Helper()
	open := func(path string) (*sqlite.DB, error) { return sqlite.Open(path, clock) }
	where := filepath.Join(t.TempDir(), "shared.db")
	if pgtest.OnPostgres() {
		open = func(dsn string) (*sqlite.DB, error) { return sqlite.OpenPostgres(ctx, dsn, clock) }
		where = pgtest.NewDatabase(t)
	}
	dbs := make([]*sqlite.DB, n)
	for i := range dbs {
		db, err := open(where)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs
}

func TestOpenRecordsMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "p.db")
	db, err := sqlite.Open(path, domaintest.NewClock().Now)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Reopening applies nothing twice.
	db, err = sqlite.Open(path, domaintest.NewClock().Now)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw := rawFile(t, path)
	var n, version, appID int
	var journal string
	raw.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	raw.QueryRow(`PRAGMA user_version`).Scan(&version)
	raw.QueryRow(`PRAGMA application_id`).Scan(&appID)
	raw.QueryRow(`PRAGMA journal_mode`).Scan(&journal)
	if n != sqlite.SchemaVersion() || version != sqlite.SchemaVersion() {
		t.Errorf("%d migrations recorded, user_version %d, want %d", n, version, sqlite.SchemaVersion())
	}
	if appID != sqlite.ApplicationID {
		t.Errorf("application_id = %#x", appID)
	}
	if journal != "wal" {
		t.Errorf("journal mode %q, want wal", journal)
	}
}

func fileHash(t *testing.T, path string) [32]byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestOpenRefusesForeignFilesWithoutTouchingThem(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("order export 2026\nnot a database at all, but long enough to have a header....................................................."), 0o644)

	other := filepath.Join(dir, "other.db")
	raw, _ := sql.Open("sqlite", other)
	if _, err := raw.Exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('x')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	newer := filepath.Join(dir, "newer.db")
	db, err := sqlite.Open(newer, domaintest.NewClock().Now)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, _ = sql.Open("sqlite", newer)
	if _, err := raw.Exec(`PRAGMA journal_mode = DELETE; PRAGMA user_version = 999`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	tests := []struct {
		path string
		want error
	}{
		{text, sqlite.ErrNotPortolan},
		{other, sqlite.ErrNotPortolan},
		{newer, sqlite.ErrNewerSchema},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			before := fileHash(t, tt.path)
			entries, _ := os.ReadDir(dir)
			_, err := sqlite.Open(tt.path, domaintest.NewClock().Now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open error = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name the file", err)
			}
			if fileHash(t, tt.path) != before {
				t.Error("file was modified")
			}
			after, _ := os.ReadDir(dir)
			if len(after) != len(entries) {
				t.Errorf("Open left new files next to %s", tt.path)
			}
		})
	}
}

// fixture adds a channel, warehouse with bins, products and returns their ids.
type fixture struct {
	channel    domain.Channel
	warehouse  domain.Warehouse
	bins       []domain.Location
	products   []domain.Product
	otherChan  domain.Channel
	otherHouse domain.Warehouse
}

// fixtureLedger is a new store with the fixture's warehouses, bins and
// products, and its stock ledger.
func fixtureLedger(t *testing.T) (*sqlite.DB, *sqlite.LedgerStore) {
	t.Helper()
	db := openTemp(t)
	newFixture(t, db)
	return db, db.LedgerStore()
}

func newFixture(t *testing.T, db *sqlite.DB) *fixture {
	t.Helper()
	f := &fixture{
		channel:   domain.Channel{Code: "SHOP-EU", Name: "Shopify EU", Kind: domain.ChannelShopify, BaseURL: "https://x.myshopify.com"},
		otherChan: domain.Channel{Code: "BC-APAC", Name: "BigCommerce APAC", Kind: domain.ChannelBigCommerce},
		warehouse: domain.Warehouse{Code: "NL-VEN", Name: "Venlo", TimeZone: "Europe/Amsterdam",
			Address: domain.Address{Company: "Portolan B.V.", Line1: "Celsiusweg 40", City: "Venlo", Country: "NL"}},
		otherHouse: domain.Warehouse{Code: "JP-ICH", Name: "市川", TimeZone: "Asia/Tokyo",
			Address: domain.Address{Company: "ポルトラン株式会社", Line1: "塩浜2-13-1", City: "市川市", Country: "JP"}},
	}
	must(t, db.CatalogStore().CreateChannel(ctx, &f.channel))
	must(t, db.CatalogStore().CreateChannel(ctx, &f.otherChan))
	must(t, db.CatalogStore().CreateWarehouse(ctx, &f.warehouse))
	must(t, db.CatalogStore().CreateWarehouse(ctx, &f.otherHouse))
	for i, code := range []string{"A-01-01-1", "A-01-02-1", "B-01-01-1"} {
		l := domain.Location{WarehouseID: f.warehouse.ID, Code: code, Zone: code[:1], PickSequence: (3 - i) * 10}
		must(t, db.CatalogStore().CreateLocation(ctx, &l))
		f.bins = append(f.bins, l)
	}
	l := domain.Location{WarehouseID: f.otherHouse.ID, Code: "A-01-01-1", Zone: "A", PickSequence: 10}
	must(t, db.CatalogStore().CreateLocation(ctx, &l))
	f.bins = append(f.bins, l)
	for i, name := range []string{"Merino wool beanie", "Ceramic pour-over dripper", "Fountain pen"} {
		p := domain.Product{SKU: []string{"PRT-1", "PRT-2", "PRT-3"}[i], Name: name, Weight: 100, HSCode: "650500", Origin: "JP"}
		must(t, db.CatalogStore().CreateProduct(ctx, &p))
		f.products = append(f.products, p)
	}
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func order(ch int64, ext, number string, placed time.Time, name, email, country string, cur domain.Currency, skus ...string) *domain.Order {
	o := &domain.Order{ChannelID: ch, ExternalID: ext, Number: number, PlacedAt: placed, Currency: cur,
		CustomerEmail: email, Status: domain.StatusNew,
		ShipTo: domain.Address{Name: name, Line1: "1 Street", City: "City", Country: domain.Country(country), Email: email}}
	for _, s := range skus {
		o.Lines = append(o.Lines, domain.OrderLine{SKU: s, Name: "item " + s, Quantity: 2, UnitPrice: domain.NewMoney(1250, cur)})
	}
	o.Total, _ = o.ComputedTotal()
	o.History = []domain.StatusChange{{At: placed, To: domain.StatusNew, Reason: "imported"}}
	return o
}

func TestOrderRoundTripInAnyScript(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	placed := time.Date(2026, 10, 3, 4, 5, 6, 0, time.FixedZone("JST", 9*3600))
	o := order(f.otherChan.ID, "5100000001", "BC-1", placed, "山田 太郎", "taro.yamada@example.jp", "JP", "JPY", "PRT-1", "PRT-2")
	o.ShipTo.Region, o.ShipTo.PostalCode, o.Notes = "東京都", "150-0041", "置き配希望"
	o.Shipping, o.Tax = domain.NewMoney(800, "JPY"), domain.NewMoney(0, "JPY")
	o.Total, _ = o.ComputedTotal()
	must(t, db.OrderStore().CreateOrder(ctx, o))
	got, err := db.OrderStore().Order(ctx, o.ID)
	must(t, err)
	if got.ShipTo != o.ShipTo || got.Notes != o.Notes || got.Total != o.Total || got.Shipping != o.Shipping {
		t.Errorf("stored %+v\nread   %+v", o, got)
	}
	if !got.PlacedAt.Equal(placed) || got.PlacedAt.Location() != time.UTC {
		t.Errorf("placed %v, want %v in UTC", got.PlacedAt, placed)
	}
	if len(got.Lines) != 2 || got.Lines[1].SKU != "PRT-2" || got.Lines[0].UnitPrice != domain.NewMoney(1250, "JPY") {
		t.Errorf("lines = %+v", got.Lines)
	}
	if got.ChannelCode != "BC-APAC" || len(got.History) != 1 || got.History[0].Reason != "imported" {
		t.Errorf("channel %q history %+v", got.ChannelCode, got.History)
	}
	if _, err := db.OrderStore().Order(ctx, 9999); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("missing order error = %v", err)
	}
}

func TestCreateOrderRefusesDuplicatesAndBadOrders(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	must(t, db.OrderStore().CreateOrder(ctx, order(f.channel.ID, "42", "#42", at, "A", "a@example.com", "DE", "EUR", "PRT-1")))
	err := db.OrderStore().CreateOrder(ctx, order(f.channel.ID, "42", "#42 again", at, "A", "a@example.com", "DE", "EUR", "PRT-1"))
	if !errors.Is(err, domain.ErrConflict) {
		t.Errorf("duplicate (channel, external id) error = %v", err)
	}
	// The same external id on another channel is another order.
	must(t, db.OrderStore().CreateOrder(ctx, order(f.otherChan.ID, "42", "#42", at, "A", "a@example.com", "DE", "EUR", "PRT-1")))
	bad := order(f.channel.ID, "43", "#43", at, "A", "a@example.com", "XX", "EUR", "PRT-1")
	if err := db.OrderStore().CreateOrder(ctx, bad); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("invalid order error = %v", err)
	}
	n, _ := db.OrderStore().CountOrders(ctx, domain.OrderFilter{})
	if n != 2 {
		t.Errorf("%d orders stored, want 2 (no partial writes)", n)
	}
}

func TestOrderFiltersSearchAndPaging(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	base := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	seed := []*domain.Order{
		order(f.channel.ID, "1", "SH-1001", base, "Jürgen Müller", "juergen@example.de", "DE", "EUR", "PRT-1"),
		order(f.channel.ID, "2", "SH-1002", base.Add(24*time.Hour), "Γιώργος Παπαδόπουλος", "giorgos@example.gr", "GR", "EUR", "PRT-2"),
		order(f.otherChan.ID, "3", "BC-1003", base.Add(48*time.Hour), "山田 太郎", "taro@example.jp", "JP", "JPY", "PRT-3", "PRT-1"),
		order(f.otherChan.ID, "4", "BC-1004", base.Add(72*time.Hour), "محمد المنصوري", "mohammed@example.ae", "AE", "AED", "PRT-2"),
		order(f.otherChan.ID, "5", "BC-1005", base.Add(96*time.Hour), "김민준", "minjun@example.kr", "KR", "KRW", "PRT-3"),
	}
	for _, o := range seed {
		must(t, db.OrderStore().CreateOrder(ctx, o))
	}
	must(t, db.OrderStore().UpdateOrder(ctx, seed[1].ID, func(o *domain.Order) error {
		return o.TransitionTo(domain.StatusOnHold, base, "check")
	}))
	tests := []struct {
		name   string
		filter domain.OrderFilter
		want   []string // numbers, newest first
	}{
		{"all", domain.OrderFilter{}, []string{"BC-1005", "BC-1004", "BC-1003", "SH-1002", "SH-1001"}},
		{"status", domain.OrderFilter{Status: domain.StatusOnHold}, []string{"SH-1002"}},
		{"channel", domain.OrderFilter{ChannelID: f.channel.ID}, []string{"SH-1002", "SH-1001"}},
		{"country", domain.OrderFilter{Country: "JP"}, []string{"BC-1003"}},
		{"dates", domain.OrderFilter{PlacedFrom: base.Add(24 * time.Hour), PlacedTo: base.Add(72 * time.Hour)}, []string{"BC-1003", "SH-1002"}},
		{"number", domain.OrderFilter{Search: "1004"}, []string{"BC-1004"}},
		{"name case-insensitive", domain.OrderFilter{Search: "MÜLLER"}, []string{"SH-1001"}},
		{"name without diacritics", domain.OrderFilter{Search: "muller"}, []string{"SH-1001"}},
		{"greek", domain.OrderFilter{Search: "Παπαδό"}, []string{"SH-1002"}},
		{"japanese 2 chars", domain.OrderFilter{Search: "山田"}, []string{"BC-1003"}},
		{"japanese 3 chars", domain.OrderFilter{Search: "田 太"}, []string{"BC-1003"}},
		{"arabic", domain.OrderFilter{Search: "المنصوري"}, []string{"BC-1004"}},
		{"korean 2 chars (word start)", domain.OrderFilter{Search: "김민"}, []string{"BC-1005"}},
		{"korean 3 chars", domain.OrderFilter{Search: "김민준"}, []string{"BC-1005"}},
		{"one letter starts a word", domain.OrderFilter{Search: "m"}, []string{"BC-1005", "BC-1004", "SH-1001"}},
		{"email", domain.OrderFilter{Search: "taro@example"}, []string{"BC-1003"}},
		{"sku", domain.OrderFilter{Search: "prt-1"}, []string{"BC-1003", "SH-1001"}},
		{"quote and percent are literal", domain.OrderFilter{Search: `"%`}, nil},
		{"search and channel", domain.OrderFilter{Search: "PRT-1", ChannelID: f.otherChan.ID}, []string{"BC-1003"}},
	}
	// Every case twice: searches read as a set of hits, and as common
	// searches checked row by row (1/1000 of five orders makes every search common).
	for _, threshold := range []int{1, 1000} {
		restore := sqlite.SetCommonShare(threshold)
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/threshold %d", tt.name, threshold), func(t *testing.T) {
				rows, err := db.OrderStore().OrderSummaries(ctx, tt.filter, 0, 100)
				must(t, err)
				var got []string
				for _, r := range rows {
					got = append(got, r.Number)
				}
				if strings.Join(got, ",") != strings.Join(tt.want, ",") {
					t.Errorf("got %v, want %v", got, tt.want)
				}
				n, err := db.OrderStore().CountOrders(ctx, tt.filter)
				must(t, err)
				if n != len(tt.want) {
					t.Errorf("count %d, want %d", n, len(tt.want))
				}
			})
		}
		restore()
	}
	page, err := db.OrderStore().OrderSummaries(ctx, domain.OrderFilter{}, 2, 2)
	must(t, err)
	if len(page) != 2 || page[0].Number != "BC-1003" || page[1].Number != "SH-1002" {
		t.Errorf("page 2 = %+v", page)
	}
	if page[0].Units != 4 || page[0].Total != domain.NewMoney(5000, "JPY") || page[0].CustomerName != "山田 太郎" {
		t.Errorf("summary = %+v", page[0])
	}
	// Whole orders in id order, in batches.
	var ids []int64
	after := int64(0)
	for {
		batch, err := db.OrderStore().Orders(ctx, domain.OrderFilter{}, after, 2)
		must(t, err)
		for _, o := range batch {
			ids = append(ids, o.ID)
			if len(o.Lines) == 0 {
				t.Errorf("order %s without lines", o.Number)
			}
		}
		if len(batch) < 2 {
			break
		}
		after = batch[len(batch)-1].ID
	}
	if len(ids) != 5 {
		t.Errorf("batched read gave %d orders", len(ids))
	}
	countries, err := db.OrderStore().OrderCountries(ctx)
	must(t, err)
	if len(countries) != 5 || countries[0] != "AE" || countries[4] != "KR" {
		t.Errorf("countries = %v", countries)
	}
}

func TestUpdateOrderRecordsHistoryAndRollsBack(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	o := order(f.channel.ID, "1", "SH-1", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), "A", "a@example.com", "FR", "EUR", "PRT-1")
	must(t, db.OrderStore().CreateOrder(ctx, o))
	at := time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)
	must(t, db.OrderStore().UpdateOrder(ctx, o.ID, func(o *domain.Order) error { return o.TransitionTo(domain.StatusOnHold, at, "fraud review") }))
	err := db.OrderStore().UpdateOrder(ctx, o.ID, func(o *domain.Order) error { return o.TransitionTo(domain.StatusDelivered, at, "nope") })
	if !errors.Is(err, domain.ErrIllegalTransition) {
		t.Errorf("illegal transition error = %v", err)
	}
	boom := errors.New("boom")
	err = db.OrderStore().UpdateOrder(ctx, o.ID, func(o *domain.Order) error {
		if err := o.TransitionTo(domain.StatusNew, at, "release"); err != nil {
			return err
		}
		return boom // fails after changing: nothing may be saved
	})
	if !errors.Is(err, boom) {
		t.Errorf("error = %v", err)
	}
	got, err := db.OrderStore().Order(ctx, o.ID)
	must(t, err)
	if got.Status != domain.StatusOnHold || len(got.History) != 2 {
		t.Fatalf("status %s with %d history entries, want on_hold with 2", got.Status, len(got.History))
	}
	h := got.History[1]
	if h.From != domain.StatusNew || h.To != domain.StatusOnHold || h.Reason != "fraud review" || !h.At.Equal(at) {
		t.Errorf("history = %+v", h)
	}
	if err := db.OrderStore().UpdateOrder(ctx, 999, func(*domain.Order) error { return nil }); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("missing order error = %v", err)
	}
}

func TestStockQueries(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 5)
	adjust(t, db, "PRT-1", "NL-VEN", "B-01-01-1", 7)
	adjust(t, db, "PRT-1", "JP-ICH", "A-01-01-1", 11)
	adjust(t, db, "PRT-2", "NL-VEN", "A-01-02-1", 3)
	adjust(t, db, "PRT-2", "NL-VEN", "A-01-02-1", 1) // adds

	all, err := db.StockStore().StockLevels(ctx, "")
	must(t, err)
	if len(all) != 4 {
		t.Fatalf("levels = %+v", all)
	}
	ven, err := db.StockStore().StockLevels(ctx, "NL-VEN")
	must(t, err)
	// NL-VEN bins in pick sequence: B-01-01-1 (10), A-01-02-1 (20), A-01-01-1 (30)
	var got []string
	for _, l := range ven {
		got = append(got, l.Location+":"+l.SKU)
	}
	if strings.Join(got, ",") != "B-01-01-1:PRT-1,A-01-02-1:PRT-2,A-01-01-1:PRT-1" {
		t.Errorf("NL-VEN levels in pick order = %v", got)
	}
	if _, err := db.StockStore().StockLevels(ctx, "XX-NOPE"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown warehouse error = %v", err)
	}

	page, err := db.StockStore().ProductStockPage(ctx, domain.StockFilter{}, 0, 10)
	must(t, err)
	if len(page) != 3 || page[0].SKU != "PRT-1" || page[0].Total.OnHand != 23 ||
		page[0].Stock[f.warehouse.ID].OnHand != 12 || page[0].Stock[f.otherHouse.ID].OnHand != 11 {
		t.Errorf("product stock = %+v", page)
	}
	if len(page[2].Stock) != 0 || page[2].Total.OnHand != 0 {
		t.Errorf("unstocked product = %+v", page[2])
	}
	n, err := db.StockStore().CountProductStock(ctx, domain.StockFilter{Search: "dripper"})
	must(t, err)
	if n != 1 {
		t.Errorf("search count = %d", n)
	}
	bins, err := db.StockStore().BinStock(ctx, f.products[0].ID, f.warehouse.ID)
	must(t, err)
	if len(bins) != 2 || bins[0].Location != "B-01-01-1" || bins[0].OnHand != 7 {
		t.Errorf("bins = %+v", bins)
	}
}

func TestBulkIsAllOrNothing(t *testing.T) {
	db := openTemp(t)
	boom := errors.New("boom")
	err := db.Bulk(ctx, func(w domain.BulkWriter) error {
		c := domain.Channel{Code: "X", Name: "X", Kind: domain.ChannelManual}
		if err := w.AddChannel(&c); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error = %v", err)
	}
	empty, err := db.CatalogStore().IsEmpty(ctx)
	must(t, err)
	if !empty {
		t.Error("failed bulk load left data behind")
	}
	cctx, cancel := context.WithCancel(ctx)
	err = db.Bulk(cctx, func(w domain.BulkWriter) error {
		c := domain.Channel{Code: "X", Name: "X", Kind: domain.ChannelManual}
		if err := w.AddChannel(&c); err != nil {
			return err
		}
		cancel()
		o := order(c.ID, "1", "1", time.Now(), "A", "a@example.com", "DE", "EUR", "PRT-1")
		return w.AddOrder(o)
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled bulk error = %v", err)
	}
	if empty, _ := db.CatalogStore().IsEmpty(ctx); !empty {
		t.Error("cancelled bulk load left data behind")
	}
}

// waitForWriterOnLock returns once a goroutine waits in SQLite's busy
// handler for the write lock (the second writer, since nothing else writes);
// it fails the test if the second writer finishes first.
func waitForWriterOnLock(t *testing.T, second <-chan error) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for {
		select {
		case err := <-second:
			t.Fatalf("the second writer finished while the first held the lock: %v", err)
		default:
		}
		if n := runtime.Stack(buf, true); bytes.Contains(buf[:n], []byte("_sqliteDefaultBusyCallback")) {
			return
		}
		runtime.Gosched()
	}
}

func TestSecondWriterWaitsInsteadOfFailing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	defer a.Close()
	b, err := sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	defer b.Close()
	release := make(chan struct{})
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- a.Bulk(ctx, func(w domain.BulkWriter) error {
			c := domain.Channel{Code: "A", Name: "A", Kind: domain.ChannelManual}
			if err := w.AddChannel(&c); err != nil {
				return err
			}
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	second := make(chan error, 1)
	go func() {
		second <- b.CatalogStore().CreateChannel(ctx, &domain.Channel{Code: "B", Name: "B", Kind: domain.ChannelManual})
	}()
	waitForWriterOnLock(t, second)
	close(release)
	must(t, <-done)
	must(t, <-second)
	chans, err := b.CatalogStore().Channels(ctx)
	must(t, err)
	if len(chans) != 2 {
		t.Errorf("channels = %+v", chans)
	}
}

// rawFile opens a database file as plain SQLite, past the store, to look at
// what the store wrote; it is closed when the test ends.
func rawFile(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}
