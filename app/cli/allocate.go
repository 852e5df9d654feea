package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
)

// AllocateJSON is `portolan allocate --format json`.
type AllocateJSON struct {
	Orders    []AllocatedOrderJSON `json:"orders"`
	Totals    AllocateTotalsJSON   `json:"totals"`
	Naive     AllocateTotalsJSON   `json:"naive"` // "ship from the highest-ranked warehouse with stock", for comparison
	Committed bool                 `json:"committed"`
	Conflicts []string             `json:"conflicts,omitempty"`
}

// AllocatedOrderJSON is one order of the plan.
type AllocatedOrderJSON struct {
	Number string              `json:"number"`
	Status string              `json:"status"`
	Cost   string              `json:"estimated_cost"`
	Reason string              `json:"reason"`
	Lines  []AllocatedLineJSON `json:"lines"`
}

// AllocatedLineJSON is one line: the warehouse shipping it, or "backordered".
type AllocatedLineJSON struct {
	SKU       string `json:"sku"`
	Quantity  int64  `json:"quantity"`
	Warehouse string `json:"warehouse"`
}

// AllocateTotalsJSON sums a plan.
type AllocateTotalsJSON struct {
	OrdersAllocated   int    `json:"orders_allocated"`
	OrdersPartial     int    `json:"orders_partially_allocated"`
	OrdersBackordered int    `json:"orders_backordered"`
	Parcels           int    `json:"parcels"`
	Splits            int    `json:"splits"`
	EstimatedCost     string `json:"estimated_cost"`
	Currency          string `json:"currency"`
	// LowerBound is what no plan shipping the same orders can cost less
	// than, and Gap how far the estimated cost is above it (0.006: 0.6 %);
	// both absent when the plan was not improved (--improve 0).
	LowerBound string   `json:"lower_bound,omitempty"`
	Gap        *float64 `json:"gap,omitempty"`
}

func totalsJSON(t domain.PlanTotals, cur domain.Currency) AllocateTotalsJSON {
	j := AllocateTotalsJSON{OrdersAllocated: t.Allocated, OrdersPartial: t.Partial, OrdersBackordered: t.Backordered,
		Parcels: t.Parcels, Splits: t.Splits, EstimatedCost: domain.NewMoney(t.Cost, cur).Decimal(), Currency: string(cur)}
	if t.LowerBound > 0 {
		g := math.Round(t.Gap()*1e6) / 1e6
		j.LowerBound, j.Gap = domain.NewMoney(t.LowerBound, cur).Decimal(), &g
	}
	return j
}

