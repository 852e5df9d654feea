package sqlite_test

import (
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sqlite"
)

// packedParcels packs n orders in AU-SYD and returns their parcels.
func packedParcels(t *testing.T, db *sqlite.DB, n int) []int64 {
	t.Helper()
	orders, parcelOf := packedOrders(t, db, n)
	parcels := make([]int64, len(orders))
	for i, o := range orders {
		parcels[i] = parcelOf[o]
	}
	return parcels
}

// packedOrders allocates n orders to AU-SYD, picks them in one wave and
// packs each in a parcel: the orders in the wave's order, and each one's parcel.
func packedOrders(t *testing.T, db *sqlite.DB, n int) (orders []int64, parcelOf map[int64]int64) {
	t.Helper()
	warehouseWithOrders(t, db, n)
	if _, err := db.AllocationStore().CommitPlan(ctx, planAll(t, db), placedAt); err != nil {
		t.Fatal(err)
	}
	wave, err := db.LedgerStore().CreateWave(ctx, "AU-SYD", domain.WaveFilter{})
	must(t, err)
	for _, ln := range wave.Lines {
		_, err := db.LedgerStore().ConfirmPick(ctx, ln.ID, ln.Qty)
		must(t, err)
	}
	parcelOf = map[int64]int64{}
	for _, ln := range wave.Lines {
		if parcelOf[ln.OrderID] == 0 {
			id, err := db.LedgerStore().Pack(ctx, ln.OrderID, "AU-SYD", "M", 400, nil)
			must(t, err)
			parcelOf[ln.OrderID] = id
			orders = append(orders, ln.OrderID)
		}
	}
	return orders, parcelOf
}

func quoteFor(ref string) domain.RateQuote {
	return domain.RateQuote{Carrier: "USPS", Service: "GroundAdvantage", Price: domain.NewMoney(820, "USD"), ShipmentRef: ref, RateRef: "rate_1"}
}

