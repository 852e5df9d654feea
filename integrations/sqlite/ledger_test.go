package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/sqlite"
)

var placedAt = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func adjust(t *testing.T, db *sqlite.DB, sku, wh, bin string, qty domain.Quantity) {
	t.Helper()
	if _, err := db.LedgerStore().Adjust(ctx, domain.Adjustment{SKU: sku, Warehouse: wh, Location: bin, Qty: qty, Reason: domain.ReasonFound}); err != nil {
		t.Fatal(err)
	}
}

func totals(t *testing.T, db *sqlite.DB) map[string]domain.StockTotal {
	t.Helper()
	all, err := db.StockStore().StockTotals(ctx, "")
	must(t, err)
	out := map[string]domain.StockTotal{}
	for _, s := range all {
		out[s.SKU+"@"+s.Warehouse] = s.StockTotal
	}
	return out
}

func verifyClean(t *testing.T, db *sqlite.DB) {
	t.Helper()
	d, err := db.LedgerStore().Verify(ctx)
	must(t, err)
	if len(d) != 0 {
		t.Fatalf("ledger and balances differ: %+v", d)
	}
}

func TestAdjustmentsKeepBinsAndTotalsNonNegative(t *testing.T) {
	db, l := fixtureLedger(t)
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 10)
	_, err := l.Adjust(ctx, domain.Adjustment{SKU: "PRT-1", Warehouse: "NL-VEN", Location: "A-01-01-1", Qty: -11, Reason: domain.ReasonDamaged})
	if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), "hold 10, not 11") {
		t.Errorf("over-adjust: %v", err)
	}
	for _, bad := range []domain.Adjustment{
		{SKU: "PRT-1", Warehouse: "NL-VEN", Location: "A-01-01-1", Qty: 0, Reason: domain.ReasonFound},
		{SKU: "PRT-1", Warehouse: "NL-VEN", Location: "A-01-01-1", Qty: 1},
		{SKU: "PRT-404", Warehouse: "NL-VEN", Location: "A-01-01-1", Qty: 1, Reason: domain.ReasonFound},
		{SKU: "PRT-1", Warehouse: "NL-VEN", Location: "Z-99", Qty: 1, Reason: domain.ReasonFound},
		{SKU: "PRT-1", Warehouse: "NL-VEN", Location: domain.TransitBin, Qty: 1, Reason: domain.ReasonFound},
		{SKU: "PRT-1", Warehouse: "NL-VEN", Location: "A-01-01-1", Qty: 1, Expiry: "2027-02-30", Lot: "L1", Reason: domain.ReasonFound},
	} {
		if _, err := l.Adjust(ctx, bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	_, err = l.Adjust(ctx, domain.Adjustment{SKU: "PRT-1", Warehouse: "NL-VEN", Location: "A-01-01-1", Qty: -4, Reason: domain.ReasonDamaged, Note: "crushed"})
	must(t, err)
	if got := totals(t, db)["PRT-1@NL-VEN"]; got.OnHand != 6 || got.Available() != 6 {
		t.Errorf("after -4: %+v", got)
	}
	p, err := db.StockStore().ProductStockPage(ctx, domain.StockFilter{Search: "PRT-1"}, 0, 1)
	must(t, err)
	moves, err := db.StockStore().Movements(ctx, p[0].ProductID, 0, 10)
	must(t, err)
	if len(moves) != 2 || moves[0].Qty != -4 || moves[0].Reason != domain.ReasonDamaged || moves[0].Note != "crushed" || moves[1].Qty != 10 {
		t.Errorf("movements %+v", moves)
	}
	verifyClean(t, db)
}

func TestLedgerIsAppendOnlyAndVerifyFindsTampering(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	defer db.Close()
	newFixture(t, db)
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 10)
	raw := rawFile(t, path)
	if _, err := raw.Exec(`DELETE FROM stock_movements`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("ledger row deleted: %v", err)
	}
	if _, err := raw.Exec(`UPDATE stock_balances SET on_hand = 13`); err != nil {
		t.Fatal(err)
	}
	d, err := db.LedgerStore().Verify(ctx)
	must(t, err)
	if len(d) != 2 || d[0].What != "bin A-01-01-1 of PRT-1 in NL-VEN" || d[0].Stored != 13 || d[0].Expected != 10 ||
		d[1].What != "on hand of PRT-1 in NL-VEN" || d[1].Stored != 10 || d[1].Expected != 13 {
		t.Errorf("discrepancies %+v", d)
	}
}

