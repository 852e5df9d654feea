package sqlite_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/sqlite"
)

func TestCarrierAccountsAndBudget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.db")
	one, err := sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	defer one.Close()
	ts := one.TrackingStore()
	a := domain.CarrierAccount{Kind: domain.CarrierDHL, Name: "DHL", Key: "k1", PerDay: 100}
	must(t, ts.SaveCarrierAccount(ctx, &a))
	if err := ts.SaveCarrierAccount(ctx, &domain.CarrierAccount{Kind: domain.CarrierDHL, Name: "dhl", Key: "k"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("duplicate name: %v", err)
	}
	// A change without the key keeps it.
	a.Key, a.PerSecond = "", 2
	must(t, ts.SaveCarrierAccount(ctx, &a))
	list, _ := ts.CarrierAccounts(ctx)
	if len(list) != 1 || list[0].Key != "k1" || list[0].PerSecond != 2 || list[0].BaseURL != "https://api-eu.dhl.com" {
		t.Fatalf("accounts %+v", list)
	}
	// Two processes reserving at once never take more than the day's 100.
	two, err := sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	defer two.Close()
	day := time.Date(2026, 11, 27, 23, 59, 0, 0, time.UTC)
	var mu sync.Mutex
	total := 0
	var wg sync.WaitGroup
	for _, db := range []*sqlite.DB{one, two, one, two} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				n, err := db.TrackingStore().ReserveRequests(ctx, a.ID, day, 3, 100)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if used, _ := ts.UsedToday(ctx, a.ID, day); total != 100 || used != 100 {
		t.Errorf("reserved %d, used %d; the budget is 100", total, used)
	}
	// The quota resets at 00:00 UTC; unused requests go back.
	if n, _ := ts.ReserveRequests(ctx, a.ID, day.Add(2*time.Minute), 5, 100); n != 5 {
		t.Errorf("next day: %d", n)
	}
	must(t, ts.ReleaseRequests(ctx, a.ID, day.Add(2*time.Minute), 2))
	if used, _ := ts.UsedToday(ctx, a.ID, day.Add(2*time.Minute)); used != 3 {
		t.Errorf("after release %d", used)
	}
	must(t, ts.SetAccountFailing(ctx, a.ID, "DHL refused the key", day))
	list, _ = ts.CarrierAccounts(ctx)
	if list[0].Failing != "DHL refused the key" {
		t.Errorf("failing %q", list[0].Failing)
	}
}

