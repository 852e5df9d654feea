package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/portolan/portolan/domain"
)

// LabelService quotes packed parcels with the shipping accounts and buys
// their carrier labels — never twice: a purchase is written down before the
// carrier is asked, and one whose answer was lost is asked about before
// anything else is bought for its parcel (issue 17).
type LabelService struct {
	clocked
	labels   domain.LabelStore
	parcels  func(ctx context.Context, ids []int64) ([]domain.PackedParcel, error)
	settings func(ctx context.Context) (domain.ShippingSettings, error)
	accounts func(ctx context.Context) ([]domain.CarrierAccount, error)
	// NewSeller makes a shipping account's client; it refuses an account
	// kind that sells no labels (yet).
	NewSeller func(a domain.CarrierAccount) (domain.LabelSeller, error)
	// Budget is how long the accounts are given to quote a parcel.
	Budget time.Duration
	// toPlanning converts prices into the planning currency (BillingService.ToPlanning).
	toPlanning func(ctx context.Context) (func(domain.Money) (domain.Money, bool), error)
}

// shippingAccount is an account that sells labels, with its client.
type shippingAccount struct {
	domain.CarrierAccount
	seller domain.LabelSeller
}

// shippingAccounts are the accounts that sell labels.
type shippingAccounts []shippingAccount

// byID is the account with the id, if it still sells labels.
func (as shippingAccounts) byID(id int64) (shippingAccount, bool) {
	for _, a := range as {
		if a.ID == id {
			return a, true
		}
	}
	return shippingAccount{}, false
}

// sellers are the shipping accounts that sell labels, with their clients.
func (s *LabelService) sellers(ctx context.Context) (shippingAccounts, error) {
	all, err := s.accounts(ctx)
	if err != nil {
		return nil, err
	}
	var out shippingAccounts
	for _, a := range all {
		if seller, err := s.NewSeller(a); err == nil {
			out = append(out, shippingAccount{a, seller})
		}
	}
	if len(out) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "No carrier account sells labels: add a DHL Express or EasyPost account, or give a UPS, FedEx or USPS account what labels are billed to "+
			"(Shipments → Carrier accounts), "+
			"or try the sandbox's (Shipments → Try sandbox carriers)")
	}
	return out, nil
}

// labelJob is what quoting or buying parcels' labels works from: the
// parcels, the shipping settings, the accounts that sell labels, and the
// conversion of prices into the planning currency (nil without one).
type labelJob struct {
	parcels  []domain.PackedParcel
	settings domain.ShippingSettings
	accounts shippingAccounts
	convert  func(domain.Money) (domain.Money, bool)
}

// prepare reads what quoting or buying the parcels needs.
func (s *LabelService) prepare(ctx context.Context, parcelIDs []int64) (job labelJob, err error) {
	if job.parcels, err = s.parcels(ctx, parcelIDs); err != nil {
		return job, err
	}
	if job.settings, err = s.settings(ctx); err != nil {
		return job, err
	}
	if job.accounts, err = s.sellers(ctx); err != nil {
		return job, err
	}
	job.convert, err = s.converter(ctx)
	return job, err
}

// Rates asks every shipping account for the parcels' rates, the accounts in
// parallel, each parcel within the time budget.
func (s *LabelService) Rates(ctx context.Context, parcelIDs []int64) ([]domain.ParcelRates, error) {
	job, err := s.prepare(ctx, parcelIDs)
	if err != nil {
		return nil, err
	}
	parcels := job.parcels
	// Parcels are quoted a few at a time, each by every account at once:
	// a carrier answers a rate request in a fraction of a second, so a
	// wave's 200 parcels take seconds, not minutes.
	out := make([]domain.ParcelRates, len(parcels))
	slots := make(chan struct{}, ParcelsQuotedAtOnce)
	var wg sync.WaitGroup
	for i, p := range parcels {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			out[i] = s.quote(ctx, p, job)
		}()
	}
	wg.Wait()
	return out, nil
}

