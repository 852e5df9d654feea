package sqlite_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sqlite"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

// A SQLite database copied to PostgreSQL and back is the same, row for row,
// and the copies work: stock verifies, ids go on, orders are found.
func TestCopySQLiteToPostgresAndBack(t *testing.T) {
	t.Parallel()
	src, err := sqlite.Open(filepath.Join(t.TempDir(), "src.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	src.SetVault(&memoryVault{kept: map[string]string{}}) // this computer's credential store
	f := newFixture(t, src)
	shop := domain.Channel{Code: "WOO", Name: "Woo", Kind: domain.ChannelWooCommerce, BaseURL: "https://shop.example"}
	must(t, src.IntakeStore().AddChannel(ctx, &shop, domain.Credentials{Key: "ck_live", Secret: "cs_secret"}))
	adjust(t, src, "PRT-1", "NL-VEN", "A-01-01-1", 30)
	adjust(t, src, "PRT-2", "JP-ICH", "A-01-01-1", 5)
	for i := range 12 {
		o := order(f.channel.ID, fmt.Sprint("C", i), fmt.Sprintf("#C%02d", i), placedAt.Add(time.Duration(i)*time.Hour), "Jürgen Köhler", "j@example.com", "DE", "EUR", "PRT-1")
		must(t, src.OrderStore().CreateOrder(ctx, o))
	}
	allocateOpenOrders(t, src)
	_, err = src.LedgerStore().CreateWave(ctx, "NL-VEN", domain.WaveFilter{})
	must(t, err)
	b := src.BillingStore()
	c := domain.Client{Code: "ACME", Name: "Acme ポルトラン", Currency: "EUR", PaymentDays: 14, TaxBP: 2100}
	must(t, b.SaveClient(ctx, &c))
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	inv := domain.Invoice{ClientID: c.ID, PeriodFrom: day, PeriodTo: day.AddDate(0, 1, 0), Currency: "EUR", Net: 100, Tax: 21}
	must(t, b.CreateInvoice(ctx, &inv, nil))
	_, err = b.IssueInvoice(ctx, inv.ID, day.AddDate(0, 1, 0), 14)
	must(t, err)

	pg := openPG(t, pgtest.NewDatabase(t))
	var steps int
	counts, err := src.CopyTo(ctx, pg, func(sqlite.CopyProgress) { steps++ })
	must(t, err)
	back, err := sqlite.Open(filepath.Join(t.TempDir(), "back.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	_, err = pg.CopyTo(ctx, back, nil)
	must(t, err)

	// The team database keeps the credentials themselves (no desktop's
	// credential store is everyone's); they read back the same.
	if creds, err := pg.IntakeStore().ChannelCredentials(ctx, shop.ID); err != nil || creds.Secret != "cs_secret" {
		t.Errorf("credentials on the team database: %+v %v", creds, err)
	}
	if n, _ := pg.IntForTest(ctx, `SELECT count(*) FROM channels WHERE credentials LIKE '%vault%'`); n != 0 {
		t.Errorf("%d references to a desktop's credential store copied to the team database", n)
	}
	want, err := src.Dump(ctx)
	must(t, err)
	for i, row := range want["channels"] { // the copies keep credentials, not references
		want["channels"][i] = credentialsColumn.ReplaceAllString(row, "credentials=…;")
	}
	for _, db := range []*sqlite.DB{pg, back} {
		got, err := db.Dump(ctx)
		must(t, err)
		for i, row := range got["channels"] {
			got["channels"][i] = credentialsColumn.ReplaceAllString(row, "credentials=…;")
		}
		for _, table := range sqlite.CopyTables {
			if !slices.Equal(want[table], got[table]) {
				t.Errorf("%s differs after the copy:\n want %.300v\n got  %.300v", table, want[table], got[table])
			}
		}
		if d, err := db.LedgerStore().Verify(ctx); err != nil || len(d) != 0 {
			t.Errorf("stock verify on the copy: %v %v", d, err)
		}
		// New rows get new ids; the search finds the copied orders.
		o := order(f.channel.ID, "NEW", "#NEW", placedAt, "Ana", "a@example.com", "NL", "EUR", "PRT-1")
		must(t, db.OrderStore().CreateOrder(ctx, o))
		if n, err := db.OrderStore().CountOrders(ctx, domain.OrderFilter{Search: "kohler"}); err != nil || n != 12 {
			t.Errorf("search on the copy: %d, %v", n, err)
		}
	}
	var total int64
	for _, c := range counts {
		total += c.Rows
	}
	if total < 60 || steps == 0 {
		t.Errorf("%d rows copied in %d steps", total, steps)
	}
	// Into a database that is not empty: refused, nothing changed.
	if _, err := src.CopyTo(ctx, pg, nil); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("copy into a used database: %v", err)
	}
}

var credentialsColumn = regexp.MustCompile(`credentials=[^;]*;`)

// CopyTo copies every table there is.
func TestCopyCoversEveryTable(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := sqlite.Open(path, clock)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw := rawFile(t, path)
	rows, err := raw.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
		AND name NOT LIKE 'orders_fts%' AND name NOT LIKE 'orders_words%' AND name <> 'schema_migrations' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		rows.Scan(&name)
		if !slices.Contains(sqlite.CopyTables, name) {
			t.Errorf("table %s is not copied", name)
		}
	}
}