func TestTransferIsInExactlyOnePlace(t *testing.T) {
	db, l := fixtureLedger(t)
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 5)
	adjust(t, db, "PRT-1", "NL-VEN", "B-01-01-1", 7)
	tr := &domain.Transfer{From: "NL-VEN", To: "JP-ICH", Reference: "replenish Tokyo", Lines: []domain.TransferLine{{SKU: "PRT-1", Qty: 9}}}
	must(t, l.SendTransfer(ctx, tr))
	tt := totals(t, db)
	if tt["PRT-1@NL-VEN"].OnHand != 3 || tt["PRT-1@JP-ICH"].InTransit != 9 || tt["PRT-1@JP-ICH"].OnHand != 0 {
		t.Errorf("in transit: %+v", tt)
	}
	// B-01-01-1 comes first in pick order (sequence 10), then A-01-01-1.
	levels, err := db.StockStore().StockLevels(ctx, "NL-VEN")
	must(t, err)
	if len(levels) != 1 || levels[0].Location != "A-01-01-1" || levels[0].OnHand != 3 {
		t.Errorf("source bins %+v", levels)
	}
	pending, err := db.StockStore().Transfers(ctx, domain.TransferInTransit)
	must(t, err)
	if len(pending) != 1 || pending[0].ID != tr.ID || pending[0].Lines[0].Qty != 9 || pending[0].To != "JP-ICH" {
		t.Errorf("pending %+v", pending)
	}
	verifyClean(t, db)
	got, err := l.ReceiveTransfer(ctx, tr.ID)
	must(t, err)
	if got.Status != domain.TransferReceived || got.Lines[0].Qty != 9 {
		t.Errorf("received %+v", got)
	}
	tt = totals(t, db)
	if tt["PRT-1@JP-ICH"].OnHand != 9 || tt["PRT-1@JP-ICH"].InTransit != 0 {
		t.Errorf("after receipt: %+v", tt)
	}
	if _, err := l.ReceiveTransfer(ctx, tr.ID); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("received twice: %v", err)
	}
	if err := l.SendTransfer(ctx, &domain.Transfer{From: "NL-VEN", To: "JP-ICH", Lines: []domain.TransferLine{{SKU: "PRT-1", Qty: 4}}}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("transfer of more than there is: %v", err)
	}
	verifyClean(t, db)
}

func TestLotsAreConsumedFirstExpiryFirstOut(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	p := domain.Product{SKU: "MILK-1", Name: "Oat milk 1 l", Weight: 1040, HSCode: "220299", Origin: "SE", LotTracked: true}
	must(t, db.CatalogStore().CreateProduct(ctx, &p))
	l := db.LedgerStore()
	if _, err := l.Adjust(ctx, domain.Adjustment{SKU: "MILK-1", Warehouse: "NL-VEN", Location: "A-01-01-1", Qty: 5, Reason: domain.ReasonFound}); err == nil {
		t.Error("lot-tracked stock accepted without a lot")
	}
	for _, a := range []domain.Adjustment{
		{Location: "A-01-01-1", Lot: "L-LATE", Expiry: "2027-06-30", Qty: 10},
		{Location: "A-01-02-1", Lot: "L-EARLY", Expiry: "2027-01-31", Qty: 4},
		{Location: "B-01-01-1", Lot: "L-NONE", Qty: 8},
	} {
		a.SKU, a.Warehouse, a.Reason = "MILK-1", "NL-VEN", domain.ReasonFound
		if _, err := l.Adjust(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Adjust(ctx, domain.Adjustment{SKU: "MILK-1", Warehouse: "NL-VEN", Location: "A-01-01-1", Lot: "L-LATE", Expiry: "2027-07-01",
		Qty: 1, Reason: domain.ReasonFound}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("a lot's expiry changed: %v", err)
	}
	must(t, l.SendTransfer(ctx, &domain.Transfer{From: "NL-VEN", To: "JP-ICH", Lines: []domain.TransferLine{{SKU: "MILK-1", Qty: 7}}}))
	bins, err := db.StockStore().BinStock(ctx, p.ID, f.warehouse.ID)
	must(t, err)
	var got []string
	for _, b := range bins {
		got = append(got, fmt.Sprintf("%s/%s/%s=%d", b.Location, b.Lot, b.Expiry, b.OnHand))
	}
	// L-EARLY (4) goes first, then 3 of L-LATE; the lot without a date stays.
	if strings.Join(got, " ") != "A-01-01-1/L-LATE/2027-06-30=7 B-01-01-1/L-NONE/=8" {
		t.Errorf("after FEFO transfer: %v", got)
	}
	tr, err := db.StockStore().Transfers(ctx, "")
	must(t, err)
	if len(tr) != 1 || len(tr[0].Lines) != 1 || tr[0].Lines[0].Qty != 7 {
		t.Errorf("transfer lines %+v", tr)
	}
	verifyClean(t, db)
}

func TestReservationsNeverExceedOnHand(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	l := db.LedgerStore()
	adjust(t, db, "PRT-2", "NL-VEN", "A-01-02-1", 10)
	o := order(f.channel.ID, "R1", "#R1", placedAt, "Ana", "a@example.com", "NL", "EUR", "PRT-2")
	must(t, db.OrderStore().CreateOrder(ctx, o))
	r := &domain.Reservation{SKU: "PRT-2", Warehouse: "NL-VEN", OrderID: o.ID, Qty: 8}
	must(t, l.Reserve(ctx, r))
	if err := l.Reserve(ctx, &domain.Reservation{SKU: "PRT-2", Warehouse: "NL-VEN", Qty: 3}); domain.ErrorCode(err) != domain.ECONFLICT ||
		!strings.Contains(err.Error(), "only 2 available") {
		t.Errorf("over-reservation: %v", err)
	}
	_, err := l.Adjust(ctx, domain.Adjustment{SKU: "PRT-2", Warehouse: "NL-VEN", Location: "A-01-02-1", Qty: -3, Reason: domain.ReasonLost})
	if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), "8 reserved") {
		t.Errorf("adjustment into reserved stock: %v", err)
	}
	if err := l.SendTransfer(ctx, &domain.Transfer{From: "NL-VEN", To: "JP-ICH", Lines: []domain.TransferLine{{SKU: "PRT-2", Qty: 3}}}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("transfer of reserved stock: %v", err)
	}
	if got := totals(t, db)["PRT-2@NL-VEN"]; got.OnHand != 10 || got.Reserved != 8 || got.Available() != 2 {
		t.Errorf("after refusals: %+v", got)
	}
	// Cancelling the order releases its reservation in the same transaction.
	must(t, db.OrderStore().UpdateOrder(ctx, o.ID, func(o *domain.Order) error {
		return o.TransitionTo(domain.StatusCancelled, placedAt, "customer cancelled")
	}))
	if got := totals(t, db)["PRT-2@NL-VEN"]; got.Reserved != 0 || got.Available() != 10 {
		t.Errorf("after cancellation: %+v", got)
	}
	r2 := &domain.Reservation{SKU: "PRT-2", Warehouse: "NL-VEN", Qty: 10}
	must(t, l.Reserve(ctx, r2))
	must(t, l.ReleaseReservation(ctx, r2.ID))
	verifyClean(t, db)
}

