package domain

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// PlanLine is one line of an order to allocate.
type PlanLine struct {
	LineNo int
	SKU    string
	Qty    Quantity
	Value  int64 // line value in the planning currency's minor units (for the split rule)
}

// PlanOrder is an open order (new or backordered) the planner may allocate.
type PlanOrder struct {
	ID       int64
	Number   string
	PlacedAt time.Time
	Country  Country
	Priority int // higher goes first; ties go to the oldest order
	Lines    []PlanLine
}

// Rate is what shipping one parcel from a warehouse to a country costs (in
// the planning currency's minor units) and how many days it takes. Country
// "*" is the warehouse's rate for countries without their own.
type Rate struct {
	Warehouse   string
	Country     Country
	Cost        int64
	TransitDays int
}

// MaxTransitDays is the longest transit a rate may give: a year.
const MaxTransitDays = 365

// MaxPlanCost is the largest cost a rate or a planner setting may have, in
// minor units of the planning currency (10¹², ten billion euros): with at
// most MaxTransitDays days and 99 parcels, no plan's sum can overflow.
const MaxPlanCost = 1_000_000_000_000

// Validate checks a rate in the planning currency cur: a cost from 0 to
// MaxPlanCost, 0 to MaxTransitDays days, a country code or "*".
func (r Rate) Validate(cur Currency) error {
	if r.Cost < 0 || r.Cost > MaxPlanCost {
		return Errorf(EINVALID, "%s → %s: the cost must be from 0 to %s", r.Warehouse, r.Country, NewMoney(MaxPlanCost, cur))
	}
	if r.TransitDays < 0 || r.TransitDays > MaxTransitDays {
		return Errorf(EINVALID, "%s → %s: transit takes 0 to %d days, not %d", r.Warehouse, r.Country, MaxTransitDays, r.TransitDays)
	}
	if r.Country != "*" && !r.Country.Valid() {
		return Errorf(EINVALID, "%s: %q is not an ISO 3166-1 country code", r.Warehouse, r.Country)
	}
	return nil
}

// AllocConfig weighs the plan's costs and sets its rules.
type AllocConfig struct {
	Currency     Currency // the planning currency of all costs
	SplitPenalty int64    // per parcel beyond the first
	CustomsCost  int64    // per parcel crossing a customs border
	DayCost      int64    // per day of expected transit, per parcel
	NeverSplit   bool
	MaxParcels   int   // 0: no limit
	MinSplitLine int64 // a parcel split off must be worth at least this much (0: any)
	KeepInRegion bool  // ship only from warehouses in the destination's region
	AllowPartial bool  // allocate what is in stock and backorder the rest
	AutoReplan   bool  // plan backordered orders again whenever stock arrives
	// WaitDayCost is what a day of waiting costs (0: never wait): an order
	// that would have to be split waits instead for an expected delivery that
	// lets one warehouse ship it whole, when that is cheaper.
	WaitDayCost int64
}

// Validate checks the settings: a currency, and costs from 0 to
// MaxPlanCost (so that no plan's sum of them can overflow).
func (c AllocConfig) Validate() error {
	if _, err := ParseCurrency(string(c.Currency)); err != nil {
		return err
	}
	for _, v := range []int64{c.SplitPenalty, c.CustomsCost, c.DayCost, c.MinSplitLine, c.WaitDayCost} {
		if v < 0 || v > MaxPlanCost {
			return Errorf(EINVALID, "allocation costs must be from 0 to %s", NewMoney(MaxPlanCost, c.Currency))
		}
	}
	if c.MaxParcels < 0 || c.MaxParcels > 99 {
		return Errorf(EINVALID, "the most parcels an order may be split into is 0 (no limit) to 99")
	}
	return nil
}

// DefaultAllocConfig is a sensible start: splits cost €3.50 each, customs
// €6.00, a day of transit €0.40, a day of waiting for a delivery €1.50.
func DefaultAllocConfig() AllocConfig {
	return AllocConfig{Currency: "EUR", SplitPenalty: 350, CustomsCost: 600, DayCost: 40, MaxParcels: 3, WaitDayCost: 150}
}

// AllocInput is everything a plan is made from.
type AllocInput struct {
	Orders     []PlanOrder
	Warehouses []Warehouse // in rank order: the naïve rule ships from the first with stock
	Available  map[string]map[string]Quantity
	Rates      []Rate
	Config     AllocConfig
	// Fixed pins lines to a warehouse (manual overrides): order ID → line number → warehouse code.
	Fixed map[int64]map[int]string
	// Incoming is stock expected to arrive (open inbounds), for orders that
	// may wait for it rather than be split.
	Incoming []Incoming
}

// Incoming is stock of a SKU expected at a warehouse in Days days.
type Incoming struct {
	SKU       string
	Warehouse string
	Qty       Quantity
	Days      int
	Ref       string // the inbound's reference, for the reason
}

// Parcel is what one warehouse ships of an order.
type Parcel struct {
	Warehouse   string
	Lines       []PlanLine
	Cost        int64 // shipping + customs + transit days
	TransitDays int
	Customs     bool
}

