package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

func dayText(t time.Time) string { return domain.Day(t).Format(time.DateOnly) }

func parseDay(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// Clients lists the clients with their channels, by code.
func (db *BillingStore) Clients(ctx context.Context) ([]domain.Client, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, code, name, currency, payment_days, tax_bp, vat_number, address, bill_per FROM clients ORDER BY code`)
	if err != nil {
		return nil, translate(err)
	}
	var out []domain.Client
	for rows.Next() {
		var c domain.Client
		var cur, addr string
		if err := rows.Scan(&c.ID, &c.Code, &c.Name, &cur, &c.PaymentDays, &c.TaxBP, &c.VATNumber, &addr, &c.BillPer); err != nil {
			rows.Close()
			return nil, err
		}
		c.Currency = domain.Currency(cur)
		_ = json.Unmarshal([]byte(addr), &c.Address)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	chans, err := db.reader(ctx).QueryContext(ctx, `SELECT client_id, channel_id FROM client_channels ORDER BY channel_id`)
	if err != nil {
		return nil, translate(err)
	}
	defer chans.Close()
	for chans.Next() {
		var cl, ch int64
		if err := chans.Scan(&cl, &ch); err != nil {
			return nil, err
		}
		for i := range out {
			if out[i].ID == cl {
				out[i].Channels = append(out[i].Channels, ch)
			}
		}
	}
	return out, chans.Err()
}

// SaveClient adds (ID 0) or changes a client and the channels that are its.
func (db *BillingStore) SaveClient(ctx context.Context, c *domain.Client) error {
	if err := c.Validate(); err != nil {
		return err
	}
	addr, _ := json.Marshal(c.Address)
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if c.ID == 0 {
			res, err := insert(ctx, tx, `INSERT INTO clients (code, name, currency, payment_days, tax_bp, vat_number, address, bill_per)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.Code, c.Name, string(c.Currency), c.PaymentDays, c.TaxBP, c.VATNumber, string(addr), c.BillPer)
			if errors.Is(translate(err), domain.ErrConflict) {
				return domain.Errorf(domain.ECONFLICT, "there is already a client with code %q", c.Code)
			}
			if err != nil {
				return err
			}
			if c.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE clients SET code = ?, name = ?, currency = ?, payment_days = ?, tax_bp = ?, vat_number = ?,
				address = ?, bill_per = ? WHERE id = ?`, c.Code, c.Name, string(c.Currency), c.PaymentDays, c.TaxBP, c.VATNumber, string(addr), c.BillPer, c.ID); err != nil {
			return translate(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM client_channels WHERE client_id = ?`, c.ID); err != nil {
			return err
		}
		for _, ch := range c.Channels {
			if _, err := tx.ExecContext(ctx, `INSERT INTO client_channels (channel_id, client_id) VALUES (?, ?)
				ON CONFLICT (channel_id) DO UPDATE SET client_id = excluded.client_id`, ch, c.ID); err != nil {
				return translate(err)
			}
		}
		return nil
	})
}

// rateJSON is a rate card's prices as stored.
type rateJSON struct {
	PerOrder       int64                 `json:"per_order,omitempty"`
	PerLine        int64                 `json:"per_line,omitempty"`
	PerUnit        int64                 `json:"per_unit,omitempty"`
	PerParcel      int64                 `json:"per_parcel,omitempty"`
	Packaging      map[string]int64      `json:"packaging,omitempty"`
	ReceivingUnit  int64                 `json:"receiving_unit,omitempty"`
	PerInbound     int64                 `json:"per_inbound,omitempty"`
	Storage        int64                 `json:"storage_per_1000_unit_days,omitempty"`
	StorageBinDay  int64                 `json:"storage_per_bin_day,omitempty"`
	MarkupBP       int64                 `json:"markup_bp,omitempty"`
	Flat           []domain.FlatShipping `json:"flat,omitempty"`
	MinimumMonthly int64                 `json:"minimum_monthly,omitempty"`
}

// RateCards lists a client's cards (every client's with 0), oldest first.
func (db *BillingStore) RateCards(ctx context.Context, clientID int64) ([]domain.RateCard, error) {
	return queryList(ctx, db.reader(ctx), func(rows *sql.Rows, r *domain.RateCard) error {
		var from, cur, rates string
		if err := rows.Scan(&r.ID, &r.ClientID, &from, &cur, &rates); err != nil {
			return err
		}
		var j rateJSON
		if err := json.Unmarshal([]byte(rates), &j); err != nil {
			return fmt.Errorf("rate card %d is damaged: %w", r.ID, err)
		}
		r.EffectiveFrom, r.Currency = parseDay(from), domain.Currency(cur)
		r.PerOrder, r.PerLine, r.PerUnit, r.PerParcel, r.Packaging = j.PerOrder, j.PerLine, j.PerUnit, j.PerParcel, j.Packaging
		r.ReceivingUnit, r.PerInbound, r.StoragePer1000UnitDays, r.MarkupBP, r.Flat, r.MinimumMonthly = j.ReceivingUnit, j.PerInbound, j.Storage, j.MarkupBP, j.Flat, j.MinimumMonthly
		r.StoragePerBinDay = j.StorageBinDay
		return nil
	}, `SELECT id, client_id, effective_from, currency, rates FROM rate_cards
		WHERE ?1 = 0 OR client_id = ?1 ORDER BY client_id, effective_from`, clientID)
}