// converter turns prices into the planning currency, where a rate is known.
// Without one (no planner settings or exchange rates to read) quotes are
// compared within their currencies, and quoting and buying go on.
func (s *LabelService) converter(ctx context.Context) (func(domain.Money) (domain.Money, bool), error) {
	if s.toPlanning == nil {
		return nil, nil
	}
	convert, err := s.toPlanning(ctx)
	if err != nil && ctx.Err() != nil {
		return nil, err
	}
	return convert, nil
}

// ParcelsQuotedAtOnce is how many parcels Rates asks the accounts about at
// the same time.
const ParcelsQuotedAtOnce = 10

// quote asks every account for the parcel's rates at once, within the
// budget: cheapest first, compared in the planning currency where convert
// knows the rate (a quote in another currency shows that value as
// Converted), else by currency and amount after them.
func (s *LabelService) quote(ctx context.Context, p domain.PackedParcel, job labelJob) domain.ParcelRates {
	budget := s.Budget
	if budget == 0 {
		budget = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	r := domain.ParcelRates{Parcel: p}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, a := range job.accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			quotes, problems, err := a.seller.Quote(ctx, p, job.settings, fmt.Sprintf("portolan-parcel-%d", p.ID))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if ctx.Err() != nil {
					err = fmt.Errorf("no answer within %s", budget)
				}
				r.Problems = append(r.Problems, a.Name+": "+err.Error())
				return
			}
			for _, q := range quotes {
				r.Quotes = append(r.Quotes, domain.AccountQuote{AccountID: a.ID, Account: a.Name, RateQuote: q})
			}
			for _, pr := range problems {
				r.Problems = append(r.Problems, a.Name+": "+pr.Carrier+": "+pr.Message)
			}
		}()
	}
	wg.Wait()
	planned := make([]domain.Money, len(r.Quotes)) // each quote in the planning currency; zero Money where unknown
	for i, q := range r.Quotes {
		if job.convert == nil {
			continue
		}
		if v, ok := job.convert(q.Price); ok {
			planned[i] = v
			if v.Currency != q.Price.Currency {
				r.Quotes[i].Converted = v
			}
		}
	}
	order := make([]int, len(r.Quotes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := planned[order[i]], planned[order[j]]
		if (a.Currency == "") != (b.Currency == "") {
			return a.Currency != "" // comparable in the planning currency first
		}
		if a.Currency == "" {
			a, b = r.Quotes[order[i]].Price, r.Quotes[order[j]].Price
		}
		if a.Currency != b.Currency {
			return a.Currency < b.Currency
		}
		return a.Amount < b.Amount
	})
	sorted := make([]domain.AccountQuote, len(r.Quotes))
	for i, k := range order {
		sorted[i] = r.Quotes[k]
	}
	r.Quotes = sorted
	sort.Strings(r.Problems)
	// The quote a purchase without a choice takes, and why (as Buy picks).
	r.Chosen = -1
	if q, why, ok := (domain.LabelChoice{}).PickFor(p, r.Quotes, s.now()); ok {
		for i := range r.Quotes {
			if r.Quotes[i] == q {
				r.Chosen, r.Why = i, why
				break
			}
		}
	}
	return r
}