// PlannedOrder is the plan for one order.
type PlannedOrder struct {
	OrderID   int64
	Number    string
	Status    OrderStatus // allocated or backordered
	Parcels   []Parcel
	Backorder []PlanLine // lines not allocated, with the missing quantity
	Cost      int64      // parcels + split penalties
	Reason    string
}

// PlanTotals sums a plan.
type PlanTotals struct {
	Orders      int
	Allocated   int // fully allocated
	Partial     int // allocated in part, the rest backordered
	Backordered int // nothing allocated
	Parcels     int
	Splits      int // orders in more than one parcel
	Cost        int64
	// LowerBound is what no plan shipping the same orders can cost less
	// than (ImproveAllocation); 0 when it was not worked out.
	LowerBound int64
}

// Plan is the planner's answer: what to reserve where, and why.
type Plan struct {
	Orders []PlannedOrder
	Totals PlanTotals
	Naive  PlanTotals // "ship from the highest-ranked warehouse with stock", for comparison
}

// planner holds an input in index form: SKUs and warehouses as integers,
// stock as one flat slice, so that 100,000 orders plan in well under a second.
type planner struct {
	cfg      AllocConfig
	whs      []Warehouse
	skuIndex map[string]int
	stock    []int64 // [sku*len(whs)+w]
	rates    map[Country][]Rate
	star     []Rate
	fixed    map[int64]map[int]string
	whIndex  map[string]int
	lanes    map[Country][]lane // per destination: each warehouse's parcel
	incoming map[int][]Incoming // [sku*len(whs)+w]: expected deliveries, soonest first (Qty still unpromised)
}

// lane is shipping one parcel from a warehouse to a country, worked out once.
type lane struct {
	ok      bool // the warehouse ships there, within the rules
	cost    int64
	days    int
	customs bool
}

func newPlanner(in AllocInput) *planner {
	p := &planner{cfg: in.Config, whs: in.Warehouses, skuIndex: map[string]int{}, rates: map[Country][]Rate{},
		star: make([]Rate, len(in.Warehouses)), fixed: in.Fixed, whIndex: map[string]int{}, lanes: map[Country][]lane{}}
	for i, w := range in.Warehouses {
		p.whIndex[w.Code] = i
		p.star[i] = Rate{Warehouse: w.Code, Cost: -1}
	}
	skus := slices.Sorted(maps.Keys(in.Available))
	p.stock = make([]int64, len(skus)*len(in.Warehouses))
	for i, sku := range skus {
		p.skuIndex[sku] = i
		for code, q := range in.Available[sku] {
			if w, ok := p.whIndex[code]; ok && q > 0 {
				p.stock[i*len(in.Warehouses)+w] = int64(q)
			}
		}
	}
	p.incoming = map[int][]Incoming{}
	for _, inc := range in.Incoming {
		w, ok := p.whIndex[inc.Warehouse]
		sku, known := p.skuIndex[inc.SKU]
		if !ok || !known || inc.Qty <= 0 {
			continue
		}
		k := sku*len(in.Warehouses) + w
		p.incoming[k] = append(p.incoming[k], inc)
	}
	for k := range p.incoming {
		list := p.incoming[k]
		sort.SliceStable(list, func(i, j int) bool { return list[i].Days < list[j].Days })
	}
	for _, r := range in.Rates {
		w, ok := p.whIndex[r.Warehouse]
		if !ok {
			continue
		}
		if r.Country == "*" {
			p.star[w] = r
			continue
		}
		if p.rates[r.Country] == nil {
			p.rates[r.Country] = make([]Rate, len(in.Warehouses))
			for i := range p.rates[r.Country] {
				p.rates[r.Country][i].Cost = -1
			}
		}
		p.rates[r.Country][w] = r
	}
	return p
}

// rate is the shipping rate from warehouse w to country c; ok is false when
// the warehouse does not ship there.
func (p *planner) rate(w int, c Country) (Rate, bool) {
	if rs := p.rates[c]; rs != nil && rs[w].Cost >= 0 {
		return rs[w], true
	}
	if p.star[w].Cost >= 0 {
		return p.star[w], true
	}
	return Rate{}, false
}

// lanesTo are the parcels from every warehouse to country c.
func (p *planner) lanesTo(c Country) []lane {
	if ls, ok := p.lanes[c]; ok {
		return ls
	}
	ls := make([]lane, len(p.whs))
	for w := range p.whs {
		r, ok := p.rate(w, c)
		if !ok {
			continue
		}
		l := lane{ok: true, days: r.TransitDays, customs: CustomsArea(p.whs[w].Address.Country) != CustomsArea(c)}
		l.cost = r.Cost + int64(r.TransitDays)*p.cfg.DayCost
		if l.customs {
			l.cost += p.cfg.CustomsCost
		}
		if p.cfg.KeepInRegion {
			if reg := Region(c); reg != "" && Region(p.whs[w].Address.Country) != reg {
				l.ok = false
			}
		}
		ls[w] = l
	}
	p.lanes[c] = ls
	return ls
}

