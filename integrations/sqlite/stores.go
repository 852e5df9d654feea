package sqlite

import "github.com/portolan/portolan/domain"

// The stores, one per port of package domain; each is a view of the one DB.

// OrderStore keeps orders, their lines and status history.
type OrderStore struct{ *DB }

// OrderStore returns the store of domain.OrderStore.
func (db *DB) OrderStore() *OrderStore { return &OrderStore{db} }

// CatalogStore keeps channels, warehouses, bins and products.
type CatalogStore struct{ *DB }

// CatalogStore returns the store of domain.CatalogStore.
func (db *DB) CatalogStore() *CatalogStore { return &CatalogStore{db} }

// StockStore reads stock balances, totals and the ledger (domain.StockStore).
type StockStore struct{ *DB }

// StockStore returns the store of domain.StockStore.
func (db *DB) StockStore() *StockStore { return &StockStore{db} }

// LedgerStore writes the stock ledger (domain.LedgerStore). Every operation
// is one immediate transaction, so two Portolan processes on the same file
// take turns; within it each decrement is a conditional UPDATE (the bin, and
// the warehouse's on hand less reserved, must cover it), and CHECK
// constraints on the tables are the last guard.
type LedgerStore struct{ *DB }

// LedgerStore returns the store of domain.LedgerStore.
func (db *DB) LedgerStore() *LedgerStore { return &LedgerStore{db} }

// AllocationStore reads what the planner needs and commits plans
// (domain.AllocationStore).
type AllocationStore struct{ *DB }

// AllocationStore returns the store of domain.AllocationStore.
func (db *DB) AllocationStore() *AllocationStore { return &AllocationStore{db} }

// IntakeStore keeps what order syncs bring in (domain.IntakeStore).
type IntakeStore struct{ *DB }

// IntakeStore returns the store of domain.IntakeStore.
func (db *DB) IntakeStore() *IntakeStore { return &IntakeStore{db} }

// TrackingStore keeps carrier accounts, shipments and tracking events.
type TrackingStore struct{ *DB }

// TrackingStore returns the store of domain.TrackingStore.
func (db *DB) TrackingStore() *TrackingStore { return &TrackingStore{db} }

// BillingStore keeps clients, rate cards, exchange rates, charges and invoices.
type BillingStore struct{ *DB }

// BillingStore returns the store of domain.BillingStore.
func (db *DB) BillingStore() *BillingStore { return &BillingStore{db} }

// The stores implement the domain ports.
var (
	_ domain.OrderStore      = (*OrderStore)(nil)
	_ domain.CatalogStore    = (*CatalogStore)(nil)
	_ domain.StockStore      = (*StockStore)(nil)
	_ domain.LedgerStore     = (*LedgerStore)(nil)
	_ domain.AllocationStore = (*AllocationStore)(nil)
	_ domain.IntakeStore     = (*IntakeStore)(nil)
	_ domain.TrackingStore   = (*TrackingStore)(nil)
	_ domain.BillingStore    = (*BillingStore)(nil)
	_ domain.BulkLoader      = (*DB)(nil)
)
