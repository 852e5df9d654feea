package domain

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// ImproveProgress is how far ImproveAllocation has come: the cost of the
// best plan so far and the lower bound no plan shipping the same orders
// can go below, both in the planning currency's minor units.
type ImproveProgress struct {
	Cost, Bound int64
	Round       int // rounds of the bound's refinement done
}

// Gap is how far the cost is above the bound, as a fraction (0.006 is
// 0.6 %); 0 when there is no bound.
func (p ImproveProgress) Gap() float64 { return gap(p.Cost, p.Bound) }

func gap(cost, bound int64) float64 {
	if bound <= 0 || cost <= bound {
		return 0
	}
	return float64(cost-bound) / float64(bound)
}

// Gap is how far the plan's cost is above its lower bound, as a fraction;
// 0 when the plan has no bound (LowerBound 0) or meets it.
func (t PlanTotals) Gap() float64 { return gap(t.Cost, t.LowerBound) }

// ImproveRounds bounds the bound's refinement (subgradient rounds): enough
// to close the gap on contended plans, few enough to stay within seconds
// on 100,000 orders.
const ImproveRounds = 1000

// ImproveAllocation lowers the cost of a plan made by PlanAllocation over
// the whole plan rather than order by order, and says how good the result
// is. The orders the plan ships whole stay shipped whole (priority decided
// which orders ship; the improvement only moves them between warehouses),
// the others keep their plan, and every rule still holds.
//
// It works on the plan's "options": every way an order may ship (each line
// from one warehouse, within the rules), with its cost. A Lagrangian
// relaxation of the stock limits gives a lower bound — no plan that ships
// the same orders costs less — and prices for stock that is short, which
// guide plans built from them; a local search then moves orders, alone or
// in pairs that trade stock, while that lowers the total, groups of
// orders sharing stock are planned again exactly, and (below largePlan
// orders) an annealing trades stock through steps that each cost more
// alone. It stops when the plan meets its bound, when its work is done,
// or when ctx ends; what it returns is always a valid plan, the best
// found. progress (may be nil) hears each better plan and bound. The
// same input gives the same plan, unless ctx ends it first.
func ImproveAllocation(ctx context.Context, in AllocInput, greedy Plan, progress func(ImproveProgress)) Plan {
	x := newImprover(ctx, in, greedy)
	if x == nil {
		return greedy
	}
	if dl, ok := ctx.Deadline(); ok && x.large {
		// Writing a large plan's result takes time too: it is kept
		// from the search, so that the plan comes within the time.
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-time.Duration(len(x.orders))*resultPerOrder))
		defer cancel()
	}
	x.run(ctx, progress)
	return x.result(greedy)
}

// resultPerOrder is the time kept, per order that may move, for writing a
// large plan's result (three quarters of a second for 100,000 orders).
const resultPerOrder = 8 * time.Microsecond

// choice is one way an order may ship: line i from warehouse assign[i].
type choice struct {
	assign  []int
	cost    int64
	parcels int
	use     []use // stock taken, lines of one SKU and warehouse added up
}

// use is stock of one SKU at one warehouse (key sku*len(whs)+w).
type use struct {
	key int
	qty int64
}

// optOrder is an order the improvement may move.
type optOrder struct {
	at        int // its place in the priority order
	o         PlanOrder
	skus      []int
	choices   []choice // cheapest first
	truncated bool     // too many ways to list: choices holds some of them
	cur       int      // the choice it ships with
	greedy    int      // the choice the order-by-order plan gave it
}

type improver struct {
	p       *planner
	cap     []int64 // stock left for the orders that may move, by key
	left    []int64 // stock left by the current plan
	orders  []*optOrder
	fixed   int64 // cost of the orders that keep their plan
	users   map[int][]int
	best    []int // each order's choice in the best plan
	bestSum int64
	bound   float64
	rounds  int
	large   bool // more than largePlan orders may move
}

// largePlan is the number of movable orders above which the groups are
// planned again only once, at the end, after largeRounds rounds of the
// bound. Below it, a plan is built from the stock's prices every
// constructEvery rounds.
const (
	largePlan      = 20000
	largeRounds    = 20
	constructEvery = 20
)

// maxChoices bounds how many ways of shipping one order are listed, and
// maxChoicesLarge the same in a large plan (memory and time).
const (
	maxChoices      = 2048
	maxChoicesLarge = 256
)

