// Package sqlite stores Portolan's data in one SQLite file through the pure-Go
// modernc.org/sqlite driver. It implements the store ports of package domain.
//
// The file is opened in WAL mode with foreign keys, a busy timeout and
// immediate write transactions; writes go through one connection, reads
// through a small pool. Schema changes are numbered .sql files embedded in the
// binary, each applied in its own transaction and recorded.
package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/portolan/portolan/domain"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ApplicationID marks a SQLite file as a Portolan database ("Port").
const ApplicationID = 0x506f7274

//go:embed migrations/*.sql
var migrationFS embed.FS

// Errors returned by Open. Both leave the file untouched.
var (
	ErrNotPortolan = errors.New("not a Portolan database")
	ErrNewerSchema = errors.New("database was written by a newer version of Portolan")
)

// DB is an open Portolan database.
type DB struct {
	write *sql.DB // one connection: SQLite has one writer
	read  *sql.DB
	path  string
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// readOnly says why the database can only be read ("": it can be written).
	readOnly string
	// Notices say what Open changed that the user should know (a
	// database file others could read, made owner-only).
	Notices []string
	// vault, when set, keeps the credentials; the database then keeps
	// references to them (see secrets.go).
	vault   domain.SecretVault
	secrets sync.Map // ref → secret, read once from the vault
	// pg says the database is on a PostgreSQL server (OpenPostgres).
	pg bool
	// trips counts the requests sent to the server (RoundTrips).
	trips *atomic.Int64
	// pgConfig is how to connect to the server (Watch listens on a
	// connection of its own).
	pgConfig *pgx.ConnConfig
	// folder folds orders' search text as the server does (pgfold.go).
	folder *pgFolder
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) { return readMigrations(migrationFS, "migrations") }

// readMigrations lists the numbered migration files NNNN_name.sql of dir,
// in order, refusing a gap.
func readMigrations(fsys embed.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		b, err := fsys.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return out, nil
}

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err)
	}
	return len(ms)
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date; now is the clock it stamps what it writes with. A file that is not a Portolan database returns ErrNotPortolan; a
// database from a newer Portolan returns ErrNewerSchema. In both cases the
// file is not modified.
func Open(path string, now func() time.Time) (*DB, error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	if err := checkFile(path, len(ms)); err != nil {
		return nil, err
	}
	if why := readOnlyBecause(path); why != "" {
		return openReadOnly(path, now, why, len(ms))
	}
	notices, err := ownerOnly(path)
	if err != nil {
		return nil, err
	}
	const pragmas = "_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)"
	// The writer keeps a 64 MiB page cache: a sync into a large database
	// touches the same index and search-index pages transaction after
	// transaction, and re-reading them from the file cost a fifth of its time.
	write, err := sql.Open("sqlite", path+"?"+pragmas+"&_pragma=journal_mode(WAL)&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint(8192)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	db := &DB{write: write, path: path, Now: now, Notices: notices}
	if err := db.migrate(ms); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite", path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(4)
	db.read = read
	if err := db.interruptOrphanRuns(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// readOnlyBecause says why an existing database can only be read: the file
// cannot be opened for writing, or its folder cannot take the files SQLite
// keeps beside it ("" when it can be written).
func readOnlyBecause(path string) string {
	if _, err := os.Stat(path); err != nil {
		return "" // a new database: created (or refused) as usual
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return "the file cannot be written (" + err.Error() + ")"
	}
	f.Close()
	probe, err := os.CreateTemp(filepath.Dir(path), ".portolan-probe-*")
	if err != nil {
		return "its folder cannot be written (" + err.Error() + ")"
	}
	probe.Close()
	os.Remove(probe.Name())
	return ""
}

// openReadOnly opens a database that cannot be written, to be read: every
// change is refused with why (ErrReadOnly). A schema older than this
// build's cannot be brought up to date, so it is refused.
func openReadOnly(path string, now func() time.Time, why string, latest int) (*DB, error) {
	// immutable: SQLite creates no -shm beside it (the folder may not take one).
	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro&immutable=1&_pragma=foreign_keys(1)&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	var version int
	if err := ro.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		ro.Close()
		return nil, fmt.Errorf("%s: %w", path, translate(err))
	}
	if version < latest {
		ro.Close()
		return nil, domain.Errorf(domain.EINVALID, "%s can only be read (%s) and was written by an older Portolan, so it cannot be brought up to date; "+
			"copy it to a folder you can write to and open the copy", path, why)
	}
	db := &DB{write: ro, read: ro, path: path, Now: now, readOnly: why,
		Notices: []string{fmt.Sprintf("%s is open read-only: %s. You can look, but nothing can be changed; to work in it, copy it to a folder you can write to", path, why)}}
	return db, nil
}

// ownerOnly makes sure only the user can read the database: a new file is
// created owner-only (0600) in a folder created owner-only (0700); an
// existing file others could read is made owner-only, with a notice. SQLite
// gives its -wal and -shm files the database file's permissions.
func ownerOnly(path string) ([]string, error) {
	if dir := filepath.Dir(path); dir != "" {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create folder for database: %w", err)
			}
		}
	}
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("create the database: %w", err)
		}
		if f != nil {
			f.Close()
		}
		return nil, nil
	}
	if err != nil || runtime.GOOS == "windows" || info.Mode().Perm()&0o077 == 0 || !info.Mode().IsRegular() {
		return nil, nil // Windows: the user's profile folder already keeps it private
	}
	var notices []string
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(f); err == nil && fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(f, 0o600); err != nil {
				return nil, fmt.Errorf("the database %s can be read by other accounts on this computer and could not be made private: %w", path, err)
			}
		}
	}
	notices = append(notices, fmt.Sprintf("the database %s could be read by other accounts on this computer (mode %04o); it is now readable by you only (0600)",
		path, info.Mode().Perm()))
	return notices, nil
}

