package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/portolan/portolan/domain"
)

// CreateCount makes a cycle count of a zone's storage bins, or of the listed
// bins, recording what each holds now (per SKU and lot) as expected.
func (db *LedgerStore) CreateCount(ctx context.Context, warehouse, zone string, bins []string) (domain.Count, error) {
	zone = strings.TrimSpace(zone)
	if zone == "" && len(bins) == 0 {
		return domain.Count{}, domain.Errorf(domain.EINVALID, "a count covers a zone or a list of bins")
	}
	c := domain.Count{Warehouse: warehouse, Status: domain.CountOpen}
	err := db.ledgerTx(ctx, func(l *ledger) error {
		w, err := l.warehouse(warehouse)
		if err != nil {
			return err
		}
		var ids []int64
		if zone != "" {
			c.Scope = "zone " + zone
			rows, err := l.x.tx.QueryContext(ctx, `SELECT id FROM locations WHERE warehouse_id = ? AND zone = ? AND kind = 'storage'
				ORDER BY pick_sequence, code`, w, zone)
			if err != nil {
				return translate(err)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if len(ids) == 0 {
				return domain.Errorf(domain.ENOTFOUND, "%s has no storage bins in zone %q", warehouse, zone)
			}
		} else {
			var codes []string
			for _, code := range bins {
				b, err := l.bin(w, code)
				if err != nil {
					return domain.Errorf(domain.ENOTFOUND, "no bin %q in %s", code, warehouse)
				}
				if b.kind == domain.LocationTransit {
					return domain.Errorf(domain.EINVALID, "stock in transit is not counted; it is received")
				}
				ids = append(ids, b.id)
				codes = append(codes, b.code)
			}
			c.Scope = "bins " + strings.Join(codes, ", ")
		}
		res, err := insert(ctx, l.x, `INSERT INTO counts (warehouse_id, scope, status, created_at) VALUES (?, ?, 'open', ?)`, w, c.Scope, l.now)
		if err != nil {
			return translate(err)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := l.x.ExecContext(ctx, `INSERT INTO count_lines (count_id, location_id, product_id, lot, expected)
				SELECT ?, location_id, product_id, lot, on_hand FROM stock_balances WHERE location_id = ? AND on_hand > 0`, c.ID, id); err != nil {
				return translate(err)
			}
			// Every bin is counted, an empty one too: something may be in it.
			if _, err := l.x.ExecContext(ctx, `INSERT INTO count_bins (count_id, location_id) VALUES (?, ?)`, c.ID, id); err != nil {
				return translate(err)
			}
		}
		c.CreatedAt = fromMS(l.now)
		return nil
	})
	if err != nil {
		return domain.Count{}, err
	}
	return db.StockStore().Count(ctx, c.ID)
}

// Count returns a count with its lines in pick order. A bin with nothing
// expected or counted in it has one line with an empty SKU.
func (db *StockStore) Count(ctx context.Context, id int64) (domain.Count, error) {
	var c domain.Count
	var created int64
	var posted sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT c.id, w.code, c.scope, c.status, c.created_at, c.posted_at FROM counts c
		JOIN warehouses w ON w.id = c.warehouse_id WHERE c.id = ?`, id).Scan(&c.ID, &c.Warehouse, &c.Scope, &c.Status, &created, &posted)
	if err != nil {
		return c, missing(err, "no count %d", id)
	}
	c.CreatedAt = fromMS(created)
	if posted.Valid {
		c.PostedAt = fromMS(posted.Int64)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT loc.code, coalesce(p.sku, ''), coalesce(cl.lot, ''), coalesce(cl.expected, 0), cl.counted
		FROM count_bins cb JOIN locations loc ON loc.id = cb.location_id
		LEFT JOIN count_lines cl ON cl.count_id = cb.count_id AND cl.location_id = cb.location_id
		LEFT JOIN products p ON p.id = cl.product_id
		WHERE cb.count_id = ? ORDER BY loc.pick_sequence, loc.code, p.sku, cl.lot`, id)
	if err != nil {
		return c, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ln domain.CountLine
		var exp int64
		var counted sql.NullInt64
		if err := rows.Scan(&ln.Bin, &ln.SKU, &ln.Lot, &exp, &counted); err != nil {
			return c, err
		}
		ln.Expected = domain.Quantity(exp)
		if counted.Valid {
			q := domain.Quantity(counted.Int64)
			ln.Counted = &q
		}
		c.Lines = append(c.Lines, ln)
	}
	return c, rows.Err()
}

// Counts lists counts, newest first; status "" lists all.
func (db *StockStore) Counts(ctx context.Context, status domain.CountStatus) ([]domain.Count, error) {
	q := `SELECT c.id, w.code, c.scope, c.status, c.created_at FROM counts c JOIN warehouses w ON w.id = c.warehouse_id`
	var args []any
	if status != "" {
		q += ` WHERE c.status = ?`
		args = append(args, string(status))
	}
	return queryList(ctx, db.read, func(rows *sql.Rows, c *domain.Count) error {
		var created int64
		if err := rows.Scan(&c.ID, &c.Warehouse, &c.Scope, &c.Status, &created); err != nil {
			return err
		}
		c.CreatedAt = fromMS(created)
		return nil
	}, q+` ORDER BY c.id DESC`, args...)
}

