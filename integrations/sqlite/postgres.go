package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/portolan/portolan/domain"
)

// Team mode keeps the same data on a PostgreSQL server (issue 16, being
// built): the stores run the same SQL on it (parameters rebound, see
// pgdriver.go), its schema lives in the schema "portolan" of a database of
// its own, marked as Portolan's, and every write transaction is
// SERIALIZABLE, retried when the server finds it overlapped another: what
// the one SQLite writer guarantees by running one at a time.

//go:embed pgmigrations/*.sql
var pgMigrationFS embed.FS

// PGSchema is the PostgreSQL schema that holds Portolan's tables.
const PGSchema = "portolan"

// pgMarker is the schema's comment: it tells Portolan's schema from another
// program's schema of the same name.
const pgMarker = "Portolan"

// pgMigrateLock is the advisory lock key that serialises migrations ("Port").
const pgMigrateLock = ApplicationID

// pgMigrations lists the embedded PostgreSQL migrations in order.
func pgMigrations() ([]migration, error) { return readMigrations(pgMigrationFS, "pgmigrations") }

// needTLS refuses a server on another computer reached without TLS (or with
// TLS that may silently fall back to none, sslmode=prefer or allow): the
// password and every order would cross the network readable. A Unix socket
// and this computer's loopback need none.
func needTLS(cfg *pgx.ConnConfig) error {
	host := cfg.Host
	if strings.HasPrefix(host, "/") || host == "localhost" || net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback() {
		return nil
	}
	encrypted := cfg.TLSConfig != nil
	for _, f := range cfg.Fallbacks {
		encrypted = encrypted && f.TLSConfig != nil
	}
	if !encrypted {
		return domain.Errorf(domain.EINVALID, "%s is another computer and the address does not require TLS; add sslmode=verify-full "+
			"(e.g. postgres://you@%s/portolan?sslmode=verify-full) so that passwords and data cross the network encrypted", host, host)
	}
	return nil
}

// OpenRaw opens a database for SQL of one's own (tests, repairs) without the
// stores: a file with SQLite's driver, or a postgres:// address with the
// store's parameters (?, ?N) and Portolan's schema as the search path.
func OpenRaw(address string) (*sql.DB, error) {
	if !strings.HasPrefix(address, "postgres://") && !strings.HasPrefix(address, "postgresql://") {
		return sql.Open("sqlite", address)
	}
	cfg, err := pgx.ParseConfig(address)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["search_path"] = PGSchema
	return sql.OpenDB(rebindConnector{inner: stdlib.GetConnector(*cfg)}), nil
}

// OpenPostgres connects to a PostgreSQL database (a postgres:// URL or a
// key=value connection string; a password comes from it, PGPASSWORD or the
// .pgpass file) and brings its schema up to date. A database that holds
// other programs' tables returns ErrNotPortolan; one written by a newer
// Portolan, ErrNewerSchema; both are left untouched.
func OpenPostgres(ctx context.Context, dsn string, now func() time.Time) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "the PostgreSQL address is not valid: %v", err)
	}
	if err := needTLS(cfg); err != nil {
		return nil, err
	}
	cfg.RuntimeParams["search_path"] = PGSchema
	cfg.RuntimeParams["application_name"] = "portolan"
	cfg.RuntimeParams["timezone"] = "UTC"
	// Plan each statement for its parameters: a search for "m" (every order)
	// and one for "山田" (a few) want different plans.
	cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	where := fmt.Sprintf("%q on %s:%d", cfg.Database, cfg.Host, cfg.Port) // never the password
	trips := new(atomic.Int64)
	pool := sql.OpenDB(rebindConnector{stdlib.GetConnector(*cfg), trips})
	pool.SetMaxOpenConns(16)
	ms, err := pgMigrations()
	if err == nil {
		err = pgMigrate(ctx, pool, ms, now)
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL database %s: %w", where, translate(err))
	}
	return &DB{write: pool, read: pool, path: where, Now: now, pg: true, trips: trips, pgConfig: cfg, folder: &pgFolder{}}, nil
}

// pgMigrate applies what the database lacks of ms, each migration in a
// transaction that holds the migration lock, so that clients starting at
// once do not both migrate.
func pgMigrate(ctx context.Context, pool *sql.DB, ms []migration, now func() time.Time) error {
	latest := ms[len(ms)-1].version
	for {
		done, err := pgStep(ctx, pool, ms, latest, now)
		if err != nil || done {
			return err
		}
	}
}