func cmdAllocate(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("allocate", "Plans which warehouse ships which line of every open (new or backordered) order — the\n"+
		"cheapest complete shipment, or a split when it is cheaper or the only way, highest priority and oldest\n"+
		"first — and commits it: every allocated line is reserved in one transaction. Orders whose stock\n"+
		"changed meanwhile are reported and left open. With --dry-run nothing is written.", stdout, stderr)
	dryRun := fs.Bool("dry-run", false, "show the plan without reserving anything")
	format := formatFlag(fs, "table", "json")
	channel := fs.String("channel", "", "only orders of this channel (name or code)")
	country := fs.String("country", "", "only orders to this country (ISO 3166-1 code)")
	backordered := fs.Bool("backordered", false, "only backordered orders (after stock arrived)")
	improve := fs.Duration("improve", 10*time.Second, "at most this long lowering the plan's cost over all its orders, with its lower bound\n"+
		"(0: order by order only)")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	var f domain.OrderFilter
	if *channel != "" {
		ch, err := a.Intake.ChannelNamed(ctx, *channel)
		if err != nil {
			return err
		}
		f.ChannelID = ch.ID
	}
	if *country != "" {
		c, err := domain.ParseCountry(*country)
		if err != nil {
			return err
		}
		f.Country = c
	}
	if *backordered {
		f.Status = domain.StatusBackordered
	}
	var plan domain.Plan
	if *improve > 0 {
		plan, err = a.Allocation.PlanImproved(ctx, f, nil, *improve, nil, nil)
	} else {
		plan, err = a.Allocation.Plan(ctx, f, nil)
	}
	if err != nil {
		return err
	}
	cfg, err := a.Allocation.AllocConfig(ctx)
	if err != nil {
		return err
	}
	out := AllocateJSON{Totals: totalsJSON(plan.Totals, cfg.Currency), Naive: totalsJSON(plan.Naive, cfg.Currency), Orders: []AllocatedOrderJSON{}}
	conflicted := map[int64]bool{}
	if !*dryRun && len(plan.Orders) > 0 {
		res, err := a.Allocation.Commit(ctx, plan)
		if err != nil {
			return err
		}
		out.Committed = true
		for _, c := range res.Conflicts {
			conflicted[c.OrderID] = true
			out.Conflicts = append(out.Conflicts, fmt.Sprintf("%s: %s", c.Number, c.Message))
		}
	}
	for _, o := range plan.Orders {
		j := AllocatedOrderJSON{Number: o.Number, Status: string(o.Status), Cost: domain.NewMoney(o.Cost, cfg.Currency).Decimal(), Reason: o.Reason}
		if conflicted[o.OrderID] {
			j.Status, j.Reason = "conflict", "not committed: "+j.Reason
		}
		lines := map[int]AllocatedLineJSON{}
		var nos []int
		for _, pc := range o.Parcels {
			for _, l := range pc.Lines {
				lines[l.LineNo] = AllocatedLineJSON{SKU: l.SKU, Quantity: int64(l.Qty), Warehouse: pc.Warehouse}
				nos = append(nos, l.LineNo)
			}
		}
		for _, l := range o.Backorder {
			lines[l.LineNo] = AllocatedLineJSON{SKU: l.SKU, Quantity: int64(l.Qty), Warehouse: "backordered"}
			nos = append(nos, l.LineNo)
		}
		sort.Ints(nos)
		for _, n := range nos {
			j.Lines = append(j.Lines, lines[n])
		}
		out.Orders = append(out.Orders, j)
	}
	if *format == "json" {
		return printJSON(stdout, out)
	}
	_ = printTable(stdout, "ORDER\tSTATUS\tLINES\tCOST\tWHY", func(add func(string, ...any)) {
		for _, o := range out.Orders {
			var parts []string
			for _, l := range o.Lines {
				parts = append(parts, fmt.Sprintf("%d×%s@%s", l.Quantity, l.SKU, l.Warehouse))
			}
			add("%s\t%s\t%s\t%s\t%s", o.Number, o.Status, strings.Join(parts, " "), o.Cost, o.Reason)
		}
	})
	t, n := out.Totals, out.Naive
	fmt.Fprintf(stdout, "\n%d order(s): %d allocated, %d in part, %d backordered; %d parcel(s), %d split(s); estimated %s %s.\n",
		len(out.Orders), t.OrdersAllocated, t.OrdersPartial, t.OrdersBackordered, t.Parcels, t.Splits, t.EstimatedCost, t.Currency)
	if t.LowerBound != "" {
		fmt.Fprintf(stdout, "At most %.1f %% above the best possible plan for the same orders (%s %s).\n", *t.Gap*100, t.LowerBound, t.Currency)
	}
	fmt.Fprintf(stdout, "Shipping from the highest-ranked warehouse with stock instead: %d allocated, %d split(s), estimated %s %s.\n",
		n.OrdersAllocated, n.Splits, n.EstimatedCost, n.Currency)
	switch {
	case *dryRun:
		fmt.Fprintln(stdout, "Dry run: nothing was reserved.")
	case len(out.Conflicts) > 0:
		fmt.Fprintf(stdout, "Committed, except %d order(s) whose stock or status changed since the plan (run allocate again):\n", len(out.Conflicts))
		printProblems(stdout, out.Conflicts)
	case out.Committed:
		fmt.Fprintln(stdout, "Committed: every allocated line is reserved.")
	}
	return nil
}

func cmdRatesList(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("rates list", "Lists the shipping rates the planner uses: one parcel from a warehouse to a country\n"+
		"(\"*\": any other), its cost in the planning currency and transit days. Warehouses without rates of\n"+
		"their own use defaults by distance. The CSV can be edited and imported again.", stdout, stderr)
	format := formatFlag(fs, "table", "csv")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	rates, err := a.Allocation.Rates(ctx)
	if err != nil {
		return err
	}
	cfg, err := a.Allocation.AllocConfig(ctx)
	if err != nil {
		return err
	}
	if *format == "csv" {
		w := csv.NewWriter(stdout)
		_ = w.Write([]string{"warehouse", "country", "cost", "transit_days"})
		for _, r := range rates {
			_ = w.Write([]string{r.Warehouse, string(r.Country), domain.NewMoney(r.Cost, cfg.Currency).Decimal(), strconv.Itoa(r.TransitDays)})
		}
		w.Flush()
		return w.Error()
	}
	return printTable(stdout, "WAREHOUSE\tCOUNTRY\tCOST ("+string(cfg.Currency)+")\tDAYS", func(add func(string, ...any)) {
		for _, r := range rates {
			add("%s\t%s\t%s\t%d", r.Warehouse, r.Country, domain.NewMoney(r.Cost, cfg.Currency).Decimal(), r.TransitDays)
		}
	})
}

