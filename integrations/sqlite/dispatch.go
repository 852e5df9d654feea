package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// Dispatch hands packed parcels to a carrier: they go on the carrier's
// manifest of the day (made when the first parcel arrives), their stock
// leaves STAGING in the ledger (using up the orders' reservations), and an
// order whose parcels have all left becomes shipped. All or nothing. at is
// when they were handed over (a carrier's first scan, seen later): the
// manifest is its day's, and the shipments, movements and history are
// dated at it, never later than now.
//
// It costs a fixed number of requests whatever the number of parcels (a
// warehouse far from the team's server dispatches 100 parcels in a few
// round trips): everything it needs is read at once, worked out here —
// which reservations are used, which lots leave STAGING first-expiry-
// first, what every total becomes — and written with a few set-based
// statements per 500 rows.
func (db *LedgerStore) Dispatch(ctx context.Context, parcelIDs []int64, carrier string, at time.Time) (int64, error) {
	carrier = strings.TrimSpace(carrier)
	if carrier == "" {
		return 0, domain.Errorf(domain.EINVALID, "which carrier takes the parcels?")
	}
	if len(parcelIDs) == 0 {
		return 0, domain.Errorf(domain.EINVALID, "no parcels to dispatch")
	}
	var manifest int64
	err := db.ledgerTx(ctx, func(l *ledger) error {
		day := at // its day where it was given (the warehouse's computer's)
		switch {
		case at.IsZero():
			day = fromMS(l.now)
		case millis(at) > l.now:
			day = fromMS(l.now).In(at.Location())
		default:
			l.now = millis(at)
		}
		d := &dispatch{carrier: carrier}
		if err := d.readParcels(db.DB, l, parcelIDs); err != nil {
			return err
		}
		var err error
		if manifest, err = l.manifest(d.warehouse, carrier, day); err != nil {
			return err
		}
		if err := d.readStock(db.DB, l); err != nil {
			return err
		}
		if err := d.work(); err != nil {
			return err
		}
		return d.write(db.DB, l, manifest)
	})
	return manifest, err
}

// dispatch is a Dispatch worked out in memory between its reads and writes.
type dispatch struct {
	carrier   string
	warehouse int64
	staging   int64 // the warehouse's STAGING bin
	wcode     string
	parcels   []dispatchParcel
	products  map[int64]string // id → SKU
	// What the reads found, used up as the parcels are worked through.
	reservations map[[2]int64][]*heldQty // (order, product) → reservations, oldest first
	staged       map[int64][]*stagedLot  // product → STAGING's lots, first expiry first
	totals       map[int64]*[2]int64     // product → the warehouse's on hand, reserved
	// What the writes do.
	used     map[int64]*heldQty  // reservation → what is left of it (its qty) once used
	moves    [][]any             // stock_movements rows
	balances map[[2]any]int64    // (product, lot) → qty leaving STAGING
	change   map[int64]*[2]int64 // product → shipped, unreserved (the totals' decrease)
	shipped  map[int64]string    // order → the reason it is shipped
}

type dispatchParcel struct {
	id, order, warehouse      int64
	wcode                     string
	status, tracking, carrier string
	number, orderStatus       string
	lines                     [][2]int64 // product, qty
}

type heldQty struct{ id, qty int64 }

type stagedLot struct {
	lot string
	qty int64
}

