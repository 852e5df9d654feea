package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// needsReview is the status filter for orders their source changed after allocation.
const needsReview = "Needs review"

// The ship-by filter's choices.
const (
	dueAny     = "Any ship-by"
	dueLate    = "Late"
	dueToday   = "Due today"
	dueSoonest = "To ship, soonest first"
)

var dueOptions = []string{dueAny, dueLate, dueToday, dueSoonest}

const (
	orderPageSize  = 200
	searchDebounce = 200 * time.Millisecond
)

// OrdersScreen lists all orders in a virtualised table with filters, a
// search-as-you-type box and a detail panel for the selected order.
type OrdersScreen struct {
	svc    OrderService
	sync   SyncService // nil: no Sync button
	window fyne.Window
	tasks  uikit.Tasks

	Search  *widget.Entry
	Status  *widget.Select
	Channel *widget.Select
	Country *widget.Select
	// Due narrows to the orders yet to ship by their ship-by: late, due
	// today, or all of them soonest first.
	Due *widget.Select
	// Warehouse narrows to the orders holding stock in one warehouse.
	Warehouse *widget.Select
	From      *widget.DateEntry
	To        *widget.DateEntry
	Count     *widget.Label
	Problem   uikit.ProblemLabel // inline error, hidden when all is well
	Table     *widget.Table
	Detail    *OrderDetail
	SyncNow   *widget.Button
	// LastSync is the most recent sync dialog (tests read its rows).
	LastSync *SyncDialog

	// dueBy is a "due by" choice of the Due filter (the orders to be ready
	// for a pickup, from the Overview), and dueBefore its time.
	dueBy     string
	dueBefore time.Time

	filter   domain.OrderFilter
	total    int
	rows     *uikit.Pager[domain.OrderSummary]
	channels map[string]int64

	content fyne.CanvasObject
}

// NewOrdersScreen builds the screen; call Reload to fill it. With a sync
// service it has a "Sync now" button.
func NewOrdersScreen(svc OrderService, sync SyncService, w fyne.Window) *OrdersScreen {
	s := &OrdersScreen{svc: svc, sync: sync, window: w, channels: map[string]int64{}}
	s.rows = uikit.NewPager[domain.OrderSummary](orderPageSize, &s.tasks)
	s.rows.Loaded = func() { s.Table.Refresh() }
	s.rows.Failed = func(err error) { s.Problem.Show("orders", err) }

	s.Search = widget.NewEntry()
	s.Search.SetPlaceHolder("Search order number, customer, email or SKU  (Ctrl+F)")
	s.Search.OnChanged = func(string) { s.tasks.Debounce(searchDebounce, s.applyFilters) }

	statusOptions := []string{"All statuses"}
	for _, st := range domain.OrderStatuses {
		statusOptions = append(statusOptions, st.Label())
	}
	statusOptions = append(statusOptions, needsReview)
	s.Status = widget.NewSelect(statusOptions, nil)
	s.Channel = widget.NewSelect([]string{"All channels"}, nil)
	s.Country = widget.NewSelect([]string{"All countries"}, nil)
	s.Due = widget.NewSelect(dueOptions, nil)
	s.Warehouse = widget.NewSelect([]string{allWarehouses}, nil)
	for _, sel := range []*widget.Select{s.Status, s.Channel, s.Country, s.Due, s.Warehouse} {
		sel.SetSelectedIndex(0)
		sel.OnChanged = func(string) { s.applyFilters() }
	}
	s.From = widget.NewDateEntry()
	s.From.SetPlaceHolder("Placed from")
	s.From.OnChanged = func(*time.Time) { s.applyFilters() }
	s.To = widget.NewDateEntry()
	s.To.SetPlaceHolder("Placed to")
	s.To.OnChanged = func(*time.Time) { s.applyFilters() }
	clear := widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), s.clearFilters)

	s.Count = uikit.NewCountLabel()
	s.Problem = uikit.NewProblemLabel()
	type order = domain.OrderSummary
	s.Table = uikit.NewColumnTable(func() int { return s.total }, s.rows.Row,
		uikit.Col("Number", func(r order) string { return r.Number }).Wide(105),
		uikit.Col("Channel", func(r order) string { return r.ChannelCode }).Wide(82),
		uikit.Col("Placed", func(r order) string { return uikit.LocalAt(r.PlacedAt, "2006-01-02 15:04") }).Wide(132),
		uikit.Marked("Ship by", func(r order, l *widget.Label) {
			l.Importance, l.Text = widget.MediumImportance, ""
			if r.Status.Open() && !r.ShipBy.IsZero() {
				now := s.svc.Now()
				switch {
				case r.ShipBy.Before(now):
					l.Importance = widget.DangerImportance
				case r.ShipBy.Before(domain.EndOfDay(now.Local())):
					l.Importance = widget.WarningImportance
				}
				l.Text = uikit.LocalAt(r.ShipBy, "Mon 02 Jan 15:04")
			}
			l.Refresh()
		}).Wide(150),
		uikit.Col("Customer", func(r order) string { return r.CustomerName }).Wide(180),
		uikit.Col("Country", func(r order) string { return string(r.Country) }).Wide(64),
		uikit.Num("Items", func(r order) string { return uikit.QtyText(r.Units) }).Wide(52),
		uikit.Num("Total", func(r order) string { return uikit.FormatMoney(r.Total) }).Wide(128),
		uikit.Marked("Status", func(r order, l *widget.Label) {
			l.Importance = statusImportance(r.Status)
			l.SetText(r.Status.Label())
		}).Wide(92))
	s.Table.OnSelected = func(id widget.TableCellID) {
		if r, ok := s.rows.Row(id.Row); ok {
			s.Detail.Show(r.ID)
		}
	}

	s.Detail = NewOrderDetail(svc, w, func(id int64) {
		s.refresh(false)
		s.Detail.Show(id)
	})

	filters := container.NewGridWithColumns(8, s.Status, s.Channel, s.Country, s.Due, s.Warehouse, s.From, s.To, clear)
	searchRow := fyne.CanvasObject(s.Search)
	if sync != nil {
		s.SyncNow = widget.NewButtonWithIcon("Sync now", theme.ViewRefreshIcon(), s.StartSync)
		s.SyncNow.Importance = widget.HighImportance
		searchRow = container.NewBorder(nil, nil, nil, s.SyncNow, s.Search)
	}
	top := container.NewVBox(searchRow, filters, s.Problem.Label)
	split := uikit.Halves(container.NewBorder(nil, s.Count, nil, nil, s.Table), s.Detail.Content(), 0.66)
	s.content = container.NewBorder(top, nil, nil, nil, split)
	return s
}