// parcelCost is the cost of one parcel from warehouse w to country c.
func (p *planner) parcelCost(w int, c Country) (cost int64, days int, customs bool, ok bool) {
	l := p.lanesTo(c)[w]
	return l.cost, l.days, l.customs, l.ok
}

func (p *planner) allowed(w int, c Country) bool { return p.lanesTo(c)[w].ok }

// has reports whether warehouse w holds qty of sku (index; -1: unknown SKU).
func (p *planner) has(sku, w int, qty int64) bool {
	return sku >= 0 && p.stock[sku*len(p.whs)+w] >= qty
}

func (p *planner) take(sku, w int, qty int64) { p.stock[sku*len(p.whs)+w] -= qty }

// option is one way to ship an order: line i from warehouse assign[i] (-1: not shipped).
type option struct {
	assign  []int
	parcels int
	cost    int64
}

// orderSKUs are an order's SKU indexes and quantities, lines of one SKU added
// up for stock checks.
func (p *planner) skuOf(l PlanLine) int {
	if i, ok := p.skuIndex[l.SKU]; ok {
		return i
	}
	return -1
}

// fits reports whether warehouse w can ship lines (by index) of o, counting
// lines of the same SKU together.
func (p *planner) fits(o PlanOrder, skus []int, lines []int, w int) bool {
	if len(lines) == 1 {
		return p.has(skus[lines[0]], w, int64(o.Lines[lines[0]].Qty))
	}
	for a, i := range lines {
		q := int64(o.Lines[i].Qty)
		for _, j := range lines[:a] {
			if skus[j] == skus[i] {
				q += int64(o.Lines[j].Qty)
			}
		}
		if !p.has(skus[i], w, q) {
			return false
		}
	}
	return true
}

// cost of an assignment: parcels, split penalties; ok false if a parcel is
// not allowed (rules) or cannot ship.
func (p *planner) costOf(o PlanOrder, assign []int) (option, bool) {
	opt := option{assign: assign}
	lanes := p.lanesTo(o.Country)
	var ws [8]int // the distinct warehouses, in first-use order
	var vals [8]int64
	n := 0
	for i, w := range assign {
		if w < 0 {
			continue
		}
		k := 0
		for k < n && ws[k] != w {
			k++
		}
		if k == n {
			if n == len(ws) {
				return opt, false // more parcels than any plan should have
			}
			ws[n], vals[n] = w, 0
			n++
		}
		vals[k] += o.Lines[i].Value
	}
	if n == 0 {
		return opt, false
	}
	if n > 1 && (p.cfg.NeverSplit || (p.cfg.MaxParcels > 0 && n > p.cfg.MaxParcels)) {
		return opt, false
	}
	big := 0
	for k := 1; k < n; k++ {
		if vals[k] > vals[big] {
			big = k
		}
	}
	for k := range n {
		l := lanes[ws[k]]
		if !l.ok {
			return opt, false
		}
		opt.cost += l.cost
		if n > 1 && p.cfg.MinSplitLine > 0 && k != big && vals[k] < p.cfg.MinSplitLine {
			return opt, false // a small parcel split off for too little
		}
	}
	opt.parcels = n
	opt.cost += int64(n-1) * p.cfg.SplitPenalty
	return opt, true
}

// best finds the cheapest way to ship the whole order with the stock left:
// from one warehouse, or split (greedy cover, and each line from its
// cheapest warehouse), the cheaper winning and one warehouse on a tie.
func (p *planner) best(o PlanOrder, skus []int) (option, bool) {
	n := len(o.Lines)
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	fixed := p.fixed[o.ID]
	var bestOpt option
	found := false
	consider := func(assign []int) {
		for i, w := range assign {
			if code, ok := fixed[o.Lines[i].LineNo]; ok && p.whs[w].Code != code {
				return
			}
		}
		if !p.feasible(o, skus, assign) {
			return
		}
		opt, ok := p.costOf(o, assign)
		if ok && (!found || opt.cost < bestOpt.cost || (opt.cost == bestOpt.cost && opt.parcels < bestOpt.parcels)) {
			opt.assign = append([]int(nil), assign...)
			bestOpt, found = opt, true
		}
	}
	for w := range p.whs {
		if p.allowed(w, o.Country) && p.fits(o, skus, all, w) {
			assign := make([]int, n)
			for i := range assign {
				assign[i] = w
			}
			consider(assign)
		}
	}
	if n == 1 || p.cfg.NeverSplit {
		return bestOpt, found
	}
	// Small orders: every combination of warehouses that hold each line.
	if p.enumerate(o, skus, fixed, consider) {
		return bestOpt, found
	}
	if a, ok := p.greedyCover(o, skus, fixed); ok {
		consider(a)
	}
	if a, ok := p.cheapestPerLine(o, skus, fixed); ok {
		consider(a)
	}
	return bestOpt, found
}

