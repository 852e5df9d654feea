package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// CreateWave takes allocated orders of a warehouse into a pick wave.
func (s *InventoryService) CreateWave(ctx context.Context, warehouse string, f domain.WaveFilter) (domain.Wave, error) {
	return s.ledger.CreateWave(ctx, warehouse, f)
}

// PickList writes a wave's pick list PDF on paper ("A4" or "Letter"), dates
// in the local time zone.
func (s *InventoryService) PickList(ctx context.Context, id int64, paper string, w io.Writer) error {
	wave, err := s.StockStore.Wave(ctx, id)
	if err != nil {
		return err
	}
	return s.docs.PickList(w, wave, paper, time.Local)
}

// ConfirmPick records a picked quantity and returns the shortfall.
func (s *InventoryService) ConfirmPick(ctx context.Context, lineID int64, picked domain.Quantity) (domain.Quantity, error) {
	return s.ledger.ConfirmPick(ctx, lineID, picked)
}

// PickFromNextBin adds a pick for a short line from the next bin with stock.
func (s *InventoryService) PickFromNextBin(ctx context.Context, lineID int64) (domain.PickLine, error) {
	return s.ledger.PickFromNextBin(ctx, lineID)
}

// ShortToAllocation sends a short pick's shortfall back to allocation.
func (s *InventoryService) ShortToAllocation(ctx context.Context, lineID int64) error {
	return s.ledger.ShortToAllocation(ctx, lineID)
}

// Pack puts what was picked of an order in a warehouse into one parcel.
func (s *InventoryService) Pack(ctx context.Context, orderID int64, warehouse, box string, weight domain.Grams, scanned map[string]domain.Quantity) (int64, error) {
	return s.ledger.Pack(ctx, orderID, warehouse, box, weight, scanned)
}

// SetTracking records a parcel's carrier and tracking number (an empty
// carrier keeps the parcel's). The number is checked for the carrier's
// format and check digit (any known format when the carrier is not one
// Portolan knows) and rejected with the reason when it fails.
func (s *InventoryService) SetTracking(ctx context.Context, parcelID int64, carrier, tracking string) error {
	name := strings.TrimSpace(carrier)
	if name == "" {
		ps, err := s.StockStore.Parcels(ctx, []int64{parcelID})
		if err != nil {
			return err
		}
		name = ps[0].Carrier
	}
	number, err := domain.ValidateTracking(domain.CarrierKindOf(name), tracking)
	if err != nil {
		return err
	}
	return s.ledger.SetTracking(ctx, parcelID, carrier, number)
}

// Preflight checks a wave's parcels before their documents print.
func (s *InventoryService) Preflight(ctx context.Context, waveID int64) ([]domain.PackedParcel, []domain.PreflightProblem, error) {
	return s.PreflightParcels(ctx, waveID, nil)
}

// PreflightParcels checks parcels before their documents print: a wave's
// (ids nil), the given ones of a wave, or (wave 0) the given ones.
func (s *InventoryService) PreflightParcels(ctx context.Context, waveID int64, ids []int64) ([]domain.PackedParcel, []domain.PreflightProblem, error) {
	parcels, err := s.selectParcels(ctx, waveID, ids)
	if err != nil {
		return nil, nil, err
	}
	var problems []domain.PreflightProblem
	for _, p := range parcels {
		problems = append(problems, domain.Preflight(p)...)
	}
	return parcels, problems, nil
}

func (s *InventoryService) selectParcels(ctx context.Context, waveID int64, ids []int64) ([]domain.PackedParcel, error) {
	var parcels []domain.PackedParcel
	var err error
	if waveID > 0 {
		if parcels, err = s.StockStore.ParcelsOfWave(ctx, waveID); err != nil {
			return nil, err
		}
		if len(parcels) == 0 {
			return nil, domain.Errorf(domain.ENOTFOUND, "wave %d has no packed parcels yet", waveID)
		}
		if ids == nil {
			return parcels, nil
		}
		want := map[int64]bool{}
		for _, id := range ids {
			want[id] = true
		}
		var out []domain.PackedParcel
		for _, p := range parcels {
			if want[p.ID] {
				out = append(out, p)
				delete(want, p.ID)
			}
		}
		for _, id := range ids {
			if want[id] {
				return nil, domain.Errorf(domain.ENOTFOUND, "parcel %d is not in wave %d", id, waveID)
			}
		}
		return out, nil
	}
	if len(ids) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "choose the parcels to print")
	}
	return s.StockStore.Parcels(ctx, ids)
}