// Close closes the database.
func (db *DB) Close() error {
	var errs []error
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	errs = append(errs, db.write.Close())
	return errors.Join(errs...)
}

// Path is the file the database lives in.
func (db *DB) Path() string { return db.path }

func (db *DB) now() time.Time { return db.Now().UTC() }

// checkFile inspects an existing file's SQLite header without opening it for
// writing: the magic string, the application id (offset 68) and the schema
// version kept in user_version (offset 60).
func checkFile(path string, latest int) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	defer f.Close()
	hdr := make([]byte, 100)
	n, err := io.ReadFull(f, hdr)
	if n == 0 && (err == io.EOF || err == nil) {
		return nil // empty file: a new database
	}
	if err != nil || !bytes.HasPrefix(hdr, []byte("SQLite format 3\x00")) {
		return fmt.Errorf("%s: %w (it is not an SQLite file); choose another file with --db", path, ErrNotPortolan)
	}
	appID := binary.BigEndian.Uint32(hdr[68:72])
	version := int(binary.BigEndian.Uint32(hdr[60:64]))
	switch appID {
	case ApplicationID:
		if version > latest {
			return fmt.Errorf("%s: %w (schema %d, this build knows up to %d); install the newer Portolan to open it", path, ErrNewerSchema, version, latest)
		}
		return nil
	case 0:
		// The header may be stale while another Portolan has the file open in
		// WAL mode, so ask SQLite (read-only); an SQLite file without our id is
		// ours only while it is still empty.
		ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
		if err != nil {
			return err
		}
		defer ro.Close()
		var tables int
		var id uint32
		if err := ro.QueryRow(`SELECT count(*) FROM sqlite_master`).Scan(&tables); err != nil {
			return fmt.Errorf("%s: %w (%v); choose another file with --db", path, ErrNotPortolan, err)
		}
		if err := ro.QueryRow(`PRAGMA application_id`).Scan(&id); err != nil {
			return err
		}
		if id == ApplicationID {
			if err := ro.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
				return err
			}
			if version > latest {
				return fmt.Errorf("%s: %w (schema %d, this build knows up to %d); install the newer Portolan to open it", path, ErrNewerSchema, version, latest)
			}
			return nil
		}
		if tables > 0 {
			return fmt.Errorf("%s: %w (an SQLite database of another program); choose another file with --db", path, ErrNotPortolan)
		}
		return nil
	default:
		return fmt.Errorf("%s: %w (an SQLite database of another program, application id %#x); choose another file with --db", path, ErrNotPortolan, appID)
	}
}

func (db *DB) migrate(ms []migration) error {
	ctx := context.Background()
	for _, m := range ms {
		err := db.writeTx(ctx, func(tx *sql.Tx) error {
			var current int
			if err := tx.QueryRow(`PRAGMA user_version`).Scan(&current); err != nil {
				return err
			}
			if current > len(ms) {
				return fmt.Errorf("%s: %w (schema %d, this build knows up to %d)", db.path, ErrNewerSchema, current, len(ms))
			}
			if current >= m.version {
				return nil
			}
			if _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
				version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
				return err
			}
			if _, err := tx.Exec(m.sql); err != nil {
				return fmt.Errorf("apply %s: %w", m.name, err)
			}
			if _, err := tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, db.now().UnixMilli()); err != nil {
				return err
			}
			if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, m.version)); err != nil {
				return err
			}
			_, err := tx.Exec(fmt.Sprintf(`PRAGMA application_id = %d`, ApplicationID))
			return err
		})
		if err != nil {
			return translate(err)
		}
	}
	return nil
}

