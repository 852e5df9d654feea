package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/portolan/portolan/domain"
)

// SourceFactory builds the order source of a channel from its credentials;
// Open wires the storefront clients into it.
type SourceFactory func(ch domain.Channel, creds domain.Credentials) (domain.OrderSource, error)

// DefaultOverlap is how far before the cursor each incremental sync starts
// reading again, so an order changed while the previous sync ran is not missed.
const DefaultOverlap = 10 * time.Minute

// IntakeService adds channels and syncs their orders.
type IntakeService struct {
	domain.IntakeReads  // sync state, quarantine
	domain.CatalogStore // channels
	store               domain.IntakeStore
	sources             SourceFactory
	readTable           domain.TableReader
	openTable           domain.TableOpener // order files, read row by row
	// optimize merges the search indexes; it runs in the background after large loads.
	optimize   func(context.Context) error
	background sync.WaitGroup
	// Overlap is re-read before the cursor on every incremental sync.
	Overlap time.Duration
	// Deadline is how long one channel's sync may take in SyncEach (zero: SyncDeadline).
	Deadline time.Duration
	clocked  // the App's clock
	kept     func() string
}

// CredentialsKept says where new credentials are kept, for people.
func (s *IntakeService) CredentialsKept() string { return s.kept() }

// SyncProgress is reported after every committed page.
type SyncProgress struct {
	Channel domain.Channel
	Page    int
	Run     domain.SyncRun
}

// AddChannel checks and stores a new channel with its credentials. The
// channel's code is derived from its name.
func (s *IntakeService) AddChannel(ctx context.Context, kind domain.ChannelKind, name, storeURL string, creds domain.Credentials) (domain.Channel, error) {
	ch := domain.Channel{Code: channelCode(name), Name: strings.TrimSpace(name), Kind: kind, BaseURL: strings.TrimSpace(storeURL)}
	if err := ch.Validate(); err != nil {
		return ch, err
	}
	// Building the source checks the address and credentials' shape without a network call.
	if kind != domain.ChannelFile && kind != domain.ChannelManual {
		if _, err := s.sources(ch, creds); err != nil {
			return ch, err
		}
	}
	if err := s.store.AddChannel(ctx, &ch, creds); err != nil {
		if errors.Is(err, domain.ErrConflict) {
			return ch, domain.Errorf(domain.ECONFLICT, "a channel named %q (code %s) already exists", ch.Name, ch.Code)
		}
		return ch, err
	}
	return ch, nil
}

