package domain

import (
	"context"
	"time"
)

// OrderFilter selects orders. Zero fields do not filter.
type OrderFilter struct {
	Status     OrderStatus
	ChannelID  int64
	Country    Country
	PlacedFrom time.Time // inclusive
	PlacedTo   time.Time // exclusive
	// NeedsReview keeps only orders whose source changed them after allocation.
	NeedsReview bool
	// Search matches order number, customer name, email and SKU, case-insensitively,
	// anywhere in the text.
	Search string
	// ShipByFrom and ShipByBefore, when set, keep only orders yet to ship
	// whose ship-by is from the one (inclusive) and before the other: late
	// ones are before the clock's now, those due today from now to today's
	// end.
	ShipByFrom, ShipByBefore time.Time
	// ByShipBy lists only orders yet to ship, soonest ship-by first,
	// instead of every order newest placed first.
	ByShipBy bool
	// Warehouse, when set (a code), keeps only orders holding stock there
	// (allocated to it, until they leave it).
	Warehouse string
}

// OrderSummary is one row of the orders table.
type OrderSummary struct {
	ID           int64
	Number       string
	ChannelCode  string
	PlacedAt     time.Time
	CustomerName string
	Country      Country
	Units        Quantity
	Total        Money
	Status       OrderStatus
	ShipBy       time.Time // when it must ship; zero if not worked out
}

// OrderReads reads orders: one, a page, a count, the countries they go to.
type OrderReads interface {
	// Order returns one order with lines and history, or ErrNotFound.
	Order(ctx context.Context, id int64) (Order, error)
	// CountOrders counts the orders matching f; a search's count stops
	// at SearchCountCap + 1 ("more than 10,000" is all a person needs to
	// know of a one-letter search, and counting a million hits takes long).
	CountOrders(ctx context.Context, f OrderFilter) (int, error)
	// CountOrdersByWarehouse counts the orders matching f (its Warehouse
	// left out) per warehouse code holding their stock: what CountOrders
	// says with each Warehouse, in one read.
	CountOrdersByWarehouse(ctx context.Context, f OrderFilter) (map[string]int, error)
	// OrderSummaries returns a page of matching orders, newest placed first.
	OrderSummaries(ctx context.Context, f OrderFilter, offset, limit int) ([]OrderSummary, error)
	// OrderCountries lists the destination countries that occur on orders.
	OrderCountries(ctx context.Context) ([]Country, error)
}

// OrderStore keeps orders, their lines and their status history.
type OrderStore interface {
	OrderReads
	// CreateOrder stores a new order with its lines and history and sets its ID.
	// An order with the same channel and external id returns ErrConflict.
	CreateOrder(ctx context.Context, o *Order) error
	// Orders returns up to limit whole orders with ID > afterID, by ID.
	Orders(ctx context.Context, f OrderFilter, afterID int64, limit int) ([]Order, error)
	// UpdateOrder loads the order, runs update on it and saves its status and new
	// history entries in one transaction; an error from update rolls back.
	UpdateOrder(ctx context.Context, id int64, update func(*Order) error) error
}

// CatalogStore keeps products, warehouses, bins and channels.
type CatalogStore interface {
	Channels(ctx context.Context) ([]Channel, error)
	Warehouses(ctx context.Context) ([]Warehouse, error)
	// IsEmpty reports whether the database holds no channels, warehouses, products or orders.
	IsEmpty(ctx context.Context) (bool, error)
}

// StockLevel is the quantity on hand of one SKU, lot and bin.
type StockLevel struct {
	SKU       string
	Warehouse string // warehouse code
	Location  string // bin code
	Zone      string
	Kind      LocationKind
	Lot       string
	Expiry    string // YYYY-MM-DD or ""
	OnHand    Quantity
}

// ProductStock is one row of the inventory screen: a product and its totals
// per warehouse ID.
type ProductStock struct {
	ProductID int64
	SKU       string
	Name      string
	Stock     map[int64]StockTotal
	Total     StockTotal // over every warehouse shown
}