// model is the property test's independent account of what the ledger must hold.
type model struct {
	bins     map[string]int64 // sku|wh|bin
	reserved map[string]int64 // sku|wh
	transit  map[string]int64 // sku|to
	resv     map[int64][2]any // reservation id → key, qty
	pending  map[int64][]string
}

func (m *model) onHand(sku, wh string) int64 {
	var n int64
	for k, v := range m.bins {
		if strings.HasPrefix(k, sku+"|"+wh+"|") {
			n += v
		}
	}
	return n
}

// TestLedgerInvariantsOverRandomMovements runs random sequences of
// adjustments, transfers, receipts, reservations and releases (valid and
// invalid) and checks after every step that the ledger, the balances and an
// independent model agree, and that nothing is ever negative.
func TestLedgerInvariantsOverRandomMovements(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			db := openTemp(t)
			newFixture(t, db)
			l := db.LedgerStore()
			rng := rand.New(rand.NewPCG(seed, 99))
			skus := []string{"PRT-1", "PRT-2", "PRT-3"}
			bins := map[string][]string{"NL-VEN": {"A-01-01-1", "A-01-02-1", "B-01-01-1"}, "JP-ICH": {"A-01-01-1"}}
			whs := []string{"NL-VEN", "JP-ICH"}
			m := &model{bins: map[string]int64{}, reserved: map[string]int64{}, transit: map[string]int64{}, resv: map[int64][2]any{}, pending: map[int64][]string{}}
			for step := 0; step < 120; step++ {
				sku, wh := skus[rng.IntN(3)], whs[rng.IntN(2)]
				bin := bins[wh][rng.IntN(len(bins[wh]))]
				key := sku + "|" + wh
				switch op := rng.IntN(10); {
				case op < 4: // adjust ±
					q := int64(rng.IntN(15) - 5)
					if q == 0 {
						continue
					}
					_, err := l.Adjust(ctx, domain.Adjustment{SKU: sku, Warehouse: wh, Location: bin, Qty: domain.Quantity(q), Reason: domain.ReasonCountCorrection})
					ok := m.bins[key+"|"+bin]+q >= 0 && m.onHand(sku, wh)+q >= m.reserved[key]
					if (err == nil) != ok {
						t.Fatalf("step %d adjust %s %s %s %d: err %v, model says ok=%v", step, sku, wh, bin, q, err, ok)
					}
					if ok {
						m.bins[key+"|"+bin] += q
					}
				case op < 6: // transfer
					to := whs[1-indexOf(whs, wh)]
					q := int64(1 + rng.IntN(8))
					tr := &domain.Transfer{From: wh, To: to, Lines: []domain.TransferLine{{SKU: sku, Qty: domain.Quantity(q)}}}
					err := l.SendTransfer(ctx, tr)
					before := m.onHand(sku, wh)
					ok := before-q >= m.reserved[key]
					if (err == nil) != ok {
						t.Fatalf("step %d transfer %d of %s from %s: err %v, model ok=%v", step, q, sku, wh, err, ok)
					}
					if ok { // which bins gave it is the FEFO test's business: read them back
						levels, _ := db.StockStore().StockLevels(ctx, wh)
						for _, b := range append(bins[wh], domain.ReceivingBin) {
							m.bins[key+"|"+b] = 0
						}
						var sum int64
						for _, lv := range levels {
							if lv.SKU == sku && lv.Kind != domain.LocationTransit {
								sum += int64(lv.OnHand)
								m.bins[key+"|"+lv.Location] = int64(lv.OnHand)
							}
						}
						if sum != before-q {
							t.Fatalf("step %d: transfer of %d left %d of %d in %s", step, q, sum, before, wh)
						}
						m.transit[sku+"|"+to] += q
						m.pending[tr.ID] = []string{sku, to, strconv.FormatInt(q, 10)}
					}
				case op < 7: // receive a pending transfer
					for id, p := range m.pending {
						_, err := l.ReceiveTransfer(ctx, id)
						must(t, err)
						q, _ := strconv.ParseInt(p[2], 10, 64)
						m.transit[p[0]+"|"+p[1]] -= q
						m.bins[p[0]+"|"+p[1]+"|"+domain.ReceivingBin] += q
						delete(m.pending, id)
						break
					}
				case op < 9: // reserve
					q := int64(1 + rng.IntN(6))
					r := &domain.Reservation{SKU: sku, Warehouse: wh, Qty: domain.Quantity(q)}
					err := l.Reserve(ctx, r)
					ok := m.onHand(sku, wh)-m.reserved[key] >= q
					if (err == nil) != ok {
						t.Fatalf("step %d reserve %d %s@%s: err %v, model ok=%v", step, q, sku, wh, err, ok)
					}
					if ok {
						m.reserved[key] += q
						m.resv[r.ID] = [2]any{key, q}
					}
				default: // release one
					for id, r := range m.resv {
						must(t, l.ReleaseReservation(ctx, id))
						m.reserved[r[0].(string)] -= r[1].(int64)
						delete(m.resv, id)
						break
					}
				}
				tt := totals(t, db)
				for _, s := range skus {
					for _, w := range whs {
						got := tt[s+"@"+w]
						if int64(got.OnHand) != m.onHand(s, w) || int64(got.Reserved) != m.reserved[s+"|"+w] ||
							int64(got.InTransit) != m.transit[s+"|"+w] || got.Available() < 0 {
							t.Fatalf("step %d: %s@%s stored %+v, model on hand %d reserved %d in transit %d", step, s, w, got,
								m.onHand(s, w), m.reserved[s+"|"+w], m.transit[s+"|"+w])
						}
					}
				}
			}
			verifyClean(t, db)
		})
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// TestTwoProcessesNeverOversell runs two Portolan processes (this test binary
// re-run as workers) against one database file at once, each reserving and
// taking stock as fast as it can, and checks that available stock never went
// below zero, that every accepted operation is in the ledger, and that the
// balances still add up.
func TestTwoProcessesNeverOversell(t *testing.T) {
	if os.Getenv("PORTOLAN_LEDGER_WORKER") != "" {
		t.Skip("worker")
	}
	path := filepath.Join(t.TempDir(), "shared.db")
	db, err := sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	newFixture(t, db)
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 60)
	adjust(t, db, "PRT-1", "NL-VEN", "B-01-01-1", 40)
	must(t, db.Close())

	var wg sync.WaitGroup
	outs := make([]string, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestLedgerWorker$", "-test.v")
			cmd.Env = append(os.Environ(), "PORTOLAN_LEDGER_WORKER="+path, "PORTOLAN_WORKER_SEED="+strconv.Itoa(i+1))
			b, err := cmd.CombinedOutput()
			outs[i], errs[i] = string(b), err
		})
	}
	wg.Wait()
	var reserved, taken int64
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("worker %d: %v\n%s", i, errs[i], outs[i])
		}
		var r, tk, refused int64
		if _, err := fmt.Sscanf(outs[i][strings.Index(outs[i], "RESULT"):], "RESULT reserved=%d taken=%d refused=%d", &r, &tk, &refused); err != nil {
			t.Fatalf("worker %d output: %v\n%s", i, err, outs[i])
		}
		if refused == 0 {
			t.Errorf("worker %d was never refused: the test did not contend for the last units", i)
		}
		reserved, taken = reserved+r, taken+tk
	}
	db, err = sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	defer db.Close()
	got := totals(t, db)["PRT-1@NL-VEN"]
	if int64(got.Reserved) != reserved || int64(got.OnHand) != 100-taken || got.Available() < 0 {
		t.Errorf("after both workers: %+v; workers reserved %d and took %d", got, reserved, taken)
	}
	verifyClean(t, db)
}

