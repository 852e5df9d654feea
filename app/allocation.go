package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/portolan/portolan/app/demo"
	"github.com/portolan/portolan/domain"
)

// AllocationService plans which warehouse ships which order line, shows the
// plan, and commits it as reservations in one transaction.
type AllocationService struct {
	domain.AllocationReads // settings, an order's allocation
	domain.CatalogStore    // warehouses
	store                  domain.AllocationStore
	readTable              domain.TableReader
	now                    func() time.Time
}

// Input gathers what a plan is made from: the open orders (filtered), the
// available stock, the warehouses in rank order (by code), the rates (the
// defaults for warehouses without any) and the settings.
func (s *AllocationService) Input(ctx context.Context, f domain.OrderFilter) (domain.AllocInput, error) {
	var in domain.AllocInput
	var err error
	if in.Orders, err = s.store.OpenOrders(ctx, f); err != nil {
		return in, err
	}
	if in.Available, err = s.store.Availability(ctx); err != nil {
		return in, err
	}
	if in.Warehouses, err = s.CatalogStore.Warehouses(ctx); err != nil {
		return in, err
	}
	if in.Rates, err = s.Rates(ctx); err != nil {
		return in, err
	}
	if in.Incoming, err = s.store.Incoming(ctx, s.now()); err != nil {
		return in, err
	}
	in.Config, err = s.store.AllocConfig(ctx)
	return in, err
}

// Rates are the stored shipping rates, with the default rates for every
// warehouse that has none yet.
func (s *AllocationService) Rates(ctx context.Context) ([]domain.Rate, error) {
	rates, err := s.store.Rates(ctx)
	if err != nil {
		return nil, err
	}
	whs, err := s.CatalogStore.Warehouses(ctx)
	if err != nil {
		return nil, err
	}
	has := map[string]bool{}
	for _, r := range rates {
		has[r.Warehouse] = true
	}
	var missing []domain.Warehouse
	for _, w := range whs {
		if !has[w.Code] {
			missing = append(missing, w)
		}
	}
	if len(missing) > 0 {
		rates = append(rates, domain.DefaultRates(missing, defaultRateCountries())...)
	}
	return rates, nil
}

// defaultRateCountries are the destinations default rates are listed for
// (others use the "*" rate): the demo's destinations and warehouse countries.
func defaultRateCountries() []domain.Country { return demo.Countries() }

// SetRates replaces the rate table.
func (s *AllocationService) SetRates(ctx context.Context, rates []domain.Rate) error {
	return s.store.SetRates(ctx, rates)
}

// SetConfig saves the planner's settings.
func (s *AllocationService) SetConfig(ctx context.Context, c domain.AllocConfig) error {
	return s.store.SetAllocConfig(ctx, c)
}

// Plan plans the open orders matching f, with manual overrides (order ID →
// line number → warehouse code). Nothing is written.
func (s *AllocationService) Plan(ctx context.Context, f domain.OrderFilter, overrides map[int64]map[int]string) (domain.Plan, error) {
	in, err := s.Input(ctx, f)
	if err != nil {
		return domain.Plan{}, err
	}
	in.Fixed = overrides
	return domain.PlanAllocation(in), nil
}

// PlanImproved plans as Plan, hands that plan to first (may be nil) at
// once, then lowers its cost over the whole plan (domain.ImproveAllocation)
// until the plan meets its bound, the improvement's rounds are used up,
// budget has passed (0: no limit) or ctx ends, telling progress (may be
// nil). What it returns is always a valid plan, with its lower bound.
func (s *AllocationService) PlanImproved(ctx context.Context, f domain.OrderFilter, overrides map[int64]map[int]string, budget time.Duration,
	first func(domain.Plan), progress func(domain.ImproveProgress)) (domain.Plan, error) {
	in, err := s.Input(ctx, f)
	if err != nil {
		return domain.Plan{}, err
	}
	in.Fixed = overrides
	greedy := domain.PlanAllocation(in)
	if first != nil {
		first(greedy)
	}
	if budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, budget)
		defer cancel()
	}
	return domain.ImproveAllocation(ctx, in, greedy, progress), nil
}

