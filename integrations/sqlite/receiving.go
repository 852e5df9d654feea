package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/portolan/portolan/domain"
)

// CreateInbound stores an expected delivery; lines of one SKU are added up.
func (db *LedgerStore) CreateInbound(ctx context.Context, in *domain.Inbound) error {
	if err := in.Validate(); err != nil {
		return err
	}
	expected, err := domain.ParseExpiry(in.ExpectedOn)
	if err != nil {
		return err
	}
	return db.ledgerTx(ctx, func(l *ledger) error {
		w, err := l.warehouse(in.Warehouse)
		if err != nil {
			return err
		}
		res, err := insert(ctx, l.x, `INSERT INTO inbounds (warehouse_id, reference, supplier, expected_on, status, created_at)
			VALUES (?, ?, ?, ?, 'open', ?)`, w, strings.TrimSpace(in.Reference), strings.TrimSpace(in.Supplier), expected, l.now)
		if err != nil {
			if errors.Is(translate(err), domain.ErrConflict) {
				return domain.Errorf(domain.ECONFLICT, "%s already has an inbound %s", in.Warehouse, in.Reference)
			}
			return translate(err)
		}
		if in.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, ln := range in.Lines {
			p, err := l.product(ln.SKU)
			if err != nil {
				return fmt.Errorf("inbound %s: %w", in.Reference, err)
			}
			if _, err := l.x.ExecContext(ctx, `INSERT INTO inbound_lines (inbound_id, product_id, expected_qty) VALUES (?, ?, ?)
				ON CONFLICT (inbound_id, product_id) DO UPDATE SET expected_qty = inbound_lines.expected_qty + excluded.expected_qty`,
				in.ID, p.id, int64(ln.Expected)); err != nil {
				return translate(err)
			}
		}
		in.Status, in.CreatedAt, in.ExpectedOn = domain.InboundOpen, fromMS(l.now), expected
		return nil
	})
}

// Inbounds lists inbounds with their lines, open ones first, then by
// expected date; status "" lists all.
func (db *StockStore) Inbounds(ctx context.Context, status domain.InboundStatus) ([]domain.Inbound, error) {
	q := `SELECT i.id, w.code, i.reference, i.supplier, i.expected_on, i.status, i.created_at, p.sku, p.name, il.expected_qty, il.received_qty
		FROM inbounds i JOIN warehouses w ON w.id = i.warehouse_id
		JOIN inbound_lines il ON il.inbound_id = i.id JOIN products p ON p.id = il.product_id`
	var args []any
	if status != "" {
		q += ` WHERE i.status = ?`
		args = append(args, string(status))
	}
	return queryDocuments(ctx, db.read, func(rows *sql.Rows) (domain.Inbound, domain.InboundLine, int64, error) {
		var in domain.Inbound
		var created, exp, rec int64
		var ln domain.InboundLine
		if err := rows.Scan(&in.ID, &in.Warehouse, &in.Reference, &in.Supplier, &in.ExpectedOn, &in.Status, &created,
			&ln.SKU, &ln.Name, &exp, &rec); err != nil {
			return in, ln, 0, err
		}
		in.CreatedAt = fromMS(created)
		ln.Expected, ln.Received = domain.Quantity(exp), domain.Quantity(rec)
		return in, ln, in.ID, nil
	}, func(in *domain.Inbound, ln domain.InboundLine) { in.Lines = append(in.Lines, ln) },
		q+` ORDER BY i.status <> 'open', i.expected_on, i.id, p.sku`, args...)
}

