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
}

// OrderStore keeps orders, their lines and their status history.
type OrderStore interface {
	// CreateOrder stores a new order with its lines and history and sets its ID.
	// An order with the same channel and external id returns ErrConflict.
	CreateOrder(ctx context.Context, o *Order) error
	// Order returns one order with lines and history, or ErrNotFound.
	Order(ctx context.Context, id int64) (Order, error)
	// CountOrders counts the orders matching f.
	CountOrders(ctx context.Context, f OrderFilter) (int, error)
	// OrderSummaries returns a page of matching orders, newest placed first.
	OrderSummaries(ctx context.Context, f OrderFilter, offset, limit int) ([]OrderSummary, error)
	// Orders returns up to limit whole orders with ID > afterID, by ID.
	Orders(ctx context.Context, f OrderFilter, afterID int64, limit int) ([]Order, error)
	// OrderCountries lists the destination countries that occur on orders.
	OrderCountries(ctx context.Context) ([]Country, error)
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

// StockLevel is the quantity on hand of one SKU in one bin.
type StockLevel struct {
	SKU       string
	Warehouse string // warehouse code
	Location  string // bin code
	Zone      string
	OnHand    Quantity
}

// ProductStock is one row of the inventory screen: a product and its on-hand
// quantity per warehouse ID.
type ProductStock struct {
	ProductID int64
	SKU       string
	Name      string
	OnHand    map[int64]Quantity
	Total     Quantity
}

// StockStore reads stock balances.
type StockStore interface {
	// StockLevels returns every non-zero balance, optionally for one warehouse code,
	// ordered by warehouse, pick sequence, SKU.
	StockLevels(ctx context.Context, warehouse string) ([]StockLevel, error)
	// CountProductStock counts the products matching search (SKU or name).
	CountProductStock(ctx context.Context, search string) (int, error)
	// ProductStockPage returns a page of products matching search, by SKU.
	ProductStockPage(ctx context.Context, search string, offset, limit int) ([]ProductStock, error)
	// BinStock returns the bins of one warehouse that hold the product.
	BinStock(ctx context.Context, productID, warehouseID int64) ([]StockLevel, error)
}

// BulkWriter adds many entities inside one transaction; see BulkLoader.
type BulkWriter interface {
	AddChannel(c *Channel) error
	AddWarehouse(w *Warehouse) error
	AddLocation(l *Location) error
	AddProduct(p *Product) error
	AddStock(productID, locationID int64, onHand Quantity) error
	AddOrder(o *Order) error
}

// BulkLoader runs fill in one transaction: everything it added is committed
// together, or nothing is (an error or a cancelled ctx rolls back).
type BulkLoader interface {
	Bulk(ctx context.Context, fill func(BulkWriter) error) error
}
