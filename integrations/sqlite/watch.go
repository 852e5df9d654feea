package sqlite

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/portolan/portolan/domain"
)

// AnyTable stands for "any table may have changed" (domain.AnyTable).
const AnyTable = domain.AnyTable

// watchQuiet is how long Watch waits for more news before telling: a
// dispatch changes orders, parcels and stock in one breath.
const watchQuiet = 150 * time.Millisecond

// Watch calls changed, from its own goroutine, with the tables whose
// committed changes it heard of — anyone's, this process's too — until ctx
// ends. On PostgreSQL the server tells (LISTEN portolan; the tables'
// triggers NOTIFY at commit), within milliseconds; a lost connection is
// made again, and then changed hears AnyTable. On SQLite it asks the file
// twice a second whether anyone committed (PRAGMA data_version), and
// changed hears AnyTable.
func (db *DB) Watch(ctx context.Context, changed func(tables []string)) {
	if db.pg {
		db.listen(ctx, changed)
		return
	}
	db.poll(ctx, changed)
}

func (db *DB) listen(ctx context.Context, changed func(tables []string)) {
	backoff := time.Second
	first := true
	for ctx.Err() == nil {
		conn, err := pgx.ConnectConfig(ctx, db.pgConfig.Copy())
		if err == nil {
			_, err = conn.Exec(ctx, `LISTEN portolan`)
		}
		if err != nil {
			if conn != nil {
				conn.Close(context.Background())
			}
			if !sleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, 30*time.Second)
			continue
		}
		backoff = time.Second
		if !first {
			changed([]string{AnyTable}) // what was said while away is lost
		}
		first = false
		for {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				break
			}
			tables := map[string]bool{n.Payload: true}
			for { // more of the same moment
				wait, cancel := context.WithTimeout(ctx, watchQuiet)
				n, err := conn.WaitForNotification(wait)
				cancel()
				if err != nil {
					break
				}
				tables[n.Payload] = true
			}
			changed(slices.Sorted(maps.Keys(tables)))
			if ctx.Err() != nil {
				break
			}
		}
		conn.Close(context.Background())
	}
}

func (db *DB) poll(ctx context.Context, changed func(tables []string)) {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	last := int64(-1)
	for {
		var v int64
		if err := conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err == nil {
			if last >= 0 && v != last {
				changed([]string{AnyTable})
			}
			last = v
		}
		if !sleep(ctx, 500*time.Millisecond) {
			return
		}
	}
}

// sleep waits d, or less when ctx ends (then it says false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