// Content is the screen's root object.
func (s *OrdersScreen) Content() fyne.CanvasObject { return s.content }

// StartSync opens the sync dialog and pulls orders from every channel; the
// list reloads when it is done.
func (s *OrdersScreen) StartSync() {
	if s.sync == nil {
		return
	}
	s.LastSync = NewSyncDialog(s.sync, s.window, &s.tasks, s.Reload)
	s.LastSync.Start()
}

// FocusSearch puts the keyboard focus in the search box.
func (s *OrdersScreen) FocusSearch() {
	if c := s.window.Canvas(); c != nil {
		c.Focus(s.Search)
	}
}

// Wait blocks until background loads have been applied (for tests).
func (s *OrdersScreen) Wait() { s.tasks.Wait() }

// Reload refreshes the filter choices (channels, countries) and the orders.
func (s *OrdersScreen) Reload() {
	s.tasks.Run(func() func() {
		ctx := context.Background()
		channels, err := s.svc.Channels(ctx)
		if err != nil {
			return func() { s.Problem.Show("orders", err) }
		}
		countries, err := s.svc.OrderCountries(ctx)
		if err != nil {
			return func() { s.Problem.Show("orders", err) }
		}
		whs, err := s.svc.Warehouses(ctx)
		if err != nil {
			return func() { s.Problem.Show("orders", err) }
		}
		return func() {
			wopts := []string{allWarehouses}
			for _, w := range whs {
				wopts = append(wopts, w.Code)
			}
			s.Warehouse.Options = wopts
			s.Warehouse.Refresh()
			s.channels = map[string]int64{}
			opts := []string{"All channels"}
			for _, c := range channels {
				s.channels[c.Name] = c.ID
				opts = append(opts, c.Name)
			}
			s.Channel.Options = opts
			s.Channel.Refresh()
			copts := []string{"All countries"}
			for _, c := range countries {
				copts = append(copts, countryOption(c))
			}
			s.Country.Options = copts
			s.Country.Refresh()
			s.applyFilters()
		}
	})
}

// Changed re-reads the count and the rows on screen, keeping the place and
// the selection, and the order open in the panel: a colleague changed
// orders.
func (s *OrdersScreen) Changed() {
	s.refresh(false)
	s.Detail.Refresh()
}

func countryOption(c domain.Country) string { return string(c) + " — " + c.Name() }

func (s *OrdersScreen) clearFilters() {
	s.Show(OrdersView{})
}

// quietly sets a filter widget without its OnChanged: the filters are
// applied once, after all of them are set.
func quietly[W any](w W, onChanged *func(string), set func(W)) {
	f := *onChanged
	*onChanged = nil
	set(w)
	*onChanged = f
}