// maxCombinations bounds the exhaustive look at one order's splits.
const maxCombinations = 256

// enumerate calls consider with every assignment of the order's lines to
// warehouses that hold them, if there are at most maxCombinations; it
// reports whether it did.
func (p *planner) enumerate(o PlanOrder, skus []int, fixed map[int]string, consider func([]int)) bool {
	cands, total := p.candidates(o, fixed, func(i, w int) bool { return p.allowed(w, o.Country) && p.has(skus[i], w, int64(o.Lines[i].Qty)) })
	if total > maxCombinations {
		return false
	}
	eachCombination(cands, consider) // none when a line cannot ship
	return true
}

// candidates are, for each line, the warehouses it may ship from: its
// pinned one, else those holds accepts; total is how many assignments
// they make (each empty list counted as one).
func (p *planner) candidates(o PlanOrder, fixed map[int]string, holds func(line, w int) bool) (cands [][]int, total int) {
	cands, total = make([][]int, len(o.Lines)), 1
	for i, l := range o.Lines {
		if w := p.pinned(fixed, l); w >= 0 {
			cands[i] = []int{w}
			continue
		}
		for w := range p.whs {
			if holds(i, w) {
				cands[i] = append(cands[i], w)
			}
		}
		total *= max(len(cands[i]), 1)
	}
	return cands, total
}

// eachCombination calls fn with every way of taking one of each list's
// values (none when a list is empty); fn copies what it keeps.
func eachCombination(cands [][]int, fn func([]int)) {
	for _, c := range cands {
		if len(c) == 0 {
			return
		}
	}
	idx := make([]int, len(cands))
	pick := make([]int, len(cands))
	for {
		for i := range pick {
			pick[i] = cands[i][idx[i]]
		}
		fn(pick)
		i := 0
		for ; i < len(idx); i++ {
			if idx[i]++; idx[i] < len(cands[i]) {
				break
			}
			idx[i] = 0
		}
		if i == len(idx) {
			return
		}
	}
}

// feasible checks an assignment against the stock, lines of one SKU from one
// warehouse counted together.
func (p *planner) feasible(o PlanOrder, skus []int, assign []int) bool {
	for i, w := range assign {
		if w < 0 {
			continue
		}
		if skus[i] < 0 {
			return false
		}
		q := int64(o.Lines[i].Qty)
		for j := range i {
			if assign[j] == w && skus[j] == skus[i] {
				q += int64(o.Lines[j].Qty)
			}
		}
		if !p.has(skus[i], w, q) {
			return false
		}
	}
	return true
}

// pinned is the warehouse a manual override fixes a line to, or -1.
func (p *planner) pinned(fixed map[int]string, l PlanLine) int {
	if code, ok := fixed[l.LineNo]; ok {
		if w, ok := p.whIndex[code]; ok {
			return w
		}
	}
	return -1
}

// greedyCover repeatedly takes the warehouse that can ship the most of the
// lines left (cheapest on a tie) until every line is covered.
func (p *planner) greedyCover(o PlanOrder, skus []int, fixed map[int]string) ([]int, bool) {
	assign := make([]int, len(o.Lines))
	left := 0
	for i, l := range o.Lines {
		assign[i] = p.pinned(fixed, l)
		if assign[i] < 0 {
			left++
		}
	}
	used := map[int]bool{}
	for left > 0 {
		bestW, bestN := -1, 0
		var bestCost int64
		for w := range p.whs {
			if used[w] || !p.allowed(w, o.Country) {
				continue
			}
			nCover := 0
			for i := range o.Lines {
				if assign[i] < 0 && p.has(skus[i], w, int64(o.Lines[i].Qty)) {
					nCover++
				}
			}
			c, _, _, _ := p.parcelCost(w, o.Country)
			if nCover > bestN || (nCover == bestN && nCover > 0 && c < bestCost) {
				bestW, bestN, bestCost = w, nCover, c
			}
		}
		if bestW < 0 {
			return nil, false
		}
		used[bestW] = true
		for i := range o.Lines {
			if assign[i] < 0 && p.has(skus[i], bestW, int64(o.Lines[i].Qty)) {
				assign[i] = bestW
				left--
			}
		}
	}
	return assign, true
}

// cheapestPerLine ships each line from the cheapest warehouse that has it.
func (p *planner) cheapestPerLine(o PlanOrder, skus []int, fixed map[int]string) ([]int, bool) {
	assign := make([]int, len(o.Lines))
	for i, l := range o.Lines {
		if w := p.pinned(fixed, l); w >= 0 {
			assign[i] = w
			continue
		}
		assign[i] = -1
		var bestCost int64
		for w := range p.whs {
			if !p.allowed(w, o.Country) || !p.has(skus[i], w, int64(l.Qty)) {
				continue
			}
			c, _, _, _ := p.parcelCost(w, o.Country)
			if assign[i] < 0 || c < bestCost {
				assign[i], bestCost = w, c
			}
		}
		if assign[i] < 0 {
			return nil, false
		}
	}
	return assign, true
}