// RecordCount enters what was counted of a SKU (and lot) in a bin of an open
// count. A SKU found in a bin where it was not expected gets a line of its
// own, expected at what the bin holds of it now.
func (db *LedgerStore) RecordCount(ctx context.Context, id int64, bin, sku, lot string, counted domain.Quantity) error {
	if counted < 0 {
		return domain.Errorf(domain.EINVALID, "a counted quantity cannot be negative")
	}
	if err := counted.Bounded("the counted quantity"); err != nil {
		return err
	}
	return db.ledgerTx(ctx, func(l *ledger) error {
		w, err := l.openCount(id)
		if err != nil {
			return err
		}
		b, err := l.bin(w, bin)
		if err != nil {
			return err
		}
		var inScope bool
		if err := l.x.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM count_bins WHERE count_id = ? AND location_id = ?)`, id, b.id).
			Scan(&inScope); err != nil {
			return err
		}
		if !inScope {
			return domain.Errorf(domain.EINVALID, "bin %s is not part of count %d", b.code, id)
		}
		p, err := l.product(sku)
		if err != nil {
			return err
		}
		lot = strings.TrimSpace(lot)
		res, err := l.x.ExecContext(ctx, `UPDATE count_lines SET counted = ? WHERE count_id = ? AND location_id = ? AND product_id = ? AND lot = ?`,
			int64(counted), id, b.id, p.id, lot)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		if p.lotTracked && lot == "" && counted > 0 {
			return domain.Errorf(domain.EINVALID, "%s is lot-tracked: give the lot", p.sku)
		}
		_, err = l.x.ExecContext(ctx, `INSERT INTO count_lines (count_id, location_id, product_id, lot, expected, counted)
			VALUES (?, ?, ?, ?, coalesce((SELECT on_hand FROM stock_balances WHERE product_id = ? AND location_id = ? AND lot = ?), 0), ?)`,
			id, b.id, p.id, lot, p.id, b.id, lot, int64(counted))
		return translate(err)
	})
}

// PostCount posts the counted lines' differences from what was expected as
// count-correction adjustments, and closes the count. Lines not counted are
// left as they are. A line whose difference cannot be posted (the bin was
// emptied since, stock is reserved) is reported.
func (db *LedgerStore) PostCount(ctx context.Context, id int64) (domain.CountResult, error) {
	var res domain.CountResult
	err := db.ledgerTx(ctx, func(l *ledger) error {
		res = domain.CountResult{}
		l.doc = fmt.Sprintf("count %d", id)
		if _, err := l.openCount(id); err != nil {
			return err
		}
		rows, err := l.x.tx.QueryContext(ctx, `SELECT cl.location_id, p.sku, cl.lot, cl.expected, cl.counted FROM count_lines cl
			JOIN products p ON p.id = cl.product_id JOIN locations loc ON loc.id = cl.location_id
			WHERE cl.count_id = ? ORDER BY loc.pick_sequence, loc.code, p.sku, cl.lot`, id)
		if err != nil {
			return translate(err)
		}
		type line struct {
			loc      int64
			sku      string
			lot      string
			expected int64
			counted  sql.NullInt64
		}
		var lines []line
		for rows.Next() {
			var ln line
			if err := rows.Scan(&ln.loc, &ln.sku, &ln.lot, &ln.expected, &ln.counted); err != nil {
				rows.Close()
				return err
			}
			lines = append(lines, ln)
		}
		rows.Close()
		for i, ln := range lines {
			if !ln.counted.Valid {
				res.Uncounted++
				continue
			}
			res.Posted++
			delta := ln.counted.Int64 - ln.expected
			if delta == 0 {
				continue
			}
			p, err := l.product(ln.sku)
			if err != nil {
				return err
			}
			b, err := l.binByID(ln.loc)
			if err != nil {
				return err
			}
			if _, err := l.x.tx.ExecContext(ctx, `SAVEPOINT count_line`); err != nil {
				return err
			}
			perr := l.post(entry{kind: domain.MoveAdjust, product: p, bin: b, lot: ln.lot, qty: delta, reason: domain.ReasonCountCorrection,
				note: fmt.Sprintf("counted %d, expected %d", ln.counted.Int64, ln.expected)})
			if perr != nil {
				if _, err := l.x.tx.ExecContext(ctx, `ROLLBACK TO count_line`); err != nil {
					return err
				}
				var de *domain.Error
				if !errors.As(perr, &de) {
					return perr
				}
				res.Problems = append(res.Problems, domain.RowProblem{RowNumber: i + 1, Column: b.code, Message: de.Message})
			} else {
				res.Changed++
			}
			if _, err := l.x.tx.ExecContext(ctx, `RELEASE count_line`); err != nil {
				return err
			}
		}
		_, err = l.x.ExecContext(ctx, `UPDATE counts SET status = 'posted', posted_at = ? WHERE id = ?`, l.now, id)
		return translate(err)
	})
	return res, err
}

// CancelCount drops an open count without posting anything.
func (db *LedgerStore) CancelCount(ctx context.Context, id int64) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, domain.Errorf(domain.ECONFLICT, "count %d is not open", id), `UPDATE counts SET status = 'cancelled', posted_at = ? WHERE id = ? AND status = 'open'`, millis(db.now()), id)
	})
}

// openCount is the warehouse of count id, which must still be open.
func (l *ledger) openCount(id int64) (warehouse int64, err error) {
	var status string
	err = l.x.QueryRowContext(l.ctx, `SELECT warehouse_id, status FROM counts WHERE id = ?`, id).Scan(&warehouse, &status)
	if err != nil {
		return 0, missing(err, "no count %d", id)
	}
	if status != string(domain.CountOpen) {
		return 0, domain.Errorf(domain.ECONFLICT, "count %d is already %s", id, status)
	}
	return warehouse, nil
}
