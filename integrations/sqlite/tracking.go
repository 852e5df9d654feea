package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

type accountCredentials struct {
	Key          string `json:"key,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
}

// accountOptions are what an account keeps beside its credentials.
type accountOptions struct {
	Number    string `json:"number,omitempty"`
	Paperless bool   `json:"paperless,omitempty"`
	CRID      string `json:"crid,omitempty"`
	MID       string `json:"mid,omitempty"`
	ZPL       bool   `json:"zpl,omitempty"`
}

// CarrierAccounts lists the accounts with their credentials, by name.
func (db *TrackingStore) CarrierAccounts(ctx context.Context) ([]domain.CarrierAccount, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, a *domain.CarrierAccount) error {
		var kind, creds, options string
		var checked int64
		if err := rows.Scan(&a.ID, &kind, &a.Name, &a.BaseURL, &creds, &options, &a.PerSecond, &a.PerDay, &a.Failing, &checked); err != nil {
			return err
		}
		var o accountOptions
		if err := json.Unmarshal([]byte(options), &o); err != nil {
			return fmt.Errorf("carrier account %q: options: %w", a.Name, err)
		}
		a.Number, a.Paperless, a.CRID, a.MID, a.ZPL = o.Number, o.Paperless, o.CRID, o.MID, o.ZPL
		var c accountCredentials
		if err := db.unseal(creds, &c); err != nil {
			a.Failing = err.Error()
		}
		a.Kind, a.Key, a.ClientID, a.ClientSecret = domain.CarrierKind(kind), c.Key, c.ClientID, c.ClientSecret
		if checked > 0 {
			a.CheckedAt = fromMS(checked)
		}
		return nil
	}, `SELECT id, kind, name, base_url, credentials, options, per_second, per_day, failing, coalesce(checked_at, 0)
		FROM carrier_accounts ORDER BY name`)
}

// SaveCarrierAccount adds an account (ID 0) or changes one; empty
// credentials on a change keep the stored ones.
func (db *TrackingStore) SaveCarrierAccount(ctx context.Context, a *domain.CarrierAccount) error {
	if a.ID != 0 {
		old, err := db.CarrierAccounts(ctx)
		if err != nil {
			return err
		}
		for _, o := range old {
			if o.ID == a.ID {
				if a.Key == "" {
					a.Key = o.Key
				}
				if a.ClientID == "" {
					a.ClientID = o.ClientID
				}
				if a.ClientSecret == "" {
					a.ClientSecret = o.ClientSecret
				}
			}
		}
	}
	if err := a.Validate(); err != nil {
		return err
	}
	column, err := db.seal(accountCredentials{Key: a.Key, ClientID: a.ClientID, ClientSecret: a.ClientSecret})
	if err != nil {
		return err
	}
	options, err := json.Marshal(accountOptions{Number: a.Number, Paperless: a.Paperless, CRID: a.CRID, MID: a.MID, ZPL: a.ZPL})
	if err != nil {
		return err
	}
	var old string
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		if a.ID == 0 {
			res, err := insert(ctx, tx, `INSERT INTO carrier_accounts (kind, name, base_url, credentials, options, per_second, per_day, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, string(a.Kind), a.Name, a.BaseURL, column, string(options), a.PerSecond, a.PerDay, millis(db.now()))
			if errors.Is(translate(err), domain.ErrConflict) {
				return domain.Errorf(domain.ECONFLICT, "there is already a carrier account named %q", a.Name)
			}
			if err != nil {
				return err
			}
			a.ID, err = res.LastInsertId()
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT credentials FROM carrier_accounts WHERE id = ?`, a.ID).Scan(&old); err != nil {
			return missing(err, "no carrier account %d", a.ID)
		}
		res, err := tx.ExecContext(ctx, `UPDATE carrier_accounts SET kind = ?, name = ?, base_url = ?, credentials = ?, options = ?, per_second = ?,
			per_day = ?, failing = '' WHERE id = ?`, string(a.Kind), a.Name, a.BaseURL, column, string(options), a.PerSecond, a.PerDay, a.ID)
		if errors.Is(translate(err), domain.ErrConflict) {
			return domain.Errorf(domain.ECONFLICT, "there is already a carrier account named %q", a.Name)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "no carrier account %d", a.ID)
		}
		return nil
	})
	db.settle(err, column, old)
	return err
}

// DeleteCarrierAccount removes an account (its shipments stay).
func (db *TrackingStore) DeleteCarrierAccount(ctx context.Context, id int64) error {
	var old string
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT credentials FROM carrier_accounts WHERE id = ?`, id).Scan(&old); err != nil {
			return missing(err, "no carrier account %d", id)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM carrier_accounts WHERE id = ?`, id)
		return err
	})
	db.settle(err, "", old)
	return err
}

// SetAccountFailing marks an account as failing, or clears it.
func (db *TrackingStore) SetAccountFailing(ctx context.Context, id int64, why string, at time.Time) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE carrier_accounts SET failing = ?, checked_at = ? WHERE id = ?`, why, millis(at), id)
		return err
	})
}

func utcDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// ReserveRequests takes up to n requests of the account's budget for the
// UTC day, in one write transaction, so that two processes never take more
// than perDay between them.
func (db *TrackingStore) ReserveRequests(ctx context.Context, accountID int64, at time.Time, n, perDay int) (int, error) {
	got := 0
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var used int
		err := tx.QueryRowContext(ctx, `SELECT used FROM carrier_usage WHERE account_id = ? AND day = ?`, accountID, utcDay(at)).Scan(&used)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		got = max(0, min(n, perDay-used))
		if got == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO carrier_usage (account_id, day, used) VALUES (?, ?, ?)
			ON CONFLICT (account_id, day) DO UPDATE SET used = carrier_usage.used + excluded.used`, accountID, utcDay(at), got)
		return err
	})
	return got, err
}

// ReleaseRequests gives back requests reserved but not made.
func (db *TrackingStore) ReleaseRequests(ctx context.Context, accountID int64, at time.Time, n int) error {
	if n <= 0 {
		return nil
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE carrier_usage SET used = max(0, used - ?) WHERE account_id = ? AND day = ?`, n, accountID, utcDay(at))
		return err
	})
}

// UsedToday is how many requests the account made on the UTC day of at.
func (db *TrackingStore) UsedToday(ctx context.Context, accountID int64, at time.Time) (int, error) {
	var used int
	err := db.read.QueryRowContext(ctx, `SELECT used FROM carrier_usage WHERE account_id = ? AND day = ?`, accountID, utcDay(at)).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return used, translate(err)
}

// AddShipment registers a parcel shipped outside Portolan (or by a partner)
// for tracking; its first poll is due at once.
func (db *TrackingStore) AddShipment(ctx context.Context, s *domain.Shipment, policy domain.TrackingPolicy) error {
	if strings.TrimSpace(s.Carrier) == "" || strings.TrimSpace(s.Tracking) == "" {
		return domain.Errorf(domain.EINVALID, "a shipment needs its carrier and tracking number")
	}
	if s.ShippedAt.IsZero() {
		s.ShippedAt = db.now()
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var dest string
		if err := tx.QueryRowContext(ctx, `SELECT number, ship_country FROM orders WHERE id = ?`, s.OrderID).Scan(&s.OrderNumber, &dest); err != nil {
			return missing(err, "no order %d", s.OrderID)
		}
		s.Destination, s.Milestone = domain.Country(dest), domain.MilestoneLabelCreated
		res, err := insert(ctx, tx, `INSERT INTO shipments (order_id, carrier, tracking, destination, shipped_at, next_poll_at)
			VALUES (?, ?, ?, ?, ?, ?)`, s.OrderID, s.Carrier, s.Tracking, dest, millis(s.ShippedAt), millis(s.ShippedAt))
		if errors.Is(translate(err), domain.ErrConflict) {
			return domain.Errorf(domain.ECONFLICT, "%s %s is already tracked", s.Carrier, s.Tracking)
		}
		if err != nil {
			return err
		}
		if s.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return shippedElsewhere(ctx, tx, *s)
	})
}

