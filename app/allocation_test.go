package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/app/cli"
	"github.com/portolan/portolan/domain"
)

func TestCLIAllocateDryRunThenCommit(t *testing.T) {
	t.Parallel()
	db := demoDB(t)
	out, errs, code := runCLI(t, "--db", db, "allocate", "--dry-run", "--format", "json")
	if code != 0 {
		t.Fatalf("%d %s", code, errs)
	}
	var plan cli.AllocateJSON
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("%v: %.300s", err, out)
	}
	if plan.Committed || len(plan.Orders) == 0 || plan.Totals.OrdersAllocated == 0 || plan.Totals.Parcels < plan.Totals.OrdersAllocated ||
		plan.Totals.EstimatedCost == "" || plan.Totals.Currency != "EUR" {
		t.Fatalf("dry run totals %+v (%d orders)", plan.Totals, len(plan.Orders))
	}
	// Improved over all its orders, the plan says how far it is at most
	// above the best possible one.
	cost, _ := domain.ParseMoney(plan.Totals.EstimatedCost, "EUR")
	bound, err := domain.ParseMoney(plan.Totals.LowerBound, "EUR")
	if err != nil || plan.Totals.Gap == nil || bound.Amount <= 0 || bound.Amount > cost.Amount ||
		math.Abs(*plan.Totals.Gap-float64(cost.Amount-bound.Amount)/float64(bound.Amount)) > 1e-5 {
		t.Errorf("bound %q, gap %v, cost %q: %v", plan.Totals.LowerBound, plan.Totals.Gap, plan.Totals.EstimatedCost, err)
	}
	out, _, _ = runCLI(t, "--db", db, "allocate", "--dry-run", "--format", "json", "--improve", "0")
	if strings.Contains(out, `"lower_bound"`) || strings.Contains(out, `"gap"`) {
		t.Errorf("a plan not improved has a bound: %.400s", out)
	}
	for _, o := range plan.Orders {
		if o.Number == "" || (o.Status != "allocated" && o.Status != "backordered") || len(o.Lines) == 0 || o.Reason == "" {
			t.Fatalf("order %+v", o)
		}
		for _, l := range o.Lines {
			if l.SKU == "" || l.Quantity <= 0 || l.Warehouse == "" {
				t.Fatalf("line %+v of %s", l, o.Number)
			}
		}
	}
	// The dry run reserved nothing.
	if rows := stockJSON(t, db, "NL-VEN"); anyReserved(rows) {
		t.Fatal("a dry run reserved stock")
	}
	out, errs, code = runCLI(t, "--db", db, "allocate")
	if code != 0 || !strings.Contains(out, "Committed") || !strings.Contains(out, "highest-ranked warehouse") {
		t.Fatalf("commit: %d %q %q", code, out, errs)
	}
	reserved := false
	for _, w := range []string{"NL-VEN", "DE-LEJ", "GB-DAV", "US-NJE", "US-ONT", "JP-ICH", "AU-SYD"} {
		reserved = reserved || anyReserved(stockJSON(t, db, w))
	}
	if !reserved {
		t.Error("committing reserved nothing")
	}
	if out, _, code := runCLI(t, "--db", db, "stock", "verify"); code != 0 {
		t.Errorf("verify after commit: %s", out)
	}
	// Allocated orders are no longer open: a second plan has only the backorders.
	out, _, _ = runCLI(t, "--db", db, "allocate", "--dry-run", "--format", "json")
	var again cli.AllocateJSON
	json.Unmarshal([]byte(out), &again)
	if again.Totals.OrdersAllocated+again.Totals.OrdersBackordered != plan.Totals.OrdersBackordered+again.Totals.OrdersAllocated ||
		len(again.Orders) != plan.Totals.OrdersBackordered {
		t.Errorf("second plan has %d orders; the first backordered %d", len(again.Orders), plan.Totals.OrdersBackordered)
	}
}

