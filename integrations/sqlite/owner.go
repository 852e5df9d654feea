package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
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
