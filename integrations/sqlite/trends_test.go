package sqlite_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
)

// The trends count per period: orders placed by channel, orders shipped by
// their ship-by per warehouse (those without a ship-by left out), parcels
// delivered by the carrier's estimate per carrier and destination; and the
// orders shipped without a ship-by are found with the warehouse they left.
func TestTrendsCountPerPeriod(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	b0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	day, hour := 24*time.Hour, time.Hour
	b1, b2 := b0.Add(7*day), b0.Add(14*day)
	type parcel struct {
		ch                      domain.Channel
		placed, shipped, shipBy time.Time
		wh                      domain.Warehouse
		eta, delivered          time.Time
		to                      string
	}
	ps := []parcel{
		{ch: f.channel, placed: b0.Add(day), shipped: b0.Add(day + 3*hour), shipBy: b0.Add(day + 5*hour), wh: f.warehouse, to: "DE"},
		{ch: f.channel, placed: b0.Add(2 * day), shipped: b0.Add(3 * day), shipBy: b0.Add(2*day + 5*hour), wh: f.warehouse, to: "FR"},
		{ch: f.otherChan, placed: b1.Add(day), shipped: b1.Add(day + hour), shipBy: b1.Add(2 * day), wh: f.otherHouse, to: "JP",
			eta: b1.Add(4 * day), delivered: b1.Add(3 * day)},
		{ch: f.otherChan, placed: b1.Add(2 * day), shipped: b1.Add(2*day + hour), wh: f.otherHouse, to: "JP",
			eta: b1.Add(3 * day), delivered: b1.Add(6 * day)},
		{ch: f.channel, placed: b0.Add(-day), shipped: b0.Add(-day + hour), wh: f.warehouse, to: "DE"}, // before the periods
	}
	ids := make([]int64, len(ps))
	must(t, db.Bulk(ctx, func(w domain.BulkWriter) error {
		for i, p := range ps {
			o := order(p.ch.ID, "T"+string(rune('1'+i)), "#T"+string(rune('1'+i)), p.placed, "Ada", "ada@example.com", p.to, "EUR", "PRT-1")
			o.Status = domain.StatusShipped
			if !p.delivered.IsZero() {
				o.Status = domain.StatusDelivered
			}
			if err := w.AddOrder(o); err != nil {
				return err
			}
			ids[i] = o.ID
			s := domain.Shipment{OrderID: o.ID, WarehouseID: p.wh.ID, Carrier: "DHL", Tracking: "JD0146000" + string(rune('1'+i)),
				Destination: domain.Country(p.to), ShippedAt: p.shipped, ETA: p.eta, DeliveredAt: p.delivered}
			if !p.delivered.IsZero() {
				s.Milestone = domain.MilestoneDelivered
			}
			if err := w.AddShipment(&s, nil); err != nil {
				return err
			}
		}
		return nil
	}))
	by := map[int64]time.Time{}
	for i, p := range ps {
		if !p.shipBy.IsZero() {
			by[ids[i]] = p.shipBy
		}
	}
	must(t, db.PromiseStore().SetShipBy(ctx, by))

	bounds := []time.Time{b0, b1, b2}
	tr := db.TrendStore()
	placed, err := tr.OrdersPlaced(ctx, bounds)
	must(t, err)
	if want := []map[string]int{{"SHOP-EU": 2}, {"BC-APAC": 2}}; !reflect.DeepEqual(placed, want) {
		t.Errorf("placed %v, want %v", placed, want)
	}
	shipped, err := tr.ShippedOnTime(ctx, bounds)
	must(t, err)
	if want := []map[string]domain.Punctuality{{"NL-VEN": {Due: 2, OnTime: 1}}, {"JP-ICH": {Due: 1, OnTime: 1}}}; !reflect.DeepEqual(shipped, want) {
		t.Errorf("shipped %v, want %v", shipped, want)
	}
	delivered, err := tr.DeliveredOnTime(ctx, bounds)
	must(t, err)
	if want := []map[domain.Route]domain.Punctuality{{}, {{Carrier: "DHL", To: "JP"}: {Due: 2, OnTime: 1}}}; !reflect.DeepEqual(delivered, want) {
		t.Errorf("delivered %v, want %v", delivered, want)
	}
	// One period, and none.
	one, err := tr.OrdersPlaced(ctx, []time.Time{b0.Add(-2 * day), b2})
	must(t, err)
	if len(one) != 1 || one[0]["SHOP-EU"] != 3 || one[0]["BC-APAC"] != 2 {
		t.Errorf("one period %v", one)
	}
	if none, err := tr.ShippedOnTime(ctx, []time.Time{b0}); err != nil || len(none) != 0 {
		t.Errorf("no period: %v %v", none, err)
	}

	// Low stock: PRT-1 at its reorder point in Venlo, whose two orders of
	// the periods (2 units each) left from there; in Ichikawa, not low.
	must(t, db.LedgerStore().SetPolicy(ctx, "PRT-1", "NL-VEN", 5, 20))
	must(t, db.LedgerStore().SetPolicy(ctx, "PRT-2", "NL-VEN", 5, 20))
	low, err := db.StockStore().LowStock(ctx)
	must(t, err)
	if want := []domain.LowStock{{SKU: "PRT-1", Warehouse: "NL-VEN", ReorderPoint: 5}, {SKU: "PRT-2", Warehouse: "NL-VEN", ReorderPoint: 5}}; !reflect.DeepEqual(low, want) {
		t.Errorf("low stock %+v, want %+v", low, want)
	}
	units, err := db.StockStore().ShippedUnits(ctx, b0, []string{"PRT-1", "PRT-2"})
	must(t, err)
	// PRT-1: two orders from Venlo (and, in Ichikawa, two: not low there, but counted).
	if want := map[string]map[string]domain.Quantity{"PRT-1": {"NL-VEN": 4, "JP-ICH": 4}}; !reflect.DeepEqual(units, want) {
		t.Errorf("units shipped %v, want %v", units, want)
	}

	without, err := db.PromiseStore().ShippedWithoutShipBy(ctx, b0)
	must(t, err)
	if len(without) != 1 || without[0].ID != ids[3] || !reflect.DeepEqual(without[0].Warehouses, []string{"JP-ICH"}) || without[0].Channel != "BC-APAC" {
		t.Errorf("shipped without a ship-by: %+v", without)
	}
}
