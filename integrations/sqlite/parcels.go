package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/portolan/portolan/domain"
)

// Boxes lists the box sizes the packing station offers.
func (db *StockStore) Boxes(ctx context.Context) ([]domain.Box, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, b *domain.Box) error {
		var l, w, h, t int64
		if err := rows.Scan(&b.Code, &b.Name, &l, &w, &h, &t); err != nil {
			return err
		}
		b.Dimensions = domain.Dimensions{Length: domain.Millimetres(l), Width: domain.Millimetres(w), Height: domain.Millimetres(h)}
		b.Tare = domain.Grams(t)
		return nil
	}, `SELECT code, name, length_mm, width_mm, height_mm, tare_g FROM boxes ORDER BY length_mm * width_mm * height_mm`)
}

// Pack puts what was picked of an order in a warehouse into one parcel of
// the given box and weight. scanned, when not nil, is what the packer
// scanned per SKU: it must match what was picked. The order becomes packed
// once every allocated line is in a parcel.
func (db *LedgerStore) Pack(ctx context.Context, orderID int64, warehouse, box string, weight domain.Grams, scanned map[string]domain.Quantity) (int64, error) {
	if weight <= 0 {
		return 0, domain.Errorf(domain.EINVALID, "enter the parcel's weight in grams")
	}
	set, err := db.StockStore().ShippingSettings(ctx)
	if err != nil {
		return 0, err
	}
	var id int64
	// A few requests whatever the order's size (a packing bench far from the
	// team's server waits on each): the order, warehouse and box in one
	// read, what is left to pack in another, the parcel and its lines in two
	// writes, the order's status in two more.
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		var w int64
		var status, number, service string
		var boxFound bool
		err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT id FROM warehouses WHERE code = ?2), 0), o.status, o.number, o.service,
			EXISTS (SELECT 1 FROM boxes WHERE code = ?3) FROM orders o WHERE o.id = ?1`, orderID, strings.TrimSpace(warehouse), box).
			Scan(&w, &status, &number, &service, &boxFound)
		switch {
		case err != nil:
			return missing(err, "no order %d", orderID)
		case w == 0:
			return domain.Errorf(domain.ENOTFOUND, "no warehouse %q", warehouse)
		case status != string(domain.StatusPicking):
			return domain.Errorf(domain.ECONFLICT, "order %s is %s; only an order being picked can be packed", number, strings.ReplaceAll(status, "_", " "))
		case !boxFound:
			return domain.Errorf(domain.EINVALID, "no box %q", box)
		}
		// What was picked of this order in this warehouse and is not packed
		// yet (line_no > 0), and its allocated lines in no parcel (line_no < 0).
		type line struct {
			no  int
			sku string
			qty int64
		}
		var lines []line
		unpacked := map[int]bool{}
		picked := map[string]int64{}
		_, err = queryList(ctx, tx, func(rows *sql.Rows, _ *struct{}) error {
			var ln line
			if err := rows.Scan(&ln.no, &ln.sku, &ln.qty); err != nil {
				return err
			}
			if ln.no < 0 {
				unpacked[-ln.no] = true
				return nil
			}
			lines = append(lines, ln)
			picked[ln.sku] += ln.qty
			return nil
		}, `SELECT wl.line_no, p.sku, sum(wl.picked_qty) FROM wave_lines wl
			JOIN locations loc ON loc.id = wl.location_id JOIN products p ON p.id = wl.product_id
			WHERE wl.order_id = ?1 AND loc.warehouse_id = ?2 AND wl.picked_qty > 0
			  AND NOT EXISTS (SELECT 1 FROM parcel_lines pl JOIN parcels pa ON pa.id = pl.parcel_id
			                  WHERE pa.order_id = wl.order_id AND pl.line_no = wl.line_no)
			GROUP BY wl.line_no, p.sku
			UNION ALL
			SELECT DISTINCT -a.line_no, '', 0 FROM allocations a WHERE a.order_id = ?1 AND NOT EXISTS (
				SELECT 1 FROM parcel_lines pl JOIN parcels pa ON pa.id = pl.parcel_id WHERE pa.order_id = a.order_id AND pl.line_no = a.line_no)
			ORDER BY 1 DESC`, orderID, w)
		if err != nil {
			return translate(err)
		}
		slices.SortFunc(lines, func(a, b line) int { return a.no - b.no })
		if len(lines) == 0 {
			return domain.Errorf(domain.ENOTFOUND, "nothing of order %s has been picked in %s to pack", number, warehouse)
		}
		if scanned != nil {
			var diff []string
			skus := map[string]bool{}
			for s := range picked {
				skus[s] = true
			}
			for s := range scanned {
				skus[s] = true
			}
			keys := slices.Sorted(maps.Keys(skus))
			for _, s := range keys {
				if int64(scanned[s]) != picked[s] {
					diff = append(diff, fmt.Sprintf("%s: scanned %d, picked %d", s, scanned[s], picked[s]))
				}
			}
			if len(diff) > 0 {
				return domain.Errorf(domain.ECONFLICT, "order %s does not match what was picked: %s", number, strings.Join(diff, "; "))
			}
		}
		now := millis(db.now())
		// The carrier follows from the order's shipping service where it can.
		if err := tx.QueryRowContext(ctx, `INSERT INTO parcels (order_id, warehouse_id, box, weight_g, carrier, status, packed_at)
			VALUES (?, ?, ?, ?, ?, 'packed', ?) RETURNING id`, orderID, w, box, int64(weight), set.CarrierFor(service), now).Scan(&id); err != nil {
			return translate(err)
		}
		rows := make([][]any, len(lines))
		for i, ln := range lines {
			rows[i] = []any{id, ln.no, ln.qty}
			delete(unpacked, ln.no)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO parcel_lines (parcel_id, line_no, qty) VALUES `+values(len(rows), "", "", ""), flatten(rows)...); err != nil {
			return translate(err)
		}
		if len(unpacked) > 0 {
			return nil // more to pack: another parcel, or another warehouse's
		}
		if err := domain.CheckTransition(number, domain.StatusPicking, domain.StatusPacked); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET status = ?, updated_at = ? WHERE id = ?`, string(domain.StatusPacked), now, orderID); err != nil {
			return translate(err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO order_history (order_id, at, from_status, to_status, reason, who) VALUES (?, ?, ?, ?, ?, who())`,
			orderID, now, string(domain.StatusPicking), string(domain.StatusPacked), fmt.Sprintf("packed: box %s, %d g", box, weight))
		return translate(err)
	})
	return id, err
}

