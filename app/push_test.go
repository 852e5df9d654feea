package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/sandbox"
)

// From a WooCommerce order synced to its dispatch: the tracking number goes
// back to the store once (a customer note, the order completed).
func TestDispatchTellsTheStorefrontOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	orders := app.SandboxOrders(40, 7, testClock.Now())
	store := sandbox.NewStore(orders, testClock.Now)
	srv := httptest.NewServer(store)
	defer srv.Close()
	a := openAt(t, filepath.Join(t.TempDir(), "push.db"), testClock.Now)
	if err := a.Demo.Load(ctx, app.DemoOptions{Orders: 1}, nil); err != nil {
		t.Fatal(err)
	}
	ch, err := a.Intake.AddChannel(ctx, domain.ChannelWooCommerce, "Sandbox Woo", srv.URL, domain.Credentials{Key: sandbox.WooKey, Secret: sandbox.WooSecret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Intake.Sync(ctx, ch, time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	pickID, tracking := dispatchOne(t, a, ch)
	pick := domain.PlannedOrder{OrderID: pickID}
	// No client bills this channel: nothing was charged, and dispatching did not fail for it.
	pending, _ := a.Tracking.Pushes(ctx, "pending", 10)
	if len(pending) != 1 || pending[0].Tracking != tracking {
		t.Fatalf("queue %+v", pending)
	}
	for range 2 { // the second run has nothing to do
		if _, _, problems := a.Tracking.Push(ctx); len(problems) > 0 {
			t.Fatal(problems)
		}
	}
	o, _ := a.Orders.Order(ctx, pick.OrderID)
	var id int64
	for _, so := range orders {
		if so.Order.Number == o.Number {
			id = so.ID
		}
	}
	got, ok := store.Order(id)
	if !ok || len(got.Notes) != 1 || !strings.Contains(got.Notes[0], tracking) || got.Status != "completed" {
		t.Errorf("store's order %d: notes %q, status %s", id, got.Notes, got.Status)
	}
	done, _ := a.Tracking.Pushes(ctx, "done", 10)
	if len(done) != 1 || done[0].Attempts != 1 {
		t.Errorf("done %+v", done)
	}
	// The next sync sees the store's change without flagging the order.
	if _, err := a.Intake.Sync(ctx, ch, time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	if o2, _ := a.Orders.Order(ctx, pick.OrderID); o2.Status != domain.StatusShipped || o2.Review != "" {
		t.Errorf("after the sync: %s, review %q", o2.Status, o2.Review)
	}
}

// A store that refuses the update: retried with growing waits, then listed as failed.
func TestPushFailuresAreRetriedThenListed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	orders := app.SandboxOrders(40, 7, testClock.Now())
	store := sandbox.NewStore(orders, testClock.Now)
	// The store refuses the note (a key without write permission).
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/notes") {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"code":"woocommerce_rest_cannot_create","message":"Sorry, you are not allowed to create resources.","data":{"status":403}}`))
			return
		}
		store.ServeHTTP(w, r)
	}))
	defer srv.Close()
	clk := domaintest.NewClock()
	a := openAt(t, filepath.Join(t.TempDir(), "pushfail.db"), clk.Now)
	if err := a.Demo.Load(ctx, app.DemoOptions{Orders: 1}, nil); err != nil {
		t.Fatal(err)
	}
	ch, _ := a.Intake.AddChannel(ctx, domain.ChannelWooCommerce, "Sandbox Woo", srv.URL, domain.Credentials{Key: sandbox.WooKey, Secret: sandbox.WooSecret})
	if _, err := a.Intake.Sync(ctx, ch, time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	_, tracking := dispatchOne(t, a, ch)
	now := clk.Now()
	for i := 0; i < 7; i++ {
		clk.Set(now)
		pushed, failed, problems := a.Tracking.Push(ctx)
		if pushed != 0 || failed != 1 || len(problems) != 1 || !strings.Contains(problems[0], "refused the credentials") {
			t.Fatalf("attempt %d: %d pushed, %d failed, %v", i+1, pushed, failed, problems)
		}
		pending, _ := a.Tracking.Pushes(ctx, "pending", 5)
		if i < 6 && (len(pending) != 1 || !pending[0].NextAt.After(now)) {
			t.Fatalf("attempt %d: not waiting for a retry: %+v", i+1, pending)
		}
		if i < 6 {
			now = pending[0].NextAt
		}
	}
	failed, _ := a.Tracking.Pushes(ctx, "failed", 5)
	if len(failed) != 1 || failed[0].Tracking != tracking || failed[0].Attempts != 7 || !strings.Contains(failed[0].Error, "403") {
		t.Fatalf("failed %+v", failed)
	}
	if n, _ := a.Tracking.RetryPushes(ctx); n != 1 {
		t.Errorf("retry %d", n)
	}
	if pending, _ := a.Tracking.Pushes(ctx, "pending", 5); len(pending) != 1 {
		t.Errorf("after retry %+v", pending)
	}
	page, _ := a.Orders.OrderSummaries(ctx, domain.OrderFilter{ChannelID: ch.ID}, 0, 1)
	// A parcel of this order tracked by hand is not pushed (it was shipped
	// outside Portolan); only dispatched parcels are.
	if _, err := a.Tracking.AddShipment(ctx, page[0].Number, "DHL", domain.MakeTrackingNumber(domain.CarrierDHL, 5)); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.Tracking.PushCounts(ctx); n["pending"]+n["failed"]+n["done"] != 1 {
		t.Errorf("pushes for a parcel shipped outside Portolan: %v", n)
	}
}

// dispatchOne allocates, picks, packs and hands to DHL one order of the channel.
func dispatchOne(t *testing.T, a *app.App, ch domain.Channel) (int64, string) {
	t.Helper()
	ctx := context.Background()
	plan, err := a.Allocation.Plan(ctx, domain.OrderFilter{ChannelID: ch.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Allocation.Commit(ctx, plan); err != nil {
		t.Fatal(err)
	}
	var pick domain.PlannedOrder
	for _, o := range plan.Orders {
		if len(o.Parcels) == 1 && len(o.Backorder) == 0 {
			pick = o
			break
		}
	}
	if pick.OrderID == 0 {
		t.Fatal("no single-parcel order in the plan")
	}
	wh := pick.Parcels[0].Warehouse
	var wave domain.Wave
	for i := 0; ; i++ { // waves in priority order until ours is in one
		w, err := a.Inventory.CreateWave(ctx, wh, domain.WaveFilter{ChannelID: ch.ID, MaxOrders: 1})
		if err != nil {
			t.Fatalf("wave %d: %v", i, err)
		}
		if w.Lines[0].OrderID == pick.OrderID {
			wave = w
			break
		}
	}
	for _, l := range wave.Lines {
		if _, err := a.Inventory.ConfirmPick(ctx, l.ID, l.Qty); err != nil {
			t.Fatal(err)
		}
	}
	parcel, err := a.Inventory.Pack(ctx, pick.OrderID, wh, "M", 1200, nil)
	if err != nil {
		t.Fatal(err)
	}
	tracking := domain.MakeTrackingNumber(domain.CarrierDHL, 77)
	if err := a.Inventory.SetTracking(ctx, parcel, "DHL", tracking); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Inventory.Dispatch(ctx, []int64{parcel}, "DHL"); err != nil {
		t.Fatal(err)
	}
	return pick.OrderID, tracking
}
