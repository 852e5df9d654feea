package sqlite

import (
	"context"
	"database/sql/driver"
	"strconv"
	"strings"
	"sync/atomic"
)

// The store's SQL is written once, with SQLite's parameters: ? and ?N.
// On PostgreSQL the connections rewrite them to $N as a query is sent
// (rebind), so that the same statements run on both.

// rebind rewrites SQLite's parameters to PostgreSQL's: ?N is $N, and a bare
// ? is one more than the largest number used before it, as SQLite numbers
// them. Quoted text, quoted names and comments are left as they are.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	largest := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // a doubled quote inside
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(q))
			b.WriteString(q[i:end])
			i = end - 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			n := largest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(q[i+1 : j])
			}
			largest = max(largest, n)
			b.WriteString("$" + strconv.Itoa(n))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// rebindConnector makes connections that rebind their queries, and counts
// the requests they send (a request, a query's or a transaction's, is a
// round trip to the server).
type rebindConnector struct {
	inner driver.Connector
	trips *atomic.Int64
}

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	trips := c.trips
	if trips == nil {
		trips = new(atomic.Int64)
	}
	return &rebindConn{Conn: conn, trips: trips}, nil
}

func (c rebindConnector) Driver() driver.Driver { return c.inner.Driver() }

// rebindConn passes everything on to pgx's connection, queries rebound.
type rebindConn struct {
	driver.Conn
	trips *atomic.Int64
}

func (c *rebindConn) Prepare(q string) (driver.Stmt, error) {
	c.trips.Add(1)
	return c.Conn.Prepare(rebind(q))
}

func (c *rebindConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	c.trips.Add(1)
	s, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, rebind(q))
	if err != nil {
		return nil, err
	}
	return countedStmt{s, c.trips}, nil
}

func (c *rebindConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.trips.Add(1)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, rebind(q), args)
}

func (c *rebindConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.trips.Add(1)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, rebind(q), args)
}

func (c *rebindConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.trips.Add(1)
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return countedTx{tx, c.trips}, nil
}

// countedTx counts its commit or rollback.
type countedTx struct {
	driver.Tx
	trips *atomic.Int64
}

func (t countedTx) Commit() error   { t.trips.Add(1); return t.Tx.Commit() }
func (t countedTx) Rollback() error { t.trips.Add(1); return t.Tx.Rollback() }

// countedStmt counts every run of a prepared statement.
type countedStmt struct {
	driver.Stmt
	trips *atomic.Int64
}

func (s countedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.trips.Add(1)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s countedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.trips.Add(1)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (c *rebindConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *rebindConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *rebindConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// CheckNamedValue passes a Go bool as the 0 or 1 the schema keeps flags as.
func (c *rebindConn) CheckNamedValue(v *driver.NamedValue) error {
	if b, ok := v.Value.(bool); ok {
		v.Value = int64(0)
		if b {
			v.Value = int64(1)
		}
		return nil
	}
	if n, ok := c.Conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(v)
	}
	return driver.ErrSkip
}
