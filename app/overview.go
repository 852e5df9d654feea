package app

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/portolan/portolan/domain"
)

// OverviewService answers the coordinator's first question of the day —
// what is late, what is about to be late, and where is it stuck — with
// the counts of the screens that list them (domain.Overview).
type OverviewService struct {
	clocked
	orders   domain.OrderReads
	catalog  domain.CatalogStore
	promises domain.PromiseStore
	waves    func(ctx context.Context, warehouse string) ([]domain.WaveSummary, error)
	inbounds func(ctx context.Context, status domain.InboundStatus) ([]domain.Inbound, error)
	// manifests are the newest carrier manifests (of a warehouse, "" all).
	manifests func(ctx context.Context, warehouse string, limit int) ([]domain.ManifestSummary, error)
	products  func(ctx context.Context, f domain.StockFilter) (int, error)
	lowStock  func(ctx context.Context) ([]domain.LowStock, error)
	shipped   func(ctx context.Context, since time.Time, skus []string) (map[string]map[string]domain.Quantity, error)
	// cover keeps the low SKUs' units shipped (a read of every order line
	// of 28 days) for coverFresh: days of cover move slowly, and the
	// Overview reloads every minute.
	cover struct {
		sync.Mutex
		at    time.Time
		skus  []string
		units map[string]map[string]domain.Quantity
	}
	short   func(ctx context.Context, limit int) ([]domain.ShortSKU, error)
	finance func(ctx context.Context, at time.Time) (domain.FinanceOverview, error)
	// exceptions counts the exceptions queue by milestone.
	exceptions func(ctx context.Context) (map[domain.Milestone]int, error)
	pushes     func(ctx context.Context) (map[string]int, error)
	syncs      func(ctx context.Context, channelID int64) (domain.SyncState, error)
}

