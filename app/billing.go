package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// BillingService accrues charges from operations, drafts and issues
// invoices, records payments and exports workbooks.
type BillingService struct {
	domain.BillingReads // clients, rate cards, an invoice, carrier lines, payables
	domain.CatalogStore // channels
	store               domain.BillingStore
	alloc               domain.AllocationStore
	clocked                  // the App's clock
	accrues             bool // the person signed in may write charges (AccrueToday)
	// The adapters it works through, handed in by Open.
	readTable     domain.TableReader
	readFX        domain.FXFileReader
	docs          domain.Documents
	writeWorkbook domain.WorkbookWriter
}

// Month parses "2026-11" into the month's first day and the next month's.
func Month(period string) (time.Time, time.Time, error) {
	t, err := time.Parse("2006-01", strings.TrimSpace(period))
	if err != nil {
		return time.Time{}, time.Time{}, domain.Errorf(domain.EINVALID, "the period is a month like 2026-11, not %q", period)
	}
	return t, t.AddDate(0, 1, 0), nil
}

// fx reads the exchange rates table.
func (s *BillingService) fx(ctx context.Context) (*domain.FXTable, error) {
	rates, err := s.store.FXRates(ctx)
	if err != nil {
		return nil, err
	}
	return domain.NewFXTable(rates), nil
}

// ToPlanning converts amounts into the planning currency (the one shipping
// rates and the allocation's costs are in) at today's exchange rate; ok is
// false for a currency without a rate.
func (s *BillingService) ToPlanning(ctx context.Context) (func(domain.Money) (domain.Money, bool), error) {
	_, convert, err := s.planning(ctx)
	return convert, err
}

// planning is the planning currency and ToPlanning's conversion into it.
func (s *BillingService) planning(ctx context.Context) (domain.Currency, func(domain.Money) (domain.Money, bool), error) {
	cfg, err := s.alloc.AllocConfig(ctx)
	if err != nil {
		return "", nil, err
	}
	fx, err := s.fx(ctx)
	if err != nil {
		return "", nil, err
	}
	today := s.now()
	return cfg.Currency, func(m domain.Money) (domain.Money, bool) {
		if m.Currency == cfg.Currency {
			return m, true
		}
		v, _, err := fx.Convert(m, cfg.Currency, today)
		return v, err == nil
	}, nil
}

// expectedCost prices parcels as the carriers are expected to charge them:
// what its label cost when it was bought from the carrier through Portolan;
// else the shipping rate of the warehouse and destination (the allocation's
// rates, or its defaults by distance), in the planning currency; a parcel
// shipped outside Portolan takes the cheapest lane to its country.
type expectedCost func(p domain.ShippedParcel) domain.Money

func (s *BillingService) costs(ctx context.Context) (expectedCost, error) {
	whs, err := s.CatalogStore.Warehouses(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := s.alloc.AllocConfig(ctx)
	if err != nil {
		return nil, err
	}
	rates, err := s.alloc.Rates(ctx)
	if err != nil {
		return nil, err
	}
	code := map[int64]string{}
	for _, w := range whs {
		code[w.ID] = w.Code
	}
	lane := map[string]int64{}
	if len(rates) == 0 {
		rates = domain.DefaultRates(whs, domain.Countries())
	}
	for _, r := range rates {
		lane[r.Warehouse+"|"+string(r.Country)] = r.Cost
	}
	return func(p domain.ShippedParcel) domain.Money {
		if p.Bought.Currency != "" { // its label was bought from the carrier: that is the price
			return p.Bought
		}
		if w, ok := code[p.Warehouse]; ok {
			for _, k := range []string{w + "|" + string(p.To), w + "|*"} {
				if c, ok := lane[k]; ok {
					return domain.NewMoney(c, cfg.Currency)
				}
			}
		}
		best := int64(-1)
		for _, w := range whs {
			for _, k := range []string{w.Code + "|" + string(p.To), w.Code + "|*"} {
				if c, ok := lane[k]; ok && (best < 0 || c < best) {
					best = c
					break
				}
			}
		}
		return domain.NewMoney(max(best, 0), cfg.Currency)
	}, nil
}

// Accrue charges the orders shipped in [from, to) under their clients'
// rate cards; what was charged before is left alone. Orders whose client
// has no card on the day are listed as problems.
//
// It is one transaction: an accrual that runs while the month is priced
// again (a background accrual after a dispatch, say) comes wholly before
// or wholly after, never with prices read before the change.
func (s *BillingService) Accrue(ctx context.Context, from, to time.Time) (n int, problems []string, err error) {
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		n, problems, err = s.accrue(ctx, from, to)
		return err
	})
	return n, problems, err
}