// shippedElsewhere moves an order that Portolan has not picked (new,
// allocated, backordered, on hold) to shipped when a parcel shipped outside
// it is registered, releasing what was reserved for it: from then on it
// follows its parcels like any other.
func shippedElsewhere(ctx context.Context, tx *sql.Tx, s domain.Shipment) error {
	var status string
	if err := tx.QueryRowContext(ctx, `SELECT status FROM orders WHERE id = ?`, s.OrderID).Scan(&status); err != nil {
		return translate(err)
	}
	switch domain.OrderStatus(status) {
	case domain.StatusNew, domain.StatusAllocated, domain.StatusBackordered, domain.StatusOnHold:
	default:
		return nil
	}
	if err := releaseWhere(ctx, tx, `order_id = ?`, s.OrderID); err != nil {
		return err
	}
	return transitionOrder(ctx, tx, s.OrderID, domain.StatusShipped, millis(s.ShippedAt),
		fmt.Sprintf("shipped outside Portolan: %s %s", s.Carrier, s.Tracking))
}

const shipmentColumns = `s.id, coalesce(s.parcel_id, 0), s.order_id, o.number, s.carrier, s.tracking, s.destination, s.shipped_at, s.milestone, s.status,
	coalesce(s.last_event_at, 0), coalesce(s.eta, 0), coalesce(s.next_poll_at, 0), coalesce(s.polled_at, 0), s.error, coalesce(s.delivered_at, 0), s.unchanged`

// shipmentRow reads a row of shipmentColumns for queryList, then runs then
// on it (nil: nothing).
func shipmentRow(then func(*domain.Shipment)) func(*sql.Rows, *domain.Shipment) error {
	return func(rows *sql.Rows, s *domain.Shipment) error {
		var err error
		if *s, _, err = scanShipment(rows); err == nil && then != nil {
			then(s)
		}
		return err
	}
}

func scanShipment(r interface{ Scan(...any) error }) (domain.Shipment, int, error) {
	var s domain.Shipment
	var dest, m string
	var shipped, last, eta, next, polled, delivered int64
	var unchanged int
	err := r.Scan(&s.ID, &s.ParcelID, &s.OrderID, &s.OrderNumber, &s.Carrier, &s.Tracking, &dest, &shipped, &m, &s.Status,
		&last, &eta, &next, &polled, &s.Error, &delivered, &unchanged)
	s.Destination, s.Milestone, s.ShippedAt = domain.Country(dest), domain.Milestone(m), fromMS(shipped)
	for _, p := range []struct {
		v  int64
		to *time.Time
	}{{last, &s.LastEventAt}, {eta, &s.ETA}, {next, &s.NextPollAt}, {polled, &s.PolledAt}, {delivered, &s.DeliveredAt}} {
		if p.v > 0 {
			*p.to = fromMS(p.v)
		}
	}
	return s, unchanged, err
}