// StockSort orders the inventory screen.
type StockSort string

// Inventory orders.
const (
	SortBySKU       StockSort = "sku"
	SortByName      StockSort = "name"
	SortByOnHand    StockSort = "on_hand"   // most first
	SortByAvailable StockSort = "available" // least first
)

// StockFilter narrows the inventory screen.
type StockFilter struct {
	Search      string // SKU or name
	WarehouseID int64  // 0: every warehouse
	Zone        string // products with stock in a bin of this zone
	LowOnly     bool   // products at or under their reorder point
	Sort        StockSort
}

// Transactor runs a use case that changes data in several steps as one
// transaction: the store calls fn makes with the context it is given join
// it (and see what it wrote), and nothing is kept unless fn returns nil.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// StockReads reads stock: balances, totals, product pages, bins, movements, zones.
type StockReads interface {
	// StockLevels returns every non-zero balance, optionally for one warehouse code,
	// ordered by warehouse, pick sequence, SKU.
	StockLevels(ctx context.Context, warehouse string) ([]StockLevel, error)
	// StockTotals returns on hand, in transit and reserved per SKU and
	// warehouse code, optionally for one warehouse.
	StockTotals(ctx context.Context, warehouse string) ([]SKUStock, error)
	// CountProductStock counts the products matching the filter.
	CountProductStock(ctx context.Context, f StockFilter) (int, error)
	// ProductStockPage returns a page of products matching the filter.
	ProductStockPage(ctx context.Context, f StockFilter, offset, limit int) ([]ProductStock, error)
	// BinStock returns the bins and lots of one warehouse that hold the product,
	// first-expiry-first, then in pick order.
	BinStock(ctx context.Context, productID, warehouseID int64) ([]StockLevel, error)
	// Movements returns the newest movements of a product (in one warehouse, or all when 0).
	Movements(ctx context.Context, productID, warehouseID int64, limit int) ([]Movement, error)
	// Zones lists the zones of storage bins, optionally of one warehouse.
	Zones(ctx context.Context, warehouseID int64) ([]string, error)
	// LowStock lists the products at or under their reorder point in a
	// warehouse (without Shipped).
	LowStock(ctx context.Context) ([]LowStock, error)
	// ShippedUnits counts the units of the SKUs in the orders that left
	// each warehouse since since (the rate days of cover come from), by
	// SKU and warehouse code.
	ShippedUnits(ctx context.Context, since time.Time, skus []string) (map[string]map[string]Quantity, error)
}

// WarehouseReads reads warehouse work: transfers, inbounds, counts.
type WarehouseReads interface {
	// Transfers lists transfers, newest first, optionally in one status.
	Transfers(ctx context.Context, status TransferStatus) ([]Transfer, error)
	// Inbounds lists expected deliveries with their lines, open ones first.
	Inbounds(ctx context.Context, status InboundStatus) ([]Inbound, error)
	// Counts lists cycle counts, newest first; Count reads one with its lines.
	Counts(ctx context.Context, status CountStatus) ([]Count, error)
	Count(ctx context.Context, id int64) (Count, error)
}

// ShippingReads reads waves, parcels and manifests, with what printing them needs.
type ShippingReads interface {
	// Wave reads a pick wave with its picks in walking order.
	Wave(ctx context.Context, id int64) (Wave, error)
	Waves(ctx context.Context, warehouse string) ([]WaveSummary, error)
	Boxes(ctx context.Context) ([]Box, error)
	// ParcelsOfWave are the parcels packed for a wave's orders, in tote order.
	ParcelsOfWave(ctx context.Context, waveID int64) ([]PackedParcel, error)
	ParcelsOfOrder(ctx context.Context, orderID int64) ([]PackedParcel, error)
	// Parcels reads the given parcels in the order given.
	Parcels(ctx context.Context, ids []int64) ([]PackedParcel, error)
	Manifest(ctx context.Context, id int64) (Manifest, error)
	// Manifests lists a warehouse's manifests ("" all), newest first.
	Manifests(ctx context.Context, warehouse string, limit int) ([]ManifestSummary, error)
	ShippingSettings(ctx context.Context) (ShippingSettings, error)
	PrintLog(ctx context.Context, limit int) ([]PrintRecord, error)
}