// partial ships what can ship (greedy cover without completeness) and
// returns the assignment, -1 for lines left.
func (p *planner) partial(o PlanOrder, skus []int) []int {
	assign := make([]int, len(o.Lines))
	for i := range assign {
		assign[i] = -1
	}
	used := map[int]bool{}
	for {
		if p.cfg.MaxParcels > 0 && len(used) >= p.cfg.MaxParcels || (p.cfg.NeverSplit && len(used) == 1) {
			return assign
		}
		bestW, bestN := -1, 0
		for w := range p.whs {
			if used[w] || !p.allowed(w, o.Country) {
				continue
			}
			n := 0
			for i := range o.Lines {
				if assign[i] < 0 && p.has(skus[i], w, int64(o.Lines[i].Qty)) {
					n++
				}
			}
			if n > bestN {
				bestW, bestN = w, n
			}
		}
		if bestW < 0 {
			return assign
		}
		used[bestW] = true
		taken := map[int]int64{}
		for i := range o.Lines {
			if assign[i] < 0 && p.has(skus[i], bestW, taken[skus[i]]+int64(o.Lines[i].Qty)) {
				assign[i] = bestW
				taken[skus[i]] += int64(o.Lines[i].Qty)
			}
		}
	}
}

// PlanAllocation decides, order by order from the highest priority (oldest
// first on a tie), which warehouse ships each line: the cheapest complete
// shipment from one warehouse, or a split when that is cheaper or the only
// way; orders that cannot be shipped are backordered with what is missing.
// The same input always gives the same plan.
func PlanAllocation(in AllocInput) Plan {
	orders := append([]PlanOrder(nil), in.Orders...)
	sortByPriority(orders)
	p := newPlanner(in)
	plan := Plan{Orders: make([]PlannedOrder, len(orders))}
	skus := make([][]int, len(orders))
	assigns := make([][]int, len(orders))
	users := map[int][]int{}  // SKU → orders (indexes) that took stock of it
	waiting := map[int]bool{} // orders that wait for a delivery by choice
	for i, o := range orders {
		skus[i] = make([]int, len(o.Lines))
		for j, l := range o.Lines {
			skus[i][j] = p.skuOf(l)
		}
		opt, ok := p.best(o, skus[i])
		if ok && opt.parcels > 1 {
			if why, waits := p.wait(o, skus[i], opt); waits {
				plan.Orders[i] = p.planned(o, skus[i], nil)
				plan.Orders[i].Reason = why
				waiting[i] = true
				continue
			}
		}
		switch {
		case ok:
			assigns[i] = opt.assign
		case p.cfg.AllowPartial:
			assigns[i] = p.partial(o, skus[i])
		}
		p.takeAll(o, skus[i], assigns[i])
		plan.Orders[i] = p.planned(o, skus[i], assigns[i])
		plan.Orders[i].Reason = p.reason(o, skus[i], plan.Orders[i])
		for j, w := range assigns[i] {
			if w >= 0 && skus[i][j] >= 0 {
				users[skus[i][j]] = append(users[skus[i][j]], i)
			}
		}
	}
	p.repair(orders, skus, assigns, users, waiting, &plan)
	plan.Totals = totals(plan.Orders)
	plan.Naive = planNaive(in, orders)
	return plan
}

// wait decides whether an order that would be split should rather wait for
// an expected delivery that lets one warehouse ship it whole: when the
// delivery's wait (days × WaitDayCost) plus one parcel costs less than the
// split. The incoming stock it counts on is promised to it.
func (p *planner) wait(o PlanOrder, skus []int, split option) (string, bool) {
	if p.cfg.WaitDayCost <= 0 || len(p.incoming) == 0 {
		return "", false
	}
	lanes := p.lanesTo(o.Country)
	bestW, bestDays := -1, 0
	var bestCost int64
	for w := range p.whs {
		if !lanes[w].ok || !p.allowed(w, o.Country) {
			continue
		}
		days, ok := p.daysUntilWhole(o, skus, w)
		if !ok || days > MaxTransitDays { // a delivery more than a year off is not worth waiting for
			continue
		}
		cost := lanes[w].cost + int64(days)*p.cfg.WaitDayCost
		if cost < split.cost && (bestW < 0 || cost < bestCost) {
			bestW, bestDays, bestCost = w, days, cost
		}
	}
	if bestW < 0 {
		return "", false
	}
	var refs []string
	for i, l := range o.Lines {
		need := int64(l.Qty) - p.stock[skus[i]*len(p.whs)+bestW]
		list := p.incoming[skus[i]*len(p.whs)+bestW]
		for j := 0; need > 0 && j < len(list); j++ {
			use := min(need, int64(list[j].Qty))
			if use <= 0 {
				continue
			}
			list[j].Qty -= Quantity(use)
			need -= use
			if !slices.Contains(refs, list[j].Ref) {
				refs = append(refs, list[j].Ref)
			}
		}
	}
	money := func(v int64) string { return NewMoney(v, p.cfg.Currency).String() }
	return fmt.Sprintf("waits for %s at %s (expected in %d day(s)): one parcel then, %s with the wait, is cheaper than %d parcels now (%s)",
		strings.Join(refs, ", "), p.whs[bestW].Code, bestDays, money(bestCost), split.parcels, money(split.cost)), true
}

