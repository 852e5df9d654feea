package ui_test

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sandbox"
	"github.com/portolan/portolan/ui"
)

func TestSyncNowPullsOrdersIntoTheList(t *testing.T) {
	storeURL := startSandbox(t, 120)

	a := demoApp(t, 5) // demo channels have no credentials: they are skipped
	if _, err := a.Intake.AddChannel(context.Background(), domain.ChannelWooCommerce, "Sandbox store", storeURL,
		domain.Credentials{Key: sandbox.WooKey, Secret: sandbox.WooSecret}); err != nil {
		t.Fatal(err)
	}
	// Two more channels sync at the same time: the same sandbox as a Shopify
	// store, and a store whose key was mistyped, which fails alone.
	if _, err := a.Intake.AddChannel(context.Background(), domain.ChannelShopify, "Sandbox Shopify", storeURL,
		domain.Credentials{Token: sandbox.ShopifyToken}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Intake.AddChannel(context.Background(), domain.ChannelWooCommerce, "Mistyped key", storeURL,
		domain.Credentials{Key: sandbox.WooKey, Secret: "cs_wrong"}); err != nil {
		t.Fatal(err)
	}
	m := openWindow(t, a)
	s := m.Orders
	if s.Count.Text != "5 orders" {
		t.Fatalf("count %q", s.Count.Text)
	}
	ui.WithUI(func() { test.Tap(s.SyncNow) })
	m.Wait()
	m.Wait()
	d := s.LastSync
	if d == nil {
		t.Fatal("no sync dialog")
	}
	for _, name := range []string{"Sandbox store", "Sandbox Shopify"} {
		if row := d.Rows[name].Text; !strings.HasPrefix(row, "complete: 120 received — 120 new") {
			t.Errorf("%s row %q", name, row)
		}
		if bar := d.Bars[name]; bar.Value != 1 || !bar.Visible() {
			t.Errorf("%s bar at %v", name, bar.Value)
		}
	}
	if row := d.Rows["Mistyped key"]; !strings.Contains(row.Text, "credentials") || row.Importance != widget.DangerImportance {
		t.Errorf("failed channel row %q", row.Text)
	}
	skipped := 0
	for name, l := range d.Rows {
		if strings.HasPrefix(l.Text, "skipped:") {
			skipped++
			if d.Bars[name].Visible() {
				t.Errorf("%s is skipped but shows a bar", name)
			}
		}
	}
	if skipped != 3 || !strings.Contains(d.Summary.Text, "240 new") || !strings.Contains(d.Summary.Text, "1 channel(s) did not complete") {
		t.Errorf("%d skipped, summary %q", skipped, d.Summary.Text)
	}
	if s.Count.Text != "245 orders" {
		t.Errorf("after sync the list shows %q", s.Count.Text)
	}
}

func TestAutoSyncRunsQuietlyAndIsRemembered(t *testing.T) {
	storeURL := startSandbox(t, 25)
	a := demoApp(t, 0)
	if _, err := a.Intake.AddChannel(context.Background(), domain.ChannelWooCommerce, "Sandbox store", storeURL,
		domain.Credentials{Key: sandbox.WooKey, Secret: sandbox.WooSecret}); err != nil {
		t.Fatal(err)
	}
	m := openWindow(t, a)
	ui.WithUI(func() { m.AutoSync.Choice.SetSelected("Automatic sync: every 15 min") })
	if got := fyne.CurrentApp().Preferences().Int("autosync.minutes"); got != 15 {
		t.Errorf("interval saved as %d", got)
	}
	ui.WithUI(func() { m.AutoSync.RunOnce() })
	m.Wait()
	m.Wait()
	if !strings.Contains(m.AutoSync.Status.Text, "25 new, 0 updated") || m.Orders.Count.Text != "25 orders" {
		t.Errorf("status %q, count %q", m.AutoSync.Status.Text, m.Orders.Count.Text)
	}
	ui.WithUI(func() { m.AutoSync.Choice.SetSelected("Automatic sync: off") })
}
