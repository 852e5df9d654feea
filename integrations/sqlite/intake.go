package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/portolan/portolan/domain"
)

// AddChannel implements domain.IntakeStore.
func (db *IntakeStore) AddChannel(ctx context.Context, c *domain.Channel, creds domain.Credentials) error {
	column, err := db.seal(creds)
	if err != nil {
		return err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := insertChannel(ctx, tx, c, millis(db.now())); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE channels SET credentials = ? WHERE id = ?`, column, c.ID)
		return err
	})
	db.settle(err, column, "")
	return err
}

// ChannelCredentials implements domain.IntakeStore.
func (db *IntakeStore) ChannelCredentials(ctx context.Context, channelID int64) (domain.Credentials, error) {
	var raw string
	var c domain.Credentials
	if err := db.read.QueryRowContext(ctx, `SELECT credentials FROM channels WHERE id = ?`, channelID).Scan(&raw); err != nil {
		return c, fmt.Errorf("channel %d: %w", channelID, translate(err))
	}
	if err := db.unseal(raw, &c); err != nil {
		return c, domain.Errorf(domain.EINVALID, "channel %d: %v", channelID, err)
	}
	return c, nil
}

// UpdateChannel implements domain.IntakeStore.
func (db *IntakeStore) UpdateChannel(ctx context.Context, c domain.Channel, creds *domain.Credentials) error {
	if err := c.Validate(); err != nil {
		return err
	}
	var column, old string
	if creds != nil {
		var err error
		if column, err = db.seal(creds); err != nil {
			return err
		}
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := updateOne(ctx, tx, fmt.Errorf("channel %d: %w", c.ID, domain.ErrNotFound), `UPDATE channels SET name = ?, base_url = ? WHERE id = ?`, c.Name, c.BaseURL, c.ID); err != nil {
			return err
		}
		if creds == nil {
			return nil
		}
		if err := tx.QueryRowContext(ctx, `SELECT credentials FROM channels WHERE id = ?`, c.ID).Scan(&old); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE channels SET credentials = ? WHERE id = ?`, column, c.ID)
		return err
	})
	db.settle(err, column, old)
	return err
}

// DeleteChannel implements domain.IntakeStore.
func (db *IntakeStore) DeleteChannel(ctx context.Context, channelID int64) error {
	var old string
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var orders int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE channel_id = ?`, channelID).Scan(&orders); err != nil {
			return err
		}
		if orders > 0 {
			return domain.Errorf(domain.ECONFLICT, "the channel has %d orders; a channel with orders cannot be removed", orders)
		}
		if err := tx.QueryRowContext(ctx, `SELECT credentials FROM channels WHERE id = ?`, channelID).Scan(&old); err != nil {
			return translate(err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM channels WHERE id = ?`, channelID)
		return err
	})
	db.settle(err, "", old)
	return err
}

// QuarantineCount implements domain.IntakeStore.
func (db *IntakeStore) QuarantineCount(ctx context.Context, channelID int64) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM quarantine WHERE channel_id = ?`, channelID).Scan(&n)
	return n, translate(err)
}

// QuarantinedOrders implements domain.IntakeStore.
func (db *IntakeStore) QuarantinedOrders(ctx context.Context, channelID int64) ([]domain.Quarantined, error) {
	return queryList(ctx, db.read, func(rows *sql.Rows, q *domain.Quarantined) error {
		var first, last int64
		if err := rows.Scan(&q.ExternalID, &q.Reason, &q.Raw, &first, &last); err != nil {
			return err
		}
		q.FirstSeen, q.LastSeen = fromMS(first), fromMS(last)
		return nil
	}, `SELECT external_id, reason, raw, first_seen, last_seen FROM quarantine
		WHERE channel_id = ? ORDER BY last_seen DESC, external_id`, channelID)
}

// ImportMapping implements domain.IntakeStore.
func (db *IntakeStore) ImportMapping(ctx context.Context, channelID int64) (domain.ColumnMapping, error) {
	var raw string
	if err := db.read.QueryRowContext(ctx, `SELECT import_mapping FROM channels WHERE id = ?`, channelID).Scan(&raw); err != nil {
		return nil, fmt.Errorf("channel %d: %w", channelID, translate(err))
	}
	m := domain.ColumnMapping{}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return domain.ColumnMapping{}, nil // a damaged mapping is guessed again
	}
	return m, nil
}

// SaveImportMapping implements domain.IntakeStore.
func (db *IntakeStore) SaveImportMapping(ctx context.Context, channelID int64, m domain.ColumnMapping) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE channels SET import_mapping = ? WHERE id = ?`, string(b), channelID)
		return err
	})
}