// daysUntilWhole is how many days until warehouse w holds every line of the
// order, counting expected deliveries not yet promised.
func (p *planner) daysUntilWhole(o PlanOrder, skus []int, w int) (int, bool) {
	days := 0
	for i, l := range o.Lines {
		if skus[i] < 0 {
			return 0, false
		}
		need := int64(l.Qty)
		for j := range i { // lines of the same SKU add up
			if skus[j] == skus[i] {
				need += int64(o.Lines[j].Qty)
			}
		}
		have := p.stock[skus[i]*len(p.whs)+w]
		if have >= need {
			continue
		}
		reached := false
		for _, inc := range p.incoming[skus[i]*len(p.whs)+w] {
			have += int64(inc.Qty)
			if have >= need {
				days, reached = max(days, inc.Days), true
				break
			}
		}
		if !reached {
			return 0, false
		}
	}
	return days, true
}

// repairTries bounds how many shipped orders the repair moves per
// backordered order, so a plan of 100,000 orders stays fast.
const repairTries = 24

// repair gives backordered orders a second chance: an order shipped earlier
// may be moved to another warehouse (never unshipped) if that frees the
// stock a backordered order needs, so more orders ship. Orders are visited in
// priority order; the moved order's cost may rise.
func (p *planner) repair(orders []PlanOrder, skus [][]int, assigns [][]int, users map[int][]int, waiting map[int]bool, plan *Plan) {
	for b, o := range orders {
		if len(plan.Orders[b].Parcels) > 0 || p.cfg.AllowPartial || waiting[b] {
			continue
		}
		tried := map[int]bool{}
		done := false
		for _, s := range skus[b] {
			if s < 0 || done {
				break
			}
			list := users[s]
			for k := len(list) - 1; k >= 0 && len(tried) < repairTries && !done; k-- {
				a := list[k]
				if tried[a] || assigns[a] == nil {
					continue
				}
				tried[a] = true
				oldA := assigns[a]
				p.giveBack(orders[a], skus[a], oldA)
				if bOpt, ok := p.best(o, skus[b]); ok {
					p.takeAll(o, skus[b], bOpt.assign)
					if aOpt, ok := p.best(orders[a], skus[a]); ok {
						p.takeAll(orders[a], skus[a], aOpt.assign)
						assigns[a], assigns[b] = aOpt.assign, bOpt.assign
						plan.Orders[b] = p.planned(o, skus[b], bOpt.assign)
						plan.Orders[b].Reason = p.reason(o, skus[b], plan.Orders[b])
						plan.Orders[a] = p.planned(orders[a], skus[a], aOpt.assign)
						plan.Orders[a].Reason = p.reason(orders[a], skus[a], plan.Orders[a]) +
							fmt.Sprintf(" (rearranged so that order %s could ship too)", o.Number)
						for j, w := range bOpt.assign {
							if w >= 0 && skus[b][j] >= 0 {
								users[skus[b][j]] = append(users[skus[b][j]], b)
							}
						}
						done = true
						break
					}
					p.giveBack(o, skus[b], bOpt.assign)
				}
				p.takeAll(orders[a], skus[a], oldA)
			}
		}
	}
}

func (p *planner) takeAll(o PlanOrder, skus []int, assign []int) {
	for i, w := range assign {
		if w >= 0 {
			p.take(skus[i], w, int64(o.Lines[i].Qty))
		}
	}
}

func (p *planner) giveBack(o PlanOrder, skus []int, assign []int) {
	for i, w := range assign {
		if w >= 0 {
			p.take(skus[i], w, -int64(o.Lines[i].Qty))
		}
	}
}

func sortByPriority(orders []PlanOrder) {
	sort.SliceStable(orders, func(i, j int) bool {
		a, b := orders[i], orders[j]
		if a.Priority != b.Priority {
			return a.Priority > b.Priority
		}
		if !a.PlacedAt.Equal(b.PlacedAt) {
			return a.PlacedAt.Before(b.PlacedAt)
		}
		return a.ID < b.ID
	})
}

// planned describes an assignment (stock already taken) as parcels.
func (p *planner) planned(o PlanOrder, skus []int, assign []int) PlannedOrder {
	po := PlannedOrder{OrderID: o.ID, Number: o.Number}
	byW := map[int]*Parcel{}
	var order []int
	for i, l := range o.Lines {
		if assign == nil || assign[i] < 0 {
			po.Backorder = append(po.Backorder, l)
			continue
		}
		w := assign[i]
		if byW[w] == nil {
			cost, days, customs, _ := p.parcelCost(w, o.Country)
			byW[w] = &Parcel{Warehouse: p.whs[w].Code, Cost: cost, TransitDays: days, Customs: customs}
			order = append(order, w)
		}
		byW[w].Lines = append(byW[w].Lines, l)
	}
	sort.Ints(order)
	for _, w := range order {
		po.Parcels = append(po.Parcels, *byW[w])
		po.Cost += byW[w].Cost
	}
	if len(po.Parcels) > 1 {
		po.Cost += int64(len(po.Parcels)-1) * p.cfg.SplitPenalty
	}
	po.Status = StatusAllocated
	if len(po.Parcels) == 0 {
		po.Status = StatusBackordered
	}
	return po
}

