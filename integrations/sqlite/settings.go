package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/portolan/portolan/domain"
)

// The settings table keeps one JSON document per key: the planner's
// settings, the shipping settings, the invoicing company, the column
// mappings of carrier invoices.

// readSetting reads the setting key into v. found is false, and v left as
// it was, when the setting was never saved; err is a decoding error when
// the saved document is damaged (v is then as far as it was decoded).
func (db *DB) readSetting(ctx context.Context, key string, v any) (found bool, err error) {
	var doc string
	err = db.reader(ctx).QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, translate(err)
	}
	return true, json.Unmarshal([]byte(doc), v)
}

// saveSetting saves v as the setting key.
func (db *DB) saveSetting(ctx context.Context, key string, v any) error {
	doc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error { return db.putSetting(ctx, tx, key, doc) })
}

// putSetting writes the document doc as the setting key, in tx.
func (db *DB) putSetting(ctx context.Context, tx *sql.Tx, key string, doc []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, changed_by, changed_at) VALUES (?, ?, who(), ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
		key, string(doc), millis(db.now()))
	return translate(err)
}

// updateSetting reads the setting key into v (left as it is when never
// saved), lets change change it, and saves it, in one transaction: two
// people changing different parts of one document at once both keep
// their change. A damaged saved document is damaged's error.
func (db *DB) updateSetting(ctx context.Context, key string, v any, damaged func(error) error, change func() error) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var doc string
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&doc)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return translate(err)
		default:
			if err := json.Unmarshal([]byte(doc), v); err != nil {
				return damaged(err)
			}
		}
		if err := change(); err != nil {
			return err
		}
		out, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return db.putSetting(ctx, tx, key, out)
	})
}

// isDecoding says whether err is a damaged saved document (not a database error).
func isDecoding(err error) bool {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	return errors.As(err, &se) || errors.As(err, &te)
}

// SettingChanged implements domain.SettingsLog.
func (db *DB) SettingChanged(ctx context.Context, s domain.Setting) (domain.Change, error) {
	var c domain.Change
	var at int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT changed_by, changed_at FROM settings WHERE key = ?`, string(s)).Scan(&c.By, &at)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && at == 0) {
		return domain.Change{}, nil
	}
	c.At = fromMS(at)
	return c, translate(err)
}