// SyncState implements domain.IntakeStore.
func (db *IntakeStore) SyncState(ctx context.Context, channelID int64) (domain.SyncState, error) {
	st := domain.SyncState{ChannelID: channelID}
	var cursor, success int64
	err := db.read.QueryRowContext(ctx, `SELECT cursor, last_success_at FROM channel_sync WHERE channel_id = ?`, channelID).
		Scan(&cursor, &success)
	if err != nil && err != sql.ErrNoRows {
		return st, translate(err)
	}
	if cursor > 0 {
		st.Cursor = fromMS(cursor)
	}
	if success > 0 {
		st.LastSuccess = fromMS(success)
	}
	var r domain.SyncRun
	var since, started, finished int64
	var status string
	err = db.read.QueryRowContext(ctx, `SELECT id, channel_id, since, started_at, finished_at, fetched, new, updated,
		unchanged, quarantined, reported, status, error FROM sync_runs WHERE channel_id = ? ORDER BY id DESC LIMIT 1`, channelID).
		Scan(&r.ID, &r.ChannelID, &since, &started, &finished, &r.Fetched, &r.New, &r.Updated, &r.Unchanged,
			&r.Quarantined, &r.Reported, &status, &r.Error)
	switch {
	case err == sql.ErrNoRows:
	case err != nil:
		return st, translate(err)
	default:
		r.Since, r.StartedAt, r.Status = fromMS(since), fromMS(started), domain.SyncStatus(status)
		if finished > 0 {
			r.FinishedAt = fromMS(finished)
		}
		st.LastRun = &r
	}
	return st, nil
}

// StartRun implements domain.IntakeStore.
func (db *IntakeStore) StartRun(ctx context.Context, run *domain.SyncRun) error {
	if run.StartedAt.IsZero() {
		run.StartedAt = db.now()
	}
	run.Status = domain.SyncRunning
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := insert(ctx, tx, `INSERT INTO sync_runs (channel_id, since, started_at, reported, status, owner) VALUES (?, ?, ?, ?, ?, ?)`,
			run.ChannelID, millis(run.Since), millis(run.StartedAt), run.Reported, string(run.Status), runOwner())
		if err != nil {
			return err
		}
		run.ID, err = res.LastInsertId()
		return err
	})
}

