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
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
)

// The whole warehouse flow from the command line: allocate, wave, pick,
// pack, tracking, pre-flight, one job of documents.
func TestCLIPickPackAndPrint(t *testing.T) {
	t.Parallel()
	db := demoDBOf(t, 600)
	// The warehouse that will ship the most single-parcel orders.
	pre, err := app.Open(db, app.Options{Now: testClock.Now})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pre.Allocation.Plan(context.Background(), domain.OrderFilter{}, nil)
	pre.Close()
	if err != nil {
		t.Fatal(err)
	}
	wh := domaintest.BusiestWarehouse(plan)
	if _, errs, code := runCLI(t, "--db", db, "allocate"); code != 0 {
		t.Fatal(errs)
	}
	if out, errs, code := runCLI(t, "--db", db, "wave", "create", "--warehouse", wh, "--max-orders", "3"); code != 0 {
		t.Fatalf("wave create: %d %q %q", code, out, errs)
	}
	if wh == "" {
		t.Fatal("no wave could be made")
	}
	if out, errs, code := runCLI(t, "--db", db, "pick", "confirm", "--wave", "1", "--all"); code != 0 || !strings.Contains(out, "Confirmed") {
		t.Fatalf("pick confirm: %d %q %q", code, out, errs)
	}
	a, err := app.Open(db, app.Options{Now: testClock.Now})
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
	if len(numbers) < 2 {
		t.Fatalf("the wave has %d orders; the test needs two or more", len(numbers))
	}
	parcel := 0
	firstNumber := ""
	for n := range numbers {
		out, errs, code := runCLI(t, "--db", db, "pack", "--order", n, "--warehouse", wh, "--box", "m", "--weight", "25000")
		if code != 0 {
			t.Fatalf("pack %s: %d %q %q", n, code, out, errs)
		}
		parcel++
		if parcel == 1 {
			firstNumber = n
		}
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
	// Tracking numbers come from the carrier's file: the first by order number, the rest by parcel.
	csvFile := filepath.Join(t.TempDir(), "tracking.csv")
	rows := "Parcel,Order,Tracking number,Carrier\n"
	for p := 1; p <= parcel; p++ {
		if p == 1 {
			rows += fmt.Sprintf(",%s,JD0146000062%08d,DHL\n", firstNumber, p)
		} else {
			rows += fmt.Sprintf("%d,,JD0146000062%08d,DHL\n", p, p)
		}
	}
	rows += "999,,JD014600006299999999,DHL\n1,,3318810010,DHL\n"
	os.WriteFile(csvFile, []byte(rows), 0o644)
	if _, errs, code := runCLI(t, "--db", db, "tracking", "--parcel", "1", "--number", "1Z1111111111111111", "--carrier", "UPS"); code != 1 ||
		!strings.Contains(errs, "check digit") {
		t.Errorf("a UPS number with a wrong check digit: %d %q", code, errs)
	}
	out, errs, code := runCLI(t, "--db", db, "tracking", "import", csvFile)
	if code != 1 || !strings.Contains(out, fmt.Sprintf("Recorded %d tracking number(s)", parcel)) || !strings.Contains(out, "no parcel 999") ||
		!strings.Contains(out, "3318810010 fails the check digit of a DHL Express waybill") {
		t.Fatalf("tracking import: %d %q %q", code, out, errs)
	}
	out, _, code = runCLI(t, "--db", db, "customs", "check", "--wave", "1")
	if code != 0 {
		t.Fatalf("customs check: %d %q", code, out)
	}
	if out, errs, code := runCLI(t, "--db", db, "shipping", "settings", "--incoterm", "ddp", "--eori", "DE123456789012345"); code != 0 ||
		!strings.Contains(out, "Incoterm DDP · EORI DE123456789012345") {
		t.Fatalf("shipping settings: %d %q %q", code, out, errs)
	}
	if _, errs, code := runCLI(t, "--db", db, "shipping", "settings", "--incoterm", "EXW"); code != 1 || !strings.Contains(errs, "DAP") {
		t.Errorf("bad incoterm: %d %q", code, errs)
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
	if strings.Contains(string(text), "CN2") && (!strings.Contains(string(text), "Incoterm: DDP") || !strings.Contains(string(text), "EORI DE123456789012345")) {
		t.Error("customs papers do not carry the shipping settings")
	}
	if got := strings.Count(string(text), "Packing slip"); got != parcel {
		t.Errorf("%d packing slips for %d parcels", got, parcel)
	}
	// A selection of parcels: parcel 1 alone, its customs papers on Letter.
	if out, errs, code := runCLI(t, "--db", db, "shipping", "settings", "--paper", "letter", "--service-carrier", "Flat rate=DPD",
		"--latin-carriers", "DHL, UPS"); code != 0 || !strings.Contains(out, "papers on Letter") || !strings.Contains(out, `Service "Flat rate" → DPD`) ||
		!strings.Contains(out, "Latin script required by: DHL, UPS") {
		t.Fatalf("shipping settings: %d %q %q", code, out, errs)
	}
	one := filepath.Join(t.TempDir(), "one.pdf")
	if out, errs, code := runCLI(t, "--db", db, "labels", "--parcels", "1", "--out", one); code != 0 {
		t.Fatalf("labels --parcels: %d %q %q", code, out, errs)
	}
	text, err = exec.Command("pdftotext", "-layout", one, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(text), "Packing slip"); n != 1 || !strings.Contains(string(text), "JD014600006200000001") ||
		strings.Contains(string(text), "JD014600006200000002") {
		t.Errorf("parcel 1's job has %d slips:\n%s", n, text)
	}
	if _, errs, code := runCLI(t, "--db", db, "labels", "--parcels", "1,99999", "--out", one, "--force"); code == 0 || !strings.Contains(errs, "no parcel 99999") {
		t.Errorf("unknown parcel: %d %q", code, errs)
	}
	if _, errs, code := runCLI(t, "--db", db, "wave", "create", "--warehouse", wh, "--carrier", "Aramex"); code == 0 || !strings.Contains(errs, "no allocated orders") {
		t.Errorf("wave for a carrier with no orders: %d %q", code, errs)
	}
	// Dispatch: the parcels go on DHL's manifest of the day, their orders are shipped, stock leaves.
	out, errs, code = runCLI(t, "--db", db, "dispatch", "--carrier", "DHL", "--wave", "1")
	if code != 0 || !strings.Contains(out, "on manifest 1") {
		t.Fatalf("dispatch: %d %q %q", code, out, errs)
	}
	if _, errs, code := runCLI(t, "--db", db, "dispatch", "--carrier", "DHL", "--wave", "1"); code == 0 || !strings.Contains(errs, "already dispatched") {
		t.Errorf("second dispatch: %d %q", code, errs)
	}
	manifest := filepath.Join(t.TempDir(), "manifest.pdf")
	if _, errs, code := runCLI(t, "--db", db, "manifest", "--id", "1", "--out", manifest); code != 0 {
		t.Fatal(errs)
	}
	mt, _ := exec.Command("pdftotext", "-layout", manifest, "-").Output()
	if !strings.Contains(string(mt), "Manifest — DHL") || strings.Count(string(mt), "JD0146000062") != parcel {
		t.Errorf("manifest:\n%s", mt)
	}
	a, _ = app.Open(db, app.Options{Now: testClock.Now})
	defer a.Close()
	for n := range numbers {
		o, err := a.Orders.OrderSummaries(context.Background(), domain.OrderFilter{Search: n}, 0, 1)
		if err != nil || len(o) != 1 || o[0].Status != domain.StatusShipped {
			t.Errorf("order %s after dispatch: %+v %v", n, o, err)
		}
	}
	log, _ := a.Inventory.PrintLog(context.Background(), 10)
	if len(log) != 3 || log[0].Document != "manifest" || log[1].Ref != "parcels 1" || log[2].Document != "labels" || log[2].Ref != "wave 1" || log[0].Who == "" {
		t.Errorf("print log %+v", log)
	}
	if d, _ := a.Inventory.Verify(context.Background()); len(d) != 0 {
		t.Errorf("ledger after dispatch: %+v", d)
	}
	if n := totalReserved(t, a); n < 0 {
		t.Error("negative reservations")
	}
}