// TestLedgerWorker is one of the two processes of TestTwoProcessesNeverOversell.
func TestLedgerWorker(t *testing.T) {
	path := os.Getenv("PORTOLAN_LEDGER_WORKER")
	if path == "" {
		t.Skip("run by TestTwoProcessesNeverOversell")
	}
	seed, _ := strconv.ParseUint(os.Getenv("PORTOLAN_WORKER_SEED"), 10, 64)
	db, err := sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	defer db.Close()
	l := db.LedgerStore()
	rng := rand.New(rand.NewPCG(seed, 7))
	var reserved, taken, refused int64
	for range 150 {
		q := int64(1 + rng.IntN(3))
		var err error
		if rng.IntN(2) == 0 {
			err = l.Reserve(context.Background(), &domain.Reservation{SKU: "PRT-1", Warehouse: "NL-VEN", Qty: domain.Quantity(q)})
			if err == nil {
				reserved += q
			}
		} else {
			bin := []string{"A-01-01-1", "B-01-01-1"}[rng.IntN(2)]
			_, err = l.Adjust(context.Background(), domain.Adjustment{SKU: "PRT-1", Warehouse: "NL-VEN", Location: bin, Qty: domain.Quantity(-q), Reason: domain.ReasonLost})
			if err == nil {
				taken += q
			}
		}
		switch {
		case err == nil:
		case domain.ErrorCode(err) == domain.ECONFLICT && !errors.Is(err, sqlite.ErrBusy):
			refused++
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	fmt.Printf("RESULT reserved=%d taken=%d refused=%d\n", reserved, taken, refused)
}

func TestMovePickShipReturn(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	l := db.LedgerStore()
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 10)
	must(t, l.Move(ctx, "PRT-1", "NL-VEN", "A-01-01-1", "B-01-01-1", "", 4))
	if err := l.Move(ctx, "PRT-1", "NL-VEN", "A-01-01-1", "B-01-01-1", "", 7); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("moved more than the bin holds: %v", err)
	}
	if err := l.Move(ctx, "PRT-1", "NL-VEN", "A-01-01-1", domain.TransitBin, "", 1); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("moved into IN-TRANSIT: %v", err)
	}
	o := order(f.channel.ID, "P1", "#P1", placedAt, "Ana", "a@example.com", "NL", "EUR", "PRT-1")
	must(t, db.OrderStore().CreateOrder(ctx, o))
	must(t, l.Reserve(ctx, &domain.Reservation{SKU: "PRT-1", Warehouse: "NL-VEN", OrderID: o.ID, Qty: 5}))
	// B-01-01-1 is first in pick order: 4 from it, then 1 from A-01-01-1.
	picked, err := l.Pick(ctx, "PRT-1", "NL-VEN", 5, o.ID)
	must(t, err)
	if len(picked) != 2 || picked[0].Location != "B-01-01-1" || picked[0].OnHand != 4 || picked[1].Location != "A-01-01-1" {
		t.Errorf("picked %+v", picked)
	}
	if got := totals(t, db)["PRT-1@NL-VEN"]; got.OnHand != 10 || got.Reserved != 5 || got.Available() != 5 {
		t.Errorf("after pick (stock still on hand, in STAGING): %+v", got)
	}
	must(t, l.Ship(ctx, "PRT-1", "NL-VEN", 5, o.ID))
	if got := totals(t, db)["PRT-1@NL-VEN"]; got.OnHand != 5 || got.Reserved != 0 || got.Available() != 5 {
		t.Errorf("after shipping: %+v", got)
	}
	if err := l.Ship(ctx, "PRT-1", "NL-VEN", 1, o.ID); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("shipped what was not picked: %v", err)
	}
	must(t, l.Return(ctx, "PRT-1", "NL-VEN", "", 1, "wrong size"))
	if got := totals(t, db)["PRT-1@NL-VEN"]; got.OnHand != 6 {
		t.Errorf("after the return: %+v", got)
	}
	p, _ := db.StockStore().ProductStockPage(ctx, domain.StockFilter{Search: "PRT-1"}, 0, 1)
	moves, _ := db.StockStore().Movements(ctx, p[0].ProductID, 0, 100)
	kinds := map[domain.MovementKind]int{}
	for _, m := range moves {
		kinds[m.Kind]++
	}
	if kinds[domain.MoveBin] != 2 || kinds[domain.MovePick] != 4 || kinds[domain.MoveShip] != 1 || kinds[domain.MoveReturn] != 1 {
		t.Errorf("ledger kinds %v", kinds)
	}
	verifyClean(t, db)
}