// Overview counts what needs doing at the clock's now.
func (s *OverviewService) Overview(ctx context.Context) (domain.Overview, error) {
	now := s.now()
	endOfDay := domain.EndOfDay(now.Local())
	v := domain.Overview{At: now, Channels: []domain.ChannelProblem{}}
	// The first read that fails is the answer; the others are not made.
	var err error
	count := func(f domain.OrderFilter) int {
		if err != nil {
			return 0
		}
		var n int
		n, err = s.orders.CountOrders(ctx, f)
		return n
	}
	o := &v.Orders
	o.ToAllocate = count(domain.OrderFilter{Status: domain.StatusNew})
	o.Backordered = count(domain.OrderFilter{Status: domain.StatusBackordered})
	o.OnHold = count(domain.OrderFilter{Status: domain.StatusOnHold})
	o.NeedsReview = count(domain.OrderFilter{NeedsReview: true})
	o.Late = count(domain.OrderFilter{ShipByBefore: now})
	o.DueToday = count(domain.OrderFilter{ShipByFrom: now, ShipByBefore: endOfDay})
	if err == nil && o.Backordered > 0 {
		o.ShortSKUs, err = s.short(ctx, shortSKUs)
	}
	if err == nil && o.ToAllocate > 0 {
		// Newest placed first: the last is the oldest.
		var oldest []domain.OrderSummary
		oldest, err = s.orders.OrderSummaries(ctx, domain.OrderFilter{Status: domain.StatusNew}, o.ToAllocate-1, 1)
		if len(oldest) == 1 {
			o.OldestToAllocate = oldest[0].PlacedAt
		}
	}
	var whs []domain.Warehouse
	if err == nil {
		whs, err = s.catalog.Warehouses(ctx)
	}
	// Per warehouse, each count in one read for all of them.
	perWarehouse := func(f domain.OrderFilter) map[string]int {
		if err != nil {
			return nil
		}
		var m map[string]int
		m, err = s.orders.CountOrdersByWarehouse(ctx, f)
		return m
	}
	late := perWarehouse(domain.OrderFilter{ShipByBefore: now})
	dueToday := perWarehouse(domain.OrderFilter{ShipByFrom: now, ShipByBefore: endOfDay})
	picking := perWarehouse(domain.OrderFilter{Status: domain.StatusPicking})
	packed := perWarehouse(domain.OrderFilter{Status: domain.StatusPacked})
	var open []domain.Inbound
	if err == nil {
		open, err = s.inbounds(ctx, domain.InboundOpen)
	}
	// Today's manifests are among the newest: at most one per carrier and
	// warehouse, and no warehouse's today is more than a day from another's.
	var manifests []domain.ManifestSummary
	if err == nil {
		manifests, err = s.manifests(ctx, "", recentManifests)
	}
	for _, w := range whs {
		wo := domain.WarehouseOverview{Code: w.Code, Name: w.Name,
			Late: late[w.Code], DueToday: dueToday[w.Code], Picking: picking[w.Code], Packed: packed[w.Code]}
		var cal domain.Calendar
		if err == nil {
			cal, err = s.promises.Calendar(ctx, w)
		}
		if next := cal.NextPickups(now); err == nil && len(next) > 0 {
			// What must be ready that day: every order due by its last pickup.
			wo.NextPickup, wo.LastPickup = next[0], next[len(next)-1]
			wo.ForPickup = count(domain.OrderFilter{Warehouse: w.Code, ShipByBefore: wo.LastPickup.Add(time.Millisecond)})
		}
		var waves []domain.WaveSummary
		if err == nil {
			waves, err = s.waves(ctx, w.Code)
		}
		for _, wv := range waves {
			if wv.Status == domain.WaveOpen {
				wo.OpenWaves++
			}
		}
		today := w.Today(now)
		for _, m := range manifests {
			if m.Warehouse == w.Code && m.Day == today {
				wo.HandedOver += m.Parcels
			}
		}
		for _, in := range open {
			if in.Warehouse != w.Code {
				continue
			}
			switch in.Due(today) {
			case domain.InboundDueToday:
				wo.InboundToday++
			case domain.InboundOverdue:
				wo.InboundOverdue++
			}
		}
		v.Warehouses = append(v.Warehouses, wo)
	}
	if err != nil {
		return v, err
	}
	if v.LowStock, err = s.products(ctx, domain.StockFilter{LowOnly: true}); err != nil {
		return v, err
	}
	low, err := s.lowStock(ctx)
	if err != nil {
		return v, err
	}
	units, err := s.shippedUnits(ctx, now, low)
	if err != nil {
		return v, err
	}
	for i, l := range low {
		low[i].Shipped = units[l.SKU][l.Warehouse]
	}
	domain.SortByCover(low)
	v.LowCover = low[:min(len(low), domain.LowCoverShown)]
	if v.Finance, err = s.finance(ctx, now); err != nil {
		return v, err
	}
	t := &v.Transport
	if t.ByMilestone, err = s.exceptions(ctx); err != nil {
		return v, err
	}
	for _, n := range t.ByMilestone {
		t.Exceptions += n
	}
	pushes, err := s.pushes(ctx)
	if err != nil {
		return v, err
	}
	t.PushesFailing = pushes["failed"]
	chans, err := s.catalog.Channels(ctx)
	if err != nil {
		return v, err
	}
	for _, ch := range chans {
		st, err := s.syncs(ctx, ch.ID)
		if err != nil {
			return v, err
		}
		if st.LastRun == nil || (st.LastRun.Status != domain.SyncFailed && st.LastRun.Status != domain.SyncGap) {
			continue
		}
		problem := "the last sync failed: " + st.LastRun.Error
		if st.LastRun.Status == domain.SyncGap {
			problem = "the last sync left a gap: " + st.LastRun.Error
		}
		v.Channels = append(v.Channels, domain.ChannelProblem{Code: ch.Code, Name: ch.Name, Problem: problem, Since: st.LastSuccess})
	}
	return v, nil
}

// recentManifests is how many of the newest manifests the Overview reads
// for today's: more than carriers × warehouses × 3 days.
const recentManifests = 500

// shortSKUs is how many of the SKUs that hold backorders the Overview names.
const shortSKUs = 5

// coverFresh is how long the low SKUs' units shipped are kept.
const coverFresh = 15 * time.Minute

// shippedUnits are the low SKUs' units shipped over the last CoverDays
// days, by SKU and warehouse: read again when coverFresh has passed or the
// low SKUs changed.
func (s *OverviewService) shippedUnits(ctx context.Context, now time.Time, low []domain.LowStock) (map[string]map[string]domain.Quantity, error) {
	var skus []string
	for _, l := range low {
		skus = append(skus, l.SKU)
	}
	slices.Sort(skus)
	skus = slices.Compact(skus)
	c := &s.cover
	c.Lock()
	defer c.Unlock()
	if !c.at.IsZero() && now.Sub(c.at) < coverFresh && !now.Before(c.at) && slices.Equal(c.skus, skus) {
		return c.units, nil
	}
	units, err := s.shipped(ctx, now.AddDate(0, 0, -domain.CoverDays), skus)
	if err != nil {
		return nil, err
	}
	c.at, c.skus, c.units = now, skus, units
	return units, nil
}
