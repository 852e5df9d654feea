package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/portolan/portolan/domain"
)

// demoPickups are the demo warehouses' daily carrier pickups (local time).
var demoPickups = map[string][]domain.Pickup{
	"NL-VEN": {{Carrier: "DHL", At: 16 * 60}, {Carrier: "UPS", At: 17*60 + 30}},
	"DE-LEJ": {{Carrier: "DHL", At: 17 * 60}},
	"GB-DAV": {{Carrier: "DHL", At: 15*60 + 30}, {Carrier: "UPS", At: 17 * 60}},
	"US-NJE": {{Carrier: "UPS", At: 17 * 60}, {Carrier: "FedEx", At: 18 * 60}, {Carrier: "USPS", At: 15 * 60}},
	"US-ONT": {{Carrier: "UPS", At: 16*60 + 30}, {Carrier: "FedEx", At: 18 * 60}},
	"JP-ICH": {{Carrier: "DHL", At: 15 * 60}},
	"AU-SYD": {{Carrier: "DHL", At: 14*60 + 30}},
}

// demoHolidays are public holidays the demo warehouses close on, by
// country, as month-day: the year is the demo's and the next.
var demoHolidays = map[domain.Country][]struct{ day, name string }{
	"NL": {{"01-01", "Nieuwjaarsdag"}, {"04-27", "Koningsdag"}, {"12-25", "Eerste Kerstdag"}, {"12-26", "Tweede Kerstdag"}},
	"DE": {{"01-01", "Neujahr"}, {"05-01", "Tag der Arbeit"}, {"10-03", "Tag der Deutschen Einheit"}, {"12-25", "1. Weihnachtstag"}, {"12-26", "2. Weihnachtstag"}},
	"GB": {{"01-01", "New Year's Day"}, {"12-25", "Christmas Day"}, {"12-26", "Boxing Day"}},
	"US": {{"01-01", "New Year's Day"}, {"07-04", "Independence Day"}, {"12-25", "Christmas Day"}},
	"JP": {{"01-01", "元日"}, {"01-02", "年始休業"}, {"01-03", "年始休業"}, {"11-03", "文化の日"}, {"11-23", "勤労感謝の日"}},
	"AU": {{"01-01", "New Year's Day"}, {"01-26", "Australia Day"}, {"12-25", "Christmas Day"}, {"12-26", "Boxing Day"}},
}

// seedPromises gives the demo its ship-by promises: each channel's (the EU
// shop ships the same day before 14:00, its Express orders before 16:00),
// and each warehouse's carrier pickups and public holidays.
func (a *App) seedPromises(ctx context.Context, until time.Time) error {
	rules := map[string]domain.ChannelShipRule{
		"SHOP-EU": {Rule: domain.ShipRule{Cutoff: 14 * 60}, Services: map[string]domain.ShipRule{"Express": {Cutoff: 16 * 60}}},
		"WOO-AM":  {Rule: domain.ShipRule{WithinDays: 1}},
		"BC-APAC": {Rule: domain.ShipRule{Cutoff: 12 * 60, WithinDays: 1}},
	}
	if err := a.db.PromiseStore().UpdateShipRules(ctx, func(rs *domain.ShipRules) error {
		rs.Channels = rules
		return nil
	}); err != nil {
		return err
	}
	whs, err := a.db.CatalogStore().Warehouses(ctx)
	if err != nil {
		return err
	}
	for _, w := range whs {
		var hs []domain.Holiday
		for _, y := range []int{until.Year(), until.Year() + 1} {
			for _, h := range demoHolidays[w.Address.Country] {
				hs = append(hs, domain.Holiday{Date: fmt.Sprintf("%d-%s", y, h.day), Name: h.name})
			}
		}
		err := a.db.PromiseStore().UpdateCalendar(ctx, w, func(c *domain.Calendar) error {
			c.Pickups, c.Holidays = demoPickups[w.Code], hs
			return nil
		})
		if err != nil {
			return fmt.Errorf("warehouse %s: %w", w.Code, err)
		}
	}
	return nil
}

// seedWorkday gives the demo's day its stock work: in the Venlo and
// Leipzig warehouses, the 20 SKUs with the least available (of those in
// stock) reach their reorder point; and inbounds are expected — one today
// in Venlo and in Edison, one two days late in Leipzig, one tomorrow in
// Ichikawa — each of two of the warehouse's SKUs.
func (a *App) seedWorkday(ctx context.Context, until time.Time) error {
	whs, err := a.db.CatalogStore().Warehouses(ctx)
	if err != nil {
		return err
	}
	byCode := map[string]domain.Warehouse{}
	for _, w := range whs {
		byCode[w.Code] = w
	}
	skus := map[string][]domain.SKUStock{}
	for _, code := range []string{"NL-VEN", "DE-LEJ", "US-NJE", "JP-ICH"} {
		totals, err := a.db.StockStore().StockTotals(ctx, code)
		if err != nil {
			return err
		}
		var in []domain.SKUStock
		for _, t := range totals {
			if t.Available() > 0 {
				in = append(in, t)
			}
		}
		slices.SortFunc(in, func(x, y domain.SKUStock) int {
			return cmp.Or(cmp.Compare(x.Available(), y.Available()), cmp.Compare(x.SKU, y.SKU))
		})
		skus[code] = in
	}
	for _, code := range []string{"NL-VEN", "DE-LEJ"} {
		for _, t := range skus[code][:min(20, len(skus[code]))] {
			if err := a.Inventory.SetPolicy(ctx, t.SKU, code, t.Available(), 3*t.Available()); err != nil {
				return fmt.Errorf("demo reorder point %s in %s: %w", t.SKU, code, err)
			}
		}
	}
	for i, e := range []struct {
		warehouse string
		days      int // from the warehouse's today
	}{{"NL-VEN", 0}, {"US-NJE", 0}, {"DE-LEJ", -2}, {"JP-ICH", 1}} {
		w, ok := byCode[e.warehouse]
		if !ok || len(skus[e.warehouse]) < 4 {
			continue
		}
		today, err := time.Parse(time.DateOnly, w.Today(until))
		if err != nil {
			return err
		}
		in := domain.Inbound{Warehouse: w.Code, Reference: fmt.Sprintf("PO-%d-%04d", until.Year(), 901+i*7), Supplier: "Hokuetsu Ceramics",
			ExpectedOn: today.AddDate(0, 0, e.days).Format(time.DateOnly)}
		for j, t := range skus[e.warehouse][2:4] {
			in.Lines = append(in.Lines, domain.InboundLine{SKU: t.SKU, Expected: domain.Quantity(24 * (j + 2))})
		}
		if err := a.Inventory.CreateInbound(ctx, &in); err != nil {
			return fmt.Errorf("demo inbound %s: %w", in.Reference, err)
		}
	}
	return nil
}