// channelCode makes "Portolan EU (Woo)" into "PORTOLAN-EU-WOO".
func channelCode(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToUpper(strings.TrimSpace(name)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	code := strings.TrimSuffix(b.String(), "-")
	for len(code) > 32 {
		code = code[:len(code)-1]
	}
	return strings.TrimSuffix(code, "-")
}

// Sync reads the channel's orders changed since its cursor (less the overlap),
// or since the given time when it is not zero, and stores them page by page:
// the pages that have arrived are committed with the cursor in one
// transaction, so a sync that is cancelled or fails keeps every committed
// page and the next sync goes on from there. The run is recorded with what the storefront reported, as the
// proof of completeness.
func (s *IntakeService) Sync(ctx context.Context, ch domain.Channel, since time.Time, progress func(SyncProgress)) (domain.SyncRun, error) {
	run := domain.SyncRun{ChannelID: ch.ID, Reported: -1}
	state, err := s.store.SyncState(ctx, ch.ID)
	if err != nil {
		return run, err
	}
	run.Since = since
	if since.IsZero() && !state.Cursor.IsZero() {
		run.Since = state.Cursor.Add(-s.Overlap)
	}
	creds, err := s.store.ChannelCredentials(ctx, ch.ID)
	if err != nil {
		return run, err
	}
	src, err := s.sources(ch, creds)
	if err != nil {
		return run, err
	}
	release, err := s.store.HoldChannel(ctx, ch.ID)
	if err != nil {
		return run, fmt.Errorf("sync %s: %w", ch.Name, err)
	}
	defer release()
	if err := s.store.StartRun(ctx, &run); err != nil {
		return run, err
	}
	fail := func(err error) (domain.SyncRun, error) {
		run.Status, run.Error = domain.SyncFailed, err.Error()
		if errors.Is(err, context.Canceled) {
			run.Status, run.Error = domain.SyncCancelled, "cancelled"
		}
		if ferr := s.store.FinishRun(context.WithoutCancel(ctx), &run); ferr != nil {
			return run, errors.Join(err, ferr)
		}
		return run, fmt.Errorf("sync %s: %w", ch.Name, err)
	}
	// Pages are fetched one ahead while the previous one is committed, so the
	// network and the database work at the same time.
	fetchCtx, stopFetch := context.WithCancel(ctx)
	defer stopFetch()
	pages := make(chan fetched, maxBatchPages)
	since = run.Since // the fetcher's own copy: run is rewritten by every commit
	go func() {
		defer close(pages)
		token := ""
		for {
			p, err := src.FetchUpdated(fetchCtx, since, token)
			select {
			case pages <- fetched{p, err}:
			case <-fetchCtx.Done():
				return
			}
			if err != nil || p.Next == "" {
				return
			}
			token = p.Next
		}
	}()
	seen := map[string]string{} // external id → fingerprint: a source may hand an order twice in one run
	var notice string
	var held time.Time // the newest change of a window read by creation date, committed at its end
	for page, last := 0, false; !last; {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		// Commit the pages that have arrived together: when the database is
		// the slower side, fewer and larger transactions.
		arrived, fetchErr, closed := gather(pages)
		var batch domain.OrderPage
		for _, p := range arrived {
			page++
			if page == 1 {
				run.Reported = p.ReportedTotal
			}
			o, r := firstSight(seen, p.Orders, p.Rejected)
			batch.Orders, batch.Rejected = append(batch.Orders, o...), append(batch.Rejected, r...)
			batch.ByCreation = batch.ByCreation || p.ByCreation
			if p.Notice != "" {
				notice = p.Notice
			}
			last = p.Next == ""
		}
		if len(arrived) > 0 {
			if err := s.commit(ctx, &run, ch, batch, last, &held); err != nil {
				return fail(err)
			}
			if progress != nil {
				progress(SyncProgress{Channel: ch, Page: page, Run: run})
			}
		}
		switch {
		case fetchErr != nil:
			return fail(fetchErr) // what arrived before the failure is committed
		case closed && !last:
			// The fetcher only stops early when ctx has ended.
			if err := ctx.Err(); err != nil {
				return fail(err)
			}
			return fail(errors.New("the page reader stopped before the last page"))
		}
	}
	run.Status, run.Error = domain.SyncComplete, notice
	if run.Reported >= 0 && run.Fetched < run.Reported {
		run.Status = domain.SyncGap
		run.Error = fmt.Sprintf("%s reported %d changed orders, %d arrived; sync again or re-pull from %s",
			ch.Name, run.Reported, run.Fetched, run.Since.Format(time.RFC3339))
	}
	if err := s.store.FinishRun(context.WithoutCancel(ctx), &run); err != nil {
		return run, err
	}
	s.maintainAfter(run)
	return run, nil
}

// largeLoad is how many new or changed orders make the search indexes worth optimizing.
const largeLoad = 5000

// maintainAfter optimizes the search indexes in the background after a large
// load, so the sync is done for the user while searches are made fast again.
func (s *IntakeService) maintainAfter(run domain.SyncRun) {
	if s.optimize == nil || run.New+run.Updated < largeLoad {
		return
	}
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		if err := s.optimize(context.Background()); err != nil {
			slog.Warn("optimizing the search indexes after a sync", "err", err)
		}
	}()
}

// maxBatchPages is how many fetched pages one transaction may hold.
const maxBatchPages = 5

// commit stores a batch and moves the cursor to its newest change. A batch
// read by creation date holds its newest change in held instead, and the last
// one moves the cursor to the newest of the whole window: until then, older
// changes may still be on the pages to come.
func (s *IntakeService) commit(ctx context.Context, run *domain.SyncRun, ch domain.Channel, batch domain.OrderPage, last bool, held *time.Time) error {
	cursor := *held
	for _, o := range batch.Orders {
		if o.Order.UpdatedAt.After(cursor) {
			cursor = o.Order.UpdatedAt
		}
	}
	if batch.ByCreation && !last {
		*held, cursor = cursor, time.Time{}
	}
	return s.store.CommitPage(ctx, run, ch.Name, batch, cursor)
}

// gather waits for the next fetched page and takes the ones that have
// already arrived after it, up to maxBatchPages, stopping at a fetch error
// (returned separately) or when the fetcher is done (closed).
func gather(pages <-chan fetched) (arrived []domain.OrderPage, fetchErr error, closed bool) {
	f, ok := <-pages
	for {
		if !ok {
			return arrived, nil, true
		}
		if f.err != nil {
			return arrived, f.err, false
		}
		arrived = append(arrived, f.page)
		if f.page.Next == "" || len(arrived) == maxBatchPages {
			return arrived, nil, false
		}
		select {
		case f, ok = <-pages:
		default:
			return arrived, nil, false
		}
	}
}

type fetched struct {
	page domain.OrderPage
	err  error
}

// Syncable tells whether a channel can be synced, and if not, why: it needs
// credentials and a storefront this version reads.
func (s *IntakeService) Syncable(ctx context.Context, ch domain.Channel) (bool, string, error) {
	if ch.Kind == domain.ChannelFile || ch.Kind == domain.ChannelManual {
		return false, "its orders come from files (portolan import)", nil
	}
	creds, err := s.store.ChannelCredentials(ctx, ch.ID)
	if err != nil {
		return false, "", err
	}
	if creds == (domain.Credentials{}) {
		return false, "no credentials stored for it", nil
	}
	if _, err := s.sources(ch, creds); err != nil {
		return false, err.Error(), nil
	}
	return true, "", nil
}

