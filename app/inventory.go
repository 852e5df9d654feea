package app

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/portolan/portolan/domain"
)

// InventoryService reads stock per product, warehouse, bin and lot, and
// changes it only through the ledger: adjustments, transfers, reservations.
// Reads that add nothing to the store's are its read ports, as they are.
type InventoryService struct {
	domain.StockStore   // stock, transfers, inbounds, counts, waves, parcels, manifests
	domain.PutawayReads // what waits to be put away, and where
	domain.CatalogStore // warehouses
	ledger              domain.LedgerStore
	orders              domain.OrderStore // to find orders by number (tracking imports)
	// stockIn runs after stock arrived (backorders may now ship); nil: nothing.
	stockIn func(ctx context.Context)
	// billable starts the accrual of charges after parcels left or stock
	// arrived, in the background (as of the time given); nil: nothing.
	billable  func(at time.Time)
	readTable domain.TableReader
	docs      domain.Documents
	thermal   domain.ThermalLabels
	printing  domain.Printing // this computer's printers (a thermal printer's raw queue)
	// carrierLabels are the labels bought from carriers for parcels, with
	// their files (LabelService.LabelFiles): the print job prints those.
	carrierLabels func(ctx context.Context, parcelIDs []int64) (map[int64]domain.Label, error)
	// labelScans are the labels carriers scanned (HandOverScanned); workIn
	// the codes of the warehouses the person works in (nil: every one).
	labelScans domain.LabelScanStore
	workIn     []string
	clocked    // the App's clock
}

// arrived calls stockIn after a successful operation that brought stock in.
func (s *InventoryService) arrived(ctx context.Context, err error) {
	if err == nil && s.stockIn != nil {
		s.stockIn(ctx)
	}
}

// Adjust corrects one bin's stock with a reason.
func (s *InventoryService) Adjust(ctx context.Context, a domain.Adjustment) (domain.Movement, error) {
	m, err := s.ledger.Adjust(ctx, a)
	if a.Qty > 0 {
		s.arrived(ctx, err)
	}
	return m, err
}

// SendTransfer sends stock from one warehouse to another; it is in transit
// until the destination receives it.
func (s *InventoryService) SendTransfer(ctx context.Context, t *domain.Transfer) error {
	return s.ledger.SendTransfer(ctx, t)
}

// ReceiveTransfer confirms a transfer at its destination.
func (s *InventoryService) ReceiveTransfer(ctx context.Context, id int64) (domain.Transfer, error) {
	t, err := s.ledger.ReceiveTransfer(ctx, id)
	s.arrived(ctx, err)
	return t, err
}

// Reserve promises stock of a warehouse to an order; refused when not available.
func (s *InventoryService) Reserve(ctx context.Context, r *domain.Reservation) error {
	return s.ledger.Reserve(ctx, r)
}

// Release gives a reservation back to available stock.
func (s *InventoryService) Release(ctx context.Context, id int64) error {
	return s.ledger.ReleaseReservation(ctx, id)
}

// SetPolicy sets the reorder point and target level of a SKU in a warehouse.
func (s *InventoryService) SetPolicy(ctx context.Context, sku, warehouse string, reorderPoint, target domain.Quantity) error {
	return s.ledger.SetPolicy(ctx, sku, warehouse, reorderPoint, target)
}

// Verify recomputes balances and totals from the ledger and lists differences.
func (s *InventoryService) Verify(ctx context.Context) ([]domain.Discrepancy, error) {
	return s.ledger.Verify(ctx)
}

// PreviewStockImport reads a CSV/XLSX stock snapshot (SKU, warehouse, bin,
// quantity[, lot, expiry]) and checks every row, writing nothing.
func (s *InventoryService) PreviewStockImport(path, sheet string) (domain.StockImportPreview, error) {
	t, err := s.readTable(path, sheet)
	if err != nil {
		return domain.StockImportPreview{}, err
	}
	rows, problems, err := domain.ParseStockSnapshot(t.Headers, t.Rows)
	if err != nil {
		return domain.StockImportPreview{}, err
	}
	return domain.StockImportPreview{Path: path, Sheet: t.Sheet, Rows: rows, Problems: problems}, nil
}

// ImportStock posts a previewed snapshot: each bin is adjusted to the file's
// quantity (reason stock_import), so the ledger explains every number. Rows
// the store refuses are added to the preview's problems.
func (s *InventoryService) ImportStock(ctx context.Context, p domain.StockImportPreview) (domain.SnapshotResult, error) {
	res, err := s.ledger.PostSnapshot(ctx, p.Rows, domain.ReasonStockImport, "stock import "+filepath.Base(p.Path))
	s.arrived(ctx, err)
	if err != nil {
		return res, err
	}
	res.Problems = append(append([]domain.RowProblem(nil), p.Problems...), res.Problems...)
	sort.SliceStable(res.Problems, func(i, j int) bool { return res.Problems[i].RowNumber < res.Problems[j].RowNumber })
	return res, nil
}

