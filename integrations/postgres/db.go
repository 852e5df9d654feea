// Package postgres keeps Portolan's data on a PostgreSQL server, for a team
// that shares one database (team mode). It speaks to the server through
// pgx's connection pool.
//
// Everything Portolan stores lives in the schema "portolan" of a database
// of its own, marked as Portolan's; Open refuses a database that holds
// other programs' tables or was written by a newer Portolan, and otherwise
// brings the schema up to date with the embedded, numbered migrations (one
// transaction each, serialised between clients by an advisory lock).
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Schema is the PostgreSQL schema that holds Portolan's tables.
const Schema = "portolan"

// marker is the schema's comment: what tells Portolan's schema from another
// program's schema of the same name.
const marker = "Portolan"

// migrateLock is the advisory lock key that serialises migrations ("Port").
const migrateLock = 0x506f7274

// Errors returned by Open. Both leave the database untouched.
var (
	ErrNotPortolan = errors.New("not a Portolan database")
	ErrNewerSchema = errors.New("database was written by a newer version of Portolan")
)

// DB is an open Portolan database on a PostgreSQL server.
type DB struct {
	pool *pgxpool.Pool
	// Now returns the current time; tests replace it.
	Now func() time.Time
}

type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded migrations in order: NNNN_name.sql.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %q is not named NNNN_name.sql", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %d is missing", i+1)
		}
	}
	return out, nil
}

// Open connects to the database at dsn (a postgres:// URL or a key=value
// connection string; passwords come from it, PGPASSWORD or the .pgpass
// file) and brings its schema up to date. now is the clock it stamps what it
// writes with.
func Open(ctx context.Context, dsn string, now func() time.Time) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("the PostgreSQL address is not valid: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = Schema
	cfg.ConnConfig.RuntimeParams["application_name"] = "portolan"
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to PostgreSQL at %s: %w", where(cfg), err)
	}
	ms, err := migrations()
	if err == nil {
		err = migrate(ctx, pool, ms, now)
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL database %s: %w", where(cfg), err)
	}
	return &DB{pool: pool, Now: now}, nil
}

// where names the server and database, never the password.
func where(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("%q on %s:%d", c.Database, c.Host, c.Port)
}

// Close releases the connections.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Version is the schema version the database is at.
func (db *DB) Version(ctx context.Context) (int, error) {
	var v int
	err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// migrate applies what the database lacks of ms, each in a transaction that
// holds the migration lock, so that two clients starting at once do not both
// migrate.
func migrate(ctx context.Context, pool *pgxpool.Pool, ms []migration, now func() time.Time) error {
	latest := ms[len(ms)-1].version
	for {
		done, err := step(ctx, pool, ms, latest, now)
		if err != nil || done {
			return err
		}
	}
}

// step applies the next migration, or says the schema is up to date.
func step(ctx context.Context, pool *pgxpool.Pool, ms []migration, latest int, now func() time.Time) (done bool, err error) {
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return err
		}
		current, err := schemaVersion(ctx, tx)
		if err != nil {
			return err
		}
		switch {
		case current > latest:
			return fmt.Errorf("%w (schema %d, this build knows up to %d); install the newer Portolan to open it", ErrNewerSchema, current, latest)
		case current == latest:
			done = true
			return nil
		}
		m := ms[current]
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, now().UTC().UnixMilli())
		return err
	})
	return done, err
}

// schemaVersion is the version of Portolan's schema in the database,
// creating the (empty) schema in a database that has no tables at all; a
// database with other programs' tables, or a schema "portolan" that Portolan
// did not make, is refused.
func schemaVersion(ctx context.Context, tx pgx.Tx) (int, error) {
	var comment *string
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT true, obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = $1`,
		Schema).Scan(&exists, &comment); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, err
	}
	if exists {
		if comment == nil || *comment != marker {
			return 0, fmt.Errorf("%w (it has a schema %q that another program made); give Portolan a database of its own", ErrNotPortolan, Schema)
		}
		var v int
		err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
		return v, err
	}
	var tables []string
	rows, err := tx.Query(ctx, `SELECT schemaname || '.' || tablename FROM pg_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1 LIMIT 3`)
	if err != nil {
		return 0, err
	}
	tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	if len(tables) > 0 {
		return 0, fmt.Errorf("%w (it holds other tables, such as %s); give Portolan an empty database of its own",
			ErrNotPortolan, strings.Join(tables, ", "))
	}
	for _, q := range []string{
		`CREATE SCHEMA ` + Schema,
		`COMMENT ON SCHEMA ` + Schema + ` IS '` + marker + `'`,
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return 0, err
		}
	}
	return 0, nil
}