// readParcels reads the parcels (in the order given) and their lines, and
// checks each in turn as the one-by-one dispatch did.
func (d *dispatch) readParcels(db *DB, l *ledger, ids []int64) error {
	b := jsonArray(ids)
	byID := map[int64]*dispatchParcel{}
	err := l.each(`SELECT pa.id, pa.order_id, pa.warehouse_id, pa.status, pa.tracking, pa.carrier, o.number, o.status, w.code
		FROM parcels pa JOIN orders o ON o.id = pa.order_id JOIN warehouses w ON w.id = pa.warehouse_id
		WHERE pa.id IN (SELECT CAST(j.value AS BIGINT) FROM `+db.jsonValues(1)+`)`, []any{b}, func(r *sql.Rows) error {
		p := &dispatchParcel{}
		var wh int64
		var wcode string
		if err := r.Scan(&p.id, &p.order, &wh, &p.status, &p.tracking, &p.carrier, &p.number, &p.orderStatus, &wcode); err != nil {
			return err
		}
		byID[p.id], p.warehouse, p.wcode = p, wh, wcode
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		p := byID[id]
		switch {
		case p == nil:
			return domain.Errorf(domain.ENOTFOUND, "no parcel %d", id)
		case p.status != "packed":
			return domain.Errorf(domain.ECONFLICT, "parcel %d (order %s) was already dispatched", id, p.number)
		case p.orderStatus == string(domain.StatusCancelled):
			return domain.Errorf(domain.ECONFLICT, "order %s was cancelled, so parcel %d cannot leave; unpack it", p.number, id)
		case p.tracking == "":
			return domain.Errorf(domain.EINVALID, "parcel %d (order %s) has no tracking number", id, p.number)
		case p.carrier != "" && !strings.EqualFold(p.carrier, d.carrier):
			return domain.Errorf(domain.EINVALID, "parcel %d (order %s) goes with %s, not %s", id, p.number, p.carrier, d.carrier)
		case d.warehouse == 0:
			d.warehouse, d.wcode = p.warehouse, p.wcode
		case p.warehouse != d.warehouse:
			return domain.Errorf(domain.EINVALID, "parcel %d leaves from another warehouse than the others", id)
		}
		d.parcels = append(d.parcels, *p)
	}
	d.products = map[int64]string{}
	at := map[int64]int{}
	for i, p := range d.parcels {
		at[p.id] = i
	}
	return l.each(`SELECT pl.parcel_id, ol.sku, pr.id, pl.qty FROM parcel_lines pl JOIN parcels pa ON pa.id = pl.parcel_id
		JOIN order_lines ol ON ol.order_id = pa.order_id AND ol.line_no = pl.line_no JOIN products pr ON pr.sku = ol.sku
		WHERE pl.parcel_id IN (SELECT CAST(j.value AS BIGINT) FROM `+db.jsonValues(1)+`) ORDER BY pl.parcel_id, pl.line_no`, []any{b},
		func(r *sql.Rows) error {
			var pid, product, qty int64
			var sku string
			if err := r.Scan(&pid, &sku, &product, &qty); err != nil {
				return err
			}
			p := &d.parcels[at[pid]]
			p.lines = append(p.lines, [2]int64{product, qty})
			d.products[product] = sku
			return nil
		})
}

// manifest is the carrier's manifest of the day in the warehouse, made
// when there is none yet.
func (l *ledger) manifest(wh int64, carrier string, day time.Time) (int64, error) {
	var id int64
	d := day.Format(time.DateOnly)
	err := l.x.QueryRowContext(l.ctx, `SELECT id FROM manifests WHERE warehouse_id = ? AND carrier = ? AND day = ?`, wh, carrier, d).Scan(&id)
	if !errors.Is(err, sql.ErrNoRows) {
		return id, translate(err)
	}
	res, err := insert(l.ctx, l.x, `INSERT INTO manifests (warehouse_id, carrier, day, created_at) VALUES (?, ?, ?, ?)`, wh, carrier, d, l.now)
	if err != nil {
		return 0, translate(err)
	}
	return res.LastInsertId()
}

// readStock reads the orders' reservations of the products, what STAGING
// holds of them (first expiry first, as stock leaves), and the warehouse's
// totals.
func (d *dispatch) readStock(db *DB, l *ledger) error {
	staging, err := l.bin(d.warehouse, domain.StagingBin)
	if err != nil {
		return err
	}
	d.staging = staging.id
	var products, orders []int64
	for id := range d.products {
		products = append(products, id)
	}
	for _, p := range d.parcels {
		orders = append(orders, p.order)
	}
	pj, oj := jsonArray(products), jsonArray(orders)
	in := func(n int) string { return `(SELECT CAST(j.value AS BIGINT) FROM ` + db.jsonValues(n) + `)` }
	d.reservations = map[[2]int64][]*heldQty{}
	err = l.each(`SELECT id, order_id, product_id, qty FROM reservations WHERE warehouse_id = ?1 AND product_id IN `+in(2)+
		` AND order_id IN `+in(3)+` ORDER BY id`, []any{d.warehouse, pj, oj}, func(r *sql.Rows) error {
		var h heldQty
		var k [2]int64
		if err := r.Scan(&h.id, &k[0], &k[1], &h.qty); err != nil {
			return err
		}
		d.reservations[k] = append(d.reservations[k], &h)
		return nil
	})
	if err != nil {
		return err
	}
	d.staged = map[int64][]*stagedLot{}
	err = l.each(`SELECT s.product_id, s.lot, s.on_hand FROM stock_balances s
		LEFT JOIN lots ON lots.product_id = s.product_id AND lots.lot = s.lot
		WHERE s.location_id = ?1 AND s.on_hand > 0 AND s.product_id IN `+in(2)+`
		ORDER BY s.product_id, coalesce(lots.expiry, '') = '', lots.expiry, s.lot`, []any{d.staging, pj}, func(r *sql.Rows) error {
		var product int64
		lot := &stagedLot{}
		if err := r.Scan(&product, &lot.lot, &lot.qty); err != nil {
			return err
		}
		d.staged[product] = append(d.staged[product], lot)
		return nil
	})
	if err != nil {
		return err
	}
	d.totals = map[int64]*[2]int64{}
	return l.each(`SELECT product_id, on_hand, reserved FROM stock_totals WHERE warehouse_id = ?1 AND product_id IN `+in(2),
		[]any{d.warehouse, pj}, func(r *sql.Rows) error {
			var product int64
			t := &[2]int64{}
			if err := r.Scan(&product, &t[0], &t[1]); err != nil {
				return err
			}
			d.totals[product] = t
			return nil
		})
}

// work goes through the parcels in order, as the one-by-one dispatch did:
// each line uses up its order's reservations, oldest first, and leaves
// STAGING first expiry first; an order whose parcels have all left (and
// that is packed) ships.
func (d *dispatch) work() error {
	d.used, d.balances, d.change, d.shipped = map[int64]*heldQty{}, map[[2]any]int64{}, map[int64]*[2]int64{}, map[int64]string{}
	left := map[int64]int{} // order → parcels not yet dispatched, of those read
	for _, p := range d.parcels {
		left[p.order]++
	}
	for _, p := range d.parcels {
		for _, ln := range p.lines {
			product, qty := ln[0], ln[1]
			sku := d.products[product]
			unreserved := int64(0)
			for _, h := range d.reservations[[2]int64{p.order, product}] {
				use := min(h.qty, qty-unreserved)
				if use <= 0 {
					break
				}
				h.qty -= use
				d.used[h.id] = h
				unreserved += use
			}
			var have int64
			for _, s := range d.staged[product] {
				have += s.qty
			}
			if have < qty {
				return fmt.Errorf("parcel %d: %w", p.id, domain.Errorf(domain.ECONFLICT, "%s: bin %s hold %d, not %d", sku, domain.StagingBin, have, qty))
			}
			t := d.totals[product]
			if t == nil || t[0]-qty < t[1]-unreserved {
				var onHand, reserved int64
				if t != nil {
					onHand, reserved = t[0], t[1]-unreserved
				}
				return domain.Errorf(domain.ECONFLICT, "%s in %s: %d on hand, %d reserved for orders, so only %d can be taken, not %d",
					sku, d.wcode, onHand, reserved, onHand-reserved, qty)
			}
			t[0], t[1] = t[0]-qty, t[1]-unreserved
			if d.change[product] == nil {
				d.change[product] = &[2]int64{}
			}
			d.change[product][0] += qty
			d.change[product][1] += unreserved
			for need := qty; need > 0; {
				s := d.staged[product][0]
				n := min(s.qty, need)
				s.qty -= n
				need -= n
				if s.qty == 0 {
					d.staged[product] = d.staged[product][1:]
				}
				d.balances[[2]any{product, s.lot}] += n
				d.moves = append(d.moves, []any{product, s.lot, -n, "order " + p.number, "tracking " + p.tracking})
			}
		}
		if left[p.order]--; left[p.order] == 0 {
			d.shipped[p.order] = fmt.Sprintf("handed to %s, tracking %s", d.carrier, p.tracking)
		}
	}
	return nil
}

// write writes what work worked out, a few statements per 500 rows.
func (d *dispatch) write(db *DB, l *ledger, manifest int64) error {
	const perBatch = 500
	tx := l.x.tx
	// The reservations used: the spent ones go, the others shrink.
	var gone []int64
	var less [][]any
	for _, id := range slices.Sorted(maps.Keys(d.used)) {
		if left := d.used[id].qty; left == 0 {
			gone = append(gone, id)
		} else {
			less = append(less, []any{id, left})
		}
	}
	for batch := range slices.Chunk(gone, perBatch) {
		if _, err := tx.ExecContext(l.ctx, `DELETE FROM reservations WHERE id IN (SELECT CAST(j.value AS BIGINT) FROM `+db.jsonValues(1)+`)`,
			jsonArray(batch)); err != nil {
			return translate(err)
		}
	}
	for batch := range slices.Chunk(less, perBatch) {
		if _, err := tx.ExecContext(l.ctx, `UPDATE reservations SET qty = v.column2
			FROM (VALUES `+values(len(batch), "BIGINT", "BIGINT")+`) AS v WHERE reservations.id = v.column1`, flatten(batch)...); err != nil {
			return translate(err)
		}
	}
	// The bins and the warehouse's totals, then the ledger's lines.
	var bins [][]any
	for k, n := range d.balances {
		bins = append(bins, []any{k[0], k[1], n, d.staging})
	}
	sort.Slice(bins, func(i, j int) bool {
		a, b := bins[i], bins[j]
		return a[0].(int64) < b[0].(int64) || a[0] == b[0] && a[1].(string) < b[1].(string)
	})
	for batch := range slices.Chunk(bins, perBatch) {
		res, err := tx.ExecContext(l.ctx, `UPDATE stock_balances SET on_hand = stock_balances.on_hand - v.column3
			FROM (VALUES `+values(len(batch), "BIGINT", "TEXT", "BIGINT", "BIGINT")+`) AS v
			WHERE stock_balances.location_id = v.column4 AND stock_balances.product_id = v.column1 AND stock_balances.lot = v.column2
			AND stock_balances.on_hand >= v.column3`, flatten(batch)...)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n != int64(len(batch)) {
			return domain.Errorf(domain.ECONFLICT, "the stock in %s changed while the parcels were dispatched; try again", domain.StagingBin)
		}
	}
	var totals [][]any
	for _, product := range slices.Sorted(maps.Keys(d.change)) {
		c := d.change[product]
		totals = append(totals, []any{product, c[0], c[1], d.warehouse})
	}
	for batch := range slices.Chunk(totals, perBatch) {
		res, err := tx.ExecContext(l.ctx, `UPDATE stock_totals SET on_hand = stock_totals.on_hand - v.column2, reserved = stock_totals.reserved - v.column3
			FROM (VALUES `+values(len(batch), "BIGINT", "BIGINT", "BIGINT", "BIGINT")+`) AS v
			WHERE stock_totals.warehouse_id = v.column4 AND stock_totals.product_id = v.column1`, flatten(batch)...)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n != int64(len(batch)) {
			return domain.Errorf(domain.ECONFLICT, "the stock of %s changed while the parcels were dispatched; try again", d.wcode)
		}
	}
	for batch := range slices.Chunk(d.moves, perBatch) {
		var rows [][]any
		for _, m := range batch {
			rows = append(rows, []any{l.now, string(domain.MoveShip), m[0], d.warehouse, d.staging, m[1], m[2], m[3], m[4]})
		}
		if _, err := tx.ExecContext(l.ctx, `INSERT INTO stock_movements (at, kind, product_id, warehouse_id, location_id, lot, qty, doc, note, who)
			SELECT v.*, who() FROM (VALUES `+values(len(rows), "BIGINT", "TEXT", "BIGINT", "BIGINT", "BIGINT", "TEXT", "BIGINT", "TEXT", "TEXT")+`) AS v`,
			flatten(rows)...); err != nil {
			return translate(err)
		}
	}
	// The parcels leave, on the manifest; their tracking starts.
	ids := make([]int64, len(d.parcels))
	for i, p := range d.parcels {
		ids[i] = p.id
	}
	if _, err := tx.ExecContext(l.ctx, `UPDATE parcels SET status = 'dispatched', carrier = ?1, manifest_id = ?2
		WHERE id IN (SELECT CAST(j.value AS BIGINT) FROM `+db.jsonValues(3)+`)`, d.carrier, manifest, jsonArray(ids)); err != nil {
		return translate(err)
	}
	var shipments []int64
	err := l.each(`INSERT INTO shipments (parcel_id, order_id, carrier, tracking, destination, shipped_at, next_poll_at)
		SELECT pa.id, pa.order_id, ?1, pa.tracking, o.ship_country, ?2, ?3 FROM parcels pa JOIN orders o ON o.id = pa.order_id
		WHERE pa.id IN (SELECT CAST(j.value AS BIGINT) FROM `+db.jsonValues(4)+`) ORDER BY pa.id
		ON CONFLICT DO NOTHING RETURNING id`, []any{d.carrier, l.now, l.now + domain.DefaultTrackingPolicy().FirstPoll.Milliseconds(), jsonArray(ids)},
		func(r *sql.Rows) error {
			var id int64
			err := r.Scan(&id)
			shipments = append(shipments, id)
			return err
		})
	if err != nil {
		return err
	}
	// The storefronts are told of the tracking numbers (tracking_pushes).
	if len(shipments) > 0 {
		if _, err := tx.ExecContext(l.ctx, `INSERT INTO tracking_pushes (shipment_id, next_at)
			SELECT s.id, ?1 FROM shipments s JOIN orders o ON o.id = s.order_id JOIN channels c ON c.id = o.channel_id
			WHERE s.id IN (SELECT CAST(j.value AS BIGINT) FROM `+db.jsonValues(2)+`) AND c.kind IN ('shopify', 'woocommerce', 'bigcommerce')
			ON CONFLICT DO NOTHING`, l.now, jsonArray(shipments)); err != nil {
			return translate(err)
		}
	}
	return d.ship(db, l)
}

// ship moves to shipped the packed orders whose parcels have now all left.
func (d *dispatch) ship(db *DB, l *ledger) error {
	if len(d.shipped) == 0 {
		return nil
	}
	var orders []int64
	for id := range d.shipped {
		orders = append(orders, id)
	}
	slices.Sort(orders)
	var ready []int64
	err := l.each(`SELECT o.id FROM orders o WHERE o.id IN (SELECT CAST(j.value AS BIGINT) FROM `+db.jsonValues(1)+`) AND o.status = ?2
		AND NOT EXISTS (SELECT 1 FROM parcels pa WHERE pa.order_id = o.id AND pa.status <> 'dispatched') ORDER BY o.id`,
		[]any{jsonArray(orders), string(domain.StatusPacked)}, func(r *sql.Rows) error {
			var id int64
			err := r.Scan(&id)
			ready = append(ready, id)
			return err
		})
	if err != nil || len(ready) == 0 {
		return err
	}
	for batch := range slices.Chunk(ready, 500) {
		if _, err := l.x.tx.ExecContext(l.ctx, `UPDATE orders SET status = ?1, updated_at = ?2 WHERE id IN (SELECT CAST(j.value AS BIGINT) FROM `+
			db.jsonValues(3)+`)`, string(domain.StatusShipped), l.now, jsonArray(batch)); err != nil {
			return translate(err)
		}
		var history [][]any
		for _, id := range batch {
			history = append(history, []any{id, l.now, string(domain.StatusPacked), string(domain.StatusShipped), d.shipped[id]})
		}
		if _, err := l.x.tx.ExecContext(l.ctx, `INSERT INTO order_history (order_id, at, from_status, to_status, reason, who)
			SELECT v.*, who() FROM (VALUES `+values(len(history), "BIGINT", "BIGINT", "TEXT", "TEXT", "TEXT")+`) AS v`, flatten(history)...); err != nil {
			return translate(err)
		}
	}
	return nil
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
