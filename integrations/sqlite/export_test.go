package sqlite

import (
	"context"
	"database/sql"
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
