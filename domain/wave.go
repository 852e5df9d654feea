package domain

import (
	"sort"
	"strings"
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

// WaveCandidate is an allocated order that could go into a wave: its
// shipping service and how many lines it has in the warehouse. Candidates
// come highest priority, then oldest, first.
type WaveCandidate struct {
	OrderID int64
	Service string
	Lines   int
}

// SelectWave is the rule of what goes into a wave: of the candidates (in
// their order) those that match the filter's express and carrier choice —
// carrierFor says which carrier a service goes with — until the order cap,
// or the line cap, is reached; an order is never cut in two, and the first
// order always goes, however many lines it has. A store pre-filters the
// candidates by channel, priority, cut-off and service; this decides. The
// result is in tote order (tote 1 first).
func SelectWave(candidates []WaveCandidate, f WaveFilter, carrierFor func(service string) string) []WaveCandidate {
	carrier := strings.TrimSpace(f.Carrier)
	var picked []WaveCandidate
	lines := 0
	for _, c := range candidates {
		if f.Express && !IsExpress(c.Service) {
			continue
		}
		if carrier != "" && !strings.EqualFold(carrierFor(c.Service), carrier) {
			continue
		}
		if f.MaxOrders > 0 && len(picked) >= f.MaxOrders {
			break
		}
		if f.MaxLines > 0 && lines > 0 && lines+c.Lines > f.MaxLines {
			break
		}
		picked = append(picked, c)
		lines += c.Lines
	}
	return picked
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
