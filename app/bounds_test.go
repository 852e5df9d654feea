package app_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// One huge quantity is refused before anything is written: the ledger and
// every listing built on it keep working.
func TestHugeQuantitiesAreRefused(t *testing.T) {
	db := demoDBOf(t, 200)
	list, _, code := runCLI(t, "--db", db, "stock", "list", "--format", "csv")
	if code != 0 {
		t.Fatal("stock list")
	}
	fields := strings.Split(strings.Split(list, "\n")[1], ",") // sku, warehouse, location, …
	for _, qty := range []string{"9223372036854775807", "-9223372036854775807", "1000000001"} {
		_, errs, code := runCLI(t, "--db", db, "stock", "adjust", "--sku", fields[0], "--warehouse", fields[1], "--location", fields[2],
			"--qty", qty, "--reason", "found")
		if code == 0 || !strings.Contains(errs, "at most 1000000000 units") {
			t.Errorf("adjust by %s: %d %q", qty, code, errs)
		}
	}
	// Topping a bin up past the bound, in steps the bound allows, is refused too.
	if _, errs, code := runCLI(t, "--db", db, "stock", "adjust", "--sku", fields[0], "--warehouse", fields[1], "--location", fields[2],
		"--qty", "1000000000", "--reason", "found"); code == 0 || !strings.Contains(errs, "would hold more than") {
		t.Errorf("a bin past the bound: %d %q", code, errs)
	}
	snapshot := filepath.Join(t.TempDir(), "snap.csv")
	os.WriteFile(snapshot, []byte("sku,warehouse,bin,quantity\n"+strings.Join(fields[:3], ",")+",9223372036854775807\n"), 0o644)
	if out, _, code := runCLI(t, "--db", db, "stock", "import", snapshot); code == 0 || !strings.Contains(out, "at most 1000000000 units") {
		t.Errorf("a snapshot row: %d %q", code, out)
	}
	if out, errs, code := runCLI(t, "--db", db, "stock", "verify"); code != 0 || !strings.Contains(out, "every balance and total matches") {
		t.Errorf("verify after: %d %q %q", code, out, errs)
	}
	if after, _, code := runCLI(t, "--db", db, "stock", "list", "--format", "csv"); code != 0 || after != list {
		t.Errorf("stock changed: %d", code)
	}
}

// A listing that fails half-way prints nothing of it on stdout, and exits non-zero.
func TestFailedListingPrintsNothing(t *testing.T) {
	db := demoDBOf(t, 1200)
	raw := openRaw(t, db)
	// An order past the first batches read is damaged (a country that is no code).
	_, err := raw.Exec(`UPDATE orders SET ship_country = 'ZZ' WHERE id = (SELECT id FROM orders ORDER BY id LIMIT 1 OFFSET 1100)`)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"table", "csv", "json"} {
		out, errs, code := runCLI(t, "--db", db, "orders", "list", "--format", format)
		if code == 0 || out != "" || !strings.Contains(errs, `"ZZ" is not an ISO 3166-1`) {
			t.Errorf("%s: exit %d, %d bytes on stdout, %q", format, code, len(out), errs)
		}
	}
}

// readOnlyFolder makes dir refuse new files for the test: chmod for a
// user, the immutable attribute for root (whom permissions do not stop).
func readOnlyFolder(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot make a folder read-only for root here (chattr: %v %s)", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
}

// A database in a folder that cannot be written opens read-only, says so,
// lists what it holds and refuses changes in words.
func TestReadOnlyFolderOpensReadOnly(t *testing.T) {
	sqliteOnly(t)
	src := demoDBOf(t, 150)
	dir := filepath.Join(t.TempDir(), "ro")
	os.Mkdir(dir, 0o700)
	db := filepath.Join(dir, "p.db")
	b, _ := os.ReadFile(src)
	os.WriteFile(db, b, 0o600)
	readOnlyFolder(t, dir)
	out, errs, code := runCLI(t, "--db", db, "orders", "list", "--format", "csv")
	if code != 0 || strings.Count(out, "\n") < 151 || !strings.Contains(errs, "open read-only") {
		t.Errorf("reading: %d, %d lines, %q", code, strings.Count(out, "\n"), errs)
	}
	_, errs, code = runCLI(t, "--db", db, "channels", "add", "--kind", "manual", "--name", "Phone orders")
	if code == 0 || !strings.Contains(errs, "open read-only") || strings.Contains(errs, "(1544)") {
		t.Errorf("a change: %d %q", code, errs)
	}
}
