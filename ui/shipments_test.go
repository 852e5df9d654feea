package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sandbox"
	"github.com/portolan/portolan/ui"
)

// dhlNumber makes a valid DHL Express waybill (mod 7).
func dhlNumber(i int) string {
	body := 331881000 + i
	return fmt.Sprintf("%09d%d", body, body%7)
}

func TestShipmentsScreen(t *testing.T) {
	a := demoApp(t, 60)
	ctx := context.Background()
	// A DHL API speaking its documented shape: one number in customs, one
	// delivered, the rest in transit.
	// Scanned two hours ago, picked up yesterday, due in three days (by the tests' clock).
	now := testClock.Now().UTC().Truncate(time.Second)
	last, first, eta := now.Add(-2*time.Hour).Format(time.RFC3339), now.Add(-26*time.Hour).Format(time.RFC3339), now.Add(72*time.Hour).Format(time.RFC3339)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("DHL-API-Key") != "good" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		n := r.URL.Query().Get("trackingNumber")
		code, text := "transit", "Processed at LEIPZIG - GERMANY"
		switch n {
		case dhlNumber(0):
			code, text = "transit", "Shipment on hold: customs clearance delay, awaiting documents"
		case dhlNumber(1):
			code, text = "delivered", "Delivered - Signed for by: Παπαδόπουλος"
		}
		fmt.Fprintf(w, `{"shipments":[{"id":%q,"status":{"timestamp":%q,"statusCode":%q,"description":%q},
			"estimatedTimeOfDelivery":%q,
			"events":[{"timestamp":%q,"statusCode":%q,"description":%q,"location":{"address":{"addressLocality":"ATHENS"}}},
			{"timestamp":%q,"statusCode":"transit","description":"Shipment picked up"}]}]}`, n, last, code, text, eta, last, code, text, first)
	}))
	defer srv.Close()
	page, _ := a.Orders.OrderSummaries(ctx, domain.OrderFilter{}, 0, 4)
	for i, o := range page {
		if _, err := a.Tracking.AddShipment(ctx, o.Number, "DHL", dhlNumber(i)); err != nil {
			t.Fatal(err)
		}
	}
	// The demo's own parcels on their way are polled too.
	all, _ := a.Tracking.CountShipments(ctx, domain.ShipmentFilter{})
	done, _ := a.Tracking.CountShipments(ctx, domain.ShipmentFilter{Milestone: domain.MilestoneDelivered})
	open := all - done
	m := openWindow(t, a)
	s := m.Shipments
	if s == nil {
		t.Fatal("no Shipments screen")
	}
	// The carrier account, through the dialog: a wrong key first.
	ui.WithUI(func() { s.OpenAccounts() })
	d := s.AccountsDialog
	ui.WithUI(func() {
		d.Name.SetText("DHL")
		d.URL.SetText(srv.URL)
		d.Key.SetText("wrong")
		d.PerSec.SetText("50")
		d.SaveAccount()
	})
	settle(m)
	if !strings.Contains(d.Status.Text, "Saved DHL") {
		t.Fatalf("save: %q", d.Status.Text)
	}
	ui.WithUI(func() { d.TestAccount() })
	settle(m)
	if !strings.Contains(d.Status.Text, "refused the credentials") || strings.Contains(d.Status.Text, "wrong") {
		t.Errorf("test with a wrong key: %q", d.Status.Text)
	}
	if got := cell(t, s, d.List, 0, 4); !strings.HasPrefix(got, "failing") {
		t.Errorf("state %q", got)
	}
	ui.WithUI(func() {
		d.Key.SetText("good")
		d.SaveAccount()
	})
	settle(m)
	ui.WithUI(func() { d.TestAccount() })
	settle(m)
	if d.Status.Text != "The connection works." || cell(t, s, d.List, 0, 4) != "ok" {
		t.Fatalf("test with the right key: %q", d.Status.Text)
	}
	// Poll now: every parcel.
	ui.WithUI(func() { s.Poll(domain.DueFilter{All: true}, "every parcel") })
	settle(m)
	if s.LastPoll == nil || s.LastPoll.Checked != open || s.LastPoll.Changed != open || !strings.Contains(s.Result.Text, fmt.Sprintf("Checked %d, changed %d", open, open)) {
		t.Fatalf("poll %+v / %q / %q", s.LastPoll, s.Result.Text, s.Problem.Text)
	}
	settle(m)
	// The exceptions queue (the default view) has the customs hold.
	if s.Milestone.Selected != "Exceptions queue" || s.Count.Text != "1 parcel needs attention" {
		t.Errorf("queue: %q %q", s.Milestone.Selected, s.Count.Text)
	}
	if got := cell(t, s, s.Table, 0, 0) + "|" + cell(t, s, s.Table, 0, 2); got != "Customs hold|"+dhlNumber(0) {
		t.Errorf("first in the queue %q", got)
	}
	// All parcels; the delivered one's timeline.
	ui.WithUI(func() {
		s.Milestone.SetSelected("Delivered")
		s.Search.SetText(dhlNumber(1))
	})
	settle(m)
	ui.WithUI(func() { s.Search.OnChanged(dhlNumber(1)) })
	settle(m)
	if s.Count.Text != "1 parcel" {
		t.Fatalf("delivered: %q", s.Count.Text)
	}
	ui.WithUI(func() { s.Table.Select(widget.TableCellID{Row: 0, Col: 1}) })
	settle(m)
	ui.WithUI(func() { s.Table.Select(widget.TableCellID{Row: 0, Col: 2}) })
	settle(m)
	if !strings.Contains(s.Timeline.Text, "Signed for by: Παπαδόπουλος — ATHENS") || !strings.Contains(s.Timeline.Text, "Picked up") {
		t.Errorf("timeline %q", s.Timeline.Text)
	}
	// The chart and the on-time rate.
	if len(s.Chart.Objects) < 3 || !strings.Contains(s.OnTime.Text, "DHL:") {
		t.Errorf("chart %d bars, on time %q", len(s.Chart.Objects), s.OnTime.Text)
	}
	// Poll this parcel: nothing new.
	ui.WithUI(func() { s.PollOne.OnTapped() })
	settle(m)
	if s.LastPoll.Checked != 1 || s.LastPoll.Changed != 0 {
		t.Errorf("poll one %+v", s.LastPoll)
	}
}