func anyReserved(rows []stockRow) bool {
	for _, r := range rows {
		if r.Reserved > 0 {
			return true
		}
	}
	return false
}

func TestCommitConflictsCancelAndUnallocate(t *testing.T) {
	t.Parallel()
	a := openApp(t)
	loadDemo(t, a, 600)
	ctx := context.Background()
	plan, err := a.Allocation.Plan(ctx, domain.OrderFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var first domain.PlannedOrder
	for _, o := range plan.Orders {
		if len(o.Parcels) > 0 {
			first = o
			break
		}
	}
	if first.OrderID == 0 {
		t.Fatalf("nothing allocated: %+v", plan.Totals)
	}
	// Stock changes after planning: the first allocated line's stock goes away.
	pc := first.Parcels[0]
	levels, _ := a.Inventory.StockLevels(ctx, pc.Warehouse)
	for _, l := range levels {
		if l.SKU == pc.Lines[0].SKU && l.Kind == domain.LocationStorage {
			if _, err := a.Inventory.Adjust(ctx, domain.Adjustment{SKU: l.SKU, Warehouse: pc.Warehouse, Location: l.Location, Qty: -l.OnHand, Reason: domain.ReasonDamaged}); err != nil {
				t.Fatal(err)
			}
		}
	}
	res, err := a.Allocation.Commit(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range res.Conflicts {
		found = found || (c.OrderID == first.OrderID && strings.Contains(c.Message, "stock changed since the plan"))
	}
	if !found || res.Allocated == 0 {
		t.Fatalf("commit %+v", res)
	}
	if o, _ := a.Orders.Order(ctx, first.OrderID); o.Status != domain.StatusNew {
		t.Errorf("the conflicting order is %s, want it left new", o.Status)
	}
	if d, _ := a.Inventory.Verify(ctx); len(d) != 0 {
		t.Errorf("ledger after commit: %+v", d)
	}
	// An allocated order: its allocation is readable; un-allocating and cancelling release it.
	var alloc []domain.PlannedOrder
	for _, o := range plan.Orders {
		if len(o.Parcels) > 0 && o.OrderID != first.OrderID {
			alloc = append(alloc, o)
		}
	}
	if len(alloc) < 2 {
		t.Fatal("need two allocated orders")
	}
	lines, err := a.Allocation.Allocation(ctx, alloc[0].OrderID)
	if err != nil || len(lines) == 0 || lines[0].Warehouse != alloc[0].Parcels[0].Warehouse {
		t.Fatalf("allocation of %s: %+v %v", alloc[0].Number, lines, err)
	}
	if o, _ := a.Orders.Order(ctx, alloc[0].OrderID); o.Status != domain.StatusAllocated {
		t.Fatalf("committed order is %s", o.Status)
	}
	reservedBefore := totalReserved(t, a)
	if err := a.Allocation.Unallocate(ctx, alloc[0].OrderID, "customer asked to wait"); err != nil {
		t.Fatal(err)
	}
	if err := a.Orders.Transition(ctx, alloc[1].OrderID, domain.StatusCancelled, "customer cancelled"); err != nil {
		t.Fatal(err)
	}
	var want domain.Quantity
	for _, o := range alloc[:2] {
		for _, pc := range o.Parcels {
			for _, l := range pc.Lines {
				want += l.Qty
			}
		}
	}
	if got := reservedBefore - totalReserved(t, a); got != want {
		t.Errorf("released %d, want %d", got, want)
	}
	if lines, _ := a.Allocation.Allocation(ctx, alloc[1].OrderID); len(lines) != 0 {
		t.Errorf("a cancelled order keeps its allocation: %+v", lines)
	}
	if d, _ := a.Inventory.Verify(ctx); len(d) != 0 {
		t.Errorf("ledger after release: %+v", d)
	}
}

func totalReserved(t *testing.T, a *app.App) domain.Quantity {
	t.Helper()
	all, err := a.Inventory.StockTotals(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var n domain.Quantity
	for _, s := range all {
		n += s.Reserved
	}
	return n
}

func TestCLIRatesAndSettings(t *testing.T) {
	t.Parallel()
	db := demoDB(t)
	out, _, code := runCLI(t, "--db", db, "rates", "list", "--format", "csv")
	if code != 0 || !strings.HasPrefix(out, "warehouse,country,cost,transit_days\n") || !strings.Contains(out, "NL-VEN,DE,") || !strings.Contains(out, "NL-VEN,*,") {
		t.Fatalf("default rates: %d %.300q", code, out)
	}
	file := filepath.Join(t.TempDir(), "rates.csv")
	os.WriteFile(file, []byte("Warehouse,Destination,Cost,Transit days\nNL-VEN,DE,3.95,1\nNL-VEN,*,19.00,6\nNL-VEN,UK,5.00,2\n"), 0o644)
	out, errs, code := runCLI(t, "--db", db, "rates", "import", file)
	if code != 1 || !strings.Contains(out, `row 4, country: "UK" is not an ISO 3166-1 code`) || !strings.Contains(errs, "nothing was imported") {
		t.Fatalf("bad rates file: %d %q %q", code, out, errs)
	}
	os.WriteFile(file, []byte("Warehouse,Destination,Cost,Transit days\nNL-VEN,DE,3.95,1\nNL-VEN,*,19.00,6\n"), 0o644)
	if out, errs, code := runCLI(t, "--db", db, "rates", "import", file); code != 0 || !strings.Contains(out, "Imported 2 rate(s)") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	out, _, _ = runCLI(t, "--db", db, "rates", "list", "--format", "csv")
	if !strings.Contains(out, "NL-VEN,DE,3.95,1\n") || strings.Contains(out, "NL-VEN,FR,") || !strings.Contains(out, "DE-LEJ,FR,") {
		t.Errorf("after import (NL-VEN replaced, the others on defaults): %.400q", out)
	}
	out, errs, code = runCLI(t, "--db", db, "allocate", "settings", "--split-penalty", "5.00", "--never-split", "true")
	if code != 0 || !strings.Contains(out, "Split penalty 5.00 EUR") || !strings.Contains(out, "never split true") {
		t.Errorf("settings: %d %q %q", code, out, errs)
	}
	if _, errs, code := runCLI(t, "--db", db, "allocate", "settings", "--customs", "lots"); code != 2 || !strings.Contains(errs, "not an amount") {
		t.Errorf("bad amount: %d %q", code, errs)
	}
}

func TestBackordersAreReplannedWhenStockArrives(t *testing.T) {
	t.Parallel()
	a := openApp(t)
	loadDemo(t, a, 600)
	ctx := context.Background()
	cfg, _ := a.Allocation.AllocConfig(ctx)
	cfg.AutoReplan = true
	if err := a.Allocation.SetConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	// Empty one SKU everywhere, then plan: its orders are backordered.
	plan, _ := a.Allocation.Plan(ctx, domain.OrderFilter{}, nil)
	sku := plan.Orders[0].Parcels[0].Lines[0].SKU
	for _, w := range []string{"NL-VEN", "DE-LEJ", "GB-DAV", "US-NJE", "US-ONT", "JP-ICH", "AU-SYD"} {
		levels, _ := a.Inventory.StockLevels(ctx, w)
		for _, l := range levels {
			if l.SKU == sku {
				if _, err := a.Inventory.Adjust(ctx, domain.Adjustment{SKU: sku, Warehouse: w, Location: l.Location, Lot: l.Lot, Qty: -l.OnHand, Reason: domain.ReasonLost}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	plan, _ = a.Allocation.Plan(ctx, domain.OrderFilter{}, nil)
	if _, err := a.Allocation.Commit(ctx, plan); err != nil {
		t.Fatal(err)
	}
	var waiting int64
	for _, o := range plan.Orders {
		if o.Status == domain.StatusBackordered && strings.Contains(o.Reason, sku) {
			waiting = o.OrderID
		}
	}
	if waiting == 0 {
		t.Fatalf("no order waits for %s", sku)
	}
	// 500 arrive at Venlo: the backordered order is allocated without anyone asking.
	if _, err := a.Inventory.Receive(ctx, domain.Receipt{Warehouse: "NL-VEN", Lines: []domain.ReceiptLine{{SKU: sku, Qty: 500, Lot: "RCPT-1"}}}); err != nil {
		t.Fatal(err)
	}
	o, _ := a.Orders.Order(ctx, waiting)
	if o.Status != domain.StatusAllocated {
		t.Errorf("after the receipt the order is %s", o.Status)
	}
	if lines, _ := a.Allocation.Allocation(ctx, waiting); len(lines) == 0 {
		t.Error("no allocation recorded")
	}
}

func TestCLIPriorities(t *testing.T) {
	t.Parallel()
	db := demoDB(t)
	out, _, _ := runCLI(t, "--db", db, "allocate", "--dry-run", "--format", "json")
	var plan cli.AllocateJSON
	json.Unmarshal([]byte(out), &plan)
	last := plan.Orders[len(plan.Orders)-1].Number
	if out, errs, code := runCLI(t, "--db", db, "orders", "priority", last, "--set", "9"); code != 0 || !strings.Contains(out, "priority +9") {
		t.Fatalf("%d %q %q", code, out, errs)
	}
	out, _, _ = runCLI(t, "--db", db, "allocate", "--dry-run", "--format", "json")
	json.Unmarshal([]byte(out), &plan)
	if plan.Orders[0].Number != last {
		t.Errorf("after priority +9, %s is planned first, not %s", plan.Orders[0].Number, last)
	}
	if _, errs, code := runCLI(t, "--db", db, "orders", "priority", last, "--set", "12"); code != 1 || !strings.Contains(errs, "-9 to 9") {
		t.Errorf("priority 12: %d %q", code, errs)
	}
	if out, errs, code := runCLI(t, "--db", db, "channels", "priority", "WOO-AM", "--set", "3"); code != 0 || !strings.Contains(out, "priority +3") {
		t.Errorf("channel priority: %d %q %q", code, out, errs)
	}
}

func TestCancelledCommitReservesNothing(t *testing.T) {
	t.Parallel()
	a := openApp(t)
	loadDemo(t, a, 600)
	ctx, cancel := context.WithCancel(context.Background())
	plan, err := a.Allocation.Plan(ctx, domain.OrderFilter{}, nil)
	if err != nil || plan.Totals.Allocated == 0 {
		t.Fatal(plan.Totals, err)
	}
	cancel()
	if _, err := a.Allocation.Commit(ctx, plan); !errors.Is(err, context.Canceled) {
		t.Errorf("commit after cancel: %v", err)
	}
	if n := totalReserved(t, a); n != 0 {
		t.Errorf("%d reserved by a cancelled commit", n)
	}
}

func TestCLIWaveAndPicklist(t *testing.T) {
	t.Parallel()
	db := demoDB(t)
	if _, errs, code := runCLI(t, "--db", db, "allocate"); code != 0 {
		t.Fatal(errs)
	}
	out, errs, code := runCLI(t, "--db", db, "wave", "create", "--warehouse", "NL-VEN")
	if code != 0 {
		// NL-VEN may have no allocated orders in a small demo: take the first warehouse that has.
		for _, w := range []string{"DE-LEJ", "GB-DAV", "US-NJE", "US-ONT", "JP-ICH", "AU-SYD"} {
			if out, errs, code = runCLI(t, "--db", db, "wave", "create", "--warehouse", w); code == 0 {
				break
			}
		}
	}
	if code != 0 || !strings.Contains(out, "Wave 1 in") {
		t.Fatalf("wave create: %d %q %q", code, out, errs)
	}
	file := filepath.Join(t.TempDir(), "wave-1.pdf")
	out, errs, code = runCLI(t, "--db", db, "picklist", "--wave", "1", "--out", file, "--paper", "Letter")
	if code != 0 || !strings.Contains(out, "Wrote "+file) {
		t.Fatalf("picklist: %d %q %q", code, out, errs)
	}
	b, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("%v %.20q", err, b)
	}
	if _, errs, code := runCLI(t, "--db", db, "picklist", "--wave", "99", "--out", file, "--force"); code == 0 || !strings.Contains(errs, "no wave 99") {
		t.Errorf("unknown wave: %d %q", code, errs)
	}
	// --out cannot destroy: not the database or its journal, not a device, not a file there without --force.
	before, _ := os.ReadFile(db)
	for _, c := range []struct{ out, want string }{
		{file, "exists; add --force"},
		{db, "must end in .pdf"},
		{"/dev/null", "must end in .pdf"},
		{filepath.Join(filepath.Dir(db), "x.pdf", "..", filepath.Base(db)), "must end in .pdf"},
	} {
		if _, errs, code := runCLI(t, "--db", db, "picklist", "--wave", "1", "--out", c.out); code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("--out %s: %d %q", c.out, code, errs)
		}
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Error("the database changed")
	}
	dbpdf := filepath.Join(t.TempDir(), "stock.pdf") // a database whose name ends in .pdf is still refused
	if _, errs, code := runCLI(t, "--db", dbpdf, "picklist", "--wave", "1", "--out", dbpdf, "--force"); code == 0 || !strings.Contains(errs, "database") {
		t.Errorf("--out the database itself: %d %q", code, errs)
	}
	if _, err := os.Stat(file + ".part"); !os.IsNotExist(err) {
		t.Error("a partial file was left behind")
	}
}

// Two processes confirming the same wave's picks: each ends one way,
// whoever comes first; a pick confirmed already is refused by its number.
func TestConfirmingPicksTwiceHasOneOutcome(t *testing.T) {
	t.Parallel()
	db := demoDB(t)
	if _, errs, code := runCLI(t, "--db", db, "allocate"); code != 0 {
		t.Fatal(errs)
	}
	var out, errs string
	code := 1
	for _, w := range []string{"NL-VEN", "DE-LEJ", "GB-DAV", "US-NJE", "US-ONT", "JP-ICH", "AU-SYD"} {
		if out, errs, code = runCLI(t, "--db", db, "wave", "create", "--warehouse", w); code == 0 {
			break
		}
	}
	if code != 0 {
		t.Fatalf("wave create: %q", errs)
	}
	var picks int
	fmt.Sscanf(out[strings.Index(out, "order(s), ")+len("order(s), "):], "%d pick(s)", &picks)
	type result struct {
		out, errs string
		code      int
	}
	results := make(chan result, 2)
	for range 2 {
		go func() {
			out, errs, code := runCLI(t, "--db", db, "pick", "confirm", "--wave", "1", "--all")
			results <- result{out, errs, code}
		}()
	}
	confirmed := 0
	for range 2 {
		r := <-results
		var n int
		fmt.Sscanf(r.out, "Confirmed %d pick(s)", &n)
		if r.code != 0 {
			t.Errorf("a --all ended with %d: %q", r.code, r.errs)
		}
		confirmed += n
	}
	if picks == 0 || confirmed != picks {
		t.Errorf("%d pick(s) confirmed in all, the wave has %d", confirmed, picks)
	}
	for range 2 { // asked again, a pick confirmed already is refused, every time
		if _, errs, code := runCLI(t, "--db", db, "pick", "confirm", "--wave", "1", "--line", "1", "--qty", "1"); code == 0 ||
			!strings.Contains(errs, "already confirmed") {
			t.Errorf("pick 1 again: %d %q", code, errs)
		}
	}
}