// currentFilter reads the filter widgets.
func (s *OrdersScreen) currentFilter() domain.OrderFilter {
	f := domain.OrderFilter{Search: strings.TrimSpace(s.Search.Text)}
	switch i := s.Status.SelectedIndex(); {
	case s.Status.Selected == needsReview:
		f.NeedsReview = true
	case i > 0:
		f.Status = domain.OrderStatuses[i-1]
	}
	f.ChannelID = s.channels[s.Channel.Selected]
	if s.Country.SelectedIndex() > 0 {
		code, _, _ := strings.Cut(s.Country.Selected, " ")
		f.Country = domain.Country(code)
	}
	if s.Warehouse.SelectedIndex() > 0 {
		f.Warehouse = s.Warehouse.Selected
	}
	switch now := s.svc.Now(); s.Due.Selected {
	case dueLate:
		f.ShipByBefore = now
	case dueToday:
		f.ShipByFrom, f.ShipByBefore = now, domain.EndOfDay(now.Local())
	case dueSoonest:
		f.ByShipBy = true
	case s.dueBy:
		if s.dueBy != "" {
			f.ShipByBefore = s.dueBefore
		}
	}
	// Dates are the user's local calendar days; "to" includes its whole day.
	if s.From.Date != nil {
		d := *s.From.Date
		f.PlacedFrom = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.Local)
	}
	if s.To.Date != nil {
		d := *s.To.Date
		f.PlacedTo = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, time.Local)
	}
	return f
}

func (s *OrdersScreen) pageFetcher() func(ctx context.Context, offset, limit int) ([]domain.OrderSummary, error) {
	f := s.filter
	return func(ctx context.Context, offset, limit int) ([]domain.OrderSummary, error) {
		return s.svc.OrderSummaries(ctx, f, offset, limit)
	}
}

// applyFilters reads the filter widgets and shows the matching orders from the top.
func (s *OrdersScreen) applyFilters() {
	s.filter = s.currentFilter()
	s.refresh(true)
}

// refresh re-reads the count and rows for the current filter; fromTop also
// scrolls back to the first row and clears the selection.
func (s *OrdersScreen) refresh(fromTop bool) {
	f := s.filter
	s.Count.SetText("Counting…")
	s.rows.Reset(s.pageFetcher(), func(ctx context.Context) (int, error) { return s.svc.CountOrders(ctx, f) }, func(n int) {
		s.Problem.Hide()
		s.total = n
		s.Count.SetText(uikit.CountText(n, "order", "orders"))
		if f.Search != "" && n > domain.SearchCountCap {
			s.Count.SetText(fmt.Sprintf("More than %s orders: narrow the search", uikit.GroupThousands(domain.SearchCountCap)))
		}
		if fromTop {
			s.Table.UnselectAll()
			s.Table.ScrollToTop()
		}
		s.Table.Refresh()
	})
}

func statusImportance(s domain.OrderStatus) widget.Importance {
	switch s {
	case domain.StatusException, domain.StatusCancelled:
		return widget.DangerImportance
	case domain.StatusOnHold, domain.StatusBackordered:
		return widget.WarningImportance
	case domain.StatusDelivered:
		return widget.SuccessImportance
	}
	return widget.MediumImportance
}

// Show sets the filters to v (from the Overview's tiles; Clear is the
// empty view), the others cleared, and lists the matching orders from the
// top.
func (s *OrdersScreen) Show(v OrdersView) {
	choose := func(choice string) func(*widget.Select) {
		return func(sel *widget.Select) {
			if choice == "" {
				sel.SetSelectedIndex(0)
			} else {
				sel.SetSelected(choice)
			}
		}
	}
	quietly(s.Search, &s.Search.OnChanged, func(e *widget.Entry) { e.SetText("") })
	status := ""
	if v.Status != "" {
		status = v.Status.Label()
	}
	if v.NeedsReview {
		status = needsReview
	}
	quietly(s.Status, &s.Status.OnChanged, choose(status))
	quietly(s.Channel, &s.Channel.OnChanged, choose(""))
	quietly(s.Country, &s.Country.OnChanged, choose(""))
	s.Due.Options = slices.DeleteFunc(s.Due.Options, func(o string) bool { return o == s.dueBy })
	s.dueBy, s.dueBefore = "", time.Time{}
	due := v.Due
	if !v.ShipByBefore.IsZero() {
		s.dueBy = "Due by " + uikit.LocalAt(v.ShipByBefore, "Mon 15:04")
		s.dueBefore = v.ShipByBefore
		s.Due.Options = append(s.Due.Options, s.dueBy)
		due = s.dueBy
	}
	quietly(s.Due, &s.Due.OnChanged, choose(due))
	if v.Warehouse != "" && !slices.Contains(s.Warehouse.Options, v.Warehouse) {
		s.Warehouse.Options = append(s.Warehouse.Options, v.Warehouse)
	}
	quietly(s.Warehouse, &s.Warehouse.OnChanged, choose(v.Warehouse))
	for _, d := range []*widget.DateEntry{s.From, s.To} {
		f := d.OnChanged
		d.OnChanged = nil
		d.SetDate(nil)
		d.OnChanged = f
	}
	s.applyFilters()
}
