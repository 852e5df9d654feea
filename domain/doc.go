// Package domain describes what international order fulfilment is in Portolan:
// value types (money, quantities, weights, dimensions, countries, addresses),
// entities (products, warehouses, locations, channels, orders) and the rules
// that govern them, such as the order status state machine.
//
// It imports only the standard library. Storage, networking and the window
// live elsewhere and talk to this package through the ports in ports.go.
package domain
