package domain

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MovementKind is what a stock movement did.
type MovementKind string

// Movement kinds. A move between bins (putaway, move, pick, transfer) is two
// movements of the same document: one out, one in.
const (
	MoveReceipt     MovementKind = "receipt"      // goods arrived, into a RECEIVING bin
	MovePutaway     MovementKind = "putaway"      // receiving bin → storage bin
	MoveBin         MovementKind = "move"         // bin → bin in a warehouse
	MoveAdjust      MovementKind = "adjust"       // correction with a reason
	MoveTransferOut MovementKind = "transfer_out" // bin → the destination's IN-TRANSIT
	MoveTransferIn  MovementKind = "transfer_in"  // IN-TRANSIT → RECEIVING
	MovePick        MovementKind = "pick"         // storage bin → STAGING
	MoveShip        MovementKind = "ship"         // STAGING → gone
	MoveReturn      MovementKind = "return"       // a customer's return, into RECEIVING
)

// AdjustReason explains an adjustment.
type AdjustReason string

// Adjustment reasons.
const (
	ReasonDamaged         AdjustReason = "damaged"
	ReasonLost            AdjustReason = "lost"
	ReasonFound           AdjustReason = "found"
	ReasonExpired         AdjustReason = "expired"
	ReasonCountCorrection AdjustReason = "count_correction"
	ReasonStockImport     AdjustReason = "stock_import"
	ReasonOpeningBalance  AdjustReason = "opening_balance"
	ReasonOther           AdjustReason = "other"
)

// AdjustReasons are the reasons a user may choose, in the order shown.
var AdjustReasons = []AdjustReason{ReasonDamaged, ReasonLost, ReasonFound, ReasonExpired, ReasonCountCorrection, ReasonOther}

// ParseAdjustReason accepts the reasons of AdjustReasons (and "count correction").
func ParseAdjustReason(s string) (AdjustReason, error) {
	r := AdjustReason(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "_"))
	for _, ok := range AdjustReasons {
		if r == ok {
			return r, nil
		}
	}
	names := make([]string, len(AdjustReasons))
	for i, ok := range AdjustReasons {
		names[i] = string(ok)
	}
	return "", Errorf(EINVALID, "unknown adjustment reason %q (%s)", s, strings.Join(names, ", "))
}

// LocationKind is what a bin is for.
type LocationKind string

// Location kinds. Every warehouse has one RECEIVING, one STAGING and one
// IN-TRANSIT bin besides its storage bins.
const (
	LocationStorage   LocationKind = "storage"
	LocationReceiving LocationKind = "receiving"
	LocationStaging   LocationKind = "staging"
	LocationTransit   LocationKind = "transit"
)

// Codes of the bins every warehouse has.
const (
	ReceivingBin = "RECEIVING"
	StagingBin   = "STAGING"
	TransitBin   = "IN-TRANSIT"
)

// ParseExpiry accepts an expiry date as YYYY-MM-DD ("" for none).
func ParseExpiry(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", Errorf(EINVALID, "expiry %q is not a date like 2027-03-31", s)
	}
	return t.Format(time.DateOnly), nil
}

// Movement is one row of the stock ledger.
type Movement struct {
	ID        int64
	At        time.Time
	Kind      MovementKind
	SKU       string
	Warehouse string // code
	Location  string // bin code
	Lot       string
	Qty       Quantity // signed: positive into the bin, negative out of it
	Reason    AdjustReason
	Doc       string // the document it belongs to: "transfer 12", "count 3", …
	Who       string // the person whose Portolan posted it ("" before Portolan recorded it)
	Note      string
}

// Adjustment is a correction of one bin's stock.
type Adjustment struct {
	SKU       string
	Warehouse string
	Location  string
	Lot       string
	Expiry    string // for a new lot
	Qty       Quantity
	Reason    AdjustReason
	Note      string
}

// TransferLine is one SKU of a transfer; the stock leaves the source's bins
// first-expiry-first-out, then in pick order.
type TransferLine struct {
	SKU string
	Qty Quantity
}

// TransferStatus is where a transfer is.
type TransferStatus string

// Transfer statuses.
const (
	TransferInTransit TransferStatus = "in_transit"
	TransferReceived  TransferStatus = "received"
)

