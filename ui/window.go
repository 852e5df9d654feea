package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/billing"
	"github.com/portolan/portolan/ui/internal/uikit"
	"github.com/portolan/portolan/ui/warehouse"
)

// DefaultSampleOrders is how many orders the first-launch sample data has.
const DefaultSampleOrders = 20000

// MainWindow is Portolan's window: a tab per working screen, keyboard
// shortcuts to move between them, and a status line with the database in use.
type MainWindow struct {
	Window     fyne.Window
	Tabs       *container.AppTabs
	Overview   *OverviewScreen // nil without an overview service
	Orders     *OrdersScreen
	Inventory  *InventoryScreen
	Warehouse  *warehouse.Screen // nil without a warehouse service
	Allocation *AllocationScreen // nil without an allocation service
	Channels   *ChannelsScreen   // nil without a channel service
	Shipments  *ShipmentsScreen  // nil without a tracking service
	Billing    *billing.Screen   // nil without a billing service
	AutoSync   *AutoSync         // nil without a sync service
	People     *PeopleScreen     // nil but for a team database's admins

	services Services
	stopLive func()
	tasks    uikit.Tasks
}

// NewMainWindow creates the window on app a (which main creates) and sets Portolan's theme.
func NewMainWindow(a fyne.App, s Services) *MainWindow {
	a.Settings().SetTheme(NewTheme())
	w := a.NewWindow("Portolan")
	w.SetIcon(Icon)
	uikit.ConfirmReplace = askReplace(w)
	s = allowed(s)
	m := &MainWindow{Window: w, services: s}
	m.Orders = NewOrdersScreen(s.Orders, s.Sync, w)
	m.Inventory = NewInventoryScreen(s.Inventory, w)
	m.Tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Orders", theme.DocumentIcon(), m.Orders.Content()),
		container.NewTabItemWithIcon("Inventory", theme.StorageIcon(), m.Inventory.Content()),
	)
	if s.Warehouse != nil {
		m.Warehouse = warehouse.NewScreen(s.Warehouse, w, m.Inventory.apply)
		m.Warehouse.SetLabels(s.Labels)
		if s.People != nil {
			m.Warehouse.Only = s.People.Me().Warehouses
		}
		m.Tabs.Append(container.NewTabItemWithIcon("Warehouse", theme.HomeIcon(), m.Warehouse.Content()))
	}
	if s.Allocation != nil {
		m.Allocation = NewAllocationScreen(s.Allocation, s.Orders, w, func() {
			m.Orders.Reload()
			m.Inventory.apply()
		})
		m.Tabs.Append(container.NewTabItemWithIcon("Allocation", theme.GridIcon(), m.Allocation.Content()))
	}
	if s.Tracking != nil {
		m.Shipments = NewShipmentsScreen(s.Tracking, w)
		m.Tabs.Append(container.NewTabItemWithIcon("Shipments", theme.MailSendIcon(), m.Shipments.Content()))
	}
	if s.Billing != nil {
		m.Billing = billing.NewScreen(s.Billing, w)
		m.Tabs.Append(container.NewTabItemWithIcon("Billing", theme.ListIcon(), m.Billing.Content()))
	}
	if s.Channels != nil {
		m.Channels = NewChannelsScreen(s.Channels, w, m.Orders.Reload)
		if s.ChannelShipping != nil {
			m.Channels.SetShipping(s.ChannelShipping)
		}
		m.Tabs.Append(container.NewTabItemWithIcon("Channels", theme.SettingsIcon(), m.Channels.Content()))
	}
	if s.Overview != nil {
		m.Overview = NewOverviewScreen(s.Overview)
		if s.Trends != nil {
			m.Overview.SetTrends(s.Trends, w)
		}
		m.Overview.OpenOrders = func(v OrdersView) {
			m.showTab(m.Orders.Content())
			m.Orders.Show(v)
		}
		if m.Shipments != nil {
			m.Overview.OpenShipments = func() {
				m.showTab(m.Shipments.Content())
				m.Shipments.ShowExceptions()
			}
		}
		if m.Channels != nil {
			m.Overview.OpenChannels = func() { m.showTab(m.Channels.Content()) }
		}
		if m.Billing != nil {
			m.Overview.OpenAgeing = func() {
				m.showTab(m.Billing.Content())
				m.Billing.ShowAgeing()
			}
			m.Overview.OpenCharges = func(period string) {
				m.showTab(m.Billing.Content())
				m.Billing.ShowCharges(period)
			}
			m.Overview.OpenReconciliation = func(period string) {
				m.showTab(m.Billing.Content())
				m.Billing.ShowReconciliation(period)
			}
		}
		if m.Warehouse != nil {
			m.Overview.OpenInbounds = func(code, due string) {
				m.showTab(m.Warehouse.Content())
				m.Warehouse.ShowInbounds(code, due)
			}
			m.Overview.OpenManifests = func(code string) {
				m.showTab(m.Warehouse.Content())
				m.Warehouse.ShowManifests(code)
			}
		}
		m.Overview.OpenLowStock = func() {
			m.showTab(m.Inventory.Content())
			m.Inventory.ShowLow()
		}
		m.Tabs.Items = append([]*container.TabItem{container.NewTabItemWithIcon("Overview", theme.HomeIcon(), m.Overview.Content())}, m.Tabs.Items...)
		m.Tabs.SelectIndex(0)
		m.Tabs.OnSelected = func(t *container.TabItem) {
			if t.Content == m.Overview.Content() {
				m.Overview.Reload() // what the other screens changed meanwhile
			}
		}
	}
	if s.People != nil && !s.People.May(domain.AreaOrders) {
		why := s.People.Me().Refusal(domain.AreaOrders)
		m.Orders.Detail.ReadOnly = why
		if m.Shipments != nil {
			m.Shipments.SetReadOnly(why)
		}
	}
	if s.Team && s.People != nil && s.People.May(domain.AreaPeople) {
		m.People = NewPeopleScreen(s.People, s.Inventory.Warehouses, w)
		m.Tabs.Append(container.NewTabItemWithIcon("People", theme.AccountIcon(), m.People.Content()))
	}
	m.Tabs.SetTabLocation(container.TabLocationLeading)

	var keys []string
	for i, t := range m.Tabs.Items {
		keys = append(keys, fmt.Sprintf("Ctrl+%d %s", i+m.firstKey(), t.Text))
	}
	status := widget.NewLabel(fmt.Sprintf("%sDatabase: %s    ·    %s  ·  Ctrl+F search  ·  F5 reload", signedIn(s), s.DBPath, strings.Join(keys, "  ·  ")))
	status.Importance = widget.LowImportance
	status.Truncation = fyne.TextTruncateEllipsis
	bottom := fyne.CanvasObject(status)
	if s.Sync != nil {
		m.AutoSync = NewAutoSync(s.Sync, a.Preferences(), &m.tasks, func() {
			m.Orders.Reload()
			if m.Channels != nil {
				m.Channels.Reload()
			}
		})
		choice := container.NewGridWrap(fyne.NewSize(250, m.AutoSync.Choice.MinSize().Height), m.AutoSync.Choice)
		bottom = container.NewBorder(nil, nil, nil, container.NewHBox(m.AutoSync.Status, choice), status)
	}
	w.SetContent(container.NewBorder(nil, bottom, nil, nil, m.Tabs))
	w.SetOnClosed(m.close)
	m.addShortcuts()
	w.Resize(fyne.NewSize(1440, 860))
	return m
}