func cmdRatesImport(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("rates import FILE.csv|FILE.xlsx", "Replaces the shipping rates of the warehouses the file lists (columns:\n"+
		"warehouse, country or *, cost, transit days). Nothing is written while a row has a problem.", stdout, stderr)
	sheet := fs.String("sheet", "", "XLSX sheet (default: the first)")
	dryRun := fs.Bool("dry-run", false, "check the file without writing")
	a, path, err := startWithArg(fs, args, "file", open)
	if err != nil {
		return err
	}
	rates, problems, err := a.Allocation.ImportRates(ctx, path, *sheet, *dryRun)
	if err != nil {
		return err
	}
	if err := listProblems(stdout, problems, "%d problem(s) in %s; nothing was imported", path); err != nil {
		return err
	}
	if *dryRun {
		fmt.Fprintf(stdout, "%d rate(s) can be imported (nothing written).\n", len(rates))
		return nil
	}
	fmt.Fprintf(stdout, "Imported %d rate(s).\n", len(rates))
	return nil
}

func cmdAllocateSettings(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("allocate settings", "Shows the planner's settings, and changes those given. Amounts are in the\n"+
		"planning currency (e.g. --split-penalty 3.50).", stdout, stderr)
	split := fs.String("split-penalty", "", "cost of each parcel beyond the first")
	customs := fs.String("customs", "", "cost of a parcel crossing a customs border")
	day := fs.String("day-cost", "", "cost of a day of transit, per parcel")
	maxParcels := fs.Int("max-parcels", -1, "most parcels per order (0: no limit)")
	minSplit := fs.String("min-split-value", "", "a parcel split off must be worth at least this much (0: any)")
	wait := fs.String("wait-day-cost", "", "cost of a day of waiting for an expected delivery instead of splitting (0: never wait)")
	never := fs.String("never-split", "", "true or false")
	region := fs.String("keep-in-region", "", "true or false: ship only from the destination's region")
	partial := fs.String("allow-partial", "", "true or false: allocate what is in stock, backorder the rest")
	auto := fs.String("auto-replan", "", "true or false: plan backorders again whenever stock arrives")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	cfg, err := a.Allocation.AllocConfig(ctx)
	if err != nil {
		return err
	}
	changed := false
	for _, m := range []struct {
		text string
		to   *int64
	}{{*split, &cfg.SplitPenalty}, {*customs, &cfg.CustomsCost}, {*day, &cfg.DayCost}, {*minSplit, &cfg.MinSplitLine}, {*wait, &cfg.WaitDayCost}} {
		if m.text == "" {
			continue
		}
		v, err := domain.ParseMoney(m.text, cfg.Currency)
		if err != nil {
			return usageError{fmt.Sprintf("allocate settings: %q is not an amount in %s", m.text, cfg.Currency)}
		}
		*m.to, changed = v.Amount, true
	}
	if *maxParcels >= 0 {
		cfg.MaxParcels, changed = *maxParcels, true
	}
	for _, b := range []struct {
		text string
		to   *bool
	}{{*never, &cfg.NeverSplit}, {*region, &cfg.KeepInRegion}, {*partial, &cfg.AllowPartial}, {*auto, &cfg.AutoReplan}} {
		if b.text == "" {
			continue
		}
		v, err := strconv.ParseBool(b.text)
		if err != nil {
			return usageError{fmt.Sprintf("allocate settings: %q is not true or false", b.text)}
		}
		*b.to, changed = v, true
	}
	if changed {
		if err := a.Allocation.SetConfig(ctx, cfg); err != nil {
			return err
		}
	}
	m := func(v int64) string { return domain.NewMoney(v, cfg.Currency).String() }
	fmt.Fprintf(stdout, "Split penalty %s per extra parcel, customs %s per parcel crossing a border, %s per day of transit, %s per day of waiting.\n",
		m(cfg.SplitPenalty), m(cfg.CustomsCost), m(cfg.DayCost), m(cfg.WaitDayCost))
	fmt.Fprintf(stdout, "Max parcels %d (0: no limit), min split value %s, never split %v, keep in region %v, allow partial %v, auto re-plan %v.\n",
		cfg.MaxParcels, m(cfg.MinSplitLine), cfg.NeverSplit, cfg.KeepInRegion, cfg.AllowPartial, cfg.AutoReplan)
	printChanged(ctx, stdout, a, domain.SettingAllocation)
	return nil
}

