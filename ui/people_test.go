package ui_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/sandbox"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
	"github.com/portolan/portolan/ui"
)

// teamWindow is the window of the person signed in at address.
func teamWindow(t *testing.T, address string) (*app.App, *ui.MainWindow) {
	t.Helper()
	return teamWindowAt(t, address, testClock.Now)
}

// teamWindowAt is teamWindow on a clock of the test's.
func teamWindowAt(t *testing.T, address string, now func() time.Time) (*app.App, *ui.MainWindow) {
	t.Helper()
	a, err := app.Open(address, app.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	s := services(a)
	s.People, s.Team = a.People, a.DBFile() == ""
	m := ui.NewMainWindow(test.NewTempApp(t), s)
	t.Cleanup(m.Window.Close)
	m.Window.Resize(fyne.NewSize(1400, 800))
	m.Start()
	m.Wait()
	return a, m
}

func tabNames(m *ui.MainWindow) string {
	var names []string
	for _, it := range m.Tabs.Items {
		names = append(names, it.Text)
	}
	return strings.Join(names, ",")
}

// statusText is the window's status line.
func statusText(m *ui.MainWindow) string {
	var text string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			if strings.Contains(w.Text, "Database:") {
				text = w.Text
			}
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		}
	}
	walk(m.Window.Content())
	return text
}

