package domain_test

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
)

// lpOptimum solves, with CBC (Debian's coinor-cbc, which make test
// installs), the plan of the shipped orders at the lowest cost: every way
// each may ship — each line from one warehouse that ships to its country,
// at most MaxParcels parcels — priced by the cost model the README gives
// (rate + a day's cost per transit day + customs across a border, per
// parcel, and the split penalty per extra parcel), within the stock. It
// is written here apart from the planner, so that it can tell the planner
// wrong.
func lpOptimum(t *testing.T, in domain.AllocInput, shipped map[int64]bool) int64 {
	t.Helper()
	cbc, err := exec.LookPath("cbc")
	if err != nil {
		t.Fatal("cbc is not installed: make test installs Debian's coinor-cbc")
	}
	cfg := in.Config
	rate := map[string]map[domain.Country]domain.Rate{}
	for _, r := range in.Rates {
		if rate[r.Warehouse] == nil {
			rate[r.Warehouse] = map[domain.Country]domain.Rate{}
		}
		rate[r.Warehouse][r.Country] = r
	}
	parcel := func(w domain.Warehouse, c domain.Country) (int64, bool) {
		r, ok := rate[w.Code][c]
		if !ok {
			if r, ok = rate[w.Code]["*"]; !ok {
				return 0, false
			}
		}
		cost := r.Cost + int64(r.TransitDays)*cfg.DayCost
		if domain.CustomsArea(w.Address.Country) != domain.CustomsArea(c) {
			cost += cfg.CustomsCost
		}
		return cost, true
	}
	var obj, rows strings.Builder
	var bins []string
	stockRows := map[string][]string{}
	for _, o := range in.Orders {
		if !shipped[o.ID] {
			continue
		}
		var one []string
		idx := make([]int, len(o.Lines))
		for k := 0; ; k++ {
			// idx: each line's warehouse; the next assignment after this one.
			ws := map[int]bool{}
			use := map[string]int64{}
			ok := true
			for i, l := range o.Lines {
				w := in.Warehouses[idx[i]]
				ws[idx[i]] = true
				key := l.SKU + "@" + w.Code
				use[key] += int64(l.Qty)
				if use[key] > int64(in.Available[l.SKU][w.Code]) {
					ok = false
				}
			}
			var cost int64
			for w := range ws {
				c, ships := parcel(in.Warehouses[w], o.Country)
				ok = ok && ships
				cost += c
			}
			cost += int64(len(ws)-1) * cfg.SplitPenalty
			if cfg.MaxParcels > 0 && len(ws) > cfg.MaxParcels {
				ok = false
			}
			if ok {
				v := fmt.Sprintf("x%d_%d", o.ID, k)
				fmt.Fprintf(&obj, " + %d %s", cost, v)
				one = append(one, v)
				bins = append(bins, v)
				for _, key := range slices.Sorted(maps.Keys(use)) {
					q := use[key]
					stockRows[key] = append(stockRows[key], fmt.Sprintf("%d %s", q, v))
				}
			}
			i := 0
			for ; i < len(idx); i++ {
				if idx[i]++; idx[i] < len(in.Warehouses) {
					break
				}
				idx[i] = 0
			}
			if i == len(idx) {
				break
			}
		}
		if len(one) == 0 {
			t.Fatalf("order %s was shipped, but no way to ship it was found", o.Number)
		}
		fmt.Fprintf(&rows, " o%d: %s = 1\n", o.ID, strings.Join(one, " + "))
	}
	n := 0
	// In a fixed order: CBC's search, and its time, depend on it.
	for _, key := range slices.Sorted(maps.Keys(stockRows)) {
		terms := stockRows[key]
		sku, w, _ := strings.Cut(key, "@")
		fmt.Fprintf(&rows, " s%d: %s <= %d\n", n, strings.Join(terms, " + "), in.Available[sku][w])
		n++
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "plan.lp")
	lp := "Minimize\n obj:" + obj.String() + "\nSubject To\n" + rows.String() + "Binary\n " + strings.Join(bins, "\n ") + "\nEnd\n"
	if err := os.WriteFile(model, []byte(lp), 0o600); err != nil {
		t.Fatal(err)
	}
	sol := filepath.Join(dir, "plan.sol")
	if out, err := exec.Command(cbc, model, "-sec", "600", "-solve", "-solu", sol).CombinedOutput(); err != nil {
		t.Fatalf("cbc: %v\n%s", err, out)
	}
	f, err := os.Open(sol)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	first, _ := bufio.NewReader(f).ReadString('\n')
	// "Optimal - objective value 1079500.00000000"
	if !strings.HasPrefix(first, "Optimal") {
		t.Fatalf("cbc did not prove an optimum: %s", first)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(first[strings.LastIndex(first, " ")+1:]), 64)
	if err != nil {
		t.Fatalf("cbc's answer %q: %v", first, err)
	}
	return int64(v + 0.5)
}