// FinishRun implements domain.IntakeStore: it records the run's end and, when
// it completed, the channel's last success.
func (db *IntakeStore) FinishRun(ctx context.Context, run *domain.SyncRun) error {
	if run.FinishedAt.IsZero() {
		run.FinishedAt = db.now()
	}
	// A cancelled context must not stop the run from being recorded.
	ctx = context.WithoutCancel(ctx)
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := saveRun(ctx, tx, run); err != nil {
			return err
		}
		if run.Status != domain.SyncComplete {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO channel_sync (channel_id, last_success_at) VALUES (?, ?)
			ON CONFLICT (channel_id) DO UPDATE SET last_success_at = excluded.last_success_at`,
			run.ChannelID, millis(run.FinishedAt))
		return err
	})
}

func saveRun(ctx context.Context, tx *sql.Tx, run *domain.SyncRun) error {
	finished := int64(0)
	if !run.FinishedAt.IsZero() {
		finished = millis(run.FinishedAt)
	}
	_, err := tx.ExecContext(ctx, `UPDATE sync_runs SET finished_at = ?, fetched = ?, new = ?, updated = ?, unchanged = ?,
		quarantined = ?, reported = ?, status = ?, error = ? WHERE id = ?`, finished, run.Fetched, run.New, run.Updated,
		run.Unchanged, run.Quarantined, run.Reported, string(run.Status), run.Error, run.ID)
	return err
}

// CommitPage implements domain.IntakeStore.
func (db *IntakeStore) CommitPage(ctx context.Context, run *domain.SyncRun, channelName string, page domain.OrderPage, cursor time.Time) error {
	var counted domain.SyncRun
	err := db.writeTx(ctx, func(sqlTx *sql.Tx) error {
		counted = *run // afresh on every attempt: a transaction may run again (PostgreSQL)
		tx := &stmtCache{tx: sqlTx, stmts: map[string]*sql.Stmt{}}
		defer tx.close()
		now := db.now()
		before, err := maxOrderID(ctx, tx)
		if err != nil {
			return err
		}
		var quarantined bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM quarantine WHERE channel_id = ?)`, run.ChannelID).Scan(&quarantined); err != nil {
			return err
		}
		existing, err := existingOrders(ctx, sqlTx, run.ChannelID, page.Orders)
		if err != nil {
			return err
		}
		// The page's new orders (each once in it) go in together, in a few
		// statements; the others are compared and updated one by one.
		n, err := insertNew(ctx, sqlTx, db.folder, run.ChannelID, channelName, page.Orders, now, quarantined, existing)
		if err != nil {
			return err
		}
		counted.New += n
		for i := range page.Orders {
			if existing[page.Orders[i].Order.ExternalID].inserted {
				continue
			}
			outcome, err := db.upsert(ctx, tx, run.ChannelID, channelName, page.Orders[i], now, quarantined, existing)
			if err != nil {
				return fmt.Errorf("order %s: %w", page.Orders[i].Order.ExternalID, err)
			}
			switch outcome {
			case upsertNew:
				counted.New++
			case upsertUpdated:
				counted.Updated++
			default:
				counted.Unchanged++
			}
		}
		for _, r := range page.Rejected {
			if _, err := tx.ExecContext(ctx, `INSERT INTO quarantine (channel_id, external_id, reason, raw, first_seen, last_seen)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel_id, external_id) DO UPDATE SET reason = excluded.reason,
				raw = excluded.raw, last_seen = excluded.last_seen`, run.ChannelID, r.ExternalID, r.Reason, r.Raw, millis(now), millis(now)); err != nil {
				return err
			}
			counted.Quarantined++
		}
		counted.Fetched += len(page.Orders) + len(page.Rejected)
		if err := db.indexOrdersAfter(ctx, tx, before); err != nil {
			return err
		}
		if !cursor.IsZero() {
			if _, err := tx.ExecContext(ctx, `INSERT INTO channel_sync (channel_id, cursor) VALUES (?, ?)
				ON CONFLICT (channel_id) DO UPDATE SET cursor = CASE WHEN excluded.cursor > channel_sync.cursor THEN excluded.cursor ELSE channel_sync.cursor END`,
				run.ChannelID, millis(cursor)); err != nil {
				return err
			}
		}
		return saveRun(ctx, sqlTx, &counted)
	})
	if err == nil {
		*run = counted
	}
	return err
}

type upsertOutcome int

const (
	upsertUnchanged upsertOutcome = iota
	upsertNew
	upsertUpdated
)

// storedOrder is what an upsert needs to know of an order already stored.
type storedOrder struct {
	id, sourceUpdated int64
	fingerprint, text string
	inserted          bool // by this page's insertNew
}

