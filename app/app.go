// Package app holds Portolan's use cases, one service per capability, and
// the composition root that wires them to storage (Open); the command line
// is app/cli, the demo generator app/demo. A service's reads that add
// nothing to the store's are the store's read ports, embedded as they are;
// its methods are the use cases. It talks to the world only through the
// ports declared in package domain.
package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/portolan/portolan/app/demo"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier"
	"github.com/portolan/portolan/integrations/carrier/dhl"
	"github.com/portolan/portolan/integrations/carrier/dhlexpress"
	"github.com/portolan/portolan/integrations/carrier/easypost"
	"github.com/portolan/portolan/integrations/carrier/fedex"
	"github.com/portolan/portolan/integrations/carrier/ups"
	"github.com/portolan/portolan/integrations/carrier/usps"
	"github.com/portolan/portolan/integrations/chart"
	"github.com/portolan/portolan/integrations/files"
	"github.com/portolan/portolan/integrations/keyring"
	"github.com/portolan/portolan/integrations/pdf"
	"github.com/portolan/portolan/integrations/printing"
	"github.com/portolan/portolan/integrations/sqlite"
	"github.com/portolan/portolan/integrations/storefront/bigcommerce"
	"github.com/portolan/portolan/integrations/storefront/shopify"
	"github.com/portolan/portolan/integrations/storefront/woocommerce"
	"github.com/portolan/portolan/integrations/zpl"
)

// readTable is the TableReader of the files adapter.
func readTable(path, sheet string) (domain.Table, error) {
	t, err := files.ReadTable(path, sheet)
	return domain.Table{Headers: t.Headers, Rows: t.Rows, Sheet: t.Sheet}, err
}