// DueShipments lists what a poll should ask about: shipments whose next
// poll is due (every undelivered one with All), oldest due first.
func (db *TrackingStore) DueShipments(ctx context.Context, now time.Time, f domain.DueFilter) ([]domain.Shipment, error) {
	q := `SELECT ` + shipmentColumns + ` FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.next_poll_at IS NOT NULL`
	args := []any{}
	switch {
	case f.Shipment != 0:
		q = `SELECT ` + shipmentColumns + ` FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.id = ?`
		args = append(args, f.Shipment)
	case !f.All:
		q += ` AND s.next_poll_at <= ?`
		args = append(args, millis(now))
	}
	if f.Carrier != "" {
		q += ` AND lower(s.carrier) = lower(?)`
		args = append(args, f.Carrier)
	}
	q += ` ORDER BY s.next_poll_at, s.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	return queryList(ctx, db.read, shipmentRow(nil), q, args...)
}

// RecordTracking stores what the carriers said, in one transaction.
func (db *TrackingStore) RecordTracking(ctx context.Context, results map[int64]domain.TrackResult, policy domain.TrackingPolicy, now time.Time) (int, error) {
	ids := make([]int64, 0, len(results))
	for id := range results {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	changed := 0
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		changed = 0
		orders := map[int64]bool{}
		prep := func(q string) (*sql.Stmt, error) { return tx.PrepareContext(ctx, q) }
		ins, err := prep(`INSERT INTO tracking_events (shipment_id, at, code, location, text, milestone, payload_id)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		sel, err := prep(`SELECT milestone, status, unchanged, eta, last_event_at, order_id FROM shipments WHERE id = ?`)
		if err != nil {
			return err
		}
		defer sel.Close()
		upd, err := prep(`UPDATE shipments SET milestone = ?, status = ?, last_event_at = ?, eta = ?, next_poll_at = ?, polled_at = ?,
				unchanged = ?, error = '', delivered_at = coalesce(?, delivered_at) WHERE id = ?`)
		if err != nil {
			return err
		}
		defer upd.Close()
		pay, err := prep(`INSERT INTO tracking_payloads (shipment_id, at, body) VALUES (?, ?, ?) RETURNING id`)
		if err != nil {
			return err
		}
		defer pay.Close()
		for _, id := range ids {
			r := results[id]
			var milestone, status string
			var unchanged int
			var eta, last sql.NullInt64
			var orderID int64
			err := sel.QueryRowContext(ctx, id).Scan(&milestone, &status, &unchanged, &eta, &last, &orderID)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if r.NotFound != "" {
				next := policy.NextPoll(now, domain.MilestoneUnknown, unchanged+1)
				if _, err := tx.ExecContext(ctx, `UPDATE shipments SET polled_at = ?, error = ?, unchanged = unchanged + 1, next_poll_at = ? WHERE id = ?`,
					millis(now), "carrier: "+r.NotFound, millis(next), id); err != nil {
					return err
				}
				continue
			}
			// Events newest last; a payload row only when something new arrived.
			evs := append([]domain.TrackEvent(nil), r.Events...)
			sort.SliceStable(evs, func(i, j int) bool { return evs[i].At.Before(evs[j].At) })
			var payload int64
			newEvents := 0
			for _, e := range evs {
				if e.At.IsZero() {
					continue
				}
				if payload == 0 && len(r.Raw) > 0 {
					if err := pay.QueryRowContext(ctx, id, millis(now), domain.RawPayload(r.Raw)).Scan(&payload); err != nil {
						return err
					}
				}
				res, err := ins.ExecContext(ctx, id, millis(e.At), e.Code, e.Location, e.Text, string(e.Milestone), nullID(payload))
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n > 0 {
					newEvents++
				}
			}
			m := r.Milestone
			if !m.Valid() {
				m = domain.MilestoneUnknown
			}
			newLast := last
			if e, ok := latestEvent(evs); ok && (!last.Valid || millis(e.At) > last.Int64) {
				newLast = sql.NullInt64{Int64: millis(e.At), Valid: true}
			}
			newETA := eta
			if !r.ETA.IsZero() {
				newETA = sql.NullInt64{Int64: millis(r.ETA), Valid: true}
			}
			moved := newEvents > 0 || string(m) != milestone || r.Status != status || newETA != eta
			if moved {
				changed++
				unchanged = 0
				// Only these can change the order's status (delivered, exception).
				if m == domain.MilestoneDelivered || m == domain.MilestoneException || m == domain.MilestoneReturned {
					orders[orderID] = true
				}
			} else {
				unchanged++
			}
			var next, delivered any
			if n := policy.NextPoll(now, m, unchanged); !n.IsZero() {
				next = millis(n)
			}
			if m == domain.MilestoneDelivered {
				delivered = millis(now)
				if e, ok := latestEvent(evs); ok {
					delivered = millis(e.At)
				}
			}
			if _, err := upd.ExecContext(ctx, string(m), r.Status, newLast, newETA, next, millis(now), unchanged, delivered, id); err != nil {
				return err
			}
		}
		for orderID := range orders {
			if err := followParcels(ctx, tx, orderID, now); err != nil {
				return err
			}
		}
		return nil
	})
	return changed, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func latestEvent(evs []domain.TrackEvent) (domain.TrackEvent, bool) {
	var best domain.TrackEvent
	ok := false
	for _, e := range evs {
		if !e.At.IsZero() && (!ok || e.At.After(best.At)) {
			best, ok = e, true
		}
	}
	return best, ok
}