// reason says in a sentence why the order got its plan.
func (p *planner) reason(o PlanOrder, skus []int, po PlannedOrder) string {
	money := func(v int64) string { return NewMoney(v, p.cfg.Currency).String() }
	if len(po.Parcels) == 0 {
		var missing []string
		for _, l := range po.Backorder {
			sku := skus[p.lineIndex(o, l)]
			if sku < 0 {
				missing = append(missing, fmt.Sprintf("%s is not in stock anywhere", l.SKU))
				continue
			}
			most := int64(0)
			for w := range p.whs {
				if p.allowed(w, o.Country) {
					most = max(most, p.stock[sku*len(p.whs)+w])
				}
			}
			missing = append(missing, fmt.Sprintf("%d × %s (at most %d in one warehouse)", l.Qty, l.SKU, most))
		}
		why := "not enough in stock in any warehouse that ships to " + string(o.Country)
		if p.cfg.KeepInRegion {
			why += " from its region"
		}
		if pins := p.fixed[o.ID]; len(pins) > 0 {
			var moved []string
			for _, l := range o.Lines {
				if code, ok := pins[l.LineNo]; ok {
					moved = append(moved, fmt.Sprintf("%s to %s", l.SKU, code))
				}
			}
			sort.Strings(moved)
			why = "the line(s) moved by hand (" + strings.Join(moved, ", ") + ") cannot ship from there with the rest"
		}
		return "backordered: " + why + ": " + strings.Join(missing, ", ")
	}
	var b strings.Builder
	if len(po.Parcels) == 1 {
		pc := po.Parcels[0]
		candidates := 0
		var next string
		var nextCost int64 = -1
		all := make([]int, len(o.Lines))
		for i := range all {
			all[i] = i
		}
		for w := range p.whs {
			if p.whs[w].Code == pc.Warehouse || !p.allowed(w, o.Country) {
				continue
			}
			// Stock has been taken for this order: add it back for the comparison.
			if p.fitsAfterTaking(o, skus, w, pc.Warehouse) {
				candidates++
				if c, _, _, _ := p.parcelCost(w, o.Country); nextCost < 0 || c < nextCost {
					next, nextCost = p.whs[w].Code, c
				}
			}
		}
		if candidates == 0 {
			fmt.Fprintf(&b, "%s: only warehouse with all %d line(s) in stock", pc.Warehouse, len(o.Lines))
		} else {
			fmt.Fprintf(&b, "%s: cheapest of %d warehouses with all lines (next %s %s)", pc.Warehouse, candidates+1, next, money(nextCost))
		}
	} else {
		var parts []string
		for _, pc := range po.Parcels {
			parts = append(parts, fmt.Sprintf("%s %d line(s)", pc.Warehouse, len(pc.Lines)))
		}
		fmt.Fprintf(&b, "split into %d parcels (%s): %s, incl. %s for the split", len(po.Parcels), strings.Join(parts, ", "),
			p.splitWhy(o, skus, po), money(int64(len(po.Parcels)-1)*p.cfg.SplitPenalty))
	}
	customs := false
	for _, pc := range po.Parcels {
		customs = customs || pc.Customs
	}
	if customs {
		b.WriteString("; crosses customs")
	} else if a := CustomsArea(o.Country); a == "EU" {
		b.WriteString("; ships within the EU")
	} else {
		b.WriteString("; no customs border")
	}
	fmt.Fprintf(&b, "; %s", money(po.Cost))
	if len(po.Backorder) > 0 {
		var missing []string
		for _, l := range po.Backorder {
			missing = append(missing, fmt.Sprintf("%d × %s", l.Qty, l.SKU))
		}
		b.WriteString("; backordered: " + strings.Join(missing, ", "))
	}
	return b.String()
}

func (p *planner) lineIndex(o PlanOrder, l PlanLine) int {
	for i, x := range o.Lines {
		if x.LineNo == l.LineNo {
			return i
		}
	}
	return 0
}

// fitsAfterTaking reports whether warehouse w could have shipped the whole
// order (the order's own stock already taken from chosen).
func (p *planner) fitsAfterTaking(o PlanOrder, skus []int, w int, chosen string) bool {
	need := map[int]int64{}
	for i, l := range o.Lines {
		if skus[i] < 0 {
			return false
		}
		need[skus[i]] += int64(l.Qty)
	}
	for s, q := range need {
		if !p.has(s, w, q) {
			return false
		}
	}
	return true
}