// On contended weeks the improved plan ships the orders priority allows,
// within the stock, at a cost between CBC's proven optimum and the
// order-by-order plan's: within 1 % of the optimum (issue 18's aim; these
// small weeks, where stock is lumpiest, are the hardest). Its bound is
// never above the optimum.
func TestImprovedPlanIsNearTheOptimum(t *testing.T) {
	for _, tc := range []struct {
		seed   uint64
		orders int
	}{{1, 100}, {2, 100}, {3, 120}} {
		// In parallel: CBC solves one week while another is improved.
		t.Run(fmt.Sprintf("seed %d", tc.seed), func(t *testing.T) {
			t.Parallel()
			improvedNearTheOptimum(t, tc.seed, tc.orders)
		})
	}
}

func improvedNearTheOptimum(t *testing.T, seed uint64, orders int) {
	in := domaintest.ContendedAllocation(seed, orders)
	greedy, better, shipped := planAndImprove(in)
	checkPlan(t, in, better, shipped)
	opt := lpOptimum(t, in, shipped)
	b, g := better.Totals, greedy.Totals.Cost
	t.Logf("seed %d, %d orders: %d shipped; order by order %d (%.1f %% above the optimum), improved %d (%.1f %%), bound %d, optimum %d",
		seed, orders, len(shipped), g, pct(g, opt), b.Cost, pct(b.Cost, opt), b.LowerBound, opt)
	if g < opt || b.Cost < opt {
		t.Errorf("seed %d: a plan (order by order %d, improved %d) below the optimum %d: the oracle or the cost is wrong", seed, g, b.Cost, opt)
	}
	if pct(b.Cost, opt) > 1 {
		t.Errorf("seed %d: improved %d is too far above the optimum %d (order by order %d)", seed, b.Cost, opt, g)
	}
	if b.LowerBound <= 0 || b.LowerBound > opt {
		t.Errorf("seed %d: the bound %d is not a lower bound of the optimum %d", seed, b.LowerBound, opt)
	}
	if seed == 1 { // once is enough to show it (and the race detector makes it slow)
		if again := domain.ImproveAllocation(context.Background(), in, greedy, nil); again.Totals != b {
			t.Errorf("seed %d: the same input planned twice: %+v, then %+v", seed, b, again.Totals)
		}
	}
}

// planAndImprove plans the week order by order, improves the plan, and
// says which orders it ships whole (the improvement keeps them so).
func planAndImprove(in domain.AllocInput) (greedy, better domain.Plan, shipped map[int64]bool) {
	greedy = domain.PlanAllocation(in)
	better = domain.ImproveAllocation(context.Background(), in, greedy, nil)
	shipped = map[int64]bool{}
	for _, po := range greedy.Orders {
		if len(po.Parcels) > 0 && len(po.Backorder) == 0 {
			shipped[po.OrderID] = true
		}
	}
	return greedy, better, shipped
}

func pct(v, of int64) float64 { return float64(v-of) / float64(of) * 100 }

// checkPlan checks a plan against its input: exactly the shipped orders
// ship, whole; no warehouse gives more than it has; each order's cost is
// its parcels' and penalties'.
func checkPlan(t *testing.T, in domain.AllocInput, plan domain.Plan, shipped map[int64]bool) {
	t.Helper()
	byID := map[int64]domain.PlanOrder{}
	for _, o := range in.Orders {
		byID[o.ID] = o
	}
	taken := map[string]int64{}
	var total int64
	for _, po := range plan.Orders {
		whole := len(po.Parcels) > 0 && len(po.Backorder) == 0
		if whole != shipped[po.OrderID] {
			t.Errorf("order %s: shipped %v, want %v", po.Number, whole, shipped[po.OrderID])
		}
		lines := 0
		var cost int64
		for _, pc := range po.Parcels {
			cost += pc.Cost
			for _, l := range pc.Lines {
				taken[l.SKU+"@"+pc.Warehouse] += int64(l.Qty)
				lines++
			}
		}
		if len(po.Parcels) > 1 {
			cost += int64(len(po.Parcels)-1) * in.Config.SplitPenalty
		}
		if whole && lines != len(byID[po.OrderID].Lines) {
			t.Errorf("order %s: %d of %d lines planned", po.Number, lines, len(byID[po.OrderID].Lines))
		}
		if cost != po.Cost {
			t.Errorf("order %s costs %d, its parcels %d", po.Number, po.Cost, cost)
		}
		if in.Config.MaxParcels > 0 && len(po.Parcels) > in.Config.MaxParcels {
			t.Errorf("order %s in %d parcels", po.Number, len(po.Parcels))
		}
		total += po.Cost
	}
	for key, q := range taken {
		sku, w, _ := strings.Cut(key, "@")
		if have := int64(in.Available[sku][w]); q > have {
			t.Errorf("%s: %d taken, %d in stock", key, q, have)
		}
	}
	if total != plan.Totals.Cost {
		t.Errorf("the orders cost %d, the totals say %d", total, plan.Totals.Cost)
	}
}

