package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/portolan/portolan/domain"
)

// CarrierErrors tells the carrier clients' errors apart for the poller (the
// carrier adapter's, handed in by Open).
type CarrierErrors struct {
	// Refused reports the carrier refusing the account's credentials, with the error to show.
	Refused func(err error) (error, bool)
	// RetryLater reports an answer worth trying later: the HTTP status (0 for
	// a transport error) and the wait the carrier asked for.
	RetryLater func(err error) (status int, wait time.Duration, ok bool)
}

// TrackingService polls carriers for the parcels on their way, within each
// carrier account's budget, and keeps the Shipments screen's data.
type TrackingService struct {
	domain.TrackingReads // accounts, a shipment, counts, on-time rates, pushes
	store                domain.TrackingStore
	orders               domain.OrderStore
	// NewTracker makes a carrier account's client (tests and the sandbox
	// use the real clients against local servers).
	NewTracker func(a domain.CarrierAccount, gate func(context.Context) error) (domain.Tracker, error)
	Policy     domain.TrackingPolicy
	clocked    // the App's clock

	// NewPusher makes the client that tells a channel's storefront.
	NewPusher func(ch domain.Channel, creds domain.Credentials) (domain.TrackingPusher, error)
	channels  interface {
		Channels(context.Context) ([]domain.Channel, error)
	}
	credentials interface {
		ChannelCredentials(context.Context, int64) (domain.Credentials, error)
	}

	// errs tells the carrier clients' errors apart.
	errs CarrierErrors

	// labels keeps what carriers say of labels bought for parcels still
	// packed, and handOver dispatches the parcels they scanned
	// (InventoryService.HandOverScanned; nil when the person polling may
	// not dispatch).
	labels   domain.LabelScanStore
	handOver func(ctx context.Context) (handed []int64, problems []string, err error)

	mu     sync.Mutex
	pacers map[int64]*pacer // per account, for the life of the process
	paused map[int64]time.Time
	kept   func() string
}

// CredentialsKept says where new credentials are kept, for people.
func (s *TrackingService) CredentialsKept() string { return s.kept() }

func newTrackingService(store domain.TrackingStore, labels domain.LabelScanStore, orders domain.OrderStore, now func() time.Time, errs CarrierErrors) *TrackingService {
	tracker := func(a domain.CarrierAccount, gate func(context.Context) error) (domain.Tracker, error) {
		return newTracker(a, now, gate)
	}
	return &TrackingService{TrackingReads: store, store: store, labels: labels, orders: orders, NewTracker: tracker, Policy: domain.DefaultTrackingPolicy(), clocked: clocked{now}, errs: errs,
		pacers: map[int64]*pacer{}, paused: map[int64]time.Time{}}
}

// pacer spaces requests evenly so that no second holds more than the rate.
// It measures real elapsed time (golang.org/x/time/rate), not the App's
// clock: a carrier counts requests per second of its own.
type pacer struct {
	every time.Duration
	limit *rate.Limiter
}

func newPacer(every time.Duration) *pacer {
	return &pacer{every: every, limit: rate.NewLimiter(rate.Every(every), 1)}
}

func (p *pacer) wait(ctx context.Context) error { return p.limit.Wait(ctx) }

// budget hands out an account's daily requests, reserving them from the
// database in blocks so that every process shares one count.
type budget struct {
	store   domain.TrackingStore
	account domain.CarrierAccount
	pace    *pacer
	at      time.Time
	mu      sync.Mutex
	held    int // reserved, not used yet
	used    int
}

// errBudget is the day's budget running out.
var errBudget = errors.New("budget used up")

func (b *budget) gate(ctx context.Context) error {
	b.mu.Lock()
	if b.held == 0 {
		n, err := b.store.ReserveRequests(ctx, b.account.ID, b.at, 10, b.account.PerDay)
		if err != nil {
			b.mu.Unlock()
			return err
		}
		if n == 0 {
			b.mu.Unlock()
			return errBudget
		}
		b.held = n
	}
	b.held--
	b.used++
	b.mu.Unlock()
	return b.pace.wait(ctx)
}

func (b *budget) release() {
	b.mu.Lock()
	n := b.held
	b.held = 0
	b.mu.Unlock()
	_ = b.store.ReleaseRequests(context.Background(), b.account.ID, b.at, n)
}