func newImprover(ctx context.Context, in AllocInput, greedy Plan) *improver {
	orders := append([]PlanOrder(nil), in.Orders...)
	sortByPriority(orders)
	p := newPlanner(in)
	planned := make(map[int64]PlannedOrder, len(greedy.Orders))
	for _, po := range greedy.Orders {
		planned[po.OrderID] = po
	}
	x := &improver{p: p, users: map[int][]int{}}
	type movable struct {
		at     int
		skus   []int
		assign []int
	}
	var moving []movable
	for at, o := range orders {
		skus := make([]int, len(o.Lines))
		for j, l := range o.Lines {
			skus[j] = p.skuOf(l)
		}
		po := planned[o.ID]
		assign := make([]int, len(o.Lines))
		whole := len(po.Backorder) == 0 && len(po.Parcels) > 0
		for j, l := range o.Lines {
			assign[j] = -1
			for _, pc := range po.Parcels {
				for _, pl := range pc.Lines {
					if pl.LineNo == l.LineNo {
						assign[j] = p.whIndex[pc.Warehouse]
					}
				}
			}
			whole = whole && assign[j] >= 0 && skus[j] >= 0
		}
		if !whole {
			// Backordered, waiting or shipped in part: kept as planned.
			p.takeAll(o, skus, assign)
			x.fixed += po.Cost
			continue
		}
		moving = append(moving, movable{at, skus, assign})
	}
	if len(moving) == 0 {
		return nil
	}
	x.cap = slices.Clone(p.stock)
	x.large = len(moving) > largePlan
	x.orders = make([]*optOrder, len(moving))
	for n, m := range moving {
		x.orders[n] = &optOrder{at: m.at, o: orders[m.at], skus: m.skus, greedy: -1}
		p.lanesTo(orders[m.at].Country) // kept: the parts below only read them
	}
	// In parts; a large plan's run at once (each order's list is its own).
	var wg sync.WaitGroup
	for c := range parts {
		part := func() {
			for n := c * len(moving) / parts; n < (c+1)*len(moving)/parts; n++ {
				if n%1024 == 0 && ctx.Err() != nil {
					return
				}
				x.listChoices(x.orders[n], moving[n].assign)
			}
		}
		if x.large {
			wg.Go(part)
		} else {
			part()
		}
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil // out of time before anything was improved
	}
	// An order whose plan is not one of its choices (the plan was made
	// from other stock) keeps it.
	kept := x.orders[:0]
	for _, oo := range x.orders {
		if oo.greedy >= 0 {
			kept = append(kept, oo)
			continue
		}
		assign := moving[slices.IndexFunc(moving, func(m movable) bool { return m.at == oo.at })].assign
		for i, w := range assign {
			x.cap[oo.skus[i]*len(p.whs)+w] -= int64(oo.o.Lines[i].Qty)
		}
		x.fixed += planned[oo.o.ID].Cost
	}
	x.orders = kept
	if len(x.orders) == 0 {
		return nil
	}
	x.left = slices.Clone(x.cap)
	for i, oo := range x.orders {
		x.takeChoice(i, oo.greedy)
		x.ship(i, oo.greedy)
	}
	x.best = x.current()
	x.bestSum = x.sum()
	return x
}

// listChoices lists the order's ways of shipping from the stock the moving
// orders share, cheapest first; its greedy plan is always one of them.
func (x *improver) listChoices(oo *optOrder, greedy []int) {
	p, o := x.p, oo.o
	fixed := p.fixed[o.ID]
	lanes := p.lanesTo(o.Country)
	add := func(assign []int) {
		for i, w := range assign {
			if code, ok := fixed[o.Lines[i].LineNo]; ok && p.whs[w].Code != code {
				return
			}
		}
		c, ok := p.costOf(o, assign)
		if !ok {
			return
		}
		uses, fits := x.usesOf(oo, assign)
		if !fits {
			return
		}
		oo.choices = append(oo.choices, choice{assign: slices.Clone(assign), cost: c.cost, parcels: c.parcels, use: uses})
	}
	// Every line from every warehouse that could hold it, while that is
	// few enough to list.
	cands, total := p.candidates(o, fixed, func(i, w int) bool {
		return lanes[w].ok && x.cap[oo.skus[i]*len(p.whs)+w] >= int64(o.Lines[i].Qty)
	})
	limit := maxChoices
	if x.large {
		limit = maxChoicesLarge
	}
	if total > limit {
		// Too many to list: each line from its nearest warehouses (by
		// the lane to the order's country), dropping the farthest of
		// the longest list until few enough are left; and one parcel
		// from each warehouse. The bound still counts every way.
		oo.truncated = true
		for _, c := range cands {
			sort.SliceStable(c, func(a, b int) bool { return lanes[c[a]].cost < lanes[c[b]].cost })
		}
		for total > limit {
			longest := 0
			for i, c := range cands {
				if len(c) > len(cands[longest]) {
					longest = i
				}
			}
			total = total / len(cands[longest]) * (len(cands[longest]) - 1)
			cands[longest] = cands[longest][:len(cands[longest])-1]
		}
	}
	eachCombination(cands, add)
	if oo.truncated {
		for w := range p.whs {
			one := make([]int, len(o.Lines))
			for i := range one {
				one[i] = w
			}
			if !slices.ContainsFunc(oo.choices, func(c choice) bool { return slices.Equal(c.assign, one) }) {
				add(one)
			}
		}
	}
	// The order-by-order plan is one of the ways listed, or is added.
	if !slices.ContainsFunc(oo.choices, func(c choice) bool { return slices.Equal(c.assign, greedy) }) {
		add(greedy)
	}
	sort.SliceStable(oo.choices, func(i, j int) bool {
		a, b := oo.choices[i], oo.choices[j]
		return a.cost < b.cost || (a.cost == b.cost && a.parcels < b.parcels)
	})
	for k, c := range oo.choices {
		if slices.Equal(c.assign, greedy) {
			oo.greedy = k
		}
	}
}