func (s *BillingService) accrue(ctx context.Context, from, to time.Time) (int, []string, error) {
	orders, err := s.store.ShippedOrders(ctx, from, to)
	if err != nil {
		return 0, nil, err
	}
	cards, err := s.store.RateCards(ctx, 0)
	if err != nil {
		return 0, nil, err
	}
	byClient := map[int64][]domain.RateCard{}
	for _, c := range cards {
		byClient[c.ClientID] = append(byClient[c.ClientID], c)
	}
	fx, err := s.fx(ctx)
	if err != nil {
		return 0, nil, err
	}
	cost, err := s.costs(ctx)
	if err != nil {
		return 0, nil, err
	}
	// Parcels shipped outside Portolan were never weighed: for flat shipping
	// by weight, each is the order's weight from its products, shared out.
	var unweighed []int64
	for _, o := range orders {
		card, ok := domain.CardOn(byClient[o.ClientID], o.Shipped)
		if !ok || len(card.Flat) == 0 {
			continue
		}
		for _, p := range o.Parcels {
			if p.Weight == 0 {
				unweighed = append(unweighed, o.OrderID)
				break
			}
		}
	}
	if len(unweighed) > 0 {
		weights, err := s.store.OrderWeights(ctx, unweighed)
		if err != nil {
			return 0, nil, err
		}
		for i := range orders {
			domain.EstimateParcelWeights(&orders[i], weights[orders[i].OrderID])
		}
	}
	var charges []domain.Charge
	var accrued []int64
	problems := map[string]int{}
	for _, o := range orders {
		card, ok := domain.CardOn(byClient[o.ClientID], o.Shipped)
		if !ok {
			problems[fmt.Sprintf("client %d has no rate card on %s", o.ClientID, domain.Day(o.Shipped).Format(time.DateOnly))]++
			continue
		}
		for i := range o.Parcels {
			o.Parcels[i].Cost = cost(o.Parcels[i])
		}
		cs, err := domain.OrderCharges(o, card, fx)
		if err != nil {
			problems[err.Error()]++
			continue
		}
		charges = append(charges, cs...)
		for _, p := range o.Parcels {
			accrued = append(accrued, p.ID)
		}
	}
	// Storage of complete days, by the unit and by the bin, and stock received.
	today := domain.Day(s.now())
	for _, by := range []struct {
		count  func(ctx context.Context, from, to time.Time) (map[int64]map[time.Time]int64, error)
		rate   func(domain.RateCard) int64
		charge func(client int64, day time.Time, n int64, card domain.RateCard) domain.Charge
	}{
		{s.store.StockDays, func(c domain.RateCard) int64 { return c.StoragePer1000UnitDays }, domain.StorageCharge},
		{s.store.BinDays, func(c domain.RateCard) int64 { return c.StoragePerBinDay }, domain.BinStorageCharge},
	} {
		counts, err := by.count(ctx, from, to)
		if err != nil {
			return 0, nil, err
		}
		for client, perDay := range counts {
			for day, n := range perDay {
				card, ok := domain.CardOn(byClient[client], day)
				if !ok || !day.Before(today) || n <= 0 || by.rate(card) == 0 {
					continue
				}
				charges = append(charges, by.charge(client, day, n, card))
			}
		}
	}
	receipts, err := s.store.Receipts(ctx, from, to)
	if err != nil {
		return 0, nil, err
	}
	for _, r := range receipts {
		if card, ok := domain.CardOn(byClient[r.ClientID], r.Day); ok {
			charges = append(charges, domain.ReceivingCharges(r, card)...)
		}
	}
	n, err := s.store.AddCharges(ctx, charges, accrued)
	var out []string
	for p, k := range problems {
		out = append(out, fmt.Sprintf("%s (%d order(s) not charged)", p, k))
	}
	sort.Strings(out)
	return n, out, err
}

// Generate accrues a month's charges and drafts its invoices: per client
// billed per period one invoice (lifted to the card's monthly minimum) —
// a draft of the month takes the charges that came since, an issued
// invoice stays as it is and new charges go on a new draft — and per order
// or shipment one each (made again). clientID 0: every client.
func (s *BillingService) Generate(ctx context.Context, period string, clientID int64) ([]domain.Invoice, []string, error) {
	from, to, err := Month(period)
	if err != nil {
		return nil, nil, err
	}
	if _, problems, err := s.Accrue(ctx, from, to); err != nil {
		return nil, problems, err
	} else {
		clients, err := s.store.Clients(ctx)
		if err != nil {
			return nil, problems, err
		}
		var out []domain.Invoice
		for _, c := range clients {
			if clientID != 0 && c.ID != clientID {
				continue
			}
			// One transaction per client: its drafts are made whole or not at all.
			var invs []domain.Invoice
			err := s.store.InTx(ctx, func(ctx context.Context) error {
				var err error
				invs, err = s.draft(ctx, c, from, to)
				return err
			})
			if err != nil {
				return out, problems, err
			}
			out = append(out, invs...)
		}
		return out, problems, nil
	}
}