func TestRecordTrackingDedupesAndOrdersFollow(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	ts := db.TrackingStore()
	policy := domain.DefaultTrackingPolicy()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var ships []*domain.Shipment
	for i, country := range []string{"JP", "US", "DE"} {
		o := order(f.channel.ID, fmt.Sprint("T", i), fmt.Sprint("#T", i), placedAt, "名前", "a@example.com", country, "EUR", "PRT-1")
		o.Status = domain.StatusShipped
		must(t, db.OrderStore().CreateOrder(ctx, o))
		s := &domain.Shipment{OrderID: o.ID, Carrier: "DHL", Tracking: fmt.Sprintf("331881002%d", i), ShippedAt: now.Add(-8 * 24 * time.Hour)}
		must(t, ts.AddShipment(ctx, s, policy))
		ships = append(ships, s)
	}
	if err := ts.AddShipment(ctx, &domain.Shipment{OrderID: ships[0].OrderID, Carrier: "DHL", Tracking: "3318810020"}, policy); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("same number twice: %v", err)
	}
	due, _ := ts.DueShipments(ctx, now, domain.DueFilter{})
	if len(due) != 3 || due[0].Destination != "JP" {
		t.Fatalf("due %+v", due)
	}
	ev := func(h int, code, text string, m domain.Milestone) domain.TrackEvent {
		return domain.TrackEvent{At: now.Add(time.Duration(-h) * time.Hour), Code: code, Text: text, Location: "TOKYO", Milestone: m}
	}
	results := map[int64]domain.TrackResult{
		ships[0].ID: {Milestone: domain.MilestoneDelivered, Status: "Delivered", Raw: []byte(`{"a":1}`),
			Events: []domain.TrackEvent{ev(2, "OK", "Delivered", domain.MilestoneDelivered), ev(30, "PU", "Picked up", domain.MilestonePickedUp)}},
		ships[1].ID: {Milestone: domain.MilestoneException, Status: "Address unknown", ETA: now.Add(-24 * time.Hour),
			Events: []domain.TrackEvent{ev(5, "BA", "Address unknown", domain.MilestoneException)}},
		ships[2].ID: {NotFound: "No shipment with given tracking number found."},
	}
	changed, err := ts.RecordTracking(ctx, results, policy, now)
	must(t, err)
	if changed != 2 {
		t.Errorf("changed %d", changed)
	}
	// The same answer again: nothing new, no duplicate events, backing off.
	changed, err = ts.RecordTracking(ctx, results, policy, now.Add(time.Hour))
	must(t, err)
	s0, evs, _ := ts.Shipment(ctx, ships[0].ID)
	if changed != 0 || len(evs) != 2 || evs[0].Text != "Delivered" || !s0.NextPollAt.IsZero() || s0.DeliveredAt.IsZero() {
		t.Errorf("second record: changed %d, %d events, next %v, delivered %v", changed, len(evs), s0.NextPollAt, s0.DeliveredAt)
	}
	s1, _, _ := ts.Shipment(ctx, ships[1].ID)
	if s1.Milestone != domain.MilestoneException || s1.NextPollAt.Sub(now.Add(time.Hour)) != 4*time.Hour {
		t.Errorf("exception shipment %+v (next in %v)", s1, s1.NextPollAt.Sub(now.Add(time.Hour)))
	}
	s2, _, _ := ts.Shipment(ctx, ships[2].ID)
	if !strings.Contains(s2.Error, "No shipment") || s2.Milestone != domain.MilestoneLabelCreated {
		t.Errorf("unknown number %+v", s2)
	}
	// Orders follow: delivered, and exception with the carrier's words.
	o0, _ := db.OrderStore().Order(ctx, ships[0].OrderID)
	o1, _ := db.OrderStore().Order(ctx, ships[1].OrderID)
	if o0.Status != domain.StatusDelivered || o1.Status != domain.StatusException {
		t.Errorf("orders %s, %s", o0.Status, o1.Status)
	}
	hist := o1.History[len(o1.History)-1]
	if !strings.Contains(hist.Reason, "Address unknown") {
		t.Errorf("history %+v", hist)
	}
	// The exceptions queue: the exception first, then the parcel with no scan for 8 days.
	q, err := ts.Shipments(ctx, domain.ShipmentFilter{Exceptions: true}, now, policy.StaleAfter, 0, 50)
	must(t, err)
	var got []string
	for _, s := range q {
		got = append(got, s.Tracking+":"+s.Attention)
	}
	if strings.Join(got, " ") != "3318810021:Exception 3318810022:No scan for 8 days" {
		t.Errorf("queue %v", got)
	}
	if n, _ := ts.CountShipments(ctx, domain.ShipmentFilter{Exceptions: true}, now, policy.StaleAfter); n != 2 {
		t.Errorf("queue count %d", n)
	}
	if n, _ := ts.CountShipments(ctx, domain.ShipmentFilter{Search: "#T1"}, now, policy.StaleAfter); n != 1 {
		t.Errorf("search by order %d", n)
	}
	counts, _ := ts.MilestoneCounts(ctx)
	if counts[domain.MilestoneDelivered] != 1 || counts[domain.MilestoneException] != 1 || counts[domain.MilestoneLabelCreated] != 1 {
		t.Errorf("counts %v", counts)
	}
	rates, _ := ts.OnTimeRates(ctx)
	if len(rates) != 1 || rates[0].Country != "JP" || rates[0].Delivered != 1 || rates[0].OnTime != 0 {
		t.Errorf("on time %+v (delivered 8 days after dispatch, no ETA: late)", rates)
	}
}