// CreateInbound records an expected delivery (purchase order or ASN).
func (s *InventoryService) CreateInbound(ctx context.Context, in *domain.Inbound) error {
	return s.ledger.CreateInbound(ctx, in)
}

// Receive books goods into a warehouse's RECEIVING bin, against an inbound or ad hoc.
func (s *InventoryService) Receive(ctx context.Context, r domain.Receipt) ([]domain.ReceivedLine, error) {
	lines, err := s.ledger.Receive(ctx, r)
	s.arrived(ctx, err)
	if err == nil && s.billable != nil {
		s.billable(s.now())
	}
	return lines, err
}

// CloseInbound closes an inbound with whatever is still short.
func (s *InventoryService) CloseInbound(ctx context.Context, id int64) error {
	return s.ledger.CloseInbound(ctx, id)
}

// Putaway moves received stock to a storage bin.
func (s *InventoryService) Putaway(ctx context.Context, p domain.Putaway) error {
	return s.ledger.Putaway(ctx, p)
}

// CreateCount starts a blind count of a zone or of some bins.
func (s *InventoryService) CreateCount(ctx context.Context, warehouse, zone string, bins []string) (domain.Count, error) {
	return s.ledger.CreateCount(ctx, warehouse, zone, bins)
}

// RecordCount enters a counted quantity.
func (s *InventoryService) RecordCount(ctx context.Context, id int64, bin, sku, lot string, counted domain.Quantity) error {
	return s.ledger.RecordCount(ctx, id, bin, sku, lot, counted)
}

// PostCount posts a count's differences as adjustments.
func (s *InventoryService) PostCount(ctx context.Context, id int64) (domain.CountResult, error) {
	res, err := s.ledger.PostCount(ctx, id)
	s.arrived(ctx, err)
	return res, err
}

// CancelCount drops an open count.
func (s *InventoryService) CancelCount(ctx context.Context, id int64) error {
	return s.ledger.CancelCount(ctx, id)
}

// PreviewInboundImport reads expected deliveries from a CSV/XLSX file (one
// row per line, grouped by PO/ASN number) and checks them, writing nothing.
// Rows without a warehouse column go to warehouse.
func (s *InventoryService) PreviewInboundImport(path, sheet, warehouse string) (domain.InboundImportPreview, error) {
	t, err := s.readTable(path, sheet)
	if err != nil {
		return domain.InboundImportPreview{}, err
	}
	ins, problems, err := domain.ParseInbounds(t.Headers, t.Rows, warehouse)
	if err != nil {
		return domain.InboundImportPreview{}, err
	}
	return domain.InboundImportPreview{Path: path, Inbounds: ins, Problems: problems}, nil
}

// ImportInbounds records the previewed inbounds, each in its own
// transaction; one that cannot be recorded (a reference already used, an
// unknown SKU) is reported and the others are recorded.
func (s *InventoryService) ImportInbounds(ctx context.Context, p domain.InboundImportPreview) (created int, problems []string, err error) {
	for _, pr := range p.Problems {
		problems = append(problems, pr.String())
	}
	for i := range p.Inbounds {
		in := p.Inbounds[i]
		if err := s.ledger.CreateInbound(ctx, &in); err != nil {
			if domain.ErrorCode(err) == domain.EINTERNAL {
				return created, problems, err
			}
			problems = append(problems, fmt.Sprintf("%s: %v", in.Reference, err))
			continue
		}
		created++
	}
	return created, problems, nil
}

// Move moves stock between two bins of a warehouse.
func (s *InventoryService) Move(ctx context.Context, sku, warehouse, from, to, lot string, qty domain.Quantity) error {
	return s.ledger.Move(ctx, sku, warehouse, from, to, lot, qty)
}

// Return books a customer's return into RECEIVING.
func (s *InventoryService) Return(ctx context.Context, sku, warehouse, lot string, qty domain.Quantity, note string) error {
	err := s.ledger.Return(ctx, sku, warehouse, lot, qty, note)
	s.arrived(ctx, err)
	return err
}

// SetLotTracked turns lot and expiry tracking of a product on or off.
func (s *InventoryService) SetLotTracked(ctx context.Context, sku string, on bool) error {
	return s.ledger.SetLotTracked(ctx, sku, on)
}
