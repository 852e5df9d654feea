package ui

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// OverviewService is what the Overview screen needs; app.OverviewService
// implements it.
type OverviewService interface {
	Clock
	Overview(ctx context.Context) (domain.Overview, error)
}

// OrdersView is a filter of the Orders screen that a tile opens.
type OrdersView struct {
	Status      domain.OrderStatus
	NeedsReview bool
	Due         string // "", dueLate, dueToday, dueSoonest
	Warehouse   string
	// ShipByBefore, when set, lists only those due before it (the orders
	// to be ready for a pickup).
	ShipByBefore time.Time
}

// OverviewScreen is the first screen a coordinator opens: what is late,
// what is about to be late, and where it is stuck, at every stage and
// warehouse. Each tile counts what the screen it opens lists.
type OverviewScreen struct {
	svc   OverviewService
	tasks uikit.Tasks

	// Open handlers, set by the window (nil: the tile does not open).
	OpenOrders    func(OrdersView)
	OpenShipments func()
	OpenChannels  func()
	OpenLowStock  func()
	OpenAgeing    func() // nil: no finance tiles (the person may not see billing)
	// OpenCharges opens a month's charges, OpenReconciliation a month's
	// carrier invoice lines (nil: no tile).
	OpenCharges        func(period string)
	OpenReconciliation func(period string)
	// OpenInbounds opens a warehouse's open inbounds due today or overdue
	// (domain.InboundDueToday, domain.InboundOverdue).
	OpenInbounds func(warehouse, due string)
	// OpenManifests opens a warehouse's carrier manifests.
	OpenManifests func(warehouse string)

	Heading *widget.Label
	Problem uikit.ProblemLabel
	// Tiles by name ("orders.late", "transport.exceptions", …).
	Tiles map[string]*uikit.Tile
	// Warehouses is each warehouse's day, a row each; selecting a count
	// opens the orders it counts (WarehouseViews).
	Warehouses *widget.Table
	// Last is the overview shown.
	Last domain.Overview

	// Trends is the Trends tab (nil without a trend service), and Report
	// makes the weekly operations report.
	Trends       *TrendsPanel
	Report       *widget.Button
	ReportStatus *widget.Label
	// LastReport is where the last report was saved.
	LastReport string

	orders    *fyne.Container
	transport *fyne.Container
	// finance holds the finance tiles, under its heading (hidden for
	// someone who may not see billing).
	finance      *fyne.Container
	financeTiles *fyne.Container
	// carrierMonth is the month the carrier lines tile opens.
	carrierMonth string
	content      fyne.CanvasObject
	// body is the Today view, or the Today and Trends tabs.
	body  *fyne.Container
	today fyne.CanvasObject
	top   *fyne.Container
	// whRows keeps room for every warehouse's row when the Today view
	// scrolls (a table alone would shrink to one row).
	whRows *canvas.Rectangle
	// Views are the Today and Trends tabs (nil without trends).
	Views  *container.AppTabs
	window fyne.Window
	gen    int
	stop   chan struct{}
}