// usesOf is the stock an assignment takes, and whether the shared stock
// could ever hold it.
func (x *improver) usesOf(oo *optOrder, assign []int) ([]use, bool) {
	var uses []use
	for i, w := range assign {
		k := oo.skus[i]*len(x.p.whs) + w
		q := int64(oo.o.Lines[i].Qty)
		found := false
		for j := range uses {
			if uses[j].key == k {
				uses[j].qty += q
				found = true
			}
		}
		if !found {
			uses = append(uses, use{k, q})
		}
	}
	for _, u := range uses {
		if x.cap[u.key] < u.qty {
			return nil, false
		}
	}
	return uses, true
}

func (x *improver) fits(c choice) bool {
	for _, u := range c.use {
		if x.left[u.key] < u.qty {
			return false
		}
	}
	return true
}

func (x *improver) takeChoice(i, k int) {
	for _, u := range x.orders[i].choices[k].use {
		x.left[u.key] -= u.qty
	}
}

// ship makes choice k order i's (its stock already taken), and notes the
// stock it holds.
func (x *improver) ship(i, k int) {
	x.orders[i].cur = k
	for _, u := range x.orders[i].choices[k].use {
		x.users[u.key] = append(x.users[u.key], i)
	}
}

func (x *improver) giveChoice(i, k int) {
	for _, u := range x.orders[i].choices[k].use {
		x.left[u.key] += u.qty
	}
}

func (x *improver) current() []int {
	cur := make([]int, len(x.orders))
	for i, oo := range x.orders {
		cur[i] = oo.cur
	}
	return cur
}

func (x *improver) sum() int64 {
	var s int64
	for _, oo := range x.orders {
		s += oo.choices[oo.cur].cost
	}
	return s
}

// keep makes the current plan the best when it is cheaper.
func (x *improver) keep() bool {
	if s := x.sum(); s < x.bestSum {
		x.best, x.bestSum = x.current(), s
		return true
	}
	return false
}

// settle keeps the current plan when it is the best, and goes on from the
// best; it reports whether the current plan was kept.
func (x *improver) settle() bool {
	kept := x.keep()
	x.restore(x.best)
	return kept
}