// Receive books goods into the warehouse's RECEIVING bin, against an open
// inbound (recording over- and under-receipts line by line) or ad hoc. An
// inbound whose every line has arrived in full becomes received.
func (db *LedgerStore) Receive(ctx context.Context, r domain.Receipt) ([]domain.ReceivedLine, error) {
	if len(r.Lines) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "nothing to receive")
	}
	var out []domain.ReceivedLine
	err := db.ledgerTx(ctx, func(l *ledger) error {
		out = nil
		w, err := l.warehouse(r.Warehouse)
		if err != nil {
			return err
		}
		receiving, err := l.bin(w, domain.ReceivingBin)
		if err != nil {
			return err
		}
		l.doc = "receipt"
		if r.InboundID != 0 {
			var iw int64
			var ref, status string
			err := l.x.QueryRowContext(ctx, `SELECT warehouse_id, reference, status FROM inbounds WHERE id = ?`, r.InboundID).Scan(&iw, &ref, &status)
			if err != nil {
				return missing(err, "no inbound %d", r.InboundID)
			}
			if iw != w {
				return domain.Errorf(domain.EINVALID, "inbound %s is expected at another warehouse, not %s", ref, r.Warehouse)
			}
			if status != string(domain.InboundOpen) {
				return domain.Errorf(domain.ECONFLICT, "inbound %s is %s; receive ad hoc instead", ref, status)
			}
			l.doc = "inbound " + ref
		}
		for _, ln := range r.Lines {
			if err := ln.Qty.Positive(ln.SKU + ": the quantity received"); err != nil {
				return err
			}
			p, err := l.product(ln.SKU)
			if err != nil {
				return err
			}
			lot := strings.TrimSpace(ln.Lot)
			if p.lotTracked && lot == "" {
				return domain.Errorf(domain.EINVALID, "%s is lot-tracked: give the lot", p.sku)
			}
			expiry, err := domain.ParseExpiry(ln.Expiry)
			if err != nil {
				return err
			}
			if err := l.setLot(p, lot, expiry); err != nil {
				return err
			}
			rl := domain.ReceivedLine{SKU: p.sku, Qty: ln.Qty}
			if r.InboundID != 0 {
				var exp, rec int64
				err := l.x.QueryRowContext(ctx, `INSERT INTO inbound_lines (inbound_id, product_id, expected_qty, received_qty) VALUES (?, ?, 0, ?)
					ON CONFLICT (inbound_id, product_id) DO UPDATE SET received_qty = inbound_lines.received_qty + excluded.received_qty
					RETURNING expected_qty, received_qty`, r.InboundID, p.id, int64(ln.Qty)).Scan(&exp, &rec)
				if err != nil {
					return translate(err)
				}
				rl.Expected, rl.Received, rl.Unexpected = domain.Quantity(exp), domain.Quantity(rec), exp == 0
			}
			note := r.Note
			switch v := rl.Variance(); {
			case r.InboundID == 0:
			case rl.Unexpected:
				note = joinNote(note, "not on the inbound")
			case v > 0:
				note = joinNote(note, fmt.Sprintf("over-receipt: %d more than expected", v))
			case v < 0:
				note = joinNote(note, fmt.Sprintf("%d still expected", -v))
			}
			if err := l.post(entry{kind: domain.MoveReceipt, product: p, bin: receiving, lot: lot, qty: int64(ln.Qty), note: note}); err != nil {
				return err
			}
			out = append(out, rl)
		}
		if r.InboundID != 0 {
			_, err := l.x.ExecContext(ctx, `UPDATE inbounds SET status = 'received', closed_at = ? WHERE id = ? AND NOT EXISTS (
				SELECT 1 FROM inbound_lines WHERE inbound_id = ? AND received_qty < expected_qty)`, l.now, r.InboundID, r.InboundID)
			return translate(err)
		}
		return nil
	})
	return out, err
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// CloseInbound closes an open inbound as it stands; what never arrived stays
// recorded as short on its lines.
func (db *LedgerStore) CloseInbound(ctx context.Context, id int64) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, domain.Errorf(domain.ECONFLICT, "inbound %d is not open", id), `UPDATE inbounds SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'`, millis(db.now()), id)
	})
}