// NewOverviewScreen builds the screen; call Reload to fill it.
func NewOverviewScreen(svc OverviewService) *OverviewScreen {
	s := &OverviewScreen{svc: svc, Tiles: map[string]*uikit.Tile{}, Heading: widget.NewLabel("Overview")}
	s.Heading.TextStyle = fyne.TextStyle{Bold: true}
	s.Problem = uikit.NewProblemLabel()
	s.orders = container.NewGridWrap(tileSize)
	s.transport = container.NewGridWrap(tileSize)
	s.financeTiles = container.NewGridWrap(tileSize)
	s.finance = container.NewVBox(section("Finance"), s.financeTiles)
	s.finance.Hide()
	type row = domain.WarehouseOverview
	num := func(title string, n func(row) int, alert widget.Importance) uikit.Column[row] {
		return uikit.Marked(title, func(r row, l *widget.Label) {
			l.Alignment = fyne.TextAlignTrailing
			l.Importance = alertIf(n(r) > 0, alert)
			l.SetText(uikit.GroupThousands(int64(n(r))))
		}).Wide(96)
	}
	s.Warehouses = uikit.NewColumnTable(func() int { return len(s.Last.Warehouses) }, func(i int) (row, bool) {
		if i < len(s.Last.Warehouses) {
			return s.Last.Warehouses[i], true
		}
		return row{}, false
	},
		uikit.Col("Warehouse", func(r row) string { return r.Code + "  " + r.Name }).Wide(250),
		num("Late", func(r row) int { return r.Late }, widget.DangerImportance),
		num("Due today", func(r row) int { return r.DueToday }, widget.WarningImportance),
		num("Picking", func(r row) int { return r.Picking }, widget.MediumImportance),
		num("Packed", func(r row) int { return r.Packed }, widget.MediumImportance),
		uikit.Col("Next pickup", func(r row) string {
			if r.NextPickup.IsZero() {
				return "none set"
			}
			return uikit.LocalAt(r.NextPickup, "Mon 15:04")
		}).Wide(120),
		uikit.Col("Last that day", func(r row) string {
			if r.LastPickup.IsZero() {
				return ""
			}
			return uikit.LocalAt(r.LastPickup, "15:04")
		}).Wide(110),
		num("Due by then", func(r row) int { return r.ForPickup }, widget.WarningImportance),
		num("Open waves", func(r row) int { return r.OpenWaves }, widget.MediumImportance),
		num("Inbound today", func(r row) int { return r.InboundToday }, widget.MediumImportance).Wide(120),
		num("Inbound overdue", func(r row) int { return r.InboundOverdue }, widget.WarningImportance).Wide(136),
		num("Handed over", func(r row) int { return r.HandedOver }, widget.SuccessImportance).Wide(110))
	s.Warehouses.OnSelected = func(id widget.TableCellID) {
		s.Warehouses.UnselectAll()
		if id.Row >= len(s.Last.Warehouses) {
			return
		}
		w := s.Last.Warehouses[id.Row]
		if id.Col == handedOverColumn {
			if s.OpenManifests != nil {
				s.OpenManifests(w.Code)
			}
			return
		}
		if due := inboundColumns[id.Col]; due != "" {
			if s.OpenInbounds != nil {
				s.OpenInbounds(w.Code, due)
			}
			return
		}
		if v, ok := WarehouseView(w, id.Col); ok && s.OpenOrders != nil {
			s.OpenOrders(v)
		}
	}
	reload := widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), s.refresh)
	s.top = container.NewHBox(reload)
	top := container.NewBorder(nil, nil, nil, s.top, s.Heading)
	hint := widget.NewLabel("Select a count to list its orders.")
	hint.Importance = widget.LowImportance
	tiles := container.NewVBox(section("Orders"), s.orders, section("Stock, transport and channels"), s.transport, s.finance,
		section("Warehouses today"), hint)
	// Scrolls when the window is lower than the tiles and a few warehouses:
	// the window can be made as small as the screen it is on.
	s.whRows = canvas.NewRectangle(color.Transparent)
	s.today = container.NewVScroll(container.NewBorder(tiles, nil, nil, nil, container.NewStack(s.whRows, s.Warehouses)))
	s.body = container.NewStack(s.today)
	s.content = container.NewBorder(container.NewVBox(top, s.Problem.Label), nil, nil, nil, s.body)
	return s
}

// SetTrends adds the Trends tab and the weekly report (saved from w's
// dialogs).
func (s *OverviewScreen) SetTrends(svc TrendService, w fyne.Window) {
	s.window = w
	s.Trends = newTrendsPanel(svc)
	loaded := false
	s.Views = container.NewAppTabs(container.NewTabItem("Today", s.today), container.NewTabItem("Trends", s.Trends.content))
	s.Views.OnSelected = func(t *container.TabItem) {
		if t.Content == s.Trends.content && !loaded {
			loaded = true
			s.Trends.Reload()
		}
	}
	s.Report = widget.NewButtonWithIcon("Weekly report…", theme.DocumentIcon(), s.askReport)
	s.ReportStatus = widget.NewLabel("")
	s.ReportStatus.Importance = widget.LowImportance
	s.top.Objects = append([]fyne.CanvasObject{s.ReportStatus, s.Report}, s.top.Objects...)
	s.body.Objects = []fyne.CanvasObject{s.Views}
	s.body.Refresh()
}

// refresh reloads the counts, and the trends when they are shown.
func (s *OverviewScreen) refresh() {
	s.Reload()
	if s.Views != nil && s.Views.Selected().Content == s.Trends.content {
		s.Trends.Reload()
	}
}