// Commit reserves a plan's allocations and sets its orders' statuses in one
// transaction; orders whose stock or status changed since are reported.
func (s *AllocationService) Commit(ctx context.Context, p domain.Plan) (domain.CommitResult, error) {
	return s.store.CommitPlan(ctx, p, s.now())
}

// ReplanBackorders plans and commits the backordered orders again (after
// stock arrived); it returns how many it allocated.
func (s *AllocationService) ReplanBackorders(ctx context.Context) (domain.CommitResult, error) {
	p, err := s.Plan(ctx, domain.OrderFilter{Status: domain.StatusBackordered}, nil)
	if err != nil || len(p.Orders) == 0 {
		return domain.CommitResult{}, err
	}
	// Orders that stay backordered keep their status; commit only those that now ship.
	var ship domain.Plan
	for _, o := range p.Orders {
		if len(o.Parcels) > 0 {
			ship.Orders = append(ship.Orders, o)
		}
	}
	if len(ship.Orders) == 0 {
		return domain.CommitResult{}, nil
	}
	return s.Commit(ctx, ship)
}

// Unallocate releases an allocated order's reservations; it becomes new.
func (s *AllocationService) Unallocate(ctx context.Context, orderID int64, reason string) error {
	return s.store.Unallocate(ctx, orderID, s.now(), reason)
}

// ImportRates reads a rate file (warehouse, country or "*", cost in the
// planning currency, transit days) and, unless dryRun, replaces the rates of
// the warehouses it lists (the others keep theirs). Rows with a problem are
// returned and nothing is written while there are any.
func (s *AllocationService) ImportRates(ctx context.Context, path, sheet string, dryRun bool) ([]domain.Rate, []domain.RowProblem, error) {
	cfg, err := s.store.AllocConfig(ctx)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.readTable(path, sheet)
	if err != nil {
		return nil, nil, err
	}
	rates, problems, err := domain.ParseRates(t.Headers, t.Rows, cfg.Currency)
	if err != nil || len(problems) > 0 || dryRun {
		return rates, problems, err
	}
	current, err := s.store.Rates(ctx)
	if err != nil {
		return nil, nil, err
	}
	listed := map[string]bool{}
	for _, r := range rates {
		listed[r.Warehouse] = true
	}
	all := append([]domain.Rate(nil), rates...)
	for _, r := range current {
		if !listed[r.Warehouse] {
			all = append(all, r)
		}
	}
	return rates, nil, s.store.SetRates(ctx, all)
}

// AfterStockIn plans backordered orders again when the settings ask for it;
// the inventory calls it after stock arrived (receipt, transfer, return,
// adjustment, count, import).
func (s *AllocationService) AfterStockIn(ctx context.Context) {
	cfg, err := s.store.AllocConfig(ctx)
	if err != nil || !cfg.AutoReplan {
		return
	}
	if res, err := s.ReplanBackorders(ctx); err != nil {
		slog.Error("re-plan backorders after stock arrived", "err", err)
	} else if res.Allocated > 0 {
		slog.Info("backorders allocated after stock arrived", "orders", res.Allocated)
	}
}

// SetChannelPriority sets a channel's priority, -9 to 9.
func (s *AllocationService) SetChannelPriority(ctx context.Context, channelID int64, p int) error {
	return s.store.SetChannelPriority(ctx, channelID, p)
}

// AvailableOf is what each warehouse can still promise of a SKU.
func (s *AllocationService) AvailableOf(ctx context.Context, sku string) (map[string]domain.Quantity, error) {
	all, err := s.store.Availability(ctx)
	if err != nil {
		return nil, err
	}
	return all[sku], nil
}
