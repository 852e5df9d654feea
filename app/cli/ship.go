package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
)

// orderNumbered finds an order by its exact number.
func orderNumbered(ctx context.Context, a *app.App, number string) (domain.Order, error) {
	page, err := a.Orders.OrderSummaries(ctx, domain.OrderFilter{Search: number}, 0, 50)
	if err != nil {
		return domain.Order{}, err
	}
	for _, o := range page {
		if o.Number == number {
			return a.Orders.Order(ctx, o.ID)
		}
	}
	return domain.Order{}, domain.Errorf(domain.ENOTFOUND, "no order numbered %q", number)
}

func cmdPickConfirm(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("pick confirm", "Confirms picks of a wave: every open pick in full (--all), or one pick with the quantity\n"+
		"found (--line ID --qty N). Picked stock moves from its bin to STAGING.", stdout, stderr)
	wave := fs.Int64("wave", 0, "the wave number")
	all := fs.Bool("all", false, "confirm every open pick in full")
	line := fs.Int64("line", 0, "one pick (its number on the wave)")
	qty := fs.Int64("qty", -1, "with --line: the quantity picked")
	fs.usageIf(func() bool { return *wave <= 0 || (*all == (*line != 0)) }, "pick confirm: give --wave ID and either --all or --line ID --qty N")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	w, err := a.Inventory.Wave(ctx, *wave)
	if err != nil {
		return err
	}
	// One outcome whoever else confirms at the same time: --line of a pick
	// confirmed already is refused, whenever that happened; --all confirms
	// what is still open and says what others confirmed.
	if *line != 0 && *qty < 0 {
		return usageError{"pick confirm: give --qty with --line"}
	}
	n, meanwhile, found := 0, 0, false
	for _, l := range w.Lines {
		if *line != 0 && l.ID != *line {
			continue
		}
		found = true
		q := l.Qty
		if *line != 0 {
			q = domain.Quantity(*qty)
		} else if l.Picked != nil {
			continue
		}
		short, err := a.Inventory.ConfirmPick(ctx, l.ID, q)
		if errors.Is(err, domain.ErrPickConfirmed) && *all {
			meanwhile++
			continue
		}
		if err != nil {
			return err
		}
		n++
		if short > 0 {
			fmt.Fprintf(stdout, "Pick %d (%s in %s) is short by %d: pick from the next bin in the window, or send it back to allocation.\n",
				l.ID, l.SKU, l.Bin, short)
		}
	}
	if *line != 0 && !found {
		return domain.Errorf(domain.ENOTFOUND, "wave %d has no pick %d", *wave, *line)
	}
	fmt.Fprintf(stdout, "Confirmed %d pick(s) of wave %d.", n, *wave)
	if meanwhile > 0 {
		fmt.Fprintf(stdout, " %d other(s) were confirmed meanwhile by someone else.", meanwhile)
	}
	fmt.Fprintln(stdout)
	return nil
}

func cmdPack(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("pack", "Packs what was picked of an order in a warehouse into one parcel of a box and weight.", stdout, stderr)
	number := fs.String("order", "", "the order number")
	wh := fs.String("warehouse", "", "the warehouse code")
	box := fs.String("box", "M", "the box: MAILER, S, M, L or XL")
	weight := fs.Int64("weight", 0, "the parcel's weight in grams")
	fs.usageIf(func() bool { return *number == "" || *wh == "" || *weight <= 0 }, "pack: give --order NUMBER --warehouse W --weight GRAMS")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	o, err := orderNumbered(ctx, a, *number)
	if err != nil {
		return err
	}
	id, err := a.Inventory.Pack(ctx, o.ID, *wh, strings.ToUpper(*box), domain.Grams(*weight), nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Parcel %d packed for order %s. Buy its carrier label with \"portolan labels buy --parcels %d\", or give it a tracking number with \"portolan tracking --parcel %d --number …\".\n", id, *number, id, id)
	return nil
}

func cmdTracking(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tracking", "Records a parcel's tracking number, typed or scanned (or buy the carrier's label with \"labels buy\").", stdout, stderr)
	parcel := fs.Int64("parcel", 0, "the parcel number")
	number := fs.String("number", "", "the tracking number")
	carrier := fs.String("carrier", "", "the carrier (DHL, UPS, FedEx, USPS, …)")
	fs.usageIf(func() bool { return *parcel <= 0 || *number == "" }, "tracking: give --parcel ID --number TRACKING")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	if err := a.Inventory.SetTracking(ctx, *parcel, *carrier, *number); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Parcel %d: tracking %s.\n", *parcel, *number)
	return nil
}

func cmdCustomsCheck(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("customs check", "Checks a wave's parcels before their documents print: tracking number, and for parcels\n"+
		"leaving their customs territory HS codes, origins, values, weights and the recipient's phone.\n"+
		"Exits non-zero and lists every problem when anything fails.", stdout, stderr)
	wave := fs.Int64("wave", 0, "the wave number")
	fs.usageIf(func() bool { return *wave <= 0 }, "customs check: give --wave ID")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	parcels, problems, err := a.Inventory.Preflight(ctx, *wave)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p.String())
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problem(s) in %d parcel(s) of wave %d; nothing can print until they are fixed", len(problems), len(parcels), *wave)
	}
	fmt.Fprintf(stdout, "All %d parcel(s) of wave %d are ready to print.\n", len(parcels), *wave)
	return nil
}