// reportWeeks are the weeks the report may be made for: this one and the 12
// before it, newest first.
func reportWeeks(now time.Time) []string {
	start := domain.WeekStart(now.Local())
	out := make([]string, 0, 13)
	for i := range 13 {
		out = append(out, domain.ISOWeek(start.AddDate(0, 0, -7*i)))
	}
	return out
}

// askReport asks which week, then makes its report.
func (s *OverviewScreen) askReport() {
	weeks := reportWeeks(s.svc.Now())
	pick := widget.NewSelect(weeks, nil)
	pick.SetSelectedIndex(1) // the last full week
	dialog.ShowForm("Weekly operations report", "Make the PDF", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Week", pick)}, func(ok bool) {
			if ok {
				s.MakeReport(pick.Selected)
			}
		}, s.window)
}

// MakeReport makes week's report off the UI goroutine and saves it in
// the documents folder, then offers to open it.
func (s *OverviewScreen) MakeReport(week string) {
	s.Report.Disable()
	s.ReportStatus.SetText("Making the report of " + week + "…")
	s.tasks.Run(func() func() {
		var b bytes.Buffer
		r, err := s.Trends.svc.ReportPDF(context.Background(), week, &b)
		path := ""
		if err == nil {
			path, err = uikit.SaveDocument("operations-report-"+r.Week+".pdf", b.Bytes())
		}
		return func() {
			s.Report.Enable()
			if err != nil {
				s.ReportStatus.SetText("")
				s.Problem.Show("the weekly report", err)
				return
			}
			s.LastReport = path
			s.ReportStatus.SetText("Saved " + filepath.Base(path))
			if s.window != nil {
				dialog.ShowConfirm("Weekly report saved", "Saved in "+path+".\nOpen it?", func(open bool) {
					if open {
						if err := uikit.OpenDocument(path); err != nil {
							s.Problem.Show("opening the report", err)
						}
					}
				}, s.window)
			}
		}
	})
}

// WarehouseView is the filter of the Orders screen that column col of a
// warehouse's row opens; ok is false for a column that opens nothing.
func WarehouseView(w domain.WarehouseOverview, col int) (OrdersView, bool) {
	switch col {
	case 1:
		return OrdersView{Warehouse: w.Code, Due: dueLate}, true
	case 2:
		return OrdersView{Warehouse: w.Code, Due: dueToday}, true
	case 3:
		return OrdersView{Warehouse: w.Code, Status: domain.StatusPicking}, true
	case 4:
		return OrdersView{Warehouse: w.Code, Status: domain.StatusPacked}, true
	case 7:
		return OrdersView{Warehouse: w.Code, ShipByBefore: w.LastPickup.Add(time.Millisecond)}, !w.LastPickup.IsZero()
	}
	return OrdersView{}, false
}

// inboundColumns are the warehouse table's inbound columns, and what
// their counts list.
var inboundColumns = map[int]string{9: domain.InboundDueToday, 10: domain.InboundOverdue}

// handedOverColumn is the warehouse table's column of parcels handed over
// today; it opens the warehouse's carrier manifests.
const handedOverColumn = 11

var tileSize = fyne.NewSize(196, 172) // three lines of detail

func section(title string) fyne.CanvasObject {
	l := widget.NewLabel(title)
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.Importance = widget.HighImportance
	return container.NewVBox(widget.NewSeparator(), l)
}

// Content is the screen's root object.
func (s *OverviewScreen) Content() fyne.CanvasObject { return s.content }

// StartLive reloads the overview every period (its late and due counts
// move with the clock) until StopLive.
func (s *OverviewScreen) StartLive(period time.Duration) {
	if s.stop != nil {
		return
	}
	s.stop = make(chan struct{})
	uikit.Every(period, s.stop, func() { uikit.OnUI(s.Reload) })
}

// StopLive stops StartLive's reloading.
func (s *OverviewScreen) StopLive() {
	if s.stop != nil {
		close(s.stop)
		s.stop = nil
	}
}

// FocusSearch does nothing: the Overview has nothing to search.
func (s *OverviewScreen) FocusSearch() {}

// Wait blocks until the screen's background reads are shown (tests).
func (s *OverviewScreen) Wait() {
	s.tasks.Wait()
	if s.Trends != nil {
		s.Trends.Wait()
	}
}

// Reload reads the overview off the UI goroutine and shows it.
func (s *OverviewScreen) Reload() {
	s.gen++
	gen := s.gen
	s.tasks.Run(func() func() {
		v, err := s.svc.Overview(context.Background())
		return func() {
			if gen != s.gen {
				return
			}
			if err != nil {
				s.Problem.Show("the overview", err)
				return
			}
			s.Problem.Hide()
			s.show(v)
		}
	})
}

