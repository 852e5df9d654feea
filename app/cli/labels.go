package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
)

// parcelSelection is --wave or --parcels, the parcels a label command
// works on.
type parcelSelection struct {
	wave *int64
	list *string
}

func parcelFlags(fs *cmdFlags, name string) parcelSelection {
	s := parcelSelection{wave: fs.Int64("wave", 0, "the wave whose packed parcels to take"),
		list: fs.String("parcels", "", "comma-separated parcel numbers (instead of --wave)")}
	fs.usageIf(func() bool { return (*s.wave <= 0) == (*s.list == "") }, name+": give --wave ID or --parcels N,N,…")
	return s
}

// ids are the parcels chosen: the list given, or the wave's.
func (s parcelSelection) ids(ctx context.Context, a *app.App, name string) ([]int64, error) {
	if *s.wave > 0 {
		parcels, err := a.Inventory.ParcelsOfWave(ctx, *s.wave)
		if err != nil {
			return nil, err
		}
		var ids []int64
		for _, p := range parcels {
			if !p.Shipped {
				ids = append(ids, p.ID)
			}
		}
		if len(ids) == 0 {
			return nil, domain.Errorf(domain.EINVALID, "wave %d has no packed parcel waiting for its carrier", *s.wave)
		}
		return ids, nil
	}
	return parcelNumbers(name, *s.list)
}

// RateJSON is one quote in `rates --format json`.
type RateJSON struct {
	Parcel      int64  `json:"parcel"`
	Order       string `json:"order"`
	Account     string `json:"account"`
	Carrier     string `json:"carrier"`
	Service     string `json:"service"`
	Price       string `json:"price"`
	Currency    string `json:"currency"`
	TransitDays int    `json:"transit_days,omitempty"`
	DeliveryBy  string `json:"delivery_by,omitempty"`
	Guaranteed  bool   `json:"guaranteed"`
	// Converted is the price in the planning currency at today's rate.
	Converted         string `json:"converted,omitempty"`
	ConvertedCurrency string `json:"converted_currency,omitempty"`
	// Chosen says why "labels buy" without --carrier or --service takes
	// this quote; "" for the others.
	Chosen string `json:"chosen,omitempty"`
}

