package app

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// demoClients are the demo's merchants: one per channel, each billed in its
// own currency.
var demoClients = []struct {
	channel, code, name string
	currency            domain.Currency
	taxBP               int64
	country             domain.Country
	city, line1, postal string
}{
	{"SHOP-EU", "OUTFIT-EU", "Portolan Outfitters Europe B.V.", "EUR", 2100, "NL", "Amsterdam", "Keizersgracht 123", "1015 CJ"},
	{"WOO-AM", "OUTFIT-AM", "Portolan Outfitters Americas LLC", "USD", 0, "US", "Brooklyn, NY", "55 Water Street", "11201"},
	{"BC-APAC", "OUTFIT-JP", "ポルトラン・アウトフィッターズ株式会社", "JPY", 1000, "JP", "渋谷区", "神南1-2-3", "150-0041"},
}

// demoFX is a euro reference rate for a day: a fixed base with a small,
// deterministic daily wobble (so conversions and exchange differences show).
func demoFX(day time.Time) []domain.FXRate {
	wobble := int64(day.YearDay()%7) - 3 // −3 … +3
	return []domain.FXRate{
		{Day: day, Base: "EUR", Quote: "USD", Rate: big.NewRat(10823+wobble*9, 10000)},
		{Day: day, Base: "EUR", Quote: "JPY", Rate: big.NewRat(16250+wobble*40, 100)},
		{Day: day, Base: "EUR", Quote: "GBP", Rate: big.NewRat(8612+wobble*5, 10000)},
	}
}

// DemoHistory names the months of the demo's billing history, relative to
// the day it ends ("2026-12" current, "2026-11" drafted, …).
type DemoHistory struct {
	Issued         [2]string // invoiced and issued: the first paid, the second partly
	Drafted        string    // last month: charged, its invoices drafted
	Current        string    // this month: charges accruing
	CarrierInvoice string    // the month of DHL's invoice to reconcile

	carrierInvoicePath string
}

// monthsFrom is day d, h:m UTC, of the month n months from until's.
func monthsFrom(until time.Time, n, d, h, m int) time.Time {
	return time.Date(until.Year(), until.Month()+time.Month(n), d, h, m, 0, 0, time.UTC)
}

// demoHistory is the billing history's months for a history ending at until.
func demoHistory(until time.Time) DemoHistory {
	month := func(n int) string { return monthsFrom(until, n, 1, 0, 0).Format("2006-01") }
	return DemoHistory{Issued: [2]string{month(-3), month(-2)}, Drafted: month(-1), Current: month(0), CarrierInvoice: month(-2)}
}

// seedBilling gives the demo its billing history up to until: a client per
// channel with a rate card (its prices up by a tenth from last month on),
// exchange rates, the months three and two before charged, invoiced and
// issued, the first paid (the US client in euros, with its exchange
// difference), the second partly paid, last month charged and drafted, this
// month's charges accruing; and a DHL invoice for the month two before to
// reconcile, with a few overcharges and a parcel that is not ours, written
// next to the database.
func (a *App) seedBilling(ctx context.Context, until time.Time) (DemoHistory, error) {
	h := demoHistory(until)
	var err error
	h.carrierInvoicePath, err = a.seedBillingHistory(ctx, until, h)
	return h, err
}

