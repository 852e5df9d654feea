package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/carrier/easypost"
	"github.com/portolan/portolan/integrations/printing/cupstest"
	"github.com/portolan/portolan/integrations/sandbox"
)

// packedWave allocates the demo's orders, waves up to n of them (in the
// warehouses in turn), picks them and packs each order into one parcel.
func packedWave(t testing.TB, a *app.App, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	plan, err := a.Allocation.Plan(ctx, domain.OrderFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Allocation.Commit(ctx, plan); err != nil {
		t.Fatal(err)
	}
	warehouses, err := a.Inventory.Warehouses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var parcels []int64
	for _, w := range warehouses {
		wh := w.Code
		for len(parcels) < n {
			wave, err := a.Inventory.CreateWave(ctx, wh, domain.WaveFilter{MaxOrders: n - len(parcels)})
			if err != nil {
				break // no more orders to wave here
			}
			for _, l := range wave.Lines {
				if _, err := a.Inventory.ConfirmPick(ctx, l.ID, l.Qty); err != nil {
					t.Fatal(err)
				}
			}
			packed := map[int64]bool{}
			for _, l := range wave.Lines {
				if packed[l.OrderID] {
					continue
				}
				packed[l.OrderID] = true
				id, err := a.Inventory.Pack(ctx, l.OrderID, wh, "M", 20000, nil) // heavier than any demo order's contents
				if err != nil {
					t.Fatal(err)
				}
				parcels = append(parcels, id)
			}
		}
	}
	return parcels
}

// labelApp opens the test's own copy of the 600-order demo.
func labelApp(t *testing.T) *app.App {
	t.Helper()
	a, err := app.Open(demoDBOf(t, 600), app.Options{Now: testClock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// labelAppOn is labelApp on a clock of the test's own, which it moves.
func labelAppOn(t *testing.T) (*app.App, *domaintest.Clock) {
	t.Helper()
	clock := domaintest.NewClock()
	a, err := app.Open(demoDBOf(t, 600), app.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, clock
}

// packedDB is a demo database with n parcels packed, prepared further
// (prepare may be nil) while it is open.
func packedDB(t *testing.T, n int, prepare func(a *app.App, parcels []int64)) (db string, parcels []int64) {
	t.Helper()
	db = demoDBOf(t, 600)
	a, err := app.Open(db, app.Options{Now: testClock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	parcels = packedWave(t, a, n)
	if prepare != nil {
		prepare(a, parcels)
	}
	return db, parcels
}

// labelShop is the sandbox EasyPost (which sells labels) and an account
// for it in a.
func labelShop(t testing.TB, a *app.App) *sandbox.Carriers {
	t.Helper()
	return labelShopOn(t, a, testClock.Now)
}

// packedAtTheShop is a labels database with a wave of n parcels packed, and
// the sandbox carriers' account to buy their labels from.
func packedAtTheShop(t *testing.T, n int) (*app.App, []int64, *sandbox.Carriers) {
	t.Helper()
	a := labelApp(t)
	parcels := packedWave(t, a, n)
	return a, parcels, labelShop(t, a)
}

// labelShopOn is labelShop on a clock of the test's.
func labelShopOn(t testing.TB, a *app.App, now func() time.Time) *sandbox.Carriers {
	t.Helper()
	shop := sandbox.NewCarriers(time.Hour, now)
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	acct := domain.CarrierAccount{Kind: domain.CarrierEasyPost, Name: "EasyPost labels", BaseURL: srv.URL + "/easypost", Key: sandbox.EasyPostKey,
		PerSecond: 5, PerDay: 10000}
	if err := a.Tracking.SaveCarrierAccount(context.Background(), &acct); err != nil {
		t.Fatal(err)
	}
	return shop
}

// Rates, a purchase run that loses one answer after the sale, a second run
// that finds that label instead of buying another, and a void.
func TestLabelsAreBoughtOnceAndVoided(t *testing.T) {
	t.Parallel()
	a := labelApp(t)
	ctx := context.Background()
	parcels := packedWave(t, a, 3)
	if len(parcels) < 2 {
		t.Fatalf("%d parcels packed", len(parcels))
	}
	shop := labelShop(t, a)

	rates, err := a.Labels.Rates(ctx, parcels)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rates {
		if len(r.Quotes) != 3 || r.Quotes[0].Service != "Economy" || r.Quotes[0].Account != "EasyPost labels" ||
			r.Quotes[0].Price.Amount <= 0 || r.Quotes[0].Price.Amount > r.Quotes[1].Price.Amount {
			t.Errorf("parcel %d: quotes %+v, problems %v", r.Parcel.ID, r.Quotes, r.Problems)
		}
		// USD prices, shown converted into the planning currency (EUR) at the demo's rate.
		if c, p := r.Quotes[0].Converted, r.Quotes[0].Price; c.Currency != "EUR" || c.Amount*10 < p.Amount*7 || c.Amount*10 > p.Amount*11 {
			t.Errorf("parcel %d: %s converted to %s", r.Parcel.ID, p, c)
		}
	}

	// One purchase of the run is sold, but its answer is lost.
	shop.DropNextPurchases(0)
	var done []int
	first, err := a.Labels.Buy(ctx, parcels[:1], domain.LabelChoice{Service: "Standard"}, func(d, of int) { done = append(done, d) })
	if err != nil || len(first) != 1 || first[0].State != domain.PurchaseBought || first[0].Label.Service != "Standard" ||
		!strings.HasPrefix(first[0].Label.Tracking, "EZ") || len(done) != 1 {
		t.Fatalf("first purchase: %+v %v (progress %v)", first, err, done)
	}
	shop.DropNextPurchases(1)
	run, err := a.Labels.Buy(ctx, parcels, domain.LabelChoice{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(run) != len(parcels) || run[0].State != "" || !strings.Contains(run[0].Note, "already has a label") {
		t.Fatalf("the run: %d outcomes, first %v %q", len(run), run[0].State, run[0].Note)
	}
	var uncertain int64
	for _, r := range run[1:] {
		switch r.State {
		case domain.PurchaseUncertain:
			if uncertain != 0 {
				t.Errorf("a second uncertain purchase: parcel %d", r.ParcelID)
			}
			uncertain = r.ParcelID
		case domain.PurchaseBought:
		default:
			t.Errorf("parcel %d: %v %q", r.ParcelID, r.State, r.Note)
		}
	}
	if uncertain == 0 {
		t.Fatal("no purchase was uncertain")
	}
	sold := shop.LabelsSold()
	// Again: the uncertain purchase is asked about and found bought; nothing is bought twice.
	again, err := a.Labels.Buy(ctx, []int64{uncertain}, domain.LabelChoice{}, nil)
	if err != nil || again[0].State != domain.PurchaseBought || !strings.Contains(again[0].Note, "answer was lost") {
		t.Fatalf("buying the uncertain parcel again: %v %q %v", again[0].State, again[0].Note, err)
	}
	if shop.LabelsSold() != sold || sold != len(parcels) {
		t.Errorf("%d labels sold for %d parcels (after the retry %d)", sold, len(parcels), shop.LabelsSold())
	}
	ps, err := a.Inventory.Parcels(ctx, parcels)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Carrier != sandbox.SandboxCarrier || !strings.HasPrefix(p.Tracking, "EZ") {
			t.Errorf("parcel %d: carrier %q tracking %q", p.ID, p.Carrier, p.Tracking)
		}
	}

	// The print job prints the carriers' labels: the one bought in the run
	// (its file kept then) and the one found after the lost answer (its file
	// fetched now).
	var job bytes.Buffer
	printed := []int64{uncertain}
	for _, p := range parcels[1:] {
		if p != uncertain && len(printed) < 2 {
			printed = append(printed, p)
		}
	}
	if _, err := a.Inventory.Documents(ctx, 0, printed, "4x6", &job); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(job.Bytes(), []byte("/Subtype /Image")); n != 2 {
		t.Errorf("%d label images in the print job, want 2", n)
	}
	file := filepath.Join(t.TempDir(), "job.pdf")
	if err := os.WriteFile(file, job.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil || !strings.Contains(string(text), "Packing slip") || strings.Contains(string(text), "not issued by the carrier") {
		t.Errorf("a parcel with a carrier label printed Portolan's own (%v):\n%s", err, text)
	}

	// Void: the parcel is packed without a label again, and can be bought anew.
	label, err := a.Labels.Void(ctx, parcels[0])
	if err != nil || label.Refund != "submitted" {
		t.Fatalf("void: %+v %v", label, err)
	}
	ps, _ = a.Inventory.Parcels(ctx, parcels[:1])
	if ps[0].Tracking != "" {
		t.Errorf("voided parcel keeps %q", ps[0].Tracking)
	}
	if _, err := a.Labels.Void(ctx, parcels[0]); err == nil {
		t.Error("voiding twice")
	}
	if rebought, err := a.Labels.Buy(ctx, parcels[:1], domain.LabelChoice{Service: "Express"}, nil); err != nil || rebought[0].State != domain.PurchaseBought {
		t.Errorf("buying again after the void: %+v %v", rebought, err)
	}
}

// A purchase run that is cancelled stops before the next parcel, and a
// parcel that cannot be quoted fails alone while the run goes on.
func TestALabelRunStopsBetweenParcelsAndGoesOnPastFailures(t *testing.T) {
	t.Parallel()
	a := labelApp(t)
	if err := a.BulkInsertOrders(context.Background(), "More", app.SandboxOrders(40, 5, testClock.Now())); err != nil {
		t.Fatal(err)
	}
	parcels := packedWave(t, a, app.ParcelsBoughtAtOnce+4)
	labelShop(t, a)
	ctx, cancel := context.WithCancel(context.Background())
	run, err := a.Labels.Buy(ctx, parcels, domain.LabelChoice{Carrier: "NoSuchCarrier"}, func(done, of int) {
		if done == 1 {
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// Those under way finish; none starts after the cancel.
	if len(run) == 0 || len(run) > app.ParcelsBoughtAtOnce+1 || len(run) == len(parcels) {
		t.Errorf("cancelled after the first parcel, %d of %d were tried", len(run), len(parcels))
	}
	for _, r := range run {
		if r.State != domain.PurchaseFailed || !strings.Contains(r.Note, "no quote matches NoSuchCarrier") {
			t.Errorf("parcel %d: %v %q", r.ParcelID, r.State, r.Note)
		}
	}
	if _, err := a.Labels.Void(context.Background(), parcels[0]); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("voiding a parcel without a label: %v", err)
	}
}

// The command line: rates as a table and as JSON, a purchase run, a void.
func TestCLIRatesBuyAndVoid(t *testing.T) {
	t.Parallel()
	db, parcels := packedDB(t, 2, func(a *app.App, _ []int64) { labelShop(t, a) })
	list := fmt.Sprintf("%d,%d", parcels[0], parcels[1])

	out, errs, code := runCLI(t, "--db", db, "rates", "--parcels", list)
	table, totals, _ := strings.Cut(out, "Bought by default (*): ")
	if code != 0 || strings.Count(table, sandbox.SandboxCarrier) != 6 || !strings.Contains(table, "Economy") || !strings.Contains(table, "GUARANTEED") ||
		strings.Count(table, " EUR") != 6 || strings.Count(table, "* ") != 2 {
		t.Fatalf("rates: %d %q %q", code, out, errs)
	}
	// The totals: what the default buys, per carrier, and one carrier for all.
	if !strings.Contains(totals, "; "+sandbox.SandboxCarrier+": 2 parcel(s), ") ||
		!strings.Contains(totals, "All with "+sandbox.SandboxCarrier+" (its cheapest service): 2 of 2 parcel(s), ") {
		t.Errorf("rates' totals %q", totals)
	}
	out, errs, code = runCLI(t, "--db", db, "rates", "--parcels", list, "--format", "json")
	var quotes []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &quotes) != nil || len(quotes) != 6 || quotes[0]["currency"] != "USD" ||
		quotes[0]["service"] != "Economy" || quotes[2]["guaranteed"] != true || quotes[0]["converted_currency"] != "EUR" {
		t.Fatalf("rates json: %d %q %q", code, out, errs)
	}
	if chosen := strings.Count(out, `"chosen": "`); chosen != 2 {
		t.Errorf("%d quotes chosen by default in %s", chosen, out)
	}
	out, errs, code = runCLI(t, "--db", db, "labels", "buy", "--parcels", list, "--service", "Standard")
	if code != 0 || !strings.Contains(out, "2 label(s) bought.") || strings.Count(out, "bought") < 3 || !strings.Contains(out, " EZ") {
		t.Fatalf("labels buy: %d %q %q", code, out, errs)
	}
	// Again: both are left alone, nothing is bought.
	out, errs, code = runCLI(t, "--db", db, "labels", "buy", "--parcels", list)
	if code != 0 || !strings.Contains(out, "0 label(s) bought.") || strings.Count(out, "already has a label") != 2 {
		t.Fatalf("labels buy again: %d %q %q", code, out, errs)
	}
	// For a thermal printer: the carriers' label images as ZPL graphic fields.
	zplFile := filepath.Join(t.TempDir(), "labels.zpl")
	out, errs, code = runCLI(t, "--db", db, "labels", "zpl", "--parcels", list, "--out", zplFile)
	z, _ := os.ReadFile(zplFile)
	if code != 0 || !strings.Contains(out, "2 label(s) for a thermal printer") || bytes.Count(z, []byte("^GFA,")) != 2 {
		t.Fatalf("labels zpl: %d %q %q (%d bytes, %d graphic fields)", code, out, errs, len(z), bytes.Count(z, []byte("^GFA,")))
	}
	out, errs, code = runCLI(t, "--db", db, "labels", "void", "--parcel", strconv.FormatInt(parcels[0], 10))
	if code != 0 || !strings.Contains(out, "label voided (the carrier's refund: submitted)") {
		t.Fatalf("labels void: %d %q %q", code, out, errs)
	}
	// A service nobody offers: the parcel is not bought, and the exit says so.
	out, errs, code = runCLI(t, "--db", db, "labels", "buy", "--parcels", strconv.FormatInt(parcels[0], 10), "--service", "Overnight Balloon")
	if code == 0 || !strings.Contains(errs, "nothing was bought") || !strings.Contains(out, "no quote matches Overnight Balloon") {
		t.Errorf("an unknown service: %d %q %q", code, out, errs)
	}
	if _, errs, code := runCLI(t, "--db", db, "rates"); code == 0 || !strings.Contains(errs, "give --wave ID or --parcels") {
		t.Errorf("rates without parcels: %d %q", code, errs)
	}
}

// A label bought through Portolan is what its carrier is expected to
// charge: the carrier's invoice for that amount matches; for more, it is over.
func TestABoughtLabelIsTheExpectedCarrierCost(t *testing.T) {
	t.Parallel()
	a, parcels, _ := packedAtTheShop(t, 2)
	ctx := context.Background()
	run, err := a.Labels.Buy(ctx, parcels, domain.LabelChoice{}, nil)
	if err != nil || len(run) != 2 || run[0].State != domain.PurchaseBought || run[1].State != domain.PurchaseBought {
		t.Fatalf("buy: %v %v", run, err)
	}
	for _, p := range parcels {
		if _, err := a.Inventory.Dispatch(ctx, []int64{p}, sandbox.SandboxCarrier); err != nil {
			t.Fatal(err)
		}
	}
	var csv strings.Builder
	csv.WriteString("AWB,Currency,Total charge\n")
	fmt.Fprintf(&csv, "%s,%s,%s\n", run[0].Label.Tracking, run[0].Label.Cost.Currency, run[0].Label.Cost.Decimal())
	over := run[1].Label.Cost
	over.Amount += 250
	fmt.Fprintf(&csv, "%s,%s,%s\n", run[1].Label.Tracking, over.Currency, over.Decimal())
	path := filepath.Join(t.TempDir(), "sandboxpost.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	imp, err := a.Billing.ImportCarrierInvoice(ctx, path, sandbox.SandboxCarrier, testClock.Now().Format("2006-01"))
	if err != nil {
		t.Fatal(err)
	}
	if imp.Counts[domain.ReconMatched] != 1 || imp.Counts[domain.ReconOver] != 1 || imp.Over != 250 {
		t.Errorf("reconciled %v, over %d: %+v", imp.Counts, imp.Over, imp.Problems)
	}
}

// Portolan stopped mid-purchase (a crash): the purchases are still written
// down as "buying". The next run asks the carrier about each: the one it
// sold is taken as bought, the one it never received is bought anew — and
// no parcel has two labels.
func TestAPurchaseCutShortByACrashIsAskedAbout(t *testing.T) {
	t.Parallel()
	a, parcels, shop := packedAtTheShop(t, 2)
	ctx := context.Background()
	rates, err := a.Labels.Rates(ctx, parcels)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := a.Tracking.CarrierAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var acct domain.CarrierAccount
	for _, ac := range accounts {
		if ac.Name == "EasyPost labels" {
			acct = ac
		}
	}
	seller, err := easypost.NewSeller(acct)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rates {
		q := r.Quotes[0]
		p := domain.LabelPurchase{ParcelID: r.Parcel.ID, AccountID: q.AccountID, Account: q.Account, Quote: q.RateQuote}
		if err := a.Labels.BeginPurchaseForTest(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if i == 0 { // this one's request had left: the carrier sold the label
			if _, err := seller.Buy(ctx, q.RateQuote); err != nil {
				t.Fatal(err)
			}
		}
	}
	run, err := a.Labels.Buy(ctx, parcels, domain.LabelChoice{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	byParcel := map[int64]domain.LabelOutcome{}
	for _, r := range run {
		byParcel[r.ParcelID] = r
	}
	found, fresh := byParcel[rates[0].Parcel.ID], byParcel[rates[1].Parcel.ID]
	if found.State != domain.PurchaseBought || !strings.Contains(found.Note, "answer was lost") {
		t.Errorf("the purchase the carrier had made: %v %q", found.State, found.Note)
	}
	if fresh.State != domain.PurchaseBought || fresh.Note != "the cheapest" || fresh.Label.Tracking == "" {
		t.Errorf("the purchase that never left: %v %q", fresh.State, fresh.Note)
	}
	if shop.LabelsSold() != 2 {
		t.Errorf("%d labels sold for 2 parcels", shop.LabelsSold())
	}
}

// DHL Express through the sandbox's MyDHL API: quoted beside nothing else,
// bought with its PDF label kept — one purchase losing its answer, found
// afterwards by its reference — printed from that PDF, tracked through the
// same account once handed over, and a void that needs no refund.
func TestDHLExpressLabelsFromQuoteToTracking(t *testing.T) {
	t.Parallel()
	a := labelApp(t)
	ctx := context.Background()
	parcels := packedWave(t, a, 3)
	shop := sandbox.NewCarriers(time.Hour, testClock.Now)
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	var acct domain.CarrierAccount
	for _, sa := range app.SandboxCarrierAccounts(srv.URL) {
		if sa.Kind == domain.CarrierDHLExpress {
			acct = sa
		}
	}
	if err := a.Tracking.SaveCarrierAccount(ctx, &acct); err != nil {
		t.Fatal(err)
	}
	rates, err := a.Labels.Rates(ctx, parcels)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rates {
		if len(r.Quotes) != 3 || r.Quotes[0].Carrier != "DHL Express" || r.Quotes[0].Service != "Economy Select" || r.Quotes[0].Price.Currency != "EUR" {
			t.Errorf("parcel %d: quotes %+v, problems %v", r.Parcel.ID, r.Quotes, r.Problems)
		}
	}
	shop.DropNextPurchases(1)
	run, err := a.Labels.Buy(ctx, parcels, domain.LabelChoice{Service: "Express Worldwide"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var uncertain int64
	for _, r := range run {
		switch {
		case r.State == domain.PurchaseUncertain && uncertain == 0:
			uncertain = r.ParcelID
		case r.State != domain.PurchaseBought || r.Label.Carrier != "DHL Express" || r.Label.Service != "Express Worldwide" || r.Label.Format != "PDF":
			t.Errorf("parcel %d: %v %q %+v", r.ParcelID, r.State, r.Note, r.Label)
		}
		if _, err := domain.ValidateTracking(domain.CarrierDHL, r.Label.Tracking); r.State == domain.PurchaseBought && err != nil {
			t.Errorf("parcel %d: the waybill %v", r.ParcelID, err)
		}
	}
	if uncertain == 0 {
		t.Fatal("no purchase was uncertain")
	}
	sold := shop.LabelsSold()
	again, err := a.Labels.Buy(ctx, []int64{uncertain}, domain.LabelChoice{Service: "Express Worldwide"}, nil)
	if err != nil || again[0].State != domain.PurchaseBought || again[0].Label.Service != "Express Worldwide" || again[0].Label.Cost.Amount <= 0 {
		t.Fatalf("buying the uncertain parcel again: %+v %v", again, err)
	}
	if shop.LabelsSold() != sold || sold != len(parcels) {
		t.Errorf("%d waybills for %d parcels (after asking %d)", sold, len(parcels), shop.LabelsSold())
	}
	// The labels DHL sent print from their PDF; the one found by reference
	// has none, and the job says where to print it.
	var printed []int64
	for _, p := range parcels {
		if p != uncertain {
			printed = append(printed, p)
		}
	}
	var job bytes.Buffer
	if _, err := a.Inventory.Documents(ctx, 0, printed, "4x6", &job); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "job.pdf")
	if err := os.WriteFile(file, job.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if text, err := exec.Command("pdftotext", "-layout", file, "-").Output(); err != nil || strings.Contains(string(text), "not issued by the carrier") ||
		bytes.Count(job.Bytes(), []byte("/Subtype /Image")) < len(printed) {
		t.Errorf("the print job (%v):\n%s", err, text)
	}
	if _, err := a.Inventory.Documents(ctx, 0, []int64{uncertain}, "4x6", &job); err == nil || !strings.Contains(err.Error(), "MyDHL") {
		t.Errorf("printing the label found by reference: %v", err)
	}
	// Handed over, the waybills are tracked through the DHL Express account.
	if _, err := a.Inventory.Dispatch(ctx, printed[:1], "DHL Express"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Tracking.Poll(ctx, domain.DueFilter{All: true}, nil); err != nil {
		t.Fatal(err)
	}
	ships, err := a.Tracking.Shipments(ctx, domain.ShipmentFilter{Carrier: "DHL Express"}, 0, 10)
	if err != nil || len(ships) != 1 || ships[0].Milestone == domain.MilestoneUnknown || ships[0].Milestone == "" || ships[0].LastEventAt.IsZero() {
		t.Errorf("tracked: %+v %v", ships, err)
	}
	// A void asks nothing of DHL: it bills only what it scans.
	label, err := a.Labels.Void(ctx, printed[len(printed)-1])
	if err != nil || label.Refund != domain.RefundNotBilled || !strings.Contains(label.VoidNote(), "DHL Express bills a label only once it scans") {
		t.Errorf("void: %+v %v", label, err)
	}
}

// A DHL Express account added on the command line quotes and sells labels.
func TestCLIDHLExpressAccount(t *testing.T) {
	t.Parallel()
	db, parcels := packedDB(t, 1, nil)
	srv := httptest.NewServer(sandbox.NewCarriers(time.Hour, testClock.Now))
	t.Cleanup(srv.Close)
	add := []string{"--db", db, "carriers", "add", "--kind", "dhl-express", "--name", "DHL Express", "--url", srv.URL + "/dhl-express",
		"--client-id", sandbox.DHLExpressKey, "--client-secret", sandbox.DHLExpressSecret}
	if _, errs, code := runCLI(t, add...); code == 0 || !strings.Contains(errs, "shipper account number") {
		t.Errorf("without the account number: %d %q", code, errs)
	}
	if out, errs, code := runCLI(t, append(add, "--account-number", sandbox.DHLExpressAccount, "--paperless")...); code != 0 ||
		!strings.Contains(out, "dhl-express") || strings.Contains(out, sandbox.DHLExpressSecret) {
		t.Fatalf("carriers add: %d %q %q", code, out, errs)
	}
	list := strconv.FormatInt(parcels[0], 10)
	if out, errs, code := runCLI(t, "--db", db, "rates", "--parcels", list); code != 0 || strings.Count(out, "DHL Express  DHL Express") != 3 ||
		!strings.Contains(out, "Express Worldwide") {
		t.Fatalf("rates: %d %q %q", code, out, errs)
	}
	if _, errs, code := runCLI(t, "--db", db, "labels", "buy", "--parcels", list, "--out", "labels.txt"); code == 0 || !strings.Contains(errs, ".pdf or a .zpl") {
		t.Errorf("--out labels.txt: %d %q", code, errs)
	}
	pdfPath := filepath.Join(t.TempDir(), "bought.pdf")
	if out, errs, code := runCLI(t, "--db", db, "labels", "buy", "--parcels", list, "--service", "Economy Select", "--out", pdfPath); code != 0 ||
		!strings.Contains(out, "1 label(s) bought.") || !strings.Contains(out, "Wrote "+pdfPath) {
		t.Fatalf("labels buy: %d %q %q", code, out, errs)
	}
	if text, err := exec.Command("pdftotext", "-layout", pdfPath, "-").Output(); err != nil || !strings.Contains(string(text), "Packing slip") ||
		strings.Contains(string(text), "not issued by the carrier") {
		t.Errorf("the bought labels' PDF (%v):\n%s", err, text)
	}
	if out, errs, code := runCLI(t, "--db", db, "labels", "void", "--parcel", list); code != 0 || !strings.Contains(out, "DHL Express bills a label only once it scans") {
		t.Fatalf("labels void: %d %q %q", code, out, errs)
	}
}

// An account set to ZPL buys its labels in ZPL: the PDF of a purchase holds
// the papers and says the labels are for the thermal printer; a .zpl file
// holds DHL's own ZPL label.
func TestCLIDHLExpressZPLLabels(t *testing.T) {
	t.Parallel()
	db, parcels := packedDB(t, 2, nil)
	srv := httptest.NewServer(sandbox.NewCarriers(time.Hour, testClock.Now))
	t.Cleanup(srv.Close)
	if out, errs, code := runCLI(t, "--db", db, "carriers", "add", "--kind", "dhl-express", "--name", "DHL Express", "--url", srv.URL+"/dhl-express",
		"--client-id", sandbox.DHLExpressKey, "--client-secret", sandbox.DHLExpressSecret, "--account-number", sandbox.DHLExpressAccount, "--zpl"); code != 0 {
		t.Fatalf("carriers add: %d %q %q", code, out, errs)
	}
	if out, errs, code := runCLI(t, "--db", db, "carriers", "list", "--format", "json"); code != 0 || !strings.Contains(out, `"labels": "zpl"`) {
		t.Errorf("carriers list: %d %q %q", code, out, errs)
	}
	dir := t.TempDir()
	pdfPath, zplPath := filepath.Join(dir, "a.pdf"), filepath.Join(dir, "b.zpl")
	out, errs, code := runCLI(t, "--db", db, "labels", "buy", "--parcels", strconv.FormatInt(parcels[0], 10), "--out", pdfPath)
	if code != 0 || !strings.Contains(out, "1 carrier label(s) are ZPL, for a thermal printer, and are not in the PDF") {
		t.Fatalf("labels buy --out a.pdf: %d %q %q", code, out, errs)
	}
	job, err := os.ReadFile(pdfPath)
	if err != nil || bytes.Contains(job, []byte("/Subtype /Image")) {
		t.Errorf("the PDF holds a label image (%v)", err)
	}
	if text, err := exec.Command("pdftotext", "-layout", pdfPath, "-").Output(); err != nil || !strings.Contains(string(text), "Packing slip") ||
		strings.Contains(string(text), "not issued by the carrier") {
		t.Errorf("the papers (%v):\n%s", err, text)
	}
	if out, errs, code := runCLI(t, "--db", db, "labels", "buy", "--parcels", strconv.FormatInt(parcels[1], 10), "--out", zplPath); code != 0 {
		t.Fatalf("labels buy --out b.zpl: %d %q %q", code, out, errs)
	}
	zpl, err := os.ReadFile(zplPath)
	if err != nil || bytes.Count(zpl, []byte("^XA")) != 1 || !bytes.Contains(zpl, []byte("^FDDHL Express (sandbox)^FS")) || bytes.Contains(zpl, []byte("^GFA,")) {
		t.Errorf("the ZPL file (%v): %q…", err, zpl[:min(len(zpl), 120)])
	}
}

// Quotes in different currencies are compared in the planning currency:
// the cheapest is first, and the one bought by default, whichever
// currency it is in.
func TestQuotesAreComparedInThePlanningCurrency(t *testing.T) {
	t.Parallel()
	a, parcels, shop := packedAtTheShop(t, 2) // SandboxPost, in USD
	ctx := context.Background()
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	for _, sa := range app.SandboxCarrierAccounts(srv.URL) {
		if sa.Kind == domain.CarrierDHLExpress { // DHL Express, in EUR
			if err := a.Tracking.SaveCarrierAccount(ctx, &sa); err != nil {
				t.Fatal(err)
			}
		}
	}
	rates, err := a.Labels.Rates(ctx, parcels)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rates {
		currencies := map[domain.Currency]bool{}
		last := int64(-1)
		for _, q := range r.Quotes {
			currencies[q.Price.Currency] = true
			v := q.Price
			if q.Converted.Currency != "" {
				v = q.Converted
			}
			if v.Currency != "EUR" || v.Amount < last {
				t.Errorf("parcel %d: %s %s at %s (%s) after %d cents: not cheapest first in EUR", r.Parcel.ID, q.Carrier, q.Service, q.Price, v, last)
			}
			last = v.Amount
		}
		if len(currencies) != 2 {
			t.Fatalf("parcel %d: quotes in %v, want USD and EUR", r.Parcel.ID, currencies)
		}
	}
	run, err := a.Labels.Buy(ctx, parcels[:1], domain.LabelChoice{}, nil)
	if err != nil || run[0].State != domain.PurchaseBought {
		t.Fatalf("buy: %+v %v", run, err)
	}
	if q := rates[0].Quotes[0]; run[0].Label.Carrier != q.Carrier || run[0].Label.Service != q.Service {
		t.Errorf("bought %s %s, the cheapest was %s %s", run[0].Label.Carrier, run[0].Label.Service, q.Carrier, q.Service)
	}
}

// Buying by default follows the channel: its service where the order names
// none a shipping account quotes, and the outcome says why it was bought.
func TestBuyingFollowsTheChannelsService(t *testing.T) {
	t.Parallel()
	a, parcels, shop := packedAtTheShop(t, 2)
	ctx := context.Background()
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	for _, sa := range app.SandboxCarrierAccounts(srv.URL) {
		if sa.Kind == domain.CarrierDHLExpress {
			if err := a.Tracking.SaveCarrierAccount(ctx, &sa); err != nil {
				t.Fatal(err)
			}
		}
	}
	chans, err := a.Intake.Channels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chans {
		if err := a.Labels.SetChannelShipping(ctx, c.ID, "DHL Express Worldwide", 0); err != nil {
			t.Fatal(err)
		}
	}
	// The rates mark the quote a purchase will take, and why.
	rates, err := a.Labels.Rates(ctx, parcels)
	if err != nil {
		t.Fatal(err)
	}
	run, err := a.Labels.Buy(ctx, parcels, domain.LabelChoice{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := a.Inventory.Parcels(ctx, parcels)
	byChannel := 0
	for i, r := range run {
		if c := rates[i].Chosen; c < 0 || rates[i].Quotes[c].Service != r.Label.Service || rates[i].Quotes[c].Carrier != r.Label.Carrier ||
			!strings.Contains(r.Note, rates[i].Why) {
			t.Errorf("parcel %d: rates marked %d (%q), bought %s %s (%q)", r.ParcelID, c, rates[i].Why, r.Label.Carrier, r.Label.Service, r.Note)
		}
		want, why := "Express Worldwide", "the channel's service"
		if namesQuote := strings.EqualFold(ps[i].Service, "Economy") || strings.EqualFold(ps[i].Service, "Standard") ||
			strings.EqualFold(ps[i].Service, "Express"); namesQuote {
			want, why = ps[i].Service, "the service the order asked for" // the order's own service comes first
		}
		if r.State != domain.PurchaseBought || !strings.EqualFold(r.Label.Service, want) || !strings.Contains(r.Note, why) {
			t.Errorf("parcel %d (order asked %q): %v %s %s, note %q", r.ParcelID, ps[i].Service, r.State, r.Label.Carrier, r.Label.Service, r.Note)
		}
		if strings.Contains(r.Note, "the channel's service") {
			byChannel++
		}
	}
	if byChannel == 0 {
		t.Error("no parcel went with its channel's service")
	}
}

func TestCLIChannelShipping(t *testing.T) {
	t.Parallel()
	db := demoDBOf(t, 150)
	out, errs, code := runCLI(t, "--db", db, "channels", "shipping", "SHOP-EU", "--service", "DHL Express Worldwide", "--promise-days", "4")
	if code != 0 || !strings.Contains(out, "ships with DHL Express Worldwide") || !strings.Contains(out, "promised 4 day(s)") {
		t.Fatalf("channels shipping: %d %q %q", code, out, errs)
	}
	out, _, _ = runCLI(t, "--db", db, "channels", "list", "--format", "json")
	if !strings.Contains(out, `"ship_service": "DHL Express Worldwide"`) || !strings.Contains(out, `"promise_days": 4`) {
		t.Errorf("channels list: %s", out)
	}
	if _, errs, code := runCLI(t, "--db", db, "channels", "shipping", "SHOP-EU", "--promise-days", "91"); code == 0 || !strings.Contains(errs, "0 to 90 days") {
		t.Errorf("91 days: %d %q", code, errs)
	}
}

// Labels go to a thermal printer's CUPS queue as ZPL, through a real
// scheduler: one label a parcel, the carrier's where bought.
func TestCLIPrintsLabelsToAThermalPrinter(t *testing.T) {
	// Not parallel: the private scheduler is found through CUPS_SERVER.
	db, parcels := packedDB(t, 2, func(a *app.App, parcels []int64) {
		labelShop(t, a)
		if run, err := a.Labels.Buy(context.Background(), parcels[:1], domain.LabelChoice{}, nil); err != nil || run[0].State != domain.PurchaseBought {
			t.Fatalf("buy: %+v %v", run, err)
		}
	})
	// The other parcel goes with a carrier without an API: Portolan's own label.
	if out, errs, code := runCLI(t, "--db", db, "tracking", "--parcel", fmt.Sprint(parcels[1]), "--number", "LOCAL-4711",
		"--carrier", "Bike courier"); code != 0 {
		t.Fatalf("tracking: %d %q %q", code, out, errs)
	}
	srv := cupstest.Start(t)
	if _, errs, code := runCLI(t, "--db", db, "labels", "print", "--parcels", fmt.Sprint(parcels[0])); code == 0 || !strings.Contains(errs, "no default printer") {
		t.Errorf("no printer: %d %q", code, errs)
	}
	srv.AddPrinter(t, "Zebra-Bench-1", true, true)
	srv.AddPrinter(t, "Office", false, false)
	out, errs, code := runCLI(t, "--db", db, "printers", "list")
	if code != 0 || !strings.Contains(out, "Zebra-Bench-1") || !strings.Contains(out, "Office") {
		t.Fatalf("printers list: %d %q %q", code, out, errs)
	}
	list := fmt.Sprintf("%d,%d", parcels[0], parcels[1])
	out, errs, code = runCLI(t, "--db", db, "labels", "print", "--parcels", list)
	if code != 0 || !strings.Contains(out, "Sent 2 label(s) to Zebra-Bench-1 (job Zebra-Bench-1-") {
		t.Fatalf("labels print: %d %q %q", code, out, errs)
	}
	zpl := srv.PrintedUntil(t, "Zebra-Bench-1", cupstest.Labels(2))
	// The bought parcel's label is the carrier's image as a graphic field;
	// the other is Portolan's own, with its Code 128 barcode.
	if bytes.Count(zpl, []byte("^XZ")) != 2 || !bytes.Contains(zpl, []byte("^GFA,")) || !bytes.Contains(zpl, []byte("^BC")) {
		t.Errorf("the printer received %d bytes: %q…", len(zpl), zpl[:min(len(zpl), 200)])
	}
	if _, errs, code := runCLI(t, "--db", db, "labels", "print", "--parcels", list, "--printer", "Nowhere"); code == 0 || !strings.Contains(errs, `no printer "Nowhere"`) {
		t.Errorf("an unknown printer: %d %q", code, errs)
	}
}

// A carrier that refuses the ship-to address says which field; corrected,
// the parcel's label is bought, and the order's history keeps what it was.
func TestARefusedAddressIsCorrectedAndBought(t *testing.T) {
	t.Parallel()
	a, parcels, _ := packedAtTheShop(t, 2)
	ctx := context.Background()
	ps, err := a.Inventory.Parcels(ctx, parcels[:1])
	if err != nil {
		t.Fatal(err)
	}
	wrong := domain.Address{Line1: "350 5th Ave", City: "New York", Region: "NY", PostalCode: "1O118", Country: "US", Phone: "+1 212 555 0100"}
	if err := a.Inventory.SetShipAddress(ctx, ps[0].OrderID, wrong, "moved to New York"); err != nil {
		t.Fatal(err)
	}
	run, err := a.Labels.Buy(ctx, parcels, domain.LabelChoice{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run[0].State != domain.PurchaseFailed || run[0].Field != domain.FieldPostalCode || !strings.Contains(run[0].Note, "zip") {
		t.Fatalf("the refused parcel: %+v", run[0])
	}
	if run[1].State != domain.PurchaseBought || run[1].Field != "" {
		t.Errorf("the other parcel: %+v", run[1])
	}
	right := wrong
	right.PostalCode = "10118"
	if err := a.Inventory.SetShipAddress(ctx, ps[0].OrderID, right, run[0].Note); err != nil {
		t.Fatal(err)
	}
	again, err := a.Labels.Buy(ctx, parcels[:1], domain.LabelChoice{}, nil)
	if err != nil || again[0].State != domain.PurchaseBought {
		t.Fatalf("bought again: %+v %v", again, err)
	}
	o, err := a.Orders.Order(ctx, ps[0].OrderID)
	if err != nil || o.ShipTo.PostalCode != "10118" || !strings.Contains(o.History[len(o.History)-1].Reason, "ship-to corrected (") ||
		!strings.Contains(o.History[len(o.History)-1].Reason, "was: 350 5th Ave, 1O118 New York") {
		t.Errorf("the order: %+v %v", o.ShipTo, err)
	}
}

// On the command line: the refusal says how to correct the address, and
// orders address does, keeping the name.
func TestCLIOrdersAddress(t *testing.T) {
	t.Parallel()
	var number, name string
	db, parcels := packedDB(t, 1, func(a *app.App, parcels []int64) {
		labelShop(t, a)
		ps, _ := a.Inventory.Parcels(context.Background(), parcels)
		number, name = ps[0].Number, ps[0].ShipTo.Name
	})
	out, errs, code := runCLI(t, "--db", db, "orders", "address", number, "--line1", "350 5th Ave", "--line2", "-", "--city", "New York",
		"--region", "NY", "--postal-code", "1O118", "--country", "us", "--why", "moved")
	if code != 0 || !strings.Contains(out, "Order "+number+" now goes to: "+name+", 350 5th Ave, ") || !strings.Contains(out, "United States") {
		t.Fatalf("orders address: %d %q %q", code, out, errs)
	}
	// The sandbox EasyPost checks a US ZIP code, and refuses this one.
	out, errs, code = runCLI(t, "--db", db, "labels", "buy", "--parcels", strconv.FormatInt(parcels[0], 10))
	if code == 0 || !strings.Contains(out, `correct it with "portolan orders address `+number+` --postal-code …"`) {
		t.Fatalf("labels buy: %d %q %q", code, out, errs)
	}
	if _, errs, code := runCLI(t, "--db", db, "orders", "address", number, "--country", "XX"); code == 0 || !strings.Contains(errs, "XX") {
		t.Errorf("a country that is none: %d %q", code, errs)
	}
	if out, errs, code := runCLI(t, "--db", db, "orders", "address", number, "--postal-code", "10118"); code != 0 || !strings.Contains(out, "10118") {
		t.Fatalf("orders address again: %d %q %q", code, out, errs)
	}
	if out, errs, code := runCLI(t, "--db", db, "labels", "buy", "--parcels", strconv.FormatInt(parcels[0], 10)); code != 0 || !strings.Contains(out, "1 label(s) bought.") {
		t.Errorf("labels buy again: %d %q %q", code, out, errs)
	}
}

// labels --paper none writes the customs papers and slips alone, for a
// workstation whose labels print on a thermal printer.
func TestCLILabelsWithoutLabels(t *testing.T) {
	t.Parallel()
	db, parcels := packedDB(t, 1, nil)
	if o, errs, code := runCLI(t, "--db", db, "tracking", "--parcel", fmt.Sprint(parcels[0]), "--number", "LOCAL-4712", "--carrier", "Bike courier"); code != 0 {
		t.Fatalf("tracking: %d %q %q", code, o, errs)
	}
	out := filepath.Join(t.TempDir(), "papers.pdf")
	if o, errs, code := runCLI(t, "--db", db, "labels", "--parcels", strconv.FormatInt(parcels[0], 10), "--paper", "none", "--out", out); code != 0 {
		t.Fatalf("labels --paper none: %d %q %q", code, o, errs)
	}
	text, err := exec.Command("pdftotext", "-layout", out, "-").Output()
	if err != nil || !strings.Contains(string(text), "Packing slip") || strings.Contains(string(text), "Label printed by Portolan") {
		t.Errorf("the papers (%v):\n%s", err, text)
	}
}

// Tracking starts when a label is bought: the poller asks the carrier about
// it from 30 minutes after the purchase, before anyone hands the parcel
// over. While the carrier knows it only as data, the parcel stays packed
// (no shipment, nothing charged, voidable); the carrier's first scan hands
// it over — dispatched on the day's manifest, a shipment with the carrier's
// events, the order shipped — and a voided label is never asked about.
func TestBuyingALabelStartsTracking(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, clock := labelAppOn(t)
	parcels := packedWave(t, a, 3)
	labelShopOn(t, a, clock.Now)
	bought := clock.Now()
	run, err := a.Labels.Buy(ctx, parcels, domain.LabelChoice{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	numbers := map[string]bool{}
	for _, r := range run {
		if r.State != domain.PurchaseBought {
			t.Fatalf("parcel %d: %v %s", r.ParcelID, r.State, r.Note)
		}
		numbers[r.Label.Tracking] = true
	}
	if _, err := a.Labels.Void(ctx, parcels[2]); err != nil {
		t.Fatal(err)
	}
	poll := func(label string) domain.PollResult {
		t.Helper()
		// The demo's parcels on their way are their carriers' (the
		// EasyPost account tracks them too).
		res, err := a.Tracking.Poll(ctx, domain.DueFilter{Carrier: sandbox.SandboxCarrier}, nil)
		if err != nil || res.Errors != 0 {
			t.Fatalf("%s: %+v %v", label, res, err)
		}
		return res
	}
	shipped := func() []domain.Shipment {
		t.Helper()
		var out []domain.Shipment
		for n := range numbers {
			ships, err := a.Tracking.Shipments(ctx, domain.ShipmentFilter{Search: n}, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ships...)
		}
		return out
	}
	if res := poll("at once"); res.Checked != 0 || res.HandedOver != 0 {
		t.Errorf("polled at once after the purchase: %+v", res)
	}
	clock.Add(31 * time.Minute)
	if res := poll("after 31 minutes"); res.Checked != 2 || res.HandedOver != 0 || res.Changed != 0 {
		t.Errorf("polled 31 minutes after the purchase: %+v, want the 2 labels not voided asked about, none scanned", res)
	}
	if ps, err := a.Inventory.Parcels(ctx, parcels); err != nil || ps[0].Shipped || ps[1].Shipped || len(shipped()) != 0 {
		t.Fatalf("before the carrier's scan the parcels are packed, not shipments: %+v %v", ps, err)
	}
	if res := poll("again at once"); res.Checked != 0 {
		t.Errorf("a label without a scan asked about again at once: %+v", res)
	}

	// The sandbox carrier picks its labels up an hour after selling them.
	clock.Add(2 * time.Hour)
	res := poll("after the pick-up")
	if res.Checked != 2 || res.HandedOver != 2 || res.Changed != 2 {
		t.Errorf("polled after the carrier's pick-up: %+v, want 2 handed over", res)
	}
	ps, err := a.Inventory.Parcels(ctx, parcels)
	if err != nil || !ps[0].Shipped || !ps[1].Shipped || ps[2].Shipped {
		t.Fatalf("after the scans: %+v %v", ps, err)
	}
	ships := shipped()
	for _, sh := range ships {
		if !sh.Milestone.Scanned() || sh.LastEventAt.IsZero() || sh.ShippedAt.IsZero() {
			t.Errorf("shipment %s: %+v", sh.Tracking, sh)
		}
		// Shipped when the carrier scanned it (an hour after the sale), not
		// when the poll saw it.
		if d := sh.ShippedAt.Sub(bought); d < 58*time.Minute || d > 62*time.Minute {
			t.Errorf("shipment %s shipped %v after the purchase, want the carrier's scan an hour after it", sh.Tracking, d)
		}
		if o, err := a.Orders.Order(ctx, sh.OrderID); err != nil || o.Status != domain.StatusShipped {
			t.Errorf("order %s: %v %v", sh.OrderNumber, o.Status, err)
		}
	}
	if len(ships) != 2 {
		t.Errorf("%d shipments, want 2", len(ships))
	}
	manifests, err := a.Inventory.Manifests(ctx, "", 10)
	if err != nil || len(manifests) == 0 || manifests[0].Carrier != sandbox.SandboxCarrier {
		t.Errorf("the day's manifest: %+v %v", manifests, err)
	}
	if _, err := a.Labels.Void(ctx, parcels[0]); err == nil {
		t.Error("a label the carrier scanned was voided")
	}
	if res := poll("once handed over"); res.Checked != 0 || res.HandedOver != 0 {
		t.Errorf("polled at once after the hand-over: %+v", res)
	}

	// The voided parcel's new label and the two shipments, due together,
	// are asked about with one client of the account (one token).
	again, err := a.Labels.Buy(ctx, parcels[2:], domain.LabelChoice{}, nil)
	if err != nil || again[0].State != domain.PurchaseBought {
		t.Fatalf("buying again: %+v %v", again, err)
	}
	numbers[again[0].Label.Tracking] = true
	clients := 0
	track := a.Tracking.NewTracker
	a.Tracking.NewTracker = func(acct domain.CarrierAccount, gate func(context.Context) error) (domain.Tracker, error) {
		clients++
		return track(acct, gate)
	}
	clock.Add(5 * time.Hour)
	if res := poll("labels and shipments"); res.Checked != 3 || res.HandedOver != 1 || clients != 1 {
		t.Errorf("a label and two shipments due: %+v, with %d client(s)", res, clients)
	}
	if len(shipped()) != 3 {
		t.Errorf("%d shipments, want 3", len(shipped()))
	}
}

// A parcel its carrier scanned whose order was cancelled meanwhile cannot
// leave: the poll says so, and hands over the others scanned with it.
func TestAScannedParcelThatCannotLeaveKeepsBackNoOther(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, clock := labelAppOn(t)
	// Two parcels of one warehouse, picked up together.
	var parcels []int64
	all, err := a.Inventory.Parcels(ctx, packedWave(t, a, 6))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range all {
		for _, q := range all[i+1:] {
			if len(parcels) == 0 && p.Warehouse.Code == q.Warehouse.Code {
				parcels = []int64{p.ID, q.ID}
			}
		}
	}
	if parcels == nil {
		t.Fatal("no two parcels of one warehouse")
	}
	labelShopOn(t, a, clock.Now)
	if run, err := a.Labels.Buy(ctx, parcels, domain.LabelChoice{}, nil); err != nil || len(run) != 2 || run[1].State != domain.PurchaseBought {
		t.Fatalf("buying: %+v %v", run, err)
	}
	ps, err := a.Inventory.Parcels(ctx, parcels)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Orders.Transition(ctx, ps[0].OrderID, domain.StatusCancelled, "the customer changed their mind"); err != nil {
		t.Fatal(err)
	}
	clock.Add(2 * time.Hour)
	res, err := a.Tracking.Poll(ctx, domain.DueFilter{Carrier: sandbox.SandboxCarrier}, nil)
	if err != nil || res.HandedOver != 1 || !strings.Contains(strings.Join(res.Problems, "\n"), fmt.Sprintf("parcel %d, which %s has scanned, could not be handed over", parcels[0], sandbox.SandboxCarrier)) {
		t.Fatalf("the poll: %+v %v", res, err)
	}
	if ps, err = a.Inventory.Parcels(ctx, parcels); err != nil || ps[0].Shipped || !ps[1].Shipped {
		t.Errorf("after the poll: %+v %v", ps, err)
	}
}
