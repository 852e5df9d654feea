package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portolan/portolan/app"
)

// The whole warehouse flow from the command line: allocate, wave, pick,
// pack, tracking, pre-flight, one job of documents.
func TestCLIPickPackAndPrint(t *testing.T) {
	db := demoDB(t)
	if _, errs, code := runCLI(t, "--db", db, "allocate"); code != 0 {
		t.Fatal(errs)
	}
	var wh string
	for _, w := range []string{"NL-VEN", "DE-LEJ", "GB-DAV", "US-NJE", "US-ONT", "JP-ICH", "AU-SYD"} {
		if _, _, code := runCLI(t, "--db", db, "wave", "create", "--warehouse", w, "--max-orders", "3"); code == 0 {
			wh = w
			break
		}
	}
	if wh == "" {
		t.Fatal("no wave could be made")
	}
	if out, errs, code := runCLI(t, "--db", db, "pick", "confirm", "--wave", "1", "--all"); code != 0 || !strings.Contains(out, "Confirmed") {
		t.Fatalf("pick confirm: %d %q %q", code, out, errs)
	}
	a, err := app.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	wave, err := a.Inventory.Wave(context.Background(), 1)
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	numbers := map[string]bool{}
	for _, l := range wave.Lines {
		numbers[l.Number] = true
	}
	parcel := 0
	for n := range numbers {
		out, errs, code := runCLI(t, "--db", db, "pack", "--order", n, "--warehouse", wh, "--box", "m", "--weight", "25000")
		if code != 0 {
			t.Fatalf("pack %s: %d %q %q", n, code, out, errs)
		}
		parcel++
	}
	out, _, code := runCLI(t, "--db", db, "customs", "check", "--wave", "1")
	if code != 1 || !strings.Contains(out, "no tracking number yet") {
		t.Fatalf("customs check before tracking: %d %q", code, out)
	}
	file := filepath.Join(t.TempDir(), "docs.pdf")
	if _, errs, code := runCLI(t, "--db", db, "labels", "--wave", "1", "--out", file); code != 1 || !strings.Contains(errs, "nothing was printed") {
		t.Fatalf("labels before tracking: %d %q", code, errs)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatal("a document was written although pre-flight failed")
	}
	for p := 1; p <= parcel; p++ {
		if _, errs, code := runCLI(t, "--db", db, "tracking", "--parcel", fmt.Sprint(p), "--number", fmt.Sprintf("JD0146000062%08d", p), "--carrier", "DHL"); code != 0 {
			t.Fatal(errs)
		}
	}
	out, _, code = runCLI(t, "--db", db, "customs", "check", "--wave", "1")
	if code != 0 {
		t.Fatalf("customs check: %d %q", code, out)
	}
	if out, errs, code := runCLI(t, "--db", db, "labels", "--wave", "1", "--out", file, "--paper", "A6"); code != 0 {
		t.Fatalf("labels: %d %q %q", code, out, errs)
	}
	text, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for p := 1; p <= parcel; p++ {
		tr := fmt.Sprintf("JD0146000062%08d", p)
		if !strings.Contains(string(text), tr) {
			t.Errorf("tracking %s missing", tr)
		}
	}
	if got := strings.Count(string(text), "Packing slip"); got != parcel {
		t.Errorf("%d packing slips for %d parcels", got, parcel)
	}
	if out, _, code := runCLI(t, "--db", db, "stock", "verify"); code != 0 {
		t.Errorf("verify: %s", out)
	}
}
