package sqlite_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
)

// Ship-by promises are kept, read back as saved, and refused whole when a
// rule is wrong; a warehouse's calendar keeps its working days, holidays
// (named in any script) and pickups, in the warehouse's zone.
func TestShipPromisesRoundTrip(t *testing.T) {
	db := openTemp(t)
	ps := db.PromiseStore()
	rs, err := ps.ShipRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := rs.For("SHOP", "Express"); got != domain.DefaultShipRule {
		t.Errorf("no rules saved, but %+v", got)
	}
	want := domain.ShipRules{Channels: map[string]domain.ChannelShipRule{
		"SHOP": {Rule: domain.ShipRule{Cutoff: 14 * 60}, Services: map[string]domain.ShipRule{"Express": {Cutoff: 16 * 60}}},
		"B2B":  {Rule: domain.ShipRule{WithinDays: 3}},
	}}
	if err := ps.UpdateShipRules(ctx, func(rs *domain.ShipRules) error { *rs = want; return nil }); err != nil {
		t.Fatal(err)
	}
	bad := domain.ShipRules{Channels: map[string]domain.ChannelShipRule{"SHOP": {Rule: domain.ShipRule{Cutoff: 25 * 60}}}}
	if err := ps.UpdateShipRules(ctx, func(rs *domain.ShipRules) error { *rs = bad; return nil }); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("a cut-off at 25:00 was %v", err)
	}
	got, err := ps.ShipRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	if r := got.For("SHOP", " express "); r.Cutoff != 16*60 {
		t.Errorf("an express order of SHOP ships by %+v", r)
	}
	if r := got.For("SHOP", "Standard"); r.Cutoff != 14*60 {
		t.Errorf("a standard order of SHOP ships by %+v", r)
	}

	wh := domain.Warehouse{Code: "JP-ICH", Name: "市川倉庫", TimeZone: "Asia/Tokyo",
		Address: domain.Address{Name: "ポルトラン株式会社", Line1: "千葉県市川市塩浜2-1", City: "市川市", PostalCode: "272-0127", Country: "JP"}}
	if err := db.CatalogStore().CreateWarehouse(ctx, &wh); err != nil {
		t.Fatal(err)
	}
	c, err := ps.Calendar(ctx, wh)
	if err != nil {
		t.Fatal(err)
	}
	if c.Works != domain.WeekdaysOnly || c.Location.String() != "Asia/Tokyo" || len(c.Holidays)+len(c.Pickups) != 0 {
		t.Errorf("the calendar before any was saved: %+v", c)
	}
	c.Works[time.Saturday] = true
	c.Holidays = []domain.Holiday{{Date: "2027-01-01", Name: "元日"}, {Date: "2027-01-11", Name: "成人の日"}}
	c.Pickups = []domain.Pickup{{Carrier: "Yamato", At: 15 * 60}, {Carrier: "DHL", At: 17 * 60}}
	if err := ps.UpdateCalendar(ctx, wh, func(saved *domain.Calendar) error { *saved = c; return nil }); err != nil {
		t.Fatal(err)
	}
	none := c
	none.Works = [7]bool{}
	if err := ps.UpdateCalendar(ctx, wh, func(saved *domain.Calendar) error { *saved = none; return nil }); err == nil || !strings.Contains(err.Error(), "JP-ICH") {
		t.Errorf("a calendar without working days was %v", err)
	}
	back, err := ps.Calendar(ctx, wh)
	if err != nil {
		t.Fatal(err)
	}
	if back.Works != c.Works || !reflect.DeepEqual(back.Holidays, c.Holidays) || !reflect.DeepEqual(back.Pickups, c.Pickups) {
		t.Errorf("read back %+v, want %+v", back, c)
	}
	// New Year's Eve, after the cut-off: 1 January is a holiday, the 2nd
	// a Saturday this warehouse works.
	placed := time.Date(2026, 12, 31, 8, 0, 0, 0, time.UTC) // 17:00 in Tokyo
	by, err := back.ShipBy(placed, got.For("SHOP", ""), "Yamato")
	if err != nil {
		t.Fatal(err)
	}
	if s := by.In(back.Location).Format("2006-01-02 15:04"); s != "2027-01-02 15:00" {
		t.Errorf("ship by %s, want 2027-01-02 15:00", s)
	}
}

// A damaged saved document is reported, with what to do, not read as
// something else.
func TestShipPromisesDamaged(t *testing.T) {
	db := openTemp(t)
	wh := domain.Warehouse{Code: "NL-VEN", Name: "Venlo", TimeZone: "Europe/Amsterdam",
		Address: domain.Address{Name: "Portolan BV", Line1: "Dock 1", City: "Venlo", PostalCode: "5928 LZ", Country: "NL"}}
	if err := db.CatalogStore().CreateWarehouse(ctx, &wh); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO settings (key, value) VALUES ('ship_rules', '{"channels": [1, 2]}')`,
		`INSERT INTO settings (key, value) VALUES ('calendar.NL-VEN', '{"works": ["Mon", "Caturday"]}')`,
	} {
		if err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.PromiseStore().ShipRules(ctx); err == nil || !strings.Contains(err.Error(), "set them again") {
		t.Errorf("damaged rules read as %v", err)
	}
	if _, err := db.PromiseStore().Calendar(ctx, wh); err == nil || !strings.Contains(err.Error(), "set it again") {
		t.Errorf("a damaged calendar read as %v", err)
	}
}

// Two people setting different channels' promises at once both keep their
// change: each update reads and writes the rules in one transaction.
func TestShipRulesUpdatedAtOnce(t *testing.T) {
	dbs := openClients(t, 2)
	const n = 10
	errs := make(chan error, 2*n)
	for i, db := range dbs {
		go func() {
			for k := range n {
				code := fmt.Sprintf("C%d-%d", i, k)
				errs <- db.PromiseStore().UpdateShipRules(ctx, func(rs *domain.ShipRules) error {
					if rs.Channels == nil {
						rs.Channels = map[string]domain.ChannelShipRule{}
					}
					rs.Channels[code] = domain.ChannelShipRule{Rule: domain.ShipRule{WithinDays: k}}
					return nil
				})
			}
		}()
	}
	for range 2 * n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	rs, err := dbs[0].PromiseStore().ShipRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Channels) != 2*n {
		t.Errorf("%d channels' promises kept, want %d: %v", len(rs.Channels), 2*n, rs.Channels)
	}
}