// StockStore reads stock balances and the ledger.
type StockStore interface {
	StockReads
	WarehouseReads
	ShippingReads
}

// SKUStock is one (SKU, warehouse) total, as the command line lists it.
type SKUStock struct {
	SKU       string
	Warehouse string
	StockTotal
}

// BulkWriter adds many entities inside one transaction; see BulkLoader.
type BulkWriter interface {
	AddChannel(c *Channel) error
	AddWarehouse(w *Warehouse) error
	AddLocation(l *Location) error
	AddProduct(p *Product) error
	// AddStock records stock found in a bin (lot "" when not lot-tracked;
	// expiry YYYY-MM-DD or "") as an opening balance in the ledger.
	AddStock(productID, locationID int64, lot, expiry string, onHand Quantity) error
	// StockCountedAt dates the opening balances added after it (the day the
	// stock was counted); by default they are dated when the load runs.
	StockCountedAt(t time.Time)
	AddOrder(o *Order) error
	// AddShipment starts tracking a parcel of an order (s.OrderID) with the
	// events already known.
	AddShipment(s *Shipment, events []TrackEvent) error
}

// BulkLoader runs fill in one transaction: everything it added is committed
// together, or nothing is (an error or a cancelled ctx rolls back).
type BulkLoader interface {
	Bulk(ctx context.Context, fill func(BulkWriter) error) error
}

// SecretVault keeps secrets (store tokens, API keys, client secrets) outside
// the database: the operating system's credential store. The database keeps
// only the reference a secret was put under.
type SecretVault interface {
	Put(ref, secret string) error
	// Get returns ErrNotFound when nothing is kept under ref (the database
	// was saved on another computer).
	Get(ref string) (string, error)
	Delete(ref string) error
	// Where names the vault for people ("the Secret Service").
	Where() string
}

// PromiseStore keeps the ship-by promises: the channels' rules and each
// warehouse's working calendar.
type PromiseStore interface {
	ShipRules(ctx context.Context) (ShipRules, error)
	// UpdateShipRules changes the rules by change and saves them if valid,
	// in one transaction.
	UpdateShipRules(ctx context.Context, change func(*ShipRules) error) error
	// Calendar is the warehouse's calendar; Monday to Friday in its time
	// zone, without holidays or pickups, until one is saved.
	Calendar(ctx context.Context, w Warehouse) (Calendar, error)
	// UpdateCalendar changes the warehouse's calendar by change and saves
	// it if valid, in one transaction.
	UpdateCalendar(ctx context.Context, w Warehouse, change func(*Calendar) error) error
	// ShipByOrders are the orders yet to ship, in ID order, with what
	// their ship-by comes from.
	ShipByOrders(ctx context.Context) ([]ShipByOrder, error)
	// ShippedWithoutShipBy are the orders placed since since, shipped or
	// delivered without a ship-by — before promises were kept — with the
	// warehouses that packed them.
	ShippedWithoutShipBy(ctx context.Context, since time.Time) ([]ShipByOrder, error)
	// SetShipBy keeps the orders' ship-by times, in one transaction.
	SetShipBy(ctx context.Context, by map[int64]time.Time) error
}

// ShipByOrder is an order yet to ship, and what its ship-by comes from.
type ShipByOrder struct {
	ID         int64
	Channel    string // its channel's code
	Service    string
	Country    Country // where it goes
	PlacedAt   time.Time
	Warehouses []string  // the codes of the warehouses holding its stock; none before it is allocated
	ShipBy     time.Time // as kept; zero if never worked out
}
