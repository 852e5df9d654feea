package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/app/demo"
	"github.com/portolan/portolan/domain"
)

const usageHead = `Portolan — order fulfilment control window.

Usage:
  portolan [--db PATH]                 open the window
  portolan [--db PATH] COMMAND [FLAGS]

Commands:
`

const usageFoot = `
Global flags:
  --db PATH     database file (default: $PORTOLAN_DB, else %s)

Run "portolan COMMAND --help" for a command's flags.
`

// printMainUsage writes the usage: every command with its summary.
func printMainUsage(w io.Writer) {
	fmt.Fprint(w, usageHead)
	for _, c := range commands {
		pad := max(16-len(c.name), 2)
		fmt.Fprintf(w, "  %s%s%s\n", c.name, strings.Repeat(" ", pad), c.summary)
	}
	fmt.Fprintf(w, usageFoot, defaultPathForHelp())
}

// command is one command of the command line: the words that call it, its
// line in the usage, and what it runs.
type command struct {
	name, summary string
	run           runFunc
}

// listing says whether the command lists what is stored (its output is
// held until it has all been read).
func (c command) listing() bool {
	return strings.HasSuffix(c.name, " list") || c.name == "carrier-invoices payables" || c.name == "billing margins" ||
		c.name == "shipments pushes"
}