func (p *planner) splitWhy(o PlanOrder, skus []int, po PlannedOrder) string {
	for _, pc := range po.Parcels {
		w := p.whIndex[pc.Warehouse]
		if p.fitsAfterTaking(o, skus, w, pc.Warehouse) {
			return "cheaper than one parcel"
		}
	}
	return "no warehouse has every line"
}

func totals(orders []PlannedOrder) PlanTotals {
	t := PlanTotals{Orders: len(orders)}
	for _, o := range orders {
		switch {
		case len(o.Parcels) == 0:
			t.Backordered++
		case len(o.Backorder) > 0:
			t.Partial++
		default:
			t.Allocated++
		}
		t.Parcels += len(o.Parcels)
		if len(o.Parcels) > 1 {
			t.Splits++
		}
		t.Cost += o.Cost
	}
	return t
}

// planNaive is the rule other tools use: each order from the highest-ranked
// warehouse that has all of it, else each line from the highest-ranked
// warehouse that has it.
func planNaive(in AllocInput, orders []PlanOrder) PlanTotals {
	p := newPlanner(in)
	p.fixed = nil
	var out []PlannedOrder
	for _, o := range orders {
		skus := make([]int, len(o.Lines))
		for i, l := range o.Lines {
			skus[i] = p.skuOf(l)
		}
		all := make([]int, len(o.Lines))
		for i := range all {
			all[i] = i
		}
		var assign []int
		for w := range p.whs {
			if p.allowed(w, o.Country) && p.fits(o, skus, all, w) {
				assign = make([]int, len(o.Lines))
				for i := range assign {
					assign[i] = w
				}
				break
			}
		}
		if assign == nil && !p.cfg.NeverSplit {
			assign = make([]int, len(o.Lines))
			complete := true
			for i, l := range o.Lines {
				assign[i] = -1
				for w := range p.whs {
					if p.allowed(w, o.Country) && p.has(skus[i], w, int64(l.Qty)) {
						assign[i] = w
						break
					}
				}
				complete = complete && assign[i] >= 0
			}
			if !complete && !p.cfg.AllowPartial {
				assign = nil
			}
		}
		p.takeAll(o, skus, assign)
		out = append(out, p.planned(o, skus, assign))
	}
	return totals(out)
}

// LineAllocation is where one order line was allocated.
type LineAllocation struct {
	LineNo    int
	SKU       string
	Qty       Quantity
	Warehouse string
}

// CommitConflict is an order a plan could not commit as planned.
type CommitConflict struct {
	OrderID int64
	Number  string
	Message string
}

// CommitResult is what committing a plan did.
type CommitResult struct {
	Allocated   int // orders allocated (fully or in part)
	Backordered int // orders marked backordered
	Conflicts   []CommitConflict
}

// AllocationReads reads the planner's settings and an order's allocation.
type AllocationReads interface {
	AllocConfig(ctx context.Context) (AllocConfig, error)
	Allocation(ctx context.Context, orderID int64) ([]LineAllocation, error)
	// ShortSKUs are the SKUs that hold backordered orders — their lines want
	// more than every warehouse has available — most orders held first, at
	// most limit.
	ShortSKUs(ctx context.Context, limit int) ([]ShortSKU, error)
}

// ShortSKU is a SKU backordered orders wait for.
type ShortSKU struct {
	SKU       string   `json:"sku"`
	Orders    int      `json:"orders"`    // backordered orders with a line of it
	Wanted    Quantity `json:"wanted"`    // their lines' quantity
	Available Quantity `json:"available"` // on hand less reserved, in every warehouse
}

// AllocationStore reads what the planner needs and commits its plans.
type AllocationStore interface {
	AllocationReads
	// OpenOrders are the orders a plan may allocate: new and backordered,
	// optionally only those matching the filter's channel and country.
	OpenOrders(ctx context.Context, f OrderFilter) ([]PlanOrder, error)
	// Availability is on hand less reserved per SKU and warehouse code.
	Availability(ctx context.Context) (map[string]map[string]Quantity, error)
	Rates(ctx context.Context) ([]Rate, error)
	// SetRates replaces the whole rate table.
	SetRates(ctx context.Context, rates []Rate) error
	SetAllocConfig(ctx context.Context, c AllocConfig) error
	// CommitPlan reserves every allocated line and sets every order's status
	// in one transaction; an order whose stock or status changed since the
	// plan is left as it was and reported, the others are committed.
	CommitPlan(ctx context.Context, p Plan, at time.Time) (CommitResult, error)
	// Unallocate releases an allocated order's reservations and makes it new again.
	Unallocate(ctx context.Context, orderID int64, at time.Time, reason string) error
	// Incoming is what open inbounds still expect, in days from now.
	Incoming(ctx context.Context, now time.Time) ([]Incoming, error)
	// SetPriority and SetChannelPriority set manual priorities, -9 to 9.
	SetPriority(ctx context.Context, orderID int64, p int) error
	SetChannelPriority(ctx context.Context, channelID int64, p int) error
}