func TestShipmentsSandboxCarriers(t *testing.T) {
	a := demoApp(t, 300)
	ctx := context.Background()
	all, _ := a.Tracking.CountShipments(ctx, domain.ShipmentFilter{})
	done, _ := a.Tracking.CountShipments(ctx, domain.ShipmentFilter{Milestone: domain.MilestoneDelivered})
	m := openWindow(t, a)
	s := m.Shipments
	ui.WithUI(func() { s.StartSandbox() })
	settle(m)
	settle(m)
	if !strings.Contains(s.Result.Text, "Checked") || s.LastPoll == nil || s.LastPoll.Checked != all-done || s.LastPoll.Errors != 0 {
		t.Fatalf("sandbox poll %+v / %q / %q", s.LastPoll, s.Result.Text, s.Problem.Text)
	}
	accts, _ := a.Tracking.CarrierAccounts(ctx)
	if len(accts) != 3 || accts[0].Name != "DHL" || accts[1].Name != "DHL Express" || accts[2].Name != "EasyPost sandbox" {
		t.Errorf("accounts %+v", accts)
	}
}

// A DHL Express account, added in the dialog: its account number and
// paperless trade are asked for only for DHL Express, kept, and the
// connection tested against the sandbox's MyDHL.
func TestCarrierAccountsDialogTakesADHLExpressAccount(t *testing.T) {
	a := demoApp(t, 60)
	srv := httptest.NewServer(sandbox.NewCarriers(time.Hour, testClock.Now))
	defer srv.Close()
	m := openWindow(t, a)
	s := m.Shipments
	ui.WithUI(func() { s.OpenAccounts() })
	d := s.AccountsDialog
	if !d.Number.Disabled() || !d.Paperless.Disabled() || !d.ZPL.Disabled() {
		t.Error("a DHL tracking account is asked for an account number or a label format")
	}
	ui.WithUI(func() {
		d.Kind.SetSelected("DHL Express (MyDHL API: rates, labels, tracking)")
		d.Name.SetText("DHL Express")
		d.URL.SetText(srv.URL + "/dhl-express")
		d.ID.SetText(sandbox.DHLExpressKey)
		d.Secret.SetText(sandbox.DHLExpressSecret)
	})
	if d.Number.Disabled() || d.Paperless.Disabled() || !d.Key.Disabled() || d.ID.PlaceHolder != "the MyDHL API key" {
		t.Errorf("DHL Express's fields: number %v, paperless %v, key %v, id %q", d.Number.Disabled(), d.Paperless.Disabled(), d.Key.Disabled(), d.ID.PlaceHolder)
	}
	ui.WithUI(func() { d.SaveAccount() })
	settle(m)
	if !strings.Contains(d.Status.Text, "account number") {
		t.Errorf("saved without the account number: %q", d.Status.Text)
	}
	ui.WithUI(func() {
		d.Number.SetText(sandbox.DHLExpressAccount)
		d.Paperless.SetChecked(true)
		d.ZPL.SetChecked(true)
		d.SaveAccount()
	})
	settle(m)
	if !strings.Contains(d.Status.Text, "Saved DHL Express") {
		t.Fatalf("save: %q", d.Status.Text)
	}
	ui.WithUI(func() { d.TestAccount() })
	settle(m)
	if d.Status.Text != "The connection works." {
		t.Errorf("test: %q", d.Status.Text)
	}
	accts, _ := a.Tracking.CarrierAccounts(context.Background())
	var got domain.CarrierAccount
	for _, ac := range accts {
		if ac.Kind == domain.CarrierDHLExpress {
			got = ac
		}
	}
	if got.Number != sandbox.DHLExpressAccount || !got.Paperless || !got.ZPL || got.ClientSecret != sandbox.DHLExpressSecret {
		t.Errorf("stored %+v", got)
	}
	// Chosen again, the account shows its number; a DHL account does not.
	ui.WithUI(func() { d.List.OnSelected(widget.TableCellID{Row: 0}) })
	if d.Number.Text != sandbox.DHLExpressAccount || !d.Paperless.Checked || !d.ZPL.Checked || d.Secret.Text != "" {
		t.Errorf("the account again: number %q paperless %v secret %q", d.Number.Text, d.Paperless.Checked, d.Secret.Text)
	}
}
