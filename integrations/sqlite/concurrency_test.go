package sqlite_test

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sqlite"
)

// Twenty people's Portolan at once against one database (on PostgreSQL,
// twenty connection pools really running together): the invariants hold
// as if they had taken turns.
const clients = 20

// together runs do on every client at once and collects what each returned.
func together(dbs []*sqlite.DB, do func(i int, db *sqlite.DB) error) []error {
	errs := make([]error, len(dbs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = do(i, db)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func count(t *testing.T, db *sqlite.DB, q string) int64 {
	t.Helper()
	n, err := db.IntForTest(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestConcurrentReservationsAndAdjustmentsNeverOversell(t *testing.T) {
	t.Parallel()
	dbs := openClients(t, clients)
	newFixture(t, dbs[0])
	adjust(t, dbs[0], "PRT-1", "NL-VEN", "A-01-01-1", 50)
	var mu sync.Mutex
	reserved, lost := 0, 0
	errs := together(dbs, func(i int, db *sqlite.DB) error {
		for range 5 {
			var err error
			if i%4 == 0 { // every fourth client finds one missing instead
				_, err = db.LedgerStore().Adjust(ctx, domain.Adjustment{SKU: "PRT-1", Warehouse: "NL-VEN", Location: "A-01-01-1", Qty: -1, Reason: domain.ReasonLost})
			} else {
				err = db.LedgerStore().Reserve(ctx, &domain.Reservation{SKU: "PRT-1", Warehouse: "NL-VEN", Qty: 1})
			}
			switch {
			case err == nil:
				mu.Lock()
				if i%4 == 0 {
					lost++
				} else {
					reserved++
				}
				mu.Unlock()
			case domain.ErrorCode(err) != domain.ECONFLICT:
				return err // only "not enough available" is an acceptable refusal
			}
		}
		return nil
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := totals(t, dbs[0])["PRT-1@NL-VEN"]
	if int(got.Reserved) != reserved || int(got.OnHand) != 50-lost || got.Available() < 0 || reserved+lost != 50 {
		t.Errorf("%d reservations and %d losses succeeded; totals %+v", reserved, lost, got)
	}
	if n := count(t, dbs[0], `SELECT count(*) FROM reservations`); int(n) != reserved {
		t.Errorf("%d reservation rows for %d reservations", n, reserved)
	}
	verifyClean(t, dbs[0])
}

// Everyone commits the plan they made of the same open orders: each line is
// reserved once, and no more stock than there is.
func TestConcurrentPlanCommitsNeverDoubleAllocate(t *testing.T) {
	t.Parallel()
	dbs := openClients(t, clients)
	f := newFixture(t, dbs[0])
	adjust(t, dbs[0], "PRT-1", "NL-VEN", "A-01-01-1", 20)
	for i := range 30 {
		o := order(f.channel.ID, fmt.Sprint("P", i), fmt.Sprintf("#P%02d", i), placedAt.Add(time.Duration(i)*time.Minute), "Ana", "a@example.com", "NL", "EUR", "PRT-1")
		must(t, dbs[0].OrderStore().CreateOrder(ctx, o))
	}
	plans := make([]domain.Plan, len(dbs))
	for i, db := range dbs {
		plans[i], _ = planOpenOrders(t, db, "NL")
	}
	errs := together(dbs, func(i int, db *sqlite.DB) error {
		_, err := db.AllocationStore().CommitPlan(ctx, plans[i], placedAt)
		return err
	})
	for _, err := range errs {
		if err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatal(err)
		}
	}
	db := dbs[0]
	if n := count(t, db, `SELECT count(*) FROM allocations a JOIN order_lines l ON l.order_id = a.order_id AND l.line_no = a.line_no
		WHERE a.qty > l.quantity`); n != 0 {
		t.Errorf("%d lines allocated more than they ask for", n)
	}
	allocated := count(t, db, `SELECT coalesce(sum(qty), 0) FROM allocations`)
	if r := count(t, db, `SELECT coalesce(sum(qty), 0) FROM reservations`); r != allocated || allocated != 20 {
		t.Errorf("%d units reserved for %d allocated, want 20 each", r, allocated)
	}
	if got := totals(t, db)["PRT-1@NL-VEN"]; got.Reserved != 20 || got.Available() != 0 {
		t.Errorf("totals %+v", got)
	}
	verifyClean(t, db)
}

// Leads create waves of the same warehouse at once: every allocated order
// lands in exactly one wave.
func TestConcurrentWavesNeverShareAnOrder(t *testing.T) {
	t.Parallel()
	dbs := openClients(t, clients)
	f := newFixture(t, dbs[0])
	adjust(t, dbs[0], "PRT-1", "NL-VEN", "A-01-01-1", 40)
	for i := range 40 {
		o := order(f.channel.ID, fmt.Sprint("W", i), fmt.Sprintf("#W%02d", i), placedAt.Add(time.Duration(i)*time.Minute), "Ana", "a@example.com", "NL", "EUR", "PRT-1")
		must(t, dbs[0].OrderStore().CreateOrder(ctx, o))
	}
	allocateOpenOrders(t, dbs[0])
	three := 3
	errs := together(dbs, func(i int, db *sqlite.DB) error {
		_, err := db.LedgerStore().CreateWave(ctx, "NL-VEN", domain.WaveFilter{MaxOrders: three})
		return err
	})
	made := 0
	for _, err := range errs {
		switch {
		case err == nil:
			made++
		case domain.ErrorCode(err) != domain.ENOTFOUND:
			t.Fatal(err)
		}
	}
	db := dbs[0]
	if n := count(t, db, `SELECT count(*) FROM (SELECT order_id FROM wave_orders GROUP BY order_id HAVING count(*) > 1) AS twice`); n != 0 {
		t.Errorf("%d orders in two waves", n)
	}
	inWaves := count(t, db, `SELECT count(*) FROM wave_orders`)
	if allocated := count(t, db, `SELECT count(DISTINCT order_id) FROM allocations`); inWaves != allocated || int(inWaves) > made*three {
		t.Errorf("%d of %d allocated orders in %d waves of at most %d", inWaves, allocated, made, three)
	}
	if n := count(t, db, `SELECT count(*) FROM (SELECT wave_id, order_id, line_no FROM wave_lines GROUP BY wave_id, order_id, line_no, lot, location_id HAVING count(*) > 1) AS twice`); n != 0 {
		t.Errorf("%d pick lines doubled", n)
	}
}

// Finance issues twenty drafts at once: the numbers are unique and have no
// gaps.
func TestConcurrentInvoiceNumbersAreUniqueAndGapless(t *testing.T) {
	t.Parallel()
	dbs := openClients(t, clients)
	b := dbs[0].BillingStore()
	c := domain.Client{Code: "ACME", Name: "Acme", Currency: "EUR", PaymentDays: 14, TaxBP: 2100}
	must(t, b.SaveClient(ctx, &c))
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ids := make([]int64, len(dbs))
	for i := range ids {
		inv := domain.Invoice{ClientID: c.ID, PeriodFrom: day, PeriodTo: day.AddDate(0, 1, 0), Currency: "EUR", Net: int64(100 + i), Tax: 21}
		must(t, b.CreateInvoice(ctx, &inv, nil))
		ids[i] = inv.ID
	}
	numbers := make([]string, len(dbs))
	errs := together(dbs, func(i int, db *sqlite.DB) error {
		inv, err := db.BillingStore().IssueInvoice(ctx, ids[i], day.AddDate(0, 1, 0), 14)
		numbers[i] = inv.Number
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(numbers)
	for i, n := range numbers {
		if want := fmt.Sprintf("INV-2026-%05d", i+1); n != want {
			t.Fatalf("numbers %v: #%d is %s, want %s", numbers, i+1, n, want)
		}
	}
}

// Dispatches and cancellations of the same orders racing (half the people
// dispatching, half cancelling): every order ends
// either shipped with its parcel gone and its stock out, or cancelled with
// its parcel at the dock and its stock in — never a cancelled order whose
// goods left, nor a shipped one with stock still reserved.
func TestDispatchAndCancellationRacing(t *testing.T) {
	t.Parallel()
	const n = 20
	dbs := openClients(t, 4) // two leads dispatching, two coordinators cancelling (twenty only queue up for retries)
	db := dbs[0]
	orders, parcelOf := packedOrders(t, db, n)
	for _, p := range parcelOf {
		must(t, db.LedgerStore().SetTracking(ctx, p, "DHL", domain.MakeTrackingNumber(domain.CarrierDHL, p)))
	}
	// Whatever asks, the database itself refuses to cancel an order whose parcel left.
	first := orders[0]
	if _, err := db.LedgerStore().Dispatch(ctx, []int64{parcelOf[first]}, "DHL", placedAt); err != nil {
		t.Fatal(err)
	}
	if err := db.ExecForTest(ctx, fmt.Sprintf(`UPDATE orders SET status = 'cancelled' WHERE id = %d`, first)); err == nil ||
		!strings.Contains(err.Error(), "cannot be cancelled") {
		t.Errorf("cancelling a shipped order behind the state machine's back: %v", err)
	}
	// Half the people dispatch the parcels one by one while the other half cancel their orders.
	orders = orders[1:]
	together(dbs, func(i int, c *sqlite.DB) error {
		for _, o := range orders {
			if i%2 == 0 {
				_, _ = c.LedgerStore().Dispatch(ctx, []int64{parcelOf[o]}, "DHL", placedAt)
			} else {
				_ = c.OrderStore().UpdateOrder(ctx, o, func(o *domain.Order) error {
					return o.TransitionTo(domain.StatusCancelled, placedAt, "customer cancelled")
				})
			}
		}
		return nil
	})
	shipped, cancelled := 0, 0
	for _, o := range orders {
		got, err := db.OrderStore().Order(ctx, o)
		must(t, err)
		left := count(t, db, fmt.Sprintf(`SELECT count(*) FROM parcels WHERE id = %d AND status = 'dispatched'`, parcelOf[o])) == 1
		gone := count(t, db, fmt.Sprintf(`SELECT count(*) FROM stock_movements WHERE kind = 'ship' AND doc = 'order %s'`, got.Number)) > 0
		reserved := count(t, db, fmt.Sprintf(`SELECT coalesce(sum(qty), 0) FROM reservations WHERE order_id = %d`, o))
		switch {
		case got.Status == domain.StatusShipped && left && gone && reserved == 0:
			shipped++
		case got.Status == domain.StatusCancelled && !left && !gone && reserved == 0:
			cancelled++
		default:
			t.Errorf("order %s ended %s, its parcel dispatched %v, stock gone %v, %d reserved", got.Number, got.Status, left, gone, reserved)
		}
	}
	if d, err := db.LedgerStore().Verify(ctx); err != nil || len(d) > 0 {
		t.Errorf("the ledger after the race: %v %v", d, err)
	}
	if count(t, db, `SELECT count(*) FROM stock_totals WHERE reserved < 0 OR on_hand < reserved`) != 0 {
		t.Error("totals out of bounds")
	}
	t.Logf("%d shipped, %d cancelled", shipped, cancelled)
}
