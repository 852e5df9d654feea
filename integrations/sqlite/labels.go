package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/portolan/portolan/domain"
)

// LabelStore keeps carrier label purchases (domain.LabelStore).
type LabelStore struct{ *DB }

// LabelStore returns the store of domain.LabelStore.
func (db *DB) LabelStore() *LabelStore { return &LabelStore{db} }

var _ domain.LabelStore = (*LabelStore)(nil)

// BeginPurchase implements domain.LabelStore.
func (db *LabelStore) BeginPurchase(ctx context.Context, p *domain.LabelPurchase) error {
	now := db.now()
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var status, tracking string
		err := tx.QueryRowContext(ctx, `SELECT status, tracking FROM parcels WHERE id = ?`, p.ParcelID).Scan(&status, &tracking)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return domain.Errorf(domain.ENOTFOUND, "no parcel %d", p.ParcelID)
		case err != nil:
			return err
		case status != "packed":
			return domain.Errorf(domain.ECONFLICT, "parcel %d has left with its carrier; a label is bought before it leaves", p.ParcelID)
		}
		var account any
		if p.AccountID != 0 {
			account = p.AccountID
		}
		q := p.Quote
		res, err := insert(ctx, tx, `INSERT INTO label_purchases (parcel_id, account_id, account, shipment_ref, rate_ref, carrier, service,
			quoted_minor, currency, state, created_at, updated_at, who) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, who())`,
			p.ParcelID, account, p.Account, q.ShipmentRef, q.RateRef, q.Carrier, q.Service, q.Price.Amount, string(q.Price.Currency),
			string(domain.PurchaseBuying), millis(now), millis(now))
		if err != nil {
			if errors.Is(translate(err), domain.ErrConflict) { // the parcel's live purchase (label_purchases_live)
				return domain.Errorf(domain.ECONFLICT, "parcel %d already has a label, or one being bought; void it first", p.ParcelID)
			}
			return translate(err)
		}
		p.ID, _ = res.LastInsertId()
		p.State, p.CreatedAt, p.UpdatedAt = domain.PurchaseBuying, now, now
		return nil
	})
}

// boughtLabel is the condition on a label purchase lp that it is bought,
// worded so that SQLite reads it through the live purchases' index
// (label_purchases_live, on parcel_id WHERE state IN the three), not every
// purchase ever made: it uses a partial index only for a query that
// repeats the index's condition.
const boughtLabel = `lp.state IN ('buying', 'uncertain', 'bought') AND lp.state = 'bought'`

// purchaseColumns are what scanPurchase reads, of label_purchases.
const purchaseColumns = `id, parcel_id, account_id, account, shipment_ref, rate_ref, carrier, service, quoted_minor,
	currency, state, tracking, cost_minor, label_format, label_url, refund, error, created_at, updated_at, who, label_file`

func scanPurchase(scan func(...any) error) (domain.LabelPurchase, error) {
	var p domain.LabelPurchase
	var account, cost sql.NullInt64
	var state, currency string
	var created, updated int64
	err := scan(&p.ID, &p.ParcelID, &account, &p.Account, &p.Quote.ShipmentRef, &p.Quote.RateRef, &p.Quote.Carrier, &p.Quote.Service,
		&p.Quote.Price.Amount, &currency, &state, &p.Label.Tracking, &cost, &p.Label.Format, &p.Label.URL, &p.Label.Refund,
		&p.Error, &created, &updated, &p.Who, &p.Label.File)
	if err != nil {
		return p, err
	}
	p.AccountID, p.State = account.Int64, domain.PurchaseState(state)
	p.Quote.Price.Currency = domain.Currency(currency)
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	p.Label.ShipmentRef, p.Label.Carrier, p.Label.Service = p.Quote.ShipmentRef, p.Quote.Carrier, p.Quote.Service
	if cost.Valid {
		p.Label.Cost = domain.NewMoney(cost.Int64, p.Quote.Price.Currency)
	}
	return p, nil
}

// LivePurchase implements domain.LabelStore.
func (db *LabelStore) LivePurchase(ctx context.Context, parcelID int64) (domain.LabelPurchase, bool, error) {
	// Without the label file: BoughtLabels reads that, for printing.
	p, err := scanPurchase(db.read.QueryRowContext(ctx, `SELECT `+strings.Replace(purchaseColumns, "label_file", "NULL", 1)+`
		FROM label_purchases WHERE parcel_id = ? AND state IN ('buying', 'uncertain', 'bought')`, parcelID).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, translate(err)
	}
	return p, true, nil
}