// firstSight drops what this run has already received unchanged (re-read
// anchors), so counts are of distinct orders; a changed version is kept.
func firstSight(seen map[string]string, orders []domain.SourceOrder, rejected []domain.RejectedOrder) ([]domain.SourceOrder, []domain.RejectedOrder) {
	keptOrders := orders[:0:0]
	for _, o := range orders {
		o.Print = o.Fingerprint()
		if seen[o.Order.ExternalID] != o.Print {
			seen[o.Order.ExternalID] = o.Print
			keptOrders = append(keptOrders, o)
		}
	}
	keptRejected := rejected[:0:0]
	for _, r := range rejected {
		if _, ok := seen[r.ExternalID]; !ok {
			seen[r.ExternalID] = "rejected"
			keptRejected = append(keptRejected, r)
		}
	}
	return keptOrders, keptRejected
}

// ChannelNamed finds a channel by name or code (case-insensitive).
func (s *IntakeService) ChannelNamed(ctx context.Context, nameOrCode string) (domain.Channel, error) {
	chans, err := s.CatalogStore.Channels(ctx)
	if err != nil {
		return domain.Channel{}, err
	}
	for _, c := range chans {
		if strings.EqualFold(c.Name, nameOrCode) || strings.EqualFold(c.Code, nameOrCode) {
			return c, nil
		}
	}
	return domain.Channel{}, domain.Errorf(domain.ENOTFOUND, "no channel named %q; add it with portolan channels add --kind file --name %q", nameOrCode, nameOrCode)
}

// QuarantineCount is how many of the channel's orders wait in quarantine,
// or -1 when that cannot be read (the Channels screen shows the column only).
func (s *IntakeService) QuarantineCount(ctx context.Context, channelID int64) int {
	n, err := s.store.QuarantineCount(ctx, channelID)
	if err != nil {
		return -1
	}
	return n
}

// UpdateChannel renames a channel, changes its address and, when creds is
// not nil, replaces its credentials; the new settings are checked first.
func (s *IntakeService) UpdateChannel(ctx context.Context, ch domain.Channel, creds *domain.Credentials) error {
	if ch.Kind != domain.ChannelFile && ch.Kind != domain.ChannelManual {
		c := creds
		if c == nil {
			stored, err := s.store.ChannelCredentials(ctx, ch.ID)
			if err != nil {
				return err
			}
			c = &stored
		}
		if _, err := s.sources(ch, *c); err != nil {
			return err
		}
	}
	return s.store.UpdateChannel(ctx, ch, creds)
}

// RemoveChannel deletes a channel without orders.
func (s *IntakeService) RemoveChannel(ctx context.Context, ch domain.Channel) error {
	return s.store.DeleteChannel(ctx, ch.ID)
}

// TestConnection asks the storefront for its newest changes, which proves the
// address and credentials without storing anything.
func (s *IntakeService) TestConnection(ctx context.Context, ch domain.Channel) error {
	creds, err := s.store.ChannelCredentials(ctx, ch.ID)
	if err != nil {
		return err
	}
	src, err := s.sources(ch, creds)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	_, err = src.FetchUpdated(ctx, s.now().Add(-time.Hour), "")
	return err
}

// Channels sync at the same time, at most MaxParallelSyncs at once, each
// within SyncDeadline: a store that never answers holds only its own
// channel, and only until then.
const (
	MaxParallelSyncs = 4
	SyncDeadline     = 10 * time.Minute
)

// SyncEach syncs channels at the same time (see MaxParallelSyncs), each
// from since (zero: its cursor) and within s.Deadline (zero:
// SyncDeadline). progress and done are called from the channel's goroutine:
// progress after every committed page, done when the channel has finished.
// It returns when every channel has.
func (s *IntakeService) SyncEach(ctx context.Context, chans []domain.Channel, since time.Time,
	progress func(domain.Channel, domain.SyncRun), done func(domain.Channel, domain.SyncRun, error)) {
	deadline := s.Deadline
	if deadline <= 0 {
		deadline = SyncDeadline
	}
	slots := make(chan struct{}, MaxParallelSyncs)
	var wg sync.WaitGroup
	for _, ch := range chans {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			cctx, cancel := context.WithTimeout(ctx, deadline)
			defer cancel()
			run, err := s.Sync(cctx, ch, since, func(p SyncProgress) {
				if progress != nil {
					progress(ch, p.Run)
				}
			})
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				err = domain.Errorf(domain.EINTERNAL, "%s did not finish within %s; its committed pages are kept and the next sync goes on from there",
					ch.Name, deadline)
				run.Status, run.Error = domain.SyncFailed, err.Error()
			}
			done(ch, run, err)
		})
	}
	wg.Wait()
}
