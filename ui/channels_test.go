package ui_test

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sandbox"
	"github.com/portolan/portolan/ui"
)

func TestChannelsScreenAddTestSyncRemove(t *testing.T) {
	storeURL := startSandbox(t, 40)

	a := demoApp(t, 0)
	m := openWindow(t, a)
	s := m.Channels
	if s == nil {
		t.Fatal("no Channels screen")
	}
	// Add a WooCommerce channel through the form, first with a plain-http remote address.
	ui.WithUI(func() { test.Tap(s.Add) })
	f := s.Form
	ui.WithUI(func() {
		f.Kind.SetSelected("WooCommerce")
		test.Type(f.Name, "Sandbox store")
		test.Type(f.Address, "http://shop.example.com")
		test.Type(f.Key, sandbox.WooKey)
		test.Type(f.Secret, sandbox.WooSecret)
		test.Tap(f.Save)
	})
	m.Wait()
	if !f.Problem.Visible() || !strings.Contains(f.Problem.Text, "plain http") {
		t.Errorf("form problem %q", f.Problem.Text)
	}
	if !f.Key.Password || !f.Secret.Password {
		t.Error("credentials are not password fields")
	}
	ui.WithUI(func() {
		f.Address.SetText(storeURL)
		test.Tap(f.Save)
	})
	m.Wait()
	m.Wait()
	if s.Form != nil {
		t.Fatalf("form still open: %q", f.Problem.Text)
	}
	if l := cell(t, s, s.Table, 0, 0); l != "Sandbox store" {
		t.Fatalf("first channel %q", l)
	}
	if l := cell(t, s, s.Table, 0, 4); l != "never" {
		t.Errorf("last success %q", l)
	}
	// Test connection, then sync it.
	ui.WithUI(func() { s.Table.Select(widget.TableCellID{Row: 0, Col: 0}) })
	ui.WithUI(func() { test.Tap(s.Test) })
	m.Wait()
	if !strings.Contains(s.Result.Text, "connection works") {
		t.Errorf("test connection: %q", s.Result.Text)
	}
	ui.WithUI(func() { test.Tap(s.SyncOne) })
	m.Wait()
	m.Wait()
	if row := s.LastSync.Rows["Sandbox store"].Text; !strings.HasPrefix(row, "complete: 40 received — 40 new") {
		t.Errorf("sync row %q", row)
	}
	if l := cell(t, s, s.Table, 0, 5); l == "–" || l == "" {
		t.Errorf("cursor %q after a sync", l)
	}
	if l := cell(t, s, s.Table, 0, 6); !strings.HasPrefix(l, "complete · 40 received, 40 new") {
		t.Errorf("last run %q", l)
	}
	if m.Orders.Count.Text != "40 orders" {
		t.Errorf("orders screen not reloaded: %q", m.Orders.Count.Text)
	}
	// A channel with orders cannot be removed.
	ui.WithUI(func() { s.RemoveChannel(domain.Channel{ID: 1, Name: "Sandbox store"}) })
	m.Wait()
	if !strings.Contains(s.Problem.Text, "cannot be removed") {
		t.Errorf("remove: %q", s.Problem.Text)
	}
	// Editing keeps the stored credentials when the fields stay empty.
	ui.WithUI(func() { test.Tap(s.Edit) })
	ui.WithUI(func() {
		s.Form.Name.SetText("Sandbox (EU)")
		test.Tap(s.Form.Save)
	})
	m.Wait()
	m.Wait()
	if l := cell(t, s, s.Table, 0, 0); l != "Sandbox (EU)" {
		t.Errorf("renamed channel %q", l)
	}
	ui.WithUI(func() { s.Table.Select(widget.TableCellID{Row: 0, Col: 0}) })
	ui.WithUI(func() { test.Tap(s.Test) })
	m.Wait()
	if !strings.Contains(s.Result.Text, "connection works") {
		t.Errorf("credentials lost by the edit: %q", s.Result.Text)
	}
}

func TestTryWithASandboxStore(t *testing.T) {
	a := demoApp(t, 0)
	m := openWindow(t, a)
	s := m.Channels
	ui.WithUI(func() { test.Tap(s.Sandbox) })
	m.Wait()
	m.Wait()
	defer s.Close()
	if s.LastSync == nil {
		t.Fatalf("no sync started: %q %q", s.Problem.Text, s.Result.Text)
	}
	if row := s.LastSync.Rows["Sandbox store"].Text; !strings.HasPrefix(row, "complete: 500 received — 500 new") {
		t.Errorf("sandbox sync %q", row)
	}
	if !s.Sandbox.Disabled() || !strings.Contains(s.Result.Text, "http://127.0.0.1:") {
		t.Errorf("button %v, result %q", s.Sandbox.Disabled(), s.Result.Text)
	}
	if m.Orders.Count.Text != "500 orders" {
		t.Errorf("orders %q", m.Orders.Count.Text)
	}
}

// A channel's shipping promise, set in its dialog, is kept, shown in the
// list and reaches its parcels; a promise that is not a number is refused.
func TestChannelShippingPromiseInTheWindow(t *testing.T) {
	a := demoApp(t, 60)
	m := openWindow(t, a)
	s := m.Channels
	m.Wait()
	if !s.Shipping.Disabled() {
		t.Error("Shipping… without a chosen channel")
	}
	ui.WithUI(func() { s.Table.Select(widget.TableCellID{Row: 0, Col: 0}) })
	if s.Shipping.Disabled() {
		t.Fatal("Shipping… stays disabled")
	}
	ui.WithUI(func() { test.Tap(s.Shipping) })
	f := s.ShippingForm
	ui.WithUI(func() {
		f.Service.SetText("DHL Express Worldwide")
		f.Days.SetText("soon")
		test.Tap(f.Save)
	})
	m.Wait()
	if !strings.Contains(f.Problem.Text, "not a number of days") {
		t.Errorf("problem %q", f.Problem.Text)
	}
	ui.WithUI(func() {
		f.Days.SetText("4 days")
		test.Tap(f.Save)
	})
	m.Wait()
	s.Wait()
	if !strings.Contains(s.Result.Text, "DHL Express Worldwide · within 4 day(s)") {
		t.Errorf("result %q / problem %q", s.Result.Text, f.Problem.Text)
	}
	chans, _ := a.Intake.Channels(context.Background())
	var set int
	for _, c := range chans {
		if c.ShipService == "DHL Express Worldwide" && c.PromiseDays == 4 {
			set++
		}
	}
	if set != 1 {
		t.Errorf("channels %+v", chans)
	}
	found := false
	for row := range len(chans) {
		found = found || cell(t, s, s.Table, row, 3) == "DHL Express Worldwide · within 4 day(s)"
	}
	if !found {
		t.Error("the list does not show the promise")
	}
}
