package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/portolan/portolan/domain"
)

// copyTables are Portolan's tables in an order that inserts every row after
// the rows it refers to (a test checks the list against the schema).
var copyTables = []string{
	"channels", "warehouses", "locations", "clients", "products", "stock_balances",
	"orders", "order_lines", "order_history", "channel_sync", "sync_runs", "quarantine",
	"lots", "stock_movements", "stock_totals", "reservations", "transfers", "transfer_lines",
	"inbounds", "inbound_lines", "counts", "count_bins", "count_lines", "allocations",
	"shipping_rates", "settings", "waves", "wave_orders", "wave_lines", "boxes", "manifests",
	"parcels", "parcel_lines", "print_log", "carrier_accounts", "carrier_usage", "shipments",
	"tracking_payloads", "tracking_events", "tracking_pushes", "client_channels", "rate_cards",
	"fx_rates", "invoices", "charges", "payments", "carrier_invoices", "carrier_invoice_lines",
	"label_purchases",
	"label_scans",
}

// TableCount is how many rows a table holds.
type TableCount struct {
	Table string
	Rows  int64
}

// Counts counts the rows of every table.
func (db *DB) Counts(ctx context.Context) ([]TableCount, error) {
	out := make([]TableCount, 0, len(copyTables))
	for _, t := range copyTables {
		var n int64
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return nil, translate(err)
		}
		out = append(out, TableCount{t, n})
	}
	return out, nil
}

// CopyProgress is how far a copy is: rows copied of all.
type CopyProgress struct {
	Table        string
	Copied, Rows int64
}

// CopyTo copies every row of db into dst, an empty Portolan database (the
// other kind or the same), keeping every id, in one transaction of dst's:
// all of it or nothing. progress, when set, hears of every batch.
func (db *DB) CopyTo(ctx context.Context, dst *DB, progress func(CopyProgress)) ([]TableCount, error) {
	counts, err := db.Counts(ctx)
	if err != nil {
		return nil, err
	}
	var all int64
	for _, c := range counts {
		all += c.Rows
	}
	existing, err := dst.Counts(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range existing {
		if c.Rows > 0 && c.Table != "boxes" { // every new database has the standard boxes
			return nil, domain.Errorf(domain.ECONFLICT, "the database to copy into is not empty (%s has %d rows); copy into a new, empty one", c.Table, c.Rows)
		}
	}
	var copied int64
	err = dst.writeTx(ctx, func(tx *sql.Tx) error {
		copied = 0 // afresh on every attempt
		for _, c := range counts {
			switch c.Table {
			case "locations", "boxes":
				// A warehouse gets its dock bins on insert, and a new database
				// the standard boxes: the copy brings the originals instead.
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+c.Table); err != nil {
					return err
				}
			}
			if err := db.copyTable(ctx, tx, c.Table, dst, func(n int64) {
				copied += n
				if progress != nil {
					progress(CopyProgress{Table: c.Table, Copied: copied, Rows: all})
				}
			}); err != nil {
				return fmt.Errorf("copying %s: %w", c.Table, err)
			}
		}
		if dst.pg {
			return restartIdentities(ctx, tx)
		}
		return dst.indexOrdersAfter(ctx, tx, 0)
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// copyTable reads a table of db in order and inserts its rows into tx in
// batches.
//
// Credentials go where dst keeps them: out of this computer's credential
// store into a team database, or into it from one.
func (db *DB) copyTable(ctx context.Context, tx *sql.Tx, table string, dst *DB, done func(n int64)) error {
	rows, err := db.read.QueryContext(ctx, `SELECT * FROM `+table+` ORDER BY 1`)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	all, err := rows.Columns()
	if err != nil {
		return err
	}
	var cols []string
	var keep []int // the columns both databases have
	for i, c := range all {
		if !PGOnlyColumn(table, c) {
			cols, keep = append(cols, c), append(keep, i)
		}
	}
	perBatch := max(1, min(500, 30000/len(cols)))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	head := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES `
	var args []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := head + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		done(int64(n))
		args, n = args[:0], 0
		return nil
	}
	for rows.Next() {
		row, err := scanValues(rows, len(all))
		if err != nil {
			return err
		}
		vals := make([]any, len(keep))
		for i, k := range keep {
			vals[i] = row[k]
		}
		for i := range vals {
			if cols[i] == "credentials" {
				if vals[i], err = db.reseal(dst, vals[i]); err != nil {
					return err
				}
			}
		}
		args, n = append(args, vals...), n+1
		if n == perBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

// restartIdentities moves PostgreSQL's id sequences past the ids copied in,
// so that the next row inserted gets a new one.
func restartIdentities(ctx context.Context, tx *sql.Tx) error {
	tables, err := queryList(ctx, tx, func(rows *sql.Rows, s *string) error { return rows.Scan(s) },
		`SELECT table_name FROM information_schema.columns WHERE table_schema = ? AND column_name = 'id' AND is_identity = 'YES'`, PGSchema)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(?, 'id'), (SELECT coalesce(max(id), 0) + 1 FROM `+t+`), false)`,
			PGSchema+"."+t); err != nil {
			return err
		}
	}
	return nil
}

// reseal is a credentials column of db's as dst keeps it. Credentials that
// cannot be read here (kept in another computer's credential store) are
// copied as they are: the copy asks for them again, as the original does.
func (db *DB) reseal(dst *DB, column any) (any, error) {
	text, ok := column.(string)
	if !ok {
		return column, nil
	}
	var creds json.RawMessage
	if err := db.unseal(text, &creds); err != nil {
		return column, nil
	}
	return dst.seal(creds)
}

// scanValues reads a row of n columns as the values the driver gives, text
// as strings whichever driver read it.
func scanValues(rows *sql.Rows, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[i] = string(b)
		}
	}
	return vals, nil
}