// Transfer moves stock between two warehouses.
type Transfer struct {
	ID         int64
	From, To   string // warehouse codes
	Status     TransferStatus
	Reference  string
	SentAt     time.Time
	ReceivedAt time.Time
	Lines      []TransferLine
}

// StockTotal is one (product, warehouse) of the inventory: on hand, promised, sellable.
type StockTotal struct {
	OnHand       Quantity
	InTransit    Quantity
	Reserved     Quantity
	ReorderPoint Quantity
	TargetLevel  Quantity
}

// Available is what can still be promised: on hand less reserved.
func (t StockTotal) Available() Quantity { return t.OnHand - t.Reserved }

// Low reports whether available stock is at or under the reorder point.
func (t StockTotal) Low() bool { return t.ReorderPoint > 0 && t.Available() <= t.ReorderPoint }

// Discrepancy is a balance that differs from what the ledger adds up to.
type Discrepancy struct {
	What     string // "bin A-01-01 of PRT-1 in FRA-1, lot L1" or "total of PRT-1 in FRA-1"
	Stored   Quantity
	Expected Quantity
}

// Reservation is stock promised to an order in a warehouse.
type Reservation struct {
	ID        int64
	SKU       string
	Warehouse string
	OrderID   int64
	Qty       Quantity
}

// The stock ledger's port, cut by capability so that a second store can be
// written and tested one capability at a time. LedgerStore is all of them.

// StockLedger changes stock in the ledger: adjustments, moves, transfers,
// reservations, picks, shipments, returns, policies and snapshots.
type StockLedger interface {
	Adjust(ctx context.Context, a Adjustment) (Movement, error)
	SendTransfer(ctx context.Context, t *Transfer) error
	ReceiveTransfer(ctx context.Context, id int64) (Transfer, error)
	Reserve(ctx context.Context, r *Reservation) error
	ReleaseReservation(ctx context.Context, id int64) error
	// ReleaseOrder releases every reservation of an order.
	ReleaseOrder(ctx context.Context, orderID int64) error
	SetPolicy(ctx context.Context, sku, warehouse string, reorderPoint, target Quantity) error
	// SetLotTracked turns lot and expiry tracking of a product on or off.
	SetLotTracked(ctx context.Context, sku string, on bool) error
	// PostSnapshot sets bins to the quantities of a snapshot by adjusting each
	// by its difference; rows that cannot be posted are reported, not posted.
	PostSnapshot(ctx context.Context, rows []SnapshotRow, reason AdjustReason, doc string) (SnapshotResult, error)
	Verify(ctx context.Context) ([]Discrepancy, error)
	// Moves between bins, picks to STAGING, shipments out of it, customer returns.
	Move(ctx context.Context, sku, warehouse, from, to, lot string, qty Quantity) error
	Pick(ctx context.Context, sku, warehouse string, qty Quantity, orderID int64) ([]StockLevel, error)
	Ship(ctx context.Context, sku, warehouse string, qty Quantity, orderID int64) error
	Return(ctx context.Context, sku, warehouse, lot string, qty Quantity, note string) error
}

// PutawayReads says what waits to be put away, and where it should go.
type PutawayReads interface {
	PutawayTasks(ctx context.Context, warehouse string) ([]PutawayTask, error)
	SuggestBin(ctx context.Context, sku, warehouse, lot string) (bin, why string, err error)
}

// ReceivingStore receives deliveries and puts them away.
type ReceivingStore interface {
	PutawayReads
	CreateInbound(ctx context.Context, in *Inbound) error
	Receive(ctx context.Context, r Receipt) ([]ReceivedLine, error)
	CloseInbound(ctx context.Context, id int64) error
	Putaway(ctx context.Context, p Putaway) error
}

// CountStore runs cycle counts.
type CountStore interface {
	CreateCount(ctx context.Context, warehouse, zone string, bins []string) (Count, error)
	RecordCount(ctx context.Context, id int64, bin, sku, lot string, counted Quantity) error
	PostCount(ctx context.Context, id int64) (CountResult, error)
	CancelCount(ctx context.Context, id int64) error
}