// A database from before the ledger keeps its stock: each balance becomes an
// opening-balance movement, each warehouse gets its special bins, and the
// totals add up.
func TestMigrationGivesOldStockAnOpeningBalance(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sqlite.OpenAtVersion(path, 2)
	must(t, err)
	must(t, old.Exec(`INSERT INTO warehouses (code, name, addr_country, time_zone) VALUES ('NL-VEN', 'Venlo', 'NL', 'Europe/Amsterdam')`))
	must(t, old.Exec(`INSERT INTO locations (warehouse_id, code, zone, pick_sequence) VALUES (1, 'A-01', 'A', 10), (1, 'A-02', 'A', 20)`))
	must(t, old.Exec(`INSERT INTO products (sku, name) VALUES ('PRT-1', 'Beanie'), ('PRT-2', 'Mug')`))
	must(t, old.Exec(`INSERT INTO stock_balances (product_id, location_id, warehouse_id, lot, on_hand) VALUES (1, 1, 1, '', 7), (1, 2, 1, '', 5), (2, 2, 1, '', 0)`))
	must(t, old.Close())

	db, err := sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	defer db.Close()
	verifyClean(t, db)
	if got := totals(t, db)["PRT-1@NL-VEN"]; got.OnHand != 12 {
		t.Errorf("PRT-1 after migration: %+v", got)
	}
	if _, err := db.LedgerStore().Receive(ctx, domain.Receipt{Warehouse: "NL-VEN", Lines: []domain.ReceiptLine{{SKU: "PRT-2", Qty: 3}}}); err != nil {
		t.Errorf("the migrated warehouse has no RECEIVING bin: %v", err)
	}
	p, _ := db.StockStore().ProductStockPage(ctx, domain.StockFilter{Search: "PRT-1"}, 0, 1)
	moves, _ := db.StockStore().Movements(ctx, p[0].ProductID, 0, 10)
	if len(moves) != 2 || moves[0].Reason != domain.ReasonOpeningBalance {
		t.Errorf("opening movements %+v", moves)
	}
}

// Express shipping, a channel's priority and an order's own priority put an
// order first for scarce stock; otherwise the oldest goes first.
func TestOpenOrdersCarryPriorities(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 2) // one order's worth (the helper orders 2)
	mk := func(ext string, age time.Duration, ch int64, service string) *domain.Order {
		o := order(ch, ext, "#"+ext, placedAt.Add(-age), "Ana", "a@example.com", "NL", "EUR", "PRT-1")
		o.Service = service
		must(t, db.OrderStore().CreateOrder(ctx, o))
		return o
	}
	old := mk("OLD", 48*time.Hour, f.channel.ID, "Standard shipping")
	express := mk("EXP", time.Hour, f.channel.ID, "DHL Express")
	s := db.AllocationStore()
	plan := func() string {
		orders, err := s.OpenOrders(ctx, domain.OrderFilter{})
		must(t, err)
		avail, _ := s.Availability(ctx)
		whs, _ := db.CatalogStore().Warehouses(ctx)
		p := domain.PlanAllocation(domain.AllocInput{Orders: orders, Available: avail, Warehouses: whs,
			Rates: domain.DefaultRates(whs, []domain.Country{"NL"}), Config: domain.DefaultAllocConfig()})
		for _, o := range p.Orders {
			if o.Status == domain.StatusAllocated {
				return o.Number
			}
		}
		return ""
	}
	if got := plan(); got != "#EXP" {
		t.Errorf("express order should win the last unit, %s did", got)
	}
	must(t, s.SetPriority(ctx, old.ID, 1))
	if got := plan(); got != "#OLD" {
		t.Errorf("manual priority should win, %s did", got)
	}
	must(t, s.SetPriority(ctx, old.ID, 0))
	other := mk("CH2", 0, f.otherChan.ID, "")
	must(t, s.SetChannelPriority(ctx, f.otherChan.ID, 2))
	if got := plan(); got != other.Number {
		t.Errorf("channel priority should win, %s did", got)
	}
	if err := s.SetPriority(ctx, express.ID, 10); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("priority 10: %v", err)
	}
	got, _ := db.OrderStore().Order(ctx, express.ID)
	if got.Service != "DHL Express" {
		t.Errorf("service stored as %q", got.Service)
	}
}

