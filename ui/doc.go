// Package ui is Portolan's Fyne window: one file per screen (orders.go,
// inventory.go, allocation.go, shipments.go, channels.go), the Warehouse and
// Billing screens in packages of their own (ui/warehouse, ui/billing), what
// the screens share in ui/internal/uikit, and the theme. Screens depend on
// narrow service interfaces (services.go) that the app package's services
// satisfy, and on domain types; never on storage or integrations, and never
// on fyne.io/fyne/v2/app, so tests run headless. They take "now" from their
// service (Clock), never from the computer's clock.
package ui
