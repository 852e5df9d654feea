package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// Dispatch hands packed parcels to a carrier: they go on the carrier's
// manifest of the day (made when the first parcel arrives), their stock
// leaves STAGING in the ledger (using up the orders' reservations), and an
// order whose parcels have all left becomes shipped. All or nothing.
func (db *LedgerStore) Dispatch(ctx context.Context, parcelIDs []int64, carrier string, day time.Time) (int64, error) {
	carrier = strings.TrimSpace(carrier)
	if carrier == "" {
		return 0, domain.Errorf(domain.EINVALID, "which carrier takes the parcels?")
	}
	if len(parcelIDs) == 0 {
		return 0, domain.Errorf(domain.EINVALID, "no parcels to dispatch")
	}
	var manifest int64
	err := db.ledgerTx(ctx, func(l *ledger) error {
		for _, pid := range parcelIDs {
			var orderID, wh int64
			var status, tracking, pCarrier, number string
			err := l.x.QueryRowContext(ctx, `SELECT pa.order_id, pa.warehouse_id, pa.status, pa.tracking, pa.carrier, o.number
				FROM parcels pa JOIN orders o ON o.id = pa.order_id WHERE pa.id = ?`, pid).
				Scan(&orderID, &wh, &status, &tracking, &pCarrier, &number)
			if err != nil {
				return missing(err, "no parcel %d", pid)
			}
			switch {
			case status != "packed":
				return domain.Errorf(domain.ECONFLICT, "parcel %d (order %s) was already dispatched", pid, number)
			case tracking == "":
				return domain.Errorf(domain.EINVALID, "parcel %d (order %s) has no tracking number", pid, number)
			case pCarrier != "" && !strings.EqualFold(pCarrier, carrier):
				return domain.Errorf(domain.EINVALID, "parcel %d (order %s) goes with %s, not %s", pid, number, pCarrier, carrier)
			}
			if manifest == 0 {
				d := day.Format(time.DateOnly)
				err := l.x.QueryRowContext(ctx, `SELECT id FROM manifests WHERE warehouse_id = ? AND carrier = ? AND day = ?`, wh, carrier, d).Scan(&manifest)
				if errors.Is(err, sql.ErrNoRows) {
					res, err := insert(ctx, l.x, `INSERT INTO manifests (warehouse_id, carrier, day, created_at) VALUES (?, ?, ?, ?)`, wh, carrier, d, l.now)
					if err != nil {
						return translate(err)
					}
					if manifest, err = res.LastInsertId(); err != nil {
						return err
					}
				} else if err != nil {
					return err
				}
			}
			var manifestWh int64
			if err := l.x.QueryRowContext(ctx, `SELECT warehouse_id FROM manifests WHERE id = ?`, manifest).Scan(&manifestWh); err != nil {
				return err
			}
			if manifestWh != wh {
				return domain.Errorf(domain.EINVALID, "parcel %d leaves from another warehouse than the others", pid)
			}
			rows, err := l.x.tx.QueryContext(ctx, `SELECT ol.sku, pl.qty FROM parcel_lines pl JOIN parcels pa ON pa.id = pl.parcel_id
				JOIN order_lines ol ON ol.order_id = pa.order_id AND ol.line_no = pl.line_no WHERE pl.parcel_id = ?`, pid)
			if err != nil {
				return translate(err)
			}
			type item struct {
				sku string
				qty int64
			}
			var items []item
			for rows.Next() {
				var it item
				if err := rows.Scan(&it.sku, &it.qty); err != nil {
					rows.Close()
					return err
				}
				items = append(items, it)
			}
			rows.Close()
			staging, err := l.bin(wh, domain.StagingBin)
			if err != nil {
				return err
			}
			l.doc = fmt.Sprintf("order %s", number)
			for _, it := range items {
				p, err := l.product(it.sku)
				if err != nil {
					return err
				}
				if err := l.useReservation(orderID, p.id, wh, it.qty); err != nil {
					return err
				}
				pieces, err := l.take(p, wh, staging, "", it.qty)
				if err != nil {
					return fmt.Errorf("parcel %d: %w", pid, err)
				}
				for _, pc := range pieces {
					if err := l.post(entry{kind: domain.MoveShip, product: p, bin: staging, lot: pc.lot, qty: -pc.qty, note: "tracking " + tracking}); err != nil {
						return err
					}
				}
			}
			if _, err := l.x.ExecContext(ctx, `UPDATE parcels SET status = 'dispatched', carrier = ?, manifest_id = ? WHERE id = ?`, carrier, manifest, pid); err != nil {
				return translate(err)
			}
			// Tracking starts now: the parcel's first poll is due soon.
			if err := insertShipments(ctx, l.x, []int64{pid}, carrier, l.now, domain.DefaultTrackingPolicy().FirstPoll); err != nil {
				return err
			}
			var left int
			if err := l.x.QueryRowContext(ctx, `SELECT count(*) FROM parcels WHERE order_id = ? AND status <> 'dispatched'`, orderID).Scan(&left); err != nil {
				return err
			}
			var ostatus string
			if err := l.x.QueryRowContext(ctx, `SELECT status FROM orders WHERE id = ?`, orderID).Scan(&ostatus); err != nil {
				return err
			}
			if left == 0 && ostatus == string(domain.StatusPacked) {
				if err := transitionOrder(ctx, l.x, orderID, domain.StatusShipped, l.now, fmt.Sprintf("handed to %s, tracking %s", carrier, tracking)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return manifest, err
}

// useReservation takes qty off an order's reservations of a product in a warehouse.
func (l *ledger) useReservation(orderID, productID, wh, qty int64) error {
	rows, err := l.x.tx.QueryContext(l.ctx, `SELECT id, qty FROM reservations WHERE order_id = ? AND product_id = ? AND warehouse_id = ? ORDER BY id`,
		orderID, productID, wh)
	if err != nil {
		return translate(err)
	}
	type res struct{ id, qty int64 }
	var all []res
	for rows.Next() {
		var r res
		if err := rows.Scan(&r.id, &r.qty); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	for _, r := range all {
		if qty == 0 {
			break
		}
		use := min(r.qty, qty)
		if use == r.qty {
			_, err = l.x.ExecContext(l.ctx, `DELETE FROM reservations WHERE id = ?`, r.id)
		} else {
			_, err = l.x.ExecContext(l.ctx, `UPDATE reservations SET qty = qty - ? WHERE id = ?`, use, r.id)
		}
		if err != nil {
			return translate(err)
		}
		if _, err := l.x.ExecContext(l.ctx, `UPDATE stock_totals SET reserved = reserved - ? WHERE product_id = ? AND warehouse_id = ?`,
			use, productID, wh); err != nil {
			return translate(err)
		}
		qty -= use
	}
	return nil
}

// Manifest reads a manifest with its parcels.
func (db *StockStore) Manifest(ctx context.Context, id int64) (domain.Manifest, error) {
	var m domain.Manifest
	var wh, created int64
	err := db.read.QueryRowContext(ctx, `SELECT id, warehouse_id, carrier, day, created_at FROM manifests WHERE id = ?`, id).
		Scan(&m.ID, &wh, &m.Carrier, &m.Day, &created)
	if err != nil {
		return m, missing(err, "no manifest %d", id)
	}
	m.CreatedAt = fromMS(created)
	whs, err := db.CatalogStore().Warehouses(ctx)
	if err != nil {
		return m, err
	}
	for _, w := range whs {
		if w.ID == wh {
			m.Warehouse = w
		}
	}
	m.Parcels, err = db.parcels(ctx, `JOIN manifests mf ON mf.id = pa.manifest_id AND mf.id = ?`, `pa.id`, id)
	return m, err
}

// Manifests lists a warehouse's manifests (all warehouses when ""), newest first.
func (db *StockStore) Manifests(ctx context.Context, warehouse string, limit int) ([]domain.ManifestSummary, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, m *domain.ManifestSummary) error {
		var created, weight int64
		if err := rows.Scan(&m.ID, &m.Warehouse, &m.Carrier, &m.Day, &created, &m.Parcels, &weight); err != nil {
			return err
		}
		m.CreatedAt, m.Weight = fromMS(created), domain.Grams(weight)
		return nil
	}, `SELECT m.id, w.code, m.carrier, m.day, m.created_at,
			(SELECT count(*) FROM parcels pa WHERE pa.manifest_id = m.id),
			(SELECT coalesce(sum(pa.weight_g), 0) FROM parcels pa WHERE pa.manifest_id = m.id)
		FROM manifests m JOIN warehouses w ON w.id = m.warehouse_id
		WHERE ?1 = '' OR w.code = ?1 ORDER BY m.day DESC, m.id DESC LIMIT ?2`, warehouse, limit)
}

// LogPrint records a printed document (the reprint log).
func (db *LedgerStore) LogPrint(ctx context.Context, r domain.PrintRecord) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO print_log (at, who, document, ref, bytes) VALUES (?, who(), ?, ?, ?)`,
			millis(r.At), r.Document, r.Ref, r.Bytes)
		return translate(err)
	})
}

// PrintLog lists printed documents, newest first.
func (db *StockStore) PrintLog(ctx context.Context, limit int) ([]domain.PrintRecord, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, r *domain.PrintRecord) error {
		var at int64
		if err := rows.Scan(&at, &r.Who, &r.Document, &r.Ref, &r.Bytes); err != nil {
			return err
		}
		r.At = fromMS(at)
		return nil
	}, `SELECT at, who, document, ref, bytes FROM print_log ORDER BY id DESC LIMIT ?`, limit)
}
