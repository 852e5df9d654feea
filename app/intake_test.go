package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sandbox"
)

// sandboxOrders takes n demo orders (every script and currency) as a
// WooCommerce store would hold them.
func sandboxOrders(t *testing.T, n int) []sandbox.Order {
	t.Helper()
	src := openApp(t)
	loadDemo(t, src, n)
	var out []sandbox.Order
	err := src.Orders.Each(context.Background(), domain.OrderFilter{}, func(o domain.Order) error {
		id := int64(7000 + len(out))
		o.Number = strconv.FormatInt(id, 10)
		out = append(out, sandbox.Order{Order: o, ID: id, Status: "processing", Modified: o.PlacedAt.Add(time.Hour)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type syncFixture struct {
	app   *app.App
	store *sandbox.Store
	ch    domain.Channel
	srv   *httptest.Server
}

func newSyncFixture(t *testing.T, orders []sandbox.Order, wrap func(http.Handler) http.Handler) *syncFixture {
	t.Helper()
	f := &syncFixture{app: openApp(t), store: sandbox.NewStore(orders, testClock.Now)}
	var h http.Handler = f.store
	if wrap != nil {
		h = wrap(h)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	ch, err := f.app.Intake.AddChannel(context.Background(), domain.ChannelWooCommerce, "Sandbox Woo", f.srv.URL,
		domain.Credentials{Key: sandbox.WooKey, Secret: sandbox.WooSecret})
	if err != nil {
		t.Fatal(err)
	}
	f.ch = ch
	return f
}

func (f *syncFixture) sync(t *testing.T) domain.SyncRun {
	t.Helper()
	run, err := f.app.Intake.Sync(context.Background(), f.ch, time.Time{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func TestSyncIsCompleteIdempotentAndIncremental(t *testing.T) {
	t.Parallel()
	orders := sandboxOrders(t, 230)
	orders[5].Status = "cancelled"
	f := newSyncFixture(t, orders, nil)
	ctx := context.Background()

	run := f.sync(t)
	if run.Status != domain.SyncComplete || run.New != 230 || run.Fetched != 230 || run.Reported != 230 {
		t.Fatalf("first sync %+v", run)
	}
	n, _ := f.app.Orders.CountOrders(ctx, domain.OrderFilter{ChannelID: f.ch.ID})
	if n != 230 {
		t.Fatalf("%d orders stored", n)
	}
	cancelled, _ := f.app.Orders.CountOrders(ctx, domain.OrderFilter{Status: domain.StatusCancelled})
	if cancelled != 1 {
		t.Errorf("%d cancelled orders, want 1", cancelled)
	}
	// Every currency and script came through exactly.
	var kwd, jpy, arabic int
	f.app.Orders.Each(ctx, domain.OrderFilter{}, func(o domain.Order) error {
		switch o.Currency {
		case "KWD":
			kwd++
		case "JPY":
			jpy++
		}
		if strings.ContainsAny(o.ShipTo.Name, "محمدفاطمةأحمدمريمخالدنورةعبداللهسارةيوسف") {
			arabic++
		}
		return nil
	})
	if kwd == 0 || jpy == 0 || arabic == 0 {
		t.Errorf("KWD %d, JPY %d, Arabic names %d", kwd, jpy, arabic)
	}
	src := orders[10].Order
	page, _ := f.app.Orders.OrderSummaries(ctx, domain.OrderFilter{Search: src.Number}, 0, 1)
	got, _ := f.app.Orders.Order(ctx, page[0].ID)
	if got.Total != src.Total || got.ShipTo.Name != src.ShipTo.Name || len(got.Lines) != len(src.Lines) ||
		got.Lines[0].UnitPrice != src.Lines[0].UnitPrice || got.ExternalID != "7010" {
		t.Errorf("stored %+v\nsource %+v", got, src)
	}

	// Again: nothing new, nothing duplicated; only the overlap is re-read.
	again := f.sync(t)
	if again.New != 0 || again.Updated != 0 || again.Status != domain.SyncComplete || again.Fetched >= 230 {
		t.Errorf("second sync %+v", again)
	}
	if n, _ := f.app.Orders.CountOrders(ctx, domain.OrderFilter{}); n != 230 {
		t.Errorf("%d orders after re-sync", n)
	}

	// The shop changes one order and cancels another; the next sync brings both.
	later := orders[len(orders)-1].Modified.Add(time.Hour)
	f.store.Update(7010, later, func(o *sandbox.Order) {
		o.Order.Lines[0].Quantity = 9
		o.Order.Notes = "Please ship with the other parcel"
	})
	f.store.Update(7011, later, func(o *sandbox.Order) { o.Status = "cancelled" })
	third := f.sync(t)
	if third.Updated != 2 || third.New != 0 {
		t.Errorf("third sync %+v", third)
	}
	got, _ = f.app.Orders.Order(ctx, page[0].ID)
	if got.Lines[0].Quantity != 9 || got.Notes != "Please ship with the other parcel" {
		t.Errorf("update not applied: %+v", got.Lines)
	}
	if last := got.History[len(got.History)-1]; !strings.Contains(last.Reason, "updated from Sandbox Woo") {
		t.Errorf("history %+v", got.History)
	}
	page, _ = f.app.Orders.OrderSummaries(ctx, domain.OrderFilter{Search: "7011"}, 0, 1)
	if page[0].Status != domain.StatusCancelled {
		t.Errorf("order cancelled in the shop is %s", page[0].Status)
	}
	state, _ := f.app.Intake.SyncState(ctx, f.ch.ID)
	if state.LastSuccess.IsZero() || !state.Cursor.Equal(later) || state.LastRun.Status != domain.SyncComplete {
		t.Errorf("state %+v", state)
	}
}

func exportOrders(t *testing.T, a *app.App) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	a.Orders.Each(context.Background(), domain.OrderFilter{}, func(o domain.Order) error {
		full, err := a.Orders.Order(context.Background(), o.ID)
		if err != nil {
			return err
		}
		full.ID, full.ChannelID, full.UpdatedAt = 0, 0, time.Time{}
		for i := range full.History {
			full.History[i].At = time.Time{}
		}
		return enc.Encode(full)
	})
	return buf.Bytes()
}

func TestSyncKilledMidwayLosesAndDuplicatesNothing(t *testing.T) {
	t.Parallel()
	orders := sandboxOrders(t, 700) // more pages than one commit takes, so the cut always falls inside

	whole := newSyncFixture(t, orders, nil)
	whole.sync(t)

	broken := newSyncFixture(t, orders, nil)
	ctx, cancel := context.WithCancel(context.Background())
	run, err := broken.app.Intake.Sync(ctx, broken.ch, time.Time{}, func(p app.SyncProgress) {
		cancel() // the app is closed after the first commit (one or more pages that had arrived)
	})
	if !errors.Is(err, context.Canceled) || run.Status != domain.SyncCancelled || run.Fetched == 0 || run.Fetched >= 700 {
		t.Fatalf("interrupted run %+v, %v", run, err)
	}
	if n, _ := broken.app.Orders.CountOrders(context.Background(), domain.OrderFilter{}); n != run.Fetched {
		t.Fatalf("%d orders after the interrupted sync, want the %d committed", n, run.Fetched)
	}
	resumed := broken.sync(t)
	if resumed.Status != domain.SyncComplete {
		t.Fatalf("resumed %+v", resumed)
	}
	if !bytes.Equal(exportOrders(t, whole.app), exportOrders(t, broken.app)) {
		t.Error("interrupted and resumed sync differs from an uninterrupted one")
	}
}

func TestSyncReportsGapsAndFailures(t *testing.T) {
	t.Parallel()
	orders := sandboxOrders(t, 30)
	// A store whose header claims one order more than it serves.
	lying := newSyncFixture(t, orders, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			if n, err := strconv.Atoi(rec.Header().Get("X-WP-Total")); err == nil {
				w.Header().Set("X-WP-Total", strconv.Itoa(n+1))
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
		})
	})
	run := lying.sync(t)
	if run.Status != domain.SyncGap || !strings.Contains(run.Error, "reported 31") {
		t.Errorf("gap run %+v", run)
	}

	f := newSyncFixture(t, orders, nil)
	bad, err := f.app.Intake.AddChannel(context.Background(), domain.ChannelWooCommerce, "Wrong key", f.srv.URL,
		domain.Credentials{Key: "ck_wrong", Secret: "cs_wrong"})
	if err != nil {
		t.Fatal(err)
	}
	run, err = f.app.Intake.Sync(context.Background(), bad, time.Time{}, nil)
	if err == nil || run.Status != domain.SyncFailed || !strings.Contains(run.Error, "refused the credentials") {
		t.Errorf("wrong credentials: %+v, %v", run, err)
	}
	if strings.Contains(err.Error(), "cs_wrong") {
		t.Error("error shows the secret")
	}
	state, _ := f.app.Intake.SyncState(context.Background(), bad.ID)
	if state.LastRun == nil || state.LastRun.Status != domain.SyncFailed || !state.LastSuccess.IsZero() {
		t.Errorf("state after failure %+v", state)
	}
	if n, _ := f.app.Orders.CountOrders(context.Background(), domain.OrderFilter{}); n != 0 {
		t.Errorf("%d orders stored by a failed sync", n)
	}

	_, err = f.app.Intake.AddChannel(context.Background(), domain.ChannelWooCommerce, "Remote plain http", "http://shop.example.com",
		domain.Credentials{Key: "ck", Secret: "cs"})
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("plain http channel accepted: %v", err)
	}
	_, err = f.app.Intake.AddChannel(context.Background(), domain.ChannelWooCommerce, "Sandbox Woo", f.srv.URL,
		domain.Credentials{Key: "ck", Secret: "cs"})
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("duplicate channel name: %v", err)
	}
}

func TestCLIChannelsAndSync(t *testing.T) {
	t.Parallel()
	orders := sandboxOrders(t, 120)
	store := sandbox.NewStore(orders, testClock.Now)
	srv := httptest.NewServer(store)
	defer srv.Close()
	db := t.TempDir() + "/cli-sync.db"

	out, errs, code := runCLI(t, "--db", db, "channels", "add", "--kind", "woocommerce", "--name", "EU web shop",
		"--url", srv.URL, "--key", sandbox.WooKey, "--secret", sandbox.WooSecret)
	if code != 0 || !strings.Contains(out, "EU-WEB-SHOP") {
		t.Fatalf("channels add: %d %q %q", code, out, errs)
	}
	out, errs, code = runCLI(t, "--db", db, "sync")
	if code != 0 {
		t.Fatalf("sync exit %d: %s %s", code, out, errs)
	}
	if !strings.Contains(out, "EU web shop  120      120  0        0          0            complete") {
		t.Errorf("sync output:\n%s", out)
	}
	out, _, code = runCLI(t, "--db", db, "channels", "list", "--format", "json")
	var chans []map[string]string
	if err := json.Unmarshal([]byte(out), &chans); err != nil || code != 0 || len(chans) != 1 {
		t.Fatalf("channels list: %v %q", err, out)
	}
	if chans[0]["last_run_status"] != "complete" || chans[0]["last_success"] == "" || chans[0]["cursor"] == "" {
		t.Errorf("channel state %v", chans[0])
	}
	if strings.Contains(out, sandbox.WooSecret) || strings.Contains(out, sandbox.WooKey) {
		t.Error("channels list shows credentials")
	}
	// Imported orders are listed with their channel and the storefront's id.
	out, _, _ = runCLI(t, "--db", db, "orders", "list", "--format", "json")
	var listed []struct {
		Channel    string
		ExternalID string `json:"external_id"`
	}
	json.Unmarshal([]byte(out), &listed)
	if len(listed) != 120 || listed[0].Channel != "EU-WEB-SHOP" || listed[0].ExternalID != "7000" {
		t.Errorf("orders list: %d orders, first %+v", len(listed), listed[0])
	}
	// A re-pull from a date re-reads and changes nothing.
	out, _, code = runCLI(t, "--db", db, "sync", "--channel", "EU web shop", "--since", "2026-01-01T00:00:00Z")
	if code != 0 || !strings.Contains(out, "120      0    0        120") {
		t.Errorf("re-pull: %d\n%s", code, out)
	}

	// A channel with wrong credentials fails the run and the exit code.
	runCLI(t, "--db", db, "channels", "add", "--kind", "woocommerce", "--name", "Broken", "--url", srv.URL, "--key", "ck_x", "--secret", "cs_x")
	out, errs, code = runCLI(t, "--db", db, "sync")
	if code == 0 || !strings.Contains(out, "refused the credentials") || !strings.Contains(errs, "did not complete") {
		t.Errorf("failing channel: %d\n%s\n%s", code, out, errs)
	}
	for _, args := range [][]string{
		{"channels", "add", "--kind", "ebay", "--name", "x", "--url", "https://x.example"},
		{"channels", "add", "--kind", "woocommerce", "--url", "https://x.example"},
		{"sync", "--since", "yesterday"},
	} {
		if _, _, code := runCLI(t, append([]string{"--db", db}, args...)...); code != 2 {
			t.Errorf("%v exit %d, want 2", args, code)
		}
	}
	if _, errs, code := runCLI(t, "--db", db, "sync", "--channel", "nope"); code != 1 || !strings.Contains(errs, "no channel named") {
		t.Errorf("unknown channel: %d %q", code, errs)
	}
}

func TestSyncSkipsChannelsWithoutCredentials(t *testing.T) {
	t.Parallel()
	db := t.TempDir() + "/demo.db"
	if _, errs, code := runCLI(t, "--db", db, "demo", "--orders", "5"); code != 0 {
		t.Fatal(errs)
	}
	out, _, code := runCLI(t, "--db", db, "sync")
	if code != 0 || strings.Count(out, "skipped") != 3 {
		t.Errorf("demo channels: %d\n%s", code, out)
	}
}

func TestOrderChangedDuringSyncIsNotLost(t *testing.T) {
	t.Parallel()
	orders := sandboxOrders(t, 250)
	f := newSyncFixture(t, orders, nil)
	first := orders[0]
	run, err := f.app.Intake.Sync(context.Background(), f.ch, time.Time{}, func(p app.SyncProgress) {
		if p.Page == 1 {
			// The shop edits an order already read; it moves to the end of the
			// modified-order list while the sync is between pages.
			f.store.Update(first.ID, orders[len(orders)-1].Modified.Add(time.Minute), func(o *sandbox.Order) {
				o.Order.Notes = "changed during the sync"
			})
		}
	})
	if err != nil || run.Status != domain.SyncComplete {
		t.Fatalf("%+v %v", run, err)
	}
	if n, _ := f.app.Orders.CountOrders(context.Background(), domain.OrderFilter{}); n != 250 {
		t.Errorf("%d of 250 orders stored: the change shifted an order out of the sync", n)
	}
	// The changed version arrives in this sync or, if the next page was already
	// read, in the next one: its modification is newer than the cursor.
	f.sync(t)
	page, _ := f.app.Orders.OrderSummaries(context.Background(), domain.OrderFilter{Search: first.Order.Number}, 0, 1)
	got, _ := f.app.Orders.Order(context.Background(), page[0].ID)
	if got.Notes != "changed during the sync" {
		t.Errorf("the change made during the sync is not stored: %q", got.Notes)
	}
}

// An older WooCommerce refuses orderby=modified: the store is read by creation
// date, the cursor moves only once the whole window is read (a page read by
// creation says nothing of the changes on the pages after it), and the
// channel's last run says so.
func TestSyncOfAStoreRefusingOrderByModified(t *testing.T) {
	t.Parallel()
	orders := sandboxOrders(t, 250)
	var newest time.Time
	for _, o := range orders {
		if o.Modified.After(newest) {
			newest = o.Modified
		}
	}
	var failPage2 sync.Once
	f := newSyncFixture(t, orders, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if q.Get("orderby") == "modified" { // WordPress's answer to a value outside the enum
				w.WriteHeader(400)
				fmt.Fprint(w, `{"code":"rest_invalid_param","message":"Invalid parameter(s): orderby","data":{"status":400,`+
					`"params":{"orderby":"orderby is not one of date, id, include, title, slug."}}}`)
				return
			}
			failed := false
			if q.Get("page") == "2" {
				failPage2.Do(func() {
					failed = true
					w.WriteHeader(400)
					fmt.Fprint(w, `{"code":"rest_invalid_param","message":"Invalid parameter(s): page","data":{"status":400}}`)
				})
			}
			if !failed {
				h.ServeHTTP(w, r)
			}
		})
	})
	ctx := context.Background()
	run, err := f.app.Intake.Sync(ctx, f.ch, time.Time{}, nil)
	if err == nil || run.Status != domain.SyncFailed {
		t.Fatalf("first sync %+v %v", run, err)
	}
	state, _ := f.app.Intake.SyncState(ctx, f.ch.ID)
	if n, _ := f.app.Orders.CountOrders(ctx, domain.OrderFilter{}); n != 100 || !state.Cursor.IsZero() {
		t.Fatalf("after a failure on page 2: %d orders, cursor %v (must not move before the window is read)", n, state.Cursor)
	}
	run = f.sync(t)
	if run.Status != domain.SyncComplete || !strings.Contains(run.Error, "orderby=modified") || !strings.Contains(run.Error, "creation date") {
		t.Errorf("second sync %+v", run)
	}
	state, _ = f.app.Intake.SyncState(ctx, f.ch.ID)
	if n, _ := f.app.Orders.CountOrders(ctx, domain.OrderFilter{}); n != 250 || !state.Cursor.Equal(newest) {
		t.Errorf("after the second sync: %d orders, cursor %v, want %v", n, state.Cursor, newest)
	}
	if state.LastRun == nil || !strings.Contains(state.LastRun.Error, "orderby=modified") {
		t.Errorf("last run %+v", state.LastRun)
	}
}

func TestServeSandboxAndSyncIt(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- app.ServeSandbox(ctx, "127.0.0.1:0", 150, 0, testClock.Now, func(u string) { urls <- u })
	}()
	var storeURL string
	select {
	case storeURL = <-urls:
	case err := <-done:
		t.Fatal(err)
	}
	a := openApp(t)
	ch, err := a.Intake.AddChannel(context.Background(), domain.ChannelWooCommerce, "Sandbox store", storeURL,
		domain.Credentials{Key: sandbox.WooKey, Secret: sandbox.WooSecret})
	if err != nil {
		t.Fatal(err)
	}
	run, err := a.Intake.Sync(context.Background(), ch, time.Time{}, nil)
	if err != nil || run.New != 150 || run.Status != domain.SyncComplete {
		t.Fatalf("%+v %v", run, err)
	}
	cancelled, _ := a.Orders.CountOrders(context.Background(), domain.OrderFilter{Status: domain.StatusCancelled})
	if cancelled == 0 {
		t.Error("no cancelled orders came from the sandbox")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("sandbox stopped with %v", err)
	}
	if err := app.ServeSandbox(context.Background(), "192.0.2.1:80", 1, 0, testClock.Now, nil); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("non-loopback address accepted: %v", err)
	}
}