func cmdRates(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("rates", "Asks every shipping account (EasyPost, DHL Express, UPS, FedEx, USPS) what it would charge to carry the parcels, cheapest\n"+
		"first, with the carriers' reasons for what they did not quote. Nothing is bought.", stdout, stderr)
	sel := parcelFlags(fs, "rates")
	format := formatFlag(fs, "table", "json")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	ids, err := sel.ids(ctx, a, "rates")
	if err != nil {
		return err
	}
	rates, err := a.Labels.Rates(ctx, ids)
	if err != nil {
		return err
	}
	if *format == "json" {
		out := []RateJSON{}
		for _, r := range rates {
			for i, q := range r.Quotes {
				j := RateJSON{Parcel: r.Parcel.ID, Order: r.Parcel.Number, Account: q.Account, Carrier: q.Carrier, Service: q.Service,
					Price: q.Price.Decimal(), Currency: string(q.Price.Currency), TransitDays: q.TransitDays, Guaranteed: q.Guaranteed}
				if i == r.Chosen {
					j.Chosen = r.Why
				}
				if !q.DeliveryBy.IsZero() {
					j.DeliveryBy = q.DeliveryBy.Format(time.DateOnly)
				}
				if q.Converted.Currency != "" {
					j.Converted, j.ConvertedCurrency = q.Converted.Decimal(), string(q.Converted.Currency)
				}
				out = append(out, j)
			}
		}
		return printJSON(stdout, out)
	}
	if err := printTable(stdout, "PARCEL\tORDER\tACCOUNT\tCARRIER\tSERVICE\tPRICE\tCONVERTED\tDAYS\tGUARANTEED\tBOUGHT BY DEFAULT", func(add func(string, ...any)) {
		for _, r := range rates {
			for i, q := range r.Quotes {
				days := "–"
				if q.TransitDays > 0 {
					days = strconv.Itoa(q.TransitDays)
				}
				converted := "–"
				if q.Converted.Currency != "" {
					converted = "≈ " + q.Converted.String()
				}
				chosen := ""
				if i == r.Chosen {
					chosen = "* " + r.Why
				}
				add("%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", r.Parcel.ID, r.Parcel.Number, q.Account, q.Carrier, q.Service, q.Price, converted,
					days, yesNo(q.Guaranteed), chosen)
			}
		}
	}); err != nil {
		return err
	}
	for _, r := range rates {
		for _, p := range r.Problems {
			fmt.Fprintf(stdout, "Parcel %d (%s): %s\n", r.Parcel.ID, r.Parcel.Number, p)
		}
	}
	perCarrier, all := domain.ChosenTotals(rates, domain.LabelChoice{})
	fmt.Fprintf(stdout, "Bought by default (*): %s", domain.MoneySum(all))
	for _, t := range perCarrier {
		fmt.Fprintf(stdout, "; %s", t)
	}
	fmt.Fprintln(stdout, ".")
	for _, t := range domain.OneCarrierTotals(rates) {
		fmt.Fprintf(stdout, "All with %s (its cheapest service): %d of %d parcel(s), %s.\n", t.Carrier, t.Parcels, len(rates), domain.MoneySum(t.Total))
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func cmdLabelsBuy(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("labels buy", "Buys each parcel's carrier label — the cheapest of --carrier and --service; without them the\n"+
		"service the order asked for where a quote matches it (an express order: the cheapest within two days),\n"+
		"else the cheapest — and gives the parcel the carrier's tracking number. A parcel that has a label is left\n"+
		"alone; one whose earlier purchase went unanswered is first asked about, so nothing is bought twice.\n"+
		"Exits non-zero when a parcel was not bought, after trying all of them.", stdout, stderr)
	sel := parcelFlags(fs, "labels buy")
	carrier := fs.String("carrier", "", "only this carrier's services")
	service := fs.String("service", "", "only this service")
	out := outputFile{path: fs.String("out", "", "then write the bought labels to FILE.pdf (with customs papers and packing slips)\n"+
		"or FILE.zpl (for a thermal printer)"), force: fs.Bool("force", false, "replace the --out file if it exists")}
	fs.usageIf(func() bool {
		out.ext = strings.ToLower(filepath.Ext(*out.path))
		return *out.path != "" && out.ext != ".pdf" && out.ext != ".zpl"
	}, "labels buy: --out takes a .pdf or a .zpl file")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	if *out.path != "" {
		if err := out.check(a); err != nil { // refused before anything is bought
			return err
		}
	}
	ids, err := sel.ids(ctx, a, "labels buy")
	if err != nil {
		return err
	}
	run, err := a.Labels.Buy(ctx, ids, domain.LabelChoice{Carrier: *carrier, Service: *service}, nil)
	if err != nil {
		return err
	}
	var bought, uncertain, failed []string
	if err := printTable(stdout, "PARCEL\tORDER\tRESULT\tCARRIER\tSERVICE\tTRACKING\tCOST\tNOTE", func(add func(string, ...any)) {
		for _, r := range run {
			result := string(r.State)
			if result == "" {
				result = "left alone"
			}
			cost := "–"
			if r.Label.Tracking != "" {
				cost = r.Label.Cost.String()
			}
			add("%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s", r.ParcelID, r.Number, result, orDash(r.Label.Carrier), orDash(r.Label.Service),
				orDash(r.Label.Tracking), cost, r.Note)
			switch r.State {
			case domain.PurchaseBought:
				bought = append(bought, strconv.FormatInt(r.ParcelID, 10))
			case domain.PurchaseUncertain:
				uncertain = append(uncertain, strconv.FormatInt(r.ParcelID, 10))
			case domain.PurchaseFailed:
				failed = append(failed, strconv.FormatInt(r.ParcelID, 10))
			}
		}
	}); err != nil {
		return err
	}
	for _, r := range run {
		if r.State == domain.PurchaseFailed && r.Field != "" {
			flag := map[domain.ImportField]string{domain.FieldAddress1: "--line1", domain.FieldCity: "--city", domain.FieldRegion: "--region",
				domain.FieldPostalCode: "--postal-code", domain.FieldCountry: "--country", domain.FieldPhone: "--phone"}[r.Field]
			if flag == "" {
				flag = "--line1 … --postal-code …"
			} else {
				flag += " …"
			}
			fmt.Fprintf(stdout, "Parcel %d (order %s): the carrier refused the ship-to address; correct it with "+
				"\"portolan orders address %s %s\", then buy again.\n", r.ParcelID, r.Number, r.Number, flag)
		}
	}
	fmt.Fprintf(stdout, "%d label(s) bought.\n", len(bought))
	if *out.path != "" && len(bought) > 0 {
		var ok []int64
		for _, r := range run {
			if r.State == domain.PurchaseBought {
				ok = append(ok, r.ParcelID)
			}
		}
		var b bytes.Buffer
		thermal := 0
		write := a.Inventory.ThermalLabels
		if out.ext == ".pdf" {
			write = func(ctx context.Context, waveID int64, ids []int64, w io.Writer) (err error) {
				thermal, err = a.Inventory.Documents(ctx, waveID, ids, "4x6", w)
				return err
			}
		}
		if err := write(ctx, 0, ok, &b); err != nil {
			return fmt.Errorf("the labels were bought, but not written: %w; write them with portolan labels --parcels …", err)
		}
		if err := out.write(a, b.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Wrote %s: the %d label(s) bought.\n", *out.path, len(ok))
		printThermalNote(stdout, thermal)
	}
	var problems []string
	if len(uncertain) > 0 {
		problems = append(problems, fmt.Sprintf("parcel(s) %s: the carrier did not answer; run the same command again to ask it before anything "+
			"is bought again", strings.Join(uncertain, ", ")))
	}
	if len(failed) > 0 {
		problems = append(problems, fmt.Sprintf("parcel(s) %s: nothing was bought (see NOTE)", strings.Join(failed, ", ")))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

func cmdLabelsVoid(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("labels void", "Voids a parcel's carrier label through its carrier (within the carrier's window): the\n"+
		"parcel is packed again without a label or tracking number, and can be bought anew.", stdout, stderr)
	parcel := fs.Int64("parcel", 0, "the parcel number")
	fs.usageIf(func() bool { return *parcel <= 0 }, "labels void: give --parcel ID")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	label, err := a.Labels.Void(ctx, *parcel)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Parcel %d: label voided (%s).\n", *parcel, label.VoidNote())
	return nil
}

func cmdLabelsZPL(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("labels zpl", "Writes the parcels' labels for a thermal printer, as ZPL: each parcel's carrier label where\n"+
		"it was bought (the carrier's ZPL, or its image converted), else Portolan's own. Send the file to the\n"+
		"printer's raw queue, e.g. lp -d PRINTER -o raw FILE.zpl", stdout, stderr)
	sel := parcelFlags(fs, "labels zpl")
	out := outFlag(fs, ".zpl")
	fs.usageIf(func() bool { return *out.path == "" }, "labels zpl: give --out FILE.zpl")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	if err := out.check(a); err != nil {
		return err
	}
	ids, err := sel.ids(ctx, a, "labels zpl")
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := a.Inventory.ThermalLabels(ctx, 0, ids, &b); err != nil {
		return err
	}
	if err := out.write(a, b.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %s: %d label(s) for a thermal printer.\n", *out.path, bytes.Count(b.Bytes(), []byte("^XZ")))
	return nil
}

func cmdLabelsPrint(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("labels print", "Sends the parcels' labels to a thermal label printer as ZPL, through its CUPS queue unchanged\n"+
		"(lp -o raw): each parcel's carrier label where it was bought (the carrier's ZPL, or its image converted),\n"+
		"else Portolan's own. Without a label printer, print the PDF instead: portolan labels --out FILE.pdf.", stdout, stderr)
	sel := parcelFlags(fs, "labels print")
	printer := fs.String("printer", "", "the printer's CUPS queue (default: the computer's default printer)")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	ids, err := sel.ids(ctx, a, "labels print")
	if err != nil {
		return err
	}
	if *printer == "" {
		printers, err := a.Inventory.Printers(ctx)
		if err != nil {
			return err
		}
		for _, p := range printers {
			if p.Default {
				*printer = p.Name
			}
		}
		if *printer == "" {
			return usageError{"labels print: this computer has no default printer; give --printer NAME (portolan printers list shows them)"}
		}
	}
	job, n, err := a.Inventory.PrintLabels(ctx, *printer, 0, ids)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Sent %d label(s) to %s (job %s).\n", n, *printer, job)
	return nil
}

// PrinterJSON is one printer in `printers list --format json`.
type PrinterJSON struct {
	Name    string `json:"name"`
	Default bool   `json:"default"`
	State   string `json:"state,omitempty"`
}

func cmdPrintersList(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("printers list", "Lists this computer's printers (its CUPS queues), the default marked: where labels print\n"+
		"with portolan labels print --printer NAME.", stdout, stderr)
	format := formatFlag(fs, "table", "json")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	printers, err := a.Inventory.Printers(ctx)
	if err != nil {
		return err
	}
	out := make([]PrinterJSON, 0, len(printers))
	for _, p := range printers {
		out = append(out, PrinterJSON{Name: p.Name, Default: p.Default, State: p.State})
	}
	if *format == "json" {
		return printJSON(stdout, out)
	}
	if len(out) == 0 {
		fmt.Fprintln(stdout, "No printers: add the label printer to CUPS (its raw queue), or print labels as a PDF.")
		return nil
	}
	return printTable(stdout, "PRINTER\tDEFAULT\tSTATE", func(add func(string, ...any)) {
		for _, p := range out {
			def := ""
			if p.Default {
				def = "yes"
			}
			add("%s\t%s\t%s", p.Name, orDash(def), orDash(p.State))
		}
	})
}