// An open inbound due soon lets an order wait for one parcel instead of two.
func TestIncomingFromInboundsLetsAnOrderWait(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 5)
	adjust(t, db, "PRT-2", "JP-ICH", "A-01-01-1", 5)
	o := order(f.channel.ID, "W1", "#W1", placedAt, "Ana", "a@example.com", "NL", "EUR", "PRT-1", "PRT-2")
	must(t, db.OrderStore().CreateOrder(ctx, o))
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	in := &domain.Inbound{Warehouse: "NL-VEN", Reference: "PO-5", ExpectedOn: "2026-11-28", Lines: []domain.InboundLine{{SKU: "PRT-2", Expected: 10}}}
	must(t, db.LedgerStore().CreateInbound(ctx, in))
	s := db.AllocationStore()
	inc, err := s.Incoming(ctx, now)
	must(t, err)
	if len(inc) != 1 || inc[0].SKU != "PRT-2" || inc[0].Warehouse != "NL-VEN" || inc[0].Qty != 10 || inc[0].Days != 1 || inc[0].Ref != "PO-5" {
		t.Fatalf("incoming %+v", inc)
	}
	orders, _ := s.OpenOrders(ctx, domain.OrderFilter{})
	avail, _ := s.Availability(ctx)
	whs, _ := db.CatalogStore().Warehouses(ctx)
	p := domain.PlanAllocation(domain.AllocInput{Orders: orders, Available: avail, Warehouses: whs, Incoming: inc,
		Rates: domain.DefaultRates(whs, []domain.Country{"NL", "JP"}), Config: domain.DefaultAllocConfig()})
	if got := p.Orders[0]; got.Status != domain.StatusBackordered || !strings.Contains(got.Reason, "waits for PO-5 at NL-VEN") {
		t.Errorf("plan %+v", got)
	}
}

func TestWaveTakesAllocatedOrdersInWalkingOrder(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	// PRT-1 in two bins: the later bin in pick order holds the rest.
	adjust(t, db, "PRT-1", "NL-VEN", "B-01-01-1", 1) // pick sequence 10
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 9) // pick sequence 30
	adjust(t, db, "PRT-2", "NL-VEN", "A-01-02-1", 9) // pick sequence 20
	var ids []int64
	for i, skus := range [][]string{{"PRT-1", "PRT-2"}, {"PRT-1"}, {"PRT-2"}} {
		o := order(f.channel.ID, fmt.Sprint("W", i), fmt.Sprint("#W", i), placedAt.Add(time.Duration(i)*time.Hour), "名前", "a@example.com", "NL", "EUR", skus...)
		must(t, db.OrderStore().CreateOrder(ctx, o))
		ids = append(ids, o.ID)
	}
	allocateOpenOrders(t, db)
	wv, err := db.LedgerStore().CreateWave(ctx, "NL-VEN", domain.WaveFilter{MaxOrders: 2})
	must(t, err)
	if wv.Orders != 2 || wv.Warehouse != "NL-VEN" || wv.Status != domain.WaveOpen {
		t.Fatalf("wave %+v", wv)
	}
	var got []string
	for _, l := range wv.Lines {
		got = append(got, fmt.Sprintf("%s:%s×%d:t%d", l.Bin, l.SKU, l.Qty, l.Tote))
	}
	// Order W0 (tote 1): 2 × PRT-1 = 1 from B-01-01-1 + 1 from A-01-01-1, 2 × PRT-2; order W1 (tote 2): 2 × PRT-1 from A-01-01-1.
	want := "B-01-01-1:PRT-1×1:t1 A-01-02-1:PRT-2×2:t1 A-01-01-1:PRT-1×1:t1 A-01-01-1:PRT-1×2:t2"
	if strings.Join(got, " ") != want {
		t.Errorf("picks\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	for i, id := range ids {
		o, _ := db.OrderStore().Order(ctx, id)
		if want := map[bool]domain.OrderStatus{true: domain.StatusPicking, false: domain.StatusAllocated}[i < 2]; o.Status != want {
			t.Errorf("order %d is %s, want %s", i, o.Status, want)
		}
	}
	// The rest goes into the next wave; then nothing is left.
	next, err := db.LedgerStore().CreateWave(ctx, "NL-VEN", domain.WaveFilter{})
	must(t, err)
	if next.Orders != 1 || len(next.Lines) != 1 {
		t.Errorf("second wave %+v", next)
	}
	if _, err := db.LedgerStore().CreateWave(ctx, "NL-VEN", domain.WaveFilter{}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("third wave: %v", err)
	}
	verifyClean(t, db)
}