// runFunc runs a command with its arguments. open opens the database (once;
// the command line closes it when the command returns).
type runFunc func(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error

// opener is what a command works on: App opens the database (once; it is
// closed when the command returns), Now is the clock for what runs without
// one (the sandbox).
type opener struct {
	App func() (*app.App, error)
	Now func() time.Time
}

// commands are every command, in the order the usage lists them.
var commands = []command{
	{"demo", "fill an empty database with the sample data set", cmdDemo},
	{"overview", "what needs doing now: late and due orders, each warehouse's day, exceptions, failing syncs", cmdOverview},
	{"trends", "how it went: orders per day, shipped and delivered on time, cost per order, margins, as numbers", cmdTrends},
	{"report", "the weekly operations report as a PDF (--week 2026-W48 --out FILE.pdf)", cmdReport},
	{"orders list", "list orders", cmdOrdersList},
	{"orders priority", "set an order's manual priority for allocation", cmdOrdersPriority},
	{"orders address", "correct where an order not yet shipped goes (a carrier refused its address)", cmdOrdersAddress},
	{"stock list", "list stock on hand per bin, with reserved and available per warehouse", cmdStockList},
	{"stock adjust", "correct a bin's stock, with a reason", cmdStockAdjust},
	{"stock move", "move stock between two bins of a warehouse", cmdStockMove},
	{"stock transfer", "send stock to another warehouse (in transit until received)", cmdStockTransfer},
	{"stock receive-transfer", "confirm a transfer at its destination", cmdStockReceiveTransfer},
	{"stock reorder", "set a SKU's reorder point and target level in a warehouse", cmdStockReorder},
	{"stock import", "post a stock snapshot (CSV/XLSX) as adjustments", cmdStockImport},
	{"stock verify", "recompute every balance from the ledger and report differences", cmdStockVerify},
	{"db init", "prepare an empty PostgreSQL database for a team: schema, roles, the first admin", cmdDBInit},
	{"users add", "add a person to the team database, with a role (admin)", cmdUsersAdd},
	{"users list", "list the team's people and their roles", cmdUsersList},
	{"users disable", "stop a person signing in (admin)", cmdUsersDisable},
	{"db copy", "copy a whole database into an empty one: a file onto a team server (postgres://…), or back", cmdDBCopy},
	{"product lots", "turn lot and expiry tracking of a product on or off", cmdProductLots},
	{"inbound import", "record expected deliveries (purchase orders, ASNs) from a CSV or XLSX file", cmdInboundImport},
	{"inbound list", "list expected deliveries and what has been received against them", cmdInboundList},
	{"allocate", "plan which warehouse ships which order line, and reserve it", cmdAllocate},
	{"allocate settings", "show or change the planner's costs and rules", cmdAllocateSettings},
	{"rates list", "list the shipping rates per warehouse and country", cmdRatesList},
	{"wave create", "take allocated orders of a warehouse into a pick wave", cmdWaveCreate},
	{"picklist", "write a wave's pick list as a PDF", cmdPicklist},
	{"pick confirm", "confirm a wave's picks (stock moves to STAGING)", cmdPickConfirm},
	{"pack", "pack what was picked of an order into a parcel", cmdPack},
	{"tracking", "record a parcel's tracking number", cmdTracking},
	{"tracking import", "record tracking numbers from a CSV or XLSX file", cmdTrackingImport},
	{"customs check", "check a wave's parcels before their documents print", cmdCustomsCheck},
	{"rates", "ask the shipping accounts what they would charge for packed parcels (nothing is bought)", cmdRates},
	{"labels buy", "buy packed parcels' carrier labels (EasyPost, DHL Express, UPS, FedEx, USPS), never twice", cmdLabelsBuy},
	{"labels void", "void a parcel's carrier label through its carrier", cmdLabelsVoid},
	{"labels zpl", "write parcels' labels for a thermal printer (ZPL): the carriers' where bought, else Portolan's", cmdLabelsZPL},
	{"labels print", "send parcels' labels to a thermal printer's CUPS queue (ZPL, raw)", cmdLabelsPrint},
	{"printers list", "list this computer's printers (CUPS queues)", cmdPrintersList},
	{"labels", "write labels, customs papers and packing slips (a wave's or chosen parcels) as one PDF", cmdLabels},
	{"dispatch", "hand packed parcels to a carrier (its manifest of the day)", cmdDispatch},
	{"manifest", "write a carrier's manifest as a PDF", cmdManifest},
	{"carriers add", "add a carrier account: tracking (DHL, UPS, FedEx, USPS, EasyPost) and labels (DHL Express, UPS, FedEx, USPS, EasyPost)", cmdCarriersAdd},
	{"carriers list", "list carrier accounts, their budgets and today's use", cmdCarriersList},
	{"carriers test", "prove a carrier account's credentials work", cmdCarriersTest},
	{"shipments add", "track a parcel shipped outside Portolan", cmdShipmentsAdd},
	{"shipments list", "list parcels on their way (or --status exceptions)", cmdShipmentsList},
	{"shipments pushes", "tracking numbers told to the storefronts (failed ones; --retry)", cmdShipmentsPushes},
	{"track", "poll the carriers for the parcels that are due", cmdTrack},
	{"clients add", "add or change a client billed for fulfilment (currency, tax, terms, channels)", cmdClientsAdd},
	{"clients list", "list the clients", cmdClientsList},
	{"ratecards set", "set a client's rates from a date on", cmdRateCardsSet},
	{"ratecards list", "the rate cards, each with the date it takes effect", cmdRateCardsList},
	{"fx add", "record an exchange rate", cmdFXAdd},
	{"fx import", "import the ECB's euro reference rates (XML, CSV or zip)", cmdFXImport},
	{"invoices generate", "charge a month's shipped orders and draft its invoices", cmdInvoicesGenerate},
	{"invoices list", "list invoices and credit notes", cmdInvoicesList},
	{"invoices issue", "number and date draft invoices", cmdInvoicesIssue},
	{"invoices pay", "record a payment against an invoice", cmdInvoicesPay},
	{"invoices export", "write a month's billing workbook (.xlsx)", cmdInvoicesExport},
	{"invoices pdf", "write an invoice or credit note as a PDF", cmdInvoicesPDF},
	{"invoices recompute", "price a month's charges again (what is not invoiced)", cmdInvoicesRecompute},
	{"carrier-invoices import", "reconcile a carrier's invoice with the parcels it took", cmdCarrierInvoicesImport},
	{"carrier-invoices accept", "accept carrier-invoice lines: they become payables", cmdCarrierInvoicesSet("accepted")},
	{"carrier-invoices dispute", "dispute carrier-invoice lines (overcharged, not ours)", cmdCarrierInvoicesSet("disputed")},
	{"carrier-invoices payables", "what the carriers are owed, disputed and open for a month", cmdCarrierInvoicesPayables},
	{"billing margins", "a month's fulfilment charges less carrier cost, per order, client or country", cmdBillingMargins},
	{"billing company", "the invoicing company printed on invoices (name, address, VAT, payment)", cmdBillingCompany},
	{"shipping settings", "Incoterm, EORI, IOSS and prices on packing slips", cmdShippingSettings},
	{"product customs", "set a product's HS code, origin and weight", cmdProductCustoms},
	{"rates import", "replace shipping rates from a CSV or XLSX file", cmdRatesImport},
	{"channels add", "add a channel (Shopify, WooCommerce, BigCommerce, or files)", cmdChannelsAdd},
	{"channels list", "list channels and where their syncs stand", cmdChannelsList},
	{"channels priority", "set a channel's priority for allocation", cmdChannelsPriority},
	{"channels shipping", "set a channel's carrier service and delivery promise, which buying labels follows", cmdChannelsShipping},
	{"promises list", "when each channel's orders must ship (its ship-by promise)", cmdPromisesList},
	{"promises set", "set when a channel's orders must ship: a cut-off, working days, per service", cmdPromisesSet},
	{"calendar show", "a warehouse's working days, public holidays and carrier pickups", cmdCalendarShow},
	{"calendar workdays", "set the days of the week a warehouse works", cmdCalendarWorkdays},
	{"calendar holidays", "add a warehouse's public holidays (from an .ics or CSV file, or a day) or remove one", cmdCalendarHolidays},
	{"calendar pickup", "set or remove a carrier's daily pickup time at a warehouse", cmdCalendarPickup},
	{"sync", "pull new and changed orders from the channels", cmdSync},
	{"import", "import orders from a CSV or XLSX file into a channel", cmdImport},
	{"sandbox", "run a sandbox store (Shopify, WooCommerce, BigCommerce APIs) on this computer", cmdSandbox},
}

// WindowFunc opens the desktop window on an open app.App and returns when
// it closes — or, when a team's server refused the sign-in (a is nil), on a
// sign-in form that opens the App with the login and password given.
type WindowFunc func(a *app.App, signIn *SignIn) error

// SignIn is a team database whose server refused the sign-in: Open tries a
// login and password (kept only in memory, for the connection).
type SignIn struct {
	Address string // the database's address, without a password
	Login   string // the login the address named, if any
	Problem string // why the server refused
	Open    func(login, password string) (*app.App, error)
}

// Main runs the command line in args (without the program name) and returns the
// exit code. With no command it opens the window through openWindow. The
// app.App it opens reads the clock opts.Now (nil: the computer's).
func Main(args []string, stdout, stderr io.Writer, opts app.Options, openWindow WindowFunc) int {
	// A command says what it did on stdout and real problems on stderr: the
	// services' notes (slog's info) are not for a script or a cron job.
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, args, stdout, stderr, opts, openWindow); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "portolan:", err)
		return exitCode(err)
	}
	return 0
}