// On a team database each person sees the screens their role may change,
// is named in the status line, and an admin manages the team on People.
func TestPeopleScreenAndRoles(t *testing.T) {
	pgtest.Only(t, "team mode needs the team's server")
	owner := demoApp(t, 60)
	ctx := context.Background()
	dsn := owner.SignInAddress("postgres")
	whs, err := owner.Inventory.Warehouses(ctx)
	if err != nil || len(whs) < 2 {
		t.Fatal(whs, err)
	}
	login := func(who string) string { return pgtest.Login(t, dsn, who) }
	if _, err := owner.People.Add(ctx, login("ana"), "Ana Novak", domain.RoleAdmin, nil, "pw-ana-123"); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.People.Add(ctx, login("lena"), "Lena Vos", domain.RoleWarehouse, []string{whs[0].Code}, "pw-lena-123"); err != nil {
		t.Fatal(err)
	}

	_, lena := teamWindow(t, pgtest.As(dsn, login("lena"), "pw-lena-123"))
	if got := tabNames(lena); got != "Overview,Orders,Inventory,Warehouse,Shipments" {
		t.Errorf("a warehouse person's tabs: %s", got)
	}
	if st := statusText(lena); !strings.Contains(st, "Signed in: Lena Vos (warehouse: "+whs[0].Code+")") {
		t.Errorf("status line: %q", st)
	}

	// Lena works in her warehouse only.
	if opts := lena.Warehouse.Warehouse.Options; len(opts) != 1 || !strings.HasPrefix(opts[0], whs[0].Code+" ") {
		t.Errorf("a warehouse person chooses from %v", opts)
	}
	// Lena reads orders and parcels but changes neither: no buttons, and why.
	lena.Tabs.SelectIndex(1)
	lena.Orders.Detail.Show(1)
	lena.Orders.Detail.Wait()
	if len(lena.Orders.Detail.Actions.Objects) != 1 || !strings.Contains(lena.Orders.Detail.Actions.Objects[0].(*widget.Label).Text,
		"Read-only: Lena Vos is signed in as warehouse; changing orders, allocation, channels, carriers and tracking is for the coordinator or admin role") {
		t.Errorf("order actions for a warehouse person: %v", lena.Orders.Detail.Actions.Objects)
	}
	if lena.Shipments.PollAll.Visible() || !strings.Contains(lena.Shipments.Result.Text, "Read-only") {
		t.Error("a warehouse person may poll the carriers")
	}

	_, ana := teamWindow(t, pgtest.As(dsn, login("ana"), "pw-ana-123"))
	if got := tabNames(ana); got != "Overview,Orders,Inventory,Warehouse,Allocation,Shipments,Billing,Channels,People" {
		t.Errorf("an admin's tabs: %s", got)
	}
	p := ana.People
	if got := cell(t, p, p.List, 0, 0) + "|" + cell(t, p, p.List, 1, 0) + "|" + cell(t, p, p.List, 1, 3); got != "Ana Novak|Lena Vos|"+whs[0].Code {
		t.Errorf("people listed: %s", got)
	}
	// Adding someone: the form says what is wrong and stays open; then they are added.
	p.AddPerson()
	p.Wait()
	p.Login.SetText(login("fatima"))
	p.Name.SetText("Fatima Haddad")
	p.Role.SetSelected("warehouse")
	p.Password.SetText("pw-fatima-1")
	p.Again.SetText("pw-fatima-2")
	p.SaveNewPerson()
	p.Wait()
	if !strings.Contains(p.FormProblem.Text, "differ") {
		t.Errorf("different passwords: %q", p.FormProblem.Text)
	}
	p.Again.SetText("pw-fatima-1")
	p.SaveNewPerson()
	p.Wait()
	if !strings.Contains(p.FormProblem.Text, "warehouses") {
		t.Errorf("a warehouse person without warehouses: %q", p.FormProblem.Text)
	}
	p.Role.SetSelected("finance")
	p.SaveNewPerson()
	p.Wait()
	ana.Wait()
	if !strings.Contains(p.Status.Text, "Added Fatima Haddad as finance") {
		t.Errorf("after adding: %q / %q", p.Status.Text, p.FormProblem.Text)
	}
	if got := cell(t, p, p.List, 1, 0); got != "Fatima Haddad" {
		t.Errorf("second row after adding: %q", got)
	}
	fatima, err := app.Open(pgtest.As(dsn, login("fatima"), "pw-fatima-1"), app.Options{Now: testClock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer fatima.Close()
	if me := fatima.People.Me(); me.Role != domain.RoleFinance {
		t.Errorf("the new person: %+v", me)
	}
	// Disabling: Lena's open window is refused at its next action.
	lenaApp, _ := teamWindow(t, pgtest.As(dsn, login("lena"), "pw-lena-123"))
	p.DisablePerson(login("lena"))
	p.Wait()
	if got := cell(t, p, p.List, 2, 4); got != "disabled" {
		t.Errorf("Lena's status after disabling: %q", got)
	}
	if _, err := lenaApp.Orders.CountOrders(ctx, domain.OrderFilter{}); err == nil || !strings.Contains(err.Error(), "may not do it") {
		t.Errorf("a disabled person's next action: %v", err)
	}
}

// The sign-in form of a team database: a refusal stays on the form, in
// words; the right password signs in.
func TestSignInWindow(t *testing.T) {
	pgtest.Only(t, "team mode needs the team's server")
	if !pgtest.PasswordsChecked() {
		t.Skip("the test server (" + pgtest.EnvServer + ") may trust everyone: the throw-away cluster of make test checks passwords")
	}
	owner := demoApp(t, 0)
	dsn := owner.SignInAddress("postgres")
	login := pgtest.Login(t, dsn, "kenji")
	if _, err := owner.People.Add(context.Background(), login, "佐藤 健二", domain.RoleCoordinator, nil, "pw-kenji-1"); err != nil {
		t.Fatal(err)
	}
	var signedIn *app.App
	s := ui.NewSignInWindow(test.NewTempApp(t), app.WithoutPassword(dsn), login, "", func(l, pw string) error {
		a, err := app.Open(app.WithSignIn(dsn, l, pw), app.Options{Now: testClock.Now})
		if err == nil {
			signedIn = a
			t.Cleanup(func() { a.Close() })
		}
		return err
	})
	s.Password.SetText("nope")
	s.Submit()
	s.Wait()
	if !strings.Contains(s.Problem.Text, "refused the sign-in") || s.Password.Text != "" || signedIn != nil {
		t.Errorf("a wrong password: %q", s.Problem.Text)
	}
	test.Type(s.Password, "pw-kenji-1")
	s.Submit()
	s.Wait()
	if signedIn == nil || s.Problem.Text != "" || signedIn.People.Me().Name != "佐藤 健二" {
		t.Errorf("the right password: %q", s.Problem.Text)
	}
}

// A colleague's change reaches an open window by itself: the order list's
// row and the order open in the panel show it, without a reload.
func TestLiveWindow(t *testing.T) {
	pgtest.Only(t, "live screens are a team database's")
	mine := demoApp(t, 60)
	ctx := context.Background()
	dsn := mine.SignInAddress("postgres")
	theirs, err := app.Open(dsn, app.Options{Now: testClock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer theirs.Close()
	s := services(mine)
	heard := make(chan []string, 16) // what the window was told, after it was told
	s.People, s.Team = mine.People, true
	s.Live = func(ctx context.Context, changed func([]string)) {
		mine.Watch(ctx, func(tables []string) { changed(tables); heard <- tables })
	}
	m := ui.NewMainWindow(test.NewTempApp(t), s)
	t.Cleanup(m.Window.Close)
	m.Window.Resize(fyne.NewSize(1400, 800))
	m.Start()
	m.Wait()
	page, err := mine.Orders.OrderSummaries(ctx, domain.OrderFilter{}, 0, 60)
	if err != nil {
		t.Fatal(err)
	}
	var o domain.OrderSummary // the newest order a colleague could mark an exception
	for _, p := range page {
		if o.ID == 0 && domain.CanTransition(p.Status, domain.StatusException) {
			o = p
		}
	}
	row := -1
	for r := 0; r < 60 && row < 0; r++ {
		if cell(t, m, m.Orders.Table, r, 0) == o.Number {
			row = r
		}
	}
	if row < 0 {
		t.Fatalf("order %s not on the first page", o.Number)
	}
	m.Orders.Detail.Show(o.ID)
	m.Orders.Detail.Wait()
	if m.Orders.Detail.Status.Text != o.Status.Label() {
		t.Fatalf("the panel shows %q", m.Orders.Detail.Status.Text)
	}
	// A colleague marks it an exception, from their own Portolan.
	if err := theirs.Orders.Transition(ctx, o.ID, domain.StatusException, "customer called: parcel damaged"); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(15 * time.Second) // a limit for the wait, not a speed asserted
	for {
		select {
		case tables := <-heard:
			m.Wait()
			m.Orders.Detail.Wait()
			m.Wait()
			var status string
			ui.WithUI(func() { status = m.Orders.Detail.Status.Text })
			if status == "Exception" && cell(t, m, m.Orders.Table, row, 8) == "Exception" {
				return
			}
			t.Logf("told of %v; the window shows %q", tables, status)
		case <-timeout:
			t.Fatal("the window was not told of the colleague's change")
		}
	}
}

// A warehouse person's window hands over the parcels of their warehouse
// that the carriers have scanned — a coordinator's poll noted the scans and
// left the parcels packed — and says so.
func TestWarehouseWindowHandsOverScannedParcels(t *testing.T) {
	pgtest.Only(t, "team mode needs the team's server")
	ctx := context.Background()
	owner := demoApp(t, 600)
	dsn := owner.SignInAddress("postgres")
	login := func(who string) string { return pgtest.Login(t, dsn, who) }
	// The owner packs an order.
	plan, err := owner.Allocation.Plan(ctx, domain.OrderFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Allocation.Commit(ctx, plan); err != nil {
		t.Fatal(err)
	}
	wh := domaintest.BusiestWarehouse(plan)
	wave, err := owner.Inventory.CreateWave(ctx, wh, domain.WaveFilter{MaxOrders: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range wave.Lines {
		if _, err := owner.Inventory.ConfirmPick(ctx, l.ID, l.Qty); err != nil {
			t.Fatal(err)
		}
	}
	parcel, err := owner.Inventory.Pack(ctx, wave.Lines[0].OrderID, wh, "M", 20000, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.People.Add(ctx, login("kenji"), "Kenji", domain.RoleCoordinator, nil, "pw-kenji-123"); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.People.Add(ctx, login("lena"), "Lena Vos", domain.RoleWarehouse, []string{wh}, "pw-lena-123"); err != nil {
		t.Fatal(err)
	}
	// The coordinator's carrier account sells the label; an hour later the
	// carrier picks the parcel up, and the coordinator's poll notes it.
	clock := domaintest.NewClock()
	coordinator, err := app.Open(pgtest.As(dsn, login("kenji"), "pw-kenji-123"), app.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer coordinator.Close()
	srv := httptest.NewServer(sandbox.NewCarriers(time.Hour, clock.Now))
	defer srv.Close()
	acct := domain.CarrierAccount{Kind: domain.CarrierEasyPost, Name: "EasyPost labels", BaseURL: srv.URL + "/easypost", Key: sandbox.EasyPostKey}
	if err := coordinator.Tracking.SaveCarrierAccount(ctx, &acct); err != nil {
		t.Fatal(err)
	}
	if run, err := owner.Labels.Buy(ctx, []int64{parcel}, domain.LabelChoice{}, nil); err != nil || run[0].State != domain.PurchaseBought {
		t.Fatalf("buying: %+v %v", run, err)
	}
	clock.Add(3 * time.Hour)
	if res, err := coordinator.Tracking.Poll(ctx, domain.DueFilter{Carrier: sandbox.SandboxCarrier}, nil); err != nil || res.Scanned != 1 {
		t.Fatalf("the coordinator's poll: %+v %v", res, err)
	}
	// Lena opens her window.
	lenaApp, lena := teamWindowAt(t, pgtest.As(dsn, login("lena"), "pw-lena-123"), clock.Now)
	lena.Wait()
	if got := lena.Warehouse.Result.Text; !strings.Contains(got, "1 parcel(s) handed over on their carrier's first scan") {
		t.Errorf("Lena's window says %q / %q", got, lena.Warehouse.Problem.Text)
	}
	if ps, err := lenaApp.Inventory.Parcels(ctx, []int64{parcel}); err != nil || !ps[0].Shipped {
		t.Errorf("the parcel after Lena's window opened: %+v %v", ps, err)
	}
}
