package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/portolan/portolan/domain"
)

var _ domain.LabelScanStore = (*LabelStore)(nil)

// awaitingColumns are what awaitingRow reads: a bought label of a packed
// parcel (lp), the parcel (pa), its order (o) and the label's scans (ls).
const awaitingColumns = `lp.id, pa.id, pa.warehouse_id, w.code, o.number, lp.carrier, lp.tracking, lp.updated_at,
	coalesce(ls.polls, 0), ls.scanned_at, coalesce(ls.scan, '')`

// It reads from the packed parcels (parcels_packed), a few, to their live
// purchases (label_purchases_live, which the state list lets SQLite use),
// not from every label ever bought.
const awaitingFrom = ` FROM label_purchases lp JOIN parcels pa ON pa.id = lp.parcel_id
	JOIN orders o ON o.id = pa.order_id JOIN warehouses w ON w.id = pa.warehouse_id LEFT JOIN label_scans ls ON ls.purchase_id = lp.id
	WHERE lp.parcel_id IN (SELECT id FROM parcels WHERE status = 'packed') AND pa.status = 'packed'
	AND ` + boughtLabel

func awaitingRow(rows *sql.Rows, l *domain.AwaitingLabel) error {
	var bought int64
	var scanned sql.NullInt64
	if err := rows.Scan(&l.PurchaseID, &l.ParcelID, &l.WarehouseID, &l.WarehouseCode, &l.OrderNumber, &l.Carrier, &l.Tracking, &bought,
		&l.Polls, &scanned, &l.Scan); err != nil {
		return err
	}
	l.BoughtAt = fromMS(bought)
	if scanned.Valid {
		l.ScannedAt = fromMS(scanned.Int64)
	}
	return nil
}

// LabelsAwaitingScan implements domain.LabelScanStore.
func (db *LabelStore) LabelsAwaitingScan(ctx context.Context, now time.Time, firstPoll time.Duration, f domain.DueFilter) ([]domain.AwaitingLabel, error) {
	q := `SELECT ` + awaitingColumns + awaitingFrom + ` AND ls.scanned_at IS NULL`
	args := []any{}
	if !f.All {
		q += ` AND coalesce(ls.next_at, lp.updated_at + ?) <= ?`
		args = append(args, firstPoll.Milliseconds(), millis(now))
	}
	if f.Carrier != "" {
		q += ` AND lower(lp.carrier) = lower(?)`
		args = append(args, f.Carrier)
	}
	q += ` ORDER BY lp.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	return queryList(ctx, db.read, awaitingRow, q, args...)
}

// ScannedLabels implements domain.LabelScanStore.
func (db *LabelStore) ScannedLabels(ctx context.Context) ([]domain.AwaitingLabel, error) {
	return queryList(ctx, db.read, awaitingRow, `SELECT `+awaitingColumns+awaitingFrom+` AND ls.scanned_at IS NOT NULL ORDER BY pa.warehouse_id, lp.carrier, pa.id`)
}

// RecordLabelPolls implements domain.LabelScanStore: a poll without a scan
// counts one more, a failed one keeps the count and says why; a scan is
// kept with the first one's time.
func (db *LabelStore) RecordLabelPolls(ctx context.Context, polls []domain.LabelPoll, now time.Time) error {
	if len(polls) == 0 {
		return nil
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO label_scans (purchase_id, polls, polled_at, next_at, scanned_at, scan, error)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
			ON CONFLICT (purchase_id) DO UPDATE SET polls = label_scans.polls + excluded.polls, polled_at = excluded.polled_at,
				next_at = excluded.next_at, scanned_at = coalesce(label_scans.scanned_at, excluded.scanned_at),
				scan = CASE WHEN label_scans.scanned_at IS NULL THEN excluded.scan ELSE label_scans.scan END, error = excluded.error`)
		if err != nil {
			return translate(err)
		}
		defer st.Close()
		for _, p := range polls {
			var next, scanned any
			counted := 0
			switch {
			case !p.ScannedAt.IsZero():
				scanned = millis(p.ScannedAt)
			case p.Error == "":
				counted = 1
				fallthrough
			default:
				next = millis(p.Next)
			}
			if _, err := st.ExecContext(ctx, p.PurchaseID, counted, millis(now), next, scanned, p.Scan, p.Error); err != nil {
				return translate(err)
			}
		}
		return nil
	})
}

// ParcelShipments implements domain.LabelScanStore.
func (db *LabelStore) ParcelShipments(ctx context.Context, parcelIDs []int64) (map[int64]int64, error) {
	return queryMap[int64, int64](ctx, db.read, `SELECT parcel_id, id FROM shipments
		WHERE parcel_id IN (SELECT CAST(j.value AS BIGINT) FROM `+db.jsonValues(1)+`)`, jsonArray(parcelIDs))
}
