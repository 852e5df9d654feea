package ui_test

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

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
	m := newWindow(t, a)
	ui.WithUI(func() { m.Start() })
	m.Wait()
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
	if row := d.Rows["Sandbox store"].Text; !strings.HasPrefix(row, "complete: 120 received — 120 new") {
		t.Errorf("sandbox row %q", row)
	}
	skipped := 0
	for name, l := range d.Rows {
		if strings.HasPrefix(l.Text, "skipped:") {
			skipped++
		} else if name != "Sandbox store" {
			t.Errorf("%s: %q", name, l.Text)
		}
	}
	if skipped != 3 || !strings.Contains(d.Summary.Text, "120 new") {
		t.Errorf("%d skipped, summary %q", skipped, d.Summary.Text)
	}
	if s.Count.Text != "125 orders" {
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
	m := newWindow(t, a)
	ui.WithUI(func() { m.Start() })
	m.Wait()
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