// openTable is the TableOpener of the files adapter.
func openTable(path, sheet string) (domain.TableStream, error) {
	r, err := files.OpenTable(path, sheet)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// readFX is the FXFileReader of the files adapter (the ECB's layouts).
func readFX(path string) (domain.FXFile, error) { return files.ReadECBRates(path) }

// storefront is a channel's storefront client: it reads the orders and is
// told of the parcels that left.
type storefront interface {
	domain.OrderSource
	domain.TrackingPusher
}

// storefrontClient is the storefront client of a channel's kind.
func storefrontClient(ch domain.Channel, creds domain.Credentials) (storefront, error) {
	switch ch.Kind {
	case domain.ChannelWooCommerce:
		return woocommerce.New(ch.BaseURL, creds.Key, creds.Secret)
	case domain.ChannelShopify:
		return shopify.New(ch.BaseURL, creds.Token)
	case domain.ChannelBigCommerce:
		return bigcommerce.New(ch.BaseURL, creds.Token)
	}
	return nil, domain.Errorf(domain.EINVALID, "%s channels have no storefront API: their orders come from files", ch.Kind)
}

// storefrontSource is the SourceFactory of the storefront clients.
func storefrontSource(ch domain.Channel, creds domain.Credentials) (domain.OrderSource, error) {
	c, err := storefrontClient(ch, creds)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// storefrontPusher is the TrackingPusher of a channel's storefront client.
func storefrontPusher(ch domain.Channel, creds domain.Credentials) (domain.TrackingPusher, error) {
	c, err := storefrontClient(ch, creds)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// newTracker returns the tracking client of an account; gate runs before
// every HTTP request it makes, retries and token requests included; now is
// the App's clock.
func newTracker(a domain.CarrierAccount, now func() time.Time, gate func(context.Context) error) (domain.Tracker, error) {
	switch a.Kind {
	case domain.CarrierDHLExpress:
		return dhlexpress.New(a, now, gate)
	case domain.CarrierDHL:
		return dhl.New(a, gate)
	case domain.CarrierUPS:
		return ups.New(a, gate)
	case domain.CarrierFedEx:
		return fedex.New(a, gate)
	case domain.CarrierUSPS:
		return usps.New(a, gate)
	case domain.CarrierEasyPost:
		return easypost.New(a, gate)
	}
	return nil, domain.Errorf(domain.EINVALID, "no tracking client for carrier kind %q", a.Kind)
}

// newSeller returns the label-selling client of a shipping account
// (EasyPost's, DHL Express's, UPS's, FedEx's and USPS's; UPS, FedEx and
// USPS accounts without what labels are billed to only track); now is the
// App's clock.
func newSeller(a domain.CarrierAccount, now func() time.Time) (domain.LabelSeller, error) {
	switch a.Kind {
	case domain.CarrierEasyPost:
		return easypost.NewSeller(a)
	case domain.CarrierDHLExpress:
		return dhlexpress.New(a, now)
	case domain.CarrierUPS: // with the shipper number labels are billed to; without one it only tracks
		return ups.NewSeller(a, now)
	case domain.CarrierFedEx: // likewise with its account number
		return fedex.NewSeller(a, now)
	case domain.CarrierUSPS: // with its EPS account, CRID and MID
		return usps.NewSeller(a, now)
	}
	return nil, domain.Errorf(domain.EINVALID, "Portolan cannot buy %s labels yet", a.Kind)
}

// App is an open Portolan database with its services.
type App struct {
	db         *sqlite.DB
	clock      *clock
	jobs       sync.WaitGroup // background jobs under way (the accrual after a dispatch or receipt)
	Orders     *OrderService
	Inventory  *InventoryService
	Demo       *DemoService
	Intake     *IntakeService
	Allocation *AllocationService
	Tracking   *TrackingService
	Billing    *BillingService
	People     *PeopleService
	Labels     *LabelService
	Promises   *PromiseService
	Overview   *OverviewService
	Trends     *TrendService
	// address is a team database's address as given, without its password.
	address string
	// noVault says why credentials are kept in the database file ("": they
	// are kept in the operating system's credential store).
	noVault string
}

// EnvDB names the environment variable that overrides the default database path.
const EnvDB = "PORTOLAN_DB"

// DefaultDBPath is portolan.db in the user's configuration folder
// (e.g. ~/.config/portolan/portolan.db on Linux).
func DefaultDBPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the configuration folder: %w; pass --db PATH", err)
	}
	return filepath.Join(dir, "portolan", "portolan.db"), nil
}

// ResolveDBPath picks the database: the --db flag, else $PORTOLAN_DB, else the default.
func ResolveDBPath(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if env := os.Getenv(EnvDB); env != "" {
		return env, nil
	}
	return DefaultDBPath()
}

// Open opens the database at path and wires the services, every one of
// them and the store reading the one clock opts.Now.
func Open(path string, opts Options) (*App, error) {
	clk := newClock(opts.Now)
	now := clk.Now
	var db *sqlite.DB
	var err error
	var vault domain.SecretVault
	var noVault string
	if IsServerAddress(path) {
		// A team database is shared: credentials stay in it, for its people.
		db, err = sqlite.OpenPostgres(context.Background(), path, now)
		noVault = "a team database is shared by its people, so they stay in it"
	} else {
		db, err = sqlite.Open(path, now)
		vault, noVault = openVault(opts.Secrets)
	}
	if err != nil {
		return nil, err
	}
	if vault != nil {
		db.SetVault(vault)
	}
	// Who is signed in: on a team database someone the team lists, still
	// holding their role (the server enforces what it allows).
	me, err := db.PeopleStore().Me(context.Background())
	if err != nil {
		db.Close()
		return nil, err
	}
	a := &App{
		db:      db,
		address: WithoutPassword(path),
		clock:   clk,
		noVault: noVault,
		Orders: &OrderService{OrderReads: db.OrderStore(), CatalogStore: db.CatalogStore(), AllocationReads: db.AllocationStore(),
			store: db.OrderStore(), alloc: db.AllocationStore(), now: now},
		Inventory: &InventoryService{StockStore: db.StockStore(), PutawayReads: db.LedgerStore(), CatalogStore: db.CatalogStore(),
			ledger: db.LedgerStore(), orders: db.OrderStore(),
			readTable: readTable, docs: pdf.Renderer{}, thermal: zpl.Writer{}, printing: printing.CUPS{}, clocked: clocked{now}},
		Demo:       &DemoService{bulk: db, catalog: db.CatalogStore(), optimize: db.OptimizeSearch, now: now},
		Allocation: &AllocationService{AllocationReads: db.AllocationStore(), CatalogStore: db.CatalogStore(), store: db.AllocationStore(), readTable: readTable, now: now},
		Intake: &IntakeService{IntakeReads: db.IntakeStore(), CatalogStore: db.CatalogStore(), store: db.IntakeStore(), sources: storefrontSource,
			readTable: readTable, openTable: openTable, optimize: db.OptimizeSearch, Overlap: DefaultOverlap, clocked: clocked{now}},
	}
	a.Billing = &BillingService{BillingReads: db.BillingStore(), CatalogStore: db.CatalogStore(), store: db.BillingStore(), alloc: db.AllocationStore(), clocked: clocked{now},
		readTable: readTable, readFX: readFX, docs: pdf.Renderer{}, writeWorkbook: files.WriteBillingWorkbook}
	a.Demo.billing = a.seedBilling
	a.Tracking = newTrackingService(db.TrackingStore(), db.LabelStore(), db.OrderStore(), now, CarrierErrors{Refused: carrier.IsRefused, RetryLater: carrier.RetryLater})
	a.Tracking.channels, a.Tracking.credentials = db.CatalogStore(), db.IntakeStore()
	a.Tracking.NewPusher = storefrontPusher
	a.Intake.kept, a.Tracking.kept = a.CredentialsKept, a.CredentialsKept
	a.Inventory.stockIn = a.Allocation.AfterStockIn
	a.People = &PeopleService{store: db.PeopleStore(), log: db, me: me, clocked: clocked{now}}
	a.Labels = &LabelService{clocked: clocked{now}, labels: db.LabelStore(), parcels: db.StockStore().Parcels, settings: db.StockStore().ShippingSettings,
		accounts: db.TrackingStore().CarrierAccounts, NewSeller: func(a domain.CarrierAccount) (domain.LabelSeller, error) { return newSeller(a, now) }}
	a.Inventory.carrierLabels = a.Labels.LabelFiles
	a.Inventory.labelScans = db.LabelStore()
	if me.Role.May(domain.AreaWarehouse) { // a label's first scan hands its parcel over
		a.Tracking.handOver = a.Inventory.HandOverScanned
	}
	if me.Role == domain.RoleWarehouse {
		a.Inventory.workIn = me.Warehouses
	}
	a.Labels.toPlanning = a.Billing.ToPlanning
	a.Promises = &PromiseService{clocked: clocked{now}, store: db.PromiseStore(), catalog: db.CatalogStore()}
	a.Demo.shipBy = func(ctx context.Context) (int, error) {
		if err := a.seedPromises(ctx, a.Demo.until); err != nil {
			return 0, err
		}
		if err := a.seedWorkday(ctx, a.Demo.until); err != nil {
			return 0, err
		}
		return a.Promises.Refresh(ctx)
	}
	a.Overview = &OverviewService{finance: a.Billing.Finance, clocked: clocked{now}, orders: db.OrderStore(), catalog: db.CatalogStore(), promises: db.PromiseStore(),
		waves: db.StockStore().Waves, inbounds: db.StockStore().Inbounds, manifests: db.StockStore().Manifests, products: db.StockStore().CountProductStock, lowStock: db.StockStore().LowStock, shipped: db.StockStore().ShippedUnits, short: db.AllocationStore().ShortSKUs, exceptions: a.Tracking.ExceptionMilestones, pushes: db.TrackingStore().PushCounts, syncs: db.IntakeStore().SyncState}
	a.Trends = &TrendService{clocked: clocked{now}, reads: db.TrendStore(), margins: a.Billing.ClientMargins, render: chart.Renderer{},
		overview: a.Overview.Overview, docs: pdf.Renderer{}}
	if me.Role.May(domain.AreaOrders) || me.Role.May(domain.AreaWarehouse) {
		// The orders' ship-by is worked out again in the background after
		// what changes it — a rule, a calendar, orders coming in, an
		// allocation — by someone who may write orders.
		refresh := &job{work: a.Promises.refreshIn, wg: &a.jobs}
		a.Promises.changed = refresh.start
		a.Intake.store = ordersIn{a.Intake.store, refresh.start}
		a.Allocation.store = plansIn{a.Allocation.store, refresh.start}
		a.Orders.alloc = plansIn{a.Orders.alloc, refresh.start}
	}
	if me.Role.May(domain.AreaBilling) {
		// The charges of a dispatch or receipt accrue in the background —
		// for someone who may write them; finance's Portolan charges what
		// the others' could not.
		accrual := &job{work: a.Billing.accrueAt, wg: &a.jobs}
		a.Inventory.billable = accrual.start
		a.Billing.accrues = true
	}
	return a, nil
}

// EnvSecrets names the environment variable that says where credentials
// are kept when Options.Secrets does not: see Options.Secrets.
const EnvSecrets = "PORTOLAN_SECRETS"

// openVault opens the operating system's credential store unless told to
// keep credentials in the database file ("database"); without one it says why.
func openVault(choice string) (domain.SecretVault, string) {
	if choice == "" {
		choice = os.Getenv(EnvSecrets)
	}
	if strings.EqualFold(choice, "database") {
		return nil, EnvSecrets + "=database keeps them there"
	}
	v, err := keyring.Open()
	if err != nil {
		return nil, err.Error()
	}
	return v, ""
}

// CredentialsKept says where new credentials are kept, for people: the
// operating system's credential store, or the database file and why.
func (a *App) CredentialsKept() string {
	if a.noVault == "" {
		return "The credentials are kept in " + a.db.Vault() + "; the database keeps only a reference to them."
	}
	return "The credentials are kept in the database file, which only your account can read: " + a.noVault + "."
}

// Notices say what opening the database changed that the user should know.
func (a *App) Notices() []string { return a.db.Notices }

// Wait waits for the background jobs under way: the charges of a dispatch
// or receipt accrue after it returns.
func (a *App) Wait() { a.jobs.Wait() }

// Close waits for background jobs and maintenance and closes the database.
func (a *App) Close() error {
	a.jobs.Wait()
	a.Intake.background.Wait()
	return a.db.Close()
}

// Watch calls changed with the tables whose committed changes it heard of
// (a colleague's on a team database within a moment; sqlite.AnyTable when
// it cannot say which), from a goroutine of its own, until ctx ends.
func (a *App) Watch(ctx context.Context, changed func(tables []string)) { a.db.Watch(ctx, changed) }

// Now is the App's clock: the time every service reads.
func (a *App) Now() time.Time { return a.clock.Now() }

// DBPath names the database in use: its file, or the database on a
// PostgreSQL server (never with a password).
func (a *App) DBPath() string { return a.db.Path() }

// WithoutPassword is a postgres:// address without its password (a file's
// path as it is).
func WithoutPassword(address string) string {
	u, err := url.Parse(address)
	if !IsServerAddress(address) || err != nil || u.User == nil {
		return address
	}
	u.User = url.User(u.User.Username())
	return u.String()
}

// SignInAddress is the address a person gives to open this team database
// (--db): the one in use, with their login and no password.
func (a *App) SignInAddress(login string) string {
	u, err := url.Parse(a.address)
	if !IsServerAddress(a.address) || err != nil {
		return a.address
	}
	u.User = url.User(login)
	return u.String()
}

// DBFile is the database file in use, "" for a database on a server.
func (a *App) DBFile() string {
	if a.db.OnServer() {
		return ""
	}
	return a.db.Path()
}

// SignInRefused says whether err is a team server's refusal of the
// sign-in (a wrong or missing password, an unknown or disabled login).
func SignInRefused(err error) bool { return errors.Is(err, sqlite.ErrSignInRefused) }

// WithSignIn is a team database's address with login and password in it
// (for app.Open only: never shown or stored).
func WithSignIn(address, login, password string) string {
	u, err := url.Parse(address)
	if !IsServerAddress(address) || err != nil {
		return address
	}
	u.User = url.UserPassword(login, password)
	return u.String()
}

// LoginOf is the login a team database's address names ("" for none).
func LoginOf(address string) string {
	u, err := url.Parse(address)
	if !IsServerAddress(address) || err != nil || u.User == nil {
		return ""
	}
	return u.User.Username()
}

// IsServerAddress says whether a --db value names a database on a
// PostgreSQL server (postgres://user@host/database) rather than a file.
func IsServerAddress(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// OrderService reads orders and moves them through their statuses.
// Reads that add nothing to the store's are its read ports, as they are.
type OrderService struct {
	domain.OrderReads      // one order, a page, a count, the countries
	domain.CatalogStore    // channels and warehouses
	domain.AllocationReads // an order's allocation
	store                  domain.OrderStore
	alloc                  domain.AllocationStore
	now                    func() time.Time
}

// Now is the current time by the App's clock (the screens' "today").
func (s *OrderService) Now() time.Time { return s.now() }

// SetPriority sets an order's manual priority (-9 to 9; higher is allocated first).
func (s *OrderService) SetPriority(ctx context.Context, id int64, p int) error {
	return s.alloc.SetPriority(ctx, id, p)
}

// Unallocate releases an allocated order's reservations; it becomes new.
func (s *OrderService) Unallocate(ctx context.Context, id int64, reason string) error {
	if strings.TrimSpace(reason) == "" {
		reason = "un-allocated by coordinator"
	}
	return s.alloc.Unallocate(ctx, id, s.now(), reason)
}

// Each calls fn for every order matching f, with lines, in ID order, reading
// the database in batches so any number of orders can be exported.
func (s *OrderService) Each(ctx context.Context, f domain.OrderFilter, fn func(domain.Order) error) error {
	var after int64
	for {
		batch, err := s.store.Orders(ctx, f, after, 500)
		if err != nil {
			return err
		}
		for _, o := range batch {
			if err := fn(o); err != nil {
				return err
			}
		}
		if len(batch) < 500 {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
}

// Transition moves an order to a new status with a reason, recorded in its history.
func (s *OrderService) Transition(ctx context.Context, id int64, to domain.OrderStatus, reason string) error {
	return s.store.UpdateOrder(ctx, id, func(o *domain.Order) error {
		return o.TransitionTo(to, s.now(), reason)
	})
}

// TransitionSeen is Transition for someone who saw the order in status
// seen: when a colleague changed it meanwhile, nothing changes and they
// are told who did what, and when, instead of acting on what they saw.
func (s *OrderService) TransitionSeen(ctx context.Context, id int64, seen, to domain.OrderStatus, reason string) error {
	return s.store.UpdateOrder(ctx, id, func(o *domain.Order) error {
		if seen != "" && o.Status != seen {
			return staleOrder(o, seen)
		}
		return o.TransitionTo(to, s.now(), reason)
	})
}

// staleOrder says what a colleague did to an order since someone saw it in
// status seen: "order SH-1042 was put on hold by ana.novak at 10:42 …".
func staleOrder(o *domain.Order, seen domain.OrderStatus) error {
	what := "changed to " + strings.ToLower(o.Status.Label())
	if o.Status == domain.StatusOnHold {
		what = "put on hold"
	} else if o.Status == domain.StatusCancelled {
		what = "cancelled"
	}
	msg := fmt.Sprintf("order %s was %s", o.Number, what)
	for i := len(o.History) - 1; i >= 0; i-- {
		if h := o.History[i]; h.To == o.Status {
			if h.Who != "" {
				msg += " by " + h.Who
			}
			msg += " at " + h.At.Local().Format("15:04")
			if h.Reason != "" {
				msg += fmt.Sprintf(" (%q)", h.Reason)
			}
			break
		}
	}
	return domain.Errorf(domain.ECONFLICT, "%s after you opened it, when it was %s; nothing was changed — look at it again", msg, strings.ToLower(seen.Label()))
}

// MarkReviewed records that a coordinator has looked at what the source
// changed after allocation, and clears the flag.
func (s *OrderService) MarkReviewed(ctx context.Context, id int64, note string) error {
	return s.store.UpdateOrder(ctx, id, func(o *domain.Order) error {
		if o.Review == "" {
			return nil
		}
		reason := "reviewed: " + o.Review
		if note != "" {
			reason += " — " + note
		}
		o.Review = ""
		o.Note(s.now(), reason)
		return nil
	})
}

// DemoOptions scale the sample data set (see demo.Options) and say whether
// to add its billing history.
type DemoOptions struct {
	Orders int // number of orders; demo.DefaultOrders when zero
	Seed   uint64
	// Until is the end of the history; zero is now by the App's clock.
	Until time.Time
	// Billing adds the billing history (clients, rate cards, exchange
	// rates, invoices, payments, a carrier invoice to reconcile).
	Billing bool
}

// DemoService loads the sample data set.
type DemoService struct {
	bulk     domain.BulkLoader
	catalog  domain.CatalogStore
	optimize func(context.Context) error
	shipBy   func(context.Context) (int, error) // the promises, and the orders' ship-by from them
	until    time.Time                          // the end of the last Load's history
	billing  func(context.Context, time.Time) (DemoHistory, error)
	now      func() time.Time
	// CarrierInvoice is the demo carrier invoice written by the last Load with billing.
	CarrierInvoice string
	// History names the months of the last Load's billing history.
	History DemoHistory
}

// IsEmpty reports whether the database holds no data yet.
func (s *DemoService) IsEmpty(ctx context.Context) (bool, error) { return s.catalog.IsEmpty(ctx) }

// Load generates the demo data set into an empty database (see demo.Generate)
// and then optimizes the search indexes.
func (s *DemoService) Load(ctx context.Context, opts DemoOptions, progress demo.Progress) error {
	if opts.Until.IsZero() {
		opts.Until = s.now()
	}
	if err := demo.Generate(ctx, s.bulk, s.catalog, demo.Options{Orders: opts.Orders, Seed: opts.Seed, Until: opts.Until}, progress); err != nil {
		return err
	}
	if opts.Billing && s.billing != nil {
		h, err := s.billing(ctx, opts.Until)
		if err != nil {
			return fmt.Errorf("demo billing history: %w", err)
		}
		s.History, s.CarrierInvoice = h, h.carrierInvoicePath
	}
	if s.shipBy != nil {
		s.until = opts.Until
		if _, err := s.shipBy(ctx); err != nil {
			return fmt.Errorf("demo ship-by: %w", err)
		}
	}
	if s.optimize == nil {
		return nil
	}
	return s.optimize(ctx)
}

// LoadSample is Load with a plain progress callback, for the window.
func (s *DemoService) LoadSample(ctx context.Context, orders int, progress func(done, total int)) error {
	return s.Load(ctx, DemoOptions{Orders: orders, Billing: true}, progress)
}

// CopiedTable is a table of a database copy: its rows in the original and
// in the copy.
type CopiedTable struct {
	Table    string
	From, To int64
}

// CopyDatabase copies the Portolan database at from into the empty one at to
// (each a file or a postgres:// address: moving a team onto a server, or
// taking a local copy of the server's), keeping every id, all of it or
// nothing. Afterwards the copy's stock is verified against its ledger and
// every table counted against the original's. progress hears how many rows
// of how many are copied.
func CopyDatabase(ctx context.Context, from, to string, opts Options, progress func(done, all int64)) ([]CopiedTable, error) {
	if !IsServerAddress(from) {
		if _, err := os.Stat(from); err != nil {
			return nil, domain.Errorf(domain.ENOTFOUND, "there is no database %s to copy", from)
		}
	}
	src, err := Open(from, opts)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	dst, err := Open(to, opts)
	if err != nil {
		return nil, err
	}
	defer dst.Close()
	counts, err := src.db.CopyTo(ctx, dst.db, func(p sqlite.CopyProgress) {
		if progress != nil {
			progress(p.Copied, p.Rows)
		}
	})
	if err != nil {
		return nil, err
	}
	after, err := dst.db.Counts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]CopiedTable, len(counts))
	var differ []string
	for i, c := range counts {
		out[i] = CopiedTable{Table: c.Table, From: c.Rows, To: after[i].Rows}
		if c.Rows != after[i].Rows {
			differ = append(differ, c.Table)
		}
	}
	if len(differ) > 0 {
		return out, fmt.Errorf("the copy's %s do not hold as many rows as the original's", strings.Join(differ, ", "))
	}
	if d, err := dst.Inventory.Verify(ctx); err != nil || len(d) > 0 {
		return out, fmt.Errorf("the copy's stock does not verify (%d differences): %v", len(d), err)
	}
	return out, nil
}