// isTerminal reports whether w is a terminal (progress is shown only there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// usageError marks errors in how the command was called (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

func defaultPathForHelp() string {
	p, err := app.DefaultDBPath()
	if err != nil {
		return "portolan.db in the user configuration folder"
	}
	return p
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, opts app.Options, openWindow WindowFunc) error {
	global := flag.NewFlagSet("portolan", flag.ContinueOnError)
	global.SetOutput(stderr)
	dbFlag := global.String("db", "", "database file")
	global.Usage = func() { printMainUsage(stderr) }
	if len(args) > 0 && wantsHelp(args[:1]) {
		printMainUsage(stdout)
		return flag.ErrHelp
	}
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	rest := global.Args()
	if len(rest) > 0 && rest[0] == "help" {
		printMainUsage(stdout)
		return flag.ErrHelp
	}
	// The database a command opens is closed when the command returns.
	var opened *app.App
	defer func() {
		if opened != nil {
			opened.Close()
		}
	}()
	open := opener{Now: opts.Clock(), App: func() (*app.App, error) {
		if opened != nil {
			return opened, nil
		}
		path, err := app.ResolveDBPath(*dbFlag)
		if err != nil {
			return nil, err
		}
		opened, err = app.Open(path, opts)
		if app.SignInRefused(err) && askable(path) {
			// A person at a terminal is asked for the password the
			// address, PGPASSWORD and ~/.pgpass did not give.
			fmt.Fprintln(stderr, "portolan:", err)
			var pw string
			if pw, err = askPassword(fmt.Sprintf("Password for %s: ", app.LoginOf(path)), false, stderr); err == nil {
				opened, err = app.Open(app.WithSignIn(path, app.LoginOf(path), pw), opts)
			}
		}
		if err == nil {
			for _, n := range opened.Notices() {
				fmt.Fprintf(stderr, "portolan: note: %s\n", n)
			}
		}
		return opened, err
	}}
	if len(rest) == 0 {
		if openWindow == nil {
			return usageError{"no command given"}
		}
		a, err := open.App()
		if app.SignInRefused(err) {
			path, _ := app.ResolveDBPath(*dbFlag)
			problem := err.Error()
			if !hasPassword(path) && os.Getenv("PGPASSWORD") == "" {
				problem = "" // no password was given: the form asks for it, no more
			}
			return openWindow(nil, &SignIn{Address: app.WithoutPassword(path), Login: app.LoginOf(path), Problem: problem,
				Open: func(login, password string) (*app.App, error) {
					a, err := app.Open(app.WithSignIn(path, login, password), opts)
					if err == nil {
						opened = a
					}
					return a, err
				}})
		}
		if err != nil {
			return err
		}
		return openWindow(a, nil)
	}
	// The command whose words the arguments start with, the longest first
	// ("tracking import" before "tracking").
	var found *command
	groups := map[string]bool{}
	for i, c := range commands {
		words := strings.Fields(c.name)
		if len(words) > 1 {
			groups[words[0]] = true
		}
		if len(rest) >= len(words) && strings.Join(rest[:len(words)], " ") == c.name && (found == nil || len(c.name) > len(found.name)) {
			found = &commands[i]
		}
	}
	switch {
	case found != nil && found.listing():
		// A listing is written whole or not at all: when the database fails
		// half-way, nothing half-listed reaches stdout.
		out := newHeldOutput()
		defer out.discard()
		err := found.run(ctx, open, rest[len(strings.Fields(found.name)):], out, stderr)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errors.Join(out.writeTo(stdout), err)
	case found != nil:
		return found.run(ctx, open, rest[len(strings.Fields(found.name)):], stdout, stderr)
	case groups[rest[0]]:
		return usageError{fmt.Sprintf("%s: unknown subcommand %q (try %q)", rest[0], strings.Join(rest[1:], " "), rest[0]+" list")}
	}
	return usageError{fmt.Sprintf("unknown command %q; run portolan --help", rest[0])}
}

// newFlags makes a command's flag set; its help goes to stdout when asked for
// with -h/--help and to stderr after a wrong flag.
func newFlags(name, synopsis string, stdout, stderr io.Writer) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { printUsage(fs, stderr, name, synopsis) }
	return &cmdFlags{FlagSet: fs, help: func() { printUsage(fs, stdout, name, synopsis) }}
}