// A parcel has one live label purchase at a time: a second is refused
// while the first is being bought, is uncertain or is bought; a failed or
// voided one frees the parcel. Bought, the parcel takes the label's
// tracking number and carrier; voided, it loses them.
func TestOneLiveLabelPurchaseAParcel(t *testing.T) {
	db := openTemp(t)
	parcels := packedParcels(t, db, 2)
	ls := db.LabelStore()
	p := domain.LabelPurchase{ParcelID: parcels[0], Account: "EasyPost", Quote: quoteFor("shp_1")}
	must(t, ls.BeginPurchase(ctx, &p))
	if p.ID == 0 || p.State != domain.PurchaseBuying {
		t.Fatalf("begun: %+v", p)
	}
	second := domain.LabelPurchase{ParcelID: parcels[0], Account: "EasyPost", Quote: quoteFor("shp_2")}
	for _, state := range []domain.PurchaseState{domain.PurchaseBuying, domain.PurchaseUncertain} {
		if state == domain.PurchaseUncertain {
			must(t, ls.SettlePurchase(ctx, p.ID, domain.PurchaseUncertain, domain.Label{}, "no answer"))
		}
		if err := ls.BeginPurchase(ctx, &second); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("a second purchase while the first is %s: %v", state, err)
		}
	}
	live, ok, err := ls.LivePurchase(ctx, parcels[0])
	must(t, err)
	if !ok || live.ID != p.ID || live.State != domain.PurchaseUncertain || live.Error != "no answer" || live.Quote != p.Quote {
		t.Errorf("live purchase %+v", live)
	}
	label := domain.Label{ShipmentRef: "shp_1", Carrier: "USPS", Service: "GroundAdvantage", Tracking: "9434600208303109842228",
		Cost: domain.NewMoney(820, "USD"), Format: "PNG", URL: "https://files.example/l.png"}
	must(t, ls.SettlePurchase(ctx, p.ID, domain.PurchaseBought, label, ""))
	if err := ls.SettlePurchase(ctx, p.ID, domain.PurchaseFailed, domain.Label{}, "late"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("settling a bought purchase again: %v", err)
	}
	ps, err := db.StockStore().Parcels(ctx, parcels[:1])
	must(t, err)
	if ps[0].Tracking != label.Tracking || ps[0].Carrier != "USPS" {
		t.Errorf("the bought parcel: tracking %q carrier %q", ps[0].Tracking, ps[0].Carrier)
	}
	live, _, err = ls.LivePurchase(ctx, parcels[0])
	must(t, err)
	if live.State != domain.PurchaseBought || live.Label.Tracking != label.Tracking || live.Label.Cost != label.Cost || live.Label.URL != label.URL {
		t.Errorf("bought purchase %+v", live)
	}

	// Its file is kept for the print job.
	must(t, ls.SaveLabelFile(ctx, p.ID, []byte("\x89PNG label")))
	bought, err := ls.BoughtLabels(ctx, parcels)
	must(t, err)
	if len(bought) != 1 || string(bought[parcels[0]].Label.File) != "\x89PNG label" || bought[parcels[0]].Label.Tracking != label.Tracking {
		t.Errorf("bought labels %+v", bought)
	}

	// Voided, the parcel is free again and has no tracking number.
	must(t, ls.VoidPurchase(ctx, p.ID, domain.Label{Refund: "submitted"}))
	if _, ok, _ := ls.LivePurchase(ctx, parcels[0]); ok {
		t.Error("a voided purchase is still live")
	}
	ps, err = db.StockStore().Parcels(ctx, parcels[:1])
	must(t, err)
	if ps[0].Tracking != "" {
		t.Errorf("the voided parcel keeps tracking %q", ps[0].Tracking)
	}
	if bought, _ := ls.BoughtLabels(ctx, parcels); len(bought) != 0 {
		t.Errorf("a voided label is still bought: %+v", bought)
	}
	must(t, ls.BeginPurchase(ctx, &second))

	// A failed purchase frees its parcel at once.
	other := domain.LabelPurchase{ParcelID: parcels[1], Account: "EasyPost", Quote: quoteFor("shp_3")}
	must(t, ls.BeginPurchase(ctx, &other))
	must(t, ls.SettlePurchase(ctx, other.ID, domain.PurchaseFailed, domain.Label{}, "address rejected"))
	again := domain.LabelPurchase{ParcelID: parcels[1], Account: "EasyPost", Quote: quoteFor("shp_4")}
	must(t, ls.BeginPurchase(ctx, &again))
	if err := ls.VoidPurchase(ctx, again.ID, domain.Label{Refund: "submitted"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("voiding a label not bought: %v", err)
	}
}

// A label is bought before the parcel leaves: a dispatched parcel is
// refused, and so is voiding the label of one.
func TestNoLabelForAParcelThatLeft(t *testing.T) {
	db := openTemp(t)
	parcels := packedParcels(t, db, 2)
	ls := db.LabelStore()
	p := domain.LabelPurchase{ParcelID: parcels[0], Account: "EasyPost", Quote: quoteFor("shp_1")}
	must(t, ls.BeginPurchase(ctx, &p))
	must(t, ls.SettlePurchase(ctx, p.ID, domain.PurchaseBought, domain.Label{Carrier: "USPS", Tracking: "9434600208303109842228",
		Cost: domain.NewMoney(820, "USD")}, ""))
	if _, err := db.LedgerStore().Dispatch(ctx, parcels[:1], "USPS", placedAt); err != nil {
		t.Fatal(err)
	}
	if err := ls.VoidPurchase(ctx, p.ID, domain.Label{Refund: "submitted"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("voiding the label of a parcel that left: %v", err)
	}
	late := domain.LabelPurchase{ParcelID: parcels[0], Account: "EasyPost", Quote: quoteFor("shp_9")}
	if err := ls.BeginPurchase(ctx, &late); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("a label for a parcel that left: %v", err)
	}
}