// A parcel shipped outside Portolan, registered for an order it has not
// picked, ships the order (its reservation released, the reason in its
// history); from then on the order follows the parcel.
func TestOrderShippedElsewhereFollowsItsParcel(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	adjust(t, db, "PRT-2", "NL-VEN", "A-01-02-1", 10)
	o := order(f.channel.ID, "E1", "#E1", placedAt, "Ana", "a@example.com", "NL", "EUR", "PRT-2")
	must(t, db.OrderStore().CreateOrder(ctx, o))
	must(t, db.LedgerStore().Reserve(ctx, &domain.Reservation{SKU: "PRT-2", Warehouse: "NL-VEN", OrderID: o.ID, Qty: 4}))
	ts := db.TrackingStore()
	policy := domain.DefaultTrackingPolicy()
	sh := domain.Shipment{OrderID: o.ID, Carrier: "DHL", Tracking: "3318810099"}
	must(t, ts.AddShipment(ctx, &sh, policy))
	got, _ := db.OrderStore().Order(ctx, o.ID)
	last := got.History[len(got.History)-1]
	if got.Status != domain.StatusShipped || !strings.Contains(last.Reason, "shipped outside Portolan: DHL 3318810099") {
		t.Fatalf("after the parcel was registered: %s, %+v", got.Status, last)
	}
	totals, _ := db.StockStore().StockTotals(ctx, "NL-VEN")
	for _, tt := range totals {
		if tt.SKU == "PRT-2" && tt.Reserved != 0 {
			t.Errorf("still reserved: %d", tt.Reserved)
		}
	}
	now := db.Now()
	_, err := ts.RecordTracking(ctx, map[int64]domain.TrackResult{sh.ID: {Milestone: domain.MilestoneDelivered, Status: "Delivered",
		Events: []domain.TrackEvent{{At: now, Code: "OK", Text: "Delivered", Milestone: domain.MilestoneDelivered}}}}, policy, now)
	must(t, err)
	if got, _ := db.OrderStore().Order(ctx, o.ID); got.Status != domain.StatusDelivered {
		t.Errorf("after delivery: %s", got.Status)
	}
}

// A DHL Express account keeps its account number, paperless trade and label format beside
// its sealed credentials, on both stores.
func TestDHLExpressAccountKeepsItsOptions(t *testing.T) {
	ts := openTemp(t).TrackingStore()
	a := domain.CarrierAccount{Kind: domain.CarrierDHLExpress, Name: "DHL Express", ClientID: "apikey", ClientSecret: "secret",
		Number: " 123456789 ", Paperless: true, ZPL: true}
	must(t, ts.SaveCarrierAccount(ctx, &a))
	list, err := ts.CarrierAccounts(ctx)
	must(t, err)
	if len(list) != 1 || list[0].Kind != domain.CarrierDHLExpress || list[0].Number != "123456789" || !list[0].Paperless || !list[0].ZPL ||
		list[0].ClientSecret != "secret" || list[0].BaseURL != "https://express.api.dhl.com/mydhlapi" {
		t.Fatalf("accounts %+v", list)
	}
	// A change without the secret keeps it; the options are what it says.
	a.ClientSecret, a.Paperless, a.ZPL = "", false, false
	must(t, ts.SaveCarrierAccount(ctx, &a))
	list, _ = ts.CarrierAccounts(ctx)
	if list[0].Paperless || list[0].ZPL || list[0].ClientSecret != "secret" || list[0].Number != "123456789" {
		t.Fatalf("after the change %+v", list[0])
	}
	bad := domain.CarrierAccount{Kind: domain.CarrierDHLExpress, Name: "No number", ClientID: "k", ClientSecret: "s"}
	if err := ts.SaveCarrierAccount(ctx, &bad); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "account number") {
		t.Errorf("an account without its number: %v", err)
	}
}

// The upgrade that lets carrier_accounts take DHL Express keeps what
// refers to the accounts: their usage and the labels bought with them.
func TestDHLExpressMigrationKeepsAccountsAndWhatReferToThem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sqlite.OpenAtVersion(path, 18)
	must(t, err)
	must(t, old.Exec(`INSERT INTO carrier_accounts (id, kind, name, base_url, per_second, per_day, created_at)
		VALUES (1, 'easypost', 'EasyPost', 'https://api.easypost.com', 5, 100, 0)`))
	must(t, old.Exec(`INSERT INTO carrier_usage (account_id, day, used) VALUES (1, '2026-12-01', 7)`))
	must(t, old.Close())

	db, err := sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	defer db.Close()
	ts := db.TrackingStore()
	if used, _ := ts.UsedToday(ctx, 1, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)); used != 7 {
		t.Errorf("usage after the upgrade: %d", used)
	}
	must(t, ts.SaveCarrierAccount(ctx, &domain.CarrierAccount{Kind: domain.CarrierDHLExpress, Name: "DHL Express",
		ClientID: "k", ClientSecret: "s", Number: "123456789"}))
	if err := db.ExecForTest(ctx, `INSERT INTO carrier_accounts (kind, name, base_url, per_second, per_day, created_at)
		VALUES ('pigeon', 'Pigeon', 'https://example.com', 1, 1, 0)`); err == nil {
		t.Error("the kind check is gone")
	}
	var check string
	must(t, db.QueryRowForTest(ctx, `PRAGMA integrity_check`).Scan(&check))
	if check != "ok" {
		t.Errorf("integrity %q", check)
	}
}