// SaveRateCard stores a card; a card for the same client and date is replaced
// (charges already made keep the amounts they were made with).
func (db *BillingStore) SaveRateCard(ctx context.Context, r *domain.RateCard) error {
	if err := r.Validate(); err != nil {
		return err
	}
	b, _ := json.Marshal(rateJSON{r.PerOrder, r.PerLine, r.PerUnit, r.PerParcel, r.Packaging, r.ReceivingUnit, r.PerInbound,
		r.StoragePer1000UnitDays, r.StoragePerBinDay, r.MarkupBP, r.Flat, r.MinimumMonthly})
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO rate_cards (client_id, effective_from, currency, rates) VALUES (?, ?, ?, ?)
			ON CONFLICT (client_id, effective_from) DO UPDATE SET currency = excluded.currency, rates = excluded.rates RETURNING id`,
			r.ClientID, dayText(r.EffectiveFrom), string(r.Currency), string(b)).Scan(&r.ID)
		return translate(err)
	})
}

// FXRates lists every stored exchange rate.
func (db *BillingStore) FXRates(ctx context.Context) ([]domain.FXRate, error) {
	return db.fxRates(ctx, `SELECT day, base, quote, rate FROM fx_rates ORDER BY day, base, quote`)
}

// FXRatesBetween lists the rates of days in [from, to), latest day first.
func (db *BillingStore) FXRatesBetween(ctx context.Context, from, to time.Time) ([]domain.FXRate, error) {
	return db.fxRates(ctx, `SELECT day, base, quote, rate FROM fx_rates WHERE day >= ? AND day < ? ORDER BY day DESC, base, quote`,
		dayText(from), dayText(to))
}

func (db *BillingStore) fxRates(ctx context.Context, query string, args ...any) ([]domain.FXRate, error) {
	return queryList(ctx, db.reader(ctx), func(rows *sql.Rows, fx *domain.FXRate) error {
		var d, b, q, r string
		if err := rows.Scan(&d, &b, &q, &r); err != nil {
			return err
		}
		rate, err := domain.ParseRate(r)
		*fx = domain.FXRate{Day: parseDay(d), Base: domain.Currency(b), Quote: domain.Currency(q), Rate: rate}
		return err
	}, query, args...)
}

// SaveFXRates stores rates (a rate for the same day and pair is replaced).
func (db *BillingStore) SaveFXRates(ctx context.Context, rates []domain.FXRate) (int, error) {
	n := 0
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, r := range rates {
			if err := r.Validate(); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO fx_rates (day, base, quote, rate) VALUES (?, ?, ?, ?)
				ON CONFLICT (day, base, quote) DO UPDATE SET rate = excluded.rate`, dayText(r.Day), string(r.Base), string(r.Quote),
				domain.RateText(r.Rate)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// ShippedOrders reads the orders of clients' channels with shipments
// handed over in [from, to) and not accrued yet, with their parcels (box,
// weight, warehouse where Portolan packed them).
func (db *BillingStore) ShippedOrders(ctx context.Context, from, to time.Time) ([]domain.ShippedOrder, error) {
	return queryDocuments(ctx, db.reader(ctx), func(rows *sql.Rows) (domain.ShippedOrder, domain.ShippedParcel, int64, error) {
		var o domain.ShippedOrder
		var p domain.ShippedParcel
		var weight, shipped int64
		var to string
		var bought int64
		var boughtIn string
		if err := rows.Scan(&o.OrderID, &o.Number, &o.ClientID, &o.Units, &o.Lines, &p.ID, &p.Tracking, &p.Box, &weight, &to, &shipped, &p.Warehouse,
			&bought, &boughtIn); err != nil {
			return o, p, 0, err
		}
		if boughtIn != "" {
			p.Bought = domain.NewMoney(bought, domain.Currency(boughtIn))
		}
		p.Weight, p.To, p.ShippedAt = domain.Grams(weight), domain.Country(to), fromMS(shipped)
		o.Shipped = p.ShippedAt // the first parcel's
		return o, p, o.OrderID, nil
	}, func(o *domain.ShippedOrder, p domain.ShippedParcel) { o.Parcels = append(o.Parcels, p) },
		`SELECT o.id, o.number, cc.client_id, o.units,
				(SELECT count(*) FROM order_lines ol WHERE ol.order_id = o.id),
				s.id, s.tracking, coalesce(pa.box, ''), coalesce(pa.weight_g, 0), s.destination, s.shipped_at, coalesce(pa.warehouse_id, 0),
				coalesce(lp.cost_minor, 0), coalesce(lp.currency, '')
			FROM shipments s JOIN orders o ON o.id = s.order_id JOIN client_channels cc ON cc.channel_id = o.channel_id
			LEFT JOIN parcels pa ON pa.id = s.parcel_id
			LEFT JOIN label_purchases lp ON lp.parcel_id = s.parcel_id AND `+boughtLabel+` 
			WHERE s.accrued = 0 AND s.shipped_at >= ? AND s.shipped_at < ?
			ORDER BY o.id, s.id`, millis(from), millis(to))
}

// OrderWeights estimates orders' weights from their lines and the products'
// weights (an order whose products have no weight is left out).
func (db *BillingStore) OrderWeights(ctx context.Context, orderIDs []int64) (map[int64]domain.Grams, error) {
	out := map[int64]domain.Grams{}
	ids := make([]any, len(orderIDs))
	for i, id := range orderIDs {
		ids[i] = id
	}
	err := inChunks(ids, func(chunk []any) error {
		weights, err := queryMap[int64, domain.Grams](ctx, db.reader(ctx), `SELECT ol.order_id, sum(ol.quantity * p.weight_g) FROM order_lines ol
			JOIN products p ON p.sku = ol.sku WHERE ol.order_id IN (`+placeholders(len(chunk))+`) GROUP BY ol.order_id
			HAVING sum(ol.quantity * p.weight_g) > 0`, chunk...)
		maps.Copy(out, weights)
		return err
	})
	return out, err
}

// AddCharges stores charges, leaving alone those already charged.
func (db *BillingStore) AddCharges(ctx context.Context, charges []domain.Charge, shipments []int64) (int, error) {
	n := 0
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		n = 0
		mark, err := tx.PrepareContext(ctx, `UPDATE shipments SET accrued = 1 WHERE id = ?`)
		if err != nil {
			return err
		}
		defer mark.Close()
		for _, id := range shipments {
			if _, err := mark.ExecContext(ctx, id); err != nil {
				return translate(err)
			}
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO charges (client_id, type, day, source_kind, source_id, order_id, ref, qty, rate, amount, currency)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, c := range charges {
			res, err := st.ExecContext(ctx, c.ClientID, string(c.Type), dayText(c.Date), c.SourceKind, c.SourceID, nullID(c.OrderID), c.Ref, c.Qty, c.Rate,
				c.Amount, string(c.Currency))
			if err != nil {
				return translate(err)
			}
			if k, _ := res.RowsAffected(); k > 0 {
				n++
			}
		}
		return nil
	})
	return n, err
}