// A channel's shipping promise is kept and reaches its orders' parcels:
// the service they go with, and the day delivery is promised by (the
// order's placing plus the days).
func TestChannelShippingReachesItsParcels(t *testing.T) {
	db := openTemp(t)
	parcels := packedParcels(t, db, 2)
	ps, err := db.StockStore().Parcels(ctx, parcels)
	must(t, err)
	if ps[0].ChannelService != "" || !ps[0].PromisedBy.IsZero() {
		t.Fatalf("before any promise: %q %v", ps[0].ChannelService, ps[0].PromisedBy)
	}
	chans, err := db.CatalogStore().Channels(ctx)
	must(t, err)
	ch := chans[0]
	must(t, db.LabelStore().SetChannelShipping(ctx, ch.ID, " DHL Express Worldwide ", 5))
	chans, _ = db.CatalogStore().Channels(ctx)
	if chans[0].ShipService != "DHL Express Worldwide" || chans[0].PromiseDays != 5 {
		t.Errorf("channel %+v", chans[0])
	}
	ps, err = db.StockStore().Parcels(ctx, parcels)
	must(t, err)
	orders, _ := db.OrderStore().OrderSummaries(ctx, domain.OrderFilter{}, 0, 100)
	placed := map[string]int64{}
	for _, o := range orders {
		placed[o.Number] = o.PlacedAt.UnixMilli()
	}
	for _, p := range ps {
		if p.ChannelService != "DHL Express Worldwide" || p.PromisedBy.UnixMilli() != time.UnixMilli(placed[p.Number]).AddDate(0, 0, 5).UnixMilli() {
			t.Errorf("parcel %d of %s: %q, promised by %v", p.ID, p.Number, p.ChannelService, p.PromisedBy)
		}
	}
	if err := db.LabelStore().SetChannelShipping(ctx, ch.ID, "", 91); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("a 91-day promise: %v", err)
	}
	if err := db.LabelStore().SetChannelShipping(ctx, 9999, "", 1); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("no such channel: %v", err)
	}
}

