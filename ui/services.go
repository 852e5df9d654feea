package ui

import (
	"context"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/billing"
	"github.com/portolan/portolan/ui/internal/uikit"
	"github.com/portolan/portolan/ui/warehouse"
)

// Clock is the App's clock as a service gives it: screens take "now" and
// "today" from it, never from the computer's clock.
type Clock = uikit.Clock

// OrderService is what the Orders screen needs; app.OrderService implements it.
type OrderService interface {
	Clock // "now", for what is late
	CountOrders(ctx context.Context, f domain.OrderFilter) (int, error)
	OrderSummaries(ctx context.Context, f domain.OrderFilter, offset, limit int) ([]domain.OrderSummary, error)
	Order(ctx context.Context, id int64) (domain.Order, error)
	Channels(ctx context.Context) ([]domain.Channel, error)
	Warehouses(ctx context.Context) ([]domain.Warehouse, error)
	OrderCountries(ctx context.Context) ([]domain.Country, error)
	// TransitionSeen changes the status of an order seen in status seen;
	// when a colleague changed it meanwhile it says so and changes nothing.
	TransitionSeen(ctx context.Context, id int64, seen, to domain.OrderStatus, reason string) error
	// MarkReviewed clears an order's review flag, noting it in the history.
	MarkReviewed(ctx context.Context, id int64, note string) error
	// Allocation is where the order's lines are allocated; Unallocate releases them.
	Allocation(ctx context.Context, id int64) ([]domain.LineAllocation, error)
	Unallocate(ctx context.Context, id int64, reason string) error
	// SetPriority sets the order's manual priority, -9 to 9.
	SetPriority(ctx context.Context, id int64, p int) error
}

// InventoryService is what the Inventory screen needs; app.InventoryService implements it.
type InventoryService interface {
	Clock
	Warehouses(ctx context.Context) ([]domain.Warehouse, error)
	CountProductStock(ctx context.Context, f domain.StockFilter) (int, error)
	ProductStockPage(ctx context.Context, f domain.StockFilter, offset, limit int) ([]domain.ProductStock, error)
	BinStock(ctx context.Context, productID, warehouseID int64) ([]domain.StockLevel, error)
	Movements(ctx context.Context, productID, warehouseID int64, limit int) ([]domain.Movement, error)
	Zones(ctx context.Context, warehouseID int64) ([]string, error)
}

// WarehouseService is what the Warehouse screen needs (see warehouse.Service).
type WarehouseService = warehouse.Service

// AllocationService plans and commits allocations; app.AllocationService implements it.
type AllocationService interface {
	Warehouses(ctx context.Context) ([]domain.Warehouse, error)
	// PlanImproved hands the order-by-order plan to first at once, then
	// improves it over the whole plan until ctx ends (budget 0: no limit),
	// telling progress; it returns the best valid plan, with its bound.
	PlanImproved(ctx context.Context, f domain.OrderFilter, overrides map[int64]map[int]string, budget time.Duration,
		first func(domain.Plan), progress func(domain.ImproveProgress)) (domain.Plan, error)
	Commit(ctx context.Context, p domain.Plan) (domain.CommitResult, error)
	AllocConfig(ctx context.Context) (domain.AllocConfig, error)
	SetConfig(ctx context.Context, c domain.AllocConfig) error
	ImportRates(ctx context.Context, path, sheet string, dryRun bool) ([]domain.Rate, []domain.RowProblem, error)
	Rates(ctx context.Context) ([]domain.Rate, error)
	// AvailableOf is what each warehouse can still promise of a SKU.
	AvailableOf(ctx context.Context, sku string) (map[string]domain.Quantity, error)
	SetRates(ctx context.Context, rates []domain.Rate) error
	Allocation(ctx context.Context, orderID int64) ([]domain.LineAllocation, error)
	Unallocate(ctx context.Context, orderID int64, reason string) error
}

// SampleDataLoader fills an empty database with the demo data set; app.DemoService implements it.
type SampleDataLoader interface {
	IsEmpty(ctx context.Context) (bool, error)
	LoadSample(ctx context.Context, orders int, progress func(done, total int)) error
}