// Buy buys a label for each parcel, one after the other, and says what
// became of each: the run goes on past a parcel that fails. A parcel that
// already has a label is left alone; one whose earlier purchase is
// uncertain is asked about first, and bought again only if the carrier says
// it sold nothing. Cancelling ctx stops before the next purchase, never in
// the middle of one. progress, when given, hears of each parcel done.
func (s *LabelService) Buy(ctx context.Context, parcelIDs []int64, choice domain.LabelChoice, progress func(done, of int)) ([]domain.LabelOutcome, error) {
	job, err := s.prepare(ctx, parcelIDs)
	if err != nil {
		return nil, err
	}
	parcels := job.parcels
	// A few parcels are bought at a time, each on its own: a parcel's
	// purchase is never split or repeated, and once ctx ends no new one
	// starts while those under way finish.
	results := make([]domain.LabelOutcome, len(parcels)) // a parcel not tried has none (ParcelID 0)
	var mu sync.Mutex
	done := 0
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(ParcelsBoughtAtOnce, len(parcels)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = s.buyOne(context.WithoutCancel(ctx), parcels[i], choice, job)
				mu.Lock()
				done++
				if progress != nil {
					progress(done, len(parcels))
				}
				mu.Unlock()
			}
		}()
	}
	for i := range parcels {
		if ctx.Err() != nil {
			break // what is not in the answer was not bought
		}
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	var out []domain.LabelOutcome
	for _, r := range results {
		if r.ParcelID != 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

// ParcelsBoughtAtOnce is how many parcels Buy buys labels for at the same time.
const ParcelsBoughtAtOnce = 4

func (s *LabelService) buyOne(ctx context.Context, p domain.PackedParcel, choice domain.LabelChoice, job labelJob) domain.LabelOutcome {
	res := domain.LabelOutcome{ParcelID: p.ID, Number: p.Number}
	fail := func(state domain.PurchaseState, err error) domain.LabelOutcome {
		res.State, res.Note = state, err.Error()
		if state == domain.PurchaseFailed {
			res.Field = domain.AddressField(res.Note)
		}
		return res
	}
	live, found, err := s.labels.LivePurchase(ctx, p.ID)
	if err != nil {
		return fail(domain.PurchaseFailed, err)
	}
	if found {
		if live.State == domain.PurchaseBought {
			res.Label, res.Note = live.Label, "already has a label ("+live.Label.Carrier+" "+live.Label.Tracking+"); void it to buy another"
			return res
		}
		// An earlier purchase may have sold a label: ask before buying.
		account, ok := job.accounts.byID(live.AccountID)
		if !ok {
			return fail(domain.PurchaseUncertain, fmt.Errorf("an earlier purchase with %s may have bought a label (shipment %s), "+
				"and that account is gone: check with the carrier, then void it there", live.Account, live.Quote.ShipmentRef))
		}
		label, bought, err := account.seller.Bought(ctx, live.Quote.ShipmentRef)
		if err != nil {
			return fail(domain.PurchaseUncertain, fmt.Errorf("an earlier purchase may have bought a label, and %s did not say: %v", live.Account, err))
		}
		if bought {
			// A label found by reference may not say all the quote did.
			if label.Service == "" {
				label.Service = live.Quote.Service
			}
			if label.Cost.Amount == 0 {
				label.Cost = live.Quote.Price
			}
			if err := s.labels.SettlePurchase(ctx, live.ID, domain.PurchaseBought, label, ""); err != nil {
				return fail(domain.PurchaseUncertain, err)
			}
			res.State, res.Label, res.Note = domain.PurchaseBought, label, "bought by the earlier purchase, whose answer was lost"
			return res
		}
		if err := s.labels.SettlePurchase(ctx, live.ID, domain.PurchaseFailed, domain.Label{}, live.Account+" says the shipment was not bought"); err != nil {
			return fail(domain.PurchaseUncertain, err)
		}
	}
	rates := s.quote(ctx, p, job)
	q, why, ok := choice.PickFor(p, rates.Quotes, s.now())
	if !ok {
		why := "no account quoted it"
		if len(rates.Quotes) > 0 {
			why = "no quote matches " + strings.TrimSpace(choice.Carrier+" "+choice.Service)
		}
		if len(rates.Problems) > 0 {
			why += " (" + strings.Join(rates.Problems, "; ") + ")"
		}
		return fail(domain.PurchaseFailed, errors.New(why))
	}
	purchase := domain.LabelPurchase{ParcelID: p.ID, AccountID: q.AccountID, Account: q.Account, Quote: q.RateQuote}
	if err := s.labels.BeginPurchase(ctx, &purchase); err != nil {
		return fail(domain.PurchaseFailed, err)
	}
	seller, _ := job.accounts.byID(q.AccountID) // the quote came from one of accounts
	label, err := seller.seller.Buy(ctx, q.RateQuote)
	switch {
	case errors.Is(err, domain.ErrPurchaseUncertain):
		if serr := s.labels.SettlePurchase(ctx, purchase.ID, domain.PurchaseUncertain, domain.Label{}, err.Error()); serr != nil {
			err = errors.Join(err, serr)
		}
		return fail(domain.PurchaseUncertain, fmt.Errorf("%w; buying again asks %s first", err, q.Account))
	case err != nil:
		if serr := s.labels.SettlePurchase(ctx, purchase.ID, domain.PurchaseFailed, domain.Label{}, err.Error()); serr != nil {
			err = errors.Join(err, serr)
		}
		return fail(domain.PurchaseFailed, err)
	}
	if err := s.labels.SettlePurchase(ctx, purchase.ID, domain.PurchaseBought, label, ""); err != nil {
		return fail(domain.PurchaseUncertain, fmt.Errorf("%s sold label %s, but it was not recorded: %w", q.Account, label.Tracking, err))
	}
	res.State, res.Label, res.Note = domain.PurchaseBought, label, why
	// The label file is kept for the print job; fetched again there if it
	// cannot be now.
	if file, err := seller.seller.LabelFile(ctx, label); err != nil {
		res.Note += "; the label file could not be fetched yet (" + err.Error() + "); printing fetches it again"
	} else if err := s.labels.SaveLabelFile(ctx, purchase.ID, file); err != nil {
		res.Note += "; the label file could not be kept (" + err.Error() + "); printing fetches it again"
	}
	return res
}

// LabelFiles are the carrier labels bought for the parcels, by parcel, each
// with its file — fetched from the carrier, and kept, where it was not yet.
func (s *LabelService) LabelFiles(ctx context.Context, parcelIDs []int64) (map[int64]domain.Label, error) {
	bought, err := s.labels.BoughtLabels(ctx, parcelIDs)
	if err != nil || len(bought) == 0 {
		return nil, err
	}
	out := map[int64]domain.Label{}
	var accounts shippingAccounts
	for parcel, p := range bought {
		if len(p.Label.File) == 0 {
			if accounts == nil {
				if accounts, err = s.sellers(ctx); err != nil {
					return nil, err
				}
			}
			account, ok := accounts.byID(p.AccountID)
			if !ok {
				return nil, domain.Errorf(domain.EINVALID, "the label of parcel %d was bought with %s, which is gone; print it from the carrier's site",
					parcel, p.Account)
			}
			file, err := account.seller.LabelFile(ctx, p.Label)
			if err != nil {
				return nil, fmt.Errorf("the %s label of parcel %d could not be fetched: %w", p.Label.Carrier, parcel, err)
			}
			if err := s.labels.SaveLabelFile(ctx, p.ID, file); err != nil {
				return nil, err
			}
			p.Label.File = file
		}
		out[parcel] = p.Label
	}
	return out, nil
}

// Void voids the parcel's label through its carrier: the parcel is packed
// again without a label or tracking number.
func (s *LabelService) Void(ctx context.Context, parcelID int64) (domain.Label, error) {
	live, found, err := s.labels.LivePurchase(ctx, parcelID)
	if err != nil {
		return domain.Label{}, err
	}
	if !found || live.State != domain.PurchaseBought {
		return domain.Label{}, domain.Errorf(domain.EINVALID, "parcel %d has no carrier label bought through Portolan to void", parcelID)
	}
	accounts, err := s.sellers(ctx)
	if err != nil {
		return domain.Label{}, err
	}
	a, ok := accounts.byID(live.AccountID)
	if !ok {
		return domain.Label{}, domain.Errorf(domain.EINVALID, "the account %q that sold parcel %d's label is gone; void it with the carrier", live.Account, parcelID)
	}
	bought := live.Label
	if bought.ShipmentRef == "" {
		bought.ShipmentRef = live.Quote.ShipmentRef
	}
	label, err := a.seller.Void(ctx, bought)
	if err != nil {
		return domain.Label{}, err
	}
	if label.Refund == "rejected" {
		return label, domain.Errorf(domain.ECONFLICT, "%s rejected voiding the label of parcel %d (its window may have passed)", a.Name, parcelID)
	}
	return label, s.labels.VoidPurchase(ctx, live.ID, label)
}

// SetChannelShipping sets a channel's shipping promise: the service its
// orders go with when they name none a shipping account quotes, and the
// days from an order's placing to its promised delivery (0: none).
func (s *LabelService) SetChannelShipping(ctx context.Context, channelID int64, service string, promiseDays int) error {
	return s.labels.SetChannelShipping(ctx, channelID, service, promiseDays)
}
