package sqlite_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sqlite"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

func clock() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) }

// openPG opens a PostgreSQL database as the store does.
func openPG(t *testing.T, dsn string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.OpenPostgres(ctx, dsn, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// execPG runs statements on the database directly, as another program would.
func execPG(t *testing.T, dsn string, statements ...string) {
	t.Helper()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	for _, s := range statements {
		if _, err := c.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestOpenCreatesTheSchemaOnceAndReopens(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	db := openPG(t, dsn)
	v, err := db.Version(ctx)
	if err != nil || v < 1 {
		t.Fatalf("version %d, %v", v, err)
	}
	db.Close()
	again := openPG(t, dsn) // nothing to do the second time
	if v2, _ := again.Version(ctx); v2 != v {
		t.Errorf("version %d after reopening, was %d", v2, v)
	}
	// Every table is in Portolan's schema, none in public.
	var public int
	c, _ := pgx.Connect(ctx, dsn)
	defer c.Close(ctx)
	if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&public); err != nil || public != 0 {
		t.Errorf("%d tables in public (%v)", public, err)
	}
}

// Clients starting together against an empty database migrate it once.
func TestClientsStartingTogetherMigrateOnce(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := sqlite.OpenPostgres(ctx, dsn, clock)
			if err == nil {
				db.Close()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	c, _ := pgx.Connect(ctx, dsn)
	defer c.Close(ctx)
	var applied, distinct int
	if err := c.QueryRow(ctx, `SELECT count(*), count(DISTINCT version) FROM portolan.schema_migrations`).Scan(&applied, &distinct); err != nil ||
		applied != distinct {
		t.Errorf("%d migrations recorded for %d versions (%v)", applied, distinct, err)
	}
}

func TestNewerSchemaIsRefusedUntouched(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	openPG(t, dsn).Close()
	execPG(t, dsn, `INSERT INTO portolan.schema_migrations (version, name, applied_at) VALUES (999, 'from_the_future', 0)`)
	_, err := sqlite.OpenPostgres(ctx, dsn, clock)
	if !errors.Is(err, sqlite.ErrNewerSchema) || !strings.Contains(err.Error(), "install the newer Portolan") {
		t.Fatalf("newer schema: %v", err)
	}
}

func TestForeignDatabasesAreRefused(t *testing.T) {
	t.Parallel()
	// Another program's tables.
	other := pgtest.NewDatabase(t)
	execPG(t, other, `CREATE TABLE invoices (id serial PRIMARY KEY, total numeric)`)
	_, err := sqlite.OpenPostgres(ctx, other, clock)
	if !errors.Is(err, sqlite.ErrNotPortolan) || !strings.Contains(err.Error(), "public.invoices") {
		t.Fatalf("database with other tables: %v", err)
	}
	var n int
	c, _ := pgx.Connect(ctx, other)
	defer c.Close(ctx)
	if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = 'portolan'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a refused database was changed: %d portolan schemas (%v)", n, err)
	}
	// A schema of the same name that Portolan did not make.
	squat := pgtest.NewDatabase(t)
	execPG(t, squat, `CREATE SCHEMA portolan`)
	if _, err := sqlite.OpenPostgres(ctx, squat, clock); !errors.Is(err, sqlite.ErrNotPortolan) {
		t.Fatalf("someone else's portolan schema: %v", err)
	}
}

func TestWrongAddressSaysWhere(t *testing.T) {
	t.Parallel()
	_, err := sqlite.OpenPostgres(ctx, "host=/nonexistent port=5432 user=nobody dbname=portolan connect_timeout=2", clock)
	if err == nil || !strings.Contains(err.Error(), `"portolan" on /nonexistent:5432`) {
		t.Fatalf("unreachable server: %v", err)
	}
	if _, err := sqlite.OpenPostgres(ctx, "postgres://a b@/", clock); err == nil || !strings.Contains(err.Error(), "not valid") {
		t.Fatalf("malformed address: %v", err)
	}
}

// A server on another computer is reached with TLS only: passwords and
// orders never cross a network unencrypted.
func TestServersElsewhereNeedTLS(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"postgres://ana@db.example.com/portolan", "postgres://ana@db.example.com/portolan?sslmode=prefer",
		"postgres://ana@10.1.2.3/portolan?sslmode=disable", "host=db.example.com dbname=portolan sslmode=allow"} {
		_, err := sqlite.OpenPostgres(ctx, addr, clock)
		if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "sslmode=verify-full") {
			t.Errorf("%s: %v", addr, err)
		}
	}
	// Required TLS is tried (the server is not there: a connection error, not a refusal).
	_, err := sqlite.OpenPostgres(ctx, "postgres://ana@127.0.0.2:1/portolan?sslmode=disable&connect_timeout=2", clock)
	if err == nil || strings.Contains(err.Error(), "sslmode=verify-full") {
		t.Errorf("loopback without TLS: %v", err)
	}
	_, err = sqlite.OpenPostgres(ctx, "postgres://ana@db.invalid:1/portolan?sslmode=verify-full&connect_timeout=2", clock)
	if err == nil || strings.Contains(err.Error(), "does not require TLS") {
		t.Errorf("verify-full: %v", err)
	}
}

// The server going away mid-use: the user is told so, nothing is half
// written, and once it is back Portolan goes on without being reopened.
func TestServerGoneAndBack(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	addr, link := cuttableLink(t, dsn)
	db := openPG(t, addr)
	f := newFixture(t, db)
	link.Cut()
	err := db.CatalogStore().CreateWarehouse(ctx, &domain.Warehouse{Code: "AU-SYD", Name: "Sydney", TimeZone: "Australia/Sydney",
		Address: domain.Address{Name: "P", Line1: "1 Dock Rd", City: "Sydney", Country: "AU"}})
	if !errors.Is(err, sqlite.ErrServerGone) || !strings.Contains(err.Error(), "cannot be reached") {
		t.Fatalf("write while the server is gone: %v", err)
	}
	link.Mend()
	whs, err := db.CatalogStore().Warehouses(ctx)
	if err != nil || len(whs) != 2 {
		t.Fatalf("after the server came back: %d warehouses, %v (want the fixture's 2: nothing half-written)", len(whs), err)
	}
	must(t, db.OrderStore().CreateOrder(ctx, order(f.channel.ID, "B1", "#B1", placedAt, "Ana", "a@example.com", "NL", "EUR", "PRT-1")))
	// A database that is not there, and a role that is not there, say so.
	cfg, _ := pgx.ParseConfig(dsn)
	missing := strings.Replace(dsn, "/"+cfg.Database+"?", "/no_such_db?", 1)
	if _, err := sqlite.OpenPostgres(ctx, missing, clock); domain.ErrorCode(err) != domain.ENOTFOUND || !strings.Contains(err.Error(), "no such database") {
		t.Errorf("missing database: %v", err)
	}
	stranger := strings.Replace(dsn, "postgres://postgres@", "postgres://nobody_here@", 1)
	if _, err := sqlite.OpenPostgres(ctx, stranger, clock); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "refused the sign-in") {
		t.Errorf("unknown role: %v", err)
	}
}
