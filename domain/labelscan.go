package domain

import (
	"context"
	"time"
)

// Tracking starts when a label is bought: from then on the poller asks the
// label's carrier about its number, as it does for parcels on their way.
// Until the carrier scans the parcel, the label is only data the carrier
// holds ("label created"); nothing is charged and no exception is raised for
// a parcel still on the pack bench, and the label can still be voided. The
// carrier's first scan (picked up, or anything after it) is the hand-over:
// the parcel is dispatched with that carrier and followed as a shipment,
// whether or not anyone pressed "Hand to carrier".

// AwaitingLabel is a bought label whose parcel is still packed.
type AwaitingLabel struct {
	PurchaseID    int64
	ParcelID      int64
	WarehouseID   int64
	WarehouseCode string
	OrderNumber   string
	Carrier       string
	Tracking      string
	BoughtAt      time.Time
	Polls         int // polls that found no scan yet
	// ScannedAt is the carrier's first scan, zero until there is one; Scan
	// is the carrier's words for it.
	ScannedAt time.Time
	Scan      string
}

// LabelPoll is what one poll found of a label.
type LabelPoll struct {
	PurchaseID int64
	// ScannedAt and Scan are the carrier's first scan (zero: none yet).
	ScannedAt time.Time
	Scan      string
	Next      time.Time // when to ask again (unused once scanned)
	Error     string    // why the carrier could not be asked ("" when it was)
}

// FirstScan is the carrier's first scan of a parcel: the earliest event
// past "label created" (the carrier has the parcel), or, where the carrier
// gives a milestone without events, the answer itself at now.
func (r TrackResult) FirstScan(now time.Time) (TrackEvent, bool) {
	var first TrackEvent
	found := false
	for _, e := range r.Events {
		if !e.Milestone.Scanned() {
			continue
		}
		if !found || e.At.Before(first.At) {
			first, found = e, true
		}
	}
	if !found && len(r.Events) == 0 && r.NotFound == "" && r.Milestone.Scanned() {
		return TrackEvent{At: now, Text: r.Status, Milestone: r.Milestone}, true
	}
	return first, found
}

// Scanned reports whether a parcel at the milestone has been in the
// carrier's hands.
func (m Milestone) Scanned() bool {
	return m != "" && m != MilestoneLabelCreated && m != MilestoneUnknown
}

// LabelPollOf is what a carrier's answer about a label means: its first
// scan, or when to ask again.
func (p TrackingPolicy) LabelPollOf(l AwaitingLabel, r TrackResult, now time.Time) LabelPoll {
	lp := LabelPoll{PurchaseID: l.PurchaseID}
	if e, ok := r.FirstScan(now); ok {
		lp.ScannedAt, lp.Scan = e.At, e.Text
		if lp.Scan == "" {
			lp.Scan = e.Milestone.Label()
		}
		return lp
	}
	lp.Next = p.NextPoll(now, MilestoneLabelCreated, l.Polls)
	return lp
}

// LabelScanStore keeps what carriers said of labels not yet handed over.
type LabelScanStore interface {
	// LabelsAwaitingScan are the bought labels of packed parcels that no
	// carrier has scanned yet and that are due at now (every one with
	// f.All; with f.Carrier, that carrier's): a label is first due
	// firstPoll after it was bought.
	LabelsAwaitingScan(ctx context.Context, now time.Time, firstPoll time.Duration, f DueFilter) ([]AwaitingLabel, error)
	// RecordLabelPolls notes what each poll found.
	RecordLabelPolls(ctx context.Context, polls []LabelPoll, now time.Time) error
	// ScannedLabels are the labels a carrier scanned whose parcels are
	// still packed: they are to be handed over.
	ScannedLabels(ctx context.Context) ([]AwaitingLabel, error)
	// ParcelShipments are the shipments of parcels, by parcel.
	ParcelShipments(ctx context.Context, parcelIDs []int64) (map[int64]int64, error)
}