// run refines the bound and the plan until they meet, the rounds are used
// up or ctx ends.
func (x *improver) run(ctx context.Context, progress func(ImproveProgress)) {
	tell := func() {
		if progress != nil {
			progress(ImproveProgress{Cost: x.fixed + x.bestSum, Bound: x.fixed + x.boundInt(), Round: x.rounds})
		}
	}
	x.localSearch(ctx)
	x.keep()
	tell()
	// Large plans get their bound first; the groups are planned again at
	// the end, at the final prices.
	if !x.large {
		x.neighbourhoods(ctx, nil)
		x.keep()
		tell()
	}
	nk := len(x.cap)
	lambda := make([]float64, nk)
	used := make([]int64, nk)
	var keys []int // the stock any choice takes
	isKey := make([]bool, nk)
	for _, oo := range x.orders {
		for _, c := range oo.choices {
			for _, u := range c.use {
				if !isKey[u.key] {
					isKey[u.key] = true
					keys = append(keys, u.key)
				}
			}
		}
	}
	sort.Ints(keys)
	theta, stale := 1.0, 0
	chosen := make([]int, len(x.orders)) // each order's cheapest choice at the prices
	partL := make([]float64, parts)
	rounds := ImproveRounds
	if x.large {
		rounds = largeRounds // the rest of the time goes to the plan
	}
	for x.rounds = 1; x.rounds <= rounds && ctx.Err() == nil; x.rounds++ {
		// The orders each take their cheapest choice at the stock's prices.
		L := 0.0
		for _, k := range keys {
			used[k] = 0
			L -= lambda[k] * float64(x.cap[k])
		}
		// In a fixed number of parts, added up in their order: the same
		// bound whatever the number of cores; a large plan's parts run at
		// once.
		var wg sync.WaitGroup
		for c := range parts {
			part := func() {
				partL[c] = x.price(c, lambda, chosen)
			}
			if x.large {
				wg.Go(part)
			} else {
				part()
			}
		}
		wg.Wait()
		for c := range parts {
			L += partL[c]
		}
		for i, oo := range x.orders {
			for _, u := range oo.choices[chosen[i]].use {
				used[u.key] += u.qty
			}
		}
		if L > x.bound+1e-9 {
			x.bound, stale = L, 0
		} else if stale++; stale >= 20 {
			theta, stale = theta/2, 0
		}
		if !x.large && x.rounds%constructEvery == 1 && x.construct(lambda) {
			x.localSearch(ctx)
			x.neighbourhoods(ctx, lambda)
			if x.settle() {
				tell()
			}
		}
		if x.bestSum <= x.boundInt() || theta < 1e-4 {
			break
		}
		// Prices rise where stock is short and fall where it is left over.
		norm := 0.0
		for _, k := range keys {
			g := float64(used[k] - x.cap[k])
			if lambda[k] > 0 || g > 0 {
				norm += g * g
			}
		}
		if norm == 0 {
			break // every order's cheapest choice fits: the bound is met
		}
		step := theta * (float64(x.bestSum) - L) / norm
		for _, k := range keys {
			lambda[k] = max(0, lambda[k]+step*float64(used[k]-x.cap[k]))
		}
		if x.rounds%25 == 0 {
			tell()
		}
	}
	x.rounds = min(x.rounds, rounds)
	x.restore(x.best)
	if x.large {
		// The best plan searched locally until nothing moves (its first
		// two passes left much to do), then planned again in groups at
		// the final prices, while there is time.
		x.searchLocally(ctx, math.MaxInt)
		x.settle()
		x.neighbourhoods(ctx, lambda)
	} else {
		// Annealed, in cycles, each from the best plan; then the best
		// planned again in groups at the final prices.
		cycles, moves := annealCycles(len(x.orders))
		for c := range cycles {
			x.anneal(ctx, uint64(c), moves)
			x.localSearch(ctx)
			if x.settle() {
				tell()
			}
		}
		x.neighbourhoods(ctx, lambda)
		x.localSearch(ctx)
	}
	x.settle()
	tell()
}

// subsetBound is what no way of shipping the order costs less than at the
// stock's prices, for an order whose ways are too many to list: over every
// set of at most MaxParcels warehouses (one, without splits), its parcels,
// the split penalties, and each line at its cheapest price among them.
// Every way ships from one such set at no less, so none goes below it.
func (x *improver) subsetBound(oo *optOrder, lambda []float64) float64 {
	p := x.p
	lanes := p.lanesTo(oo.o.Country)
	nw := len(p.whs)
	var ws []int // the warehouses that could ship one of its lines
	for w := range nw {
		if !lanes[w].ok {
			continue
		}
		for i, l := range oo.o.Lines {
			if x.cap[oo.skus[i]*nw+w] >= int64(l.Qty) {
				ws = append(ws, w)
				break
			}
		}
	}
	most := len(oo.o.Lines)
	if p.cfg.NeverSplit {
		most = 1
	} else if p.cfg.MaxParcels > 0 {
		most = min(most, p.cfg.MaxParcels)
	}
	// Cheapest lane first: a set's parcels and splits cost more with each
	// warehouse added, and prices are never negative, so a walk stops
	// where that alone reaches the best.
	sort.SliceStable(ws, func(a, b int) bool { return lanes[ws[a]].cost < lanes[ws[b]].cost })
	best := math.Inf(1)
	set := make([]int, 0, most)
	fixed := 0.0 // the set's parcels and splits
	var walk func(from int)
	walk = func(from int) {
		if len(set) > 0 {
			v := fixed
			for i, l := range oo.o.Lines {
				m := math.Inf(1)
				for _, w := range set {
					if x.cap[oo.skus[i]*nw+w] >= int64(l.Qty) {
						m = min(m, lambda[oo.skus[i]*nw+w]*float64(l.Qty))
					}
				}
				if v += m; v >= best {
					break
				}
			}
			best = min(best, v)
		}
		if len(set) == most {
			return
		}
		for k := from; k < len(ws); k++ {
			add := float64(lanes[ws[k]].cost)
			if len(set) > 0 {
				add += float64(p.cfg.SplitPenalty)
			}
			if fixed+add >= best {
				break
			}
			set = append(set, ws[k])
			fixed += add
			walk(k + 1)
			fixed -= add
			set = set[:len(set)-1]
		}
	}
	walk(0)
	return best
}