// DropUnbilled removes a period's charges that are on no invoice, and
// forgets that their shipments were accrued when none of theirs is billed.
func (db *BillingStore) DropUnbilled(ctx context.Context, clientID int64, t domain.ChargeType, from, to time.Time) (int, error) {
	var n int64
	where := ` WHERE invoice_id IS NULL AND day >= ? AND day < ?`
	args := []any{dayText(from), dayText(to)}
	if clientID != 0 {
		where += ` AND client_id = ?`
		args = append(args, clientID)
	}
	if t != "" {
		where += ` AND type = ?`
		args = append(args, string(t))
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM charges`+where, args...)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if t == "" || t == domain.ChargeParcel || t == domain.ChargeShipping || t == domain.ChargePackaging {
			// The shipments still charged are read once (NOT IN materialises
			// them), not looked up per shipment: charges have no index by source.
			_, err = tx.ExecContext(ctx, `UPDATE shipments SET accrued = 0 WHERE accrued = 1 AND shipped_at >= ? AND shipped_at < ?
				AND id NOT IN (SELECT c.source_id FROM charges c WHERE c.source_kind = 'shipment')`,
				millis(from), millis(to))
		}
		return err
	})
	return int(n), err
}

// PeriodSums sums a client's charges of a period in one pass over them.
func (db *BillingStore) PeriodSums(ctx context.Context, clientID int64, from, to time.Time) (domain.PeriodSums, error) {
	out := domain.PeriodSums{WithoutMinimum: map[domain.Currency]int64{}, Unbilled: map[domain.Currency]int64{}}
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT c.currency, c.type = 'minimum', c.invoice_id IS NULL,
			((SELECT i.number IS NOT NULL FROM invoices i WHERE i.id = c.invoice_id) IS TRUE), sum(c.amount), count(*)
		FROM charges c WHERE c.client_id = ? AND c.day >= ? AND c.day < ?
		GROUP BY c.currency, c.type = 'minimum', c.invoice_id IS NULL, c.invoice_id`, clientID, dayText(from), dayText(to))
	if err != nil {
		return out, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var cur string
		var minimum, unbilled, issued bool
		var sum int64
		var n int
		if err := rows.Scan(&cur, &minimum, &unbilled, &issued, &sum, &n); err != nil {
			return out, err
		}
		c := domain.Currency(cur)
		if !minimum {
			out.WithoutMinimum[c] += sum
		} else if issued {
			out.MinimumIssued = true
		}
		if unbilled {
			out.Unbilled[c] += sum
			out.UnbilledCount += n
		}
	}
	return out, rows.Err()
}

// CreatePeriodInvoice stores a draft and puts every unbilled charge of the
// client's period on it, in one statement.
func (db *BillingStore) CreatePeriodInvoice(ctx context.Context, inv *domain.Invoice) (int, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := insert(ctx, tx, `INSERT INTO invoices (client_id, period_from, period_to, currency, net, tax, status, created_at, drafted_by)
			VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, who())`, inv.ClientID, dayText(inv.PeriodFrom), dayText(inv.PeriodTo), string(inv.Currency),
			inv.Net, inv.Tax, millis(db.now()))
		if err != nil {
			return translate(err)
		}
		if inv.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		inv.Status = domain.InvoiceDraft
		res, err = tx.ExecContext(ctx, `UPDATE charges SET invoice_id = ? WHERE client_id = ? AND day >= ? AND day < ? AND invoice_id IS NULL`,
			inv.ID, inv.ClientID, dayText(inv.PeriodFrom), dayText(inv.PeriodTo))
		if err != nil {
			return translate(err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

func chargeWhere(f domain.ChargeFilter) (string, []any) {
	q := ` WHERE (?1 = 0 OR c.client_id = ?1) AND c.day >= ?2 AND c.day < ?3 AND (?4 = '' OR c.type = ?4)`
	return q, []any{f.ClientID, dayText(f.From), dayText(f.To), string(f.Type)}
}

func scanCharge(r interface{ Scan(...any) error }) (domain.Charge, error) {
	var c domain.Charge
	var t, d, cur string
	var inv sql.NullInt64
	var order sql.NullInt64
	err := r.Scan(&c.ID, &c.ClientID, &t, &d, &c.SourceKind, &c.SourceID, &order, &c.Ref, &c.Qty, &c.Rate, &c.Amount, &cur, &inv)
	c.Type, c.Date, c.Currency, c.InvoiceID, c.OrderID = domain.ChargeType(t), parseDay(d), domain.Currency(cur), inv.Int64, order.Int64
	return c, err
}

const chargeColumns = `c.id, c.client_id, c.type, c.day, c.source_kind, c.source_id, c.order_id, c.ref, c.qty, c.rate, c.amount, c.currency, c.invoice_id`

// Charges lists a period's charges by day.
func (db *BillingStore) Charges(ctx context.Context, f domain.ChargeFilter, offset, limit int) ([]domain.Charge, error) {
	where, args := chargeWhere(f)
	return queryList(ctx, db.reader(ctx), scanWith(scanCharge), `SELECT `+chargeColumns+` FROM charges c`+where+` ORDER BY c.day, c.id LIMIT ?5 OFFSET ?6`,
		append(args, limit, offset)...)
}

// EachCharge streams a period's charges by client and day.
func (db *BillingStore) EachCharge(ctx context.Context, f domain.ChargeFilter, fn func(domain.Charge) error) error {
	where, args := chargeWhere(f)
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+chargeColumns+` FROM charges c`+where+` ORDER BY c.client_id, c.day, c.id`, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCharge(rows)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CreateInvoice stores a draft invoice and puts its charges on it.
func (db *BillingStore) CreateInvoice(ctx context.Context, inv *domain.Invoice, chargeIDs []int64) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		status := inv.Status
		if status == "" {
			status = domain.InvoiceDraft
		}
		var corrects any
		if inv.Corrects != 0 {
			corrects = inv.Corrects
		}
		res, err := insert(ctx, tx, `INSERT INTO invoices (client_id, period_from, period_to, currency, net, tax, status, corrects, created_at, drafted_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, who())`, inv.ClientID, dayText(inv.PeriodFrom), dayText(inv.PeriodTo), string(inv.Currency),
			inv.Net, inv.Tax, string(status), corrects, millis(db.now()))
		if err != nil {
			return translate(err)
		}
		if inv.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		inv.Status = status
		st, err := tx.PrepareContext(ctx, `UPDATE charges SET invoice_id = ? WHERE id = ? AND invoice_id IS NULL`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, id := range chargeIDs {
			res, err := st.ExecContext(ctx, inv.ID, id)
			if err != nil {
				return translate(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return domain.Errorf(domain.ECONFLICT, "charge %d is already on an invoice", id)
			}
		}
		return nil
	})
}

// IssueInvoice numbers a draft (INV-YYYY-NNNNN, one sequence per year) and
// dates it; from then on it never changes.
func (db *BillingStore) IssueInvoice(ctx context.Context, id int64, date time.Time, paymentDays int) (domain.Invoice, error) {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM invoices WHERE id = ?`, id).Scan(&status); err != nil {
			return missing(err, "no invoice %d", id)
		}
		if status != string(domain.InvoiceDraft) && status != string(domain.InvoiceCredit) {
			return domain.Errorf(domain.ECONFLICT, "invoice %d is already issued", id)
		}
		var number sql.NullString
		_ = tx.QueryRowContext(ctx, `SELECT number FROM invoices WHERE id = ?`, id).Scan(&number)
		if number.Valid {
			return domain.Errorf(domain.ECONFLICT, "invoice %d is already issued", id)
		}
		prefix := "INV"
		if status == string(domain.InvoiceCredit) {
			prefix = "CN"
		}
		year := date.UTC().Format("2006")
		var last sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT max(number) FROM invoices WHERE number LIKE ?`, prefix+"-"+year+"-%").Scan(&last); err != nil {
			return err
		}
		seq := 1
		if last.Valid {
			fmt.Sscanf(strings.TrimPrefix(last.String, prefix+"-"+year+"-"), "%d", &seq)
			seq++
		}
		newStatus := string(domain.InvoiceIssued)
		if status == string(domain.InvoiceCredit) {
			newStatus = status
		}
		_, err := tx.ExecContext(ctx, `UPDATE invoices SET number = ?, date = ?, due = ?, status = ?, issued_by = who() WHERE id = ?`,
			fmt.Sprintf("%s-%s-%05d", prefix, year, seq), dayText(date), dayText(date.AddDate(0, 0, paymentDays)), newStatus, id)
		return translate(err)
	})
	if err != nil {
		return domain.Invoice{}, err
	}
	return db.Invoice(ctx, id)
}