// followParcels moves an order to delivered when all its shipments are, or
// to exception when one is (with the carrier's words), where its status
// allows; the change is recorded in its history.
func followParcels(ctx context.Context, tx *sql.Tx, orderID int64, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT milestone, status FROM shipments WHERE order_id = ? ORDER BY id`, orderID)
	if err != nil {
		return err
	}
	var ms []domain.Milestone
	var reasons []string
	for rows.Next() {
		var m, s string
		if err := rows.Scan(&m, &s); err != nil {
			rows.Close()
			return err
		}
		ms, reasons = append(ms, domain.Milestone(m)), append(reasons, s)
	}
	rows.Close()
	to, reason := domain.OrderFollowsParcels(ms, reasons)
	if to == "" {
		return nil
	}
	var from string
	if err := tx.QueryRowContext(ctx, `SELECT status FROM orders WHERE id = ?`, orderID).Scan(&from); err != nil {
		return err
	}
	if domain.OrderStatus(from) == to || !domain.CanTransition(domain.OrderStatus(from), to) {
		return nil
	}
	return transitionOrder(ctx, tx, orderID, to, millis(now), "tracking: "+reason)
}

// RecordTrackingError notes that a poll of these shipments failed (the
// carrier's answer was unusable): they are asked again later, backing off.
func (db *TrackingStore) RecordTrackingError(ctx context.Context, ids []int64, why string, policy domain.TrackingPolicy, now time.Time) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			var m string
			var unchanged int
			if err := tx.QueryRowContext(ctx, `SELECT milestone, unchanged FROM shipments WHERE id = ?`, id).Scan(&m, &unchanged); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					continue
				}
				return err
			}
			next := policy.NextPoll(now, domain.Milestone(m), unchanged+1)
			if next.IsZero() {
				next = now.Add(policy.MaxInterval)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE shipments SET error = ?, polled_at = ?, unchanged = unchanged + 1, next_poll_at = ? WHERE id = ?`,
				why, millis(now), millis(next), id); err != nil {
				return err
			}
		}
		return nil
	})
}

// milestoneList is "?, ?, …" for ms, with ms as its arguments.
func milestoneList(ms []domain.Milestone) (string, []any) {
	args := make([]any, len(ms))
	for i, m := range ms {
		args[i] = string(m)
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(ms)), ", "), args
}

// problemMilestones and settledMilestones are the exceptions queue's
// milestones (domain.AttentionMilestones 1 and 2) and those never stale or
// late (domain.SettledMilestones) as SQL, as the partial indexes of schema
// 9 write them; init checks they are the domain's.
const (
	problemMilestones = `'exception', 'delivery_failed', 'customs_hold', 'returned_to_sender'`
	settledMilestones = `'delivered', 'returned_to_sender'`
)

func init() {
	same := func(sql string, ms []domain.Milestone) bool {
		var want []string
		for _, m := range ms {
			want = append(want, "'"+string(m)+"'")
		}
		got := strings.Split(sql, ", ")
		slices.Sort(got)
		slices.Sort(want)
		return slices.Equal(got, want)
	}
	if !same(problemMilestones, append(domain.AttentionMilestones(1), domain.AttentionMilestones(2)...)) ||
		!same(settledMilestones, domain.SettledMilestones()) {
		panic("sqlite: the exceptions queue's milestones differ from the domain's")
	}
}