// allowed is s without the screens for changing what the person signed in
// may not change (the team's server would refuse it): a warehouse person
// sees no Allocation, Channels or Billing; finance no Warehouse; only an
// admin loads the sample data. Orders, Inventory and Shipments show to all.
func allowed(s Services) Services {
	if s.People == nil {
		return s
	}
	if !s.People.May(domain.AreaOrders) {
		s.Allocation, s.Channels, s.Sync = nil, nil, nil
	}
	if !s.People.May(domain.AreaWarehouse) {
		s.Warehouse = nil
	}
	if !s.People.May(domain.AreaBilling) {
		s.Billing = nil
	}
	if !s.People.May(domain.AreaPeople) {
		s.Sample = nil
	}
	return s
}

// signedIn names the person signed in to a team database, for the status line.
func signedIn(s Services) string {
	if !s.Team || s.People == nil {
		return ""
	}
	me := s.People.Me()
	role := string(me.Role)
	if len(me.Warehouses) > 0 {
		role += ": " + strings.Join(me.Warehouses, ", ")
	}
	return fmt.Sprintf("Signed in: %s (%s)    ·    ", me.DisplayName(), role)
}

// startLive keeps the open screens current with what colleagues change
// (Services.Live): each screen whose tables changed refreshes its rows,
// keeping its place and selection.
func (m *MainWindow) startLive() {
	if m.services.Live == nil || m.stopLive != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.stopLive = cancel
	go m.services.Live(ctx, func(tables []string) { uikit.OnUI(func() { m.Changed(tables) }) })
}

