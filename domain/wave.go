package domain

import (
	"sort"
	"time"
)

// WaveStatus is where a pick wave stands.
type WaveStatus string

// Wave statuses.
const (
	WaveOpen   WaveStatus = "open"   // printed or not, being picked
	WavePicked WaveStatus = "picked" // every line confirmed
	WaveClosed WaveStatus = "closed"
)

// WaveFilter chooses which allocated orders of a warehouse go into a wave.
type WaveFilter struct {
	ChannelID int64
	Service   string // only orders whose shipping service contains this ("" any)
	Express   bool   // only express orders
	Carrier   string // only orders whose service goes with this carrier (ShippingSettings.CarrierFor)
	// MinPriority, when set, takes only orders of at least this priority (-9 to 9).
	MinPriority *int
	MaxOrders   int // 0: no cap
	MaxLines    int // 0: no cap (an order is never cut in two)
	// PlacedBefore is the cut-off: only orders placed before it (zero: any).
	PlacedBefore time.Time
}

// PickLine is one pick: so many of a SKU (and lot) from a bin, into a tote.
type PickLine struct {
	ID       int64
	OrderID  int64
	Number   string // the order's number
	LineNo   int
	Tote     int
	SKU      string
	Name     string
	Qty      Quantity
	Bin      string
	Zone     string
	PickSeq  int
	Lot      string
	Expiry   string
	Picked   *Quantity // nil until confirmed
	Customer string    // for the packer
}

// Wave is a batch of orders of one warehouse picked together.
type Wave struct {
	ID        int64
	Warehouse string
	WhName    string
	Status    WaveStatus
	CreatedAt time.Time
	Orders    int
	Lines     []PickLine // in walking order: zone, then pick sequence, then bin
}

// Units adds up the wave's quantities.
func (w Wave) Units() Quantity {
	var n Quantity
	for _, l := range w.Lines {
		n += l.Qty
	}
	return n
}

// SortWalk puts picks in walking order: zones by the first pick sequence in
// them, then pick sequence, bin, SKU, tote.
func SortWalk(lines []PickLine) {
	first := map[string]int{}
	for _, l := range lines {
		if s, ok := first[l.Zone]; !ok || l.PickSeq < s {
			first[l.Zone] = l.PickSeq
		}
	}
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		if a.Zone != b.Zone {
			if first[a.Zone] != first[b.Zone] {
				return first[a.Zone] < first[b.Zone]
			}
			return a.Zone < b.Zone
		}
		if a.PickSeq != b.PickSeq {
			return a.PickSeq < b.PickSeq
		}
		if a.Bin != b.Bin {
			return a.Bin < b.Bin
		}
		if a.SKU != b.SKU {
			return a.SKU < b.SKU
		}
		return a.Tote < b.Tote
	})
}

// WaveSummary is a wave's progress, for lists.
type WaveSummary struct {
	ID        int64
	Status    WaveStatus
	CreatedAt time.Time
	Orders    int
	Picks     int
	Confirmed int
	Parcels   int
}