func (s *BillingService) draft(ctx context.Context, c domain.Client, from, to time.Time) ([]domain.Invoice, error) {
	fx, err := s.fx(ctx)
	if err != nil {
		return nil, err
	}
	// Charges in another currency than the client's are converted at the
	// period's last day.
	sum := func(totals map[domain.Currency]int64) (int64, error) {
		var net int64
		for cur, amt := range totals {
			v, err := s.inCurrency(domain.Charge{Amount: amt, Currency: cur}, c.Currency, to, fx)
			if err != nil {
				return 0, err
			}
			net += v
		}
		return net, nil
	}
	if c.BillPer != "period" {
		if err := s.store.DropDrafts(ctx, c.ID, from, to); err != nil {
			return nil, err
		}
		return s.draftPerOrder(ctx, c, from, to, fx)
	}
	draft, err := s.store.PeriodDraft(ctx, c.ID, from)
	if err != nil {
		return nil, err
	}
	if err := s.store.DropDraftMinimum(ctx, c.ID, draft, from, to); err != nil {
		return nil, err
	}
	// The monthly minimum, on the card in force at the month's end, against
	// everything the month charged (invoiced already or not) — once.
	sums, err := s.store.PeriodSums(ctx, c.ID, from, to)
	if err != nil {
		return nil, err
	}
	minBilled := sums.MinimumIssued
	allNet, err := sum(sums.WithoutMinimum)
	if err != nil {
		return nil, err
	}
	cards, err := s.store.RateCards(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	open, n := sums.Unbilled, sums.UnbilledCount
	if card, ok := domain.CardOn(cards, to.AddDate(0, 0, -1)); ok && card.MinimumMonthly > 0 && !minBilled {
		if top, ok := domain.MinimumTopUp(c.ID, from, allNet, card); ok {
			if _, err := s.store.AddCharges(ctx, []domain.Charge{top}, nil); err != nil {
				return nil, err
			}
			open[top.Currency] += top.Amount
			n++
		}
	}
	inv := domain.Invoice{ID: draft, ClientID: c.ID, ClientName: c.Name, PeriodFrom: from, PeriodTo: to, Currency: c.Currency, Status: domain.InvoiceDraft}
	switch {
	case draft != 0:
		err = s.store.RefreshDraft(ctx, &inv, func(totals map[domain.Currency]int64) (int64, int64, error) {
			net, err := sum(totals)
			return net, domain.Tax(net, c.TaxBP), err
		})
		if err != nil {
			return nil, err
		}
		return []domain.Invoice{inv}, nil
	case n == 0:
		return nil, nil
	}
	if inv.Net, err = sum(open); err != nil {
		return nil, err
	}
	inv.Tax = domain.Tax(inv.Net, c.TaxBP)
	if _, err := s.store.CreatePeriodInvoice(ctx, &inv); err != nil {
		return nil, err
	}
	return []domain.Invoice{inv}, nil
}

// DiscardDrafts removes a month's draft invoices (their charges wait for the next).
func (s *BillingService) DiscardDrafts(ctx context.Context, period string) error {
	from, to, err := Month(period)
	if err != nil {
		return err
	}
	return s.store.DropDrafts(ctx, 0, from, to)
}

// draftPerOrder drafts an invoice per order, or per shipment, for clients
// billed that way.
func (s *BillingService) draftPerOrder(ctx context.Context, c domain.Client, from, to time.Time, fx *domain.FXTable) ([]domain.Invoice, error) {
	var open []domain.Charge
	err := s.store.EachCharge(ctx, domain.ChargeFilter{ClientID: c.ID, From: from, To: to}, func(ch domain.Charge) error {
		if ch.InvoiceID == 0 {
			open = append(open, ch)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Per order: the order's charges; per shipment: each shipment's, the
	// order's own charges (per order, line, unit) going with its first.
	first := map[int64]int64{}
	for _, ch := range open {
		if ch.SourceKind == "shipment" && (first[ch.OrderID] == 0 || ch.SourceID < first[ch.OrderID]) {
			first[ch.OrderID] = ch.SourceID
		}
	}
	key := func(ch domain.Charge) int64 {
		if c.BillPer != "shipment" {
			return ch.OrderID
		}
		if ch.SourceKind == "shipment" {
			return -ch.SourceID
		}
		if f := first[ch.OrderID]; f != 0 {
			return -f
		}
		return ch.OrderID
	}
	groups := map[int64][]domain.Charge{}
	var keys []int64
	for _, ch := range open {
		k := key(ch)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], ch)
	}
	var out []domain.Invoice
	for _, k := range keys {
		inv := domain.Invoice{ClientID: c.ID, ClientName: c.Name, PeriodFrom: from, PeriodTo: to, Currency: c.Currency}
		var ids []int64
		for _, ch := range groups[k] {
			amt, err := s.inCurrency(ch, c.Currency, to, fx)
			if err != nil {
				return out, err
			}
			inv.Net += amt
			ids = append(ids, ch.ID)
		}
		inv.Tax = domain.Tax(inv.Net, c.TaxBP)
		inv.Lines = groups[k]
		if err := s.store.CreateInvoice(ctx, &inv, ids); err != nil {
			return out, err
		}
		out = append(out, inv)
	}
	return out, nil
}

// inCurrency is a charge's amount in the invoice currency (converted at
// the period's last day when the card's currency differs).
func (s *BillingService) inCurrency(ch domain.Charge, cur domain.Currency, to time.Time, fx *domain.FXTable) (int64, error) {
	if ch.Currency == cur {
		return ch.Amount, nil
	}
	m, _, err := fx.Convert(domain.NewMoney(ch.Amount, ch.Currency), cur, to.AddDate(0, 0, -1))
	return m.Amount, err
}

// Issue numbers and dates a draft invoice; it never changes after.
func (s *BillingService) Issue(ctx context.Context, id int64) (domain.Invoice, error) {
	inv, err := s.store.Invoice(ctx, id)
	if err != nil {
		return inv, err
	}
	clients, err := s.store.Clients(ctx)
	if err != nil {
		return inv, err
	}
	days, taxBP := 30, int64(0)
	for _, c := range clients {
		if c.ID == inv.ClientID {
			days, taxBP = c.PaymentDays, c.TaxBP
		}
	}
	// Charges in another currency are converted at the rates of the
	// invoice date, which the invoice states.
	totals := map[domain.Currency]int64{}
	for _, l := range inv.Lines {
		totals[l.Currency] += l.Amount
	}
	foreign := false
	for cur := range totals {
		foreign = foreign || cur != inv.Currency
	}
	if foreign {
		fx, err := s.fx(ctx)
		if err != nil {
			return inv, err
		}
		var net int64
		var rates []string
		for cur, amt := range totals {
			if cur == inv.Currency {
				net += amt
				continue
			}
			m, r, err := fx.Convert(domain.NewMoney(amt, cur), inv.Currency, s.now())
			if err != nil {
				return inv, err
			}
			net += m.Amount
			rates = append(rates, fmt.Sprintf("1 %s = %s %s", cur, r.FloatString(6), inv.Currency))
		}
		sort.Strings(rates)
		note := strings.Join(rates, "; ") + " (" + domain.Day(s.now()).Format(time.DateOnly) + ")"
		if err := s.store.SetDraftTotals(ctx, id, net, domain.Tax(net, taxBP), note); err != nil {
			return inv, err
		}
	}
	return s.store.IssueInvoice(ctx, id, s.now(), days)
}

// RecordPayment applies money received to an issued invoice. A payment in
// another currency is converted at the rate of its day; the difference
// against the rate of the invoice date is recorded as an exchange gain or
// loss, never lost.
func (s *BillingService) RecordPayment(ctx context.Context, invoiceID int64, amount domain.Money, at time.Time, note string) (domain.Payment, error) {
	inv, err := s.store.Invoice(ctx, invoiceID)
	if err != nil {
		return domain.Payment{}, err
	}
	if amount.Amount <= 0 {
		return domain.Payment{}, domain.Errorf(domain.EINVALID, "a payment is a positive amount")
	}
	p := domain.Payment{InvoiceID: invoiceID, At: at, Amount: amount, Rate: "1", Applied: amount.Amount, Note: note}
	if amount.Currency != inv.Currency {
		fx, err := s.fx(ctx)
		if err != nil {
			return p, err
		}
		now, rate, err := fx.Convert(amount, inv.Currency, at)
		if err != nil {
			return p, err
		}
		then, _, err := fx.Convert(amount, inv.Currency, inv.Date)
		if err != nil {
			return p, err
		}
		p.Applied, p.Rate, p.ExchangeDiff = now.Amount, rate.FloatString(6), now.Amount-then.Amount
	}
	return p, s.store.AddPayment(ctx, &p)
}

// CreditNote corrects an issued invoice by an amount (net, in the
// invoice's currency; 0 for all of it): a numbered credit note with its tax.
func (s *BillingService) CreditNote(ctx context.Context, invoiceID, net int64, reason string) (domain.Invoice, error) {
	inv, err := s.store.Invoice(ctx, invoiceID)
	if err != nil {
		return inv, err
	}
	if inv.Number == "" || inv.Status == domain.InvoiceCredit {
		return inv, domain.Errorf(domain.ECONFLICT, "only an issued invoice can be credited")
	}
	if net <= 0 || net > inv.Net {
		net = inv.Net
	}
	clients, err := s.store.Clients(ctx)
	if err != nil {
		return inv, err
	}
	var tax int64
	for _, c := range clients {
		if c.ID == inv.ClientID {
			tax = domain.Tax(net, c.TaxBP)
		}
	}
	cn := domain.Invoice{ClientID: inv.ClientID, PeriodFrom: inv.PeriodFrom, PeriodTo: inv.PeriodTo, Currency: inv.Currency,
		Net: -net, Tax: -tax, Status: domain.InvoiceCredit, Corrects: inv.ID}
	if err := s.store.CreateInvoice(ctx, &cn, nil); err != nil {
		return cn, err
	}
	_ = reason
	return s.store.IssueInvoice(ctx, cn.ID, s.now(), 0)
}

// Ageing sums the open amounts of issued invoices per client and age.
func (s *BillingService) Ageing(ctx context.Context, at time.Time) ([]domain.AgeingRow, error) {
	invs, err := s.store.Invoices(ctx, 0, time.Time{}, at.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	rows := map[string]*domain.AgeingRow{}
	var keys []string
	for _, i := range invs {
		if i.Number == "" || i.Open() <= 0 || i.Status == domain.InvoiceCredit {
			continue
		}
		k := i.ClientName + "|" + string(i.Currency)
		r := rows[k]
		if r == nil {
			r = &domain.AgeingRow{Client: i.ClientName, Currency: i.Currency}
			rows[k] = r
			keys = append(keys, k)
		}
		r.Buckets[domain.AgeBucket(i.Due, at)] += i.Open()
	}
	sort.Strings(keys)
	out := make([]domain.AgeingRow, len(keys))
	for i, k := range keys {
		out[i] = *rows[k]
	}
	return out, nil
}

// SaveClient adds or changes a client.
func (s *BillingService) SaveClient(ctx context.Context, c *domain.Client) error {
	return s.store.SaveClient(ctx, c)
}

// SaveRateCard adds or replaces a rate card.
func (s *BillingService) SaveRateCard(ctx context.Context, r *domain.RateCard) error {
	return s.store.SaveRateCard(ctx, r)
}

// SaveFXRates stores exchange rates (a day already stored takes the new
// rate). Every rate is checked; one that moved more than domain.MaxRateJump
// from the pair's rate of the day before is saved only with acceptJumps:
// without it a *domain.FXJumpError lists them and nothing is saved.
func (s *BillingService) SaveFXRates(ctx context.Context, rates []domain.FXRate, acceptJumps bool) (int, error) {
	if len(rates) == 0 {
		return 0, nil
	}
	from, to := rates[0].Day, rates[0].Day
	for _, r := range rates {
		if err := r.Validate(); err != nil {
			return 0, err
		}
		from, to = minTime(from, r.Day), maxTime(to, r.Day)
	}
	if !acceptJumps {
		earlier, err := s.store.FXRatesBetween(ctx, from.AddDate(0, 0, -31), to.AddDate(0, 0, 1))
		if err != nil {
			return 0, err
		}
		if jumps := domain.FXJumps(earlier, rates); len(jumps) > 0 {
			return 0, &domain.FXJumpError{Jumps: jumps}
		}
	}
	return s.store.SaveFXRates(ctx, rates)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// ImportFXFile stores the euro reference rates of an ECB file (XML, CSV, the
// zip the ECB serves, or the table as .xlsx) in one transaction: a file
// that cannot be read stores nothing; a day already stored takes the
// file's rate; values that are not rates are left out and listed; rates
// that jumped need acceptJumps (see SaveFXRates).
func (s *BillingService) ImportFXFile(ctx context.Context, path string, acceptJumps bool) (domain.FXImport, error) {
	f, err := s.readFX(path)
	if err != nil {
		return domain.FXImport{}, err
	}
	res := domain.FXImport{Skipped: f.Skipped, Problems: f.Problems, From: f.Rates[0].Day, To: f.Rates[0].Day}
	for _, r := range f.Rates {
		res.From, res.To = minTime(res.From, r.Day), maxTime(res.To, r.Day)
	}
	res.Saved, err = s.SaveFXRates(ctx, f.Rates, acceptJumps)
	return res, err
}

// FXRatesIn lists the exchange rates of a month, latest day first.
func (s *BillingService) FXRatesIn(ctx context.Context, period string) ([]domain.FXRate, error) {
	from, to, err := Month(period)
	if err != nil {
		return nil, err
	}
	return s.store.FXRatesBetween(ctx, from, to)
}

// Invoices lists a month's invoices ("" every month).
func (s *BillingService) Invoices(ctx context.Context, period string) ([]domain.Invoice, error) {
	from, to := time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if period != "" {
		var err error
		if from, to, err = Month(period); err != nil {
			return nil, err
		}
	}
	return s.store.Invoices(ctx, 0, from, to)
}

// CarrierImport is what importing a carrier invoice found.
type CarrierImport struct {
	Lines    []domain.Reconciled
	Counts   map[domain.ReconcileClass]int
	Over     int64 // sum of overcharges, in the invoice's currency
	Problems []string
}

// ImportCarrierInvoice reads a carrier's invoice (CSV or XLSX), matches its
// lines with the carrier's parcels by tracking number against their
// expected costs (0.5 % tolerance) — matched, over (with the difference),
// not ours — and lists the parcels of the period it does not charge
// (missing). Rows it cannot read are reported; the rest is stored.
func (s *BillingService) ImportCarrierInvoice(ctx context.Context, path, carrier, period string) (CarrierImport, error) {
	return s.ImportCarrierInvoiceMapped(ctx, path, carrier, period, nil)
}

// ImportCarrierInvoiceMapped is ImportCarrierInvoice with a column mapping
// (field → header), remembered for the carrier; without one, the carrier's
// remembered mapping is used, and what it does not name is guessed.
func (s *BillingService) ImportCarrierInvoiceMapped(ctx context.Context, path, carrier, period string, mapping map[string]string) (CarrierImport, error) {
	var out CarrierImport
	from, to, err := Month(period)
	if err != nil {
		return out, err
	}
	t, err := s.readTable(path, "")
	if err != nil {
		return out, err
	}
	headers, rows := t.Headers, t.Rows
	cfg, err := s.alloc.AllocConfig(ctx)
	if err != nil {
		return out, err
	}
	remembered := mapping != nil
	if mapping == nil {
		if mapping, err = s.store.CarrierMapping(ctx, carrier); err != nil {
			return out, err
		}
	}
	lines, problems, err := domain.ParseCarrierInvoiceMapped(headers, rows, cfg.Currency, mapping)
	if err != nil {
		return out, err
	}
	if remembered {
		if err := s.store.SetCarrierMapping(ctx, carrier, mapping); err != nil {
			return out, err
		}
	}
	for _, p := range problems {
		out.Problems = append(out.Problems, p.String())
	}
	if len(problems) > 0 {
		// All or nothing: a file imported in part and again once fixed would
		// charge its good lines twice.
		shown := out.Problems[:min(len(out.Problems), 10)]
		return out, domain.Errorf(domain.EINVALID, "%d row(s) of %s could not be read, so nothing was imported; fix them and import the file again:\n  %s",
			len(problems), filepath.Base(path), strings.Join(shown, "\n  "))
	}
	numbers := make([]string, len(lines))
	for i, l := range lines {
		numbers[i] = l.Tracking
	}
	parcels, orders, err := s.store.CarrierParcels(ctx, carrier, numbers, from, to)
	if err != nil {
		return out, err
	}
	cost, err := s.costs(ctx)
	if err != nil {
		return out, err
	}
	for i := range parcels {
		parcels[i].Cost = cost(parcels[i])
	}
	fx, err := s.fx(ctx)
	if err != nil {
		return out, err
	}
	// Parcels this carrier has already charged on an earlier invoice: charged
	// again, they are over by all of it; not charged here, not missing.
	var known []string
	for _, l := range lines {
		known = append(known, domain.NormalizeTracking(l.Tracking))
	}
	for _, p := range parcels {
		known = append(known, domain.NormalizeTracking(p.Tracking))
	}
	already, err := s.store.ChargedTrackings(ctx, carrier, known)
	if err != nil {
		return out, err
	}
	rec, err := domain.Reconcile(lines, parcels, orders, 50, fx, already)
	if err != nil {
		return out, err
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return out, err
	}
	sum := sha256.Sum256(body)
	if _, err := s.store.SaveCarrierInvoice(ctx, carrier, path, hex.EncodeToString(sum[:]), period, rec); err != nil {
		return out, err
	}
	out.Lines, out.Counts = rec, map[domain.ReconcileClass]int{}
	for _, r := range rec {
		out.Counts[r.Class]++
		if r.Class == domain.ReconOver {
			out.Over += r.Diff
		}
	}
	return out, nil
}

// ExportWorkbook writes a month's billing workbook: invoices, every
// charge (streamed), the ageing at the month's end and the carrier
// reconciliation; progress is told how many charge lines are written.
func (s *BillingService) ExportWorkbook(ctx context.Context, company, period string, w io.Writer, progress func(lines int)) error {
	from, to, err := Month(period)
	if err != nil {
		return err
	}
	clients, err := s.store.Clients(ctx)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, c := range clients {
		names[c.ID] = c.Name
	}
	invs, err := s.store.Invoices(ctx, 0, from, to)
	if err != nil {
		return err
	}
	numbers := map[int64]string{}
	wb := domain.BillingWorkbook{Company: company, Period: period, Generated: s.now(), Progress: progress}
	for _, i := range invs {
		numbers[i.ID] = i.Number
		number, by := i.Number, i.IssuedBy
		if number == "" {
			number, by = fmt.Sprintf("draft %d", i.ID), i.DraftedBy
		}
		wb.Invoices = append(wb.Invoices, domain.WorkbookInvoice{Client: i.ClientName, Number: number, Status: strings.ReplaceAll(string(i.Status), "_", " "),
			Currency: i.Currency, Net: i.Net, Tax: i.Tax, Paid: i.Paid, IssuedBy: by})
	}
	ageing, err := s.Ageing(ctx, to.AddDate(0, 0, -1))
	if err != nil {
		return err
	}
	for _, a := range ageing {
		wb.Ageing = append(wb.Ageing, domain.WorkbookAgeing(a))
	}
	recon, err := s.store.CarrierLines(ctx, period)
	if err != nil {
		return err
	}
	for _, r := range recon {
		cur := r.Charged.Currency
		if cur == "" {
			cur = r.Expected.Currency
		}
		wb.Carrier = append(wb.Carrier, domain.WorkbookRecon{Carrier: r.Carrier, Class: string(r.Class), Tracking: r.Tracking, Order: r.Order,
			Currency: cur, Charged: r.Charged.Amount, Expected: r.Expected.Amount, Diff: r.Diff})
	}
	wb.Lines = func(yield func(domain.WorkbookLine) error) error {
		return s.store.EachCharge(ctx, domain.ChargeFilter{From: from, To: to}, func(c domain.Charge) error {
			inv := numbers[c.InvoiceID]
			if c.InvoiceID != 0 && inv == "" {
				inv = fmt.Sprintf("draft %d", c.InvoiceID)
			}
			return yield(domain.WorkbookLine{Date: c.Date, Client: names[c.ClientID], Invoice: inv, Type: string(c.Type), Reference: c.Ref,
				Qty: c.Qty, Rate: c.Rate, Amount: c.Amount, Currency: c.Currency, RatePer: c.RatePer()})
		})
	}
	return s.writeWorkbook(w, wb)
}

// InvoicePDF writes an invoice (or credit note) as a PDF, issued by seller.
func (s *BillingService) InvoicePDF(ctx context.Context, id int64, seller domain.Company, w io.Writer) error {
	inv, err := s.store.Invoice(ctx, id)
	if err != nil {
		return err
	}
	clients, err := s.store.Clients(ctx)
	if err != nil {
		return err
	}
	for _, c := range clients {
		if c.ID == inv.ClientID {
			return s.docs.Invoice(w, inv, seller, c)
		}
	}
	return domain.Errorf(domain.ENOTFOUND, "invoice %d has no client", id)
}

// Charges lists a month's charges (of a client, 0 all), page by page.
func (s *BillingService) Charges(ctx context.Context, period string, clientID int64, offset, limit int) ([]domain.Charge, error) {
	from, to, err := Month(period)
	if err != nil {
		return nil, err
	}
	return s.store.Charges(ctx, domain.ChargeFilter{ClientID: clientID, From: from, To: to}, offset, limit)
}

// Receivables is the ageing at at (Ageing) and the open invoices past
// their due date, by days past due (domain.AgeBuckets).
func (s *BillingService) Receivables(ctx context.Context, at time.Time) (domain.FinanceOverview, error) {
	rows, err := s.Ageing(ctx, at)
	if err != nil {
		return domain.FinanceOverview{}, err
	}
	invs, err := s.store.Invoices(ctx, 0, time.Time{}, at.AddDate(1, 0, 0))
	if err != nil {
		return domain.FinanceOverview{}, err
	}
	f := domain.FinanceOverview{ClientsOwing: len(rows), OverdueByAge: make([]int, len(domain.AgeBuckets))}
	for _, i := range invs {
		if i.Number == "" || i.Open() <= 0 || i.Status == domain.InvoiceCredit || !domain.Day(i.Due).Before(domain.Day(at)) {
			continue
		}
		f.Overdue++
		f.OverdueByAge[domain.AgeBucket(i.Due, at)]++
	}
	return f, nil
}

// Finance is the Overview's finance at at: the receivables (Receivables),
// the carrier invoice lines still to decide, and this month's charges so
// far against last month's by the same day.
func (s *BillingService) Finance(ctx context.Context, at time.Time) (domain.FinanceOverview, error) {
	f, err := s.Receivables(ctx, at)
	if err != nil {
		return f, err
	}
	if f.CarrierLinesOpen, err = s.store.OpenCarrierLines(ctx); err != nil {
		return f, err
	}
	currency, toPlanning, err := s.planning(ctx)
	if err != nil {
		return f, err
	}
	day := domain.Day(at)
	month, last := domain.MonthStart(at, 0), domain.MonthStart(at, -1)
	// Last month to the same day: to its end when it is shorter.
	lastTo := last.AddDate(0, 0, day.Day())
	if lastTo.After(month) {
		lastTo = month
	}
	c := domain.ChargesSoFar{Month: month.Format("2006-01")}
	sum := func(from, to time.Time) (domain.Money, int, error) {
		sums, n, err := s.store.SumCharges(ctx, from, to)
		if err != nil {
			return domain.Money{}, 0, err
		}
		total := domain.Money{Currency: currency}
		for _, cur := range slices.Sorted(maps.Keys(sums)) {
			m, ok := toPlanning(domain.NewMoney(sums[cur], cur))
			if !ok {
				if !slices.Contains(c.Unpriced, string(cur)) {
					c.Unpriced = append(c.Unpriced, string(cur))
				}
				continue
			}
			total.Amount += m.Amount
		}
		return total, n, nil
	}
	// This month's: all of them (none is dated after today), as the
	// Charges tab counts the month.
	if c.ThisMonth, c.Count, err = sum(month, domain.MonthStart(at, 1)); err != nil {
		return f, err
	}
	if c.LastMonth, _, err = sum(last, lastTo); err != nil {
		return f, err
	}
	f.Charges = c
	return f, nil
}

// AgeingAt is Ageing (for the window).
func (s *BillingService) AgeingAt(ctx context.Context, at time.Time) ([]domain.AgeingRow, error) {
	return s.Ageing(ctx, at)
}

// InvoicePDFFor writes an invoice's PDF issued by company (at the first
// warehouse's address).
func (s *BillingService) InvoicePDFFor(ctx context.Context, id int64, w io.Writer) error {
	c, err := s.Company(ctx)
	if err != nil {
		return err
	}
	return s.InvoicePDF(ctx, id, c, w)
}

// Company is the invoicing company as saved; until it is, "Portolan" at
// the first warehouse's address.
func (s *BillingService) Company(ctx context.Context) (domain.Company, error) {
	c, ok, err := s.store.Company(ctx)
	if err != nil || ok {
		return c, err
	}
	c.Name = "Portolan"
	whs, err := s.CatalogStore.Warehouses(ctx)
	if err != nil {
		return c, err
	}
	if len(whs) > 0 { // the postal address only
		w := whs[0].Address
		c.Address = domain.Address{Line1: w.Line1, Line2: w.Line2, City: w.City, Region: w.Region, PostalCode: w.PostalCode, Country: w.Country}
	}
	return c, nil
}

// SetCompany saves the invoicing company.
func (s *BillingService) SetCompany(ctx context.Context, c domain.Company) error {
	return s.store.SetCompany(ctx, c)
}

// ImportCarrierFile is ImportCarrierInvoice with plain results (for the window).
func (s *BillingService) ImportCarrierFile(ctx context.Context, path, carrier, period string, mapping map[string]string) (map[domain.ReconcileClass]int, []string, error) {
	res, err := s.ImportCarrierInvoiceMapped(ctx, path, carrier, period, mapping)
	return res.Counts, res.Problems, err
}

// CarrierFileColumns reads a carrier invoice's headers, its first row (to
// show what each column holds) and the column guessed (or remembered for
// the carrier) for each field.
func (s *BillingService) CarrierFileColumns(ctx context.Context, path, carrier string) (headers, sample []string, guessed map[string]string, err error) {
	t, err := s.readTable(path, "")
	if err != nil {
		return nil, nil, nil, err
	}
	headers, rows := t.Headers, t.Rows
	remembered, err := s.store.CarrierMapping(ctx, carrier)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(rows) > 0 {
		sample = rows[0]
	}
	return headers, sample, domain.GuessCarrierColumns(headers, remembered), nil
}

// AssignProducts makes products (by SKU prefix, "" all) a client's stock,
// for storage and receiving charges.
func (s *BillingService) AssignProducts(ctx context.Context, clientID int64, prefix string) (int, error) {
	return s.store.AssignProducts(ctx, clientID, prefix)
}

// AccrueToday charges what shipped or arrived today, as it happens, and
// the storage of every complete day of the month so far (yesterday's too
// on the 1st) — the daily storage snapshot, taken from the ledger. Charges
// already made are left alone. The operation that called it has succeeded
// whatever happens here: a problem is logged, and the month's generate
// charges what was missed.
func (s *BillingService) AccrueToday(ctx context.Context) {
	if s.accrues {
		s.accrueAt(ctx, s.now())
	}
}

// accrueAt is AccrueToday as of at.
func (s *BillingService) accrueAt(ctx context.Context, at time.Time) {
	today := domain.Day(at)
	from := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	if from.Equal(today) {
		from = today.AddDate(0, 0, -1)
	}
	if _, problems, err := s.Accrue(ctx, from, today.AddDate(0, 0, 1)); err != nil {
		slog.Warn("accruing today's charges", "err", err)
	} else if len(problems) > 0 {
		slog.Info("today's charges", "problems", strings.Join(problems, "; "))
	}
}

// SetCarrierLines accepts (they become payables) or disputes carrier lines.
func (s *BillingService) SetCarrierLines(ctx context.Context, period, carrier string, class domain.ReconcileClass, tracking []string, state string) (int, error) {
	return s.store.SetCarrierLines(ctx, period, carrier, class, tracking, state)
}

// Margins works out a month's margin — fulfilment charges less carrier
// cost (what the carrier invoiced where it did, else what was expected)
// and what the boxes cost —
// per order, client or destination country ("order", "client",
// "country"). Per client in the client's currency; otherwise in currency
// (converted at the month's last day).
func (s *BillingService) Margins(ctx context.Context, period, by string, currency domain.Currency) ([]domain.Margin, error) {
	return s.margins(ctx, period, by, currency, by == "client")
}

// ClientMargins are a month's margins per client in the planning
// currency, and that currency (the Overview's trends).
func (s *BillingService) ClientMargins(ctx context.Context, period string) ([]domain.Margin, domain.Currency, error) {
	cfg, err := s.alloc.AllocConfig(ctx)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.margins(ctx, period, "client", cfg.Currency, false)
	return rows, cfg.Currency, err
}

// margins are Margins in currency, or per client in the client's
// currency when clientCurrency.
func (s *BillingService) margins(ctx context.Context, period, by string, currency domain.Currency, clientCurrency bool) ([]domain.Margin, error) {
	from, to, err := Month(period)
	if err != nil {
		return nil, err
	}
	if by != "order" && by != "client" && by != "country" {
		return nil, domain.Errorf(domain.EINVALID, "margins by order, client or country, not %q", by)
	}
	ships, err := s.store.PeriodShipments(ctx, from, to)
	if err != nil {
		return nil, err
	}
	revenue, err := s.store.OrderRevenue(ctx, from, to)
	if err != nil {
		return nil, err
	}
	clients, err := s.store.Clients(ctx)
	if err != nil {
		return nil, err
	}
	clientOf := map[int64]domain.Client{}
	for _, c := range clients {
		clientOf[c.ID] = c
	}
	fx, err := s.fx(ctx)
	if err != nil {
		return nil, err
	}
	expected, err := s.costs(ctx)
	if err != nil {
		return nil, err
	}
	last := to.AddDate(0, 0, -1)
	conv := func(m domain.Money, cur domain.Currency) (int64, error) {
		if m.Currency == cur || m.Amount == 0 {
			return m.Amount, nil
		}
		v, _, err := fx.Convert(m, cur, last)
		return v.Amount, err
	}
	rows := map[string]*domain.Margin{}
	var keys []string
	seenOrder := map[int64]bool{}
	for _, sh := range ships {
		cur := currency
		key, id := "", ""
		switch by {
		case "order": // order numbers repeat across channels: one row per order
			key, id = sh.Order, fmt.Sprint(sh.OrderID)
		case "client":
			key, id = clientOf[sh.ClientID].Name, fmt.Sprint(sh.ClientID)
			if clientCurrency {
				cur = clientOf[sh.ClientID].Currency
			}
		case "country":
			key = string(sh.To)
		}
		k := key + "|" + string(cur) + "|" + id
		r := rows[k]
		if r == nil {
			r = &domain.Margin{Key: key, Currency: cur}
			rows[k] = r
			keys = append(keys, k)
		}
		cost := sh.Charged
		if cost.Currency == "" {
			cost = expected(sh.ShippedParcel)
		}
		c, err := conv(cost, cur)
		if err != nil {
			return nil, err
		}
		r.Cost += c
		if sh.BoxCost > 0 {
			planning := expected(domain.ShippedParcel{Warehouse: sh.Warehouse, To: sh.To}).Currency // boxes cost in the planning currency
			bc, err := conv(domain.NewMoney(sh.BoxCost, planning), cur)
			if err != nil {
				return nil, err
			}
			r.Boxes += bc
		}
		if !seenOrder[sh.OrderID] {
			seenOrder[sh.OrderID] = true
			r.Orders++
			for rc, amt := range revenue[sh.OrderID] {
				v, err := conv(domain.NewMoney(amt, rc), cur)
				if err != nil {
					return nil, err
				}
				r.Revenue += v
			}
		}
	}
	sort.Strings(keys)
	out := make([]domain.Margin, 0, len(keys))
	for _, k := range keys {
		r := rows[k]
		r.Margin = r.Revenue - r.Cost - r.Boxes
		out = append(out, *r)
	}
	return out, nil
}

// Recompute prices a month again: its charges not on an issued or drafted
// invoice are dropped and worked out anew (rates changed, a card added);
// what is invoiced stays as it is.
func (s *BillingService) Recompute(ctx context.Context, period string) (int, []string, error) {
	from, to, err := Month(period)
	if err != nil {
		return 0, nil, err
	}
	// One transaction: the drafts and unbilled charges go and come back
	// priced anew together, or not at all.
	var n int
	var problems []string
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.DropDrafts(ctx, 0, from, to); err != nil {
			return err
		}
		if _, err := s.store.DropUnbilled(ctx, 0, "", from, to); err != nil {
			return err
		}
		n, problems, err = s.accrue(ctx, from, to)
		return err
	})
	return n, problems, err
}

// FilteredCharges lists a month's charges of a client (0 all) and type ("" all), page by page.
func (s *BillingService) FilteredCharges(ctx context.Context, period string, clientID int64, t domain.ChargeType, offset, limit int) ([]domain.Charge, error) {
	from, to, err := Month(period)
	if err != nil {
		return nil, err
	}
	return s.store.Charges(ctx, domain.ChargeFilter{ClientID: clientID, From: from, To: to, Type: t}, offset, limit)
}

// CountCharges counts them.
func (s *BillingService) CountCharges(ctx context.Context, period string, clientID int64, t domain.ChargeType) (int, error) {
	from, to, err := Month(period)
	if err != nil {
		return 0, err
	}
	return s.store.CountCharges(ctx, domain.ChargeFilter{ClientID: clientID, From: from, To: to, Type: t})
}