// Changed refreshes the screens that show the tables (AnyTable: all).
func (m *MainWindow) Changed(tables []string) {
	touched := func(names ...string) bool {
		for _, n := range append(names, domain.AnyTable) {
			if slices.Contains(tables, n) {
				return true
			}
		}
		return false
	}
	if touched("orders", "order_lines", "allocations") {
		m.Orders.Changed()
	}
	if m.Overview != nil && touched("orders", "reservations", "waves", "shipments", "tracking_pushes", "sync_runs", "settings") {
		m.Overview.Reload()
	}
	if touched("stock_totals", "stock_balances") {
		m.Inventory.apply()
	}
	if m.Shipments != nil && touched("shipments", "tracking_events", "parcels") {
		m.Shipments.Reload()
	}
	if m.Warehouse != nil && touched("parcels", "label_scans") {
		m.Warehouse.Ship.ParcelsChanged()
	}
	if m.Billing != nil && touched("invoices", "payments", "charges", "carrier_invoice_lines") {
		m.Billing.Reload()
	}
	if m.Channels != nil && touched("channels", "sync_runs") {
		m.Channels.Reload()
	}
	if m.People != nil && touched("people") {
		m.People.Reload()
	}
}

// close stops background work the window started.
func (m *MainWindow) close() {
	if m.stopLive != nil {
		m.stopLive()
	}
	if m.Overview != nil {
		m.Overview.StopLive()
	}
	if m.AutoSync != nil {
		m.AutoSync.Stop()
	}
	if m.Channels != nil {
		m.Channels.Close()
	}
	if m.Shipments != nil {
		m.Shipments.StopAutoPoll()
	}
	if m.Billing != nil {
		m.Billing.StopAccrual()
	}
	if m.Warehouse != nil {
		m.Warehouse.StopHandOvers()
	}
}

// screen is what the window asks of every screen: its content (a tab),
// read its rows again, put the cursor in its search, and wait until its
// background work has been applied (tests).
type screen interface {
	Content() fyne.CanvasObject
	Reload()
	FocusSearch()
	Wait()
}

// showTab brings the tab of a screen's content to the front.
func (m *MainWindow) showTab(content fyne.CanvasObject) { m.Tabs.Select(m.tabOf(content)) }

// firstKey is the number of the first tab's shortcut: Ctrl+0 for the
// Overview, else Ctrl+1 for Orders.
func (m *MainWindow) firstKey() int {
	if m.Overview != nil {
		return 0
	}
	return 1
}

// tabOf is the tab that shows content.
func (m *MainWindow) tabOf(content fyne.CanvasObject) *container.TabItem {
	for _, t := range m.Tabs.Items {
		if t.Content == content {
			return t
		}
	}
	return nil
}

func (m *MainWindow) current() screen {
	if sel := m.Tabs.Selected(); sel != nil {
		for _, sc := range m.screens() {
			if sc.Content() == sel.Content {
				return sc
			}
		}
	}
	return m.Orders
}

// addShortcuts puts the screens, the search box and reload in the window's
// Go menu, each with its key. A menu's key reaches the window whatever has
// the keyboard, also a text field; a key added to the canvas would go to a
// focused field instead and do nothing.
func (m *MainWindow) addShortcuts() {
	item := func(label string, key fyne.KeyName, do func()) *fyne.MenuItem {
		i := fyne.NewMenuItem(label, do)
		i.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
		return i
	}
	var items []*fyne.MenuItem
	for i, t := range m.Tabs.Items {
		items = append(items, item(t.Text, fyne.KeyName(fmt.Sprint(i+m.firstKey())), func() { m.Tabs.SelectIndex(i) }))
	}
	items = append(items, fyne.NewMenuItemSeparator(),
		item("Search", fyne.KeyF, func() { m.current().FocusSearch() }),
		item("Reload", fyne.KeyR, func() { m.current().Reload() }))
	m.Window.SetMainMenu(fyne.NewMainMenu(fyne.NewMenu("Go", items...)))
	m.Window.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyF5 {
			m.current().Reload()
		}
	})
}

// Start fills the screens and, when the database is empty, offers the sample data.
func (m *MainWindow) Start() {
	for _, s := range m.screens() {
		s.Reload()
	}
	if m.Overview != nil {
		m.Overview.StartLive(time.Minute) // late and due move with the clock
	}
	if m.Billing != nil {
		m.Billing.StartAccrual()
	}
	if m.Shipments != nil {
		m.Shipments.resumeSandbox()
		if m.Shipments.readOnly == "" { // whoever may change tracking polls it
			m.Shipments.StartAutoPoll(5 * time.Minute)
		}
	}
	if m.Warehouse != nil && (m.Shipments == nil || m.Shipments.readOnly != "") {
		// Polls hand scanned parcels over where the poller may; a
		// warehouse person's window does it for theirs.
		m.Warehouse.StartHandOvers(2 * time.Minute)
	}
	m.startLive()
	if len(m.services.Notices) > 0 {
		dialog.ShowInformation("About this database", strings.Join(m.services.Notices, "\n\n"), m.Window)
	}
	if m.services.Sample == nil {
		return
	}
	m.tasks.Run(func() func() {
		empty, err := m.services.Sample.IsEmpty(context.Background())
		return func() {
			if err != nil {
				uikit.LogError("check for empty database", err)
				return
			}
			if empty {
				m.OfferSample()
			}
		}
	})
}