// Documents writes one PDF for parcels — a wave's (ids nil), or the given
// ones, in parcel order: label, customs papers, packing slip per parcel —
// or nothing when pre-flight finds a problem. thermal counts the carrier
// labels left out because they are ZPL (for the thermal printer).
func (s *InventoryService) Documents(ctx context.Context, waveID int64, ids []int64, labelPaper string, w io.Writer) (thermal int, err error) {
	parcels, problems, err := s.PreflightParcels(ctx, waveID, ids)
	if err != nil {
		return 0, err
	}
	if len(problems) > 0 {
		return 0, &domain.PreflightError{Problems: problems}
	}
	// The date printed is the packing time of the first parcel, so that a
	// reprint is the same document.
	at := parcels[0].PackedAt
	set, err := s.StockStore.ShippingSettings(ctx)
	if err != nil {
		return 0, err
	}
	carrier, err := s.boughtLabels(ctx, parcels)
	if err != nil {
		return 0, err
	}
	for _, l := range carrier {
		if l.IsZPL() && labelPaper != domain.NoLabels {
			thermal++
		}
	}
	return thermal, s.docs.Job(w, parcels, labelPaper, set, at, carrier)
}

// boughtLabels are the carrier labels bought for parcels, with their files.
func (s *InventoryService) boughtLabels(ctx context.Context, parcels []domain.PackedParcel) (map[int64]domain.Label, error) {
	if s.carrierLabels == nil {
		return nil, nil
	}
	ids := make([]int64, len(parcels))
	for i, p := range parcels {
		ids[i] = p.ID
	}
	return s.carrierLabels(ctx, ids)
}

// ThermalLabels writes the labels of a wave's parcels (or the chosen ones)
// for a thermal printer, as ZPL: each parcel's carrier label where one was
// bought, else Portolan's own. The parcels pass the same pre-flight as the
// print job.
func (s *InventoryService) ThermalLabels(ctx context.Context, waveID int64, ids []int64, w io.Writer) error {
	parcels, problems, err := s.PreflightParcels(ctx, waveID, ids)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return &domain.PreflightError{Problems: problems}
	}
	carrier, err := s.boughtLabels(ctx, parcels)
	if err != nil {
		return err
	}
	return s.thermal.Labels(w, parcels, carrier)
}

// Printers are this computer's print queues.
func (s *InventoryService) Printers(ctx context.Context) ([]domain.Printer, error) {
	return s.printing.Printers(ctx)
}

// PrintLabels sends the labels of a wave's parcels (or the chosen ones) to
// a thermal printer's queue as ZPL (ThermalLabels), and says the print
// system's job and how many labels went.
func (s *InventoryService) PrintLabels(ctx context.Context, printer string, waveID int64, ids []int64) (job string, labels int, err error) {
	var b bytes.Buffer
	if err := s.ThermalLabels(ctx, waveID, ids, &b); err != nil {
		return "", 0, err
	}
	title := fmt.Sprintf("Portolan labels, wave %d", waveID)
	if waveID == 0 {
		title = fmt.Sprintf("Portolan labels, %d parcel(s)", len(ids))
	}
	job, err = s.printing.PrintRaw(ctx, printer, title, b.Bytes())
	return job, bytes.Count(b.Bytes(), []byte("^XZ")), err
}

// PackingSlip writes one parcel's packing slip on the documents paper.
func (s *InventoryService) PackingSlip(ctx context.Context, parcelID int64, w io.Writer) error {
	ps, err := s.StockStore.Parcels(ctx, []int64{parcelID})
	if err != nil {
		return err
	}
	set, err := s.StockStore.ShippingSettings(ctx)
	if err != nil {
		return err
	}
	return s.docs.PackingSlip(w, ps[0], set)
}

// Dispatch hands packed parcels to a carrier for today's manifest.
func (s *InventoryService) Dispatch(ctx context.Context, parcelIDs []int64, carrier string) (int64, error) {
	return s.dispatchAt(ctx, parcelIDs, carrier, s.now())
}

// HandOverScanned dispatches the packed parcels whose labels their carriers
// have scanned (a poll noted it), in the warehouses the person may work
// in: each with its label's carrier, dated at the scan (never before the
// label was bought), one warehouse, carrier and scan minute at a time (a
// collection's parcels are scanned together). A refused batch is tried
// again parcel by parcel, so that one parcel that cannot leave (its order
// cancelled) keeps back none of the others; problems name those.
func (s *InventoryService) HandOverScanned(ctx context.Context) (handed []int64, problems []string, err error) {
	scanned, err := s.labelScans.ScannedLabels(ctx)
	if err != nil {
		return nil, nil, err
	}
	type batch struct {
		warehouse int64
		carrier   string
		at        time.Time
	}
	batches := map[batch][]int64{}
	var order []batch
	for _, l := range scanned {
		if s.workIn != nil && !slices.Contains(s.workIn, l.WarehouseCode) {
			continue
		}
		at := l.ScannedAt.Truncate(time.Minute)
		if at.Before(l.BoughtAt) {
			at = l.BoughtAt
		}
		b := batch{l.WarehouseID, l.Carrier, at}
		if batches[b] == nil {
			order = append(order, b)
		}
		batches[b] = append(batches[b], l.ParcelID)
	}
	for _, b := range order {
		ids := batches[b]
		if _, err := s.dispatchAt(ctx, ids, b.carrier, b.at); err == nil {
			handed = append(handed, ids...)
			continue
		}
		for _, id := range ids {
			if _, err := s.dispatchAt(ctx, []int64{id}, b.carrier, b.at); err != nil {
				problems = append(problems, fmt.Sprintf("parcel %d, which %s has scanned, could not be handed over: %v", id, b.carrier, err))
				continue
			}
			handed = append(handed, id)
		}
	}
	return handed, problems, nil
}