// ShippingStore is waves, packing and dispatch.
type ShippingStore interface {
	CreateWave(ctx context.Context, warehouse string, f WaveFilter) (Wave, error)
	// ConfirmPick moves what was picked to STAGING and returns the shortfall;
	// a short pick either gets a pick from the next bin or goes back to allocation.
	ConfirmPick(ctx context.Context, lineID int64, picked Quantity) (Quantity, error)
	PickFromNextBin(ctx context.Context, lineID int64) (PickLine, error)
	ShortToAllocation(ctx context.Context, lineID int64) error
	// Pack puts what was picked of an order in a warehouse into a parcel.
	Pack(ctx context.Context, orderID int64, warehouse, box string, weight Grams, scanned map[string]Quantity) (int64, error)
	SetTracking(ctx context.Context, parcelID int64, carrier, tracking string) error
	// Dispatch hands packed parcels to a carrier at a time (its manifest
	// of that day); stock leaves the ledger. The shipments, stock movements
	// and orders' history are dated at it (at the store's now when at is
	// later, or zero).
	Dispatch(ctx context.Context, parcelIDs []int64, carrier string, at time.Time) (int64, error)
}

// DocumentSettingsStore keeps what printing needs: the shipping settings,
// the print log, and the data pre-flight finds missing.
type DocumentSettingsStore interface {
	LogPrint(ctx context.Context, r PrintRecord) error
	SetShippingSettings(ctx context.Context, s ShippingSettings) error
	// SetProductCustoms and SetShipPhone fix what pre-flight finds missing.
	SetProductCustoms(ctx context.Context, sku, hs string, origin Country, weight Grams) error
	SetShipPhone(ctx context.Context, orderID int64, phone string) error
	// SetShipAddress corrects where an order not yet shipped goes (a
	// carrier refused the address): its lines, city, region, postal code,
	// country and phone from to — the name, company and email stay — with
	// an entry in the order's history saying why and what it was.
	SetShipAddress(ctx context.Context, orderID int64, to Address, why string) error
}

// LedgerStore writes the stock ledger. Each call is one transaction: it
// applies fully or not at all, and no bin, total or available quantity ever
// goes below zero, whichever process writes at the same time.
type LedgerStore interface {
	StockLedger
	ReceivingStore
	CountStore
	ShippingStore
	DocumentSettingsStore
}

// LowStock is a product at or under its reorder point in a warehouse,
// with the units of it that left the warehouse over the last CoverDays
// days.
type LowStock struct {
	SKU          string   `json:"sku"`
	Warehouse    string   `json:"warehouse"`
	Available    Quantity `json:"available"`
	ReorderPoint Quantity `json:"reorder_point"`
	Shipped      Quantity `json:"shipped_last_28_days"`
}

// CoverDays is how many days of shipments the days of cover are worked out from.
const CoverDays = 28

// DaysOfCover is how many days what is available lasts at the rate it
// shipped over the last CoverDays days, rounded down; ok is false when
// none shipped (it lasts, as far as anyone knows, indefinitely).
func (l LowStock) DaysOfCover() (days int, ok bool) {
	if l.Shipped <= 0 {
		return 0, false
	}
	return int(max(l.Available, 0) * CoverDays / l.Shipped), true
}

// Describe says its days of cover: "PRT-1 at NL-VEN, 3 days (12 left)",
// or that none shipped in the last CoverDays days.
func (l LowStock) Describe() string {
	days, ok := l.DaysOfCover()
	if !ok {
		return fmt.Sprintf("%s at %s, none shipped in %d days (%d left)", l.SKU, l.Warehouse, CoverDays, l.Available)
	}
	return fmt.Sprintf("%s at %s, %d days (%d left)", l.SKU, l.Warehouse, days, l.Available)
}

// SortByCover orders low stock by days of cover, the fewest first; those
// that did not ship last, then by SKU and warehouse.
func SortByCover(ls []LowStock) {
	slices.SortFunc(ls, func(a, b LowStock) int {
		da, oka := a.DaysOfCover()
		db, okb := b.DaysOfCover()
		switch {
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		case da != db:
			return cmp.Compare(da, db)
		case a.SKU != b.SKU:
			return cmp.Compare(a.SKU, b.SKU)
		}
		return cmp.Compare(a.Warehouse, b.Warehouse)
	})
}
