package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/portolan/portolan/integrations/sqlite"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

// column is a column as both stores see it: its name, its kind (integer,
// text or real) and whether it may be NULL.
type column struct {
	name, kind string
	nullable   bool
}

func (c column) String() string { return fmt.Sprintf("%s %s null=%v", c.name, c.kind, c.nullable) }

// The two stores hold the same tables with the same columns: a column
// added to one store's migrations and not to the other's fails here.
func TestSameTablesAndColumnsAsSQLite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "schema.db")
	lite, err := sqlite.Open(path, clock)
	if err != nil {
		t.Fatal(err)
	}
	lite.Close()
	want := sqliteColumns(t, path)

	dsn := pgtest.NewDatabase(t)
	openPG(t, dsn)
	got := postgresColumns(t, dsn)

	for table, cols := range want {
		if _, ok := got[table]; !ok {
			t.Errorf("table %s is missing on PostgreSQL", table)
			continue
		}
		if w, g := fmt.Sprint(cols), fmt.Sprint(got[table]); w != g {
			t.Errorf("table %s differs:\n SQLite     %s\n PostgreSQL %s", table, w, g)
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok && !sqlite.TeamOnly(table) {
			t.Errorf("table %s is on PostgreSQL only", table)
		}
	}
	if len(want) < 40 {
		t.Errorf("only %d SQLite tables read", len(want))
	}
}

func sqliteColumns(t *testing.T, path string) map[string][]column {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The search indexes are FTS5 tables with shadow tables of their own;
	// PostgreSQL searches with pg_trgm indexes on orders instead.
	rows, err := db.Query(`SELECT m.name, p.name, p.type, p."notnull", p.pk FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'orders_fts%' AND m.name NOT LIKE 'orders_words%'
		ORDER BY m.name, p.name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]column{}
	for rows.Next() {
		var table, name, typ string
		var notNull, pk int
		if err := rows.Scan(&table, &name, &typ, &notNull, &pk); err != nil {
			t.Fatal(err)
		}
		kind := map[string]string{"INTEGER": "integer", "TEXT": "text", "REAL": "real", "BLOB": "blob"}[strings.ToUpper(typ)]
		if kind == "" {
			t.Fatalf("%s.%s has type %q", table, name, typ)
		}
		// A primary-key column is never NULL (SQLite's INTEGER PRIMARY KEY
		// is the rowid; its other key columns are NOT NULL here too).
		out[table] = append(out[table], column{name, kind, notNull == 0 && pk == 0})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func postgresColumns(t *testing.T, dsn string) map[string][]column {
	t.Helper()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, `SELECT table_name, column_name, data_type, is_nullable = 'YES' FROM information_schema.columns
		WHERE table_schema = 'portolan' ORDER BY table_name, column_name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]column{}
	for rows.Next() {
		var table, name, typ string
		var nullable bool
		if err := rows.Scan(&table, &name, &typ, &nullable); err != nil {
			t.Fatal(err)
		}
		if sqlite.PGOnlyColumn(table, name) {
			continue
		}
		kind := map[string]string{"bigint": "integer", "integer": "integer", "text": "text", "double precision": "real", "bytea": "blob"}[typ]
		if kind == "" {
			t.Fatalf("%s.%s has type %q", table, name, typ)
		}
		out[table] = append(out[table], column{name, kind, nullable})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, cols := range out {
		sort.Slice(cols, func(i, j int) bool { return cols[i].name < cols[j].name })
	}
	return out
}