// An order that does not ship its cheapest way says why, in terms the
// coordinator can check: the warehouse it did not get, what that would
// have saved, which order took the stock and what that saves there.
func TestImprovedReasonsNameTheOtherOrder(t *testing.T) {
	in := domaintest.ContendedAllocation(1, 150)
	greedy := domain.PlanAllocation(in)
	better := domain.ImproveAllocation(context.Background(), in, greedy, nil)
	byNumber := map[string]domain.PlannedOrder{}
	for _, po := range better.Orders {
		byNumber[po.Number] = po
	}
	re := regexp.MustCompile(`^from ([A-Z+ -]+), not ([A-Z]{2}-[A-Z]{3}) \(−[0-9.]+ EUR\): ([A-Z]{2}-[A-Z]{3})'s last ([0-9]+) × (PRT-[0-9]+) go to (SH-[0-9]+), which saves [0-9.]+ EUR there; [0-9.]+ EUR in all$`)
	explained := 0
	for _, po := range better.Orders {
		m := re.FindStringSubmatch(po.Reason)
		if m == nil {
			continue
		}
		explained++
		// The order named holds that stock in the plan.
		other, ok := byNumber[m[6]]
		holds := false
		for _, pc := range other.Parcels {
			for _, l := range pc.Lines {
				holds = holds || (pc.Warehouse == m[3] && l.SKU == m[5])
			}
		}
		if !ok || !holds || m[2] != m[3] {
			t.Errorf("%s: %q, but %s does not ship %s from %s", po.Number, po.Reason, m[6], m[5], m[3])
		}
	}
	if explained == 0 {
		t.Error("no moved order says which order took its stock")
	}
}

// Orders with more ways to ship than are listed (six lines, each from any
// of four or five warehouses) are planned from their nearest warehouses
// and bounded over every way: the plan stays valid, and the bound stays
// below CBC's optimum, which counts every way.
func TestImprovedPlanWithOrdersTooLargeToList(t *testing.T) {
	in := domaintest.ContendedAllocation(4, 80)
	skus := map[string]bool{}
	for _, o := range in.Orders {
		for _, l := range o.Lines {
			skus[l.SKU] = true
		}
	}
	all := slices.Sorted(maps.Keys(skus))
	for n := range 3 {
		o := &in.Orders[n]
		o.Lines = nil
		for l := range 6 {
			o.Lines = append(o.Lines, domain.PlanLine{LineNo: l + 1, SKU: all[(n*6+l)%len(all)], Qty: 1, Value: 2000})
		}
		o.Priority = 5 // shipped first, whatever the stock
	}
	greedy, better, shipped := planAndImprove(in)
	for n := range 3 {
		if !shipped[in.Orders[n].ID] {
			t.Fatalf("order %s of six lines did not ship: the test needs it to", in.Orders[n].Number)
		}
	}
	checkPlan(t, in, better, shipped)
	opt := lpOptimum(t, in, shipped)
	b := better.Totals
	t.Logf("order by order %d, improved %d, bound %d, optimum %d", greedy.Totals.Cost, b.Cost, b.LowerBound, opt)
	if b.Cost < opt || b.Cost > greedy.Totals.Cost {
		t.Errorf("improved %d is not between the optimum %d and order by order %d", b.Cost, opt, greedy.Totals.Cost)
	}
	if b.LowerBound <= 0 || b.LowerBound > opt {
		t.Errorf("the bound %d is not a lower bound of the optimum %d", b.LowerBound, opt)
	}
}

// A plan too large to anneal (100,000 orders; here a small week planned
// that way) is built from the bound's prices and searched around: it stays
// valid, between CBC's optimum and the order-by-order plan, and within 3 %
// of the optimum on this lumpy week (2.2 %; 4.5 % when the plan was only
// searched around from the order-by-order one). BenchmarkImprove100kOrders
// measures it where it is meant to run.
func TestLargePlanIsNearTheOptimum(t *testing.T) {
	defer domain.PlanAsLarge(50)()
	in := domaintest.ContendedAllocation(3, 120)
	greedy, better, shipped := planAndImprove(in)
	checkPlan(t, in, better, shipped)
	opt := lpOptimum(t, in, shipped)
	b, g := better.Totals, greedy.Totals.Cost
	t.Logf("%d shipped; order by order %d (%.1f %% above the optimum), improved %d (%.2f %%), bound %d, optimum %d",
		len(shipped), g, pct(g, opt), b.Cost, pct(b.Cost, opt), b.LowerBound, opt)
	if b.Cost < opt || b.Cost > g {
		t.Errorf("improved %d is not between the optimum %d and order by order %d", b.Cost, opt, g)
	}
	if pct(b.Cost, opt) > 3 {
		t.Errorf("improved %d is too far above the optimum %d", b.Cost, opt)
	}
	if b.LowerBound <= 0 || b.LowerBound > opt {
		t.Errorf("the bound %d is not a lower bound of the optimum %d", b.LowerBound, opt)
	}
}