// accountFor picks the account that tracks a carrier's parcels: the one
// named like the carrier, else the one of its kind ("DHL Express" → dhl),
// else the aggregator.
func accountFor(accounts []domain.CarrierAccount, carrierName string) (domain.CarrierAccount, bool) {
	for _, a := range accounts {
		if strings.EqualFold(a.Name, carrierName) {
			return a, true
		}
	}
	low := strings.ToLower(carrierName)
	for _, a := range accounts {
		p, _ := a.Kind.Profile()
		if a.Kind != domain.CarrierEasyPost && strings.Contains(low, strings.ToLower(p.Name)) {
			return a, true
		}
	}
	for _, a := range accounts {
		if a.Kind == domain.CarrierEasyPost {
			return a, true
		}
	}
	return domain.CarrierAccount{}, false
}

// Poll asks the carriers about the shipments that are due (all undelivered
// ones with f.All), each account in parallel and never beyond its budget,
// and about the labels bought for parcels still packed: a label the carrier
// has scanned hands its parcel over (when the person polling may dispatch),
// so tracking starts at purchase. A refused account is marked failing and
// the others continue; a bad answer is noted on its shipments and the run
// goes on.
func (s *TrackingService) Poll(ctx context.Context, f domain.DueFilter, progress func(done, total int)) (domain.PollResult, error) {
	now := s.now()
	var res domain.PollResult
	accounts, err := s.store.CarrierAccounts(ctx)
	if err != nil {
		return res, err
	}
	due, err := s.store.DueShipments(ctx, now, f)
	if err != nil {
		return res, err
	}
	var labels []domain.AwaitingLabel
	if f.Shipment == 0 {
		if labels, err = s.labels.LabelsAwaitingScan(ctx, now, s.Policy.FirstPoll, f); err != nil {
			return res, err
		}
	}
	groups := map[int64]*accountWork{}
	orphans := map[string]int{}
	group := func(carrierName string) *accountWork {
		a, ok := accountFor(accounts, carrierName)
		if !ok {
			orphans[carrierName]++
			return nil
		}
		if groups[a.ID] == nil {
			groups[a.ID] = &accountWork{account: a}
		}
		return groups[a.ID]
	}
	awaiting := map[int64]domain.AwaitingLabel{}
	scans := map[int64]domain.TrackResult{} // by parcel, for its shipment once handed over
	shipments, onLabels := s.shipmentAnswers(), s.labelAnswers(awaiting, scans)
	for _, l := range labels {
		if g := group(l.Carrier); g != nil {
			g.asked = append(g.asked, asked{l.PurchaseID, l.Tracking, onLabels})
			awaiting[l.PurchaseID] = l
		}
	}
	for _, sh := range due {
		if g := group(sh.Carrier); g != nil {
			g.asked = append(g.asked, asked{sh.ID, sh.Tracking, shipments})
		}
	}
	var mu sync.Mutex
	total, done := len(due)+len(labels), 0
	note := func(format string, args ...any) {
		mu.Lock()
		res.Problems = append(res.Problems, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	for c, n := range orphans {
		res.Skipped += n
		done += n
		note("%d %s parcel(s) not tracked: add a carrier account for %s (or an EasyPost account for every carrier)", n, c, c)
	}
	if progress != nil {
		progress(done, total)
	}
	step := func(n, checked, changed, errs, skipped, requests int) {
		mu.Lock()
		done += n
		res.Checked += checked
		res.Changed += changed
		res.Errors += errs
		res.Skipped += skipped
		res.Requests += requests
		d := done
		mu.Unlock()
		if progress != nil {
			progress(d, total)
		}
	}
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Add(1)
		go func(g *accountWork) {
			defer wg.Done()
			s.pollAccount(ctx, g.account, g.asked, now, step, note)
		}(g)
	}
	wg.Wait()
	if f.Shipment == 0 {
		s.handOverScanned(context.WithoutCancel(ctx), scans, &res, note)
	}
	if ctx.Err() == nil && f.Shipment == 0 && f.Carrier == "" {
		pushed, left, problems := s.Push(ctx)
		res.Pushed, res.PushLeft = pushed, left
		res.Problems = append(res.Problems, problems...)
	}
	sort.Strings(res.Problems)
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	return res, nil
}

// accountWork is what one poll asks of one carrier account: the labels
// awaiting a scan, then the shipments on their way, with one client.
type accountWork struct {
	account domain.CarrierAccount
	asked   []asked
}

// asked is a tracking number to ask about, with where its answer is kept
// and the id it is kept under.
type asked struct {
	id     int64
	number string
	keep   *answers
}

// answers keeps what a carrier said of the numbers asked: the answers
// (returning how many changed something), and the numbers it could not be
// asked about, with why.
type answers struct {
	record func(ctx context.Context, results map[int64]domain.TrackResult) (int, error)
	failed func(ctx context.Context, ids []int64, why string) error
}

// shipmentAnswers keeps what carriers said of shipments on their way.
func (s *TrackingService) shipmentAnswers() *answers {
	return &answers{
		record: func(ctx context.Context, r map[int64]domain.TrackResult) (int, error) {
			return s.store.RecordTracking(ctx, r, s.Policy, s.now())
		},
		failed: func(ctx context.Context, ids []int64, why string) error {
			return s.store.RecordTrackingError(ctx, ids, why, s.Policy, s.now())
		},
	}
}

// labelAnswers keeps what carriers said of the labels awaiting a scan (by
// purchase), and puts the answers that scanned one in scans (by parcel),
// for the shipment the hand-over makes.
func (s *TrackingService) labelAnswers(awaiting map[int64]domain.AwaitingLabel, scans map[int64]domain.TrackResult) *answers {
	var mu sync.Mutex // accounts answer in parallel
	return &answers{
		record: func(ctx context.Context, r map[int64]domain.TrackResult) (int, error) {
			// A scan changes a shipment once the parcel is handed over.
			polls := make([]domain.LabelPoll, 0, len(r))
			for id, tr := range r {
				p := s.Policy.LabelPollOf(awaiting[id], tr, s.now())
				if !p.ScannedAt.IsZero() {
					mu.Lock()
					scans[awaiting[id].ParcelID] = tr
					mu.Unlock()
				}
				polls = append(polls, p)
			}
			return 0, s.labels.RecordLabelPolls(ctx, polls, s.now())
		},
		failed: func(ctx context.Context, ids []int64, why string) error {
			polls := make([]domain.LabelPoll, len(ids))
			for i, id := range ids {
				polls[i] = domain.LabelPoll{PurchaseID: id, Error: why, Next: s.Policy.NextPoll(s.now(), domain.MilestoneLabelCreated, awaiting[id].Polls+1)}
			}
			return s.labels.RecordLabelPolls(ctx, polls, s.now())
		},
	}
}

// handOverScanned dispatches the packed parcels whose labels the carriers
// have scanned, with each label's carrier (one warehouse and carrier at a
// time, so that one refusal stops only its own), and keeps what the carrier
// said on the new shipments. Without the right to dispatch, the parcels
// wait for the warehouse, the scan shown on them in Pack and ship.
func (s *TrackingService) handOverScanned(ctx context.Context, scans map[int64]domain.TrackResult, res *domain.PollResult, note func(string, ...any)) {
	if s.handOver == nil {
		scanned, err := s.labels.ScannedLabels(ctx)
		if err != nil {
			note("labels the carriers scanned: %v", err)
		} else if res.Scanned = len(scanned); len(scanned) > 0 {
			note("%d parcel(s) scanned by their carrier wait to be handed over in Pack and ship (your role may not dispatch)", len(scanned))
		}
		return
	}
	handed, problems, err := s.handOver(ctx)
	for _, p := range problems {
		note("%s", p)
	}
	if err != nil {
		note("handing over the parcels the carriers scanned: %v", err)
	}
	res.HandedOver = len(handed)
	if len(handed) == 0 {
		return
	}
	ships, err := s.labels.ParcelShipments(ctx, handed)
	if err != nil {
		note("the shipments handed over: %v", err)
		return
	}
	known := map[int64]domain.TrackResult{}
	for parcel, tr := range scans {
		if id, ok := ships[parcel]; ok {
			known[id] = tr
		}
	}
	if len(known) > 0 {
		n, err := s.store.RecordTracking(ctx, known, s.Policy, s.now())
		if err != nil {
			note("saving tracking: %v", err)
		}
		res.Changed += n
	}
}

func (s *TrackingService) pacerFor(a domain.CarrierAccount) *pacer {
	s.mu.Lock()
	defer s.mu.Unlock()
	// 5 % slower than the rate: even with a little jitter on the way, no
	// second ever holds more requests than the carrier allows.
	every := time.Duration(1.05 * float64(time.Second) / a.PerSecond)
	p := s.pacers[a.ID]
	if p == nil || p.every != every {
		p = newPacer(every)
		s.pacers[a.ID] = p
	}
	return p
}

// pollAccount asks one account about a list of numbers, in batches, with
// one client (one token), and keeps each answer where its number says.
func (s *TrackingService) pollAccount(ctx context.Context, a domain.CarrierAccount, list []asked, now time.Time,
	step func(n, checked, changed, errs, skipped, requests int), note func(string, ...any)) {
	s.mu.Lock()
	until := s.paused[a.ID]
	s.mu.Unlock()
	switch {
	case a.Failing != "":
		note("%s: %d parcel(s) not polled; the account is failing: %s", a.Name, len(list), a.Failing)
		step(len(list), 0, 0, 0, len(list), 0)
		return
	case s.now().Before(until):
		note("%s asked to wait until %s; %d parcel(s) wait", a.Name, until.Local().Format("15:04"), len(list))
		step(len(list), 0, 0, 0, len(list), 0)
		return
	}
	b := &budget{store: s.store, account: a, pace: s.pacerFor(a), at: now}
	defer b.release()
	tr, err := s.NewTracker(a, b.gate)
	if err != nil {
		note("%s: %v", a.Name, err)
		step(len(list), 0, 0, 0, len(list), 0)
		return
	}
	p, _ := a.Kind.Profile()
	batch := max(p.Batch, 1)
	pending := map[*answers]map[int64]domain.TrackResult{} // the answers not kept yet, by where they go
	held := 0
	flush := func() int {
		changed := 0
		for keep, results := range pending {
			n, err := keep.record(context.WithoutCancel(ctx), results)
			if err != nil {
				note("%s: saving tracking: %v", a.Name, err)
			}
			changed += n
		}
		pending, held = map[*answers]map[int64]domain.TrackResult{}, 0
		return changed
	}
	failedRuns := 0
	for i := 0; i < len(list); i += batch {
		chunk := list[i:min(i+batch, len(list))]
		if ctx.Err() != nil {
			step(len(list)-i, 0, flush(), 0, len(list)-i, 0)
			return
		}
		numbers := make([]string, len(chunk))
		for j, sh := range chunk {
			numbers[j] = sh.number
		}
		before := b.used
		results, err := tr.Track(ctx, numbers)
		requests := b.used - before
		byNumber := map[string]domain.TrackResult{}
		for _, r := range results {
			byNumber[strings.ToUpper(r.Number)] = r
		}
		refused, isRefused := s.errs.Refused(err)
		status, wait, _ := s.errs.RetryLater(err)
		stop := true // the numbers left wait for the next poll
		switch {
		case errors.Is(err, errBudget):
			note("%s: today's budget of %d requests is used up; %d parcel(s) wait until 00:00 UTC", a.Name, a.PerDay, len(list)-i)
		case isRefused:
			_ = s.store.SetAccountFailing(context.WithoutCancel(ctx), a.ID, refused.Error(), s.now())
			note("%s refused the credentials; %d parcel(s) not polled. Fix the account and press Test connection: %v", a.Name, len(list)-i, refused)
		case err != nil && ctx.Err() != nil:
		case status == 429 && wait > 0:
			s.mu.Lock()
			s.paused[a.ID] = s.now().Add(wait)
			s.mu.Unlock()
			note("%s asks to wait %s (HTTP 429); %d parcel(s) wait until then", a.Name, wait.Round(time.Second), len(list)-i)
		default:
			stop = false
		}
		if stop {
			left := len(list) - i
			step(left, 0, flush(), 0, left, requests)
			return
		}
		failed := map[*answers][]int64{}
		nFailed := 0
		for _, sh := range chunk {
			r, ok := byNumber[strings.ToUpper(sh.number)]
			if !ok {
				failed[sh.keep] = append(failed[sh.keep], sh.id)
				nFailed++
				continue
			}
			if pending[sh.keep] == nil {
				pending[sh.keep] = map[int64]domain.TrackResult{}
			}
			pending[sh.keep][sh.id] = r
			held++
		}
		if nFailed > 0 {
			why := "the carrier's answer did not include this number"
			if err != nil {
				why = err.Error()
			}
			for keep, ids := range failed {
				if e := keep.failed(context.WithoutCancel(ctx), ids, why); e != nil {
					note("%s: %v", a.Name, e)
				}
			}
			note("%s: %d parcel(s) could not be polled: %s", a.Name, nFailed, why)
		}
		changed := 0
		if held >= 500 {
			changed = flush()
		}
		step(len(chunk), len(chunk)-nFailed, changed, nFailed, 0, requests)
		if err != nil {
			if failedRuns++; failedRuns >= 3 {
				left := len(list) - i - len(chunk)
				if left > 0 {
					note("%s failed three times in a row; %d parcel(s) wait for the next poll", a.Name, left)
					step(left, 0, 0, 0, left, 0)
				}
				break
			}
		} else {
			failedRuns = 0
		}
	}
	step(0, 0, flush(), 0, 0, 0)
}

// SaveCarrierAccount adds or changes an account.
func (s *TrackingService) SaveCarrierAccount(ctx context.Context, a *domain.CarrierAccount) error {
	return s.store.SaveCarrierAccount(ctx, a)
}

// DeleteCarrierAccount removes an account.
func (s *TrackingService) DeleteCarrierAccount(ctx context.Context, id int64) error {
	return s.store.DeleteCarrierAccount(ctx, id)
}

// UsedToday is how many requests an account made today (UTC).
func (s *TrackingService) UsedToday(ctx context.Context, id int64) (int, error) {
	return s.store.UsedToday(ctx, id, s.now())
}

// TestAccount proves an account's credentials work (within its budget);
// it clears or sets the account's failing mark accordingly.
func (s *TrackingService) TestAccount(ctx context.Context, id int64) error {
	accounts, err := s.store.CarrierAccounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		if a.ID != id {
			continue
		}
		b := &budget{store: s.store, account: a, pace: s.pacerFor(a), at: s.now()}
		defer b.release()
		tr, err := s.NewTracker(a, b.gate)
		if err != nil {
			return err
		}
		err = tr.Check(ctx)
		refused, isRefused := s.errs.Refused(err)
		switch {
		case errors.Is(err, errBudget):
			return domain.Errorf(domain.ECONFLICT, "%s: today's budget of %d requests is used up; test again after 00:00 UTC", a.Name, a.PerDay)
		case isRefused:
			_ = s.store.SetAccountFailing(ctx, a.ID, refused.Error(), s.now())
			return err
		case err != nil:
			return err
		}
		return s.store.SetAccountFailing(ctx, a.ID, "", s.now())
	}
	return domain.Errorf(domain.ENOTFOUND, "no carrier account %d", id)
}

