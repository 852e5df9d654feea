package warehouse

import (
	"context"
	"io"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// The screen's service, cut by panel so that each panel can be
// built and tested with a small fake. Service is all of them.

// ReceivingService is the Receive and Put away panels: inbounds, receipts, putaway tasks.
type ReceivingService interface {
	Inbounds(ctx context.Context, status domain.InboundStatus) ([]domain.Inbound, error)
	CreateInbound(ctx context.Context, in *domain.Inbound) error
	Receive(ctx context.Context, r domain.Receipt) ([]domain.ReceivedLine, error)
	CloseInbound(ctx context.Context, id int64) error
	PutawayTasks(ctx context.Context, warehouse string) ([]domain.PutawayTask, error)
	Putaway(ctx context.Context, p domain.Putaway) error
	PreviewInboundImport(path, sheet, warehouse string) (domain.InboundImportPreview, error)
	ImportInbounds(ctx context.Context, p domain.InboundImportPreview) (int, []string, error)
}

// StockMoveService is the Transfers and Adjust panels: transfers, adjustments, moves, stock imports.
type StockMoveService interface {
	Transfers(ctx context.Context, status domain.TransferStatus) ([]domain.Transfer, error)
	SendTransfer(ctx context.Context, t *domain.Transfer) error
	ReceiveTransfer(ctx context.Context, id int64) (domain.Transfer, error)
	Adjust(ctx context.Context, a domain.Adjustment) (domain.Movement, error)
	Move(ctx context.Context, sku, warehouse, from, to, lot string, qty domain.Quantity) error
	PreviewStockImport(path, sheet string) (domain.StockImportPreview, error)
	ImportStock(ctx context.Context, p domain.StockImportPreview) (domain.SnapshotResult, error)
}

// CountService is the Counts panel: blind cycle counts.
type CountService interface {
	Counts(ctx context.Context, status domain.CountStatus) ([]domain.Count, error)
	Count(ctx context.Context, id int64) (domain.Count, error)
	CreateCount(ctx context.Context, warehouse, zone string, bins []string) (domain.Count, error)
	RecordCount(ctx context.Context, id int64, bin, sku, lot string, counted domain.Quantity) error
	PostCount(ctx context.Context, id int64) (domain.CountResult, error)
	CancelCount(ctx context.Context, id int64) error
}

// WaveService is the Waves panel: waves, picks and pick lists.
type WaveService interface {
	Waves(ctx context.Context, warehouse string) ([]domain.WaveSummary, error)
	Wave(ctx context.Context, id int64) (domain.Wave, error)
	CreateWave(ctx context.Context, warehouse string, f domain.WaveFilter) (domain.Wave, error)
	ConfirmPick(ctx context.Context, lineID int64, picked domain.Quantity) (domain.Quantity, error)
	PickFromNextBin(ctx context.Context, lineID int64) (domain.PickLine, error)
	ShortToAllocation(ctx context.Context, lineID int64) error
	PickList(ctx context.Context, id int64, paper string, w io.Writer) error
}

// ShipService is the Pack and ship and Manifests panels: packing, tracking numbers, pre-flight, documents, dispatch.
type ShipService interface {
	Boxes(ctx context.Context) ([]domain.Box, error)
	Pack(ctx context.Context, orderID int64, warehouse, box string, weight domain.Grams, scanned map[string]domain.Quantity) (int64, error)
	SetTracking(ctx context.Context, parcelID int64, carrier, tracking string) error
	ParcelsOfWave(ctx context.Context, waveID int64) ([]domain.PackedParcel, error)
	Preflight(ctx context.Context, waveID int64) ([]domain.PackedParcel, []domain.PreflightProblem, error)
	PreflightParcels(ctx context.Context, waveID int64, ids []int64) ([]domain.PackedParcel, []domain.PreflightProblem, error)
	Documents(ctx context.Context, waveID int64, ids []int64, labelPaper string, w io.Writer) (thermal int, err error)
	PackingSlip(ctx context.Context, parcelID int64, w io.Writer) error
	Manifests(ctx context.Context, warehouse string, limit int) ([]domain.ManifestSummary, error)
	PrintLog(ctx context.Context, limit int) ([]domain.PrintRecord, error)
	Dispatch(ctx context.Context, parcelIDs []int64, carrier string) (int64, error)
	// HandOverScanned dispatches the parcels whose labels their carriers
	// have scanned, in the warehouses the person works in.
	HandOverScanned(ctx context.Context) (handed []int64, problems []string, err error)
	ManifestPDF(ctx context.Context, id int64, w io.Writer) error
	Printed(ctx context.Context, document, ref string, size int) error
	SetProductCustoms(ctx context.Context, sku, hs string, origin domain.Country, weight domain.Grams) error
	SetShipPhone(ctx context.Context, orderID int64, phone string) error
	SetShipAddress(ctx context.Context, orderID int64, to domain.Address, why string) error
	// Printers are this computer's print queues; PrintLabels sends the
	// parcels' labels to a thermal printer's queue as ZPL.
	Printers(ctx context.Context) ([]domain.Printer, error)
	PrintLabels(ctx context.Context, printer string, waveID int64, ids []int64) (job string, labels int, err error)
}

// ShippingSettingsService is the Settings panel.
type ShippingSettingsService interface {
	ShippingSettings(ctx context.Context) (domain.ShippingSettings, error)
	SetShippingSettings(ctx context.Context, set domain.ShippingSettings) error
}

// Service is what the Warehouse screen needs: receiving, putaway,
// transfers, counts, adjustments and stock import; app.InventoryService implements it.
type Service interface {
	uikit.Clock
	Warehouses(ctx context.Context) ([]domain.Warehouse, error)
	Zones(ctx context.Context, warehouseID int64) ([]string, error)
	ReceivingService
	StockMoveService
	CountService
	WaveService
	ShipService
	ShippingSettingsService
}
