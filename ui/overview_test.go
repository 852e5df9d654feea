package ui_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui"
)

// The Overview opens first, and every tile counts what the screen it opens
// lists: tapping it shows that screen, filtered, with the same count.
func TestOverviewTilesOpenTheirScreens(t *testing.T) {
	a := demoAppOf(t, app.DemoOptions{Orders: 600, Billing: true})
	ctx := context.Background()
	// Orders ship the day they are placed, and every warehouse's pickup is
	// at half past midnight: the orders placed before today are late.
	chans, err := a.Intake.Channels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chans {
		if err := a.Promises.SetChannelRule(ctx, ch.Code, "", domain.ShipRule{}); err != nil {
			t.Fatal(err)
		}
	}
	whs, err := a.Inventory.Warehouses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range whs {
		if err := a.Promises.SetPickup(ctx, w.Code, "DHL", 30); err != nil {
			t.Fatal(err)
		}
		// Every day a working day: the test passes on any day of the week.
		if err := a.Promises.SetWorkdays(ctx, w.Code, [7]bool{true, true, true, true, true, true, true}); err != nil {
			t.Fatal(err)
		}
	}
	// The new orders allocated: the warehouses have late orders of their own.
	plan, err := a.Allocation.Plan(ctx, domain.OrderFilter{Status: domain.StatusNew}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Allocation.Commit(ctx, plan); err != nil {
		t.Fatal(err)
	}
	a.Wait()
	m := openWindow(t, a)
	if got := m.Tabs.Selected().Text; got != "Overview" {
		t.Fatalf("the window opened on %s", got)
	}
	s := m.Overview
	late := 0
	for _, w := range s.Last.Warehouses {
		late += w.Late
	}
	if s.Last.Orders.Late == 0 || late == 0 {
		t.Fatalf("%d late orders, %d of them allocated: the test needs some of both", s.Last.Orders.Late, late)
	}
	opened, nonzero := 0, 0
	// showsOrders checks that what was opened (a tile, a cell) shows the
	// Orders screen, listing the n orders it counts.
	showsOrders := func(what string, n int) {
		t.Helper()
		if got := m.Tabs.Selected().Text; got != "Orders" {
			t.Errorf("%s opened %s", what, got)
		}
		if m.Orders.Count.Text != countLabel(n) {
			t.Errorf("%s counts %d, the Orders screen %q (filters %q %q %q)", what, n, m.Orders.Count.Text,
				m.Orders.Status.Selected, m.Orders.Due.Selected, m.Orders.Warehouse.Selected)
		}
	}
	for key, tile := range s.Tiles {
		if tile.OnTapped == nil {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(tile.Value.Text, ",", ""))
		if key == "finance.charges" { // an amount: its count is in the detail
			n, err = s.Last.Finance.Charges.Count, nil
			if !strings.HasPrefix(tile.Detail.Text, "this month, "+domain.GroupThousands(int64(n), 0)+" charges") {
				t.Errorf("tile %s: %q", key, tile.Detail.Text)
			}
			// The longest detail ("this month, 2,632 charges; last month by
			// now 43,900.00 EUR (+2.8 %)") is shown whole, on the lines the
			// tile has, not cut after the first.
			var shown []string
			for _, o := range test.LaidOutObjects(tile.Detail) {
				if txt, ok := o.(*canvas.Text); ok && txt.Visible() && txt.Text != "" {
					shown = append(shown, strings.TrimSpace(txt.Text))
				}
			}
			if got := strings.Join(shown, " "); got != tile.Detail.Text {
				t.Errorf("tile %s shows %q of %q", key, got, tile.Detail.Text)
			}
		}
		if err != nil {
			t.Fatalf("tile %s shows %q", key, tile.Value.Text)
		}
		ui.WithUI(func() { test.Tap(tile) })
		m.Wait()
		switch {
		case key == "stock.inbound":
			code, due := ui.InboundToOpen(s.Last.Warehouses)
			want := 0
			for _, w := range s.Last.Warehouses {
				if w.Code == code {
					want = map[string]int{domain.InboundDueToday: w.InboundToday, domain.InboundOverdue: w.InboundOverdue}[due]
				}
			}
			shown := m.Warehouse.Receive.ShownInbounds()
			if got := m.Tabs.Selected().Text; got != "Warehouse" || m.Warehouse.Code() != code || len(shown) != want || want == 0 {
				t.Errorf("tile %s opened %s at %s listing %d inbounds, want %s's %d %s", key, got, m.Warehouse.Code(), len(shown), code, want, due)
			}
		case key == "finance.carrier_lines":
			months := slices.Sorted(maps.Keys(s.Last.Finance.CarrierLinesOpen))
			if len(months) == 0 || n == 0 {
				t.Fatalf("the demo has no carrier lines to decide")
			}
			if got := m.Tabs.Selected().Text; got != "Billing" || m.Billing.Period.Selected != months[0] ||
				m.Billing.OpenCarrierLines() != s.Last.Finance.CarrierLinesOpen[months[0]] || (len(months) == 1 && m.Billing.OpenCarrierLines() != n) {
				t.Errorf("tile %s counts %d (%v), opened %s on %s with %d open lines", key, n, s.Last.Finance.CarrierLinesOpen, got,
					m.Billing.Period.Selected, m.Billing.OpenCarrierLines())
			}
		case key == "finance.charges":
			if got := m.Tabs.Selected().Text; got != "Billing" || m.Billing.Tabs.Selected().Text != "Charges" || m.Billing.ChargesShown() != n || n == 0 {
				t.Errorf("tile %s counts %d charges, opened %s / %s with %d", key, n, got, m.Billing.Tabs.Selected().Text, m.Billing.ChargesShown())
			}
		case strings.HasPrefix(key, "transport."):
			if got := m.Tabs.Selected().Text; got != "Shipments" {
				t.Errorf("tile %s opened %s", key, got)
			}
			if key == "transport.exceptions" && !strings.HasPrefix(m.Shipments.Count.Text, tile.Value.Text+" parcel") {
				t.Errorf("tile %s counts %s, the Shipments screen %q", key, tile.Value.Text, m.Shipments.Count.Text)
			}
		case key == "stock.low":
			if got := m.Tabs.Selected().Text; got != "Inventory" || m.Inventory.Count.Text != strings.Replace(countLabel(n), "order", "product", 1) {
				t.Errorf("tile %s counts %d, opened %s counting %q", key, n, got, m.Inventory.Count.Text)
			}
		case key == "finance.owing":
			if got := m.Tabs.Selected().Text; got != "Billing" || m.Billing.AgeingRows() != n {
				t.Errorf("tile %s counts %d, opened %s with %d rows of ageing", key, n, got, m.Billing.AgeingRows())
			}
		case strings.HasPrefix(key, "channels."):
			if got := m.Tabs.Selected().Text; got != "Channels" {
				t.Errorf("tile %s opened %s", key, got)
			}
		default:
			showsOrders("tile "+key, n)
		}
		opened++
		if n > 0 {
			nonzero++
		}
	}
	// Each warehouse's counts, in its row of the table, are what the Orders
	// screen lists with the filter the cell opens; the cells of the busiest
	// warehouse are opened in the window (each opening takes a moment under
	// the race detector).
	busiest := 0
	for r, w := range s.Last.Warehouses {
		for col, n := range map[int]int{1: w.Late, 2: w.DueToday, 3: w.Picking, 4: w.Packed, 7: w.ForPickup} {
			if got := cell(t, s, s.Warehouses, r, col); strings.ReplaceAll(got, ",", "") != strconv.Itoa(n) {
				t.Errorf("%s column %d shows %q, the overview %d", w.Code, col, got, n)
			}
			v, _ := ui.WarehouseView(w, col)
			f := domain.OrderFilter{Status: v.Status, Warehouse: v.Warehouse, ShipByBefore: v.ShipByBefore}
			switch v.Due {
			case "Late":
				f.ShipByBefore = a.Now()
			case "Due today":
				f.ShipByFrom, f.ShipByBefore = a.Now(), domain.EndOfDay(a.Now().Local())
			}
			if listed, err := a.Orders.CountOrders(ctx, f); err != nil || listed != n {
				t.Errorf("%s column %d counts %d, its filter lists %d (%v)", w.Code, col, n, listed, err)
			}
		}
		if b := s.Last.Warehouses[busiest]; w.Late+w.Picking+w.ForPickup > b.Late+b.Picking+b.ForPickup {
			busiest = r
		}
	}
	// (A tile opens its screen whether the Overview shows or not: the test
	// does not go back to it between them.)
	w := s.Last.Warehouses[busiest]
	for col, n := range map[int]int{1: w.Late, 3: w.Picking, 7: w.ForPickup} {
		ui.WithUI(func() { s.Warehouses.Select(widget.TableCellID{Row: busiest, Col: col}) })
		m.Wait()
		showsOrders(fmt.Sprintf("%s column %d", w.Code, col), n)
		opened++
		if n > 0 {
			nonzero++
		}
	}
	// Each warehouse's inbounds due today and overdue, in the table, are
	// what its Receive panel lists with the filter the cell opens.
	inbounds := 0
	for r, w := range s.Last.Warehouses {
		for col, n := range map[int]int{9: w.InboundToday, 10: w.InboundOverdue} {
			if got := cell(t, s, s.Warehouses, r, col); got != strconv.Itoa(n) {
				t.Errorf("%s column %d shows %q, the overview %d", w.Code, col, got, n)
			}
			if n == 0 && w.Code != "AU-SYD" {
				continue // the warehouses with some, and one with none
			}
			ui.WithUI(func() { s.Warehouses.Select(widget.TableCellID{Row: r, Col: col}) })
			m.Wait()
			if got := m.Tabs.Selected().Text; got != "Warehouse" || m.Warehouse.Code() != w.Code || len(m.Warehouse.Receive.ShownInbounds()) != n {
				t.Errorf("%s column %d counts %d, opened %s at %s listing %d", w.Code, col, n, got, m.Warehouse.Code(), len(m.Warehouse.Receive.ShownInbounds()))
			}
			inbounds += n
		}
	}
	// Handed over today: what the warehouse's manifests of its today hold.
	for r, w := range s.Last.Warehouses {
		if got := cell(t, s, s.Warehouses, r, 11); got != strconv.Itoa(w.HandedOver) {
			t.Errorf("%s handed over shows %q, the overview %d", w.Code, got, w.HandedOver)
		}
	}
	for _, wh := range whs[:2] {
		r := slices.IndexFunc(s.Last.Warehouses, func(w domain.WarehouseOverview) bool { return w.Code == wh.Code })
		ui.WithUI(func() { s.Warehouses.Select(widget.TableCellID{Row: r, Col: 11}) })
		m.Wait()
		if got := m.Tabs.Selected().Text; got != "Warehouse" || m.Warehouse.Code() != wh.Code || m.Warehouse.Tabs.Selected().Text != "Manifests" ||
			m.Warehouse.Sent.ParcelsOn(wh.Today(a.Now())) != s.Last.Warehouses[r].HandedOver {
			t.Errorf("%s handed over %d opened %s at %s / %s", wh.Code, s.Last.Warehouses[r].HandedOver, got, m.Warehouse.Code(), m.Warehouse.Tabs.Selected().Text)
		}
	}
	if inbounds < 3 {
		t.Errorf("the demo's warehouses expect %d inbounds today or before", inbounds)
	}
	if opened < 14 || nonzero < 5 {
		t.Errorf("%d counts opened a screen, %d of them counting something", opened, nonzero)
	}
}
