package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Exchange rates are checked: implausible ones refused, jumps confirmed,
// tiny ones kept exactly, and values that are not rates reported.
func TestExchangeRatesAreChecked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "fx.db")
	add := func(day, rate string, more ...string) (string, int) {
		_, errs, code := runCLI(t, append([]string{"--db", db, "fx", "add", "--day", day, "--quote", "USD", "--rate", rate}, more...)...)
		return errs, code
	}
	for _, bad := range []string{"9e18", "9000000000000000000", "0.000000001", "-1", "0", "NaN", "1e3", "0x10"} {
		if errs, code := add("2026-11-02", bad); code == 0 || !strings.Contains(errs, bad) {
			t.Errorf("rate %s: %d %q", bad, code, errs)
		}
	}
	if errs, code := add("2026-11-02", "1.0823"); code != 0 {
		t.Fatal(errs)
	}
	errs, code := add("2026-11-03", "1.9")
	if code == 0 || !strings.Contains(errs, "moved more than 25 %") || !strings.Contains(errs, "--accept-jump") {
		t.Errorf("a jump of 75 %%: %d %q", code, errs)
	}
	if errs, code := add("2026-11-03", "1.9", "--accept-jump"); code != 0 {
		t.Errorf("a confirmed jump: %q", errs)
	}
	// A rate with many decimals is kept as given (it was 0.00000000 before).
	add("2026-11-02", "0.000123456789", "--accept-jump")
	csv := filepath.Join(t.TempDir(), "eurofxref.csv")
	os.WriteFile(csv, []byte("Date,USD,JPY,GBP,CHF,SEK\n2026-11-04,1.0830,-1,0,NaN,N/A\n2026-11-05,1.0841,160.2,0.8712,0.9412,11.2\n"), 0o644)
	out, _, code := runCLI(t, "--db", db, "fx", "import", csv, "--accept-jumps")
	if code != 0 || !strings.Contains(out, "Imported 6 rate(s)") || !strings.Contains(out, "3 value(s) are not rates") ||
		!strings.Contains(out, `2026-11-04 JPY: "-1"`) || strings.Contains(out, "SEK: ") {
		t.Errorf("import:\n%s", out)
	}
}