func cmdLabels(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("labels", "Writes one PDF for a wave's parcels, or for the parcels given, in parcel order: label,\n"+
		"customs papers where needed, packing slip. Nothing is written when a parcel fails the pre-flight check.", stdout, stderr)
	wave := fs.Int64("wave", 0, "the wave number")
	list := fs.String("parcels", "", "comma-separated parcel numbers (instead of --wave, or a part of it)")
	out := outFlag(fs, ".pdf")
	paper := fs.String("paper", "4x6", "label size: 4x6 or A6, or none (the labels print on a thermal printer: customs papers and packing slips alone)")
	fs.usageIf(func() bool { return (*wave <= 0 && *list == "") || *out.path == "" }, "labels: give --wave ID or --parcels N,N,…, and --out FILE.pdf")
	if err := parse(fs, args); err != nil {
		return err
	}
	ids, err := parcelNumbers("labels", *list)
	if err != nil {
		return err
	}
	ref := fmt.Sprintf("wave %d", *wave)
	if len(ids) > 0 {
		ref = "parcels " + strings.Join(splitList(*list), ", ")
	}
	thermal := 0
	err = printPDF(ctx, open, out, "labels", ref, stdout, func(a *app.App, w io.Writer) error {
		var err error
		thermal, err = a.Inventory.Documents(ctx, *wave, ids, *paper, w)
		var pe *domain.PreflightError
		if errors.As(err, &pe) && *wave > 0 {
			return fmt.Errorf("%w\nRun \"portolan customs check --wave %d\" after fixing them", err, *wave)
		}
		return err
	})
	if err == nil {
		printThermalNote(stdout, thermal)
	}
	return err
}

// printThermalNote says that carrier labels in ZPL were left out of a PDF,
// and how they print.
func printThermalNote(w io.Writer, labels int) {
	if labels > 0 {
		fmt.Fprintf(w, "%d carrier label(s) are ZPL, for a thermal printer, and are not in the PDF: "+
			"print them with \"portolan labels print --printer NAME\".\n", labels)
	}
}

// printPDF opens the database, refuses an --out file that may not be
// written before any work is done, renders the document and writes it.
func printPDF(ctx context.Context, open opener, out outputFile, document, ref string, stdout io.Writer,
	render func(a *app.App, w io.Writer) error) error {
	a, err := open.App()
	if err != nil {
		return err
	}
	if err := out.check(a); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := render(a, &b); err != nil {
		return err
	}
	return writeDocument(ctx, a, out, document, ref, b.Bytes(), stdout)
}

// writeDocument writes a PDF whole or not at all and logs the print.
func writeDocument(ctx context.Context, a *app.App, out outputFile, document, ref string, b []byte, stdout io.Writer) error {
	if err := out.write(a, b); err != nil {
		return err
	}
	if err := a.Inventory.Printed(ctx, document, ref, len(b)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %s (%d KB).\n", *out.path, (len(b)+1023)/1024)
	return nil
}

func cmdDispatch(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dispatch", "Hands packed parcels to a carrier: they go on its manifest of the day, their stock leaves\n"+
		"the warehouse in the ledger, and orders whose parcels have all left become shipped.", stdout, stderr)
	carrier := fs.String("carrier", "", "the carrier taking the parcels")
	wave := fs.Int64("wave", 0, "every packed parcel of this wave")
	ids := fs.String("parcels", "", "or these parcels (comma-separated numbers)")
	fs.usageIf(func() bool { return *carrier == "" || (*wave == 0) == (*ids == "") }, "dispatch: give --carrier C and either --wave ID or --parcels 1,2,3")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	var list []int64
	if *wave != 0 {
		parcels, err := a.Inventory.ParcelsOfWave(ctx, *wave)
		if err != nil {
			return err
		}
		for _, p := range parcels {
			list = append(list, p.ID)
		}
	} else if list, err = parcelNumbers("dispatch", *ids); err != nil {
		return err
	}
	m, err := a.Inventory.Dispatch(ctx, list, *carrier)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d parcel(s) handed to %s on manifest %d. Print it with \"portolan manifest --id %d --out manifest-%d.pdf\".\n",
		len(list), *carrier, m, m, m)
	return nil
}

func cmdManifest(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("manifest", "Writes a carrier's manifest as a PDF.", stdout, stderr)
	id := fs.Int64("id", 0, "the manifest number")
	out := outFlag(fs, ".pdf")
	fs.usageIf(func() bool { return *id <= 0 || *out.path == "" }, "manifest: give --id N and --out FILE.pdf")
	if err := parse(fs, args); err != nil {
		return err
	}
	return printPDF(ctx, open, out, "manifest", fmt.Sprintf("manifest %d", *id), stdout, func(a *app.App, w io.Writer) error {
		return a.Inventory.ManifestPDF(ctx, *id, w)
	})
}