// parts is how many parts the orders are priced in, each round.
const parts = 8

// price picks, for the orders of part c, each one's cheapest choice at the
// stock's prices, and returns what they cost at those prices together.
func (x *improver) price(c int, lambda []float64, chosen []int) float64 {
	n := len(x.orders)
	L := 0.0
	for i := c * n / parts; i < (c+1)*n/parts; i++ {
		oo := x.orders[i]
		bestK, bestV := 0, math.Inf(1)
		for k, c := range oo.choices {
			if float64(c.cost) >= bestV {
				break // cheapest first: no later choice can price lower
			}
			v := float64(c.cost)
			for _, u := range c.use {
				v += lambda[u.key] * float64(u.qty)
			}
			if v < bestV {
				bestK, bestV = k, v
			}
		}
		if oo.truncated {
			// Some choices are not listed: what no choice goes below.
			bestV = min(bestV, x.subsetBound(oo, lambda))
		}
		L += bestV
		chosen[i] = bestK
	}
	return L
}

// boundInt is the bound in whole minor units: costs are whole, so the best
// plan costs at least the bound rounded up.
func (x *improver) boundInt() int64 {
	if x.bound <= 0 {
		return 0
	}
	return int64(math.Ceil(x.bound - 1e-6))
}

// restore makes the choices the current plan.
func (x *improver) restore(choices []int) {
	copy(x.left, x.cap)
	clear(x.users)
	for i := range x.orders {
		x.takeChoice(i, choices[i])
		x.ship(i, choices[i])
	}
}

// construct builds a plan from the stock's prices: the orders that lose
// most by not getting their priced choice choose first, each its cheapest
// priced choice that still fits. It reports whether every order fit.
func (x *improver) construct(lambda []float64) bool {
	priced := func(oo *optOrder, k int) float64 {
		v := float64(oo.choices[k].cost)
		for _, u := range oo.choices[k].use {
			v += lambda[u.key] * float64(u.qty)
		}
		return v
	}
	type ranked struct {
		i      int
		regret float64
		order  []int
	}
	rs := make([]ranked, len(x.orders))
	for i, oo := range x.orders {
		order := make([]int, len(oo.choices))
		vals := make([]float64, len(oo.choices))
		for k := range order {
			order[k], vals[k] = k, priced(oo, k)
		}
		sort.SliceStable(order, func(a, b int) bool { return vals[order[a]] < vals[order[b]] })
		regret := math.Inf(1)
		if len(order) > 1 {
			regret = vals[order[1]] - vals[order[0]]
		}
		rs[i] = ranked{i, regret, order}
	}
	sort.SliceStable(rs, func(a, b int) bool { return rs[a].regret > rs[b].regret })
	copy(x.left, x.cap)
	clear(x.users)
	for _, r := range rs {
		oo := x.orders[r.i]
		k := -1
		for _, c := range r.order {
			if x.fits(oo.choices[c]) {
				k = c
				break
			}
		}
		if k < 0 {
			x.restore(x.best)
			return false
		}
		x.takeChoice(r.i, k)
		x.ship(r.i, k)
	}
	return true
}

// localSearch moves orders to cheaper choices while that lowers the total:
// one order alone into stock that is free, or two orders at once — the
// one takes the other's stock, the other ships from elsewhere.
func (x *improver) localSearch(ctx context.Context) {
	passes := 20
	if x.large {
		passes = 2
	}
	x.searchLocally(ctx, passes)
}

