package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// SetCommonShare changes the share of orders (1/n) a search must hit to be read
// row by row, and returns a func that restores it.
func SetCommonShare(n int) (restore func()) {
	old := commonShare
	commonShare = n
	return func() { commonShare = old }
}

// OpenAtVersion creates or opens a database migrated only up to schema n, as
// an older Portolan left it; the caller closes it.
func OpenAtVersion(path string, n int) (*DB, error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	write, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	old := &DB{write: write, read: write, path: path, Now: time.Now}
	if err := old.migrate(ms[:n]); err != nil {
		write.Close()
		return nil, err
	}
	return old, nil
}

// Exec runs a statement on the writer (to set up what an older version stored).
func (db *DB) Exec(q string, args ...any) error {
	_, err := db.write.Exec(q, args...)
	return err
}

// ExecForTest runs a statement on the writer (tests of the schema's own guards).
func (db *DB) ExecForTest(ctx context.Context, q string) error {
	_, err := db.write.ExecContext(ctx, q)
	return err
}

// TransitionOrder is transitionOrder in a transaction of its own.
func (db *DB) TransitionOrder(ctx context.Context, id int64, to string, reason string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return transitionOrder(ctx, tx, id, domain.OrderStatus(to), millis(db.now()), reason)
	})
}

// IntForTest reads one number with q (tests that count rows).
func (db *DB) IntForTest(ctx context.Context, q string) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, q).Scan(&n)
	return n, err
}

// Dump is every row of every table, as text, for comparing two databases.
func (db *DB) Dump(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	for _, t := range copyTables {
		rows, err := db.read.QueryContext(ctx, `SELECT * FROM `+t+` ORDER BY 1`)
		if err != nil {
			return nil, err
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals, err := scanValues(rows, len(cols))
			if err != nil {
				rows.Close()
				return nil, err
			}
			var b strings.Builder
			for i, v := range vals {
				if !PGOnlyColumn(t, cols[i]) {
					fmt.Fprintf(&b, "%s=%v;", cols[i], v)
				}
			}
			out[t] = append(out[t], b.String())
		}
		rows.Close()
		sort.Strings(out[t])
	}
	return out, nil
}

// CopyTables are the tables CopyTo copies.
var CopyTables = copyTables

// SetSearchCountCap lowers how many orders a search counts, for a test; it
// returns a func that puts it back.
func SetSearchCountCap(n int) func() {
	old := searchCountCap
	searchCountCap = n
	return func() { searchCountCap = old }
}

// QueryRowForTest reads one row on the writer (tests of the schema itself).
func (db *DB) QueryRowForTest(ctx context.Context, q string, args ...any) *sql.Row {
	return db.write.QueryRowContext(ctx, q, args...)
}