func TestPickConfirmationAndShortPicks(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	adjust(t, db, "PRT-1", "NL-VEN", "B-01-01-1", 3) // first in pick order
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 5)
	adjust(t, db, "PRT-2", "NL-VEN", "A-01-02-1", 4)
	o := order(f.channel.ID, "P1", "#P1", placedAt, "Ana", "a@example.com", "NL", "EUR", "PRT-1", "PRT-2")
	must(t, db.OrderStore().CreateOrder(ctx, o))
	allocateOpenOrders(t, db)
	l := db.LedgerStore()
	wv, err := l.CreateWave(ctx, "NL-VEN", domain.WaveFilter{})
	must(t, err)
	if len(wv.Lines) != 2 || wv.Lines[0].Bin != "B-01-01-1" || wv.Lines[1].Bin != "A-01-02-1" {
		t.Fatalf("picks %+v", wv.Lines)
	}
	// PRT-1: B-01-01-1 turns out to hold only 1 of the 2: short by 1; the next bin is offered.
	short, err := l.ConfirmPick(ctx, wv.Lines[0].ID, 1)
	must(t, err)
	if short != 1 {
		t.Fatalf("short %d", short)
	}
	if _, err := l.ConfirmPick(ctx, wv.Lines[0].ID, 1); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("confirmed twice: %v", err)
	}
	next, err := l.PickFromNextBin(ctx, wv.Lines[0].ID)
	must(t, err)
	if next.Bin != "A-01-01-1" || next.Qty != 1 || next.Tote != 1 {
		t.Errorf("next bin %+v", next)
	}
	must2 := func(q domain.Quantity, err error) domain.Quantity { must(t, err); return q }
	if must2(l.ConfirmPick(ctx, next.ID, 1)) != 0 {
		t.Error("the next-bin pick was short")
	}
	// PRT-2: none found; the shortfall goes back to allocation.
	if must2(l.ConfirmPick(ctx, wv.Lines[1].ID, 0)) != 2 {
		t.Error("PRT-2 should be short by 2")
	}
	must(t, l.ShortToAllocation(ctx, wv.Lines[1].ID))
	tt := totals(t, db)
	if tt["PRT-1@NL-VEN"].OnHand != 8 || tt["PRT-1@NL-VEN"].Reserved != 2 || tt["PRT-2@NL-VEN"].Reserved != 0 {
		t.Errorf("totals after picking %+v", tt)
	}
	levels, _ := db.StockStore().StockLevels(ctx, "NL-VEN")
	staged := domain.Quantity(0)
	for _, lv := range levels {
		if lv.Location == domain.StagingBin {
			staged += lv.OnHand
		}
	}
	if staged != 2 {
		t.Errorf("%d in STAGING, want the 2 PRT-1 picked", staged)
	}
	got, _ := db.OrderStore().Order(ctx, o.ID)
	if !strings.Contains(got.Review, "short pick: 2 × PRT-2 sent back to allocation") {
		t.Errorf("review %q", got.Review)
	}
	w2, _ := db.StockStore().Wave(ctx, wv.ID)
	if w2.Status != domain.WavePicked {
		t.Errorf("wave status %s", w2.Status)
	}
	verifyClean(t, db)
}

func TestPreflightFixUps(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	l := db.LedgerStore()
	must(t, l.SetProductCustoms(ctx, "PRT-1", "6505.00", "PT", 95))
	if err := l.SetProductCustoms(ctx, "PRT-1", "65", "PT", 0); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("short HS code: %v", err)
	}
	if err := l.SetProductCustoms(ctx, "PRT-1", "650500", "", 0); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("no origin: %v", err)
	}
	if err := l.SetProductCustoms(ctx, "NOPE", "650500", "PT", 0); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown SKU: %v", err)
	}
	o := order(f.channel.ID, "F1", "#F1", placedAt, "Ana", "a@example.com", "US", "USD", "PRT-1")
	must(t, db.OrderStore().CreateOrder(ctx, o))
	must(t, l.SetShipPhone(ctx, o.ID, "+1 617 555 0100"))
	got, _ := db.OrderStore().Order(ctx, o.ID)
	if got.ShipTo.Phone != "+1 617 555 0100" {
		t.Errorf("phone %q", got.ShipTo.Phone)
	}
	// A carrier refused the address: it is corrected, the name stays, and
	// the order's history says why and what it was.
	before := got.ShipTo
	to := domain.Address{Line1: " 350 5th Ave ", Line2: "Fl 20", City: "New York", Region: "NY", PostalCode: "10118", Country: "us", Phone: "+1 212 555 0100"}
	must(t, l.SetShipAddress(ctx, o.ID, to, "UPS: The postal code is invalid"))
	got, _ = db.OrderStore().Order(ctx, o.ID)
	if a := got.ShipTo; a.Name != before.Name || a.Line1 != "350 5th Ave" || a.PostalCode != "10118" || a.Country != "US" || a.Region != "NY" ||
		a.Phone != "+1 212 555 0100" || a.Email != before.Email {
		t.Errorf("corrected to %+v", a)
	}
	last := got.History[len(got.History)-1]
	if last.From != got.Status || last.To != got.Status || !strings.Contains(last.Reason, "ship-to corrected (UPS: The postal code is invalid); was: "+before.Line1) {
		t.Errorf("history %+v", last)
	}
	if err := l.SetShipAddress(ctx, o.ID, domain.Address{Line1: "x", City: "y", Country: "XX"}, ""); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("a country that is none: %v", err)
	}
	if got2, _ := db.OrderStore().Order(ctx, o.ID); got2.ShipTo != got.ShipTo {
		t.Errorf("a refused correction changed the address: %+v", got2.ShipTo)
	}
	if err := l.SetShipAddress(ctx, 999999, to, ""); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("no such order: %v", err)
	}
	set, err := db.StockStore().ShippingSettings(ctx)
	must(t, err)
	if set.Incoterm != "DAP" || set.EORI != "" {
		t.Errorf("defaults %+v", set)
	}
	must(t, l.SetShippingSettings(ctx, domain.ShippingSettings{Incoterm: "ddp", IOSS: "IM1234567890", Prices: true}))
	set, _ = db.StockStore().ShippingSettings(ctx)
	if set.Incoterm != "DDP" || set.IOSS != "IM1234567890" || !set.Prices {
		t.Errorf("saved %+v", set)
	}
}

