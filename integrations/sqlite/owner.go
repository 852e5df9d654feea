package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"sync"

	"github.com/portolan/portolan/domain"
	"modernc.org/sqlite"
)

// runOwner names this process for the runs it starts: "host:pid".
func runOwner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

// interruptedRun is the error of a run whose process stopped before it finished.
const interruptedRun = "interrupted: the program running it stopped (it was closed, killed or crashed) before it finished; " +
	"the pages committed until then are kept and the next sync goes on from there"

// interruptOrphanRuns marks as interrupted (failed, with why) the runs left
// "running" by a process of this computer that no longer runs, and those of
// versions that did not record their process. Runs of live processes, and
// of other computers, are left alone.
func (db *DB) interruptOrphanRuns(ctx context.Context) error {
	host, _ := os.Hostname()
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, owner FROM sync_runs WHERE status = 'running'`)
		if err != nil {
			return err
		}
		var orphans []int64
		for rows.Next() {
			var id int64
			var owner string
			if err := rows.Scan(&id, &owner); err != nil {
				rows.Close()
				return err
			}
			h, p, _ := strings.Cut(owner, ":")
			pid, perr := strconv.Atoi(p)
			if owner == "" || (h == host && perr == nil && pid != os.Getpid() && !processAlive(pid)) {
				orphans = append(orphans, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range orphans {
			if _, err := tx.ExecContext(ctx, `UPDATE sync_runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running'`,
				interruptedRun, millis(db.now()), id); err != nil {
				return err
			}
		}
		return nil
	})
}

// localHolds are the channels being synced by this process, per database
// file: a personal database has one Portolan at a time working on it.
var localHolds sync.Map

// syncLockClass is the first key of a channel's advisory lock on PostgreSQL.
const syncLockClass = 0x53796e63 // "Sync"

// HoldChannel implements domain.IntakeStore: on PostgreSQL a session
// advisory lock on a connection kept for the sync, so that two people's
// Portolan never sync one channel at once; on SQLite, within this process.
func (db *IntakeStore) HoldChannel(ctx context.Context, channelID int64) (func(), error) {
	if !db.pg {
		key := fmt.Sprint(db.path, "#", channelID)
		if _, held := localHolds.LoadOrStore(key, true); held {
			return nil, db.heldBy(ctx, channelID)
		}
		return func() { localHolds.Delete(key) }, nil
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, translate(err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?, ?)`, syncLockClass, channelID).Scan(&got); err != nil {
		conn.Close()
		return nil, translate(err)
	}
	if !got {
		conn.Close()
		return nil, db.heldBy(ctx, channelID)
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(?, ?)`, syncLockClass, channelID)
		conn.Close()
	}, nil
}

// heldBy says who is syncing a channel: the newest run still running.
func (db *IntakeStore) heldBy(ctx context.Context, channelID int64) error {
	var owner string
	var started int64
	err := db.read.QueryRowContext(ctx, `SELECT owner, started_at FROM sync_runs WHERE channel_id = ? AND status = 'running' ORDER BY id DESC LIMIT 1`,
		channelID).Scan(&owner, &started)
	who := "another Portolan"
	if err == nil && owner != "" {
		host, _, _ := strings.Cut(owner, ":")
		who = fmt.Sprintf("Portolan on %s, since %s UTC", host, fromMS(started).Format("15:04"))
	}
	return domain.Errorf(domain.ECONFLICT, "it is being synced right now by %s; this sync was skipped (its orders arrive through that one)", who)
}

// who is the person working, as SQLite's who() gives it: the computer's
// user (a team server's who() is the session's login role instead).
func init() {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	} else if v := os.Getenv("USER"); v != "" {
		name = v
	}
	if err := sqlite.RegisterDeterministicScalarFunction("who", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		return name, nil
	}); err != nil {
		panic(err)
	}
}