const invoiceColumns = `i.id, coalesce(i.number, ''), i.client_id, cl.name, i.period_from, i.period_to, coalesce(i.date, ''), coalesce(i.due, ''),
	i.currency, i.net, i.tax, i.paid, i.status, coalesce(i.corrects, 0), i.fx, i.drafted_by, i.issued_by`

func scanInvoice(r interface{ Scan(...any) error }) (domain.Invoice, error) {
	var i domain.Invoice
	var from, to, date, due, cur, st string
	err := r.Scan(&i.ID, &i.Number, &i.ClientID, &i.ClientName, &from, &to, &date, &due, &cur, &i.Net, &i.Tax, &i.Paid, &st, &i.Corrects, &i.FX, &i.DraftedBy, &i.IssuedBy)
	i.PeriodFrom, i.PeriodTo, i.Currency, i.Status = parseDay(from), parseDay(to), domain.Currency(cur), domain.InvoiceStatus(st)
	if date != "" {
		i.Date, i.Due = parseDay(date), parseDay(due)
	}
	return i, err
}

// Invoice reads an invoice with its lines.
func (db *BillingStore) Invoice(ctx context.Context, id int64) (domain.Invoice, error) {
	i, err := scanInvoice(db.reader(ctx).QueryRowContext(ctx, `SELECT `+invoiceColumns+` FROM invoices i JOIN clients cl ON cl.id = i.client_id WHERE i.id = ?`, id))
	if err != nil {
		return i, missing(err, "no invoice %d", id)
	}
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+chargeColumns+` FROM charges c WHERE c.client_id = ? AND c.day >= ? AND c.day < ?
		AND c.invoice_id = ? ORDER BY c.day, c.id`, i.ClientID, dayText(i.PeriodFrom), dayText(i.PeriodTo), id)
	if err != nil {
		return i, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCharge(rows)
		if err != nil {
			return i, err
		}
		i.Lines = append(i.Lines, c)
	}
	return i, rows.Err()
}

// Invoices lists a client's invoices (every client's with 0) of periods
// starting in [from, to), oldest first.
func (db *BillingStore) Invoices(ctx context.Context, clientID int64, from, to time.Time) ([]domain.Invoice, error) {
	return queryList(ctx, db.reader(ctx), scanWith(scanInvoice), `SELECT `+invoiceColumns+` FROM invoices i JOIN clients cl ON cl.id = i.client_id
		WHERE (?1 = 0 OR i.client_id = ?1) AND i.period_from >= ?2 AND i.period_from < ?3 ORDER BY i.period_from, cl.code, i.id`,
		clientID, dayText(from), dayText(to))
}

// AddPayment records money received against an issued invoice and moves
// it to partly paid or paid.
func (db *BillingStore) AddPayment(ctx context.Context, p *domain.Payment) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var status string
		var net, tax, paid int64
		if err := tx.QueryRowContext(ctx, `SELECT status, net, tax, paid FROM invoices WHERE id = ?`, p.InvoiceID).Scan(&status, &net, &tax, &paid); err != nil {
			return missing(err, "no invoice %d", p.InvoiceID)
		}
		if status == string(domain.InvoiceDraft) {
			return domain.Errorf(domain.ECONFLICT, "invoice %d is a draft; issue it before recording payments", p.InvoiceID)
		}
		if p.Rate == "" {
			p.Rate = "1"
		}
		res, err := insert(ctx, tx, `INSERT INTO payments (invoice_id, at, amount, currency, rate, applied, exchange_diff, note, who)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, who())`,
			p.InvoiceID, dayText(p.At), p.Amount.Amount, string(p.Amount.Currency), p.Rate, p.Applied, p.ExchangeDiff, p.Note)
		if err != nil {
			return translate(err)
		}
		p.ID, _ = res.LastInsertId()
		paid += p.Applied
		st := domain.InvoicePartly
		if paid >= net+tax {
			st = domain.InvoicePaid
		}
		_, err = tx.ExecContext(ctx, `UPDATE invoices SET paid = ?, status = ? WHERE id = ?`, paid, string(st), p.InvoiceID)
		return translate(err)
	})
}