// cmdFlags is a command's flags and the help it prints on request.
type cmdFlags struct {
	*flag.FlagSet
	help   func()
	checks []func() error // run by parse after the flags are read
}

func printUsage(fs *flag.FlagSet, w io.Writer, name, synopsis string) {
	fmt.Fprintf(w, "Usage: portolan [--db PATH] %s [FLAGS]\n\n%s\n\nFlags:\n", name, synopsis)
	fs.VisitAll(func(f *flag.Flag) {
		def := ""
		if f.DefValue != "" {
			def = fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "  --%-12s %s%s\n", f.Name, f.Usage, def)
	})
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help", "--h":
			return true
		case "--":
			return false
		}
	}
	return false
}

func parse(fs *cmdFlags, args []string) error {
	if wantsHelp(args) {
		fs.help()
		return flag.ErrHelp
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	for _, check := range fs.checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// usageIf adds a check run once the flags are read: when wrong says they
// are wrong, the command ends with usage before anything is opened.
func (fs *cmdFlags) usageIf(wrong func() bool, usage string) {
	fs.checks = append(fs.checks, func() error {
		if wrong() {
			return usageError{usage}
		}
		return nil
	})
}

// start parses a command's flags and opens the database: what most
// commands do first.
func start(fs *cmdFlags, args []string, open opener) (*app.App, error) {
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	return open.App()
}

func cmdDBCopy(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("db copy", "Copies every row of a Portolan database into an empty one, keeping every id: a database file\n"+
		"onto a team's PostgreSQL server, or the server's database into a file. All of it or nothing; afterwards\n"+
		"the copy's stock is verified and every table counted against the original's. Credentials are kept the\n"+
		"way the copy keeps them (in a team database itself).", stdout, stderr)
	from := fs.String("from", "", "the database to copy: a file, or postgres://user@host/database")
	to := fs.String("to", "", "the empty database to copy into: a file, or postgres://user@host/database?sslmode=verify-full")
	fs.usageIf(func() bool { return *from == "" || *to == "" || *from == *to }, "db copy: give --from and --to, two different databases")
	if err := parse(fs, args); err != nil {
		return err
	}
	var progress func(done, all int64)
	if isTerminal(stderr) {
		progress = func(done, all int64) { fmt.Fprintf(stderr, "\r%d of %d rows", done, all) }
	}
	tables, err := app.CopyDatabase(ctx, *from, *to, app.Options{Now: open.Now}, progress)
	if progress != nil {
		fmt.Fprintln(stderr)
	}
	if tables != nil {
		_ = printTable(stdout, "TABLE\tROWS\tCOPIED", func(add func(string, ...any)) {
			for _, t := range tables {
				if t.From > 0 || t.To > 0 {
					add("%s\t%d\t%d", t.Table, t.From, t.To)
				}
			}
		})
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Copied; every table holds what the original holds, and the copy's stock verifies.")
	return nil
}

func cmdDemo(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "Fills an empty database with a deterministic international sample data set:\n"+
		"7 warehouses on 4 continents, 500 products, 3 channels and N orders to 38 countries.", stdout, stderr)
	orders := fs.Int("orders", demo.DefaultOrders, "number of orders to generate")
	noBilling := fs.Bool("no-billing", false, "leave out the billing history (clients, invoices, payments)")
	asOf := fs.String("as-of", "", "generate the history as of the end of this day (YYYY-MM-DD), the same data every time;\n"+
		"                 default: up to now")
	fs.usageIf(func() bool { return *orders <= 0 }, "demo: --orders must be positive")
	if err := parse(fs, args); err != nil {
		return err
	}
	var until time.Time
	if *asOf != "" {
		d, err := time.Parse(time.DateOnly, *asOf)
		if err != nil {
			return usageError{"demo: --as-of is YYYY-MM-DD"}
		}
		until = demo.AsOf(d)
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	start := a.Now()
	// Progress only to a terminal: a script or cron job sees nothing but the result.
	var progress demo.Progress
	if isTerminal(stderr) {
		progress = func(done, total int) {
			if done%5000 == 0 || done == total {
				fmt.Fprintf(stderr, "\rwriting orders: %d / %d", done, total)
			}
			if done == total {
				fmt.Fprintln(stderr)
			}
		}
	}
	err = a.Demo.Load(ctx, app.DemoOptions{Orders: *orders, Billing: !*noBilling, Until: until}, progress)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(stdout, "Loaded the demo data set with %d orders into %s in %s.\n", *orders, a.DBPath(), a.Now().Sub(start).Round(time.Millisecond))
	fmt.Fprintln(stdout, "Its parcels on their way are tracked without credentials through sandbox carriers: press \"Try sandbox carriers\"\n"+
		"in the window's Shipments screen.")
	if a.Demo.CarrierInvoice != "" {
		h := a.Demo.History
		fmt.Fprintf(stdout, "Billing: three clients, %s and %s invoiced, %s drafted, %s accruing; DHL's invoice for %s is in\n%s\n"+
			"(reconciled: portolan invoices export --period %s --out %s.xlsx).\n",
			h.Issued[0], h.Issued[1], h.Drafted, h.Current, h.CarrierInvoice, a.Demo.CarrierInvoice, h.CarrierInvoice, h.CarrierInvoice)
	}
	return nil
}

// OrderJSON is the shape of one order in `orders list --format json`.
type OrderJSON struct {
	Channel       string          `json:"channel"`
	ExternalID    string          `json:"external_id"`
	Number        string          `json:"number"`
	Status        string          `json:"status"`
	PlacedAt      string          `json:"placed_at"`
	Currency      string          `json:"currency"`
	Subtotal      string          `json:"subtotal"`
	Shipping      string          `json:"shipping"`
	Tax           string          `json:"tax"`
	Total         string          `json:"total"`
	CustomerEmail string          `json:"customer_email"`
	ShipTo        AddressJSON     `json:"ship_to"`
	Lines         []OrderLineJSON `json:"lines"`
	// StatusChangedAt and StatusChangedBy say who last changed the status, and when.
	StatusChangedAt string `json:"status_changed_at,omitempty"`
	StatusChangedBy string `json:"status_changed_by,omitempty"`
	// ShipBy is when it must ship by its channel's promise (RFC 3339, UTC).
	ShipBy string `json:"ship_by,omitempty"`
}

// changedAt is a change's time as the exports write times ("" for none).
func changedAt(c domain.Change) string {
	if c.At.IsZero() {
		return ""
	}
	return c.At.UTC().Format(time.RFC3339)
}

// AddressJSON is a ship-to address in JSON output.
type AddressJSON struct {
	Name       string `json:"name"`
	Company    string `json:"company,omitempty"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
	Phone      string `json:"phone,omitempty"`
}

// OrderLineJSON is one order line in JSON output; unit_price is a decimal string.
type OrderLineJSON struct {
	SKU       string `json:"sku"`
	Name      string `json:"name,omitempty"`
	Quantity  int64  `json:"quantity"`
	UnitPrice string `json:"unit_price"`
}

func orderJSON(o domain.Order) OrderJSON {
	sub, _ := o.Subtotal()
	a := o.ShipTo
	j := OrderJSON{
		Channel: o.ChannelCode, ExternalID: o.ExternalID, Number: o.Number, Status: string(o.Status),
		PlacedAt: o.PlacedAt.UTC().Format(time.RFC3339), Currency: string(o.Currency),
		Subtotal: sub.Decimal(), Shipping: o.Shipping.Decimal(), Tax: o.Tax.Decimal(), Total: o.Total.Decimal(),
		CustomerEmail: o.CustomerEmail,
		ShipTo: AddressJSON{Name: a.Name, Company: a.Company, Line1: a.Line1, Line2: a.Line2, City: a.City,
			Region: a.Region, PostalCode: a.PostalCode, Country: string(a.Country), Phone: a.Phone},
		Lines:           make([]OrderLineJSON, 0, len(o.Lines)),
		StatusChangedAt: changedAt(o.StatusChanged), StatusChangedBy: o.StatusChanged.By,
	}
	if !o.ShipBy.IsZero() {
		j.ShipBy = o.ShipBy.UTC().Format(time.RFC3339)
	}
	for _, l := range o.Lines {
		j.Lines = append(j.Lines, OrderLineJSON{SKU: l.SKU, Name: l.Name, Quantity: int64(l.Quantity), UnitPrice: l.UnitPrice.Decimal()})
	}
	return j
}

// formatFlag is --format, table by default, one of choices (table, json
// or csv when none are given); parse refuses any other.
func formatFlag(fs *cmdFlags, choices ...string) *string {
	choices = formatChoices(choices)
	f := fs.String("format", "table", "output format: "+orList(choices))
	fs.checks = append(fs.checks, func() error {
		if slices.Contains(choices, *f) {
			return nil
		}
		return usageError{fmt.Sprintf("--format %q: use %s", *f, orList(choices))}
	})
	return f
}

func formatChoices(choices []string) []string {
	if len(choices) == 0 {
		return []string{"table", "json", "csv"}
	}
	return choices
}

// orList writes "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func cmdOrdersList(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("orders list", "Lists orders (all of them, oldest first), optionally of one status.", stdout, stderr)
	status := fs.String("status", "", "only orders with this status (new, allocated, picking, packed, shipped, delivered, on_hold, backordered, cancelled, exception)")
	due := fs.String("due", "", "only orders yet to ship that are late (their ship-by has passed) or due today (by the end of today, local time, and not late)")
	format := formatFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	var f domain.OrderFilter
	if *status != "" {
		st, err := domain.ParseOrderStatus(*status)
		if err != nil {
			return usageError{err.Error()}
		}
		f.Status = st
	}
	if *due != "" && *due != "late" && *due != "today" {
		return usageError{fmt.Sprintf("--due %q: use late or today", *due)}
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	switch now := a.Now(); *due {
	case "late":
		f.ShipByBefore = now
	case "today":
		f.ShipByFrom, f.ShipByBefore = now, domain.EndOfDay(now.Local())
	}
	switch *format {
	case "json":
		// Stream the array so 200,000 orders never sit in memory at once.
		if _, err := io.WriteString(stdout, "["); err != nil {
			return err
		}
		first := true
		err = a.Orders.Each(ctx, f, func(o domain.Order) error {
			b, err := json.Marshal(orderJSON(o))
			if err != nil {
				return err
			}
			sep := ",\n"
			if first {
				sep, first = "\n", false
			}
			_, err = io.WriteString(stdout, sep+string(b))
			return err
		})
		if err != nil {
			return err
		}
		end := "\n]\n"
		if first {
			end = "]\n"
		}
		_, err = io.WriteString(stdout, end)
		return err
	case "csv":
		w := csv.NewWriter(stdout)
		_ = w.Write([]string{"channel", "external_id", "number", "status", "placed_at", "currency", "total",
			"customer_email", "ship_to_name", "ship_to_city", "ship_to_postal_code", "ship_to_country", "line", "sku", "quantity", "unit_price",
			"status_changed_at", "status_changed_by"})
		err = a.Orders.Each(ctx, f, func(o domain.Order) error {
			for i, l := range o.Lines {
				_ = w.Write([]string{o.ChannelCode, csvText(o.ExternalID), csvText(o.Number), string(o.Status),
					o.PlacedAt.UTC().Format(time.RFC3339), string(o.Currency), o.Total.Decimal(), csvText(o.CustomerEmail),
					csvText(o.ShipTo.Name), csvText(o.ShipTo.City), csvText(o.ShipTo.PostalCode), string(o.ShipTo.Country),
					strconv.Itoa(i + 1), csvText(l.SKU), strconv.FormatInt(int64(l.Quantity), 10), l.UnitPrice.Decimal(),
					changedAt(o.StatusChanged), csvText(o.StatusChanged.By)})
			}
			return w.Error()
		})
		if err != nil {
			return err
		}
		w.Flush()
		return w.Error()
	default:
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NUMBER\tCHANNEL\tPLACED (UTC)\tSTATUS\tCUSTOMER\tCOUNTRY\tITEMS\tTOTAL\tSHIP BY (UTC)")
		err = a.Orders.Each(ctx, f, func(o domain.Order) error {
			by := ""
			if !o.ShipBy.IsZero() && o.Status.Open() {
				by = o.ShipBy.UTC().Format("2006-01-02 15:04")
			}
			_, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", o.Number, o.ChannelCode,
				o.PlacedAt.UTC().Format("2006-01-02 15:04"), o.Status, o.ShipTo.Name, o.ShipTo.Country, o.Units(), o.Total, by)
			return err
		})
		if err != nil {
			return err
		}
		return tw.Flush()
	}
}

// csvText keeps text from outside data from being read as a formula when the
// CSV is opened in a spreadsheet: a leading = + - @ (or tab, CR) gets a quote.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func cmdChannelsAdd(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("channels add", "Adds a storefront channel. The store address is what you would paste into a browser;\n"+
		"credentials are stored with the channel and never shown again.", stdout, stderr)
	kind := fs.String("kind", "", "shopify, woocommerce, bigcommerce, or file (orders come from CSV/XLSX files)")
	name := fs.String("name", "", "the channel's name, e.g. \"EU web shop\"")
	storeURL := fs.String("url", "", "the store address, e.g. https://store.example")
	token := fs.String("token", "", "Shopify Admin API access token (shpat_…) or BigCommerce X-Auth-Token")
	key := fs.String("key", "", "WooCommerce consumer key (ck_…)")
	secret := fs.String("secret", "", "WooCommerce consumer secret (cs_…)")
	if err := parse(fs, args); err != nil {
		return err
	}
	k, err := domain.ParseChannelKind(*kind)
	if err != nil {
		return usageError{err.Error()}
	}
	if strings.TrimSpace(*name) == "" || (strings.TrimSpace(*storeURL) == "" && k != domain.ChannelFile && k != domain.ChannelManual) {
		return usageError{"channels add: --name and --url are required"}
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	ch, err := a.Intake.AddChannel(ctx, k, *name, *storeURL, domain.Credentials{Token: *token, Key: *key, Secret: *secret})
	if err != nil {
		return fmt.Errorf("channels add: %w", err)
	}
	fmt.Fprintf(stdout, "Added channel %s (%s, %s). Run \"portolan sync --channel %s\" to pull its orders.\n", ch.Name, ch.Code, ch.Kind, ch.Code)
	if ch.Kind != domain.ChannelManual && ch.Kind != domain.ChannelFile {
		fmt.Fprintln(stdout, a.CredentialsKept())
	}
	return nil
}

// ChannelJSON is one channel in `channels list --format json`; credentials are never included.
type ChannelJSON struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	URL         string `json:"url"`
	Cursor      string `json:"cursor,omitempty"`
	LastSuccess string `json:"last_success,omitempty"`
	LastRun     string `json:"last_run_status,omitempty"`
	LastError   string `json:"last_run_error,omitempty"`
	ShipService string `json:"ship_service,omitempty"`
	PromiseDays int    `json:"promise_days,omitempty"`
}

func cmdChannelsList(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("channels list", "Lists the channels and where their syncs stand.", stdout, stderr)
	format := formatFlag(fs, "table", "json")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	chans, err := a.Intake.Channels(ctx)
	if err != nil {
		return err
	}
	out := make([]ChannelJSON, 0, len(chans))
	for _, c := range chans {
		st, err := a.Intake.SyncState(ctx, c.ID)
		if err != nil {
			return err
		}
		j := ChannelJSON{Code: c.Code, Name: c.Name, Kind: string(c.Kind), URL: domain.ShownURL(c.BaseURL), ShipService: c.ShipService,
			PromiseDays: c.PromiseDays}
		if !st.Cursor.IsZero() {
			j.Cursor = st.Cursor.Format(time.RFC3339)
		}
		if !st.LastSuccess.IsZero() {
			j.LastSuccess = st.LastSuccess.Format(time.RFC3339)
		}
		if st.LastRun != nil {
			j.LastRun, j.LastError = string(st.LastRun.Status), st.LastRun.Error
		}
		out = append(out, j)
	}
	if *format == "json" {
		return printJSON(stdout, out)
	}
	return printTable(stdout, "CODE\tNAME\tKIND\tURL\tSERVICE\tPROMISE\tLAST SUCCESS (UTC)\tLAST RUN", func(add func(string, ...any)) {
		for _, j := range out {
			last := j.LastRun
			if j.LastError != "" {
				last += ": " + j.LastError
			}
			promise := ""
			if j.PromiseDays > 0 {
				promise = fmt.Sprintf("%d day(s)", j.PromiseDays)
			}
			add("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", j.Code, j.Name, j.Kind, j.URL, orDash(j.ShipService), orDash(promise), orDash(j.LastSuccess), orDash(last))
		}
	})
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func cmdSync(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sync", "Pulls new and changed orders from every channel with credentials, or from one.\n"+
		"Each page is committed as it arrives; an interrupted sync goes on where it stopped.", stdout, stderr)
	only := fs.String("channel", "", "only this channel (name or code)")
	sinceFlag := fs.String("since", "", "re-pull orders changed since this time (RFC 3339), instead of from the cursor")
	if err := parse(fs, args); err != nil {
		return err
	}
	var since time.Time
	if *sinceFlag != "" {
		t, err := time.Parse(time.RFC3339, *sinceFlag)
		if err != nil {
			return usageError{fmt.Sprintf("--since %q is not an RFC 3339 time such as 2026-11-01T00:00:00Z", *sinceFlag)}
		}
		since = t
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	chans, err := a.Intake.Channels(ctx)
	if err != nil {
		return err
	}
	var picked []domain.Channel
	for _, c := range chans {
		if *only == "" || strings.EqualFold(c.Name, *only) || strings.EqualFold(c.Code, *only) {
			picked = append(picked, c)
		}
	}
	if *only != "" && len(picked) == 0 {
		return fmt.Errorf("sync: no channel named %q; see portolan channels list", *only)
	}
	// Channels that can sync do so at the same time; the table lists every
	// channel in order once all have finished.
	lines := make([]string, len(picked))
	var todo []domain.Channel
	index := map[int64]int{}
	for i, c := range picked {
		ok, why, err := a.Intake.Syncable(ctx, c)
		if err != nil {
			return err
		}
		if !ok {
			if *only != "" {
				return fmt.Errorf("sync %s: %s", c.Name, why)
			}
			lines[i] = fmt.Sprintf("%s\t–\t–\t–\t–\t–\tskipped: %s", c.Name, why)
			continue
		}
		todo, index[c.ID] = append(todo, c), i
	}
	var mu sync.Mutex
	failed := 0
	var progress func(domain.Channel, domain.SyncRun)
	if len(todo) == 1 && isTerminal(stderr) {
		progress = func(c domain.Channel, r domain.SyncRun) { fmt.Fprintf(stderr, "\r%s: %d orders", c.Name, r.Fetched) }
	}
	a.Intake.SyncEach(ctx, todo, since, progress, func(c domain.Channel, run domain.SyncRun, err error) {
		result := string(run.Status)
		if run.Error != "" {
			result += ": " + run.Error
		} else if err != nil {
			result = err.Error()
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil || run.Status != domain.SyncComplete {
			failed++
		}
		lines[index[c.ID]] = fmt.Sprintf("%s\t%d\t%d\t%d\t%d\t%d\t%s", c.Name, run.Fetched, run.New, run.Updated, run.Unchanged, run.Quarantined, result)
	})
	if progress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err := printTable(stdout, "CHANNEL\tFETCHED\tNEW\tUPDATED\tUNCHANGED\tQUARANTINED\tRESULT", func(add func(string, ...any)) {
		for _, l := range lines {
			add("%s", l)
		}
	}); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("sync: %d channel(s) did not complete; see above", failed)
	}
	return nil
}

func cmdSandbox(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sandbox", "Runs a sandbox store on this computer over the demo catalogue, speaking the Shopify,\n"+
		"WooCommerce and BigCommerce order APIs, so you can\n"+
		"try channels and sync without a real store. It runs until you press Ctrl+C.", stdout, stderr)
	addr := fs.String("addr", "127.0.0.1:8765", "address to listen on (loopback only)")
	orders := fs.Int("orders", 500, "orders in the store at start")
	every := fs.Duration("new-every", 30*time.Second, "a new order arrives this often (0 for never)")
	fs.usageIf(func() bool { return *orders < 0 || *orders > 100000 }, "sandbox: --orders must be between 0 and 100000")
	if err := parse(fs, args); err != nil {
		return err
	}
	return app.ServeSandbox(ctx, *addr, *orders, *every, open.Now, func(url string) {
		fmt.Fprint(stdout, app.SandboxInstructions(url, *orders))
	})
}

func cmdImport(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("import FILE.csv|FILE.xlsx", "Imports orders from a CSV or XLSX export, one row per order line. Columns are\n"+
		"matched to fields by their headers (Shopify's export and common ERP names are known) or by --mapping;\n"+
		"the mapping is remembered for the channel. Orders with a bad row are quarantined whole, the rest are\n"+
		"imported; importing the same file again changes nothing.", stdout, stderr)
	channel := fs.String("channel", "", "the channel the orders belong to (name or code); required")
	mappingFile := fs.String("mapping", "", "JSON file mapping fields to column headers, e.g. {\"order_id\": \"Order No\"}")
	sheet := fs.String("sheet", "", "XLSX sheet (default: the first)")
	tz := fs.String("tz", "UTC", "time zone of dates without an offset (IANA name, e.g. Europe/Berlin)")
	dryRun := fs.Bool("dry-run", false, "check the file and show what would be imported, without writing")
	// The file may come before or after the flags.
	var path string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		path, args = args[0], args[1:]
	}
	if wantsHelp(args) {
		fs.help()
		return flag.ErrHelp
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if path == "" && fs.NArg() == 1 {
		path = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("import: unexpected argument %q", fs.Arg(0))}
	}
	if path == "" || *channel == "" {
		return usageError{"import: give the file and --channel NAME"}
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return usageError{fmt.Sprintf("--tz %q is not an IANA time zone", *tz)}
	}
	opts := app.ImportOptions{Sheet: *sheet, Location: loc}
	if *mappingFile != "" {
		b, err := os.ReadFile(*mappingFile)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &opts.Mapping); err != nil {
			return usageError{fmt.Sprintf("--mapping %s is not a JSON object of field names to column headers: %v", *mappingFile, err)}
		}
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	ch, err := a.Intake.ChannelNamed(ctx, *channel)
	if err != nil {
		return err
	}
	p, err := a.Intake.PreviewFile(ctx, ch, path, opts)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	fmt.Fprintf(stdout, "%s: %d rows, %d orders ready, %d problems\n\nColumns used:\n", path, p.Rows, p.Ready, p.ProblemCount)
	for _, f := range domain.ImportFields {
		if h := p.Mapping[f]; h != "" {
			fmt.Fprintf(stdout, "  %-12s ← %s\n", f, h)
		}
	}
	if len(p.Problems) > 0 {
		fmt.Fprintln(stdout, "\nProblems (these orders are not imported):")
		for i, pr := range p.Problems {
			if i == 50 {
				fmt.Fprintf(stdout, "  … and %d more\n", p.ProblemCount-50)
				break
			}
			fmt.Fprintln(stdout, "  "+pr.String())
		}
	}
	if *dryRun {
		fmt.Fprintln(stdout, "\nDry run: nothing was written.")
		if missing := p.Mapping.Missing(); len(missing) > 0 {
			return fmt.Errorf("import: map a column to %v (use --mapping)", missing)
		}
		return nil
	}
	run, err := a.Intake.ImportFile(ctx, ch, p, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nImported into %s: %d new, %d updated, %d unchanged, %d quarantined.\n", ch.Name, run.New, run.Updated, run.Unchanged, run.Quarantined)
	if run.Quarantined > 0 {
		return fmt.Errorf("import: %d order(s) quarantined; fix the rows above and import the file again", run.Quarantined)
	}
	return nil
}

// listProblems writes each problem indented on w. With a failure format
// (its first verb takes the count) it returns that error when there are
// any problems; otherwise nil.
func listProblems[T any](w io.Writer, problems []T, failure string, args ...any) error {
	for _, p := range problems {
		fmt.Fprintln(w, "  "+fmt.Sprint(p))
	}
	if len(problems) == 0 || failure == "" {
		return nil
	}
	return fmt.Errorf(failure, append([]any{len(problems)}, args...)...)
}

// printProblems writes each problem indented on w.
func printProblems[T any](w io.Writer, problems []T) { _ = listProblems(w, problems, "") }

// printTable writes a header line and the rows that rows adds (each a
// format and its values, cells separated by tabs), the columns aligned.
// printJSON writes v as indented JSON: a command's --format json.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printTable(w io.Writer, header string, rows func(add func(format string, values ...any))) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	rows(func(format string, values ...any) { fmt.Fprintf(tw, format+"\n", values...) })
	return tw.Flush()
}
