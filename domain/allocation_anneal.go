package domain

import (
	"context"
	"math"
	"math/rand/v2"
)

// The annealing's budget: annealMoves moves per movable order, at least
// annealFloor in all (small plans are where stock is lumpiest and the
// search needs the most room), in cycles of at most annealCycle moves, each
// starting again, hot, from the best plan. An order moves to one of its
// annealWidth cheapest ways; an order moved off stock looks for its next
// way among its annealReach cheapest. The temperature falls from
// annealHot to annealCold times the plan's average cost per order.
const (
	annealMoves, annealFloor, annealCycle = 2000, 1_200_000, 600_000
	annealWidth, annealReach              = 16, 64
	annealHot, annealCold                 = 0.3, 0.003
)

// annealCycles is how the annealing's budget for n orders is spent: the
// number of cycles, and the moves of each.
func annealCycles(n int) (cycles, moves int) {
	total := max(annealMoves*n, annealFloor)
	cycles = (total + annealCycle - 1) / annealCycle
	return cycles, total / cycles
}

// anneal searches around the best plan by simulated annealing. A move
// gives an order another of its ways; where that takes stock other orders
// hold, one of them (picked at random) ships its cheapest other way that
// fits, so every plan visited is within the stock. A move that costs more
// is still made, with a probability that falls as the search cools: that
// is how the plan leaves the valleys the local moves cannot, trading the
// stock of several orders through steps each of which alone costs more.
// The cheapest plan visited is kept. The moves follow a fixed
// pseudo-random sequence (cycle picks one), so the same input gives the
// same plan; ctx stops it early.
func (x *improver) anneal(ctx context.Context, cycle uint64, moves int) {
	n := len(x.orders)
	if n < 2 {
		return
	}
	x.restore(x.best)
	var avg float64
	for _, oo := range x.orders {
		avg += float64(oo.choices[oo.cur].cost)
	}
	avg /= float64(n)
	if avg <= 0 {
		return // every order ships for nothing: no cheaper plan
	}
	t0, t1 := avg*annealHot, avg*annealCold
	rng := rand.New(rand.NewPCG(uint64(n), 0x5eed+cycle))
	sum := x.sum()
	ln := math.Log(t1 / t0)
	type undo struct{ i, k int }
	var changed []undo // this move's orders and their ways before it
	set := func(i, k int) {
		x.giveChoice(i, x.orders[i].cur)
		x.takeChoice(i, k)
		x.orders[i].cur = k
	}
	move := func(i, k int) int64 {
		changed = append(changed, undo{i, x.orders[i].cur})
		d := x.orders[i].choices[k].cost - x.orders[i].choices[x.orders[i].cur].cost
		set(i, k)
		return d
	}
	// makeRoom frees stock of key that order i took beyond what there is:
	// one of its holders (found by sampling the list of the orders that
	// took it; some have moved on since) ships its cheapest other way
	// that fits. It returns what that costs more, and whether it worked.
	makeRoom := func(i, key int) (int64, bool) {
		var delta int64
		holders := x.users[key]
		for tries := 0; tries < 6 && x.left[key] < 0 && len(holders) > 0; tries++ {
			j := holders[rng.IntN(len(holders))]
			if j == i || !x.holds(j, key) {
				continue
			}
			other := x.orders[j]
			x.giveChoice(j, other.cur)
			next := -1
			for kj, c := range other.choices[:min(len(other.choices), annealReach)] {
				if x.fits(c) {
					next = kj
					break
				}
			}
			x.takeChoice(j, other.cur)
			if next >= 0 && next != other.cur {
				delta += move(j, next)
			}
		}
		return delta, x.left[key] >= 0
	}
	for m := range moves {
		if m%4096 == 0 && ctx.Err() != nil {
			break
		}
		if m%(8*n) == 0 {
			x.restore(x.current()) // the holders' lists, without stale entries
		}
		temp := t0 * math.Exp(ln*float64(m)/float64(moves))
		i := rng.IntN(n)
		oo := x.orders[i]
		if len(oo.choices) < 2 {
			continue
		}
		k := rng.IntN(min(len(oo.choices), annealWidth) - 1)
		if k >= oo.cur {
			k++
		}
		changed = changed[:0]
		delta := move(i, k)
		ok := true
		for _, u := range oo.choices[k].use {
			if x.left[u.key] < 0 {
				d, freed := makeRoom(i, u.key)
				if delta += d; !freed {
					ok = false
					break
				}
			}
		}
		if ok && (delta <= 0 || rng.Float64() < math.Exp(-float64(delta)/temp)) {
			sum += delta
			for _, c := range changed {
				x.ship(c.i, x.orders[c.i].cur)
			}
			if sum < x.bestSum {
				x.best, x.bestSum = x.current(), sum
			}
			continue
		}
		for c := len(changed) - 1; c >= 0; c-- { // undone
			set(changed[c].i, changed[c].k)
		}
	}
	x.restore(x.best)
}