// insertNew inserts the page's orders that the channel does not have yet
// and that the page holds once (a second version in the same page is an
// update, left to upsert), and says how many.
func insertNew(ctx context.Context, tx *sql.Tx, folder *pgFolder, channelID int64, channelName string, page []domain.SourceOrder, now time.Time, release bool,
	existing map[string]storedOrder) (int, error) {
	times := map[string]int{}
	for _, src := range page {
		times[src.Order.ExternalID]++
	}
	var fresh []newOrder
	var exts []string
	for _, src := range page {
		ext := src.Order.ExternalID
		if _, found := existing[ext]; found || times[ext] != 1 {
			continue
		}
		fp := src.Print
		if fp == "" {
			fp = src.Fingerprint()
		}
		o := domain.NewFromSource(src, channelName, now)
		o.ChannelID = channelID
		fresh = append(fresh, newOrder{o: &o, src: sourceFields{src.SourceStatus, millis(src.Order.UpdatedAt), fp}})
		exts = append(exts, ext)
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	if err := insertOrders(ctx, tx, folder, fresh, millis(now)); err != nil {
		return 0, err
	}
	for _, n := range fresh {
		existing[n.o.ExternalID] = storedOrder{id: n.o.ID, sourceUpdated: n.src.updatedAt, fingerprint: n.src.fingerprint, text: searchText(n.o), inserted: true}
	}
	if release {
		for chunk := range slices.Chunk(exts, 500) {
			args := []any{channelID}
			for _, e := range chunk {
				args = append(args, e)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM quarantine WHERE channel_id = ? AND external_id IN (`+placeholders(len(chunk))+`)`, args...); err != nil {
				return 0, translate(err)
			}
		}
	}
	return len(fresh), nil
}

// existingOrders looks up, in one query, which of the page's orders the
// channel already has.
func existingOrders(ctx context.Context, tx *sql.Tx, channelID int64, orders []domain.SourceOrder) (map[string]storedOrder, error) {
	out := map[string]storedOrder{}
	for start := 0; start < len(orders); start += 500 {
		chunk := orders[start:min(start+500, len(orders))]
		args := []any{channelID}
		for _, o := range chunk {
			args = append(args, o.Order.ExternalID)
		}
		rows, err := tx.QueryContext(ctx, `SELECT external_id, id, source_updated_at, source_fingerprint, search_text FROM orders
			WHERE channel_id = ? AND external_id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var ext string
			var so storedOrder
			if err := rows.Scan(&ext, &so.id, &so.sourceUpdated, &so.fingerprint, &so.text); err != nil {
				rows.Close()
				return nil, err
			}
			out[ext] = so
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// upsert stores one source order; release says whether the channel has
// quarantined orders that a now valid version should release.
func (db *IntakeStore) upsert(ctx context.Context, tx *stmtCache, channelID int64, channelName string, src domain.SourceOrder, now time.Time, release bool, existing map[string]storedOrder) (upsertOutcome, error) {
	fp := src.Print
	if fp == "" {
		fp = src.Fingerprint()
	}
	so, found := existing[src.Order.ExternalID]
	id, sourceUpdated, storedFP, oldText := so.id, so.sourceUpdated, so.fingerprint, so.text
	var err error
	if !found {
		o := domain.NewFromSource(src, channelName, now)
		o.ChannelID = channelID
		if err := insertOrderFrom(ctx, tx, &o, millis(now), sourceFields{src.SourceStatus, millis(src.Order.UpdatedAt), fp}); err != nil {
			return 0, err
		}
		if release {
			if _, err := tx.ExecContext(ctx, `DELETE FROM quarantine WHERE channel_id = ? AND external_id = ?`, channelID, src.Order.ExternalID); err != nil {
				return 0, err
			}
		}
		existing[src.Order.ExternalID] = storedOrder{id: o.ID, sourceUpdated: millis(src.Order.UpdatedAt), fingerprint: fp, text: searchText(&o)}
		return upsertNew, nil
	}
	if storedFP == fp || millis(src.Order.UpdatedAt) < sourceUpdated {
		return upsertUnchanged, nil // the same, or older than what is stored (an overlap re-read)
	}
	stored, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+`
		FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.id = ?`, id))
	if err != nil {
		return 0, err
	}
	if stored.History, err = (&OrderStore{db.DB}).history(ctx, tx.tx, id); err != nil {
		return 0, err
	}
	if stored.Lines, err = linesTx(ctx, tx.tx, id, stored.Currency); err != nil {
		return 0, err
	}
	known := len(stored.History)
	domain.MergeSource(&stored, src, channelName, now)
	if err := stored.Validate(); err != nil {
		return 0, err
	}
	a := stored.ShipTo
	if _, err := tx.ExecContext(ctx, `UPDATE orders SET number = ?, placed_at = ?, updated_at = ?, currency = ?,
		shipping_minor = ?, tax_minor = ?, total_minor = ?, units = ?, customer_email = ?, ship_name = ?, ship_company = ?,
		ship_line1 = ?, ship_line2 = ?, ship_city = ?, ship_region = ?, ship_postal_code = ?, ship_country = ?, ship_phone = ?,
		ship_email = ?, notes = ?, status = ?, search_text = ?, source_status = ?, source_updated_at = ?, source_fingerprint = ?,
		review = ?, service = ? WHERE id = ?`, stored.Number, millis(stored.PlacedAt), millis(now), string(stored.Currency), stored.Shipping.Amount,
		stored.Tax.Amount, stored.Total.Amount, int64(stored.Units()), stored.CustomerEmail, a.Name, a.Company, a.Line1,
		a.Line2, a.City, a.Region, a.PostalCode, string(a.Country), a.Phone, a.Email, stored.Notes, string(stored.Status),
		searchText(&stored), src.SourceStatus, millis(src.Order.UpdatedAt), fp, stored.Review, stored.Service, id); err != nil {
		return 0, err
	}
	if err := db.reindexOrder(ctx, tx, id, oldText, searchText(&stored)); err != nil {
		return 0, err
	}
	// A later version of the same order in this batch must see this one.
	existing[src.Order.ExternalID] = storedOrder{id: id, sourceUpdated: millis(src.Order.UpdatedAt), fingerprint: fp, text: searchText(&stored)}
	if _, err := tx.ExecContext(ctx, `DELETE FROM order_lines WHERE order_id = ?`, id); err != nil {
		return 0, err
	}
	for i, l := range stored.Lines {
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_lines (order_id, line_no, sku, name, quantity, unit_price_minor)
			VALUES (?, ?, ?, ?, ?, ?)`, id, i+1, l.SKU, l.Name, int64(l.Quantity), l.UnitPrice.Amount); err != nil {
			return 0, err
		}
	}
	if err := insertHistory(ctx, tx, id, stored.History[known:]); err != nil {
		return 0, err
	}
	if release {
		_, err = tx.ExecContext(ctx, `DELETE FROM quarantine WHERE channel_id = ? AND external_id = ?`, channelID, src.Order.ExternalID)
	}
	return upsertUpdated, err
}

func linesTx(ctx context.Context, tx *sql.Tx, orderID int64, cur domain.Currency) ([]domain.OrderLine, error) {
	return queryList(ctx, tx, func(rows *sql.Rows, l *domain.OrderLine) error {
		var q, p int64
		if err := rows.Scan(&l.SKU, &l.Name, &q, &p); err != nil {
			return err
		}
		l.Quantity, l.UnitPrice = domain.Quantity(q), domain.NewMoney(p, cur)
		return nil
	}, `SELECT sku, name, quantity, unit_price_minor FROM order_lines
		WHERE order_id = ? ORDER BY line_no`, orderID)
}
