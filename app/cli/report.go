package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
)

func cmdReport(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", "Writes the weekly operations report as a PDF a manager can forward: the week's orders,\n"+
		"shipped by ship-by per warehouse and delivered on time per carrier; the Overview's counts as they stand;\n"+
		"and the trends of the 8 weeks ending with the week, as charts.", stdout, stderr)
	week := fs.String("week", "", "the ISO week, e.g. 2026-W48 (default: last week)")
	out := outFlag(fs, ".pdf")
	fs.usageIf(func() bool { return *out.path == "" }, "report: give --out FILE.pdf (and --week YYYY-Www)")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	if err := out.check(a); err != nil {
		return err
	}
	var b bytes.Buffer
	r, err := a.Trends.ReportPDF(ctx, *week, &b)
	if err != nil {
		return err
	}
	if err := out.write(a, b.Bytes()); err != nil {
		return err
	}
	so := ""
	if r.SoFar {
		so = " so far"
	}
	fmt.Fprintf(stdout, "Wrote %s: the report of week %s%s (%d KB).\n", *out.path, r.Week, so, (b.Len()+1023)/1024)
	return nil
}

func cmdTrends(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("trends", "The Overview's trends as numbers: orders per day by channel (8 weeks), shipped by ship-by\n"+
		"per warehouse and delivered by the carrier's estimate per carrier (per week), per destination (8 weeks),\n"+
		"fulfilment cost per order and margin per client (per month). Shares are in basis points in json.", stdout, stderr)
	format := formatFlag(fs, "table", "json")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	t, err := a.Trends.Trends(ctx)
	if err != nil {
		return err
	}
	if *format == "json" {
		return printJSON(stdout, t)
	}
	for i, c := range t.Charts() {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintln(stdout, c.Title)
		if c.Empty() {
			fmt.Fprintln(stdout, "  nothing in these weeks")
			continue
		}
		for k := range c.Categories {
			fmt.Fprintln(stdout, "  "+c.Describe(k))
		}
	}
	return nil
}
