package ui_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
	"github.com/portolan/portolan/ui"
)

// demoApp is a real Portolan database with a small demo data set.
// Each size is generated once per test run and copied for every test.
func demoApp(t *testing.T, orders int) *app.App {
	t.Helper()
	return demoAppOf(t, app.DemoOptions{Orders: orders})
}

// demoAppOf is demoApp with the demo's options (its billing history, say).
func demoAppOf(t *testing.T, opts app.DemoOptions) *app.App {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ui.db")
	if pgtest.OnPostgres() { // the same screens on a team database
		path = pgtest.NewDatabase(t)
	}
	if opts.Orders > 0 {
		src, ok := demoFixtures[opts]
		if !ok {
			src = demoFixture(t, opts)
			demoFixtures[opts] = src
		}
		if pgtest.OnPostgres() {
			path = pgtest.CopyDatabase(t, src)
		} else {
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	a, err := app.Open(path, app.Options{Now: testClock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// demoFixture makes a database with the demo loaded, outside the test's
// temporary folder (it is kept for the package's tests; TestMain removes it).
func demoFixture(t *testing.T, opts app.DemoOptions) string {
	t.Helper()
	var src string
	if pgtest.OnPostgres() {
		src = pgtest.Fixture(t)
	} else {
		dir, err := os.MkdirTemp("", "portolan-ui-fixture-")
		if err != nil {
			t.Fatal(err)
		}
		src = filepath.Join(dir, "demo.db")
	}
	a, err := app.Open(src, app.Options{Now: testClock.Now})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Demo.Load(context.Background(), opts, nil)
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// demoFixtures are the demo databases made so far, by their options (ui tests run
// one at a time); TestMain removes them.
var demoFixtures = map[app.DemoOptions]string{}

func TestMain(m *testing.M) {
	os.Setenv(app.EnvSecrets, "database") // never the developer's keyring
	code := pgtest.Run(m)
	for _, p := range demoFixtures {
		if !app.IsServerAddress(p) {
			os.RemoveAll(filepath.Dir(p))
		}
	}
	os.Exit(code)
}

// startSandbox runs the sandbox store with n orders on loopback for the test
// and returns its address.
func startSandbox(t *testing.T, n int) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	urls := make(chan string, 1)
	go app.ServeSandbox(ctx, "127.0.0.1:0", n, 0, testClock.Now, func(u string) { urls <- u })
	return <-urls
}

func services(a *app.App) ui.Services {
	return ui.Services{Overview: a.Overview, Trends: a.Trends, Orders: a.Orders, Inventory: a.Inventory, Warehouse: a.Inventory, Allocation: a.Allocation, Sample: a.Demo, Sync: a.Intake, Channels: a.Intake, Tracking: a.Tracking, Billing: a.Billing, DBPath: a.DBPath(),
		ChannelShipping: a.Labels.SetChannelShipping}
}

// openWindow opens the main window on a, as a user's start of the day does,
// and waits until its screens have read.
func openWindow(t *testing.T, a *app.App) *ui.MainWindow {
	t.Helper()
	m := newWindow(t, a)
	ui.WithUI(func() { m.Start() })
	settle(m)
	return m
}

func newWindow(t *testing.T, a *app.App) *ui.MainWindow {
	t.Helper()
	fa := test.NewTempApp(t)
	m := ui.NewMainWindow(fa, services(a))
	t.Cleanup(m.Window.Close)
	// First (cleanups run last first): what the test started in the
	// background (the Overview that Ctrl+0 reloads) is shown before the
	// next test builds its window with the same fonts.
	t.Cleanup(m.Wait)
	m.Window.Resize(fyne.NewSize(1400, 800))
	return m
}

type waiter interface{ Wait() }

// cell returns the text the table shows in a cell: the first call may start
// loading the row's page in the background, the second reads it.
func cell(t *testing.T, s waiter, tbl *widget.Table, row, col int) string {
	t.Helper()
	l := widget.NewLabel("")
	id := widget.TableCellID{Row: row, Col: col}
	tbl.UpdateCell(id, l)
	s.Wait()
	tbl.UpdateCell(id, l)
	return l.Text
}

func TestOrdersScreenSearchAndFilters(t *testing.T) {
	a := demoApp(t, 300)
	m := openWindow(t, a)
	s := m.Orders
	if s.Count.Text != "300 orders" {
		t.Fatalf("count label %q", s.Count.Text)
	}
	// Rows come page by page; the first visible row is the newest order.
	first, err := a.Orders.OrderSummaries(context.Background(), domain.OrderFilter{}, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := cell(t, s, s.Table, 0, 0); got != first[0].Number {
		t.Errorf("first row number %q, want %q", got, first[0].Number)
	}

	// Type a customer name in Japanese: the table and count follow.
	jp, err := a.Orders.OrderSummaries(context.Background(), domain.OrderFilter{Country: "JP"}, 0, 1)
	if err != nil || len(jp) == 0 {
		t.Fatal("no Japanese order in demo data", err)
	}
	family := strings.Fields(jp[0].CustomerName)[0]
	ui.WithUI(func() { test.Type(s.Search, family) })
	s.Wait()
	want, _ := a.Orders.CountOrders(context.Background(), domain.OrderFilter{Search: family})
	if s.Count.Text != countLabel(want) {
		t.Errorf("after typing %q count is %q, want %q", family, s.Count.Text, countLabel(want))
	}
	if got := cell(t, s, s.Table, 0, 4); !strings.Contains(got, family) {
		t.Errorf("first customer %q does not contain %q", got, family)
	}

	// Search by an order number.
	ui.WithUI(func() { s.Search.SetText("") })
	ui.WithUI(func() { test.Type(s.Search, first[0].Number) })
	s.Wait()
	if s.Count.Text != "1 order" {
		t.Errorf("number search count %q", s.Count.Text)
	}

	// Clear, then filter by status with the select.
	ui.WithUI(func() { test.Tap(findButton(t, s.Content(), "Clear")) })
	s.Wait()
	if s.Count.Text != "300 orders" || s.Search.Text != "" {
		t.Errorf("after clear: %q, search %q", s.Count.Text, s.Search.Text)
	}
	ui.WithUI(func() { s.Status.SetSelected(domain.StatusDelivered.Label()) })
	s.Wait()
	delivered, _ := a.Orders.CountOrders(context.Background(), domain.OrderFilter{Status: domain.StatusDelivered})
	if s.Count.Text != countLabel(delivered) {
		t.Errorf("delivered filter count %q, want %d", s.Count.Text, delivered)
	}
	if got := cell(t, s, s.Table, 0, 8); got != "Delivered" {
		t.Errorf("status column shows %q", got)
	}
	ui.WithUI(func() { s.Country.SetSelected("JP — Japan") })
	s.Wait()
	both, _ := a.Orders.CountOrders(context.Background(), domain.OrderFilter{Status: domain.StatusDelivered, Country: "JP"})
	if s.Count.Text != countLabel(both) {
		t.Errorf("status+country count %q, want %d", s.Count.Text, both)
	}
	// Date range: orders placed on the last demo day only.
	ui.WithUI(func() { test.Tap(findButton(t, s.Content(), "Clear")) })
	s.Wait()
	newest, err := a.Orders.OrderSummaries(context.Background(), domain.OrderFilter{}, 0, 1)
	if err != nil || len(newest) == 0 {
		t.Fatal(err)
	}
	at := newest[0].PlacedAt.In(time.Local)
	day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.Local)
	ui.WithUI(func() { s.From.SetDate(&day) })
	s.Wait()
	ui.WithUI(func() { s.To.SetDate(&day) })
	s.Wait()
	oneDay, _ := a.Orders.CountOrders(context.Background(), domain.OrderFilter{PlacedFrom: day, PlacedTo: day.AddDate(0, 0, 1)})
	if s.Count.Text != countLabel(oneDay) || oneDay == 0 {
		t.Errorf("date filter count %q, want %d", s.Count.Text, oneDay)
	}
}

func countLabel(n int) string {
	if n == 1 {
		return "1 order"
	}
	digits := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + " orders"
}

func itoa(n int) string { return strconv.Itoa(n) }

func findButton(t *testing.T, root fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, o := range test.LaidOutObjects(root) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

func TestOrderDetailAndHold(t *testing.T) {
	a := demoApp(t, 300)
	m := openWindow(t, a)
	s := m.Orders
	page, _ := a.Orders.OrderSummaries(context.Background(), domain.OrderFilter{Status: domain.StatusNew}, 0, 1)
	if len(page) == 0 {
		t.Fatal("no new order")
	}
	o, _ := a.Orders.Order(context.Background(), page[0].ID)
	ui.WithUI(func() { s.Status.SetSelected("New") })
	s.Wait()
	ui.WithUI(func() { s.Table.Select(widget.TableCellID{Row: 0, Col: 1}) })
	s.Wait()
	s.Detail.Wait()
	if s.Detail.Title.Text != "Order "+o.Number {
		t.Fatalf("detail title %q", s.Detail.Title.Text)
	}
	if !strings.Contains(s.Detail.Address.Text, o.ShipTo.Name) || !strings.Contains(s.Detail.Address.Text, o.ShipTo.Country.Name()) {
		t.Errorf("address panel %q", s.Detail.Address.Text)
	}
	if !strings.Contains(s.Detail.Lines.Text, o.Lines[0].SKU) {
		t.Errorf("lines panel %q", s.Detail.Lines.Text)
	}
	if !strings.Contains(s.Detail.Totals.Text, o.Total.Decimal()[:1]) || !strings.Contains(s.Detail.Totals.Text, string(o.Currency)) {
		t.Errorf("totals panel %q", s.Detail.Totals.Text)
	}
	if !strings.Contains(s.Detail.History.Text, "imported from") {
		t.Errorf("history panel %q", s.Detail.History.Text)
	}
	// A new order can be put on hold, cancelled or given a priority, not released.
	var actions []string
	for _, b := range s.Detail.Actions.Objects {
		actions = append(actions, b.(*widget.Button).Text)
	}
	if strings.Join(actions, ",") != "Put on hold,Cancel order,Priority…" {
		t.Errorf("actions %v", actions)
	}
	ui.WithUI(func() { s.Detail.Transition(o.ID, domain.StatusOnHold, "address check") })
	s.Detail.Wait()
	s.Wait()
	s.Detail.Wait()
	if s.Detail.Status.Text != "On hold" || !strings.Contains(s.Detail.History.Text, "New → On hold   address check") {
		t.Errorf("after hold: status %q, history %q", s.Detail.Status.Text, s.Detail.History.Text)
	}
	stored, _ := a.Orders.Order(context.Background(), o.ID)
	if stored.Status != domain.StatusOnHold {
		t.Errorf("stored status %s", stored.Status)
	}
	// A colleague releases the hold meanwhile: cancelling what the panel
	// still shows on hold is refused, and the panel shows what it is now.
	if err := a.Orders.Transition(context.Background(), o.ID, domain.StatusNew, "released by a colleague"); err != nil {
		t.Fatal(err)
	}
	ui.WithUI(func() { s.Detail.Transition(o.ID, domain.StatusCancelled, "customer asked") })
	s.Detail.Wait()
	s.Detail.Wait()
	if stored, _ = a.Orders.Order(context.Background(), o.ID); stored.Status != domain.StatusNew || s.Detail.Status.Text != "New" {
		t.Errorf("after a colleague's change: stored %s, the panel shows %q", stored.Status, s.Detail.Status.Text)
	}
}

func TestInventoryScreenSearchAndBins(t *testing.T) {
	a := demoApp(t, 10)
	m := openWindow(t, a)
	s := m.Inventory
	if s.Count.Text != "500 products" {
		t.Fatalf("count %q", s.Count.Text)
	}
	ui.WithUI(func() { test.Type(s.Search, "Fountain pen") })
	s.Wait()
	if s.Count.Text != "20 products" {
		t.Errorf("search count %q", s.Count.Text)
	}
	if got := cell(t, s, s.Table, 0, 1); !strings.HasPrefix(got, "Fountain pen") {
		t.Errorf("first product %q", got)
	}
	// Find a warehouse column where the first product is stocked and drill down.
	ctx := context.Background()
	rows, _ := a.Inventory.ProductStockPage(ctx, domain.StockFilter{Search: "Fountain pen"}, 0, 1)
	ws, _ := a.Inventory.Warehouses(ctx)
	const fixed = 5 // SKU, product, on hand, reserved, available
	col := -1
	for i, w := range ws {
		if rows[0].Stock[w.ID].OnHand > 0 {
			col = fixed + i
			break
		}
	}
	if col < 0 {
		t.Fatal("first fountain pen is not stocked anywhere")
	}
	st := rows[0].Stock[ws[col-fixed].ID]
	if got, want := cell(t, s, s.Table, 0, col), itoa(int(st.Available()))+" / "+itoa(int(st.OnHand)); got != want {
		t.Errorf("warehouse cell %q, want %q", got, want)
	}
	ui.WithUI(func() { s.Table.Select(widget.TableCellID{Row: 0, Col: col}) })
	s.Wait()
	bins, _ := a.Inventory.BinStock(ctx, rows[0].ProductID, ws[col-fixed].ID)
	if s.Bins.Length != nil {
		if r, _ := s.Bins.Length(); r != len(bins) || r == 0 {
			t.Errorf("bin table has %d rows, want %d", r, len(bins))
		}
	}
	if !strings.Contains(s.BinTitle.Text, ws[col-fixed].Code) {
		t.Errorf("bin title %q", s.BinTitle.Text)
	}
	l := widget.NewLabel("")
	s.Bins.UpdateCell(widget.TableCellID{Row: 0, Col: 0}, l)
	if l.Text != bins[0].Location {
		t.Errorf("first bin %q, want %q", l.Text, bins[0].Location)
	}
}

// press delivers Ctrl+key as the desktop driver does (glfw's
// triggersShortcut): the window's menu first, else the focused widget when it
// takes shortcuts, else the canvas.
func press(m *ui.MainWindow, key fyne.KeyName) {
	sc := &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
	if menu := m.Window.MainMenu(); menu != nil {
		for _, mn := range menu.Items {
			for _, it := range mn.Items {
				if it.Shortcut != nil && it.Shortcut.ShortcutName() == sc.ShortcutName() && it.Action != nil {
					it.Action()
					return
				}
			}
		}
	}
	c := m.Window.Canvas()
	if f, ok := c.Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(sc)
		return
	}
	c.(fyne.Shortcutable).TypedShortcut(sc)
}

func TestShortcutsSwitchScreens(t *testing.T) {
	a := demoApp(t, 5)
	m := openWindow(t, a)
	c := m.Window.Canvas()
	// The Overview opens first, on Ctrl+0; Orders is Ctrl+1, Inventory Ctrl+2.
	if m.Tabs.Selected().Text != "Overview" {
		t.Errorf("the window opened on %s", m.Tabs.Selected().Text)
	}
	for _, k := range []struct {
		key  fyne.KeyName
		want string
	}{{"2", "Inventory"}, {"0", "Overview"}, {"1", "Orders"}} {
		ui.WithUI(func() { press(m, k.key) })
		if got := m.Tabs.Selected().Text; got != k.want {
			t.Errorf("Ctrl+%s selected %s, want %s", k.key, got, k.want)
		}
	}
	ui.WithUI(func() { press(m, fyne.KeyF) })
	if c.Focused() != m.Orders.Search {
		t.Errorf("Ctrl+F focused %v", c.Focused())
	}
	// With the keyboard in the search box, the keys still switch screens
	// and find the next screen's search.
	ui.WithUI(func() { press(m, "2") })
	if got := m.Tabs.Selected().Text; got != "Inventory" {
		t.Errorf("Ctrl+2 typed into the search box selected %s, want Inventory", got)
	}
	ui.WithUI(func() { press(m, fyne.KeyF) })
	if c.Focused() != m.Inventory.Search {
		t.Errorf("Ctrl+F on Inventory focused %v", c.Focused())
	}
	if m.Window.Title() != "Portolan" {
		t.Errorf("title %q", m.Window.Title())
	}
}

// TestTheWindowFitsALaptopScreen: the window can be made as small as a
// 1366×768 screen leaves it (less the desktop's panel, the title bar and
// the Go menu): no screen asks for more, so none is cut off.
func TestTheWindowFitsALaptopScreen(t *testing.T) {
	a := demoApp(t, 50)
	m := openWindow(t, a)
	for _, it := range m.Tabs.Items {
		if min := it.Content.MinSize(); min.Width > 1366-120 || min.Height > 768-120 {
			t.Errorf("%s needs at least %.0f×%.0f", it.Text, min.Width, min.Height)
		}
	}
	if min := m.Window.Canvas().Content().MinSize(); min.Width > 1366 || min.Height > 768-100 {
		t.Errorf("the window needs at least %.0f×%.0f", min.Width, min.Height)
	}
	// In a window that low the Overview scrolls, and its warehouses' table
	// keeps a row for each warehouse rather than shrinking to one.
	ui.WithUI(func() { m.Window.Resize(fyne.NewSize(1366, 640)) })
	m.Overview.Wait()
	row := widget.NewLabel("0").MinSize().Height
	if n, h := len(m.Overview.Last.Warehouses), m.Overview.Warehouses.Size().Height; n < 2 || h < float32(n+1)*row {
		t.Errorf("the warehouses' table is %.0f high for %d warehouses", h, n)
	}
}

func TestEmptyDatabaseOffersSample(t *testing.T) {
	a := demoApp(t, 0)
	m := openWindow(t, a)
	if m.Orders.Count.Text != "0 orders" {
		t.Errorf("count %q", m.Orders.Count.Text)
	}
	overlay := m.Window.Canvas().Overlays().Top()
	if overlay == nil {
		t.Fatal("no first-launch dialog")
	}
	found := false
	for _, o := range test.LaidOutObjects(overlay) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "Load the sample data set?") {
			found = true
		}
	}
	if !found {
		t.Error("dialog does not offer the sample data")
	}
	ui.WithUI(func() { m.LoadSample(60) })
	m.Wait()
	m.Wait()
	if m.Orders.Count.Text != "60 orders" {
		t.Errorf("after loading sample, count %q", m.Orders.Count.Text)
	}
	// The sample's parcels are tracked through the sandbox carriers at once.
	for range 4 {
		m.Wait()
	}
	if m.Shipments.LastPoll == nil || m.Shipments.LastPoll.Checked == 0 || m.Shipments.LastPoll.Errors != 0 {
		t.Errorf("sandbox carriers after the sample: %+v / %q", m.Shipments.LastPoll, m.Shipments.Problem.Text)
	}
}

// testClock is the tests' clock: the tests' today (PORTOLAN_TEST_TODAY,
// else the real date), 12:00 UTC, moving on.
var testClock = domaintest.NewClock()

// orderReadsWatch is the real order service, noting whether the screen
// asked for the first page of rows before the count was answered.
type orderReadsWatch struct {
	ui.OrderService
	pageAsked  chan struct{}
	once       sync.Once
	overlapped atomic.Bool
}

func (w *orderReadsWatch) OrderSummaries(ctx context.Context, f domain.OrderFilter, offset, limit int) ([]domain.OrderSummary, error) {
	if offset == 0 {
		w.once.Do(func() { close(w.pageAsked) })
	}
	return w.OrderService.OrderSummaries(ctx, f, offset, limit)
}

func (w *orderReadsWatch) CountOrders(ctx context.Context, f domain.OrderFilter) (int, error) {
	select {
	case <-w.pageAsked:
		w.overlapped.Store(true)
	case <-time.After(10 * time.Second): // the page was not asked for meanwhile
	}
	return w.OrderService.CountOrders(ctx, f)
}

// A new filter reads the first page of rows while the orders are counted,
// not after: the screen shows both in the time of the slower one.
func TestOrdersScreenReadsTheFirstPageWhileCounting(t *testing.T) {
	a := demoApp(t, 300)
	watch := &orderReadsWatch{OrderService: a.Orders, pageAsked: make(chan struct{})}
	w := test.NewTempWindow(t, nil)
	var s *ui.OrdersScreen
	ui.WithUI(func() {
		s = ui.NewOrdersScreen(watch, nil, w)
		w.SetContent(s.Content())
		s.Reload()
	})
	s.Wait()
	if !watch.overlapped.Load() {
		t.Error("the first page was asked for only after the count was answered")
	}
	if s.Count.Text != "300 orders" {
		t.Errorf("count label %q", s.Count.Text)
	}
}

// The orders' ship-by: a column (red when late, amber when due today), and
// a filter for the late ones, those due today, and all to ship, soonest
// first. The demo's own promises: which orders are late depends on the
// day the test runs, so the expectations are read from the store.
func TestOrdersScreenShipBy(t *testing.T) {
	a := demoApp(t, 600)
	m := openWindow(t, a)
	s := m.Orders
	ctx := context.Background()
	now := a.Now()
	late, _ := a.Orders.CountOrders(ctx, domain.OrderFilter{ShipByBefore: now})
	today, _ := a.Orders.CountOrders(ctx, domain.OrderFilter{ShipByFrom: now, ShipByBefore: domain.EndOfDay(now.Local())})
	toShip, _ := a.Orders.CountOrders(ctx, domain.OrderFilter{ByShipBy: true})
	if toShip == 0 {
		t.Fatal("the demo has no order to ship: the test needs some")
	}
	for _, tc := range []struct {
		choice string
		want   int
	}{{"Late", late}, {"Due today", today}, {"To ship, soonest first", toShip}} {
		ui.WithUI(func() { s.Due.SetSelected(tc.choice) })
		s.Wait()
		if s.Count.Text != countLabel(tc.want) {
			t.Errorf("%s: %q, want %d", tc.choice, s.Count.Text, tc.want)
		}
	}
	// Soonest first: the first row is the soonest, shown in local time, red.
	first, err := a.Orders.OrderSummaries(ctx, domain.OrderFilter{ByShipBy: true}, 0, 1)
	if err != nil || len(first) == 0 {
		t.Fatal(err)
	}
	l := widget.NewLabel("")
	id := widget.TableCellID{Row: 0, Col: 3}
	s.Table.UpdateCell(id, l)
	s.Wait()
	s.Table.UpdateCell(id, l)
	colour := widget.MediumImportance
	switch by := first[0].ShipBy; {
	case by.Before(now):
		colour = widget.DangerImportance
	case by.Before(domain.EndOfDay(now.Local())):
		colour = widget.WarningImportance
	}
	if want := first[0].ShipBy.Local().Format("Mon 02 Jan 15:04"); l.Text != want || l.Importance != colour {
		t.Errorf("the soonest ship-by shows %q (%v), want %q (%v)", l.Text, l.Importance, want, colour)
	}
	if got := cell(t, s, s.Table, 0, 0); got != first[0].Number {
		t.Errorf("first row %q, want %q", got, first[0].Number)
	}
}