// Wait blocks until the window's own background work has been applied (tests).
func (m *MainWindow) Wait() {
	m.tasks.Wait()
	for _, s := range m.screens() {
		s.Wait()
	}
}

// screens are the screens the window has (a service's screen is missing
// without the service, People but for a team's admins).
func (m *MainWindow) screens() []screen {
	all := []screen{}
	add := func(has bool, s screen) {
		if has {
			all = append(all, s)
		}
	}
	add(m.Overview != nil, m.Overview)
	add(m.People != nil, m.People)
	add(true, m.Orders)
	add(true, m.Inventory)
	add(m.Warehouse != nil, m.Warehouse)
	add(m.Allocation != nil, m.Allocation)
	add(m.Channels != nil, m.Channels)
	add(m.Shipments != nil, m.Shipments)
	add(m.Billing != nil, m.Billing)
	return all
}

// OfferSample asks whether to load the sample data set into the empty database.
func (m *MainWindow) OfferSample() {
	d := dialog.NewConfirm("Welcome to Portolan",
		fmt.Sprintf("This database is empty.\n\nLoad the sample data set? It has %s international orders from 3 channels,\n"+
			"500 products and stock in 7 warehouses on 4 continents, so you can try every screen.\n\n"+
			"It goes into %s.", uikit.GroupThousands(DefaultSampleOrders), m.services.DBPath),
		func(ok bool) {
			if ok {
				m.LoadSample(DefaultSampleOrders)
			}
		}, m.Window)
	d.SetConfirmText("Load sample data")
	d.SetDismissText("Start empty")
	d.Show()
}

// LoadSample loads the sample data in the background with a progress dialog
// that can cancel it; a cancelled load writes nothing.
func (m *MainWindow) LoadSample(orders int) {
	ctx, cancel := context.WithCancel(context.Background())
	bar := widget.NewProgressBar()
	bar.Max = float64(orders)
	label := widget.NewLabel("Writing warehouses, products and stock…")
	cancelBtn := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), cancel)
	d := dialog.NewCustomWithoutButtons("Loading sample data", container.NewVBox(label, bar, container.NewCenter(cancelBtn)), m.Window)
	d.Resize(fyne.NewSize(460, 160))
	d.Show()
	m.tasks.Run(func() func() {
		err := m.services.Sample.LoadSample(ctx, orders, func(done, total int) {
			uikit.OnUI(func() {
				bar.SetValue(float64(done))
				label.SetText(fmt.Sprintf("Writing orders: %s of %s", uikit.GroupThousands(int64(done)), uikit.GroupThousands(int64(total))))
			})
		})
		cancel()
		return func() {
			d.Hide()
			switch {
			case errors.Is(err, context.Canceled):
				dialog.ShowInformation("Sample data", "Loading was cancelled; nothing was written.", m.Window)
			case err != nil:
				uikit.LogError("load sample data", err)
				dialog.ShowError(uikit.Problem(uikit.UserMessage(err)), m.Window)
			default:
				m.Orders.Reload()
				m.Inventory.Reload()
				// The sample's parcels on their way are tracked through sandbox
				// carriers on this computer, so Shipments moves without credentials.
				if m.Shipments != nil {
					m.Shipments.StartSandbox()
				}
				if m.Billing != nil {
					m.Billing.Reload()
				}
			}
		}
	})
}

// askReplace asks in w whether to replace a saved document; it is called
// from a background task and waits for the answer.
func askReplace(w fyne.Window) func(path string) bool {
	return func(path string) bool {
		answer := make(chan bool, 1)
		uikit.OnUI(func() {
			dialog.ShowConfirm("Replace the document?", fmt.Sprintf("%s is already in the documents folder (%s).\nReplace it with the new one?",
				filepath.Base(path), filepath.Dir(path)), func(ok bool) { answer <- ok }, w)
		})
		return <-answer
	}
}

// SetDocumentsFolder sets the folder documents are saved in (the window's
// preference; tests point it at a temporary folder).
func SetDocumentsFolder(dir string) { uikit.SetDocumentsFolder(dir) }