func (a *App) seedBillingHistory(ctx context.Context, until time.Time, h DemoHistory) (string, error) {
	b := a.Billing
	chans, err := a.Intake.Channels(ctx)
	if err != nil {
		return "", err
	}
	from, _, _ := Month(h.Issued[0])
	rise, _, _ := Month(h.Drafted)
	var rates []domain.FXRate
	// Published on working days, as the ECB does, up to the demo's last day
	// (a weekend or a day after takes the latest rate before it).
	// From a week before the history, so its first day has a rate even
	// when it falls on a weekend.
	for d := from.AddDate(0, 0, -7); !d.After(until); d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			rates = append(rates, demoFX(d)...)
		}
	}
	if _, err := b.SaveFXRates(ctx, rates, false); err != nil {
		return "", err
	}
	if err := b.SetCompany(ctx, domain.Company{Name: "Portolan Logistics B.V.", VATNumber: "NL859623471B01",
		Address: domain.Address{Line1: "Celsiusweg 40", PostalCode: "5928 PR", City: "Venlo", Country: "NL"},
		Payment: "ABN AMRO Bank N.V.\nIBAN NL91 ABNA 0417 1643 00 · BIC ABNANL2A\nPlease quote the invoice number."}); err != nil {
		return "", err
	}
	for _, dc := range demoClients {
		c := domain.Client{Code: dc.code, Name: dc.name, Currency: dc.currency, TaxBP: dc.taxBP, PaymentDays: 30,
			Address: domain.Address{Name: dc.name, Line1: dc.line1, City: dc.city, PostalCode: dc.postal, Country: dc.country}}
		for _, ch := range chans {
			if ch.Code == dc.channel {
				c.Channels = append(c.Channels, ch.ID)
			}
		}
		if err := b.SaveClient(ctx, &c); err != nil {
			return "", err
		}
		switch dc.code {
		case "OUTFIT-EU": // the European entity owns the stock in every warehouse …
			if _, err := b.AssignProducts(ctx, c.ID, ""); err != nil {
				return "", err
			}
		case "OUTFIT-JP": // … but the products PRT-104xx, which are the Japanese entity's
			if _, err := b.AssignProducts(ctx, c.ID, "PRT-104"); err != nil {
				return "", err
			}
		}
		card := domain.RateCard{ClientID: c.ID, EffectiveFrom: from, Currency: dc.currency, MarkupBP: 1200, Packaging: map[string]int64{}}
		scale := func(cents int64) int64 { // EUR/USD cents → yen
			if dc.currency == "JPY" {
				return cents * 16 / 10
			}
			return cents
		}
		card.PerOrder, card.PerLine, card.PerUnit, card.PerParcel = scale(150), scale(25), scale(18), scale(40)
		card.MinimumMonthly = scale(150000)
		card.ReceivingUnit, card.PerInbound = scale(12), scale(2500)
		// Storage: by the unit in Europe, by the bin in Japan.
		if dc.currency == "JPY" {
			card.StoragePerBinDay = 8
		} else {
			card.StoragePer1000UnitDays = 30
		}
		for box, cents := range map[string]int64{"MAILER": 20, "S": 45, "M": 60, "L": 85, "XL": 120} {
			card.Packaging[box] = scale(cents)
		}
		if err := b.SaveRateCard(ctx, &card); err != nil {
			return "", err
		}
		// From last month on the rates go up by a tenth: earlier months keep the old ones.
		nov := card
		nov.ID, nov.EffectiveFrom = 0, rise
		nov.PerOrder, nov.PerUnit = card.PerOrder*11/10, card.PerUnit*11/10
		if err := b.SaveRateCard(ctx, &nov); err != nil {
			return "", err
		}
	}
	release := func() {}
	defer func() { release() }()
	issueAt := func(t time.Time) { release(); release = a.clock.at(t) }
	if err := a.demoInbounds(ctx, until); err != nil {
		return "", err
	}
	for _, m := range h.Issued {
		// Invoiced the morning after the month ends, every day of it stored.
		_, to, _ := Month(m)
		issueAt(to.Add(9 * time.Hour))
		invs, _, err := b.Generate(ctx, m, 0)
		if err != nil {
			return "", err
		}
		for _, inv := range invs {
			issued, err := b.Issue(ctx, inv.ID)
			if err != nil {
				return "", err
			}
			switch {
			case m == h.Issued[0] && issued.Currency == "USD":
				// Paid in euros: converted at the payment day's rate.
				eur, _, err := mustFX(ctx, b).Convert(domain.NewMoney(issued.Gross(), "USD"), "EUR", to.AddDate(0, 0, 20))
				if err != nil {
					return "", err
				}
				if _, err := b.RecordPayment(ctx, issued.ID, domain.NewMoney(eur.Amount, "EUR"), to.AddDate(0, 0, 20), "wire in EUR"); err != nil {
					return "", err
				}
			case m == h.Issued[0]:
				if _, err := b.RecordPayment(ctx, issued.ID, domain.NewMoney(issued.Gross(), issued.Currency), to.AddDate(0, 0, 25), "wire"); err != nil {
					return "", err
				}
			case issued.Currency == "EUR":
				if _, err := b.RecordPayment(ctx, issued.ID, domain.NewMoney(issued.Gross()/2, issued.Currency), to.AddDate(0, 0, 15), "first half"); err != nil {
					return "", err
				}
			}
		}
	}
	// Last month drafted the morning after it ended (or at the end of the
	// history, if that is earlier), then this month's charges so far.
	_, lastEnd, _ := Month(h.Drafted)
	drafted := lastEnd.Add(9 * time.Hour)
	if drafted.After(until) {
		drafted = until
	}
	issueAt(drafted)
	if _, _, err := b.Generate(ctx, h.Drafted, 0); err != nil {
		return "", err
	}
	issueAt(until)
	b.AccrueToday(ctx)
	return a.demoCarrierInvoice(ctx, h.CarrierInvoice)
}