// BoughtLabels implements domain.LabelStore.
func (db *LabelStore) BoughtLabels(ctx context.Context, parcelIDs []int64) (map[int64]domain.LabelPurchase, error) {
	out := map[int64]domain.LabelPurchase{}
	rows, err := db.read.QueryContext(ctx, `SELECT `+purchaseColumns+` FROM label_purchases lp
		WHERE `+boughtLabel+` AND lp.parcel_id IN (SELECT CAST(j.value AS BIGINT) FROM `+db.jsonValues(1)+`)`, jsonArray(parcelIDs))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPurchase(rows.Scan)
		if err != nil {
			return nil, err
		}
		out[p.ParcelID] = p
	}
	return out, rows.Err()
}

// SaveLabelFile implements domain.LabelStore.
func (db *LabelStore) SaveLabelFile(ctx context.Context, purchaseID int64, file []byte) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, domain.Errorf(domain.ENOTFOUND, "no bought label purchase %d", purchaseID),
			`UPDATE label_purchases SET label_file = ? WHERE id = ? AND state = 'bought'`, file, purchaseID)
	})
}

// SettlePurchase implements domain.LabelStore.
func (db *LabelStore) SettlePurchase(ctx context.Context, id int64, state domain.PurchaseState, l domain.Label, why string) error {
	now := millis(db.now())
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var parcelID int64
		var was string
		err := tx.QueryRowContext(ctx, `SELECT parcel_id, state FROM label_purchases WHERE id = ?`, id).Scan(&parcelID, &was)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "no label purchase %d", id)
		}
		if err != nil {
			return err
		}
		if was != string(domain.PurchaseBuying) && was != string(domain.PurchaseUncertain) {
			return domain.Errorf(domain.ECONFLICT, "the label purchase for parcel %d is %s already", parcelID, was)
		}
		switch state {
		case domain.PurchaseBought:
			if l.Tracking == "" {
				return domain.Errorf(domain.EINVALID, "a bought label needs its tracking number")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE label_purchases SET state = ?, tracking = ?, cost_minor = ?, label_format = ?, label_url = ?,
				carrier = ?, service = ?, error = '', updated_at = ? WHERE id = ?`, string(state), l.Tracking, l.Cost.Amount, l.Format, l.URL,
				l.Carrier, l.Service, now, id); err != nil {
				return translate(err)
			}
			return updateOne(ctx, tx, domain.Errorf(domain.ENOTFOUND, "no parcel %d", parcelID),
				`UPDATE parcels SET tracking = ?, carrier = ? WHERE id = ?`, l.Tracking, l.Carrier, parcelID)
		case domain.PurchaseFailed, domain.PurchaseUncertain:
			_, err := tx.ExecContext(ctx, `UPDATE label_purchases SET state = ?, error = ?, updated_at = ? WHERE id = ?`, string(state), why, now, id)
			return translate(err)
		}
		return domain.Errorf(domain.EINVALID, "a purchase cannot be settled as %q", state)
	})
}

// VoidPurchase implements domain.LabelStore.
func (db *LabelStore) VoidPurchase(ctx context.Context, id int64, l domain.Label) error {
	now := millis(db.now())
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var parcelID int64
		var state, tracking, status string
		err := tx.QueryRowContext(ctx, `SELECT lp.parcel_id, lp.state, lp.tracking, pa.status FROM label_purchases lp
			JOIN parcels pa ON pa.id = lp.parcel_id WHERE lp.id = ?`, id).Scan(&parcelID, &state, &tracking, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "no label purchase %d", id)
		}
		if err != nil {
			return err
		}
		if state != string(domain.PurchaseBought) {
			return domain.Errorf(domain.ECONFLICT, "the label purchase for parcel %d is %s, not bought: nothing to void", parcelID, state)
		}
		if status != "packed" {
			return domain.Errorf(domain.ECONFLICT, "parcel %d has left with its carrier; its label can no longer be voided here", parcelID)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE label_purchases SET state = ?, refund = ?, updated_at = ? WHERE id = ?`,
			string(domain.PurchaseVoided), l.Refund, now, id); err != nil {
			return translate(err)
		}
		// The parcel keeps another number someone typed since; the label's goes.
		_, err = tx.ExecContext(ctx, `UPDATE parcels SET tracking = '' WHERE id = ? AND tracking = ?`, parcelID, tracking)
		return translate(err)
	})
}

// SetChannelShipping implements domain.LabelStore.
func (db *LabelStore) SetChannelShipping(ctx context.Context, channelID int64, service string, promiseDays int) error {
	service = strings.TrimSpace(service)
	if promiseDays < 0 || promiseDays > 90 {
		return domain.Errorf(domain.EINVALID, "a delivery promise is 0 to 90 days (0: none)")
	}
	if len(service) > 100 {
		return domain.Errorf(domain.EINVALID, "a service name is at most 100 characters")
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, domain.Errorf(domain.ENOTFOUND, "no channel %d", channelID),
			`UPDATE channels SET ship_service = ?, promise_days = ? WHERE id = ?`, service, promiseDays, channelID)
	})
}