// AddShipment registers a parcel shipped outside Portolan: the order by its
// number, the carrier (an account's name or a carrier's), and the tracking
// number, whose check digit is verified for the carrier's kind.
func (s *TrackingService) AddShipment(ctx context.Context, orderNumber, carrierName, tracking string) (domain.Shipment, error) {
	carrierName = strings.TrimSpace(carrierName)
	if carrierName == "" {
		return domain.Shipment{}, domain.Errorf(domain.EINVALID, "which carrier carries the parcel?")
	}
	accounts, err := s.store.CarrierAccounts(ctx)
	if err != nil {
		return domain.Shipment{}, err
	}
	kind := domain.CarrierKind("")
	if a, ok := accountFor(accounts, carrierName); ok && a.Kind != domain.CarrierEasyPost {
		kind = a.Kind
	} else {
		for _, k := range domain.CarrierKinds {
			if p, _ := k.Profile(); k != domain.CarrierEasyPost && strings.Contains(strings.ToLower(carrierName), strings.ToLower(p.Name)) {
				kind = k
			}
		}
	}
	number, err := domain.ValidateTracking(kind, tracking)
	if err != nil {
		return domain.Shipment{}, err
	}
	page, err := s.orders.OrderSummaries(ctx, domain.OrderFilter{Search: strings.TrimSpace(orderNumber)}, 0, 20)
	if err != nil {
		return domain.Shipment{}, err
	}
	for _, o := range page {
		if o.Number == strings.TrimSpace(orderNumber) {
			sh := domain.Shipment{OrderID: o.ID, Carrier: carrierName, Tracking: number, ShippedAt: s.now()}
			err := s.store.AddShipment(ctx, &sh, s.Policy)
			return sh, err
		}
	}
	return domain.Shipment{}, domain.Errorf(domain.ENOTFOUND, "no order numbered %q", orderNumber)
}