func cmdShippingSettings(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("shipping settings", "Shows what customs papers and packing slips print besides the parcels, and changes\n"+
		"what is given.", stdout, stderr)
	incoterm := fs.String("incoterm", "", "DAP (duties paid by the recipient) or DDP (by the sender)")
	eori := fs.String("eori", "", "the sender's EORI number (\"-\" to clear)")
	ioss := fs.String("ioss", "", "the sender's IOSS number (\"-\" to clear)")
	prices := fs.String("slip-prices", "", "true or false: print prices on packing slips")
	paper := fs.String("paper", "", "A4 or Letter: the paper customs papers and packing slips print on")
	var services multiFlag
	fs.Var(&services, "service-carrier", "SERVICE=CARRIER: the carrier of a storefront's shipping service (repeatable; SERVICE= removes)")
	latin := fs.String("latin-carriers", "", "comma-separated carriers that require Latin script on international labels (\"-\" for none)")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	set, err := a.Inventory.ShippingSettings(ctx)
	if err != nil {
		return err
	}
	changed := false
	for _, f := range []struct {
		v  string
		to *string
	}{{*incoterm, &set.Incoterm}, {*eori, &set.EORI}, {*ioss, &set.IOSS}} {
		switch f.v {
		case "":
		case "-":
			*f.to, changed = "", true
		default:
			*f.to, changed = strings.TrimSpace(f.v), true
		}
	}
	set.Incoterm = strings.ToUpper(set.Incoterm)
	if *prices != "" {
		set.Prices, changed = *prices == "true", true
		if *prices != "true" && *prices != "false" {
			return usageError{"shipping settings: --slip-prices is true or false"}
		}
	}
	if *paper != "" {
		set.DocPaper, changed = *paper, true
	}
	for _, sc := range services {
		k, v, ok := strings.Cut(sc, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return usageError{"shipping settings: --service-carrier is SERVICE=CARRIER"}
		}
		if set.Carriers == nil {
			set.Carriers = map[string]string{}
		}
		if strings.TrimSpace(v) == "" {
			delete(set.Carriers, strings.TrimSpace(k))
		} else {
			set.Carriers[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		changed = true
	}
	switch *latin {
	case "":
	case "-":
		set.LatinCarriers, changed = []string{}, true
	default:
		set.LatinCarriers, changed = splitList(*latin), true
	}
	if changed {
		if err := a.Inventory.SetShippingSettings(ctx, set); err != nil {
			return err
		}
		if set, err = a.Inventory.ShippingSettings(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "Incoterm %s · EORI %s · IOSS %s · prices on packing slips %v · papers on %s\n", set.Incoterm, orDash(set.EORI), orDash(set.IOSS),
		set.Prices, set.DocPaper)
	fmt.Fprintf(stdout, "Latin script required by: %s\n", orDash(strings.Join(set.LatinCarriers, ", ")))
	keys := slices.Sorted(maps.Keys(set.Carriers))
	for _, k := range keys {
		fmt.Fprintf(stdout, "Service %q → %s\n", k, set.Carriers[k])
	}
	printChanged(ctx, stdout, a, domain.SettingShipping)
	return nil
}

// splitList splits a comma-separated list, dropping empty items.
// parcelNumbers reads a --parcels list of parcel numbers ("12,13, 14").
func parcelNumbers(command, list string) ([]int64, error) {
	var ids []int64
	for _, x := range splitList(list) {
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil || n <= 0 {
			return nil, usageError{fmt.Sprintf("%s: %q is not a parcel number", command, x)}
		}
		ids = append(ids, n)
	}
	return ids, nil
}

func splitList(s string) []string {
	out := []string{}
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func cmdProductCustoms(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("product customs", "Sets a product's customs data: HS code (6–10 digits), country of origin and unit weight.", stdout, stderr)
	sku := fs.String("sku", "", "the SKU")
	hs := fs.String("hs", "", "HS code")
	origin := fs.String("origin", "", "country of origin (ISO 3166-1 code)")
	weight := fs.Int64("weight", 0, "unit weight in grams (0: unchanged)")
	fs.usageIf(func() bool { return *sku == "" || *hs == "" || *origin == "" }, "product customs: give --sku, --hs and --origin")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := domain.ParseCountry(*origin)
	if err != nil {
		return err
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	if err := a.Inventory.SetProductCustoms(ctx, *sku, *hs, c, domain.Grams(*weight)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: HS %s, origin %s.\n", *sku, *hs, c)
	return nil
}

func cmdTrackingImport(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tracking import FILE.csv|FILE.xlsx", "Records tracking numbers from a file: a parcel column (or an order column, for\n"+
		"orders with one parcel), a tracking column and optionally a carrier column. Rows that cannot be\n"+
		"recorded are listed; the others are recorded.", stdout, stderr)
	a, path, err := startWithArg(fs, args, "file", open)
	if err != nil {
		return err
	}
	n, problems, err := a.Inventory.ImportTracking(ctx, path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Recorded %d tracking number(s).\n", n)
	if err := listProblems(stdout, problems, "%d row(s) of %s were not recorded", path); err != nil {
		return err
	}
	return nil
}
