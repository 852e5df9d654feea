package app_test

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
)

// billingSetup gives the demo's three channels a client each (EUR, USD,
// JPY), a rate card and the month's exchange rates.
func billingSetup(t testing.TB, a *app.App) map[string]domain.Client {
	ctx := context.Background()
	chans, err := a.Intake.Channels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cur := map[string]domain.Currency{"SHOP-EU": "EUR", "WOO-AM": "USD", "BC-APAC": "JPY"}
	out := map[string]domain.Client{}
	for _, ch := range chans {
		c := domain.Client{Code: ch.Code, Name: ch.Name + " GmbH", Currency: cur[ch.Code], PaymentDays: 30, TaxBP: 2100, Channels: []int64{ch.ID}}
		if err := a.Billing.SaveClient(ctx, &c); err != nil {
			t.Fatal(err)
		}
		// Cents for EUR and USD; JPY has no minor unit, so its prices are whole yen.
		card := domain.RateCard{ClientID: c.ID, EffectiveFrom: domaintest.MonthStart(-12), Currency: c.Currency,
			PerOrder: 150, PerLine: 25, PerUnit: 15, PerParcel: 40, Packaging: map[string]int64{"M": 60}, MarkupBP: 1200,
			MinimumMonthly: 5000000}
		if c.Currency == "JPY" {
			card.PerOrder, card.PerLine, card.PerUnit, card.PerParcel, card.MinimumMonthly = 220, 40, 20, 60, 80000
		}
		if err := a.Billing.SaveRateCard(ctx, &card); err != nil {
			t.Fatal(err)
		}
		out[ch.Code] = c
	}
	var rates []domain.FXRate
	for d := domaintest.MonthStart(-3); d.Before(domaintest.MonthStart(2)); d = d.AddDate(0, 0, 1) {
		rates = append(rates, domain.FXRate{Day: d, Base: "EUR", Quote: "USD", Rate: big.NewRat(10823, 10000)},
			domain.FXRate{Day: d, Base: "EUR", Quote: "JPY", Rate: big.NewRat(16250, 100)})
	}
	if _, err := a.Billing.SaveFXRates(ctx, rates, false); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBillingMonth(t *testing.T) {
	t.Parallel()
	a := openAt(t, demoDBOf(t, 1500, "--no-billing"), testClock.Now)
	ctx := context.Background()
	clients := billingSetup(t, a)
	invs, problems, err := a.Billing.Generate(ctx, lastMonth, 0)
	if err != nil || len(problems) != 0 {
		t.Fatalf("generate: %v %v", err, problems)
	}
	if len(invs) != 3 {
		t.Fatalf("%d invoices", len(invs))
	}
	for _, inv := range invs {
		full, err := a.Billing.Invoice(ctx, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, l := range full.Lines {
			sum += l.Amount
		}
		if len(full.Lines) == 0 {
			t.Errorf("invoice %d has no lines", inv.ID)
		}
		if inv.Net <= 0 || inv.Tax != domain.Tax(inv.Net, 2100) || inv.Currency == "" {
			t.Errorf("invoice %+v", inv)
		}
		if inv.Currency == "EUR" && inv.Net != sum {
			t.Errorf("EUR invoice net %d, lines %d", inv.Net, sum)
		}
	}
	// Again: the same drafts, nothing charged twice.
	again, _, err := a.Billing.Generate(ctx, lastMonth, 0)
	if err != nil || len(again) != 3 {
		t.Fatalf("again: %v %d", err, len(again))
	}
	for i := range invs {
		if again[i].Net != invs[i].Net {
			t.Errorf("client %d: net %d then %d", invs[i].ClientID, invs[i].Net, again[i].Net)
		}
	}
	// Issue the EUR one; it gets a number; a payment in USD pays it with the exchange difference recorded.
	var eur domain.Invoice
	for _, inv := range again {
		if inv.Currency == "EUR" {
			eur = inv
		}
	}
	issued, err := a.Billing.Issue(ctx, eur.ID)
	if err != nil || issued.Number != "INV-"+a.Now().UTC().Format("2006")+"-00001" || issued.Status != domain.InvoiceIssued {
		t.Fatalf("issue: %v %+v", err, issued)
	}
	if _, err := a.Billing.Issue(ctx, eur.ID); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("issued twice: %v", err)
	}
	// Re-generating keeps the issued invoice and its charges.
	third, _, err := a.Billing.Generate(ctx, lastMonth, clients["SHOP-EU"].ID)
	if err != nil || len(third) != 0 {
		t.Errorf("after issue: %v, %d new drafts", err, len(third))
	}
	usd := domain.NewMoney(issued.Gross()*10823/10000+1, "USD")
	p, err := a.Billing.RecordPayment(ctx, issued.ID, usd, domaintest.MonthStart(0).AddDate(0, 0, 4), "wire")
	if err != nil {
		t.Fatal(err)
	}
	paid, _ := a.Billing.Invoices(ctx, lastMonth)
	for _, inv := range paid {
		if inv.ID == issued.ID && (inv.Status != domain.InvoicePaid || inv.Paid != p.Applied) {
			t.Errorf("after payment %+v (applied %d)", inv, p.Applied)
		}
	}
	if p.ExchangeDiff != 0 || p.Rate == "1" {
		t.Errorf("payment %+v (same rate on both days: no difference)", p)
	}
	// A credit note corrects it.
	cn, err := a.Billing.CreditNote(ctx, issued.ID, 1000, "damaged goods")
	if err != nil || cn.Net != -1000 || cn.Tax != -210 || cn.Number != "CN-"+a.Now().UTC().Format("2006")+"-00001" {
		t.Errorf("credit note %v %+v", err, cn)
	}
	ageing, err := a.Billing.Ageing(ctx, domaintest.MonthStart(2).AddDate(0, 0, 14))
	if err != nil {
		t.Fatal(err)
	}
	if len(ageing) != 0 {
		t.Errorf("ageing with only paid invoices issued: %+v", ageing)
	}
}

func TestStorageAndReceivingCharges(t *testing.T) {
	t.Parallel()
	dbPath := demoDBOf(t, 200, "--no-billing")
	clk := domaintest.NewClock()
	a := openAt(t, dbPath, clk.Now)
	ctx := context.Background()
	c := domain.Client{Code: "STOCK", Name: "Stock Owner AG", Currency: "EUR", PaymentDays: 30}
	if err := a.Billing.SaveClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if n, err := a.Billing.AssignProducts(ctx, c.ID, "PRT-1000"); err != nil || n != 9 { // PRT-10001 … PRT-10009
		t.Fatalf("assigned %d: %v", n, err)
	}
	today := domain.Day(clk.Now())
	card := domain.RateCard{ClientID: c.ID, EffectiveFrom: domain.MonthStart(today, -1), Currency: "EUR", StoragePer1000UnitDays: 450, StoragePerBinDay: 10, ReceivingUnit: 12, PerInbound: 2500}
	if err := a.Billing.SaveRateCard(ctx, &card); err != nil {
		t.Fatal(err)
	}
	in := domain.Inbound{Warehouse: "NL-VEN", Reference: "PO-4711", Lines: []domain.InboundLine{{SKU: "PRT-10001", Expected: 40}}}
	if err := a.Inventory.CreateInbound(ctx, &in); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Inventory.Receive(ctx, domain.Receipt{Warehouse: "NL-VEN", InboundID: in.ID, Lines: []domain.ReceiptLine{{SKU: "PRT-10001", Qty: 40}}}); err != nil {
		t.Fatal(err)
	}
	// Tomorrow, today is a complete day on the shelf.
	clk.Set(today.Add(30 * time.Hour))
	period := today.Format("2006-01")
	if _, _, err := a.Billing.Generate(ctx, period, c.ID); err != nil {
		t.Fatal(err)
	}
	charges, err := a.Billing.Charges(ctx, period, c.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[domain.ChargeType]domain.Charge{}
	var binDays []domain.Charge
	var st domain.Charge // today's storage by the unit
	for _, ch := range charges {
		switch {
		case ch.SourceKind == "storage_bins":
			binDays = append(binDays, ch)
		case ch.Type == domain.ChargeStorage && ch.Date.Equal(today):
			st = ch
		default:
			got[ch.Type] = ch
		}
	}
	// Storage by bins: the storage bins holding the client's stock at the end
	// of each day of the month so far — the demo's stock was counted before
	// the month and none has moved in or out of storage bins since (what was
	// received is still in RECEIVING, not storage).
	var bins int64
	if err := openRaw(t, dbPath).QueryRow(`SELECT count(DISTINCT b.location_id) FROM stock_balances b JOIN products p ON p.id = b.product_id
		JOIN locations l ON l.id = b.location_id WHERE p.client_id = ? AND l.kind = 'storage' AND b.on_hand > 0`, c.ID).Scan(&bins); err != nil {
		t.Fatal(err)
	}
	if bins == 0 || len(binDays) != today.Day() {
		t.Errorf("bin-days: %d bins hold the stock, %d day(s) charged, want %d", bins, len(binDays), today.Day())
	}
	for _, b := range binDays {
		if b.Qty != bins || b.Amount != bins*10 {
			t.Errorf("bin-days on %s: %d bins charged %d, want %d bins", b.Date.Format(time.DateOnly), b.Qty, b.Amount, bins)
		}
	}
	if r := got[domain.ChargeReceiving]; r.Qty != 40 || r.Amount != 480 {
		t.Errorf("receiving %+v", r)
	}
	if r := got[domain.ChargeInbound]; r.Amount != 2500 || !strings.Contains(r.Ref, "PO-4711") {
		t.Errorf("inbound %+v", r)
	}
	if st.Qty < 40 || st.Amount != (st.Qty*450+500)/1000 || !st.Date.Equal(today) {
		t.Errorf("storage %+v", st)
	}
	// A rate change, then the month priced again: the new rate, nothing doubled.
	card.ReceivingUnit = 20
	if err := a.Billing.SaveRateCard(ctx, &card); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Billing.Recompute(ctx, period); err != nil {
		t.Fatal(err)
	}
	recomputed, _ := a.Billing.Charges(ctx, period, c.ID, 0, 100)
	for _, ch := range recomputed {
		if ch.Type == domain.ChargeReceiving && ch.Amount != 800 {
			t.Errorf("recomputed receiving %+v", ch)
		}
	}
	if len(recomputed) != len(charges) {
		t.Errorf("%d charges, %d recomputed", len(charges), len(recomputed))
	}
	// Again: nothing charged twice.
	if _, _, err := a.Billing.Generate(ctx, period, c.ID); err != nil {
		t.Fatal(err)
	}
	again, _ := a.Billing.Charges(ctx, period, c.ID, 0, 100)
	if len(again) != len(charges) {
		t.Errorf("%d charges, then %d", len(charges), len(again))
	}
}

// Charges accrue as parcels leave: no generate needed to see them.
func TestChargesAccrueOnDispatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := openAt(t, demoDBOf(t, 600, "--no-billing"), testClock.Now)
	chans, _ := a.Intake.Channels(ctx)
	c := clientOfEveryChannel(t, a, "ALL", "All channels Ltd")
	card := domain.RateCard{ClientID: c.ID, EffectiveFrom: a.Now().AddDate(0, -1, 0), Currency: "EUR", PerOrder: 150, PerParcel: 40}
	if err := a.Billing.SaveRateCard(ctx, &card); err != nil {
		t.Fatal(err)
	}
	period := a.Now().UTC().Format("2006-01")
	a.Billing.AccrueToday(ctx) // the month so far, as the window does when it opens
	before, _ := a.Billing.Charges(ctx, period, c.ID, 0, 10000)
	dispatchOne(t, a, chans[0])
	a.Wait() // the dispatch's charges accrue in the background, off the user's path
	after, _ := a.Billing.Charges(ctx, period, c.ID, 0, 10000)
	// Per order, per parcel, and shipping at the expected carrier cost (no markup on this card).
	if len(after) != len(before)+3 {
		t.Fatalf("%d charges before dispatch, %d after", len(before), len(after))
	}
	// Its margin counts the box it left in (M: 0.41 EUR).
	margins, err := a.Billing.Margins(ctx, period, "order", "EUR")
	if err != nil {
		t.Fatal(err)
	}
	boxed := 0
	for _, m := range margins {
		if m.Boxes == 41 && m.Revenue > 0 && m.Margin == m.Revenue-m.Cost-41 {
			boxed++
		}
	}
	if boxed != 1 {
		t.Errorf("%d orders with a packed box among %d", boxed, len(margins))
	}
}

// A client billed in USD with a card in EUR: the invoice converts at the
// rate of its date and says so.
func TestInvoiceConvertsAtItsDate(t *testing.T) {
	t.Parallel()
	clk := domaintest.NewClock()
	a := openAt(t, demoDBOf(t, 1500, "--no-billing"), clk.Now)
	ctx := context.Background()
	clients := billingSetup(t, a)
	us := clients["WOO-AM"]
	card := domain.RateCard{ClientID: us.ID, EffectiveFrom: domaintest.MonthStart(-11), Currency: "EUR", PerOrder: 200}
	if err := a.Billing.SaveRateCard(ctx, &card); err != nil {
		t.Fatal(err)
	}
	invs, _, err := a.Billing.Generate(ctx, lastMonth, us.ID)
	if err != nil || len(invs) != 1 {
		t.Fatalf("%v %d", err, len(invs))
	}
	issueDay := domaintest.MonthStart(0).AddDate(0, 0, 1)
	clk.Set(issueDay.Add(10 * time.Hour))
	inv, err := a.Billing.Issue(ctx, invs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := a.Billing.Invoice(ctx, inv.ID)
	var eur int64
	for _, l := range full.Lines {
		if l.Currency != "EUR" {
			t.Fatalf("line in %s", l.Currency)
		}
		eur += l.Amount
	}
	want := (eur*10823 + 5000) / 10000
	if inv.Currency != "USD" || inv.Net != want || inv.FX != "1 EUR = 1.082300 USD ("+issueDay.Format(time.DateOnly)+")" || inv.Tax != domain.Tax(want, 2100) {
		t.Errorf("issued %+v, want net %d", inv, want)
	}
}

// Clients billed per order or per shipment get an invoice each.
func TestBillPerOrderAndShipment(t *testing.T) {
	t.Parallel()
	a := openAt(t, demoDBOf(t, 1500, "--no-billing"), testClock.Now)
	ctx := context.Background()
	clients := billingSetup(t, a)
	eu, jp := clients["SHOP-EU"], clients["BC-APAC"]
	eu.BillPer, jp.BillPer = "order", "shipment"
	for _, c := range []*domain.Client{&eu, &jp} {
		if err := a.Billing.SaveClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	invs, _, err := a.Billing.Generate(ctx, lastMonth, 0)
	if err != nil {
		t.Fatal(err)
	}
	per := map[int64]int{}
	for _, inv := range invs {
		per[inv.ClientID]++
	}
	if per[eu.ID] < 10 || per[jp.ID] < 10 || per[clients["WOO-AM"].ID] != 1 {
		t.Fatalf("invoices per client %v", per)
	}
	for _, inv := range invs {
		if inv.ClientID != jp.ID {
			continue
		}
		shipments := map[int64]bool{}
		for _, l := range inv.Lines {
			if l.SourceKind == "shipment" {
				shipments[l.SourceID] = true
			}
		}
		if len(shipments) != 1 {
			t.Errorf("a per-shipment invoice covers %d shipments", len(shipments))
		}
	}
}

// Flat shipping by weight for parcels shipped outside Portolan (never
// weighed): each is priced at its order's weight from the products.
func TestFlatShippingForUnweighedParcels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbPath := demoDBOf(t, 400, "--no-billing")
	a := openAt(t, dbPath, testClock.Now)
	c := clientOfEveryChannel(t, a, "FLAT", "Flat Rate GmbH")
	flat, err := domain.ParseFlatTable("* up to 500 g: 3.00; * up to 2000 g: 7.00; * up to 100000 g: 20.00", "EUR")
	if err != nil {
		t.Fatal(err)
	}
	card := domain.RateCard{ClientID: c.ID, EffectiveFrom: domaintest.MonthStart(-12), Currency: "EUR", Flat: flat}
	if err := a.Billing.SaveRateCard(ctx, &card); err != nil {
		t.Fatal(err)
	}
	if _, problems, err := a.Billing.Generate(ctx, lastMonth, 0); err != nil || len(problems) != 0 {
		t.Fatalf("generate: %v %v", problems, err)
	}
	rows, err := openRaw(t, dbPath).Query(`SELECT c.amount, (SELECT sum(ol.quantity * p.weight_g) FROM order_lines ol JOIN products p ON p.sku = ol.sku
		WHERE ol.order_id = c.order_id), (SELECT count(*) FROM shipments s WHERE s.order_id = c.order_id AND s.parcel_id IS NULL)
		FROM charges c WHERE c.type = 'shipping' AND c.client_id = ?`, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	priced := map[int64]int{}
	for rows.Next() {
		var amount, grams, parcels int64
		if err := rows.Scan(&amount, &grams, &parcels); err != nil {
			t.Fatal(err)
		}
		if parcels != 1 {
			continue
		}
		want := int64(2000)
		switch {
		case grams <= 500:
			want = 300
		case grams <= 2000:
			want = 700
		}
		if amount != want {
			t.Errorf("a parcel of %d g priced %d, want %d", grams, amount, want)
		}
		priced[want]++
	}
	if len(priced) < 2 {
		t.Errorf("parcels priced in %d weight band(s) only: %v", len(priced), priced)
	}
}

// The daily storage snapshot: accrual while the app runs charges every
// complete day of the month so far, without generating invoices.
func TestAccrueTodayChargesTheMonthsStorage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := domaintest.NewClock()
	a := openAt(t, demoDBOf(t, 100, "--no-billing"), clk.Now)
	c := domain.Client{Code: "STORE", Name: "Lagerhaltung GmbH", Currency: "EUR"}
	if err := a.Billing.SaveClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Billing.AssignProducts(ctx, c.ID, "PRT-1001"); err != nil {
		t.Fatal(err)
	}
	card := domain.RateCard{ClientID: c.ID, EffectiveFrom: domaintest.MonthStart(-12), Currency: "EUR", StoragePerBinDay: 5}
	if err := a.Billing.SaveRateCard(ctx, &card); err != nil {
		t.Fatal(err)
	}
	last := domaintest.MonthStart(-1)
	for _, now := range []time.Time{last.AddDate(0, 0, 19).Add(15 * time.Hour), last.Add(6 * time.Hour)} {
		clk.Set(now)
		a.Billing.AccrueToday(ctx)
	}
	// The last day of the month before (on the 1st); the 1st to the 19th of last month.
	for period, want := range map[string]int{domaintest.Month(-2): 1, lastMonth: 19} {
		charges, err := a.Billing.Charges(ctx, period, c.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(charges) != want {
			t.Errorf("%s: %d storage day(s) charged, want %d", period, len(charges), want)
		}
	}
}

// clientOfEveryChannel adds a client billed in euros for every channel's orders.
func clientOfEveryChannel(t *testing.T, a *app.App, code, name string) domain.Client {
	t.Helper()
	chans, err := a.Intake.Channels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := domain.Client{Code: code, Name: name, Currency: "EUR"}
	for _, ch := range chans {
		c.Channels = append(c.Channels, ch.ID)
	}
	if err := a.Billing.SaveClient(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// lastMonth is the month before the tests' today: the demo's last complete month.
var lastMonth = domaintest.Month(-1)