// dispatchAt records parcels handed to a carrier at a time (earlier for a
// carrier's first scan seen by a later poll): on that day's manifest,
// shipped at that time.
func (s *InventoryService) dispatchAt(ctx context.Context, parcelIDs []int64, carrier string, at time.Time) (int64, error) {
	m, err := s.ledger.Dispatch(ctx, parcelIDs, carrier, at)
	if err == nil && s.billable != nil {
		s.billable(s.now())
	}
	return m, err
}

// ManifestPDF writes a manifest.
func (s *InventoryService) ManifestPDF(ctx context.Context, id int64, w io.Writer) error {
	m, err := s.StockStore.Manifest(ctx, id)
	if err != nil {
		return err
	}
	return s.docs.Manifest(w, m)
}

// Printed records a printed document in the reprint log; the store records
// who printed it (the computer's user, or on a team database the person's
// login), as for every order status change and stock movement.
func (s *InventoryService) Printed(ctx context.Context, document, ref string, size int) error {
	return s.ledger.LogPrint(ctx, domain.PrintRecord{At: s.now(), Document: document, Ref: ref, Bytes: size})
}

// SetShippingSettings saves them.
func (s *InventoryService) SetShippingSettings(ctx context.Context, set domain.ShippingSettings) error {
	return s.ledger.SetShippingSettings(ctx, set)
}

// SetProductCustoms fixes a product's HS code, origin and weight.
func (s *InventoryService) SetProductCustoms(ctx context.Context, sku, hs string, origin domain.Country, weight domain.Grams) error {
	return s.ledger.SetProductCustoms(ctx, sku, hs, origin, weight)
}

// SetShipAddress corrects where an order not yet shipped goes, after a
// carrier refused its address (domain.DocumentSettingsStore).
func (s *InventoryService) SetShipAddress(ctx context.Context, orderID int64, to domain.Address, why string) error {
	return s.ledger.SetShipAddress(ctx, orderID, to, why)
}

// SetShipPhone fixes an order's recipient phone.
func (s *InventoryService) SetShipPhone(ctx context.Context, orderID int64, phone string) error {
	return s.ledger.SetShipPhone(ctx, orderID, phone)
}

// ImportTracking reads tracking numbers from a CSV/XLSX file (parcel or
// order number, tracking number, carrier) and records each; rows that cannot
// be recorded are returned as problems, the others are recorded.
func (s *InventoryService) ImportTracking(ctx context.Context, path string) (int, []string, error) {
	t, err := s.readTable(path, "")
	if err != nil {
		return 0, nil, err
	}
	rows, problems, err := domain.ParseTracking(t.Headers, t.Rows)
	if err != nil {
		return 0, nil, err
	}
	var out []string
	for _, p := range problems {
		out = append(out, p.String())
	}
	n := 0
	for _, r := range rows {
		id := r.Parcel
		if id == 0 {
			id, err = s.parcelOfOrder(ctx, r.Order)
			if err != nil {
				out = append(out, fmt.Sprintf("row %d: %v", r.Row, err))
				continue
			}
		}
		if err := s.SetTracking(ctx, id, r.Carrier, r.Tracking); err != nil {
			out = append(out, fmt.Sprintf("row %d: %v", r.Row, err))
			continue
		}
		n++
	}
	return n, out, nil
}

// parcelOfOrder is the one parcel of an order without a tracking number yet.
func (s *InventoryService) parcelOfOrder(ctx context.Context, number string) (int64, error) {
	page, err := s.orders.OrderSummaries(ctx, domain.OrderFilter{Search: number}, 0, 20)
	if err != nil {
		return 0, err
	}
	for _, o := range page {
		if o.Number != number {
			continue
		}
		parcels, err := s.StockStore.ParcelsOfOrder(ctx, o.ID)
		if err != nil {
			return 0, err
		}
		var open []int64
		for _, p := range parcels {
			if p.Tracking == "" {
				open = append(open, p.ID)
			}
		}
		switch len(open) {
		case 0:
			return 0, domain.Errorf(domain.ENOTFOUND, "order %s has no parcel waiting for a tracking number", number)
		case 1:
			return open[0], nil
		}
		return 0, domain.Errorf(domain.EINVALID, "order %s has %d parcels without tracking: give the parcel number", number, len(open))
	}
	return 0, domain.Errorf(domain.ENOTFOUND, "no order numbered %q", number)
}