// A bought label is asked about from FirstPoll after its purchase until its
// carrier scans it: a poll without a scan counts and sets the next, a failed
// one says why; the first scan is kept (a later answer does not move it)
// and the label waits to be handed over; handed over, it is a shipment, and
// a voided label is asked about no more.
func TestLabelsAreAskedAboutUntilScanned(t *testing.T) {
	db := openTemp(t)
	parcels := packedParcels(t, db, 3)
	ls := db.LabelStore()
	numbers := []string{"9434600208303109842228", "9434600208303109842235"}
	ids := make([]int64, 2)
	for i, n := range numbers {
		p := domain.LabelPurchase{ParcelID: parcels[i], Account: "EasyPost", Quote: quoteFor("shp_" + n)}
		must(t, ls.BeginPurchase(ctx, &p))
		must(t, ls.SettlePurchase(ctx, p.ID, domain.PurchaseBought, domain.Label{Carrier: "USPS", Tracking: n, Cost: domain.NewMoney(820, "USD")}, ""))
		ids[i] = p.ID
	}
	all, err := ls.LabelsAwaitingScan(ctx, time.Time{}, 0, domain.DueFilter{All: true})
	must(t, err)
	if len(all) != 2 || all[0].PurchaseID != ids[0] || all[0].ParcelID != parcels[0] || all[0].Tracking != numbers[0] || all[0].Carrier != "USPS" ||
		all[0].OrderNumber == "" || all[0].WarehouseID == 0 || all[0].WarehouseCode != "AU-SYD" || all[0].BoughtAt.IsZero() {
		t.Fatalf("every label awaiting a scan: %+v", all)
	}
	bought := all[0].BoughtAt
	due := func(at time.Time, f domain.DueFilter) []int64 {
		t.Helper()
		ls, err := ls.LabelsAwaitingScan(ctx, at, 30*time.Minute, f)
		must(t, err)
		var out []int64
		for _, l := range ls {
			out = append(out, l.PurchaseID)
		}
		return out
	}
	if d := due(bought.Add(10*time.Minute), domain.DueFilter{}); len(d) != 0 {
		t.Errorf("due 10 minutes after the purchase: %v", d)
	}
	if d := due(bought.Add(31*time.Minute), domain.DueFilter{}); len(d) != 2 {
		t.Errorf("due 31 minutes after the purchase: %v", d)
	}
	if d := due(bought.Add(31*time.Minute), domain.DueFilter{Carrier: "DHL"}); len(d) != 0 {
		t.Errorf("DHL's labels: %v", d)
	}
	at := bought.Add(31 * time.Minute)
	must(t, ls.RecordLabelPolls(ctx, []domain.LabelPoll{{PurchaseID: ids[0], Next: at.Add(2 * time.Hour)},
		{PurchaseID: ids[1], Next: at.Add(time.Hour), Error: "timeout"}}, at))
	if d := due(at.Add(61*time.Minute), domain.DueFilter{}); len(d) != 1 || d[0] != ids[1] {
		t.Errorf("due an hour later: %v", d)
	}
	all, err = ls.LabelsAwaitingScan(ctx, time.Time{}, 0, domain.DueFilter{All: true})
	must(t, err)
	if all[0].Polls != 1 || all[1].Polls != 0 {
		t.Errorf("polls counted: %d and %d, want 1 and 0 (a failed poll does not count)", all[0].Polls, all[1].Polls)
	}

	scan := at.Add(90 * time.Minute)
	must(t, ls.RecordLabelPolls(ctx, []domain.LabelPoll{{PurchaseID: ids[0], ScannedAt: scan, Scan: "Picked up"}}, scan.Add(time.Minute)))
	must(t, ls.RecordLabelPolls(ctx, []domain.LabelPoll{{PurchaseID: ids[0], ScannedAt: scan.Add(time.Hour), Scan: "Departed"}}, scan.Add(2*time.Hour)))
	if d := due(scan.Add(24*time.Hour), domain.DueFilter{}); len(d) != 1 || d[0] != ids[1] {
		t.Errorf("due once the first is scanned: %v", d)
	}
	scanned, err := ls.ScannedLabels(ctx)
	must(t, err)
	if len(scanned) != 1 || scanned[0].PurchaseID != ids[0] || !scanned[0].ScannedAt.Equal(scan) || scanned[0].Scan != "Picked up" {
		t.Errorf("scanned labels %+v", scanned)
	}

	ps, err := db.StockStore().Parcels(ctx, parcels[:2])
	must(t, err)
	if !ps[0].CarrierScan.Equal(scan) || !ps[1].CarrierScan.IsZero() {
		t.Errorf("the parcels' carrier scans: %v and %v", ps[0].CarrierScan, ps[1].CarrierScan)
	}

	if _, err := db.LedgerStore().Dispatch(ctx, parcels[:1], "USPS", placedAt); err != nil {
		t.Fatal(err)
	}
	if scanned, err := ls.ScannedLabels(ctx); err != nil || len(scanned) != 0 {
		t.Errorf("scanned labels after the hand-over: %+v %v", scanned, err)
	}
	ships, err := ls.ParcelShipments(ctx, parcels)
	must(t, err)
	if len(ships) != 1 || ships[parcels[0]] == 0 {
		t.Fatalf("the parcels' shipments: %v", ships)
	}
	// Handed over at a time before now (a scan seen later), the parcel is
	// on that day's manifest and shipped then.
	sh, _, err := db.TrackingStore().Shipment(ctx, ships[parcels[0]])
	must(t, err)
	ms, err := db.StockStore().Manifests(ctx, "", 10)
	must(t, err)
	if !sh.ShippedAt.Equal(placedAt) || len(ms) != 1 || ms[0].Day != placedAt.Format(time.DateOnly) {
		t.Errorf("handed over at %v: shipped at %v, manifests %+v", placedAt, sh.ShippedAt, ms)
	}
	must(t, ls.VoidPurchase(ctx, ids[1], domain.Label{Refund: "submitted"}))
	if d := due(time.Time{}, domain.DueFilter{All: true}); len(d) != 0 {
		t.Errorf("asked about after the hand-over and the void: %v", d)
	}
}