// Shipments lists shipments (the exceptions queue with f.Exceptions).
func (s *TrackingService) Shipments(ctx context.Context, f domain.ShipmentFilter, offset, limit int) ([]domain.Shipment, error) {
	return s.store.Shipments(ctx, f, s.now(), s.Policy.StaleAfter, offset, limit)
}

// CountShipments counts them.
func (s *TrackingService) CountShipments(ctx context.Context, f domain.ShipmentFilter) (int, error) {
	return s.store.CountShipments(ctx, f, s.now(), s.Policy.StaleAfter)
}

// ExceptionMilestones counts the exceptions queue by milestone, now.
func (s *TrackingService) ExceptionMilestones(ctx context.Context) (map[domain.Milestone]int, error) {
	return s.store.ExceptionMilestones(ctx, s.now(), s.Policy.StaleAfter)
}

// BulkShipments writes many shipments in one transaction (imports of
// parcels shipped before Portolan, and benchmarks).
func (a *App) BulkShipments(ctx context.Context, shipments []domain.Shipment) error {
	return a.db.Bulk(ctx, func(w domain.BulkWriter) error {
		for i := range shipments {
			if err := w.AddShipment(&shipments[i], nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// pushBackoff is the wait before push attempt n+1; after the last, the
// push is listed as failed for a person to look at.
var pushBackoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour}

// Push tells the storefronts the tracking numbers that are due, each
// order's channel in turn: an answer that fails is retried later with a
// longer wait, then listed as failed. It returns how many were told, how
// many failed this time, and what went wrong (per channel).
func (s *TrackingService) Push(ctx context.Context) (pushed, failed int, problems []string) {
	if s.channels == nil || s.NewPusher == nil {
		return 0, 0, nil
	}
	now := s.now()
	due, err := s.store.DuePushes(ctx, now, 500)
	if err != nil || len(due) == 0 {
		if err != nil {
			problems = append(problems, "storefront updates: "+err.Error())
		}
		return 0, 0, problems
	}
	chans, err := s.channels.Channels(ctx)
	if err != nil {
		return 0, 0, []string{"storefront updates: " + err.Error()}
	}
	byID := map[int64]domain.Channel{}
	for _, c := range chans {
		byID[c.ID] = c
	}
	pushers := map[int64]domain.TrackingPusher{}
	errs := map[int64]error{}
	failures := map[string]int{}
	for _, p := range due {
		if ctx.Err() != nil {
			break
		}
		ch := byID[p.ChannelID]
		pusher, ok := pushers[p.ChannelID]
		if !ok && errs[p.ChannelID] == nil {
			creds, err := s.credentials.ChannelCredentials(ctx, p.ChannelID)
			switch {
			case err != nil:
				errs[p.ChannelID] = err
			case creds == (domain.Credentials{}):
				errs[p.ChannelID] = domain.Errorf(domain.EINVALID, "channel %s has no API credentials; add them under Channels", ch.Name)
			default:
				if pusher, err = s.NewPusher(ch, creds); err != nil {
					errs[p.ChannelID] = err
				} else {
					pushers[p.ChannelID] = pusher
				}
			}
		}
		err := errs[p.ChannelID]
		if err == nil {
			err = pusher.PushTracking(ctx, p)
		}
		if err == nil {
			if e := s.store.FinishPush(ctx, p.ID, "", time.Time{}, s.now()); e == nil {
				pushed++
			}
			continue
		}
		failed++
		var next time.Time
		if p.Attempts < len(pushBackoff) {
			next = s.now().Add(pushBackoff[p.Attempts])
		}
		_ = s.store.FinishPush(ctx, p.ID, err.Error(), next, s.now())
		failures[fmt.Sprintf("%s: %v", ch.Name, err)]++
	}
	for msg, n := range failures {
		problems = append(problems, fmt.Sprintf("%d tracking number(s) not sent to the storefront (retried later): %s", n, msg))
	}
	return pushed, failed, problems
}

// RetryPushes queues the failed storefront updates again.
func (s *TrackingService) RetryPushes(ctx context.Context) (int, error) {
	return s.store.RetryPushes(ctx, s.now())
}
