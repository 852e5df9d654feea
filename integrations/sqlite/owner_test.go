package sqlite_test

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/sqlite"
)

// A run left "running" by a process that was killed is marked interrupted
// at the next start; runs of live processes and of other computers are not.
func TestKilledRunsAreMarkedInterrupted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.db")
	db, err := sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	in := db.IntakeStore()
	ch := domain.Channel{Code: "W", Name: "Woo", Kind: domain.ChannelWooCommerce, BaseURL: "https://w.example"}
	must(t, in.AddChannel(ctx, &ch, domain.Credentials{Key: "ck", Secret: "cs"}))
	runs := make([]domain.SyncRun, 3)
	for i := range runs {
		runs[i] = domain.SyncRun{ChannelID: ch.ID, Reported: -1}
		must(t, in.StartRun(ctx, &runs[i]))
	}
	must(t, db.Close())
	dead := exec.Command("true")
	must(t, dead.Run()) // its process id is now free
	host, _ := os.Hostname()
	raw, err := sql.Open("sqlite", path)
	must(t, err)
	for i, owner := range []string{fmt.Sprintf("%s:%d", host, dead.Process.Pid), fmt.Sprintf("%s:%d", host, os.Getppid()), "other-host:1"} {
		_, err := raw.Exec(`UPDATE sync_runs SET owner = ? WHERE id = ?`, owner, runs[i].ID)
		must(t, err)
	}
	raw.Close()

	db, err = sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	defer db.Close()
	var status []string
	rows, err := sqlReader(t, path).Query(`SELECT status || ':' || substr(error, 1, 11) FROM sync_runs ORDER BY id`)
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var s string
		must(t, rows.Scan(&s))
		status = append(status, s)
	}
	want := []string{"failed:interrupted", "running:", "running:"}
	if fmt.Sprint(status) != fmt.Sprint(want) {
		t.Errorf("runs %v, want %v", status, want)
	}
}

func sqlReader(t *testing.T, path string) *sql.DB {
	t.Helper()
	r, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	must(t, err)
	t.Cleanup(func() { r.Close() })
	return r
}