// PutawayTasks lists what waits in a warehouse's RECEIVING bin, each with a
// suggested storage bin.
func (db *LedgerStore) PutawayTasks(ctx context.Context, warehouse string) ([]domain.PutawayTask, error) {
	var out []domain.PutawayTask
	err := db.readLedger(ctx, func(l *ledger) error {
		w, err := l.warehouse(warehouse)
		if err != nil {
			return err
		}
		rows, err := l.x.tx.QueryContext(ctx, `SELECT p.sku, p.name, s.lot, coalesce(lots.expiry, ''), s.on_hand FROM stock_balances s
			JOIN locations loc ON loc.id = s.location_id JOIN products p ON p.id = s.product_id
			LEFT JOIN lots ON lots.product_id = s.product_id AND lots.lot = s.lot
			WHERE s.warehouse_id = ? AND loc.kind = 'receiving' AND s.on_hand > 0 ORDER BY p.sku, s.lot`, w)
		if err != nil {
			return translate(err)
		}
		for rows.Next() {
			t := domain.PutawayTask{Warehouse: warehouse}
			var q int64
			if err := rows.Scan(&t.SKU, &t.Name, &t.Lot, &t.Expiry, &q); err != nil {
				rows.Close()
				return err
			}
			t.Qty = domain.Quantity(q)
			out = append(out, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			p, err := l.product(out[i].SKU)
			if err != nil {
				return err
			}
			out[i].Suggested, out[i].Why, err = l.suggestBin(p, w, out[i].Lot)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// readLedger runs fn in a read transaction with the ledger's lookups.
func (db *DB) readLedger(ctx context.Context, fn func(l *ledger) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback()
	c := &stmtCache{tx: tx, stmts: map[string]*sql.Stmt{}}
	defer c.close()
	return fn(&ledger{ctx: ctx, x: c, now: millis(db.now()), products: map[string]productRef{},
		warehouses: map[string]int64{}, bins: map[binKey]binRef{}})
}

// suggestBin picks a storage bin for received stock: one already holding the
// SKU (and lot), else an empty bin in the zone the SKU was last stored in,
// else any empty bin, in pick order.
func (l *ledger) suggestBin(p productRef, warehouse int64, lot string) (string, string, error) {
	var code string
	err := l.x.QueryRowContext(l.ctx, `SELECT loc.code FROM stock_balances s JOIN locations loc ON loc.id = s.location_id
		WHERE s.product_id = ? AND s.warehouse_id = ? AND s.lot = ? AND s.on_hand > 0 AND loc.kind = 'storage'
		ORDER BY loc.pick_sequence, loc.code LIMIT 1`, p.id, warehouse, lot).Scan(&code)
	if err == nil {
		return code, "already holds " + p.sku + lotText(lot), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", "", err
	}
	var zone string
	err = l.x.QueryRowContext(l.ctx, `SELECT loc.zone FROM stock_movements m JOIN locations loc ON loc.id = m.location_id
		WHERE m.product_id = ? AND m.warehouse_id = ? AND loc.kind = 'storage' ORDER BY m.id DESC LIMIT 1`, p.id, warehouse).Scan(&zone)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", "", err
	}
	const empty = `SELECT loc.code FROM locations loc WHERE loc.warehouse_id = ? AND loc.kind = 'storage' AND (? = '' OR loc.zone = ?)
		AND NOT EXISTS (SELECT 1 FROM stock_balances s WHERE s.location_id = loc.id AND s.on_hand > 0)
		ORDER BY loc.pick_sequence, loc.code LIMIT 1`
	err = l.x.QueryRowContext(l.ctx, empty, warehouse, zone, zone).Scan(&code)
	if err == nil {
		if zone != "" {
			return code, "empty, in zone " + zone + " where " + p.sku + " is kept", nil
		}
		return code, "empty, first in pick order", nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", "", err
	}
	if zone != "" {
		if err := l.x.QueryRowContext(l.ctx, empty, warehouse, "", "").Scan(&code); err == nil {
			return code, "empty (zone " + zone + " is full)", nil
		}
	}
	return "", "no empty bin: choose one", nil
}

// SuggestBin is the storage bin suggested for putting away a SKU (and lot) in a warehouse.
func (db *LedgerStore) SuggestBin(ctx context.Context, sku, warehouse, lot string) (bin, why string, err error) {
	err = db.readLedger(ctx, func(l *ledger) error {
		p, w, err := l.where(sku, warehouse)
		if err != nil {
			return err
		}
		bin, why, err = l.suggestBin(p, w, strings.TrimSpace(lot))
		return err
	})
	return bin, why, err
}

// Putaway moves received stock from RECEIVING to a storage bin.
func (db *LedgerStore) Putaway(ctx context.Context, pa domain.Putaway) error {
	if err := pa.Qty.Positive("the quantity to put away"); err != nil {
		return err
	}
	return db.ledgerTx(ctx, func(l *ledger) error {
		l.doc = "putaway"
		p, _, bins, err := l.whereBins(pa.SKU, pa.Warehouse, domain.ReceivingBin, pa.ToBin)
		if err != nil {
			return err
		}
		from, to := bins[0], bins[1]
		if to.kind != domain.LocationStorage {
			return domain.Errorf(domain.EINVALID, "%s is not a storage bin", to.code)
		}
		return l.move(domain.MovePutaway, p, from, to, strings.TrimSpace(pa.Lot), int64(pa.Qty))
	})
}