// writeTx runs fn in an immediate write transaction, rolling back on error or panic.
func (db *DB) writeTx(ctx context.Context, fn func(*sql.Tx) error) (err error) {
	if db.readOnly != "" {
		return domain.Errorf(domain.EINVALID, "the database is open read-only (%s); nothing was changed. Copy it to a folder you can write to, "+
			"and open the copy with --db", db.readOnly)
	}
	if tx, ok := ctx.Value(txKey{db}).(*sql.Tx); ok {
		return fn(tx) // inside InTx: its transaction commits or rolls back
	}
	if db.pg {
		// SERIALIZABLE: the outcome is as if the transactions ran one at a
		// time, which the store's read-then-write steps rely on; the server
		// refuses one that overlapped another, and it is run again — so fn
		// must start afresh each time (what it reports is set, not added to).
		for attempt := 1; ; attempt++ {
			err = db.tryTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable}, fn)
			if !pgRetryable(err) || attempt == pgAttempts || ctx.Err() != nil {
				return translate(err)
			}
			// Back off a little, at random, so that the overlapping ones
			// do not meet again at once.
			t := time.NewTimer(time.Duration(rand.Int64N(int64(min(attempt, 20)) * int64(2*time.Millisecond))))
			select {
			case <-ctx.Done():
				t.Stop()
				return translate(err)
			case <-t.C:
			}
		}
	}
	return translate(db.tryTx(ctx, nil, fn))
}

// tryTx runs fn in one transaction, rolling back on error or panic.
func (db *DB) tryTx(ctx context.Context, opts *sql.TxOptions, fn func(*sql.Tx) error) (err error) {
	tx, err := db.write.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// txKey marks a context whose store calls run in one transaction (InTx).
type txKey struct{ db *DB }

// InTx runs fn as one write transaction: every store method fn calls with
// the context it is given joins it — its reads see what it wrote before —
// and nothing is kept unless fn returns nil. A use case that changes data in
// several steps (drafting an invoice) runs in one.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{db}).(*sql.Tx); ok {
		return fn(ctx)
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error { return fn(context.WithValue(ctx, txKey{db}, tx)) })
}

// querier reads: the transaction of InTx when ctx is in one, else a reader.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// reader is where a read with ctx goes: InTx's transaction, else the readers.
func (db *DB) reader(ctx context.Context) querier {
	if tx, ok := ctx.Value(txKey{db}).(*sql.Tx); ok {
		return tx
	}
	return db.read
}

// ErrBusy is returned when another program holds the database lock for longer than the busy timeout.
var ErrBusy = &domain.Error{Code: domain.ECONFLICT, Message: "the database is locked by another program or Portolan window; try again in a moment"}

// translate maps driver errors to domain errors at the edge.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrBusy) || errors.Is(err, ErrContended) || errors.Is(err, domain.ErrConflict) {
		return err // translated already
	}
	if e, ok := pgTranslate(err); ok {
		return e
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: %v", ErrBusy, err)
		case sqlite3.SQLITE_CONSTRAINT:
			if se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
				return fmt.Errorf("%w: %v", domain.ErrConflict, err)
			}
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return domain.ErrNotFound
	}
	return err
}

// missing is err translated, or when the row sought does not exist a
// not-found error saying what is missing.
func missing(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ENOTFOUND, format, args...)
	}
	return translate(err)
}

func millis(t time.Time) int64 { return t.UTC().UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// likeEscaper escapes what LIKE … ESCAPE '\' would read as wildcards.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// likeText is s as literal text in a LIKE pattern with ESCAPE '\'.
func likeText(s string) string { return likeEscaper.Replace(s) }

// queryList runs a query and makes a T of each row: scan reads the row into
// the T it is given (rows.Scan and any conversion). The first error stops it.
func queryList[T any](ctx context.Context, q querier, scan func(rows *sql.Rows, v *T) error, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, translate(rows.Err())
}

// insert runs an INSERT into a table with an id column and returns a result
// whose LastInsertId is the new row's id, read with RETURNING id, which
// SQLite and PostgreSQL both understand (PostgreSQL's driver has no
// LastInsertId). An INSERT … ON CONFLICT DO NOTHING that inserted nothing
// returns a result of no rows and id 0.
func insert(ctx context.Context, x interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}, query string, args ...any) (sql.Result, error) {
	var id int64
	err := x.QueryRowContext(ctx, query+` RETURNING id`, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return inserted(0), nil
	}
	if err != nil {
		return nil, err
	}
	return inserted(id), nil
}