// searchLocally makes at most passes passes of the local search; ctx ends
// it, also within a pass.
func (x *improver) searchLocally(ctx context.Context, passes int) {
	for pass := 0; pass < passes && ctx.Err() == nil; pass++ {
		moved := false
		for i, oo := range x.orders {
			if i%1024 == 1023 && ctx.Err() != nil {
				return
			}
			if x.moveAlone(i) {
				moved = true
				continue
			}
			if oo.cur > 0 && x.trade(i) {
				moved = true
			}
		}
		if !moved {
			return
		}
	}
}

// moveAlone moves order i to its cheapest choice that fits.
func (x *improver) moveAlone(i int) bool {
	oo := x.orders[i]
	x.giveChoice(i, oo.cur)
	for k := range oo.cur {
		if x.fits(oo.choices[k]) && oo.choices[k].cost < oo.choices[oo.cur].cost {
			x.takeChoice(i, k)
			x.ship(i, k)
			return true
		}
	}
	x.takeChoice(i, oo.cur)
	return false
}

// trade gives order i a cheaper choice whose stock another order holds,
// moving that order to its cheapest other choice, when the two together
// cost less.
func (x *improver) trade(i int) bool {
	oo := x.orders[i]
	was := oo.cur
	for k := range was {
		c := oo.choices[k]
		for _, u := range c.use {
			x.giveChoice(i, was)
			short := x.left[u.key] < u.qty
			x.takeChoice(i, was)
			if !short {
				continue
			}
			tried := 0
			for _, j := range slices.Compact(slices.Sorted(slices.Values(x.users[u.key]))) {
				if j == i || !x.holds(j, u.key) {
					continue
				}
				if tried++; tried > 16 {
					break
				}
				other := x.orders[j]
				jwas := other.cur
				x.giveChoice(i, was)
				x.giveChoice(j, jwas)
				if x.fits(c) {
					x.takeChoice(i, k)
					for kj, cj := range other.choices {
						if kj != jwas && x.fits(cj) && c.cost+cj.cost < oo.choices[was].cost+other.choices[jwas].cost {
							x.takeChoice(j, kj)
							x.ship(i, k)
							x.ship(j, kj)
							return true
						}
					}
					x.giveChoice(i, k)
				}
				x.takeChoice(i, was)
				x.takeChoice(j, jwas)
			}
		}
	}
	return false
}

// groupSize bounds the orders planned again together, and searchNodes the
// search that does it.
const (
	groupSize   = 16
	searchNodes = 20000
)