func TestWaveCutoff(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 10)
	for i, h := range []int{8, 16} {
		o := order(f.channel.ID, fmt.Sprint("C", i), fmt.Sprint("#C", i), time.Date(2026, 11, 27, h, 0, 0, 0, time.UTC), "Ana", "a@example.com", "NL", "EUR", "PRT-1")
		must(t, db.OrderStore().CreateOrder(ctx, o))
	}
	allocateOpenOrders(t, db)
	w, err := db.LedgerStore().CreateWave(ctx, "NL-VEN", domain.WaveFilter{PlacedBefore: time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)})
	must(t, err)
	if w.Orders != 1 || w.Lines[0].Number != "#C0" {
		t.Errorf("cut-off wave %+v", w)
	}
}

func TestWaveByCarrierAndParcelCarrier(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	l := db.LedgerStore()
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 20)
	must(t, l.SetShippingSettings(ctx, domain.ShippingSettings{Incoterm: "DAP", Carriers: map[string]string{"Flat rate": "DPD"}}))
	for i, service := range []string{"DHL Express", "Flat rate", "UPS Ground", "dhl economy select"} {
		o := order(f.channel.ID, fmt.Sprint("K", i), fmt.Sprint("#K", i), placedAt.Add(time.Duration(i)*time.Minute), "Ana", "a@example.com", "NL", "EUR", "PRT-1")
		o.Service = service
		must(t, db.OrderStore().CreateOrder(ctx, o))
	}
	orders := allocateOpenOrders(t, db)
	numbers := func(w domain.Wave) string {
		seen := map[string]bool{}
		var out []string
		for _, ln := range w.Lines {
			if !seen[ln.Number] {
				seen[ln.Number] = true
				out = append(out, ln.Number)
			}
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	dhl, err := l.CreateWave(ctx, "NL-VEN", domain.WaveFilter{Carrier: "dhl"})
	must(t, err)
	if got := numbers(dhl); got != "#K0 #K3" {
		t.Errorf("DHL wave has %s", got)
	}
	dpd, err := l.CreateWave(ctx, "NL-VEN", domain.WaveFilter{Carrier: "DPD"})
	must(t, err)
	if got := numbers(dpd); got != "#K1" {
		t.Errorf("DPD wave has %s", got)
	}
	if _, err := l.CreateWave(ctx, "NL-VEN", domain.WaveFilter{Carrier: "FedEx"}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("FedEx wave: %v", err)
	}
	// Priority: only the urgent UPS order.
	var ups int64
	for _, o := range orders {
		if o.Number == "#K2" {
			ups = o.ID
		}
	}
	must(t, db.AllocationStore().SetPriority(ctx, ups, 5))
	three, four := 3, 6
	if _, err := l.CreateWave(ctx, "NL-VEN", domain.WaveFilter{MinPriority: &four}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("priority 6 wave: %v", err)
	}
	urgent, err := l.CreateWave(ctx, "NL-VEN", domain.WaveFilter{MinPriority: &three})
	must(t, err)
	if got := numbers(urgent); got != "#K2" {
		t.Errorf("priority wave has %s", got)
	}
	// Packed, the DPD order's parcel is DPD's; a tracking number without a carrier keeps it.
	for _, ln := range dpd.Lines {
		_, err := l.ConfirmPick(ctx, ln.ID, ln.Qty)
		must(t, err)
	}
	pid, err := l.Pack(ctx, dpd.Lines[0].OrderID, "NL-VEN", "M", 800, nil)
	must(t, err)
	must(t, l.SetTracking(ctx, pid, "", "05222000000001"))
	ps, err := db.StockStore().ParcelsOfWave(ctx, dpd.ID)
	must(t, err)
	if len(ps) != 1 || ps[0].Carrier != "DPD" || ps[0].Tracking != "05222000000001" {
		t.Errorf("parcel %+v", ps)
	}
}

// allocateOpenOrders plans every open order (rates to the Netherlands,
// default settings) and commits the plan; it returns the orders planned.
func allocateOpenOrders(t *testing.T, db *sqlite.DB) []domain.PlanOrder {
	t.Helper()
	plan, orders := planOpenOrders(t, db, "NL")
	if _, err := db.AllocationStore().CommitPlan(ctx, plan, placedAt); err != nil {
		t.Fatal(err)
	}
	return orders
}

// planOpenOrders plans every open order with default rates to the given
// countries and the default settings; it returns the plan and the orders.
func planOpenOrders(tb testing.TB, db *sqlite.DB, countries ...domain.Country) (domain.Plan, []domain.PlanOrder) {
	tb.Helper()
	s := db.AllocationStore()
	orders, err := s.OpenOrders(ctx, domain.OrderFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	avail, _ := s.Availability(ctx)
	whs, _ := db.CatalogStore().Warehouses(ctx)
	return domain.PlanAllocation(domain.AllocInput{Orders: orders, Available: avail, Warehouses: whs,
		Rates: domain.DefaultRates(whs, countries), Config: domain.DefaultAllocConfig()}), orders
}