// insertID inserts a row and sets *id to its id; what names the row in an
// error (a code taken, say).
func insertID(ctx context.Context, x interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}, id *int64, what, query string, args ...any) error {
	if err := x.QueryRowContext(ctx, query+` RETURNING id`, args...).Scan(id); err != nil {
		return fmt.Errorf("%s: %w", what, translate(err))
	}
	return nil
}

// inserted is the result of insert: the new row's id (0: none inserted).
type inserted int64

func (r inserted) LastInsertId() (int64, error) { return int64(r), nil }

func (r inserted) RowsAffected() (int64, error) {
	if r == 0 {
		return 0, nil
	}
	return 1, nil
}

// values is n rows of parameters for a VALUES list, one column a type: ""
// for a plain parameter (an INSERT's, typed by its column), else the type
// it is cast to (PostgreSQL reads an untyped parameter in a VALUES list
// that is not an INSERT's as text).
func values(n int, types ...string) string {
	cols := make([]string, len(types))
	for i, t := range types {
		cols[i] = "?"
		if t != "" {
			cols[i] = "CAST(? AS " + t + ")"
		}
	}
	one := "(" + strings.Join(cols, ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
}

// flatten is rows of values as one list of parameters.
func flatten(rows [][]any) []any {
	var out []any
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// inChunks runs do on args 500 at a time (within both databases' limits on
// parameters).
func inChunks(args []any, do func(chunk []any) error) error {
	for chunk := range slices.Chunk(args, 500) {
		if err := do(chunk); err != nil {
			return err
		}
	}
	return nil
}

// queryCounts reads a count per key: SELECT key, count(*) … GROUP BY key.
func queryCounts[K ~string](ctx context.Context, q querier, query string, args ...any) (map[K]int, error) {
	return queryMap[K, int](ctx, q, query, args...)
}

// queryMap reads a value per key: SELECT key, value … (a row a key).
func queryMap[K comparable, V any](ctx context.Context, q querier, query string, args ...any) (map[K]V, error) {
	out := map[K]V{}
	_, err := queryList(ctx, q, func(rows *sql.Rows, _ *struct{}) error {
		var k K
		var v V
		err := rows.Scan(&k, &v)
		out[k] = v
		return err
	}, query, args...)
	return out, err
}

// queryDocuments reads documents with their lines (orders and their lines,
// transfers and theirs) from one query ordered by document: row reads a row
// into a document, a line and the document's id; the first row of a
// document starts it, and add puts each row's line on its document.
func queryDocuments[D, L any](ctx context.Context, q querier, row func(rows *sql.Rows) (D, L, int64, error), add func(d *D, l L),
	query string, args ...any) ([]D, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []D
	var last int64
	for rows.Next() {
		d, l, id, err := row(rows)
		if err != nil {
			return nil, err
		}
		if len(out) == 0 || id != last {
			out, last = append(out, d), id
		}
		add(&out[len(out)-1], l)
	}
	return out, translate(rows.Err())
}

// scanWith adapts a function that scans one row into a new T to queryList.
func scanWith[T any](scan func(r interface{ Scan(...any) error }) (T, error)) func(*sql.Rows, *T) error {
	return func(rows *sql.Rows, v *T) error {
		var err error
		*v, err = scan(rows)
		return err
	}
}

// updateOne runs a statement that must change a row; when it changes none
// (the row is missing, or not in the state the statement requires) it
// returns none, the error saying why.
func updateOne(ctx context.Context, x interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}, none error, query string, args ...any) error {
	res, err := x.ExecContext(ctx, query, args...)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return none
	}
	return nil
}

// unnest is rows of values as PostgreSQL arrays, one a column, for
// INSERT … SELECT * FROM unnest(…): a statement with a parameter a column
// instead of one a value, which the server neither parses nor plans again
// for every row. Each column's type is its first row's: whole numbers are
// bigint, text is text.
func unnest(rows [][]any) (string, []any) {
	if len(rows) == 0 {
		return "", nil
	}
	casts := make([]string, len(rows[0]))
	args := make([]any, len(rows[0]))
	for c, v := range rows[0] {
		switch v.(type) {
		case string:
			col := make([]string, len(rows))
			for r := range rows {
				col[r] = rows[r][c].(string)
			}
			casts[c], args[c] = "CAST(? AS text[])", col
		default:
			col := make([]int64, len(rows))
			for r := range rows {
				col[r] = wholeNumber(rows[r][c])
			}
			casts[c], args[c] = "CAST(? AS bigint[])", col
		}
	}
	return "unnest(" + strings.Join(casts, ", ") + ")", args
}

// wholeNumber is an integer parameter as int64.
func wholeNumber(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case int32:
		return int64(n)
	case bool:
		if n {
			return 1
		}
		return 0
	}
	panic(fmt.Sprintf("unnest: a %T is not a whole number", v))
}
