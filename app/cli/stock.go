package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
)

// StockJSON is one balance in `stock list --format json`: a bin's stock of a
// SKU (and lot), with the SKU's reserved and available quantity in the
// whole warehouse.
type StockJSON struct {
	SKU       string `json:"sku"`
	Warehouse string `json:"warehouse"`
	Location  string `json:"location"`
	Lot       string `json:"lot,omitempty"`
	Expiry    string `json:"expiry,omitempty"`
	OnHand    int64  `json:"on_hand"`
	Reserved  int64  `json:"reserved"`
	Available int64  `json:"available"`
}

func cmdStockList(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stock list", "Lists stock on hand per SKU, warehouse and bin, in pick order, with what is reserved\n"+
		"for orders and still available per SKU and warehouse.", stdout, stderr)
	warehouse := fs.String("warehouse", "", "only this warehouse (code, e.g. NL-VEN)")
	format := formatFlag(fs)
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	wh := strings.TrimSpace(*warehouse)
	levels, err := a.Inventory.StockLevels(ctx, wh)
	if err != nil {
		return err
	}
	totals, err := a.Inventory.StockTotals(ctx, wh)
	if err != nil {
		return err
	}
	byKey := map[string]domain.StockTotal{}
	for _, t := range totals {
		byKey[t.SKU+"\x00"+t.Warehouse] = t.StockTotal
	}
	rows := make([]StockJSON, 0, len(levels))
	for _, l := range levels {
		t := byKey[l.SKU+"\x00"+l.Warehouse]
		rows = append(rows, StockJSON{SKU: l.SKU, Warehouse: l.Warehouse, Location: l.Location, Lot: l.Lot, Expiry: l.Expiry,
			OnHand: int64(l.OnHand), Reserved: int64(t.Reserved), Available: int64(t.Available())})
	}
	switch *format {
	case "json":
		return printJSON(stdout, rows)
	case "csv":
		w := csv.NewWriter(stdout)
		_ = w.Write([]string{"sku", "warehouse", "location", "lot", "expiry", "on_hand", "reserved", "available"})
		for _, r := range rows {
			_ = w.Write([]string{csvText(r.SKU), csvText(r.Warehouse), csvText(r.Location), csvText(r.Lot), r.Expiry,
				strconv.FormatInt(r.OnHand, 10), strconv.FormatInt(r.Reserved, 10), strconv.FormatInt(r.Available, 10)})
		}
		w.Flush()
		return w.Error()
	default:
		return printTable(stdout, "SKU\tWAREHOUSE\tLOCATION\tLOT\tEXPIRY\tON HAND\tRESERVED (WH)\tAVAILABLE (WH)", func(add func(string, ...any)) {
			for _, r := range rows {
				add("%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d", r.SKU, r.Warehouse, r.Location, r.Lot, r.Expiry, r.OnHand, r.Reserved, r.Available)
			}
		})
	}
}

// startWithArg parses flags around one positional argument, as
// parseWithArg, and opens the database.
func startWithArg(fs *cmdFlags, args []string, what string, open opener) (*app.App, string, error) {
	arg, err := parseWithArg(fs, args, what)
	if err != nil {
		return nil, "", err
	}
	a, err := open.App()
	return a, arg, err
}

// parseWithArg parses flags around one positional argument (before or after them).
func parseWithArg(fs *cmdFlags, args []string, what string) (string, error) {
	var arg string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		arg, args = args[0], args[1:]
	}
	if wantsHelp(args) {
		fs.help()
		return "", flag.ErrHelp
	}
	if err := fs.Parse(args); err != nil {
		return "", usageError{err.Error()}
	}
	if arg == "" && fs.NArg() == 1 {
		arg = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return "", usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	if arg == "" {
		return "", usageError{fmt.Sprintf("%s: give the %s", fs.Name(), what)}
	}
	return arg, nil
}

func required(name string, values map[string]string) error {
	var missing []string
	for _, k := range []string{"sku", "warehouse", "location", "from", "to", "reason"} {
		if v, ok := values[k]; ok && strings.TrimSpace(v) == "" {
			missing = append(missing, "--"+k)
		}
	}
	if len(missing) > 0 {
		return usageError{fmt.Sprintf("%s: %s required", name, strings.Join(missing, ", "))}
	}
	return nil
}

