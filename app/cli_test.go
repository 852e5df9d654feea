package app_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/app/cli"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Main(args, &out, &errb, app.Options{Now: testClock.Now}, func(*app.App, *cli.SignIn) error {
		t.Fatal("window opened by a command")
		return nil
	})
	return out.String(), errb.String(), code
}

// demoDB is one small demo database shared by the CLI tests.
func demoDB(t *testing.T) string {
	t.Helper()
	return demoDBOf(t, 150)
}

// demoDBOf is a copy, the test's own, of a demo database of n orders (more
// flags for demo may follow). Each kind is generated once per test run,
// through the command line, and copied for every test that asks for it.
func demoDBOf(t *testing.T, n int, flags ...string) string {
	t.Helper()
	args := append([]string{"demo", "--orders", strconv.Itoa(n)}, flags...)
	src := fixtures.get(t, strings.Join(args, " "), func(db string) error {
		out, errs, code := runCLI(t, append([]string{"--db", db}, args...)...)
		if code != 0 {
			return fmt.Errorf("demo exit %d: %s", code, errs)
		}
		if !strings.Contains(out, fmt.Sprintf("%d orders", n)) {
			return fmt.Errorf("demo output %q", out)
		}
		return nil
	})
	return fixtures.copy(t, src, "cli.db")
}