// tile is the tile named key, made once with its tap.
func (s *OverviewScreen) tile(key, title string, tapped func()) *uikit.Tile {
	t, ok := s.Tiles[key]
	if !ok {
		t = uikit.NewTile(title, tapped)
		s.Tiles[key] = t
	}
	return t
}

func (s *OverviewScreen) openOrders(v OrdersView) func() {
	return func() {
		if s.OpenOrders != nil {
			s.OpenOrders(v)
		}
	}
}

// alertIf is Danger when bad, else Medium.
func alertIf(bad bool, level widget.Importance) widget.Importance {
	if bad {
		return level
	}
	return widget.MediumImportance
}

func (s *OverviewScreen) show(v domain.Overview) {
	s.Last = v
	now := v.At
	s.Heading.SetText("Overview — " + uikit.LocalAt(now, "Monday 2 January 2006, 15:04"))
	o := v.Orders
	count := func(n int) string { return uikit.GroupThousands(int64(n)) }
	oldest := "none waiting"
	if !o.OldestToAllocate.IsZero() {
		oldest = "oldest " + domain.Age(now.Sub(o.OldestToAllocate)) + " old"
	}
	orderTiles := []fyne.CanvasObject{}
	add := func(key, title string, view OrdersView, n int, detail string, alert widget.Importance) {
		t := s.tile(key, title, s.openOrders(view))
		t.Set(count(n), detail, alert)
		orderTiles = append(orderTiles, t)
	}
	add("orders.late", "Late", OrdersView{Due: dueLate}, o.Late, "ship-by passed", alertIf(o.Late > 0, widget.DangerImportance))
	add("orders.due_today", "Due today", OrdersView{Due: dueToday}, o.DueToday, "by the end of today", alertIf(o.DueToday > 0, widget.WarningImportance))
	add("orders.to_allocate", "To allocate", OrdersView{Status: domain.StatusNew}, o.ToAllocate, oldest,
		alertIf(!o.OldestToAllocate.IsZero() && now.Sub(o.OldestToAllocate) > 24*time.Hour, widget.WarningImportance))
	waiting := "waiting for stock"
	if len(o.ShortSKUs) > 0 {
		var skus []string
		for _, k := range o.ShortSKUs {
			skus = append(skus, fmt.Sprintf("%s (%d)", k.SKU, k.Orders))
		}
		waiting = "for " + strings.Join(skus, ", ")
	}
	add("orders.backordered", "Backordered", OrdersView{Status: domain.StatusBackordered}, o.Backordered, waiting,
		alertIf(o.Backordered > 0, widget.WarningImportance))
	add("orders.on_hold", "On hold", OrdersView{Status: domain.StatusOnHold}, o.OnHold, "held by someone", widget.MediumImportance)
	add("orders.needs_review", "Needs review", OrdersView{NeedsReview: true}, o.NeedsReview, "changed by the store",
		alertIf(o.NeedsReview > 0, widget.WarningImportance))
	s.orders.Objects = orderTiles
	s.orders.Refresh()

	row := widget.NewLabel("0").MinSize().Height + theme.Padding()
	s.whRows.SetMinSize(fyne.NewSize(0, row*float32(len(v.Warehouses)+1)+theme.Padding()))
	s.Warehouses.Refresh()

	t := v.Transport
	var why []string
	ms := make([]domain.Milestone, 0, len(t.ByMilestone))
	for m := range t.ByMilestone {
		ms = append(ms, m)
	}
	slices.Sort(ms)
	for _, m := range ms {
		why = append(why, fmt.Sprintf("%s %d", strings.ToLower(m.Label()), t.ByMilestone[m]))
	}
	ex := s.tile("transport.exceptions", "Exceptions queue", func() {
		if s.OpenShipments != nil {
			s.OpenShipments()
		}
	})
	ex.Set(count(t.Exceptions), strings.Join(why, ", "), alertIf(t.Exceptions > 0, widget.DangerImportance))
	pushes := s.tile("transport.pushes", "Store updates failing", func() {
		if s.OpenShipments != nil {
			s.OpenShipments()
		}
	})
	pushes.Set(count(t.PushesFailing), "tracking not told", alertIf(t.PushesFailing > 0, widget.WarningImportance))
	chans := s.tile("channels.failing", "Channels failing", func() {
		if s.OpenChannels != nil {
			s.OpenChannels()
		}
	})
	var names []string
	for _, c := range v.Channels {
		names = append(names, c.Code)
	}
	detail := "last syncs complete"
	if len(names) > 0 {
		detail = strings.Join(names, ", ")
	}
	chans.Set(count(len(v.Channels)), detail, alertIf(len(v.Channels) > 0, widget.DangerImportance))
	low := s.tile("stock.low", "Low stock", func() {
		if s.OpenLowStock != nil {
			s.OpenLowStock()
		}
	})
	lowDetail := "at or under reorder point"
	if len(v.LowCover) > 0 {
		l := v.LowCover[0]
		if days, ok := l.DaysOfCover(); ok {
			lowDetail = fmt.Sprintf("least: %s %s, %d days", l.SKU, l.Warehouse, days)
		}
	}
	low.Set(count(v.LowStock), lowDetail, alertIf(v.LowStock > 0, widget.WarningImportance))
	inToday, inOverdue := v.Inbounds()
	inbound := s.tile("stock.inbound", "Inbound", func() {
		if code, due := InboundToOpen(s.Last.Warehouses); s.OpenInbounds != nil && code != "" {
			s.OpenInbounds(code, due)
		}
	})
	inbound.Set(count(inToday+inOverdue), fmt.Sprintf("%d due today, %d overdue", inToday, inOverdue), alertIf(inOverdue > 0, widget.WarningImportance))
	s.transport.Objects = []fyne.CanvasObject{low, inbound, ex, pushes, chans}
	if s.OpenAgeing != nil {
		f := v.Finance
		owing := s.tile("finance.owing", "Clients owing", s.OpenAgeing)
		var ages []string
		for b, n := range f.OverdueByAge {
			if n > 0 {
				ages = append(ages, fmt.Sprintf("%s d: %d", domain.AgeBuckets[b], n))
			}
		}
		detail := "no invoice overdue"
		if f.Overdue > 0 {
			detail = fmt.Sprintf("%d overdue (%s)", f.Overdue, strings.Join(ages, ", "))
		}
		owing.Set(count(f.ClientsOwing), detail, alertIf(f.Overdue > 0, widget.WarningImportance))

		months := slices.Sorted(maps.Keys(f.CarrierLinesOpen))
		lines, perMonth := f.CarrierLinesToDecide(), []string{}
		for _, m := range months {
			perMonth = append(perMonth, m+": "+count(f.CarrierLinesOpen[m]))
		}
		oldest := ""
		if len(months) > 0 {
			oldest = months[0]
		}
		carrier := s.tile("finance.carrier_lines", "Carrier lines to decide", func() {
			if s.OpenReconciliation != nil && s.carrierMonth != "" {
				s.OpenReconciliation(s.carrierMonth)
			}
		})
		s.carrierMonth = oldest
		detail = "every carrier invoice decided"
		if len(perMonth) > 0 {
			detail = strings.Join(perMonth, ", ")
		}
		carrier.Set(count(lines), detail, alertIf(lines > 0, widget.WarningImportance))
		c := f.Charges
		charges := s.tile("finance.charges", "Charges in "+string(c.ThisMonth.Currency), func() {
			if s.OpenCharges != nil {
				s.OpenCharges(s.Last.Finance.Charges.Month)
			}
		})
		detail = fmt.Sprintf("this month, %s charges; %s", count(c.Count), c.Describe())
		charges.Set(c.ThisMonth.Grouped(), detail, widget.MediumImportance)
		s.financeTiles.Objects = []fyne.CanvasObject{owing, carrier, charges}
		s.financeTiles.Refresh()
		s.finance.Show()
	}
	s.transport.Refresh()
}

// InboundToOpen is the warehouse the Inbound tile opens, and with which of
// its inbounds: the one with the most overdue, else the most due today
// ("": none is due).
func InboundToOpen(ws []domain.WarehouseOverview) (code, due string) {
	most := 0
	for _, w := range ws {
		if w.InboundOverdue > most {
			most, code, due = w.InboundOverdue, w.Code, domain.InboundOverdue
		}
	}
	if code != "" {
		return code, due
	}
	for _, w := range ws {
		if w.InboundToday > most {
			most, code, due = w.InboundToday, w.Code, domain.InboundDueToday
		}
	}
	return code, due
}
