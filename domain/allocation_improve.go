package domain

import (
	"cmp"
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

// planPerOrder is the time a large plan keeps, per order that may move,
// for building its plan from the stock's prices and searching around it
// (two seconds for 100,000 orders); the rounds of the bound get the rest.
const planPerOrder = 20 * time.Microsecond

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
	reach     *reach   // for subsetBound, when truncated
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

// largePlan is the number of movable orders above which a plan is built
// from the stock's prices once, after at most largeRounds rounds of the
// bound, and searched around while there is time. Below it, one is built
// every constructEvery rounds, and the best is annealed.
const (
	largeRounds    = 100
	constructEvery = 40
)

// largePlan is a variable so that tests can plan a week the large way.
var largePlan = 20000

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
			var sc scratch
			for n := c * len(moving) / parts; n < (c+1)*len(moving)/parts; n++ {
				if n%1024 == 0 && ctx.Err() != nil {
					return
				}
				x.listChoices(x.orders[n], moving[n].assign, &sc)
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

// scratch is where one part of the listing builds an order's ways before
// they are sorted and copied out, used again for the next order.
type scratch struct {
	choices []choice
	uses    []use
	assigns []int
}

// listChoices lists the order's ways of shipping from the stock the moving
// orders share, cheapest first; its greedy plan is always one of them.
func (x *improver) listChoices(oo *optOrder, greedy []int, sc *scratch) {
	p, o := x.p, oo.o
	fixed := p.fixed[o.ID]
	lanes := p.lanesTo(o.Country)
	sc.choices, sc.uses, sc.assigns = sc.choices[:0], sc.uses[:0], sc.assigns[:0]
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
		// The stock it takes, lines of one SKU and warehouse added up.
		from := len(sc.uses)
		for i, w := range assign {
			k, q := oo.skus[i]*len(p.whs)+w, int64(o.Lines[i].Qty)
			if j := slices.IndexFunc(sc.uses[from:], func(u use) bool { return u.key == k }); j >= 0 {
				sc.uses[from+j].qty += q
			} else {
				sc.uses = append(sc.uses, use{k, q})
			}
		}
		for _, u := range sc.uses[from:] {
			if x.cap[u.key] < u.qty {
				sc.uses = sc.uses[:from] // the shared stock could never hold it
				return
			}
		}
		sc.assigns = append(sc.assigns, assign...)
		sc.choices = append(sc.choices, choice{assign: sc.assigns[len(sc.assigns)-len(assign):], cost: c.cost, parcels: c.parcels,
			use: sc.uses[from:len(sc.uses):len(sc.uses)]})
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
		oo.reach = x.reachOf(oo)
		for w := range p.whs {
			one := make([]int, len(o.Lines))
			for i := range one {
				one[i] = w
			}
			if !slices.ContainsFunc(sc.choices, func(c choice) bool { return slices.Equal(c.assign, one) }) {
				add(one)
			}
		}
	}
	// The order-by-order plan is one of the ways listed, or is added.
	if !slices.ContainsFunc(sc.choices, func(c choice) bool { return slices.Equal(c.assign, greedy) }) {
		add(greedy)
	}
	// Cheapest first, fewer parcels on a tie, then as listed.
	idx := make([]int, len(sc.choices))
	for k := range idx {
		idx[k] = k
	}
	slices.SortFunc(idx, func(i, j int) int {
		a, b := &sc.choices[i], &sc.choices[j]
		return cmp.Or(cmp.Compare(a.cost, b.cost), cmp.Compare(a.parcels, b.parcels), cmp.Compare(i, j))
	})
	// Each choice's stock and warehouses side by side in memory, in the
	// order the choices are read: pricing them is most of a round's work.
	sorted := make([]choice, len(idx))
	uses := make([]use, 0, len(sc.uses))
	assigns := make([]int, 0, len(idx)*len(o.Lines))
	for k, i := range idx {
		c := sc.choices[i]
		uses = append(uses, c.use...)
		assigns = append(assigns, c.assign...)
		c.use = uses[len(uses)-len(c.use) : len(uses) : len(uses)]
		c.assign = assigns[len(assigns)-len(c.assign) : len(assigns) : len(assigns)]
		sorted[k] = c
	}
	oo.choices = sorted
	for k, c := range oo.choices {
		if slices.Equal(c.assign, greedy) {
			oo.greedy = k
		}
	}
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
	// A large plan's local search waits for the plan built from the
	// prices: searching around the order-by-order plan first would take
	// the time of the rounds and find less.
	if !x.large {
		x.localSearch(ctx)
		x.keep()
	}
	tell()
	nk := len(x.cap)
	lambda := make([]float64, nk)
	bestLambda := make([]float64, nk) // the prices of the best bound
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
	partL, partB := make([]float64, parts), make([]float64, parts)
	high := 0.0 // the highest L so far
	// The step halves after staleRounds rounds without a higher L; a
	// large plan has few rounds, and halves sooner.
	rounds, staleRounds := ImproveRounds, 20
	if x.large {
		rounds, staleRounds = largeRounds, 5
	}
	roundsCtx := ctx
	if dl, ok := ctx.Deadline(); ok && x.large {
		// A large plan keeps time for the plan built from the prices.
		var cancel context.CancelFunc
		roundsCtx, cancel = context.WithDeadline(ctx, dl.Add(-time.Duration(len(x.orders))*planPerOrder))
		defer cancel()
	}
	for x.rounds = 1; x.rounds <= rounds && roundsCtx.Err() == nil; x.rounds++ {
		// The orders each take their cheapest choice at the stock's prices:
		// L is what that costs among the ways listed (the prices move by
		// it), B what no way goes below (the bound).
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
				partL[c], partB[c] = x.price(c, lambda, chosen)
			}
			if x.large {
				wg.Go(part)
			} else {
				part()
			}
		}
		wg.Wait()
		B := L
		for c := range parts {
			L += partL[c]
			B += partB[c]
		}
		for i, oo := range x.orders {
			for _, u := range oo.choices[chosen[i]].use {
				used[u.key] += u.qty
			}
		}
		if B > x.bound {
			x.bound = B
			copy(bestLambda, lambda)
		}
		if L > high+1e-9 {
			high, stale = L, 0
		} else if stale++; stale >= staleRounds {
			theta, stale = theta/2, 0
		}
		if !x.large && x.rounds%constructEvery == 1 && x.construct(lambda) {
			x.localSearch(ctx)
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
		// A plan built from the prices of the best bound, searched locally
		// until nothing moves, then planned again in groups, while there
		// is time; if it cannot be built, the same from the best plan.
		if x.construct(bestLambda) {
			x.searchLocally(ctx, math.MaxInt)
			x.settle()
		}
		x.searchLocally(ctx, math.MaxInt)
		x.settle()
		x.neighbourhoods(ctx, bestLambda)
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

// reach is what subsetBound needs of an order whose ways are too many to
// list, worked out once: the warehouses that could ship one of its lines,
// cheapest lane first, their lanes' costs, each line's stock key at each of
// them (-1: it cannot hold the line), and the most parcels it may make.
type reach struct {
	ws   []int
	lane []float64
	keys [][]int // by line, by place in ws
	most int
}

func (x *improver) reachOf(oo *optOrder) *reach {
	p := x.p
	lanes := p.lanesTo(oo.o.Country)
	nw := len(p.whs)
	r := &reach{most: len(oo.o.Lines)}
	for w := range nw {
		if !lanes[w].ok {
			continue
		}
		for i, l := range oo.o.Lines {
			if x.cap[oo.skus[i]*nw+w] >= int64(l.Qty) {
				r.ws = append(r.ws, w)
				break
			}
		}
	}
	if p.cfg.NeverSplit {
		r.most = 1
	} else if p.cfg.MaxParcels > 0 {
		r.most = min(r.most, p.cfg.MaxParcels)
	}
	// Cheapest lane first: a set's parcels and splits cost more with each
	// warehouse added, and prices are never negative, so a walk stops
	// where that alone reaches the best.
	sort.SliceStable(r.ws, func(a, b int) bool { return lanes[r.ws[a]].cost < lanes[r.ws[b]].cost })
	for _, w := range r.ws {
		r.lane = append(r.lane, float64(lanes[w].cost))
	}
	r.keys = make([][]int, len(oo.o.Lines))
	for i, l := range oo.o.Lines {
		r.keys[i] = make([]int, len(r.ws))
		for j, w := range r.ws {
			r.keys[i][j] = -1
			if k := oo.skus[i]*nw + w; x.cap[k] >= int64(l.Qty) {
				r.keys[i][j] = k
			}
		}
	}
	return r
}

// subsetBound is what no way of shipping the order costs less than at the
// stock's prices, for an order whose ways are too many to list, or below
// when that is less: over every set of at most MaxParcels warehouses (one,
// without splits), its parcels, the split penalties, and each line at its
// cheapest price among them. Every way ships from one such set at no less,
// so none goes below it.
func (x *improver) subsetBound(oo *optOrder, lambda []float64, below float64) float64 {
	r, lines := oo.reach, len(oo.o.Lines)
	// Each line's price at each warehouse, and, by the set's size, each
	// line's cheapest price within the set.
	price := make([]float64, lines*len(r.ws))
	for i, l := range oo.o.Lines {
		for j, k := range r.keys[i] {
			price[i*len(r.ws)+j] = math.Inf(1)
			if k >= 0 {
				price[i*len(r.ws)+j] = lambda[k] * float64(l.Qty)
			}
		}
	}
	mins := make([]float64, (r.most+1)*lines)
	for i := range lines {
		mins[i] = math.Inf(1)
	}
	split := float64(x.p.cfg.SplitPenalty)
	best := below
	var walk func(from, depth int, fixed float64)
	walk = func(from, depth int, fixed float64) {
		prev := mins[depth*lines : (depth+1)*lines]
		next := mins[(depth+1)*lines : (depth+2)*lines]
		for j := from; j < len(r.ws); j++ {
			add := r.lane[j]
			if depth > 0 {
				add += split
			}
			if fixed+add >= best {
				break
			}
			v := fixed + add
			for i := range lines {
				next[i] = min(prev[i], price[i*len(r.ws)+j])
				v += next[i]
			}
			best = min(best, v)
			if depth+1 < r.most {
				walk(j+1, depth+1, fixed+add)
			}
		}
	}
	walk(0, 0, 0)
	return best
}

// parts is how many parts the orders are priced in, each round.
const parts = 8

// price picks, for the orders of part c, each one's cheapest choice at the
// stock's prices, and returns what they cost at those prices together: by
// the choices listed, and by every way, what no way goes below.
func (x *improver) price(c int, lambda []float64, chosen []int) (listed, bound float64) {
	n := len(x.orders)
	for i := c * n / parts; i < (c+1)*n/parts; i++ {
		oo := x.orders[i]
		// From the last round's choice: prices move little between
		// rounds, so the scan below mostly stops early.
		bestK, bestV := chosen[i], float64(oo.choices[chosen[i]].cost)
		for _, u := range oo.choices[bestK].use {
			bestV += lambda[u.key] * float64(u.qty)
		}
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
		listed += bestV
		if oo.truncated {
			// Some choices are not listed: what no choice goes below.
			bestV = x.subsetBound(oo, lambda, bestV)
		}
		bound += bestV
		chosen[i] = bestK
	}
	return listed, bound
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
// priced choice that still fits. An order left with no way that fits then
// takes its way that costs least once the orders holding the stock it
// needs ship elsewhere (squeezeIn). It reports whether every order fit;
// if not, the best plan is the current one again.
func (x *improver) construct(lambda []float64) bool {
	rs := make([]ranked, len(x.orders))
	var wg sync.WaitGroup
	for c := range parts {
		part := func() {
			n := len(x.orders)
			for i := c * n / parts; i < (c+1)*n/parts; i++ {
				oo := x.orders[i]
				vals := make([]float64, len(oo.choices))
				first, second := math.Inf(1), math.Inf(1)
				for k, ch := range oo.choices {
					v := float64(ch.cost)
					for _, u := range ch.use {
						v += lambda[u.key] * float64(u.qty)
					}
					vals[k] = v
					if v < first {
						first, second = v, first
					} else if v < second {
						second = v
					}
				}
				rs[i] = ranked{i, second - first, vals}
			}
		}
		if x.large {
			wg.Go(part)
		} else {
			part()
		}
	}
	wg.Wait()
	slices.SortStableFunc(rs, func(a, b ranked) int { return cmp.Compare(b.regret, a.regret) })
	var first []int // orders that found no room before: they choose first
	for attempt := 0; ; attempt++ {
		failed := x.build(rs, first)
		if len(failed) == 0 {
			return true
		}
		if attempt == 2 {
			x.restore(x.best)
			return false
		}
		first = append(first, failed...)
	}
}

// ranked is an order, what it loses by not getting its cheapest priced
// choice, and each choice's priced cost.
type ranked struct {
	i      int
	regret float64
	vals   []float64
}

// build makes the plan construct describes, the orders first (in their
// order) then the others as ranked, and returns the orders it could not
// place.
func (x *improver) build(rs []ranked, first []int) []int {
	copy(x.left, x.cap)
	clear(x.users)
	at := make([]int, len(rs)) // each order's place in rs
	for n, r := range rs {
		at[r.i] = n
	}
	isFirst := map[int]bool{}
	order := make([]ranked, 0, len(rs))
	for _, i := range first {
		isFirst[i] = true
		order = append(order, rs[at[i]])
	}
	for _, r := range rs {
		if !isFirst[r.i] {
			order = append(order, r)
		}
	}
	var failed []int
	for _, r := range order {
		oo := x.orders[r.i]
		k, v := -1, math.Inf(1)
		for c, ch := range oo.choices {
			if r.vals[c] < v && x.fits(ch) {
				k, v = c, r.vals[c]
			}
		}
		if k < 0 {
			failed = append(failed, r.i)
			continue
		}
		x.takeChoice(r.i, k)
		x.ship(r.i, k)
	}
	var left []int
	for _, i := range failed {
		if !x.squeezeIn(i) {
			left = append(left, i)
		}
	}
	return left
}

// squeezeIn ships order i, which has no way that fits, the way that costs
// least with the orders holding the stock it lacks moved, each to its
// cheapest other way that fits; it reports whether one worked.
func (x *improver) squeezeIn(i int) bool {
	oo := x.orders[i]
	type was struct{ j, k int }
	var moved []was
	undo := func(k int) {
		for m := len(moved) - 1; m >= 0; m-- {
			j := moved[m].j
			x.giveChoice(j, x.orders[j].cur)
			x.takeChoice(j, moved[m].k)
			x.orders[j].cur = moved[m].k
		}
		x.giveChoice(i, k)
	}
	// try takes choice k for order i and moves holders until the stock
	// suffices; it returns what that costs, or false (then undone).
	try := func(k int) (int64, bool) {
		moved = moved[:0]
		cost := oo.choices[k].cost
		x.takeChoice(i, k)
		for _, u := range oo.choices[k].use {
			for _, j := range x.users[u.key] {
				if x.left[u.key] >= 0 {
					break
				}
				if j == i || !x.holds(j, u.key) || slices.ContainsFunc(moved, func(m was) bool { return m.j == j }) {
					continue
				}
				other := x.orders[j]
				x.giveChoice(j, other.cur)
				next := slices.IndexFunc(other.choices, func(c choice) bool { return x.fits(c) })
				if next < 0 || next == other.cur {
					x.takeChoice(j, other.cur)
					continue
				}
				cost += other.choices[next].cost - other.choices[other.cur].cost
				moved = append(moved, was{j, other.cur})
				x.takeChoice(j, next)
				other.cur = next
			}
			if x.left[u.key] < 0 {
				undo(k)
				return 0, false
			}
		}
		return cost, true
	}
	bestK, bestCost := -1, int64(math.MaxInt64)
	for k := range oo.choices {
		if c, ok := try(k); ok {
			if c < bestCost {
				bestK, bestCost = k, c
			}
			undo(k) // only measured
		}
	}
	if bestK < 0 {
		return false
	}
	try(bestK)
	x.ship(i, bestK)
	for _, m := range moved {
		x.ship(m.j, x.orders[m.j].cur)
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