// demoInbounds receives supplier deliveries in the three months before the
// end of the history (one of them short and closed so), dated when they
// arrived and put away the same morning, so receiving is charged per unit
// and per inbound.
func (a *App) demoInbounds(ctx context.Context, until time.Time) error {
	day := func(months, d, h, m int) time.Time { return monthsFrom(until, months, d, h, m) }
	for i, d := range []struct {
		at        time.Time
		warehouse string
		skus      []string
		short     int64
	}{
		{day(-3, 14, 8, 30), "NL-VEN", []string{"PRT-10001", "PRT-10002", "PRT-10003"}, 0},
		{day(-2, 6, 9, 15), "DE-LEJ", []string{"PRT-10011", "PRT-10012"}, 6},
		{day(-2, 20, 23, 40), "JP-ICH", []string{"PRT-10401", "PRT-10402", "PRT-10403"}, 0},
		{day(-1, 9, 7, 50), "NL-VEN", []string{"PRT-10021"}, 0},
	} {
		release := a.clock.at(d.at)
		in := domain.Inbound{Warehouse: d.warehouse, Reference: fmt.Sprintf("PO-%d-%04d", d.at.Year(), 311+i*17), Supplier: "Nordic Textile Works AB"}
		var lines []domain.ReceiptLine
		for j, sku := range d.skus {
			qty := int64(48 * (j + 2))
			in.Lines = append(in.Lines, domain.InboundLine{SKU: sku, Expected: domain.Quantity(qty)})
			if j == 0 {
				qty -= d.short
			}
			lines = append(lines, domain.ReceiptLine{SKU: sku, Qty: domain.Quantity(qty)})
		}
		if err := a.Inventory.CreateInbound(ctx, &in); err != nil {
			return fmt.Errorf("demo inbound %s: %w", in.Reference, err)
		}
		_, err := a.Inventory.Receive(ctx, domain.Receipt{Warehouse: d.warehouse, InboundID: in.ID, Lines: lines})
		if err == nil && d.short > 0 { // the supplier will not send the rest
			err = a.Inventory.CloseInbound(ctx, in.ID)
		}
		a.Wait() // the receipt's charges, accrued in the background
		release()
		if err != nil {
			return fmt.Errorf("demo receipt %s: %w", in.Reference, err)
		}
		// Put away the same morning, to the bins suggested.
		release = a.clock.at(d.at.Add(3 * time.Hour))
		err = a.demoPutaway(ctx, d.warehouse)
		release()
		if err != nil {
			return err
		}
	}
	return nil
}

func (a *App) demoPutaway(ctx context.Context, warehouse string) error {
	tasks, err := a.Inventory.PutawayTasks(ctx, warehouse)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if err := a.Inventory.Putaway(ctx, domain.Putaway{SKU: t.SKU, Warehouse: warehouse, Lot: t.Lot, ToBin: t.Suggested, Qty: t.Qty}); err != nil {
			return fmt.Errorf("demo putaway %s: %w", t.SKU, err)
		}
	}
	return nil
}

func mustFX(ctx context.Context, b *BillingService) *domain.FXTable {
	fx, err := b.fx(ctx)
	if err != nil {
		return domain.NewFXTable(nil)
	}
	return fx
}

// demoCarrierInvoice writes DHL's invoice for month as DHL would send it —
// every parcel of the month at the expected cost, three overcharged, one left
// out (missing) and one that is not ours — next to the database, and imports it.
func (a *App) demoCarrierInvoice(ctx context.Context, month string) (string, error) {
	b := a.Billing
	from, to, _ := Month(month)
	number := "DHL-INV-" + strings.ReplaceAll(month, "-", "") + "-0001"
	parcels, _, err := b.store.CarrierParcels(ctx, "DHL", nil, from, to)
	if err != nil || len(parcels) == 0 {
		return "", err
	}
	cost, err := b.costs(ctx)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	sb.WriteString("Invoice Number;Shipment Date;Waybill Number;Product;Currency;Total Charge\n")
	for i, p := range parcels {
		if i == 7 {
			continue // missing from the carrier's invoice
		}
		c := cost(p)
		amount := c.Amount
		if i%401 == 3 {
			amount += amount/5 + 150 // overcharged
		}
		fmt.Fprintf(&sb, "%s;%s;%s;EXPRESS WORLDWIDE;%s;%s\n", number, p.ShippedAt.Format("02.01.2006"), p.Tracking, c.Currency,
			strings.Replace(domain.NewMoney(amount, c.Currency).Decimal(), ".", ",", 1))
	}
	fmt.Fprintf(&sb, "%s;%s;%s;EXPRESS WORLDWIDE;EUR;38,90\n", number, from.AddDate(0, 0, 14).Format("02.01.2006"), domain.MakeTrackingNumber(domain.CarrierDHL, 987654321))
	dir := filepath.Dir(a.DBFile())
	if a.DBFile() == "" { // a team database: next to where a personal one would be
		def, err := DefaultDBPath()
		if err != nil {
			return "", err
		}
		dir = filepath.Dir(def)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", err
		}
	}
	path := filepath.Join(dir, "demo-dhl-invoice-"+month+".csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		return "", err
	}
	if _, err := b.ImportCarrierInvoice(ctx, path, "DHL", month); err != nil {
		return path, err
	}
	return path, nil
}
