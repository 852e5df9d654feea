// Package ui is Portolan's Fyne window: one file per screen, shared widgets in
// ui/widgets. Screens depend on narrow service interfaces (services.go) that
// the app package's services satisfy, and on domain types; never on storage
// or integrations, and never on fyne.io/fyne/v2/app, so tests run headless.
package ui