// pgStep applies the next migration, or says the schema is up to date.
func pgStep(ctx context.Context, pool *sql.DB, ms []migration, latest int, now func() time.Time) (done bool, err error) {
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, pgMigrateLock); err != nil {
		return false, err
	}
	current, err := pgSchemaVersion(ctx, tx)
	if err != nil {
		return false, err
	}
	switch {
	case current > latest:
		return false, fmt.Errorf("%w (schema %d, this build knows up to %d); install the newer Portolan to open it", ErrNewerSchema, current, latest)
	case current == latest:
		return true, tx.Commit()
	}
	m := ms[current]
	if current > 0 {
		// Changing the schema is its owner's (the team's people may not).
		var owner bool
		if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
			OR pg_has_role(session_user, (SELECT nspowner FROM pg_namespace WHERE nspname = ?), 'MEMBER')`, PGSchema).Scan(&owner); err != nil {
			return false, err
		}
		if !owner {
			return false, domain.Errorf(domain.EINVALID, "this Portolan brings an update of the team database (schema %d to %d) that only "+
				"the database's owner may make: ask your admin to open it once with this version (nothing was changed)", current, latest)
		}
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, millis(now())); err != nil {
		return false, err
	}
	return false, tx.Commit()
}

// pgSchemaVersion is the version of Portolan's schema in the database; in
// a database without any tables it creates the (empty) schema. A database
// with other programs' tables, or a schema "portolan" that Portolan did not
// make, is refused.
func pgSchemaVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	var comment sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = ?`, PGSchema).Scan(&comment)
	switch {
	case err == nil:
		if comment.String != pgMarker {
			return 0, fmt.Errorf("%w (it has a schema %q that another program made); give Portolan a database of its own", ErrNotPortolan, PGSchema)
		}
		var v int
		err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
		return v, err
	case !errors.Is(err, sql.ErrNoRows):
		return 0, err
	}
	tables, err := queryList(ctx, tx, func(rows *sql.Rows, s *string) error { return rows.Scan(s) },
		`SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1 LIMIT 3`)
	if err != nil {
		return 0, err
	}
	if len(tables) > 0 {
		return 0, fmt.Errorf("%w (it holds other tables, such as %s); give Portolan an empty database of its own",
			ErrNotPortolan, strings.Join(tables, ", "))
	}
	for _, q := range []string{
		`CREATE SCHEMA ` + PGSchema,
		`COMMENT ON SCHEMA ` + PGSchema + ` IS '` + pgMarker + `'`,
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// Version is the version of the database's schema.
func (db *DB) Version(ctx context.Context) (int, error) {
	var v int
	q := `PRAGMA user_version`
	if db.pg {
		q = `SELECT coalesce(max(version), 0) FROM schema_migrations`
	}
	err := db.read.QueryRowContext(ctx, q).Scan(&v)
	return v, translate(err)
}

// jsonValues is a FROM item, aliased j, of the elements of a JSON array
// passed as parameter n (0: the next one): j.value is an element as text or
// number, j.key its position.
func (db *DB) jsonValues(n int) string {
	p := "?"
	if n > 0 {
		p += strconv.Itoa(n)
	}
	if db.pg {
		return `json_array_elements_text(CAST(` + p + ` AS json)) WITH ORDINALITY AS j(value, key)`
	}
	return `json_each(` + p + `) AS j`
}

// jsonArray is list as the JSON array jsonValues reads ("[]" for none).
func jsonArray[T any](list []T) string {
	if len(list) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(list)
	return string(b)
}

// RoundTrips is how many requests the database's connections have sent
// the server (0 on SQLite): what a use case costs over a long distance.
func (db *DB) RoundTrips() int64 {
	if db.trips == nil {
		return 0
	}
	return db.trips.Load()
}

// OnServer says whether the database is on a PostgreSQL server.
func (db *DB) OnServer() bool { return db.pg }

// pgAttempts is how many times a write transaction is tried when it keeps
// overlapping others.
const pgAttempts = 50

// ErrContended is a change given up after it overlapped others' changes
// pgAttempts times in a row.
var ErrContended = &domain.Error{Code: domain.ECONFLICT, Message: "others were changing the same data at the same moment; nothing was changed, try again"}

// pgRetryable says whether PostgreSQL gave up a transaction only because it
// overlapped another (serialization failure or deadlock): running it again
// is the remedy.
func pgRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// ErrServerGone is a team server that cannot be reached, or stopped
// answering mid-way: nothing half-written stays (the server rolls back what
// it did not commit), and the next action connects again by itself.
var ErrServerGone = &domain.Error{Code: domain.EINTERNAL, Message: "the team's database server cannot be reached right now; " +
	"nothing was changed — check the network, then try again (Portolan connects again by itself)"}

// ErrSignInRefused is a sign-in the team's server refused: a wrong or
// missing password, an unknown login, or one no longer allowed in.
var ErrSignInRefused = errors.New("sign-in refused")

// pgTranslate maps PostgreSQL's errors as translate maps SQLite's.
func pgTranslate(err error) (error, bool) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		var ce *pgconn.ConnectError
		var ne net.Error
		if errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
			strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "unexpected EOF") {
			return fmt.Errorf("%w (%v)", ErrServerGone, err), true
		}
		return err, false
	}
	switch pe.Code {
	case "28P01", "28000": // invalid password, no such role or not allowed in
		return &domain.Error{Code: domain.EINVALID, Err: ErrSignInRefused, Message: fmt.Sprintf("the team's database server refused the sign-in (%s); "+
			"check the user name in the address and the password in PGPASSWORD or ~/.pgpass", pe.Message)}, true
	case "3D000": // no such database
		return domain.Errorf(domain.ENOTFOUND, "the team's database server has no such database (%s); create it (createdb) or check the address", pe.Message), true
	case "42501": // insufficient privilege, or a row outside one's warehouses
		if strings.Contains(pe.Message, "row-level security") {
			return domain.Errorf(domain.EINVALID, "the team's database refused this: a warehouse person changes only the stock and work "+
				"of their own warehouses (%s); nothing was changed — ask an admin if you need another warehouse", pe.Message), true
		}
		return domain.Errorf(domain.EINVALID, "the team's database refused this: your role may not do it (%s); nothing was changed — "+
			"ask an admin if you need it", pe.Message), true
	case "23505": // unique_violation
		return fmt.Errorf("%w: %w", domain.ErrConflict, err), true
	case "40001", "40P01":
		return fmt.Errorf("%w: %w", ErrContended, err), true
	case "P0001": // a rule of the schema (raise in a trigger): its words
		return errors.New(pe.Message), true
	}
	return err, false
}