func TestCLIOrdersListJSON(t *testing.T) {
	t.Parallel()
	db := demoDB(t)
	out, errs, code := runCLI(t, "--db", db, "orders", "list", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var orders []map[string]any
	if err := json.Unmarshal([]byte(out), &orders); err != nil {
		t.Fatalf("not a JSON array: %v\n%.300s", err, out)
	}
	if len(orders) != 150 {
		t.Fatalf("%d orders", len(orders))
	}
	decimal := map[string]*regexp.Regexp{
		"JPY": regexp.MustCompile(`^\d+$`), "KRW": regexp.MustCompile(`^\d+$`),
		"KWD": regexp.MustCompile(`^\d+\.\d{3}$`), "EUR": regexp.MustCompile(`^\d+\.\d{2}$`),
	}
	seen := map[string]bool{}
	for _, o := range orders {
		for _, k := range []string{"channel", "external_id", "number", "status", "placed_at", "currency", "total", "customer_email", "ship_to", "lines"} {
			if _, ok := o[k]; !ok {
				t.Fatalf("order lacks %q: %v", k, o)
			}
		}
		if _, err := time.Parse(time.RFC3339, o["placed_at"].(string)); err != nil {
			t.Errorf("placed_at %v: %v", o["placed_at"], err)
		}
		total, ok := o["total"].(string)
		if !ok {
			t.Fatalf("total is %T, want a decimal string", o["total"])
		}
		cur := o["currency"].(string)
		if re := decimal[cur]; re != nil {
			seen[cur] = true
			if !re.MatchString(total) {
				t.Errorf("%s total %q has the wrong number of decimals", cur, total)
			}
		}
		ship := o["ship_to"].(map[string]any)
		for _, k := range []string{"name", "city", "postal_code", "country"} {
			if _, ok := ship[k]; !ok {
				t.Errorf("ship_to lacks %q", k)
			}
		}
		lines := o["lines"].([]any)
		if len(lines) == 0 {
			t.Fatalf("order %v without lines", o["number"])
		}
		l := lines[0].(map[string]any)
		if _, ok := l["unit_price"].(string); !ok || l["sku"] == "" || l["quantity"].(float64) < 1 {
			t.Errorf("line %v", l)
		}
	}
	if len(seen) < 2 {
		t.Errorf("currencies checked: %v", seen)
	}
}

func TestCLIOrdersListFilterAndFormats(t *testing.T) {
	t.Parallel()
	db := demoDB(t)
	out, _, code := runCLI(t, "--db", db, "orders", "list", "--status", "delivered", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var orders []struct{ Status string }
	json.Unmarshal([]byte(out), &orders)
	if len(orders) == 0 {
		t.Fatal("no delivered orders")
	}
	for _, o := range orders {
		if o.Status != "delivered" {
			t.Errorf("status %q in delivered list", o.Status)
		}
	}
	out, _, code = runCLI(t, "--db", db, "orders", "list", "--status", "exception", "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) < 2 || recs[0][0] != "channel" {
		t.Fatalf("csv: code %d, err %v, %.200s", code, err, out)
	}
	// Who last changed each order's status, and when (the demo's history is its loader's).
	last := len(recs[0]) - 1
	if recs[0][last-1] != "status_changed_at" || recs[0][last] != "status_changed_by" {
		t.Errorf("csv header %v", recs[0])
	}
	for _, r := range recs[1:] {
		if _, err := time.Parse(time.RFC3339, r[last-1]); err != nil || r[last] == "" {
			t.Errorf("status changed %q by %q", r[last-1], r[last])
			break
		}
	}
	out, _, code = runCLI(t, "--db", db, "orders", "list")
	if code != 0 || !strings.HasPrefix(out, "NUMBER") || strings.Count(out, "\n") != 151 {
		t.Errorf("table: code %d, %d lines", code, strings.Count(out, "\n"))
	}
	// Empty result is an empty array, not null.
	empty := filepath.Join(t.TempDir(), "empty.db")
	out, _, code = runCLI(t, "--db", empty, "orders", "list", "--format", "json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("empty list = %q (%d)", out, code)
	}
}

func TestCLIStockList(t *testing.T) {
	t.Parallel()
	db := demoDB(t)
	out, _, code := runCLI(t, "--db", db, "stock", "list", "--warehouse", "JP-ICH", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var levels []struct {
		SKU, Warehouse, Location string
		OnHand                   *int `json:"on_hand"`
	}
	if err := json.Unmarshal([]byte(out), &levels); err != nil || len(levels) == 0 {
		t.Fatalf("%v: %.200s", err, out)
	}
	for _, l := range levels {
		if l.Warehouse != "JP-ICH" || l.SKU == "" || l.Location == "" || l.OnHand == nil || *l.OnHand <= 0 {
			t.Errorf("level %+v", l)
		}
	}
	_, errs, code := runCLI(t, "--db", db, "stock", "list", "--warehouse", "XX-NOPE")
	if code == 0 || !strings.Contains(errs, "XX-NOPE") {
		t.Errorf("unknown warehouse: code %d, stderr %q", code, errs)
	}
}

func TestCLIErrorsAndHelp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	notDB := filepath.Join(dir, "orders.csv")
	os.WriteFile(notDB, []byte("number,total\n1,2\n"), 0o644)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"help", []string{"--help"}, 0, ""},
		{"demo help", []string{"demo", "--help"}, 0, ""},
		{"orders help", []string{"orders", "list", "--help"}, 0, ""},
		{"stock help", []string{"stock", "list", "-h"}, 0, ""},
		{"unknown command", []string{"--db", db, "ship"}, 2, "unknown command"},
		{"unknown subcommand", []string{"--db", db, "orders", "delete"}, 2, "orders list"},
		{"bad status", []string{"--db", db, "orders", "list", "--status", "lost"}, 2, "unknown order status"},
		{"bad format", []string{"--db", db, "orders", "list", "--format", "xml"}, 2, "table, json or csv"},
		{"bad flag", []string{"--db", db, "demo", "--oders", "5"}, 2, "oders"},
		{"bad count", []string{"--db", db, "demo", "--orders", "-1"}, 2, "positive"},
		{"not a database", []string{"--db", notDB, "orders", "list"}, 1, "not a Portolan database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.stderr) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tt.code, errs, tt.stderr)
			}
			if tt.code != 0 && out != "" {
				t.Errorf("error printed to stdout: %q", out)
			}
		})
	}
	for args, want := range map[string]string{"--help": "orders list", "demo --help": "--orders", "orders list --help": "--status", "stock list -h": "--warehouse"} {
		out, _, code := runCLI(t, strings.Fields(args)...)
		if code != 0 || !strings.Contains(out, "Usage") || !strings.Contains(out, want) {
			t.Errorf("%s: exit %d, stdout %q", args, code, out)
		}
	}
	if b, _ := os.ReadFile(notDB); string(b) != "number,total\n1,2\n" {
		t.Error("CLI modified a file that is not a database")
	}
}

func TestCLIUsesEnvironmentDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "env.db")
	t.Setenv(app.EnvDB, db)
	if _, errs, code := runCLI(t, "demo", "--orders", "5"); code != 0 {
		t.Fatal(errs)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("PORTOLAN_DB not used: %v", err)
	}
	p, err := app.ResolveDBPath("")
	if err != nil || p != db {
		t.Errorf("ResolveDBPath = %q, %v", p, err)
	}
	if p, _ := app.ResolveDBPath("/x/y.db"); p != "/x/y.db" {
		t.Errorf("--db does not win over the environment: %q", p)
	}
	t.Setenv(app.EnvDB, "")
	t.Setenv("XDG_CONFIG_HOME", "/home/someone/.config")
	if p, _ := app.ResolveDBPath(""); p != "/home/someone/.config/portolan/portolan.db" {
		t.Errorf("default path = %q", p)
	}
}

func TestNoCommandOpensWindow(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "w.db")
	opened := ""
	code := cli.Main([]string{"--db", db}, &bytes.Buffer{}, &bytes.Buffer{}, app.Options{Now: testClock.Now}, func(a *app.App, _ *cli.SignIn) error {
		opened = a.DBPath()
		return nil
	})
	if code != 0 || opened != db {
		t.Errorf("code %d, window opened on %q", code, opened)
	}
}

func TestCSVTextCellsAreNotFormulas(t *testing.T) {
	t.Parallel()
	// An order whose customer name starts with "=" from outside data.
	db := storeAt(t, filepath.Join(t.TempDir(), "f.db"))
	a, err := app.Open(db, app.Options{Now: testClock.Now})
	if err != nil {
		t.Fatal(err)
	}
	loadDemo(t, a, 1)
	a.Close()
	raw := openRaw(t, db)
	if _, err := raw.Exec(`UPDATE orders SET ship_name = '=HYPERLINK("http://evil")'`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out, _, code := runCLI(t, "--db", db, "orders", "list", "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) < 2 {
		t.Fatalf("%d %v", code, err)
	}
	if name := recs[1][8]; !strings.HasPrefix(name, "'=") {
		t.Errorf("formula written as %q", name)
	}
}

// A demo database copied onto a team server and back: every table, the
// stock verified, and the copies open and list the same orders.
func TestCLIDatabaseCopyToServerAndBack(t *testing.T) {
	t.Parallel()
	file := demoDBOf(t, 150)
	if app.IsServerAddress(file) { // the PostgreSQL run: its fixture is on the server already
		file = filepath.Join(t.TempDir(), "from.db")
		if _, errs, code := runCLI(t, "--db", file, "demo", "--orders", "150"); code != 0 {
			t.Fatal(errs)
		}
	}
	server := pgtest.NewDatabase(t)
	out, errs, code := runCLI(t, "db", "copy", "--from", file, "--to", server)
	if code != 0 || !strings.Contains(out, "Copied; every table holds") || !regexp.MustCompile(`(?m)^orders\s+150\s+150$`).MatchString(out) {
		t.Fatalf("copy to the server: %d %q %q", code, out, errs)
	}
	back := filepath.Join(t.TempDir(), "back.db")
	if out, errs, code := runCLI(t, "db", "copy", "--from", server, "--to", back); code != 0 {
		t.Fatalf("copy back: %d %q %q", code, out, errs)
	}
	want, _, _ := runCLI(t, "--db", file, "orders", "list", "--format", "csv")
	for _, db := range []string{server, back} {
		if got, errs, code := runCLI(t, "--db", db, "orders", "list", "--format", "csv"); code != 0 || got != want {
			t.Errorf("orders on the copy %s differ (%d %q)", db, code, errs)
		}
	}
	if _, errs, code := runCLI(t, "db", "copy", "--from", file, "--to", server); code != 1 || !strings.Contains(errs, "not empty") {
		t.Errorf("copy into a used database: %d %q", code, errs)
	}
	if _, errs, code := runCLI(t, "db", "copy", "--from", filepath.Join(t.TempDir(), "none.db"), "--to", back); code != 1 || !strings.Contains(errs, "no database") {
		t.Errorf("copy of nothing: %d %q", code, errs)
	}
}