// SetTracking records a parcel's tracking number and carrier (an empty
// carrier keeps the one the parcel has).
func (db *LedgerStore) SetTracking(ctx context.Context, parcelID int64, carrier, tracking string) error {
	tracking = strings.TrimSpace(tracking)
	if tracking == "" {
		return domain.Errorf(domain.EINVALID, "the tracking number is empty")
	}
	for i := 0; i < len(tracking); i++ {
		if tracking[i] < 32 || tracking[i] > 126 {
			return domain.Errorf(domain.EINVALID, "tracking number %q has characters a barcode cannot hold", tracking)
		}
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, domain.Errorf(domain.ENOTFOUND, "no parcel %d", parcelID), `UPDATE parcels SET carrier = CASE WHEN ?1 = '' THEN carrier ELSE ?1 END, tracking = ?2 WHERE id = ?3`,
			strings.TrimSpace(carrier), tracking, parcelID)
	})
}

// ParcelsOfWave reads the parcels packed for a wave's orders in its
// warehouse, in tote order, with everything the documents print.
func (db *StockStore) ParcelsOfWave(ctx context.Context, waveID int64) ([]domain.PackedParcel, error) {
	return db.parcels(ctx, `JOIN wave_orders wo ON wo.order_id = pa.order_id AND wo.wave_id = ?
		JOIN waves wv ON wv.id = wo.wave_id AND wv.warehouse_id = pa.warehouse_id`, `wo.tote, pa.id`, waveID)
}

// ParcelsOfOrder reads an order's parcels.
func (db *StockStore) ParcelsOfOrder(ctx context.Context, orderID int64) ([]domain.PackedParcel, error) {
	return db.parcels(ctx, ``, `pa.id`, nil, orderID)
}

// Parcels reads the given parcels, in the order given.
func (db *StockStore) Parcels(ctx context.Context, ids []int64) ([]domain.PackedParcel, error) {
	b := jsonArray(ids)
	out, err := db.parcels(ctx, `JOIN `+db.jsonValues(0)+` ON CAST(j.value AS BIGINT) = pa.id`, `j.key`, b)
	if err != nil {
		return nil, err
	}
	if len(out) < len(ids) {
		found := map[int64]bool{}
		for _, p := range out {
			found[p.ID] = true
		}
		for _, id := range ids {
			if !found[id] {
				return nil, domain.Errorf(domain.ENOTFOUND, "no parcel %d", id)
			}
		}
	}
	return out, nil
}

