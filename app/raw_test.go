package app_test

import (
	"database/sql"
	"testing"

	"github.com/portolan/portolan/integrations/sqlite"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
	_ "modernc.org/sqlite"
)

func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sqlite.OpenRaw(storeAt(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// sqliteOnly skips, on the PostgreSQL run, a test of a property of the
// SQLite file itself (its folder, its permissions): the SQLite run has it.
func sqliteOnly(t *testing.T) {
	t.Helper()
	if pgtest.OnPostgres() {
		t.Skip("a property of the SQLite file; tested on the SQLite run")
	}
}