func TestCLIAddShopifyChannel(t *testing.T) {
	t.Parallel()
	db := t.TempDir() + "/shopify.db"
	if _, errs, code := runCLI(t, "--db", db, "channels", "add", "--kind", "shopify", "--name", "JP shop", "--url", "https://jp-shop.myshopify.com"); code != 1 || !strings.Contains(errs, "access token") {
		t.Errorf("shopify without token: %d %q", code, errs)
	}
	out, errs, code := runCLI(t, "--db", db, "channels", "add", "--kind", "shopify", "--name", "JP shop", "--url", "https://jp-shop.myshopify.com", "--token", "shpat_secret_value")
	if code != 0 || !strings.Contains(out, "JP-SHOP") {
		t.Fatalf("%d %q %q", code, out, errs)
	}
	out, _, _ = runCLI(t, "--db", db, "channels", "list")
	if !strings.Contains(out, "shopify") || strings.Contains(out, "shpat_secret_value") {
		t.Errorf("channels list:\n%s", out)
	}
}

func TestSyncEveryStorefrontShapeOfTheSandbox(t *testing.T) {
	t.Parallel()
	orders := sandboxOrders(t, 560) // three Shopify pages of up to 250, six WooCommerce pages of 100
	orders[3].Status = "cancelled"
	byID := map[string]domain.Order{}
	for _, o := range orders {
		byID[strconv.FormatInt(o.ID, 10)] = o.Order
	}
	for _, tc := range []struct {
		kind     domain.ChannelKind
		path     string
		creds    domain.Credentials
		reported int
	}{
		{domain.ChannelShopify, "", domain.Credentials{Token: sandbox.ShopifyToken}, 560},
		{domain.ChannelWooCommerce, "", domain.Credentials{Key: sandbox.WooKey, Secret: sandbox.WooSecret}, 560},
		{domain.ChannelBigCommerce, sandbox.BigCommercePath, domain.Credentials{Token: sandbox.BigCommerceToken}, -1},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			a := openApp(t)
			store := sandbox.NewStore(orders, testClock.Now)
			srv := httptest.NewServer(store)
			defer srv.Close()
			ch, err := a.Intake.AddChannel(context.Background(), tc.kind, "Sandbox "+string(tc.kind), srv.URL+tc.path, tc.creds)
			if err != nil {
				t.Fatal(err)
			}
			run, err := a.Intake.Sync(context.Background(), ch, time.Time{}, nil)
			if err != nil || run.Status != domain.SyncComplete || run.New != 560 || run.Reported != tc.reported || run.Quarantined != 0 {
				t.Fatalf("%+v %v", run, err)
			}
			err = a.Orders.Each(context.Background(), domain.OrderFilter{}, func(o domain.Order) error {
				src := byID[o.ExternalID]
				if o.Total != src.Total || o.ShipTo.Name != src.ShipTo.Name || o.ShipTo.Country != src.ShipTo.Country ||
					len(o.Lines) != len(src.Lines) || o.Lines[0].UnitPrice != src.Lines[0].UnitPrice || !o.PlacedAt.Equal(src.PlacedAt) {
					t.Errorf("order %s: stored %v %q %v, source %v %q %v", o.ExternalID, o.Total, o.ShipTo.Name, o.PlacedAt,
						src.Total, src.ShipTo.Name, src.PlacedAt)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := a.Orders.CountOrders(context.Background(), domain.OrderFilter{Status: domain.StatusCancelled}); n != 1 {
				t.Errorf("%d cancelled", n)
			}
			store.Update(orders[7].ID, orders[len(orders)-1].Modified.Add(time.Hour), func(o *sandbox.Order) {
				o.Order.Lines[0].Quantity += 2
			})
			again, err := a.Intake.Sync(context.Background(), ch, time.Time{}, nil)
			if err != nil || again.New != 0 || again.Updated != 1 {
				t.Errorf("second sync %+v %v", again, err)
			}
		})
	}
}

func TestChangeAfterAllocationIsFlaggedNotApplied(t *testing.T) {
	t.Parallel()
	orders := sandboxOrders(t, 30)
	f := newSyncFixture(t, orders, nil)
	f.sync(t)
	ctx := context.Background()
	target := orders[4]
	page, _ := f.app.Orders.OrderSummaries(ctx, domain.OrderFilter{Search: target.Order.Number}, 0, 1)
	id := page[0].ID
	if err := f.app.Orders.Transition(ctx, id, domain.StatusAllocated, "allocated to NL-VEN"); err != nil {
		t.Fatal(err)
	}
	before, _ := f.app.Orders.Order(ctx, id)
	f.store.Update(target.ID, orders[len(orders)-1].Modified.Add(time.Hour), func(o *sandbox.Order) {
		o.Order.Lines[0].Quantity += 3
		o.Order.ShipTo.Line1 = "Changed Street 9"
	})
	run := f.sync(t)
	if run.Updated != 1 {
		t.Fatalf("%+v", run)
	}
	after, _ := f.app.Orders.Order(ctx, id)
	if after.Lines[0].Quantity != before.Lines[0].Quantity || after.ShipTo.Line1 != before.ShipTo.Line1 || after.Status != domain.StatusAllocated {
		t.Errorf("change applied to an allocated order: %+v", after)
	}
	want := fmt.Sprintf("%s quantity %d → %d", before.Lines[0].SKU, before.Lines[0].Quantity, before.Lines[0].Quantity+3)
	if !strings.Contains(after.Review, want) || !strings.Contains(after.Review, "Changed Street 9") {
		t.Errorf("review %q lacks %q and the new address", after.Review, want)
	}
	if n, _ := f.app.Orders.CountOrders(ctx, domain.OrderFilter{NeedsReview: true}); n != 1 {
		t.Errorf("%d orders need review", n)
	}
	if again := f.sync(t); again.Updated != 0 {
		t.Errorf("the same change counted again: %+v", again)
	}
	if err := f.app.Orders.MarkReviewed(ctx, id, "customer confirmed by phone"); err != nil {
		t.Fatal(err)
	}
	done, _ := f.app.Orders.Order(ctx, id)
	last := done.History[len(done.History)-1]
	if done.Review != "" || !strings.Contains(last.Reason, "reviewed") || !strings.Contains(last.Reason, "customer confirmed") {
		t.Errorf("after review: %q, %+v", done.Review, last)
	}
}

// A store that never answers holds neither the other channels nor itself
// past the deadline: channels sync at the same time, each within its own.
func TestOneHangingStoreHoldsNoOtherChannel(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t, sandboxOrders(t, 30), nil)
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(hanging.Close)
	t.Cleanup(func() { close(release) })
	stuck, err := f.app.Intake.AddChannel(context.Background(), domain.ChannelWooCommerce, "Stuck Woo", hanging.URL,
		domain.Credentials{Key: sandbox.WooKey, Secret: sandbox.WooSecret})
	if err != nil {
		t.Fatal(err)
	}
	f.app.Intake.Deadline = 3 * time.Second // the test's deadline; the stuck store answers after the test
	var mu sync.Mutex
	finished := map[string]error{}
	var order []string
	f.app.Intake.SyncEach(context.Background(), []domain.Channel{stuck, f.ch}, time.Time{}, nil, func(c domain.Channel, run domain.SyncRun, err error) {
		mu.Lock()
		defer mu.Unlock()
		finished[c.Name], order = err, append(order, c.Name)
		if c.Name == f.ch.Name && (err != nil || run.Status != domain.SyncComplete || run.New != 30) {
			t.Errorf("the good channel: %v %+v", err, run)
		}
	})
	if len(order) != 2 || order[0] != f.ch.Name {
		t.Fatalf("finished in the order %v; the good channel waited for the stuck one", order)
	}
	if err := finished["Stuck Woo"]; err == nil || !strings.Contains(err.Error(), "did not finish within 3s") {
		t.Errorf("the stuck channel: %v", err)
	}
	st, err := f.app.Intake.SyncState(context.Background(), stuck.ID)
	if err != nil || st.LastRun == nil || st.LastRun.Status != domain.SyncFailed {
		t.Errorf("the stuck channel's run is recorded as failed, not left running: %v %+v", err, st.LastRun)
	}
}

