package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

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
}

func totalsJSON(t domain.PlanTotals, cur domain.Currency) AllocateTotalsJSON {
	return AllocateTotalsJSON{OrdersAllocated: t.Allocated, OrdersPartial: t.Partial, OrdersBackordered: t.Backordered,
		Parcels: t.Parcels, Splits: t.Splits, EstimatedCost: domain.NewMoney(t.Cost, cur).Decimal(), Currency: string(cur)}
}

func cmdAllocate(ctx context.Context, open func() (*App, error), args []string, stdout, stderr io.Writer) error {
	fs := newFlags("allocate", "Plans which warehouse ships which line of every open (new or backordered) order — the\n"+
		"cheapest complete shipment, or a split when it is cheaper or the only way, highest priority and oldest\n"+
		"first — and commits it: every allocated line is reserved in one transaction. Orders whose stock\n"+
		"changed meanwhile are reported and left open. With --dry-run nothing is written.", stdout, stderr)
	dryRun := fs.Bool("dry-run", false, "show the plan without reserving anything")
	format := fs.String("format", "table", "output format: table or json")
	channel := fs.String("channel", "", "only orders of this channel (name or code)")
	country := fs.String("country", "", "only orders to this country (ISO 3166-1 code)")
	backordered := fs.Bool("backordered", false, "only backordered orders (after stock arrived)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return usageError{fmt.Sprintf("--format %q: use table or json", *format)}
	}
	a, err := open()
	if err != nil {
		return err
	}
	defer a.Close()
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
	plan, err := a.Allocation.Plan(ctx, f, nil)
	if err != nil {
		return err
	}
	cfg, err := a.Allocation.Config(ctx)
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
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ORDER\tSTATUS\tLINES\tCOST\tWHY")
	for _, o := range out.Orders {
		var parts []string
		for _, l := range o.Lines {
			parts = append(parts, fmt.Sprintf("%d×%s@%s", l.Quantity, l.SKU, l.Warehouse))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.Number, o.Status, strings.Join(parts, " "), o.Cost, o.Reason)
	}
	_ = tw.Flush()
	t, n := out.Totals, out.Naive
	fmt.Fprintf(stdout, "\n%d order(s): %d allocated, %d in part, %d backordered; %d parcel(s), %d split(s); estimated %s %s.\n",
		len(out.Orders), t.OrdersAllocated, t.OrdersPartial, t.OrdersBackordered, t.Parcels, t.Splits, t.EstimatedCost, t.Currency)
	fmt.Fprintf(stdout, "Shipping from the highest-ranked warehouse with stock instead: %d allocated, %d split(s), estimated %s %s.\n",
		n.OrdersAllocated, n.Splits, n.EstimatedCost, n.Currency)
	switch {
	case *dryRun:
		fmt.Fprintln(stdout, "Dry run: nothing was reserved.")
	case len(out.Conflicts) > 0:
		fmt.Fprintf(stdout, "Committed, except %d order(s) whose stock or status changed since the plan (run allocate again):\n", len(out.Conflicts))
		for _, c := range out.Conflicts {
			fmt.Fprintln(stdout, "  "+c)
		}
	case out.Committed:
		fmt.Fprintln(stdout, "Committed: every allocated line is reserved.")
	}
	return nil
}