func cmdStockAdjust(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	reasons := make([]string, len(domain.AdjustReasons))
	for i, r := range domain.AdjustReasons {
		reasons[i] = string(r)
	}
	fs := newFlags("stock adjust", "Corrects the stock of one bin: --qty 5 adds five, --qty -2 takes two away. The\n"+
		"adjustment is recorded in the ledger with its reason; stock reserved for orders cannot be taken.", stdout, stderr)
	sku := fs.String("sku", "", "the SKU")
	wh := fs.String("warehouse", "", "the warehouse code")
	loc := fs.String("location", "", "the bin code")
	qty := fs.Int64("qty", 0, "quantity to add (positive) or take away (negative)")
	reason := fs.String("reason", "", "why: "+strings.Join(reasons, ", "))
	lot := fs.String("lot", "", "the lot (lot-tracked products; when taking, default: earliest expiry first)")
	expiry := fs.String("expiry", "", "expiry date of a new lot, YYYY-MM-DD")
	note := fs.String("note", "", "a note kept with the movement")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("stock adjust", map[string]string{"sku": *sku, "warehouse": *wh, "location": *loc, "reason": *reason}); err != nil {
		return err
	}
	if *qty == 0 {
		return usageError{"stock adjust: --qty must not be 0"}
	}
	r, err := domain.ParseAdjustReason(*reason)
	if err != nil {
		return err
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	if _, err := a.Inventory.Adjust(ctx, domain.Adjustment{SKU: *sku, Warehouse: *wh, Location: *loc, Lot: *lot, Expiry: *expiry,
		Qty: domain.Quantity(*qty), Reason: r, Note: *note}); err != nil {
		return err
	}
	totals, err := a.Inventory.StockTotals(ctx, *wh)
	if err != nil {
		return err
	}
	for _, t := range totals {
		if t.SKU == strings.TrimSpace(*sku) {
			fmt.Fprintf(stdout, "Adjusted %s in %s %s by %+d (%s). %s in %s now: %d on hand, %d reserved, %d available.\n",
				t.SKU, *wh, *loc, *qty, r, t.SKU, t.Warehouse, t.OnHand, t.Reserved, t.Available())
			return nil
		}
	}
	fmt.Fprintf(stdout, "Adjusted %s in %s %s by %+d (%s).\n", *sku, *wh, *loc, *qty, r)
	return nil
}

func cmdStockTransfer(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stock transfer", "Sends stock of a SKU from one warehouse to another. It leaves the source's bins\n"+
		"(earliest expiry first, then in pick order) and is in transit until the destination receives it with\n"+
		"\"portolan stock receive-transfer ID\".", stdout, stderr)
	sku := fs.String("sku", "", "the SKU")
	from := fs.String("from", "", "source warehouse code")
	to := fs.String("to", "", "destination warehouse code")
	qty := fs.Int64("qty", 0, "quantity to send")
	ref := fs.String("reference", "", "your reference (e.g. a replenishment order number)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("stock transfer", map[string]string{"sku": *sku, "from": *from, "to": *to}); err != nil {
		return err
	}
	if *qty <= 0 {
		return usageError{"stock transfer: --qty must be positive"}
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	t := &domain.Transfer{From: *from, To: *to, Reference: *ref, Lines: []domain.TransferLine{{SKU: *sku, Qty: domain.Quantity(*qty)}}}
	if err := a.Inventory.SendTransfer(ctx, t); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Transfer %d: %d × %s sent from %s to %s, in transit. Receive it with \"portolan stock receive-transfer %d\".\n",
		t.ID, *qty, *sku, *from, *to, t.ID)
	return nil
}

func cmdStockReceiveTransfer(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stock receive-transfer ID", "Confirms that a transfer arrived: its stock moves from IN-TRANSIT to the\n"+
		"destination's RECEIVING bin, ready to be put away.", stdout, stderr)
	arg, err := parseWithArg(fs, args, "transfer number")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(arg, "#"), 10, 64)
	if err != nil || id <= 0 {
		return usageError{fmt.Sprintf("stock receive-transfer: %q is not a transfer number", arg)}
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	t, err := a.Inventory.ReceiveTransfer(ctx, id)
	if err != nil {
		return err
	}
	var lines []string
	for _, l := range t.Lines {
		lines = append(lines, fmt.Sprintf("%d × %s", l.Qty, l.SKU))
	}
	fmt.Fprintf(stdout, "Transfer %d received in %s (RECEIVING): %s.\n", t.ID, t.To, strings.Join(lines, ", "))
	return nil
}