// Two people's Portolan syncing the same channel at once: the second is
// skipped with who is syncing, and no order arrives twice.
func TestOneSyncOfAChannelAtATime(t *testing.T) {
	t.Parallel()
	orders := sandboxOrders(t, 40)
	path := filepath.Join(t.TempDir(), "team.db")
	ana, ben := openAt(t, path, testClock.Now), openAt(t, path, testClock.Now)
	store := sandbox.NewStore(orders, testClock.Now)
	inFirst, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(inFirst); <-release }) // the first request waits while the second sync is tried
		store.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ch, err := ana.Intake.AddChannel(context.Background(), domain.ChannelWooCommerce, "Shared Woo", srv.URL,
		domain.Credentials{Key: sandbox.WooKey, Secret: sandbox.WooSecret})
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() {
		_, err := ana.Intake.Sync(context.Background(), ch, time.Time{}, nil)
		first <- err
	}()
	<-inFirst
	_, err = ben.Intake.Sync(context.Background(), ch, time.Time{}, nil)
	close(release)
	if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), "being synced right now by Portolan on") ||
		!strings.Contains(err.Error(), "Shared Woo") {
		t.Errorf("second sync: %v", err)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n, _ := ben.Orders.CountOrders(context.Background(), domain.OrderFilter{}); n != 40 {
		t.Errorf("%d orders, want 40", n)
	}
	// Once the first is done, the channel can be synced again.
	if _, err := ben.Intake.Sync(context.Background(), ch, time.Time{}, nil); err != nil {
		t.Errorf("sync after the first ended: %v", err)
	}
}