// Services are the application services the window works with.
type Services struct {
	Overview   OverviewService // nil: no Overview screen
	Trends     TrendService    // nil: the Overview without its trends and report
	Orders     OrderService
	Inventory  InventoryService
	Warehouse  WarehouseService       // nil: no Warehouse screen
	Labels     warehouse.LabelService // nil: no carrier labels on Pack and ship
	Allocation AllocationService      // nil: no Allocation screen
	Sample     SampleDataLoader
	Sync       SyncService
	Channels   ChannelService
	Tracking   TrackingService // nil: no Shipments screen
	// ChannelShipping sets a channel's shipping promise, which buying
	// labels follows (app.LabelService.SetChannelShipping; nil: not shown).
	ChannelShipping func(ctx context.Context, channelID int64, service string, promiseDays int) error
	Billing         BillingService // nil: no Billing screen
	// People is who is signed in (nil: the computer's user, who may do
	// everything) and, on a team database, the team.
	People PeopleService
	// Team says the database is a team's, on a server: the window names
	// who is signed in, and shows admins the People screen.
	Team bool
	// Live, when set, calls changed with the tables colleagues changed
	// (domain.AnyTable: any), until ctx ends: the open screens refresh
	// their rows (app.App.Watch; the window sets it for team databases).
	Live   func(ctx context.Context, changed func(tables []string))
	DBPath string
	// Notices say what opening the database changed or found that the user
	// should know (made private; open read-only); shown when the window opens.
	Notices []string
}

// SyncService pulls orders from the channels; app.IntakeService implements it.
type SyncService interface {
	Clock
	Channels(ctx context.Context) ([]domain.Channel, error)
	Syncable(ctx context.Context, ch domain.Channel) (bool, string, error)
	// SyncEach syncs channels at the same time, each within a deadline;
	// progress and done are called from each channel's goroutine.
	SyncEach(ctx context.Context, chans []domain.Channel, since time.Time, progress func(domain.Channel, domain.SyncRun),
		done func(domain.Channel, domain.SyncRun, error))
}

// ChannelService manages channels; app.IntakeService implements it.
type ChannelService interface {
	SyncService
	SyncState(ctx context.Context, channelID int64) (domain.SyncState, error)
	QuarantineCount(ctx context.Context, channelID int64) int
	AddChannel(ctx context.Context, kind domain.ChannelKind, name, storeURL string, creds domain.Credentials) (domain.Channel, error)
	UpdateChannel(ctx context.Context, ch domain.Channel, creds *domain.Credentials) error
	RemoveChannel(ctx context.Context, ch domain.Channel) error
	// CredentialsKept says where credentials are kept, for people.
	CredentialsKept() string
	TestConnection(ctx context.Context, ch domain.Channel) error
	// PreviewImport reads a CSV/XLSX file with mapping (nil: remembered or guessed) and writes nothing.
	PreviewImport(ctx context.Context, ch domain.Channel, path string, mapping domain.ColumnMapping) (domain.ImportPreview, error)
	ImportFile(ctx context.Context, ch domain.Channel, p domain.ImportPreview, progress func(domain.SyncRun)) (domain.SyncRun, error)
	QuarantinedOrders(ctx context.Context, channelID int64) ([]domain.Quarantined, error)
	// TrySandbox runs a sandbox store on this computer until ctx ends and adds it as a channel.
	TrySandbox(ctx context.Context) (domain.Channel, error)
}

// TrackingService polls carriers and lists shipments; app.TrackingService implements it.
type TrackingService interface {
	Clock
	Poll(ctx context.Context, f domain.DueFilter, progress func(done, total int)) (domain.PollResult, error)
	Shipments(ctx context.Context, f domain.ShipmentFilter, offset, limit int) ([]domain.Shipment, error)
	CountShipments(ctx context.Context, f domain.ShipmentFilter) (int, error)
	Shipment(ctx context.Context, id int64) (domain.Shipment, []domain.TrackEvent, error)
	MilestoneCounts(ctx context.Context) (map[domain.Milestone]int, error)
	OnTimeRates(ctx context.Context) ([]domain.OnTime, error)
	CarrierAccounts(ctx context.Context) ([]domain.CarrierAccount, error)
	SaveCarrierAccount(ctx context.Context, a *domain.CarrierAccount) error
	CredentialsKept() string
	DeleteCarrierAccount(ctx context.Context, id int64) error
	TestAccount(ctx context.Context, id int64) error
	UsedToday(ctx context.Context, id int64) (int, error)
	// TrySandboxCarriers runs sandbox carriers for as long as ctx lives and
	// points the sandbox accounts at them.
	TrySandboxCarriers(ctx context.Context, step time.Duration) ([]domain.CarrierAccount, error)
	UsesSandbox(ctx context.Context) (bool, error)
	PushCounts(ctx context.Context) (map[string]int, error)
	Pushes(ctx context.Context, state string, limit int) ([]domain.TrackingPush, error)
	RetryPushes(ctx context.Context) (int, error)
}

// BillingService is what the Billing screen needs (see billing.Service).
type BillingService = billing.Service