func cmdStockReorder(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stock reorder", "Sets when a SKU counts as low stock in a warehouse (available at or under the\n"+
		"reorder point) and the level to replenish to. --point 0 turns it off.", stdout, stderr)
	sku := fs.String("sku", "", "the SKU")
	wh := fs.String("warehouse", "", "the warehouse code")
	point := fs.Int64("point", 0, "reorder point")
	target := fs.Int64("target", 0, "target level (at least the reorder point)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("stock reorder", map[string]string{"sku": *sku, "warehouse": *wh}); err != nil {
		return err
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	if err := a.Inventory.SetPolicy(ctx, *sku, *wh, domain.Quantity(*point), domain.Quantity(*target)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s in %s: reorder at %d, target %d.\n", *sku, *wh, *point, *target)
	return nil
}

// errDiscrepancies makes `stock verify` exit non-zero when it finds differences.
var errDiscrepancies = errors.New("the stock balances differ from the ledger")

func cmdStockVerify(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stock verify", "Recomputes every bin balance from the stock ledger, and every warehouse total from\n"+
		"the bins and the reservations, and lists what differs. Exits non-zero when something does.", stdout, stderr)
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	d, err := a.Inventory.Verify(ctx)
	if err != nil {
		return err
	}
	if len(d) == 0 {
		fmt.Fprintln(stdout, "Stock verified: every balance and total matches the ledger.")
		return nil
	}
	_ = printTable(stdout, "WHAT\tSTORED\tFROM THE LEDGER", func(add func(string, ...any)) {
		for _, x := range d {
			add("%s\t%d\t%d", x.What, x.Stored, x.Expected)
		}
	})
	return fmt.Errorf("%w: %d difference(s)", errDiscrepancies, len(d))
}

func cmdStockImport(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stock import FILE.csv|FILE.xlsx", "Posts a stock snapshot: each row says how much of a SKU (and lot) a bin holds;\n"+
		"the bin is adjusted by the difference (reason stock_import), so the ledger explains every number.\n"+
		"Columns are recognised by their headers: SKU, warehouse, bin (or location), quantity, and optionally\n"+
		"lot and expiry. Rows with a problem are listed and skipped; the others are posted together.", stdout, stderr)
	sheet := fs.String("sheet", "", "XLSX sheet (default: the first)")
	dryRun := fs.Bool("dry-run", false, "check the file and show what would be posted, without writing")
	a, path, err := startWithArg(fs, args, "file", open)
	if err != nil {
		return err
	}
	p, err := a.Inventory.PreviewStockImport(path, *sheet)
	if err != nil {
		return err
	}
	if *dryRun {
		fmt.Fprintf(stdout, "%d row(s) can be posted, %d have problems (nothing written).\n", len(p.Rows), len(p.Problems))
		printProblems(stdout, p.Problems)
		return nil
	}
	res, err := a.Inventory.ImportStock(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Posted %d row(s): %d bin(s) changed, %d already right; %d row(s) skipped.\n",
		res.Rows, res.Changed, res.Rows-res.Changed, len(res.Problems))
	printProblems(stdout, res.Problems)
	if len(res.Problems) > 0 {
		return fmt.Errorf("%d row(s) of %s were not posted; fix them and import the file again (rows already right change nothing)",
			len(res.Problems), path)
	}
	return nil
}

