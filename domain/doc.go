// Package domain describes what international order fulfilment is in Portolan:
// value types (money, quantities, weights, dimensions, countries, addresses),
// entities (products, warehouses, locations, channels, orders) and the rules
// that govern them, such as the order status state machine.
//
// It imports only the standard library. Storage, networking and the window
// live elsewhere and talk to this package through its ports: the store
// interfaces next to the entities they keep (OrderStore, CatalogStore,
// StockStore and BulkLoader in ports.go, LedgerStore in inventory.go,
// AllocationStore in allocation.go, IntakeStore and OrderSource in intake.go,
// TrackingStore, Tracker and TrackingPusher in tracking.go, BillingStore in
// billing.go; a use case of several steps runs in one Transactor.InTx). Each
// store port is cut by capability, its reads apart (OrderReads, StockReads,
// TrackingReads, BillingReads, …), so that a second store can be written and
// tested one capability at a time. Tests take their today and clock from
// domaintest.
package domain