func (db *StockStore) parcels(ctx context.Context, join, order string, joinArg any, orderID ...int64) ([]domain.PackedParcel, error) {
	q := `SELECT pa.id, pa.order_id, o.number, pa.box, pa.weight_g, pa.tracking, pa.carrier, o.service, o.currency, pa.packed_at,
			b.name, b.length_mm, b.width_mm, b.height_mm, b.tare_g,
			o.ship_name, o.ship_company, o.ship_line1, o.ship_line2, o.ship_city, o.ship_region, o.ship_postal_code, o.ship_country,
			o.ship_phone, o.ship_email, pa.warehouse_id,
			(SELECT count(*) FROM parcels x WHERE x.order_id = pa.order_id AND x.id <= pa.id),
			(SELECT count(*) FROM parcels x WHERE x.order_id = pa.order_id), pa.status = 'dispatched',
			ch.ship_service, ch.promise_days, o.placed_at,
			(SELECT ls.scanned_at FROM label_purchases lp JOIN label_scans ls ON ls.purchase_id = lp.id
				WHERE lp.parcel_id = pa.id AND ` + boughtLabel + `)
		FROM parcels pa JOIN orders o ON o.id = pa.order_id JOIN channels ch ON ch.id = o.channel_id JOIN boxes b ON b.code = pa.box ` + join
	var args []any
	if joinArg != nil {
		args = append(args, joinArg)
	}
	if len(orderID) > 0 {
		q += ` WHERE pa.order_id = ?`
		args = append(args, orderID[0])
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY `+order, args...)
	if err != nil {
		return nil, translate(err)
	}
	var out []domain.PackedParcel
	var whIDs []int64
	for rows.Next() {
		var p domain.PackedParcel
		var weight, packed, l, w, h, tare, wh, promise, placed int64
		var cur, country string
		var scanned sql.NullInt64
		a := &p.ShipTo
		if err := rows.Scan(&p.ID, &p.OrderID, &p.Number, &p.Box.Code, &weight, &p.Tracking, &p.Carrier, &p.Service, &cur, &packed,
			&p.Box.Name, &l, &w, &h, &tare, &a.Name, &a.Company, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &country,
			&a.Phone, &a.Email, &wh, &p.Seq, &p.Of, &p.Shipped, &p.ChannelService, &promise, &placed, &scanned); err != nil {
			rows.Close()
			return nil, err
		}
		p.Weight, p.Currency, p.PackedAt, a.Country = domain.Grams(weight), domain.Currency(cur), fromMS(packed), domain.Country(country)
		p.Box.Dimensions = domain.Dimensions{Length: domain.Millimetres(l), Width: domain.Millimetres(w), Height: domain.Millimetres(h)}
		p.Box.Tare = domain.Grams(tare)
		if promise > 0 {
			p.PromisedBy = fromMS(placed).AddDate(0, 0, int(promise))
		}
		if scanned.Valid {
			p.CarrierScan = fromMS(scanned.Int64)
		}
		out = append(out, p)
		whIDs = append(whIDs, wh)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	whs, err := db.CatalogStore().Warehouses(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int64]domain.Warehouse{}
	for _, w := range whs {
		byID[w.ID] = w
	}
	for i := range out {
		out[i].Warehouse = byID[whIDs[i]]
		lines, err := db.parcelLines(ctx, out[i].ID, out[i].Currency)
		if err != nil {
			return nil, err
		}
		out[i].Lines = lines
	}
	return out, nil
}

func (db *StockStore) parcelLines(ctx context.Context, parcelID int64, cur domain.Currency) ([]domain.ParcelLine, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, l *domain.ParcelLine) error {
		var qty, price, weight int64
		var origin string
		if err := rows.Scan(&l.LineNo, &l.SKU, &l.Name, &qty, &price, &l.HSCode, &origin, &l.Description, &weight); err != nil {
			return err
		}
		l.Qty, l.UnitPrice, l.Origin, l.UnitWeight = domain.Quantity(qty), domain.NewMoney(price, cur), domain.Country(origin), domain.Grams(weight)
		if l.Description == "" {
			l.Description = l.Name
		}
		return nil
	}, `SELECT pl.line_no, ol.sku, ol.name, pl.qty, ol.unit_price_minor,
			coalesce(p.hs_code, ''), coalesce(p.origin_country, ''), coalesce(p.customs_description, ''), coalesce(p.weight_g, 0)
		FROM parcel_lines pl JOIN parcels pa ON pa.id = pl.parcel_id
		JOIN order_lines ol ON ol.order_id = pa.order_id AND ol.line_no = pl.line_no
		LEFT JOIN products p ON p.sku = ol.sku
		WHERE pl.parcel_id = ? ORDER BY pl.line_no`, parcelID)
}

const shippingKey = string(domain.SettingShipping)

// ShippingSettings reads the settings (DAP and nothing else by default).
func (db *StockStore) ShippingSettings(ctx context.Context) (domain.ShippingSettings, error) {
	s := domain.ShippingSettings{Incoterm: "DAP"}
	if _, err := db.readSetting(ctx, shippingKey, &s); err != nil && !isDecoding(err) {
		return s, err
	}
	if s.LatinCarriers == nil { // never saved, or saved before the setting existed
		s.LatinCarriers = domain.DefaultLatinCarriers
	}
	return s, nil
}

// SetShippingSettings saves the settings.
func (db *LedgerStore) SetShippingSettings(ctx context.Context, s domain.ShippingSettings) error {
	s.Incoterm = strings.ToUpper(strings.TrimSpace(s.Incoterm))
	if s.Incoterm != "DAP" && s.Incoterm != "DDP" {
		return domain.Errorf(domain.EINVALID, "the Incoterm is DAP (duties paid by the recipient) or DDP (by the sender), not %q", s.Incoterm)
	}
	switch strings.ToLower(strings.TrimSpace(s.DocPaper)) {
	case "", "a4":
		s.DocPaper = "A4"
	case "letter":
		s.DocPaper = "Letter"
	default:
		return domain.Errorf(domain.EINVALID, "customs papers and slips print on A4 or Letter, not %q", s.DocPaper)
	}
	if s.LatinCarriers == nil { // an empty, non-nil list means none
		s.LatinCarriers = domain.DefaultLatinCarriers
	}
	for k, v := range s.Carriers {
		if strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return domain.Errorf(domain.EINVALID, "a service → carrier pair needs both names (%q → %q)", k, v)
		}
	}
	return db.saveSetting(ctx, shippingKey, s)
}

// SetProductCustoms fixes a product's customs data: HS code, origin and unit weight.
func (db *LedgerStore) SetProductCustoms(ctx context.Context, sku, hs string, origin domain.Country, weight domain.Grams) error {
	hs = strings.NewReplacer(".", "", " ", "").Replace(strings.TrimSpace(hs)) // tariffs write 6505.00
	p := domain.Product{SKU: sku, Name: "x", HSCode: hs, Origin: origin, Weight: weight}
	if err := p.Validate(); err != nil {
		return err
	}
	if hs == "" || origin == "" {
		return domain.Errorf(domain.EINVALID, "%s: give the HS code and the country of origin", sku)
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, domain.Errorf(domain.ENOTFOUND, "no product with SKU %q", sku), `UPDATE products SET hs_code = ?, origin_country = ?, weight_g = CASE WHEN ? > 0 THEN ? ELSE weight_g END WHERE sku = ?`,
			hs, string(origin), int64(weight), int64(weight), sku)
	})
}

// SetShipAddress implements domain.DocumentSettingsStore.
func (db *LedgerStore) SetShipAddress(ctx context.Context, orderID int64, to domain.Address, why string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var number, status, country string
		var a domain.Address
		err := tx.QueryRowContext(ctx, `SELECT number, status, ship_name, ship_company, ship_line1, ship_line2, ship_city, ship_region,
			ship_postal_code, ship_country, ship_phone, ship_email FROM orders WHERE id = ?`, orderID).Scan(&number, &status, &a.Name, &a.Company,
			&a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &country, &a.Phone, &a.Email)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "no order %d", orderID)
		}
		if err != nil {
			return err
		}
		switch domain.OrderStatus(status) {
		case domain.StatusShipped, domain.StatusDelivered, domain.StatusCancelled:
			return domain.Errorf(domain.ECONFLICT, "order %s is %s: where it goes can no longer be changed here", number, status)
		}
		a.Country = domain.Country(country)
		t := func(s string) string { return strings.TrimSpace(s) }
		var old []string
		for _, part := range []string{a.Line1, a.Line2, t(a.PostalCode + " " + a.City), a.Region, country, a.Phone} {
			if part != "" {
				old = append(old, part)
			}
		}
		was := strings.Join(old, ", ")
		a.Line1, a.Line2, a.City, a.Region, a.PostalCode = t(to.Line1), t(to.Line2), t(to.City), t(to.Region), t(to.PostalCode)
		a.Country, a.Phone = domain.Country(strings.ToUpper(t(string(to.Country)))), t(to.Phone)
		if err := a.Validate(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET ship_line1 = ?, ship_line2 = ?, ship_city = ?, ship_region = ?, ship_postal_code = ?,
			ship_country = ?, ship_phone = ?, updated_at = ? WHERE id = ?`, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, string(a.Country),
			a.Phone, millis(db.now()), orderID); err != nil {
			return translate(err)
		}
		reason := "ship-to corrected"
		if why = t(why); why != "" {
			reason += " (" + why + ")"
		}
		return insertHistory(ctx, tx, orderID, []domain.StatusChange{{At: db.now(), From: domain.OrderStatus(status), To: domain.OrderStatus(status),
			Reason: reason + "; was: " + was}})
	})
}

// SetShipPhone fixes the recipient's phone number of an order.
func (db *LedgerStore) SetShipPhone(ctx context.Context, orderID int64, phone string) error {
	phone = strings.TrimSpace(phone)
	if phone == "" {
		return domain.Errorf(domain.EINVALID, "the phone number is empty")
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, domain.ErrNotFound, `UPDATE orders SET ship_phone = ? WHERE id = ?`, phone, orderID)
	})
}
