package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/portolan/portolan/domain"
)

func cmdOverview(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("overview", "What needs doing now: orders to allocate, backordered, on hold, late and due today; each\n"+
		"warehouse's day (late, due today, picking, packed, the next pickup and what must be ready for it, open\n"+
		"waves); the exceptions queue; storefront updates failing; channels whose last sync failed. With --format\n"+
		"json, for monitoring (a script can alert when orders.late > 0); times are RFC 3339, UTC.", stdout, stderr)
	format := formatFlag(fs, "table", "json")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	v, err := a.Overview.Overview(ctx)
	if err != nil {
		return err
	}
	if *format == "json" {
		v.At = v.At.UTC()
		v.Orders.OldestToAllocate = v.Orders.OldestToAllocate.UTC()
		for i := range v.Warehouses {
			v.Warehouses[i].NextPickup = v.Warehouses[i].NextPickup.UTC()
			v.Warehouses[i].LastPickup = v.Warehouses[i].LastPickup.UTC()
		}
		return printJSON(stdout, v)
	}
	o := v.Orders
	fmt.Fprintf(stdout, "Overview at %s\n\n", v.At.Local().Format("Mon 2006-01-02 15:04 MST"))
	oldest := ""
	if !o.OldestToAllocate.IsZero() {
		oldest = fmt.Sprintf(" (the oldest %s old)", domain.Age(v.At.Sub(o.OldestToAllocate)))
	}
	short := ""
	for i, k := range o.ShortSKUs {
		sep := ", "
		if i == 0 {
			sep = " (waiting for "
		}
		short += fmt.Sprintf("%s%s: %d orders want %d, %d available", sep, k.SKU, k.Orders, k.Wanted, k.Available)
		if i == len(o.ShortSKUs)-1 {
			short += ")"
		}
	}
	fmt.Fprintf(stdout, "Orders\n  to allocate   %d%s\n  backordered   %d%s\n  on hold       %d\n  needs review  %d\n  late          %d\n  due today     %d\n\n",
		o.ToAllocate, oldest, o.Backordered, short, o.OnHold, o.NeedsReview, o.Late, o.DueToday)
	if err := printTable(stdout, "WAREHOUSE\tLATE\tDUE TODAY\tPICKING\tPACKED\tNEXT PICKUP\tLAST THAT DAY\tDUE BY THEN\tOPEN WAVES\tINBOUND TODAY\tINBOUND OVERDUE\tHANDED OVER", func(add func(string, ...any)) {
		for _, w := range v.Warehouses {
			next, last := "none set", ""
			if !w.NextPickup.IsZero() {
				next, last = w.NextPickup.Local().Format("Mon 15:04"), w.LastPickup.Local().Format("15:04")
			}
			add("%s\t%d\t%d\t%d\t%d\t%s\t%s\t%d\t%d\t%d\t%d\t%d", w.Code, w.Late, w.DueToday, w.Picking, w.Packed, next, last, w.ForPickup, w.OpenWaves,
				w.InboundToday, w.InboundOverdue, w.HandedOver)
		}
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nStock\n  products at or under their reorder point  %d\n", v.LowStock)
	for _, l := range v.LowCover {
		fmt.Fprintf(stdout, "    %s\n", l.Describe())
	}
	t := v.Transport
	fmt.Fprintf(stdout, "\nTransport\n  exceptions queue            %d", t.Exceptions)
	ms := make([]domain.Milestone, 0, len(t.ByMilestone))
	for m := range t.ByMilestone {
		ms = append(ms, m)
	}
	slices.Sort(ms)
	for i, m := range ms {
		sep := ", "
		if i == 0 {
			sep = " ("
		}
		fmt.Fprintf(stdout, "%s%s %d", sep, m.Label(), t.ByMilestone[m])
		if i == len(ms)-1 {
			fmt.Fprint(stdout, ")")
		}
	}
	fmt.Fprintf(stdout, "\n  storefront updates failing  %d\n", t.PushesFailing)
	fmt.Fprintf(stdout, "\nReceivables\n  clients owing     %d\n  invoices overdue  %d", v.Finance.ClientsOwing, v.Finance.Overdue)
	for b, n := range v.Finance.OverdueByAge {
		if n > 0 {
			fmt.Fprintf(stdout, "  (%s days: %d)", domain.AgeBuckets[b], n)
		}
	}
	f := v.Finance
	fmt.Fprintf(stdout, "\n  carrier invoice lines to decide  %d", f.CarrierLinesToDecide())
	for _, m := range slices.Sorted(maps.Keys(f.CarrierLinesOpen)) {
		fmt.Fprintf(stdout, "  (%s: %d)", m, f.CarrierLinesOpen[m])
	}
	fmt.Fprintf(stdout, "\n  charges in %s so far  %d: %s", f.Charges.Month, f.Charges.Count, f.Charges)
	fmt.Fprintf(stdout, "\n\nChannels failing: %d\n", len(v.Channels))
	for _, c := range v.Channels {
		fmt.Fprintf(stdout, "  %s  %s\n", c.Code, c.Problem)
	}
	return nil
}