func cmdInboundImport(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("inbound import FILE.csv|FILE.xlsx", "Records expected deliveries (purchase orders or ASNs) from a file with one row per\n"+
		"line: PO/ASN number, SKU and quantity, optionally supplier, expected date and warehouse. Rows are\n"+
		"grouped by the number; an inbound with a bad row is left out whole and its rows listed.", stdout, stderr)
	warehouse := fs.String("warehouse", "", "warehouse code for rows without a warehouse column")
	sheet := fs.String("sheet", "", "XLSX sheet (default: the first)")
	dryRun := fs.Bool("dry-run", false, "check the file and show what would be recorded, without writing")
	a, path, err := startWithArg(fs, args, "file", open)
	if err != nil {
		return err
	}
	p, err := a.Inventory.PreviewInboundImport(path, *sheet, *warehouse)
	if err != nil {
		return err
	}
	if *dryRun {
		fmt.Fprintf(stdout, "%d inbound(s) can be recorded; %d row problem(s) (nothing written).\n", len(p.Inbounds), len(p.Problems))
		for _, in := range p.Inbounds {
			fmt.Fprintf(stdout, "  %s to %s from %s, %d line(s)\n", in.Reference, in.Warehouse, in.Supplier, len(in.Lines))
		}
		printProblems(stdout, p.Problems)
		return nil
	}
	n, problems, err := a.Inventory.ImportInbounds(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Recorded %d inbound(s).\n", n)
	if err := listProblems(stdout, problems, "%d problem(s) in %s; the inbounds listed above were not recorded", path); err != nil {
		return err
	}
	return nil
}

func cmdInboundList(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("inbound list", "Lists expected deliveries with what has been received against each line.", stdout, stderr)
	status := fs.String("status", "open", "open, received, closed or all")
	format := formatFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	st := domain.InboundStatus(*status)
	switch st {
	case domain.InboundOpen, domain.InboundReceived, domain.InboundClosed:
	case "all":
		st = ""
	default:
		return usageError{fmt.Sprintf("inbound list: --status %q: use open, received, closed or all", *status)}
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	list, err := a.Inventory.Inbounds(ctx, st)
	if err != nil {
		return err
	}
	type lineJSON struct {
		SKU      string `json:"sku"`
		Expected int64  `json:"expected"`
		Received int64  `json:"received"`
	}
	type inboundJSON struct {
		Reference  string     `json:"reference"`
		Warehouse  string     `json:"warehouse"`
		Supplier   string     `json:"supplier"`
		ExpectedOn string     `json:"expected_on,omitempty"`
		Status     string     `json:"status"`
		Lines      []lineJSON `json:"lines"`
	}
	switch *format {
	case "json":
		out := make([]inboundJSON, 0, len(list))
		for _, in := range list {
			j := inboundJSON{Reference: in.Reference, Warehouse: in.Warehouse, Supplier: in.Supplier, ExpectedOn: in.ExpectedOn, Status: string(in.Status)}
			for _, l := range in.Lines {
				j.Lines = append(j.Lines, lineJSON{SKU: l.SKU, Expected: int64(l.Expected), Received: int64(l.Received)})
			}
			out = append(out, j)
		}
		return printJSON(stdout, out)
	case "csv":
		w := csv.NewWriter(stdout)
		_ = w.Write([]string{"reference", "warehouse", "supplier", "expected_on", "status", "sku", "expected", "received"})
		for _, in := range list {
			for _, l := range in.Lines {
				_ = w.Write([]string{csvText(in.Reference), in.Warehouse, csvText(in.Supplier), in.ExpectedOn, string(in.Status), csvText(l.SKU),
					strconv.FormatInt(int64(l.Expected), 10), strconv.FormatInt(int64(l.Received), 10)})
			}
		}
		w.Flush()
		return w.Error()
	default:
		return printTable(stdout, "REFERENCE\tWAREHOUSE\tSUPPLIER\tEXPECTED ON\tSTATUS\tSKU\tEXPECTED\tRECEIVED", func(add func(string, ...any)) {
			for _, in := range list {
				for _, l := range in.Lines {
					add("%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d", in.Reference, in.Warehouse, in.Supplier, in.ExpectedOn, in.Status, l.SKU, l.Expected, l.Received)
				}
			}
		})
	}
}

func cmdStockMove(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stock move", "Moves stock of a SKU between two bins of a warehouse (a lot, or the source bin's\n"+
		"lots earliest expiry first).", stdout, stderr)
	sku := fs.String("sku", "", "the SKU")
	wh := fs.String("warehouse", "", "the warehouse code")
	from := fs.String("from", "", "the bin it comes from")
	to := fs.String("to", "", "the bin it goes to")
	lot := fs.String("lot", "", "only this lot")
	qty := fs.Int64("qty", 0, "quantity to move")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("stock move", map[string]string{"sku": *sku, "warehouse": *wh, "from": *from, "to": *to}); err != nil {
		return err
	}
	if *qty <= 0 {
		return usageError{"stock move: --qty must be positive"}
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	if err := a.Inventory.Move(ctx, *sku, *wh, *from, *to, *lot, domain.Quantity(*qty)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Moved %d × %s in %s from %s to %s.\n", *qty, *sku, *wh, *from, *to)
	return nil
}

func cmdProductLots(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("product lots", "Turns lot and expiry tracking of a product on or off. A lot-tracked product is\n"+
		"received, adjusted and counted per lot, and leaves the warehouse earliest expiry first.", stdout, stderr)
	sku := fs.String("sku", "", "the SKU")
	track := fs.Bool("track", true, "track lots (use --track=false to stop)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("product lots", map[string]string{"sku": *sku}); err != nil {
		return err
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	if err := a.Inventory.SetLotTracked(ctx, *sku, *track); err != nil {
		return err
	}
	if *track {
		fmt.Fprintf(stdout, "%s is lot-tracked: give the lot (and expiry) when receiving or adjusting it.\n", *sku)
	} else {
		fmt.Fprintf(stdout, "%s is no longer lot-tracked.\n", *sku)
	}
	return nil
}

func cmdWaveCreate(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("wave create", "Takes allocated orders of a warehouse (highest priority, then oldest first) into a pick\n"+
		"wave: each line gets its bins and each order a tote; the orders move to picking.", stdout, stderr)
	wh := fs.String("warehouse", "", "the warehouse code")
	maxOrders := fs.Int("max-orders", 0, "at most this many orders (0: all)")
	maxLines := fs.Int("max-lines", 0, "at most about this many lines (an order is never cut; 0: no cap)")
	channel := fs.String("channel", "", "only orders of this channel (name or code)")
	service := fs.String("service", "", "only orders whose shipping service contains this text")
	express := fs.Bool("express", false, "only express orders")
	minPriority := fs.String("min-priority", "", "only orders of at least this priority (-9 to 9)")
	carrier := fs.String("carrier", "", "only orders whose shipping service goes with this carrier (see shipping settings --service-carrier)")
	cutoff := fs.String("cutoff", "", "only orders placed before this time: HH:MM today (local) or RFC 3339")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("wave create", map[string]string{"warehouse": *wh}); err != nil {
		return err
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	var before time.Time
	if *cutoff != "" {
		if before, err = parseCutoff(*cutoff, a.Now()); err != nil {
			return usageError{err.Error()}
		}
	}
	f := domain.WaveFilter{MaxOrders: *maxOrders, MaxLines: *maxLines, Service: *service, Express: *express, Carrier: *carrier, PlacedBefore: before}
	if *minPriority != "" {
		n, err := strconv.Atoi(strings.TrimSpace(*minPriority))
		if err != nil || n < -9 || n > 9 {
			return usageError{"wave create: --min-priority is a whole number from -9 to 9"}
		}
		f.MinPriority = &n
	}
	if *channel != "" {
		ch, err := a.Intake.ChannelNamed(ctx, *channel)
		if err != nil {
			return err
		}
		f.ChannelID = ch.ID
	}
	w, err := a.Inventory.CreateWave(ctx, *wh, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wave %d in %s: %d order(s), %d pick(s), %d unit(s). Print it with \"portolan picklist --wave %d --out wave-%d.pdf\".\n",
		w.ID, w.Warehouse, w.Orders, len(w.Lines), w.Units(), w.ID, w.ID)
	return nil
}

func cmdPicklist(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("picklist", "Writes a wave's pick list as a PDF: picks grouped by zone in walking order, with totes,\n"+
		"bins, SKUs (and their barcodes), lots and quantities. Printing it again gives the same document.", stdout, stderr)
	wave := fs.Int64("wave", 0, "the wave number")
	out := outFlag(fs, ".pdf")
	paper := fs.String("paper", "A4", "A4 or Letter")
	fs.usageIf(func() bool { return *wave <= 0 || *out.path == "" }, "picklist: give --wave ID and --out FILE.pdf")
	if err := parse(fs, args); err != nil {
		return err
	}
	return printPDF(ctx, open, out, "pick list", fmt.Sprintf("wave %d", *wave), stdout, func(a *app.App, w io.Writer) error {
		return a.Inventory.PickList(ctx, *wave, *paper, w)
	})
}

// parseCutoff reads a cut-off: "HH:MM" today in the local time zone, or RFC 3339.
func parseCutoff(s string, now time.Time) (time.Time, error) {
	now = now.Local()
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation("15:04", s, now.Location())
	if err != nil {
		return time.Time{}, fmt.Errorf("cut-off %q: write HH:MM (today) or a full RFC 3339 time", s)
	}
	return time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), 0, 0, now.Location()), nil
}