func shipmentWhere(f domain.ShipmentFilter, now time.Time, stale time.Duration) (string, []any) {
	var where []string
	var args []any
	if f.Exceptions {
		// domain.TrackingPolicy.Attention's rule, as a filter: its milestones,
		// then unsettled parcels that are stale or late.
		// The milestones are written out, not passed, in the order of the
		// partial indexes' own conditions (schema 9): each branch of the OR
		// is then read from its index instead of every shipment.
		where = append(where, `(s.milestone IN (`+problemMilestones+`)
			OR (s.milestone NOT IN (`+settledMilestones+`) AND coalesce(s.last_event_at, s.shipped_at) < ?)
			OR (s.milestone NOT IN (`+settledMilestones+`) AND s.eta IS NOT NULL AND s.eta < ?))`)
		args = append(args, millis(now.Add(-stale)), millis(now))
	}
	if f.Milestone != "" {
		where = append(where, `s.milestone = ?`)
		args = append(args, string(f.Milestone))
	}
	if f.Carrier != "" {
		where = append(where, `lower(s.carrier) = lower(?)`)
		args = append(args, f.Carrier)
	}
	if f.Country != "" {
		where = append(where, `s.destination = ?`)
		args = append(args, string(f.Country))
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		where = append(where, `(s.tracking LIKE ? ESCAPE '\' OR o.number LIKE ? ESCAPE '\')`)
		p := likeText(strings.ToUpper(q)) + "%"
		args = append(args, p, p)
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// Shipments lists shipments, newest dispatch first; the exceptions queue
// puts exceptions and returns first, then failed deliveries and customs
// holds, then parcels with no scan for the stale period, then late ones.
func (db *TrackingStore) Shipments(ctx context.Context, f domain.ShipmentFilter, now time.Time, stale time.Duration, offset, limit int) ([]domain.Shipment, error) {
	where, args := shipmentWhere(f, now, stale)
	order := ` ORDER BY s.shipped_at DESC, s.id DESC`
	if f.Exceptions { // in the order of the ranks of domain.TrackingPolicy.Attention
		first, firstArgs := milestoneList(domain.AttentionMilestones(1))
		second, secondArgs := milestoneList(domain.AttentionMilestones(2))
		order = fmt.Sprintf(` ORDER BY CASE WHEN s.milestone IN (%s) THEN 1 WHEN s.milestone IN (%s) THEN 2
			WHEN coalesce(s.last_event_at, s.shipped_at) < ? THEN %d ELSE %d END, coalesce(s.last_event_at, s.shipped_at), s.id`,
			first, second, domain.AttentionStale, domain.AttentionLate)
		args = append(args, firstArgs...)
		args = append(args, secondArgs...)
		args = append(args, millis(now.Add(-stale)))
	}
	args = append(args, limit, offset)
	attention := func(s *domain.Shipment) { s.Attention, _ = domain.TrackingPolicy{StaleAfter: stale}.Attention(*s, now) }
	return queryList(ctx, db.read, shipmentRow(attention), `SELECT `+shipmentColumns+` FROM shipments s JOIN orders o ON o.id = s.order_id`+where+order+` LIMIT ? OFFSET ?`, args...)
}

// CountShipments counts what Shipments lists.
func (db *TrackingStore) CountShipments(ctx context.Context, f domain.ShipmentFilter, now time.Time, stale time.Duration) (int, error) {
	where, args := shipmentWhere(f, now, stale)
	join := ""
	if strings.TrimSpace(f.Search) != "" {
		join = ` JOIN orders o ON o.id = s.order_id`
	}
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM shipments s`+join+where, args...).Scan(&n)
	return n, translate(err)
}

// ExceptionMilestones implements domain.TrackingStore.
func (db *TrackingStore) ExceptionMilestones(ctx context.Context, now time.Time, stale time.Duration) (map[domain.Milestone]int, error) {
	where, args := shipmentWhere(domain.ShipmentFilter{Exceptions: true}, now, stale)
	return queryCounts[domain.Milestone](ctx, db.read, `SELECT s.milestone, count(*) FROM shipments s`+where+` GROUP BY s.milestone`, args...)
}

// Shipment reads one shipment with its events, newest first.
func (db *TrackingStore) Shipment(ctx context.Context, id int64) (domain.Shipment, []domain.TrackEvent, error) {
	s, _, err := scanShipment(db.read.QueryRowContext(ctx, `SELECT `+shipmentColumns+` FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.id = ?`, id))
	if err != nil {
		return s, nil, missing(err, "no shipment %d", id)
	}
	evs, err := queryList(ctx, db.read, func(rows *sql.Rows, e *domain.TrackEvent) error {
		var at int64
		var m string
		err := rows.Scan(&at, &e.Code, &e.Location, &e.Text, &m)
		e.At, e.Milestone = fromMS(at), domain.Milestone(m)
		return err
	}, `SELECT at, code, location, text, milestone FROM tracking_events WHERE shipment_id = ? ORDER BY at DESC, id DESC`, id)
	return s, evs, err
}

// MilestoneCounts counts shipments per milestone.
func (db *TrackingStore) MilestoneCounts(ctx context.Context) (map[domain.Milestone]int, error) {
	return queryCounts[domain.Milestone](ctx, db.read, `SELECT milestone, count(*) FROM shipments GROUP BY milestone`)
}

// deliveredOnTime counts the delivered shipments delivered by the end of
// the day the carrier estimated, or within 5 days without an estimate.
const deliveredOnTime = `sum(CASE WHEN delivered_at <= coalesce(eta + 86400000 - 1, shipped_at + 5 * 86400000) THEN 1 ELSE 0 END)`

// OnTimeRates gives, per carrier and destination, how many delivered
// parcels arrived by the carrier's ETA (or within 5 days of dispatch when
// it gave none).
func (db *TrackingStore) OnTimeRates(ctx context.Context) ([]domain.OnTime, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, o *domain.OnTime) error {
		var c string
		if err := rows.Scan(&o.Carrier, &c, &o.Delivered, &o.OnTime); err != nil {
			return err
		}
		o.Country = domain.Country(c)
		return nil
	}, `SELECT carrier, destination, count(*), `+deliveredOnTime+`
		FROM shipments WHERE delivered_at IS NOT NULL GROUP BY carrier, destination ORDER BY carrier, destination`)
}

const pushColumns = `tp.id, tp.shipment_id, o.channel_id, o.id, o.number, o.external_id, s.carrier, s.tracking, tp.attempts, tp.state, tp.error, tp.next_at`

func scanPushes(rows *sql.Rows) ([]domain.TrackingPush, error) {
	defer rows.Close()
	var out []domain.TrackingPush
	for rows.Next() {
		var p domain.TrackingPush
		var next int64
		if err := rows.Scan(&p.ID, &p.ShipmentID, &p.ChannelID, &p.OrderID, &p.OrderNumber, &p.ExternalID, &p.Carrier, &p.Tracking,
			&p.Attempts, &p.State, &p.Error, &next); err != nil {
			return nil, err
		}
		p.NextAt = fromMS(next)
		out = append(out, p)
	}
	return out, rows.Err()
}

// DuePushes lists tracking numbers waiting to be told to their storefronts.
func (db *TrackingStore) DuePushes(ctx context.Context, now time.Time, limit int) ([]domain.TrackingPush, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+pushColumns+` FROM tracking_pushes tp JOIN shipments s ON s.id = tp.shipment_id
		JOIN orders o ON o.id = s.order_id WHERE tp.state = 'pending' AND tp.next_at <= ? ORDER BY tp.next_at, tp.id LIMIT ?`, millis(now), limit)
	if err != nil {
		return nil, translate(err)
	}
	pushes, err := scanPushes(rows)
	if err != nil {
		return nil, err
	}
	// What each parcel holds, by SKU (a parcel shipped outside Portolan holds nothing known).
	for i := range pushes {
		pushes[i].Lines, err = queryList(ctx, db.read, func(rows *sql.Rows, l *domain.PushLine) error {
			return rows.Scan(&l.SKU, &l.Qty)
		}, `SELECT ol.sku, sum(pl.qty) FROM shipments s JOIN parcel_lines pl ON pl.parcel_id = s.parcel_id
			JOIN order_lines ol ON ol.order_id = s.order_id AND ol.line_no = pl.line_no
			WHERE s.id = ? GROUP BY ol.sku ORDER BY min(pl.line_no)`, pushes[i].ShipmentID)
		if err != nil {
			return nil, err
		}
	}
	return pushes, nil
}

// Pushes lists the pushes in a state ("pending", "failed", "done"), newest first.
func (db *TrackingStore) Pushes(ctx context.Context, state string, limit int) ([]domain.TrackingPush, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+pushColumns+` FROM tracking_pushes tp JOIN shipments s ON s.id = tp.shipment_id
		JOIN orders o ON o.id = s.order_id WHERE tp.state = ? ORDER BY tp.id DESC LIMIT ?`, state, limit)
	if err != nil {
		return nil, translate(err)
	}
	return scanPushes(rows)
}

// PushCounts counts pushes per state.
func (db *TrackingStore) PushCounts(ctx context.Context) (map[string]int, error) {
	return queryCounts[string](ctx, db.read, `SELECT state, count(*) FROM tracking_pushes GROUP BY state`)
}

// FinishPush records a push attempt: done, or failed with the error and
// the next attempt (a zero next gives up: the push is listed as failed).
func (db *TrackingStore) FinishPush(ctx context.Context, id int64, why string, next time.Time, now time.Time) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		switch {
		case why == "":
			_, err = tx.ExecContext(ctx, `UPDATE tracking_pushes SET state = 'done', attempts = attempts + 1, error = '', done_at = ? WHERE id = ?`, millis(now), id)
		case next.IsZero():
			_, err = tx.ExecContext(ctx, `UPDATE tracking_pushes SET state = 'failed', attempts = attempts + 1, error = ? WHERE id = ?`, why, id)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE tracking_pushes SET attempts = attempts + 1, error = ?, next_at = ? WHERE id = ?`, why, millis(next), id)
		}
		return err
	})
}

// RetryPushes puts failed pushes back in the queue, due now.
func (db *TrackingStore) RetryPushes(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tracking_pushes SET state = 'pending', attempts = 0, next_at = ? WHERE state = 'failed'`, millis(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