// neighbourhoods plans again, together and exactly, each group of orders
// that hold or want the same stock — the most sought first (by its price,
// when there are prices) — keeping what lowers the total, until a pass
// finds nothing.
func (x *improver) neighbourhoods(ctx context.Context, lambda []float64) {
	keys := make([]int, 0, len(x.users))
	for k := range x.users {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	if lambda != nil {
		sort.SliceStable(keys, func(a, b int) bool { return lambda[keys[a]] > lambda[keys[b]] })
	}
	wants := map[int][]int{} // stock → orders with a cheaper choice that takes it
	for i, oo := range x.orders {
		for k := range oo.cur {
			for _, u := range oo.choices[k].use {
				if l := wants[u.key]; len(l) == 0 || l[len(l)-1] != i {
					wants[u.key] = append(wants[u.key], i)
				}
			}
		}
	}
	for pass := 0; pass < 5 && ctx.Err() == nil; pass++ {
		better := false
		for _, k := range keys {
			if ctx.Err() != nil {
				return
			}
			group := x.group(k, wants[k])
			if len(group) >= 2 && x.replan(group, lambda) {
				better = true
			}
		}
		// Each order not at its cheapest, with the orders holding the stock
		// its cheaper choices would take.
		for i, oo := range x.orders {
			if ctx.Err() != nil {
				return
			}
			if oo.cur == 0 {
				continue
			}
			if group := x.blockers(i); len(group) >= 2 && x.replan(group, lambda) {
				better = true
			}
		}
		if !better {
			return
		}
	}
}

// blockers is order i and the orders holding stock that its cheaper
// choices would take, the ones holding most of it first, at most
// groupSize.
func (x *improver) blockers(i int) []int {
	oo := x.orders[i]
	held := map[int]int64{}
	for k := range oo.cur {
		for _, u := range oo.choices[k].use {
			for _, j := range x.users[u.key] {
				if j != i && x.holds(j, u.key) {
					held[j] += u.qty
				}
			}
		}
	}
	g := make([]int, 0, len(held))
	for j := range held {
		g = append(g, j)
	}
	sort.Ints(g)
	sort.SliceStable(g, func(a, b int) bool { return held[g[a]] > held[g[b]] })
	if len(g) > groupSize-1 {
		g = g[:groupSize-1]
	}
	return append([]int{i}, g...)
}

// group is the orders that hold stock key and those that want it, the
// ones that would save most first, at most groupSize.
func (x *improver) group(key int, wanting []int) []int {
	var g []int
	seen := map[int]bool{}
	for _, j := range x.users[key] {
		if !seen[j] && x.holds(j, key) {
			seen[j] = true
			g = append(g, j)
		}
	}
	var w []int
	for _, j := range wanting {
		if !seen[j] && x.orders[j].cur > 0 {
			seen[j] = true
			w = append(w, j)
		}
	}
	saves := func(j int) int64 { oo := x.orders[j]; return oo.choices[oo.cur].cost - oo.choices[0].cost }
	sort.SliceStable(w, func(a, b int) bool { return saves(w[a]) > saves(w[b]) })
	g = append(g, w...)
	sort.SliceStable(g, func(a, b int) bool { return saves(g[a]) > saves(g[b]) })
	if len(g) > groupSize {
		g = g[:groupSize]
	}
	return g
}

// replan plans the group's orders again together: a depth-first search
// over their choices, cheapest first, cut where what is planned plus what
// the others cost at least cannot beat the best — each other order's
// cheapest choice that still fits, or, with the stock's prices, the
// Lagrangian bound of the rest (each its cheapest priced choice, less the
// price of the stock left), whichever is higher. It keeps the new plan
// when it costs less.
func (x *improver) replan(group []int, lambda []float64) bool {
	var was int64
	for _, i := range group {
		was += x.orders[i].choices[x.orders[i].cur].cost
		x.giveChoice(i, x.orders[i].cur)
	}
	sort.SliceStable(group, func(a, b int) bool { return len(x.orders[group[a]].choices) < len(x.orders[group[b]].choices) })
	best, bestCost := []int(nil), was
	pick := make([]int, len(group))
	// With prices: each choice's priced cost, and the stock the group
	// takes (the bound subtracts its price; stock no order of the rest
	// takes only lowers the bound, which stays a bound).
	var priced [][]float64
	var byPrice [][]int // each order's choices, cheapest priced first
	var keys []int
	if lambda != nil {
		seen := map[int]bool{}
		priced = make([][]float64, len(group))
		byPrice = make([][]int, len(group))
		for d, i := range group {
			oo := x.orders[i]
			priced[d] = make([]float64, len(oo.choices))
			for k, c := range oo.choices {
				v := float64(c.cost)
				for _, u := range c.use {
					v += lambda[u.key] * float64(u.qty)
					if !seen[u.key] {
						seen[u.key] = true
						keys = append(keys, u.key)
					}
				}
				priced[d][k] = v
			}
			ks := make([]int, len(oo.choices))
			for k := range ks {
				ks[k] = k
			}
			pd := priced[d]
			sort.SliceStable(ks, func(a, b int) bool { return pd[ks[a]] < pd[ks[b]] })
			byPrice[d] = ks
		}
	}
	nodes := 0
	var dfs func(d int, cost int64)
	dfs = func(d int, cost int64) {
		if nodes++; nodes > searchNodes {
			return
		}
		if d == len(group) {
			if cost < bestCost {
				best, bestCost = slices.Clone(pick), cost
			}
			return
		}
		// What the rest cost at least, each alone in the stock left.
		lb := cost
		pricedLB := float64(cost)
		for e, i := range group[d+1:] {
			cheapest := int64(-1)
			for _, c := range x.orders[i].choices {
				if x.fits(c) {
					cheapest = c.cost
					break
				}
			}
			if cheapest < 0 {
				return
			}
			lb += cheapest
			if lambda != nil {
				for _, k := range byPrice[d+1+e] { // the first that fits is the cheapest priced
					if x.fits(x.orders[i].choices[k]) {
						pricedLB += priced[d+1+e][k]
						break
					}
				}
			}
		}
		if lambda != nil {
			for _, k := range keys {
				pricedLB -= lambda[k] * float64(x.left[k])
			}
			if p := int64(math.Ceil(pricedLB - 1e-6)); p > lb {
				lb = p
			}
		}
		oo := x.orders[group[d]]
		for k, c := range oo.choices {
			if lb+c.cost >= bestCost || nodes > searchNodes {
				return // cheapest first: the rest cost more
			}
			if !x.fits(c) {
				continue
			}
			x.takeChoice(group[d], k)
			pick[d] = k
			dfs(d+1, cost+c.cost)
			x.giveChoice(group[d], k)
		}
	}
	dfs(0, 0)
	if best == nil {
		for _, i := range group {
			x.takeChoice(i, x.orders[i].cur)
		}
		return false
	}
	for d, i := range group {
		x.takeChoice(i, best[d])
		x.ship(i, best[d])
	}
	return true
}

// holds says whether order j's current choice takes stock of key.
func (x *improver) holds(j, key int) bool {
	for _, u := range x.orders[j].choices[x.orders[j].cur].use {
		if u.key == key {
			return true
		}
	}
	return false
}

// result is the greedy plan with the moved orders' new plans, reasons and
// totals, and the bound.
func (x *improver) result(greedy Plan) Plan {
	p := x.p
	out := Plan{Orders: slices.Clone(greedy.Orders), Naive: greedy.Naive}
	at := make(map[int64]int, len(out.Orders))
	for i, po := range out.Orders {
		at[po.OrderID] = i
	}
	copy(p.stock, x.left) // the stock every order's plan leaves
	for i, oo := range x.orders {
		if oo.cur == oo.greedy {
			continue
		}
		c := oo.choices[oo.cur]
		po := p.planned(oo.o, oo.skus, c.assign)
		po.Reason = x.reason(i)
		out.Orders[at[oo.o.ID]] = po
	}
	out.Totals = totals(out.Orders)
	out.Totals.LowerBound = min(x.fixed+x.boundInt(), out.Totals.Cost)
	return out
}

// reason says why a moved order ships as it does: its own cheapest way,
// or — when another order needed that stock more — which order, and what
// that saves there.
func (x *improver) reason(i int) string {
	p, oo := x.p, x.orders[i]
	c := oo.choices[oo.cur]
	money := func(v int64) string { return NewMoney(v, p.cfg.Currency).String() }
	where := func(c choice) string {
		var ws []string
		for _, w := range c.assign {
			if code := p.whs[w].Code; !slices.Contains(ws, code) {
				ws = append(ws, code)
			}
		}
		return strings.Join(ws, " + ")
	}
	greedyCost := oo.choices[oo.greedy].cost
	if c.cost == oo.choices[0].cost {
		return fmt.Sprintf("%s: its cheapest way, %s (%s less than order by order)", where(c), money(c.cost), money(greedyCost-c.cost))
	}
	// Its cheapest way, and the stock that kept it from it.
	x.giveChoice(i, oo.cur)
	defer x.takeChoice(i, oo.cur)
	cheap := oo.choices[0]
	for _, u := range cheap.use {
		if x.left[u.key] >= u.qty {
			continue
		}
		sku, w := u.key/len(p.whs), u.key%len(p.whs)
		code := p.whs[w].Code
		var skuName string
		for j, s := range oo.skus {
			if s == sku {
				skuName = oo.o.Lines[j].SKU
			}
		}
		// The order holding that stock that would lose most without it.
		bestJ, bestSave := -1, int64(0)
		var held int64
		for _, j := range slices.Compact(slices.Sorted(slices.Values(x.users[u.key]))) {
			if j == i || !x.holds(j, u.key) {
				continue
			}
			if save := x.saving(j, u.key); bestJ < 0 || save > bestSave {
				bestJ, bestSave = j, save
			}
		}
		if bestJ < 0 {
			break
		}
		other := x.orders[bestJ]
		for _, cu := range other.choices[other.cur].use {
			if cu.key == u.key {
				held = cu.qty
			}
		}
		return fmt.Sprintf("from %s, not %s (%s): %s's last %d × %s go to %s, which saves %s there; %s in all",
			where(c), code, strings.Replace(money(cheap.cost-c.cost), "-", "−", 1), code, held, skuName, other.o.Number, money(bestSave), money(c.cost))
	}
	return fmt.Sprintf("%s: %s (%s less than order by order)", where(c), money(c.cost), money(greedyCost-c.cost))
}

// saving is what order j would pay more without the stock of key: its
// cheapest choice that does without it, less its cost now.
func (x *improver) saving(j, key int) int64 {
	oo := x.orders[j]
	x.giveChoice(j, oo.cur)
	defer x.takeChoice(j, oo.cur)
	for _, c := range oo.choices {
		usesKey := false
		for _, u := range c.use {
			usesKey = usesKey || u.key == key
		}
		if !usesKey && x.fits(c) {
			return c.cost - oo.choices[oo.cur].cost
		}
	}
	return 0 // it could not ship at all: shown as no saving
}