// DropDrafts removes draft invoices of periods starting in [from, to),
// freeing their charges.
func (db *BillingStore) DropDrafts(ctx context.Context, clientID int64, from, to time.Time) error {
	sel := `SELECT id, client_id, period_from, period_to FROM invoices WHERE status = 'draft' AND period_from >= ? AND period_from < ?`
	args := []any{dayText(from), dayText(to)}
	if clientID != 0 {
		sel += ` AND client_id = ?`
		args = append(args, clientID)
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, sel, args...)
		if err != nil {
			return err
		}
		type draft struct {
			id, client int64
			from, to   string
		}
		var drafts []draft
		for rows.Next() {
			var d draft
			if err := rows.Scan(&d.id, &d.client, &d.from, &d.to); err != nil {
				rows.Close()
				return err
			}
			drafts = append(drafts, d)
		}
		rows.Close()
		for _, d := range drafts {
			if _, err := tx.ExecContext(ctx, `UPDATE charges SET invoice_id = NULL WHERE client_id = ? AND day >= ? AND day < ? AND invoice_id = ?`,
				d.client, d.from, d.to, d.id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM invoices WHERE id = ?`, d.id); err != nil {
				return err
			}
		}
		return nil
	})
}

// PeriodDraft is the client's draft for the period starting on from (0 when none).
func (db *BillingStore) PeriodDraft(ctx context.Context, clientID int64, from time.Time) (int64, error) {
	var id int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT id FROM invoices WHERE client_id = ? AND period_from = ? AND status = 'draft' ORDER BY id LIMIT 1`,
		clientID, dayText(from)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, translate(err)
}

// RefreshDraft puts the client's unbilled charges of the period on the
// draft and gives it the net and tax worked out by net (from its charges'
// totals per currency); the draft's own monthly minimum goes first.
func (db *BillingStore) RefreshDraft(ctx context.Context, inv *domain.Invoice, net func(map[domain.Currency]int64) (int64, int64, error)) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE charges SET invoice_id = ? WHERE client_id = ? AND day >= ? AND day < ? AND invoice_id IS NULL`,
			inv.ID, inv.ClientID, dayText(inv.PeriodFrom), dayText(inv.PeriodTo)); err != nil {
			return translate(err)
		}
		totals, err := queryMap[domain.Currency, int64](ctx, tx, `SELECT currency, sum(amount) FROM charges
			WHERE client_id = ? AND day >= ? AND day < ? AND invoice_id = ? GROUP BY currency`,
			inv.ClientID, dayText(inv.PeriodFrom), dayText(inv.PeriodTo), inv.ID)
		if err != nil {
			return err
		}
		if inv.Net, inv.Tax, err = net(totals); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE invoices SET net = ?, tax = ? WHERE id = ? AND status = 'draft'`, inv.Net, inv.Tax, inv.ID)
		return translate(err)
	})
}

// DropDraftMinimum removes the monthly minimum charge that is unbilled or on
// the draft (it is worked out again).
func (db *BillingStore) DropDraftMinimum(ctx context.Context, clientID, draftID int64, from, to time.Time) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM charges WHERE client_id = ? AND day >= ? AND day < ? AND type = 'minimum'
			AND (invoice_id IS NULL OR invoice_id = ?)`, clientID, dayText(from), dayText(to), draftID)
		return translate(err)
	})
}

// CarrierParcels reads the shipments of a carrier with the given tracking
// numbers, and the others it took in [from, to) (for "missing" lines).
func (db *BillingStore) CarrierParcels(ctx context.Context, carrier string, numbers []string, from, to time.Time) ([]domain.ShippedParcel, map[int64]string, error) {
	b := jsonArray(numbers)
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT s.id, coalesce(pa.warehouse_id, 0), s.tracking, s.destination, s.shipped_at, o.number,
			coalesce(lp.cost_minor, 0), coalesce(lp.currency, '')
		FROM shipments s JOIN orders o ON o.id = s.order_id LEFT JOIN parcels pa ON pa.id = s.parcel_id
		LEFT JOIN label_purchases lp ON lp.parcel_id = s.parcel_id AND `+boughtLabel+`
		WHERE s.tracking IN (SELECT value FROM `+db.jsonValues(1)+`)
		   OR (lower(s.carrier) = lower(?2) AND s.shipped_at >= ?3 AND s.shipped_at < ?4)
		ORDER BY s.id`, b, carrier, millis(from), millis(to))
	if err != nil {
		return nil, nil, translate(err)
	}
	defer rows.Close()
	var out []domain.ShippedParcel
	orders := map[int64]string{}
	for rows.Next() {
		var p domain.ShippedParcel
		var to, number, boughtIn string
		var shipped, bought int64
		if err := rows.Scan(&p.ID, &p.Warehouse, &p.Tracking, &to, &shipped, &number, &bought, &boughtIn); err != nil {
			return nil, nil, err
		}
		if boughtIn != "" {
			p.Bought = domain.NewMoney(bought, domain.Currency(boughtIn))
		}
		p.To, p.ShippedAt = domain.Country(to), fromMS(shipped)
		orders[p.ID] = number
		out = append(out, p)
	}
	return out, orders, rows.Err()
}

