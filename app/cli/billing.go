package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
)

// clientByCode finds a client by its code.
func clientByCode(ctx context.Context, a *app.App, code string) (domain.Client, error) {
	clients, err := a.Billing.Clients(ctx)
	if err != nil {
		return domain.Client{}, err
	}
	for _, c := range clients {
		if strings.EqualFold(c.Code, strings.TrimSpace(code)) {
			return c, nil
		}
	}
	return domain.Client{}, domain.Errorf(domain.ENOTFOUND, "no client with code %q (see portolan clients list)", code)
}

// percentBP reads "21" or "12.5" (percent) as basis points.
func percentBP(s string) (int64, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok || r.Sign() < 0 {
		return 0, fmt.Errorf("%q is not a percentage", s)
	}
	r.Mul(r, big.NewRat(100, 1))
	if !r.IsInt() {
		return 0, fmt.Errorf("%q has more than two decimals", s)
	}
	return r.Num().Int64(), nil
}

func cmdClientsAdd(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("clients add", "Adds (or changes, by code) a client billed for fulfilment, with the channels whose orders are its.", stdout, stderr)
	code := fs.String("code", "", "short code, e.g. ACME")
	name := fs.String("name", "", "the client's legal name")
	currency := fs.String("currency", "EUR", "billing currency (ISO 4217)")
	tax := fs.String("tax", "0", "tax rate in percent, e.g. 21")
	vat := fs.String("vat", "", "the client's VAT number")
	terms := fs.Int("terms", 30, "payment terms in days")
	per := fs.String("bill-per", "period", "period (one invoice a month), order or shipment")
	channels := fs.String("channels", "", "comma-separated channel codes or names whose orders are the client's")
	products := fs.String("products", "", "SKU prefix of the products that are the client's stock (\"*\" for all), for storage and receiving")
	if err := parse(fs, args); err != nil {
		return err
	}
	bp, err := percentBP(*tax)
	if err != nil {
		return usageError{"clients add: --tax " + err.Error()}
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	c := domain.Client{Code: *code, Name: *name, Currency: domain.Currency(strings.ToUpper(*currency)), TaxBP: bp, VATNumber: *vat, PaymentDays: *terms, BillPer: *per}
	if old, err := clientByCode(ctx, a, *code); err == nil {
		c.ID = old.ID
	}
	chans, err := a.Intake.Channels(ctx)
	if err != nil {
		return err
	}
	for _, want := range splitList(*channels) {
		found := false
		for _, ch := range chans {
			if strings.EqualFold(ch.Code, want) || strings.EqualFold(ch.Name, want) {
				c.Channels, found = append(c.Channels, ch.ID), true
			}
		}
		if !found {
			return domain.Errorf(domain.ENOTFOUND, "no channel %q", want)
		}
	}
	if err := a.Billing.SaveClient(ctx, &c); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Client %s (%s): billed in %s per %s, tax %s %%, %d channel(s).\n", c.Code, c.Name, c.Currency, c.BillPer, *tax, len(c.Channels))
	if *products != "" {
		n, err := a.Billing.AssignProducts(ctx, c.ID, strings.TrimSuffix(*products, "*"))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d product(s) are its stock.\n", n)
	}
	return nil
}

func cmdClientsList(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("clients list", "Lists the clients.", stdout, stderr)
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	clients, err := a.Billing.Clients(ctx)
	if err != nil {
		return err
	}
	return printTable(stdout, "CODE\tNAME\tCURRENCY\tTAX\tTERMS\tBILLED PER\tCHANNELS", func(add func(string, ...any)) {
		for _, c := range clients {
			add("%s\t%s\t%s\t%s %%\t%d days\t%s\t%d", c.Code, c.Name, c.Currency, new(big.Rat).SetFrac64(c.TaxBP, 100).FloatString(2),
				c.PaymentDays, c.BillPer, len(c.Channels))
		}
	})
}

func cmdRateCardsList(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("ratecards list", "Lists the rate cards (a client's with --client), each with the date it takes effect.", stdout, stderr)
	client := fs.String("client", "", "only this client (code)")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	clients, err := a.Billing.Clients(ctx)
	if err != nil {
		return err
	}
	var id int64
	if *client != "" {
		c, err := clientByCode(ctx, a, *client)
		if err != nil {
			return err
		}
		id = c.ID
	}
	cards, err := a.Billing.RateCards(ctx, id)
	if err != nil {
		return err
	}
	codes := map[int64]string{}
	for _, c := range clients {
		codes[c.ID] = c.Code
	}
	if len(cards) == 0 {
		fmt.Fprintln(stdout, "No rate cards; set one with: portolan ratecards set --client C --from YYYY-MM-DD …")
		return nil
	}
	for _, r := range cards {
		fmt.Fprintf(stdout, "%s from %s (%s)\n", codes[r.ClientID], r.EffectiveFrom.Format(time.DateOnly), r.Currency)
		for _, l := range r.Describe() {
			fmt.Fprintln(stdout, "  "+l)
		}
	}
	return nil
}

func cmdRateCardsSet(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("ratecards set", "Sets a client's rates from a date on (amounts in the card's currency, e.g. 1.50); charges\n"+
		"before that date keep the rates they had.", stdout, stderr)
	client := fs.String("client", "", "the client's code")
	from := fs.String("from", "", "the date the rates take effect (YYYY-MM-DD)")
	currency := fs.String("currency", "", "the card's currency (default: the client's)")
	amounts := map[string]*string{}
	for _, k := range []string{"per-order", "per-line", "per-unit", "per-parcel", "receiving-unit", "per-inbound", "storage-per-1000", "storage-per-bin-day", "minimum"} {
		amounts[k] = fs.String(k, "0", map[string]string{"per-order": "per order shipped", "per-line": "per order line", "per-unit": "per unit picked",
			"per-parcel": "per parcel", "receiving-unit": "per unit received", "per-inbound": "per inbound received",
			"storage-per-1000": "storage per 1,000 unit-days", "storage-per-bin-day": "storage per storage bin holding the client's stock, per day",
			"minimum": "the least a month is invoiced (net)"}[k])
	}
	markup := fs.String("markup", "0", "shipping: the carrier's cost plus this percentage")
	flat := fs.String("flat", "", "shipping: flat prices instead, \"ZONE up to GRAMS g: PRICE\" separated by ';' (zone: a country,\n"+
		"a region or *), e.g. \"DE up to 1000 g: 4.90; Europe up to 2000 g: 9.50; * up to 30000 g: 29.00\"")
	var boxes multiFlag
	fs.Var(&boxes, "box", "BOX=PRICE: packaging per box code (repeatable)")
	if err := parse(fs, args); err != nil {
		return err
	}
	day, err := time.Parse(time.DateOnly, *from)
	if err != nil {
		return usageError{"ratecards set: --from is a date like 2026-11-01"}
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	c, err := clientByCode(ctx, a, *client)
	if err != nil {
		return err
	}
	cur := c.Currency
	if *currency != "" {
		cur = domain.Currency(strings.ToUpper(*currency))
	}
	card := domain.RateCard{ClientID: c.ID, EffectiveFrom: day, Currency: cur, Packaging: map[string]int64{}}
	read := func(k string) (int64, error) {
		m, err := domain.ParseMoney(*amounts[k], cur)
		if err != nil {
			return 0, fmt.Errorf("--%s: %w", k, err)
		}
		return m.Amount, nil
	}
	for k, to := range map[string]*int64{"per-order": &card.PerOrder, "per-line": &card.PerLine, "per-unit": &card.PerUnit, "per-parcel": &card.PerParcel,
		"receiving-unit": &card.ReceivingUnit, "per-inbound": &card.PerInbound, "storage-per-1000": &card.StoragePer1000UnitDays,
		"storage-per-bin-day": &card.StoragePerBinDay, "minimum": &card.MinimumMonthly} {
		if *to, err = read(k); err != nil {
			return usageError{"ratecards set: " + err.Error()}
		}
	}
	if card.MarkupBP, err = percentBP(*markup); err != nil {
		return usageError{"ratecards set: --markup " + err.Error()}
	}
	if card.Flat, err = domain.ParseFlatTable(*flat, cur); err != nil {
		return usageError{"ratecards set: --flat: " + err.Error()}
	}
	for _, b := range boxes {
		k, v, ok := strings.Cut(b, "=")
		m, err := domain.ParseMoney(v, cur)
		if !ok || err != nil {
			return usageError{fmt.Sprintf("ratecards set: --box %q is BOX=PRICE", b)}
		}
		card.Packaging[strings.ToUpper(strings.TrimSpace(k))] = m.Amount
	}
	if err := a.Billing.SaveRateCard(ctx, &card); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Rates of %s from %s in %s saved.\n", c.Code, *from, cur)
	return nil
}

func cmdFXAdd(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("fx add", "Records an exchange rate: 1 BASE = RATE QUOTE on a day.", stdout, stderr)
	day := fs.String("day", "", "YYYY-MM-DD")
	base := fs.String("base", "EUR", "the base currency")
	quote := fs.String("quote", "", "the quoted currency")
	rate := fs.String("rate", "", "the rate, e.g. 1.0823")
	accept := fs.Bool("accept-jump", false, "save a rate more than 25 % away from the day before's (after checking it)")
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := time.Parse(time.DateOnly, *day)
	if err != nil {
		return usageError{"fx add: --day is a date like 2026-11-02"}
	}
	r, err := domain.ParseRate(*rate)
	if err != nil {
		return err
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	if _, err := a.Billing.SaveFXRates(ctx, []domain.FXRate{{Day: d, Base: domain.Currency(strings.ToUpper(*base)), Quote: domain.Currency(strings.ToUpper(*quote)), Rate: r}}, *accept); err != nil {
		return jumpHint(err, "--accept-jump")
	}
	fmt.Fprintf(stdout, "1 %s = %s %s on %s.\n", strings.ToUpper(*base), *rate, strings.ToUpper(*quote), *day)
	return nil
}

func cmdFXImport(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("fx import FILE", "Imports the ECB's euro reference rates: eurofxref-daily.xml or eurofxref-hist.xml, the CSV\n"+
		"(Date, then a column per currency: units per euro; N/A skipped), the .zip the ECB serves, or the table as .xlsx.", stdout, stderr)
	accept := fs.Bool("accept-jumps", false, "save rates more than 25 % away from the day before's (after checking them)")
	var path string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		path, args = args[0], args[1:]
	}
	fs.usageIf(func() bool { return path == "" }, "fx import: give the file")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	res, err := a.Billing.ImportFXFile(ctx, path, *accept)
	if err != nil {
		printProblems(stdout, res.Problems)
		return jumpHint(err, "--accept-jumps")
	}
	fmt.Fprintf(stdout, "Imported %d rate(s) of %s to %s", res.Saved, res.From.Format(time.DateOnly), res.To.Format(time.DateOnly))
	if res.Skipped > 0 {
		fmt.Fprintf(stdout, "; %d row(s) without a date skipped", res.Skipped)
	}
	fmt.Fprintln(stdout, ".")
	if len(res.Problems) > 0 {
		fmt.Fprintf(stdout, "%d value(s) are not rates and were left out:\n", len(res.Problems))
		printProblems(stdout, res.Problems)
	}
	return nil
}

// jumpHint names the flag that confirms rates that jumped.
func jumpHint(err error, flag string) error {
	var je *domain.FXJumpError
	if errors.As(err, &je) {
		return fmt.Errorf("%w\nIf they are right, run the command again with %s", err, flag)
	}
	return err
}

func cmdInvoicesGenerate(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("invoices generate", "Charges the month's shipped orders under each client's rate card and drafts its invoices\n"+
		"(again when run again: drafts are replaced, issued invoices never change).", stdout, stderr)
	period := fs.String("period", "", "the month, e.g. 2026-11")
	client := fs.String("client", "", "only this client (code)")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	var id int64
	if *client != "" {
		c, err := clientByCode(ctx, a, *client)
		if err != nil {
			return err
		}
		id = c.ID
	}
	invs, problems, err := a.Billing.Generate(ctx, *period, id)
	if err != nil {
		return err
	}
	if err := printTable(stdout, "DRAFT\tCLIENT\tPERIOD\tNET\tTAX\tGROSS", func(add func(string, ...any)) {
		for _, i := range invs {
			period := i.PeriodFrom.Format(time.DateOnly) + " – " + i.PeriodTo.AddDate(0, 0, -1).Format(time.DateOnly)
			add("%d\t%s\t%s\t%s\t%s\t%s", i.ID, i.ClientName, period, domain.NewMoney(i.Net, i.Currency), domain.NewMoney(i.Tax, i.Currency),
				domain.NewMoney(i.Gross(), i.Currency))
		}
	}); err != nil {
		return err
	}
	printProblems(stdout, problems)
	fmt.Fprintf(stdout, "%d draft invoice(s); issue them with \"portolan invoices issue --period %s\".\n", len(invs), *period)
	return nil
}

func cmdInvoicesList(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("invoices list", "Lists invoices and credit notes.", stdout, stderr)
	period := fs.String("period", "", "only this month, e.g. 2026-11")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	invs, err := a.Billing.Invoices(ctx, *period)
	if err != nil {
		return err
	}
	return printTable(stdout, "ID\tNUMBER\tCLIENT\tPERIOD\tSTATUS\tGROSS\tOPEN\tDUE", func(add func(string, ...any)) {
		for _, i := range invs {
			due := "–"
			if !i.Due.IsZero() {
				due = i.Due.Format(time.DateOnly)
			}
			add("%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s", i.ID, orDash(i.Number), i.ClientName, i.PeriodFrom.Format("2006-01"),
				strings.ReplaceAll(string(i.Status), "_", " "), domain.NewMoney(i.Gross(), i.Currency), domain.NewMoney(i.Open(), i.Currency), due)
		}
	})
}

func cmdInvoicesIssue(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("invoices issue", "Numbers and dates draft invoices; issued, they never change (credit notes correct them).", stdout, stderr)
	id := fs.Int64("id", 0, "the draft's id")
	period := fs.String("period", "", "or every draft of this month")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	var ids []int64
	if *id > 0 {
		ids = append(ids, *id)
	} else if *period != "" {
		invs, err := a.Billing.Invoices(ctx, *period)
		if err != nil {
			return err
		}
		for _, i := range invs {
			if i.Status == domain.InvoiceDraft {
				ids = append(ids, i.ID)
			}
		}
	} else {
		return usageError{"invoices issue: give --id or --period"}
	}
	for _, i := range ids {
		inv, err := a.Billing.Issue(ctx, i)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s, %s, due %s\n", inv.Number, inv.ClientName, domain.NewMoney(inv.Gross(), inv.Currency), inv.Due.Format(time.DateOnly))
	}
	return nil
}

func cmdInvoicesPay(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("invoices pay", "Records a payment against an issued invoice (in any currency; converted at the day's rate,\n"+
		"the exchange difference recorded).", stdout, stderr)
	id := fs.Int64("id", 0, "the invoice's id")
	amount := fs.String("amount", "", "the amount received, e.g. 1234.50")
	currency := fs.String("currency", "", "its currency (default: the invoice's)")
	day := fs.String("date", "", "the day it was received (default today)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var d time.Time
	if *day != "" {
		var err error
		if d, err = time.Parse(time.DateOnly, *day); err != nil {
			return usageError{"invoices pay: --date is YYYY-MM-DD"}
		}
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	if d.IsZero() {
		d = domain.Day(a.Now())
	}
	invs, err := a.Billing.Invoices(ctx, "")
	if err != nil {
		return err
	}
	cur := domain.Currency(strings.ToUpper(*currency))
	for _, i := range invs {
		if i.ID == *id && cur == "" {
			cur = i.Currency
		}
	}
	m, err := domain.ParseMoney(*amount, cur)
	if err != nil {
		return usageError{"invoices pay: --amount: " + err.Error()}
	}
	p, err := a.Billing.RecordPayment(ctx, *id, m, d, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Payment of %s recorded (rate %s", m, p.Rate)
	if p.ExchangeDiff != 0 {
		fmt.Fprintf(stdout, ", exchange difference %d minor units", p.ExchangeDiff)
	}
	fmt.Fprintln(stdout, ").")
	return nil
}

func cmdInvoicesExport(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("invoices export", "Writes the month's billing workbook: Summary (totals as formulas), Lines (every charge),\n"+
		"AR ageing and Carrier reconciliation.", stdout, stderr)
	period := fs.String("period", "", "the month, e.g. 2026-11")
	out := outFlag(fs, ".xlsx")
	company := fs.String("company", "", "the company named in the sheets' headers (default: the one set with billing company)")
	fs.usageIf(func() bool { return *out.path == "" || *period == "" }, "invoices export: give --period and --out FILE.xlsx")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	if err := out.check(a); err != nil {
		return err
	}
	if *company == "" {
		c, err := a.Billing.Company(ctx)
		if err != nil {
			return err
		}
		*company = c.Name
	}
	var b bytes.Buffer
	lines := 0
	if err := a.Billing.ExportWorkbook(ctx, *company, *period, &b, func(n int) { lines = n }); err != nil {
		return err
	}
	if err := out.write(a, b.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %s: %d charge line(s), %d KB.\n", *out.path, lines, b.Len()/1024)
	return nil
}

func cmdCarrierInvoicesImport(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("carrier-invoices import FILE", "Reads a carrier's invoice (CSV or XLSX: tracking number and amount, optionally\n"+
		"currency) and reconciles it with the parcels the carrier took: matched, over, not ours, missing.", stdout, stderr)
	var path string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		path, args = args[0], args[1:]
	}
	carrier := fs.String("carrier", "", "the carrier (as parcels are handed to it, e.g. DHL)")
	period := fs.String("period", "", "the month the invoice covers (default last month)")
	mappingFile := fs.String("mapping", "", "JSON file naming the columns, e.g. {\"tracking\": \"Sendungsnummer\", \"amount\": \"Betrag\"};\n"+
		"                 remembered for the carrier")
	fs.usageIf(func() bool { return path == "" || *carrier == "" }, "carrier-invoices import: give the file and --carrier")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	if *period == "" {
		*period = domain.MonthStart(a.Now(), -1).Format("2006-01")
	}
	var mapping map[string]string
	if *mappingFile != "" {
		b, err := os.ReadFile(*mappingFile)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &mapping); err != nil {
			return fmt.Errorf("%s is not a JSON mapping: %w", *mappingFile, err)
		}
	}
	res, err := a.Billing.ImportCarrierInvoiceMapped(ctx, path, *carrier, *period, mapping)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s %s: %d matched, %d over (%s too much), %d not ours, %d missing.\n", *carrier, *period,
		res.Counts[domain.ReconMatched], res.Counts[domain.ReconOver], strconv.FormatInt(res.Over, 10)+" minor units",
		res.Counts[domain.ReconNotOurs], res.Counts[domain.ReconMissing])
	if err := listProblems(stdout, res.Problems, "%d row(s) of %s could not be read", path); err != nil {
		return err
	}
	return nil
}

func cmdInvoicesPDF(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("invoices pdf", "Writes an invoice or credit note as a PDF in the client's currency.", stdout, stderr)
	id := fs.Int64("id", 0, "the invoice's id (see invoices list)")
	out := outFlag(fs, ".pdf")
	company := fs.String("company", "", "the issuing company's name (default: the one set with billing company)")
	vat := fs.String("vat", "", "the issuing company's VAT number (default: the one set with billing company)")
	fs.usageIf(func() bool { return *id <= 0 || *out.path == "" }, "invoices pdf: give --id and --out FILE.pdf")
	if err := parse(fs, args); err != nil {
		return err
	}
	return printPDF(ctx, open, out, "invoice", fmt.Sprintf("invoice %d", *id), stdout, func(a *app.App, w io.Writer) error {
		seller, err := a.Billing.Company(ctx)
		if err != nil {
			return err
		}
		if *company != "" {
			seller.Name = *company
		}
		if *vat != "" {
			seller.VATNumber = *vat
		}
		return a.Billing.InvoicePDF(ctx, *id, seller, w)
	})
}

func cmdBillingCompany(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("billing company", "Shows the invoicing company printed on invoices and workbooks, or changes what is given\n"+
		"(an address given replaces the whole address).", stdout, stderr)
	var c domain.Company
	var country string
	fields := []struct {
		flag, usage string
		to          *string
		address     bool
	}{
		{"name", "the legal name", &c.Name, false},
		{"line1", "street and number", &c.Address.Line1, true},
		{"line2", "more of the address", &c.Address.Line2, true},
		{"postal", "postal code", &c.Address.PostalCode, true},
		{"city", "city", &c.Address.City, true},
		{"region", "state, province or prefecture", &c.Address.Region, true},
		{"country", "ISO 3166-1 code, e.g. NL", &country, true},
		{"vat", "VAT number", &c.VATNumber, false},
		{"payment", `how to pay, printed under the totals ("\n" between lines), e.g. "IBAN NL91 ABNA 0417 1643 00\nBIC ABNANL2A"`, &c.Payment, false},
	}
	values := map[string]*string{}
	for _, f := range fields {
		values[f.flag] = fs.String(f.flag, "", f.usage)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	a, err := open.App()
	if err != nil {
		return err
	}
	if c, err = a.Billing.Company(ctx); err != nil {
		return err
	}
	country = string(c.Address.Country)
	for _, f := range fields {
		if given[f.flag] && f.address {
			c.Address, country = domain.Address{}, ""
			break
		}
	}
	for _, f := range fields {
		if given[f.flag] {
			*f.to = strings.TrimSpace(strings.ReplaceAll(*values[f.flag], `\n`, "\n"))
		}
	}
	c.Address.Country = domain.Country(strings.ToUpper(country))
	if len(given) > 0 {
		if err := a.Billing.SetCompany(ctx, c); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "Saved.")
	}
	fmt.Fprintln(stdout, c.Name)
	for _, l := range []string{c.Address.Line1, c.Address.Line2, strings.TrimSpace(c.Address.PostalCode + " " + c.Address.City), c.Address.Region, string(c.Address.Country)} {
		if l != "" {
			fmt.Fprintln(stdout, l)
		}
	}
	if c.VATNumber != "" {
		fmt.Fprintln(stdout, "VAT "+c.VATNumber)
	}
	if c.Payment != "" {
		fmt.Fprintln(stdout, "Payment: "+strings.ReplaceAll(c.Payment, "\n", " · "))
	}
	printChanged(ctx, stdout, a, domain.SettingCompany)
	return nil
}

func cmdCarrierInvoicesSet(state string) func(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	return func(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
		verb := map[string]string{"accepted": "accept", "disputed": "dispute"}[state]
		fs := newFlags("carrier-invoices "+verb, map[string]string{
			"accepted": "Accepts carrier invoice lines of a month: they become payables.",
			"disputed": "Disputes carrier invoice lines of a month (overcharges, parcels that are not ours)."}[state], stdout, stderr)
		period := fs.String("period", "", "the month the carrier invoice covers, e.g. 2026-10")
		carrier := fs.String("carrier", "", "only this carrier")
		class := fs.String("class", "", "only lines of this result: matched, over, not_ours")
		tracking := fs.String("tracking", "", "only these tracking numbers (comma-separated)")
		fs.usageIf(func() bool { return *period == "" || (*class == "" && *tracking == "") }, "carrier-invoices "+verb+": give --period and --class or --tracking")
		if err := parse(fs, args); err != nil {
			return err
		}
		a, err := open.App()
		if err != nil {
			return err
		}
		n, err := a.Billing.SetCarrierLines(ctx, *period, *carrier, domain.ReconcileClass(*class), splitList(*tracking), state)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d line(s) %s.\n", n, state)
		return nil
	}
}

func cmdCarrierInvoicesPayables(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("carrier-invoices payables", "Sums what the carriers are owed for a month (accepted lines), what is disputed and what is still open.", stdout, stderr)
	period := fs.String("period", "", "the month, e.g. 2026-10")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	list, err := a.Billing.Payables(ctx, *period)
	if err != nil {
		return err
	}
	return printTable(stdout, "CARRIER\tPAYABLE\tLINES\tDISPUTED\tLINES\tOPEN\tLINES", func(add func(string, ...any)) {
		for _, p := range list {
			add("%s\t%s\t%d\t%s\t%d\t%s\t%d", p.Carrier, domain.NewMoney(p.Accepted, p.Currency), p.AcceptedLines,
				domain.NewMoney(p.Disputed, p.Currency), p.DisputedLines, domain.NewMoney(p.OpenAmount, p.Currency), p.Open)
		}
	})
}

func cmdBillingMargins(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("billing margins", "Shows a month's margin: fulfilment charges less carrier cost (invoiced where a carrier invoice\n"+
		"charged it, else expected) and the boxes' cost, per order, client or destination country.", stdout, stderr)
	period := fs.String("period", "", "the month, e.g. 2026-10")
	by := fs.String("by", "client", "order, client or country")
	currency := fs.String("currency", "EUR", "the currency per order and country (clients keep theirs)")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	rows, err := a.Billing.Margins(ctx, *period, *by, domain.Currency(strings.ToUpper(*currency)))
	if err != nil {
		return err
	}
	return printTable(stdout, strings.ToUpper(*by)+"\tORDERS\tREVENUE\tCARRIER COST\tPACKAGING\tMARGIN", func(add func(string, ...any)) {
		for _, r := range rows {
			add("%s\t%d\t%s\t%s\t%s\t%s", r.Key, r.Orders, domain.NewMoney(r.Revenue, r.Currency), domain.NewMoney(r.Cost, r.Currency),
				domain.NewMoney(r.Boxes, r.Currency), domain.NewMoney(r.Margin, r.Currency))
		}
	})
}

func cmdInvoicesRecompute(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("invoices recompute", "Prices a month again: its drafts are discarded and the charges not on an issued invoice\n"+
		"are worked out anew from the rate cards (after a rate change, or a card added late).", stdout, stderr)
	period := fs.String("period", "", "the month, e.g. 2026-11")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	n, problems, err := a.Billing.Recompute(ctx, *period)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d charge(s) worked out for %s; run \"portolan invoices generate --period %s\" to draft its invoices.\n", n, *period, *period)
	printProblems(stdout, problems)
	return nil
}