// startOnOrder parses a command's flags around an order's number, opens the
// database and finds the order.
func startOnOrder(ctx context.Context, fs *cmdFlags, args []string, open opener) (*app.App, domain.Order, error) {
	a, number, err := startWithArg(fs, args, "order number", open)
	if err != nil {
		return nil, domain.Order{}, err
	}
	o, err := orderNumbered(ctx, a, number)
	return a, o, err
}

func cmdOrdersPriority(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("orders priority NUMBER", "Sets an order's manual priority, -9 to 9 (0: normal). Higher priorities are\n"+
		"allocated first; then express shipping, the channel's priority, and age.", stdout, stderr)
	set := fs.Int("set", 0, "the priority, -9 to 9")
	a, o, err := startOnOrder(ctx, fs, args, open)
	if err != nil {
		return err
	}
	if err := a.Orders.SetPriority(ctx, o.ID, *set); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Order %s: priority %+d.\n", o.Number, *set)
	return nil
}

func cmdOrdersAddress(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("orders address NUMBER", "Corrects where an order not yet shipped goes (a carrier refused its address): the flags\n"+
		"given replace those parts; the name stays. The order's history keeps why and what it was.", stdout, stderr)
	line1 := fs.String("line1", "", "the street and number")
	line2 := fs.String("line2", "", "the second line (\"-\": none)")
	city := fs.String("city", "", "the city")
	region := fs.String("region", "", "the state, province or prefecture (\"-\": none)")
	postal := fs.String("postal-code", "", "the postal code")
	country := fs.String("country", "", "the country (ISO 3166-1 alpha-2)")
	phone := fs.String("phone", "", "the recipient's phone")
	why := fs.String("why", "", "why, for the order's history (e.g. the carrier's words)")
	a, o, err := startOnOrder(ctx, fs, args, open)
	if err != nil {
		return err
	}
	to := o.ShipTo
	for _, f := range []struct {
		given string
		to    *string
	}{{*line1, &to.Line1}, {*line2, &to.Line2}, {*city, &to.City}, {*region, &to.Region}, {*postal, &to.PostalCode}, {*phone, &to.Phone}} {
		switch f.given {
		case "":
		case "-":
			*f.to = ""
		default:
			*f.to = f.given
		}
	}
	if *country != "" {
		to.Country = domain.Country(strings.ToUpper(strings.TrimSpace(*country)))
	}
	if err := a.Inventory.SetShipAddress(ctx, o.ID, to, *why); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Order %s now goes to: %s.\n", o.Number, strings.Join(to.Lines(), ", "))
	return nil
}

func cmdChannelsPriority(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("channels priority NAME", "Sets a channel's priority, -9 to 9 (0: normal): its orders are allocated before\n"+
		"those of lower channels with the same manual priority.", stdout, stderr)
	set := fs.Int("set", 0, "the priority, -9 to 9")
	a, name, err := startWithArg(fs, args, "channel name or code", open)
	if err != nil {
		return err
	}
	ch, err := a.Intake.ChannelNamed(ctx, name)
	if err != nil {
		return err
	}
	if err := a.Allocation.SetChannelPriority(ctx, ch.ID, *set); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Channel %s: priority %+d.\n", ch.Name, *set)
	return nil
}

func cmdChannelsShipping(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("channels shipping NAME", "Sets a channel's shipping promise, which buying labels follows: the carrier service its\n"+
		"orders go with when an order names none a shipping account quotes (e.g. \"DHL Express Worldwide\"), and the\n"+
		"days from an order's placing by which its delivery is promised (labels are bought to arrive by then).", stdout, stderr)
	service := fs.String("service", "", "the carrier service (\"\": none)")
	days := fs.Int("promise-days", 0, "days to the promised delivery, 0 to 90 (0: no promise)")
	a, name, err := startWithArg(fs, args, "channel name or code", open)
	if err != nil {
		return err
	}
	ch, err := a.Intake.ChannelNamed(ctx, name)
	if err != nil {
		return err
	}
	if err := a.Labels.SetChannelShipping(ctx, ch.ID, *service, *days); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Channel %s: %s; %s.\n", ch.Name, serviceText(*service), promiseText(*days))
	return nil
}

func serviceText(s string) string {
	if strings.TrimSpace(s) == "" {
		return "no service of its own (the order's, else the cheapest)"
	}
	return "ships with " + strings.TrimSpace(s) + " where the order names no service"
}

func promiseText(days int) string {
	if days == 0 {
		return "no delivery promise"
	}
	return fmt.Sprintf("delivery promised %d day(s) after an order is placed", days)
}