// ChargedTrackings says which of the tracking numbers a carrier has already
// charged on an invoice imported before (matched or over, not disputed).
func (db *BillingStore) ChargedTrackings(ctx context.Context, carrier string, numbers []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(numbers); start += 500 {
		chunk := numbers[start:min(start+500, len(numbers))]
		args := []any{carrier}
		for _, n := range chunk {
			args = append(args, n)
		}
		rows, err := db.reader(ctx).QueryContext(ctx, `SELECT DISTINCT l.tracking FROM carrier_invoice_lines l JOIN carrier_invoices i ON i.id = l.invoice_id
			WHERE lower(i.carrier) = lower(?) AND l.class IN ('matched', 'over') AND l.state <> 'disputed'
			  AND l.tracking IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, translate(err)
		}
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return nil, err
			}
			out[t] = true
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SaveCarrierInvoice stores an imported carrier invoice with its lines as
// reconciled, in one transaction: a file already imported for the carrier
// (the same SHA-256) is refused, and the period's open "missing" lines of
// the carrier's earlier invoices give way to this invoice's.
func (db *BillingStore) SaveCarrierInvoice(ctx context.Context, carrier, file, sha256, period string, lines []domain.Reconciled) (int64, error) {
	var id int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var at int64
		var was string
		err := tx.QueryRowContext(ctx, `SELECT imported_at, period FROM carrier_invoices WHERE lower(carrier) = lower(?) AND sha256 = ? AND sha256 <> ''`,
			carrier, sha256).Scan(&at, &was)
		if err == nil {
			return domain.Errorf(domain.ECONFLICT, "this %s invoice file was already imported on %s (for %s); nothing was imported again",
				carrier, fromMS(at).Format("2006-01-02 15:04 UTC"), was)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return translate(err)
		}
		// What the carrier has not charged is worked out anew with every invoice
		// of the period: the earlier invoices' missing parcels are replaced.
		if _, err := tx.ExecContext(ctx, `DELETE FROM carrier_invoice_lines WHERE class = 'missing' AND state = 'open'
			AND invoice_id IN (SELECT id FROM carrier_invoices WHERE lower(carrier) = lower(?) AND period = ?)`, carrier, period); err != nil {
			return translate(err)
		}
		res, err := insert(ctx, tx, `INSERT INTO carrier_invoices (carrier, file, period, imported_at, sha256, imported_by) VALUES (?, ?, ?, ?, ?, who())`,
			carrier, file, period, millis(db.now()), sha256)
		if err != nil {
			return translate(err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO carrier_invoice_lines (invoice_id, row, tracking, class, parcel_id, order_no, charged, expected, currency, diff)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i, l := range lines {
			cur := l.Charged.Currency
			if cur == "" {
				cur = l.Expected.Currency
			}
			var parcel any
			if l.ParcelID != 0 {
				if err := tx.QueryRowContext(ctx, `SELECT parcel_id FROM shipments WHERE id = ?`, l.ParcelID).Scan(&parcel); err != nil && !errors.Is(err, sql.ErrNoRows) {
					return err
				}
			}
			if _, err := st.ExecContext(ctx, id, i+1, l.Tracking, string(l.Class), parcel, l.Order, l.Charged.Amount, l.Expected.Amount, string(cur), l.Diff); err != nil {
				return translate(err)
			}
		}
		return nil
	})
	return id, err
}

// CarrierLines lists the reconciled lines of the carrier invoices of a
// period, what needs a look first: over, not ours, missing, then matched.
func (db *BillingStore) CarrierLines(ctx context.Context, period string) ([]domain.CarrierInvoiceLine, error) {
	return queryList(ctx, db.reader(ctx), func(rows *sql.Rows, l *domain.CarrierInvoiceLine) error {
		var class, cur string
		var charged, expected int64
		if err := rows.Scan(&l.Carrier, &l.State, &class, &l.Tracking, &l.Order, &charged, &expected, &cur, &l.Diff); err != nil {
			return err
		}
		l.Class, l.Charged, l.Expected = domain.ReconcileClass(class), domain.NewMoney(charged, domain.Currency(cur)), domain.NewMoney(expected, domain.Currency(cur))
		return nil
	}, `SELECT ci.carrier, l.state, l.class, l.tracking, l.order_no, l.charged, l.expected, l.currency, l.diff
		FROM carrier_invoice_lines l JOIN carrier_invoices ci ON ci.id = l.invoice_id WHERE ci.period = ?
		ORDER BY CASE l.class WHEN 'over' THEN 0 WHEN 'not_ours' THEN 1 WHEN 'missing' THEN 2 ELSE 3 END, ci.id, l.row`, period)
}

// AssignProducts makes products (SKU prefix, "" all) the client's stock.
func (db *BillingStore) AssignProducts(ctx context.Context, clientID int64, prefix string) (int, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE products SET client_id = ? WHERE sku LIKE ? ESCAPE '\'`, clientID,
			likeText(prefix)+"%")
		if err != nil {
			return translate(err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// StockDays works out each client's units on the shelf at the end of every
// day of [from, to): today's on hand, less what moved in after each day.
func (db *BillingStore) StockDays(ctx context.Context, from, to time.Time) (map[int64]map[time.Time]int64, error) {
	now, err := queryMap[int64, int64](ctx, db.reader(ctx), `SELECT p.client_id, sum(t.on_hand) FROM stock_totals t JOIN products p ON p.id = t.product_id
		WHERE p.client_id IS NOT NULL GROUP BY p.client_id`)
	if err != nil {
		return nil, err
	}
	// Net movement per client and day from the period's start on.
	moved := map[int64]map[int64]int64{}
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT p.client_id, m.at / 86400000, sum(m.qty) FROM stock_movements m JOIN products p ON p.id = m.product_id
		WHERE p.client_id IS NOT NULL AND m.at >= ? GROUP BY p.client_id, m.at / 86400000`, millis(from))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c, d, q int64
		if err := rows.Scan(&c, &d, &q); err != nil {
			return nil, err
		}
		if moved[c] == nil {
			moved[c] = map[int64]int64{}
		}
		moved[c][d] += q
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[int64]map[time.Time]int64{}
	for c, units := range now {
		out[c] = map[time.Time]int64{}
		// Walk back from today: the end of day d holds today's units less what moved after d.
		today := db.now().Unix() / 86400
		after := int64(0)
		for d := today; d >= from.Unix()/86400; d-- {
			day := time.Unix(d*86400, 0).UTC()
			if !day.Before(from) && day.Before(to) {
				out[c][day] = max(units-after, 0)
			}
			after += moved[c][d]
		}
	}
	return out, nil
}

// BinDays works out, for every day of [from, to), how many storage bins
// held each client's stock at the day's end: today's balances per bin, less
// what moved in after each day (receiving, staging and in-transit bins are
// not storage).
func (db *BillingStore) BinDays(ctx context.Context, from, to time.Time) (map[int64]map[time.Time]int64, error) {
	type key struct{ client, loc int64 }
	now := map[key]int64{}
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT p.client_id, b.location_id, sum(b.on_hand) FROM stock_balances b
		JOIN products p ON p.id = b.product_id JOIN locations l ON l.id = b.location_id
		WHERE p.client_id IS NOT NULL AND l.kind = 'storage' GROUP BY p.client_id, b.location_id`)
	if err != nil {
		return nil, translate(err)
	}
	for rows.Next() {
		var k key
		var n int64
		if err := rows.Scan(&k.client, &k.loc, &n); err != nil {
			rows.Close()
			return nil, err
		}
		now[k] = n
	}
	rows.Close()
	moved := map[key]map[int64]int64{}
	rows, err = db.reader(ctx).QueryContext(ctx, `SELECT p.client_id, m.location_id, m.at / 86400000, sum(m.qty) FROM stock_movements m
		JOIN products p ON p.id = m.product_id JOIN locations l ON l.id = m.location_id
		WHERE p.client_id IS NOT NULL AND l.kind = 'storage' AND m.at >= ? GROUP BY p.client_id, m.location_id, m.at / 86400000`, millis(from))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		var d, q int64
		if err := rows.Scan(&k.client, &k.loc, &d, &q); err != nil {
			return nil, err
		}
		if moved[k] == nil {
			moved[k] = map[int64]int64{}
		}
		moved[k][d] += q
		if _, ok := now[k]; !ok {
			now[k] = 0 // emptied since: it was occupied before
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[int64]map[time.Time]int64{}
	today := db.now().Unix() / 86400
	for k, units := range now {
		if out[k.client] == nil {
			out[k.client] = map[time.Time]int64{}
		}
		after := int64(0)
		for d := today; d >= from.Unix()/86400; d-- {
			day := time.Unix(d*86400, 0).UTC()
			if !day.Before(from) && day.Before(to) && units-after > 0 {
				out[k.client][day]++
			}
			after += moved[k][d]
		}
	}
	return out, nil
}

// Receipts lists the receipts into clients' stock in [from, to), with the
// inbound each was received against.
func (db *BillingStore) Receipts(ctx context.Context, from, to time.Time) ([]domain.ReceiptCharge, error) {
	return queryList(ctx, db.reader(ctx), func(rows *sql.Rows, r *domain.ReceiptCharge) error {
		var at int64
		if err := rows.Scan(&r.ClientID, &r.MovementID, &at, &r.Qty, &r.SKU, &r.InboundID, &r.Inbound); err != nil {
			return err
		}
		r.Day = fromMS(at)
		return nil
	}, `SELECT p.client_id, m.id, m.at, m.qty, p.sku, coalesce(i.id, 0), coalesce(i.reference, '')
		FROM stock_movements m JOIN products p ON p.id = m.product_id
		LEFT JOIN inbounds i ON m.doc = 'inbound ' || i.reference AND i.warehouse_id = m.warehouse_id
		WHERE m.kind = 'receipt' AND p.client_id IS NOT NULL AND m.at >= ? AND m.at < ? AND m.qty > 0 ORDER BY m.id`, millis(from), millis(to))
}

// SetCarrierLines accepts or disputes open lines of a period's carrier invoices.
func (db *BillingStore) SetCarrierLines(ctx context.Context, period, carrier string, class domain.ReconcileClass, tracking []string, state string) (int, error) {
	if state != "accepted" && state != "disputed" && state != "open" {
		return 0, domain.Errorf(domain.EINVALID, "a carrier line is accepted, disputed or open, not %q", state)
	}
	q := `UPDATE carrier_invoice_lines SET state = ?, decided_by = who() WHERE invoice_id IN (SELECT id FROM carrier_invoices WHERE period = ?`
	args := []any{state, period}
	if carrier != "" {
		q += ` AND lower(carrier) = lower(?)`
		args = append(args, carrier)
	}
	q += `) AND class <> 'missing'`
	if class != "" {
		q += ` AND class = ?`
		args = append(args, string(class))
	}
	if len(tracking) > 0 {
		b := jsonArray(tracking)
		q += ` AND tracking IN (SELECT value FROM ` + db.jsonValues(0) + `)`
		args = append(args, b)
	}
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return translate(err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// Payables sums a period's carrier lines per carrier, currency and state.
func (db *BillingStore) Payables(ctx context.Context, period string) ([]domain.Payable, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT ci.carrier, l.currency, l.state, sum(l.charged), count(*)
		FROM carrier_invoice_lines l JOIN carrier_invoices ci ON ci.id = l.invoice_id
		WHERE ci.period = ? AND l.class <> 'missing' GROUP BY ci.carrier, l.currency, l.state ORDER BY ci.carrier, l.currency`, period)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []domain.Payable
	for rows.Next() {
		var carrier, cur, state string
		var sum int64
		var n int
		if err := rows.Scan(&carrier, &cur, &state, &sum, &n); err != nil {
			return nil, err
		}
		if k := len(out); k == 0 || out[k-1].Carrier != carrier || string(out[k-1].Currency) != cur {
			out = append(out, domain.Payable{Carrier: carrier, Currency: domain.Currency(cur)})
		}
		p := &out[len(out)-1]
		switch state {
		case "accepted":
			p.Accepted, p.AcceptedLines = sum, n
		case "disputed":
			p.Disputed, p.DisputedLines = sum, n
		default:
			p.OpenAmount, p.Open = sum, int64(n)
		}
	}
	return out, rows.Err()
}

// PeriodShipments lists the period's shipments of clients' orders with the
// amount a carrier invoice charged for each (the latest line, not disputed).
func (db *BillingStore) PeriodShipments(ctx context.Context, from, to time.Time) ([]domain.ShipmentCost, error) {
	return queryList(ctx, db.reader(ctx), func(rows *sql.Rows, c *domain.ShipmentCost) error {
		var to, cur, boughtIn string
		var shipped, charged, bought int64
		if err := rows.Scan(&c.ID, &c.Warehouse, &c.Tracking, &to, &shipped, &c.OrderID, &c.Order, &c.ClientID, &charged, &cur, &c.BoxCost,
			&bought, &boughtIn); err != nil {
			return err
		}
		c.To, c.ShippedAt, c.Charged = domain.Country(to), fromMS(shipped), domain.NewMoney(charged, domain.Currency(cur))
		if boughtIn != "" {
			c.Bought = domain.NewMoney(bought, domain.Currency(boughtIn))
		}
		return nil
	}, `SELECT s.id, coalesce(pa.warehouse_id, 0), s.tracking, s.destination, s.shipped_at, o.id, o.number, cc.client_id,
			coalesce((SELECT l.charged FROM carrier_invoice_lines l WHERE l.tracking = s.tracking AND l.state <> 'disputed' ORDER BY l.id DESC LIMIT 1), 0),
			coalesce((SELECT l.currency FROM carrier_invoice_lines l WHERE l.tracking = s.tracking AND l.state <> 'disputed' ORDER BY l.id DESC LIMIT 1), ''),
			coalesce(b.cost_minor, 0), coalesce(lp.cost_minor, 0), coalesce(lp.currency, '')
		FROM shipments s JOIN orders o ON o.id = s.order_id JOIN client_channels cc ON cc.channel_id = o.channel_id
		LEFT JOIN parcels pa ON pa.id = s.parcel_id LEFT JOIN boxes b ON b.code = pa.box
		LEFT JOIN label_purchases lp ON lp.parcel_id = s.parcel_id AND `+boughtLabel+`
		WHERE s.shipped_at >= ? AND s.shipped_at < ? ORDER BY o.id, s.id`, millis(from), millis(to))
}

// OrderRevenue sums each order's charges of a period per currency.
func (db *BillingStore) OrderRevenue(ctx context.Context, from, to time.Time) (map[int64]map[domain.Currency]int64, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT order_id, currency, sum(amount) FROM charges WHERE order_id IS NOT NULL AND day >= ? AND day < ?
		GROUP BY order_id, currency`, dayText(from), dayText(to))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[int64]map[domain.Currency]int64{}
	for rows.Next() {
		var id, sum int64
		var cur string
		if err := rows.Scan(&id, &cur, &sum); err != nil {
			return nil, err
		}
		if out[id] == nil {
			out[id] = map[domain.Currency]int64{}
		}
		out[id][domain.Currency(cur)] += sum
	}
	return out, rows.Err()
}

// CountCharges counts what Charges lists.
func (db *BillingStore) CountCharges(ctx context.Context, f domain.ChargeFilter) (int, error) {
	where, args := chargeWhere(f)
	var n int
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT count(*) FROM charges c`+where, args...).Scan(&n)
	return n, translate(err)
}

// SumCharges implements domain.ChargeStore, from an index alone
// (charges_day_sums, schema 24).
func (db *BillingStore) SumCharges(ctx context.Context, from, to time.Time) (map[domain.Currency]int64, int, error) {
	sums, n := map[domain.Currency]int64{}, 0
	_, err := queryList(ctx, db.reader(ctx), func(rows *sql.Rows, _ *struct{}) error {
		var cur string
		var sum int64
		var count int
		err := rows.Scan(&cur, &sum, &count)
		sums[domain.Currency(cur)], n = sum, n+count
		return err
	}, `SELECT currency, sum(amount), count(*) FROM charges WHERE day >= ? AND day < ? GROUP BY currency`, dayText(from), dayText(to))
	return sums, n, err
}

// OpenCarrierLines implements domain.ReconciliationStore.
func (db *BillingStore) OpenCarrierLines(ctx context.Context) (map[string]int, error) {
	return queryCounts[string](ctx, db.reader(ctx), `SELECT ci.period, count(*) FROM carrier_invoice_lines l
		JOIN carrier_invoices ci ON ci.id = l.invoice_id WHERE l.state = 'open' GROUP BY ci.period`)
}

// SetDraftTotals sets a draft's net, tax and exchange rates (an issued
// invoice refuses: the database's own guard).
func (db *BillingStore) SetDraftTotals(ctx context.Context, id, net, tax int64, fx string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, domain.Errorf(domain.ECONFLICT, "invoice %d is not a draft", id), `UPDATE invoices SET net = ?, tax = ?, fx = ? WHERE id = ? AND number IS NULL`, net, tax, fx, id)
	})
}

func mappingKey(carrier string) string {
	return "carrier_invoice_mapping." + strings.ToLower(strings.TrimSpace(carrier))
}

// companyKey is the settings key of the invoicing company.
const companyKey = string(domain.SettingCompany)

// Company is the invoicing company (ok false when never set).
func (db *BillingStore) Company(ctx context.Context) (domain.Company, bool, error) {
	var c domain.Company
	found, err := db.readSetting(ctx, companyKey, &c)
	if isDecoding(err) {
		return domain.Company{}, false, fmt.Errorf("the company's details are damaged: %w; enter them again", err)
	}
	return c, found && err == nil, err
}

// SetCompany saves the invoicing company.
func (db *BillingStore) SetCompany(ctx context.Context, c domain.Company) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.saveSetting(ctx, companyKey, c)
}

// CarrierMapping is the column mapping remembered for a carrier's invoices (nil: none).
func (db *BillingStore) CarrierMapping(ctx context.Context, carrier string) (map[string]string, error) {
	var m map[string]string
	if _, err := db.readSetting(ctx, mappingKey(carrier), &m); err != nil {
		if isDecoding(err) {
			return nil, nil // a damaged mapping is guessed again
		}
		return nil, err
	}
	return m, nil
}

// SetCarrierMapping remembers a carrier's column mapping.
func (db *BillingStore) SetCarrierMapping(ctx context.Context, carrier string, mapping map[string]string) error {
	return db.saveSetting(ctx, mappingKey(carrier), mapping)
}
