package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"sort"
	"strconv"
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

// exceptionsView is the milestone filter that shows the exceptions queue.
const exceptionsView = "Exceptions queue"

// ShipmentsScreen shows every parcel on its way: the exceptions queue
// first, filters, a timeline per parcel, "Poll now" for one or all, a chart
// of parcels by milestone and the on-time rates per carrier and country.
type ShipmentsScreen struct {
	svc      TrackingService
	window   fyne.Window
	tasks    uikit.Tasks
	readOnly string // why the person may not change tracking ("": they may)

	Search    *widget.Entry
	Milestone *widget.Select
	Carrier   *widget.Select
	Count     *widget.Label
	Result    *widget.Label // what the last poll did
	Problem   uikit.ProblemLabel
	Table     *widget.Table
	PollAll   *widget.Button
	PollOne   *widget.Button
	Accounts  *widget.Button
	Sandbox   *widget.Button
	Title     *widget.Label
	Timeline  *widget.Label
	Chart     *fyne.Container
	OnTime    *widget.Label
	Pushes    *widget.Label  // storefront updates waiting and failed
	RetryPush *widget.Button // retry the failed ones
	// LastPoll is what the last "Poll now" did (tests read it).
	LastPoll *domain.PollResult
	// AccountsDialog is the carrier accounts dialog last opened.
	AccountsDialog *CarrierAccountsDialog

	stopAuto context.CancelFunc
	// life ends when the window closes (the sandbox carriers stop with it).
	life    context.Context
	endLife context.CancelFunc
	sandbox bool

	filter   domain.ShipmentFilter
	total    int
	rows     *uikit.Pager[domain.Shipment]
	selected int64
	content  fyne.CanvasObject
}

// NewShipmentsScreen builds the screen; call Reload to fill it.
func NewShipmentsScreen(svc TrackingService, w fyne.Window) *ShipmentsScreen {
	s := &ShipmentsScreen{svc: svc, window: w}
	s.life, s.endLife = context.WithCancel(context.Background())
	s.rows = uikit.NewPager[domain.Shipment](orderPageSize, &s.tasks)
	s.rows.Loaded = func() { s.Table.Refresh() }
	s.rows.Failed = func(err error) { s.Problem.Show("shipments", err) }

	s.Search = widget.NewEntry()
	s.Search.SetPlaceHolder("Tracking or order number  (Ctrl+F)")
	s.Search.OnChanged = func(string) { s.tasks.Debounce(searchDebounce, s.applyFilters) }
	opts := []string{exceptionsView, "All parcels"}
	for _, m := range domain.Milestones {
		opts = append(opts, m.Label())
	}
	s.Milestone = widget.NewSelect(opts, nil)
	s.Milestone.SetSelectedIndex(0)
	s.Milestone.OnChanged = func(string) { s.applyFilters() }
	s.Carrier = widget.NewSelect([]string{"All carriers"}, nil)
	s.Carrier.SetSelectedIndex(0)
	s.Carrier.OnChanged = func(string) { s.applyFilters() }
	s.PollAll = widget.NewButtonWithIcon("Poll now", theme.ViewRefreshIcon(), func() { s.Poll(domain.DueFilter{All: true}, "every parcel on its way") })
	s.PollAll.Importance = widget.HighImportance
	s.Accounts = widget.NewButtonWithIcon("Carrier accounts…", theme.SettingsIcon(), s.OpenAccounts)
	s.Sandbox = widget.NewButtonWithIcon("Try sandbox carriers", theme.ComputerIcon(), s.StartSandbox)

	s.Count = uikit.NewCountLabel()
	s.Result = uikit.Wrapped("")
	s.Result.Hide()
	s.Problem = uikit.NewProblemLabel()
	type parcel = domain.Shipment
	s.Table = uikit.NewColumnTable(func() int { return s.total }, s.rows.Row,
		uikit.Marked("Attention", func(r parcel, l *widget.Label) {
			l.SetText(r.Attention)
			if r.Attention != "" {
				l.Importance = widget.DangerImportance
				if !r.Milestone.Problem() {
					l.Importance = widget.WarningImportance
				}
			}
		}).Wide(140),
		uikit.Col("Carrier", func(r parcel) string { return r.Carrier }).Wide(70),
		uikit.Col("Tracking", func(r parcel) string { return r.Tracking }).Wide(215),
		uikit.Col("Order", func(r parcel) string { return r.OrderNumber }).Wide(100),
		uikit.Col("To", func(r parcel) string { return string(r.Destination) }).Wide(40),
		uikit.Marked("Milestone", func(r parcel, l *widget.Label) {
			l.SetText(r.Milestone.Label())
			switch {
			case r.Milestone == domain.MilestoneDelivered:
				l.Importance = widget.SuccessImportance
			case r.Milestone.Problem():
				l.Importance = widget.DangerImportance
			}
		}).Wide(125),
		uikit.Col("Last event", func(r parcel) string { return uikit.LocalAt(r.LastEventAt, "2006-01-02 15:04") }).Wide(130),
		uikit.Col("ETA", func(r parcel) string { return uikit.LocalAt(r.ETA, "2006-01-02") }).Wide(90),
		uikit.Num("Days", func(r parcel) string { return strconv.Itoa(r.DaysInTransit(s.svc.Now())) }).Wide(45))
	s.Table.OnSelected = func(id widget.TableCellID) {
		if r, ok := s.rows.Row(id.Row); ok {
			s.Show(r.ID)
		}
	}

	s.Title = uikit.Heading("Select a parcel to see its timeline.")
	s.Title.Wrapping = fyne.TextWrapWord
	s.Timeline = uikit.Wrapped("")
	s.PollOne = widget.NewButtonWithIcon("Poll this parcel", theme.ViewRefreshIcon(), func() {
		if s.selected != 0 {
			s.Poll(domain.DueFilter{Shipment: s.selected}, "this parcel")
		}
	})
	s.PollOne.Disable()
	detail := container.NewBorder(container.NewVBox(s.Title, container.NewHBox(s.PollOne)), nil, nil, nil, container.NewVScroll(s.Timeline))

	s.Chart = container.NewVBox()
	s.OnTime = uikit.Wrapped("")
	s.Pushes = uikit.Wrapped("")
	s.RetryPush = widget.NewButtonWithIcon("Retry failed updates", theme.ViewRefreshIcon(), s.RetryPushes)
	s.RetryPush.Hide()
	side := container.NewVBox(uikit.Heading("Parcels by milestone"), s.Chart,
		uikit.Heading("Delivered on time"), s.OnTime,
		uikit.Heading("Tracking numbers sent to the storefronts"), s.Pushes, container.NewHBox(s.RetryPush))

	filters := container.NewBorder(nil, nil, nil, container.NewHBox(s.PollAll, s.Accounts, s.Sandbox),
		container.NewGridWithColumns(3, s.Search, s.Milestone, s.Carrier))
	right := container.NewVSplit(detail, container.NewVScroll(side))
	right.SetOffset(0.5)
	split := uikit.Halves(container.NewBorder(nil, s.Count, nil, nil, s.Table), right, 0.7)
	s.content = container.NewBorder(container.NewVBox(filters, s.Problem.Label, s.Result), nil, nil, nil, split)
	return s
}

// Content is the screen's root object.
func (s *ShipmentsScreen) Content() fyne.CanvasObject { return s.content }

// Wait blocks until background work has been applied (tests).
func (s *ShipmentsScreen) Wait() { s.tasks.Wait() }

// FocusSearch puts the keyboard in the search box.
func (s *ShipmentsScreen) FocusSearch() {
	if c := s.window.Canvas(); c != nil {
		c.Focus(s.Search)
	}
}

// Reload refreshes the carriers, the list, the chart and the rates.
func (s *ShipmentsScreen) Reload() {
	s.tasks.Run(func() func() {
		ctx := context.Background()
		counts, err := s.svc.MilestoneCounts(ctx)
		if err != nil {
			return func() { s.Problem.Show("shipments", err) }
		}
		rates, err := s.svc.OnTimeRates(ctx)
		if err != nil {
			return func() { s.Problem.Show("shipments", err) }
		}
		accounts, err := s.svc.CarrierAccounts(ctx)
		if err != nil {
			return func() { s.Problem.Show("shipments", err) }
		}
		pushes, err := s.svc.PushCounts(ctx)
		if err != nil {
			return func() { s.Problem.Show("shipments", err) }
		}
		var failed []domain.TrackingPush
		if pushes["failed"] > 0 {
			if failed, err = s.svc.Pushes(ctx, "failed", 5); err != nil {
				return func() { s.Problem.Show("shipments", err) }
			}
		}
		return func() {
			s.showPushes(pushes, failed)
			carriers := map[string]bool{}
			for _, r := range rates {
				carriers[r.Carrier] = true
			}
			for _, a := range accounts {
				carriers[a.Name] = true
			}
			opts := []string{"All carriers"}
			for c := range carriers {
				opts = append(opts, c)
			}
			sort.Strings(opts[1:])
			s.Carrier.Options = opts
			s.Carrier.Refresh()
			s.showChart(counts)
			s.showOnTime(rates)
			failing := 0
			for _, a := range accounts {
				if a.Failing != "" {
					failing++
				}
			}
			if failing > 0 {
				s.Problem.Show("carrier accounts", uikit.Problemf("%d carrier account(s) failing: open Carrier accounts to fix them", failing))
			}
			s.applyFilters()
		}
	})
}

// milestoneColor colours the chart's bars: problems red, delivered green.
func milestoneColor(m domain.Milestone) color.Color {
	switch {
	case m == domain.MilestoneDelivered:
		return color.NRGBA{R: 0x3c, G: 0xa5, B: 0x5c, A: 0xff}
	case m.Problem():
		return color.NRGBA{R: 0xd9, G: 0x4a, B: 0x3d, A: 0xff}
	case m == domain.MilestoneOutForDelivery:
		return color.NRGBA{R: 0x2e, G: 0x8b, B: 0xc9, A: 0xff}
	}
	return color.NRGBA{R: 0x70, G: 0x80, B: 0x96, A: 0xff}
}

// showChart draws a horizontal bar per milestone.
func (s *ShipmentsScreen) showChart(counts map[domain.Milestone]int) {
	s.Chart.RemoveAll()
	most := 1
	for _, n := range counts {
		most = max(most, n)
	}
	const full = 150
	for _, m := range domain.Milestones {
		n := counts[m]
		if n == 0 {
			continue
		}
		bar := canvas.NewRectangle(milestoneColor(m))
		w := float32(full) * float32(n) / float32(most)
		bar.SetMinSize(fyne.NewSize(max(w, 2), 14))
		label := widget.NewLabel(m.Label())
		num := widget.NewLabel(uikit.GroupThousands(int64(n)))
		s.Chart.Add(container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(130, label.MinSize().Height), label), nil,
			container.NewHBox(container.NewCenter(bar), num)))
	}
	if len(s.Chart.Objects) == 0 {
		s.Chart.Add(widget.NewLabel("No parcels shipped yet."))
	}
	s.Chart.Refresh()
}

func (s *ShipmentsScreen) showOnTime(rates []domain.OnTime) {
	if len(rates) == 0 {
		s.OnTime.SetText("No deliveries yet.")
		return
	}
	// Per carrier first, then its five biggest destinations.
	type agg struct{ delivered, onTime int }
	byCarrier := map[string]*agg{}
	var carriers []string
	for _, r := range rates {
		a := byCarrier[r.Carrier]
		if a == nil {
			a = &agg{}
			byCarrier[r.Carrier] = a
			carriers = append(carriers, r.Carrier)
		}
		a.delivered += r.Delivered
		a.onTime += r.OnTime
	}
	sort.Strings(carriers)
	var b strings.Builder
	for _, c := range carriers {
		a := byCarrier[c]
		fmt.Fprintf(&b, "%s: %d %% of %s\n", c, a.onTime*100/max(a.delivered, 1), uikit.GroupThousands(int64(a.delivered)))
		var mine []domain.OnTime
		for _, r := range rates {
			if r.Carrier == c {
				mine = append(mine, r)
			}
		}
		sort.Slice(mine, func(i, j int) bool { return mine[i].Delivered > mine[j].Delivered })
		for _, r := range mine[:min(5, len(mine))] {
			fmt.Fprintf(&b, "    to %s: %d %% of %s\n", r.Country, r.OnTime*100/max(r.Delivered, 1), uikit.GroupThousands(int64(r.Delivered)))
		}
	}
	s.OnTime.SetText(strings.TrimSpace(b.String()))
}

func (s *ShipmentsScreen) currentFilter() domain.ShipmentFilter {
	f := domain.ShipmentFilter{Search: strings.TrimSpace(s.Search.Text)}
	switch i := s.Milestone.SelectedIndex(); {
	case i == 0:
		f.Exceptions = true
	case i >= 2:
		f.Milestone = domain.Milestones[i-2]
	}
	if s.Carrier.SelectedIndex() > 0 {
		f.Carrier = s.Carrier.Selected
	}
	return f
}

func (s *ShipmentsScreen) applyFilters() {
	s.filter = s.currentFilter()
	s.refresh(true)
}

func (s *ShipmentsScreen) refresh(fromTop bool) {
	f := s.filter
	s.Count.SetText("Counting…")
	s.rows.Reset(func(ctx context.Context, offset, limit int) ([]domain.Shipment, error) {
		return s.svc.Shipments(ctx, f, offset, limit)
	}, func(ctx context.Context) (int, error) { return s.svc.CountShipments(ctx, f) }, func(n int) {
		s.total = n
		what := uikit.CountText(n, "parcel", "parcels")
		if f.Exceptions {
			what = uikit.CountText(n, "parcel needs attention", "parcels need attention")
		}
		s.Count.SetText(what)
		if fromTop {
			s.Table.UnselectAll()
			s.Table.ScrollToTop()
		}
		s.Table.Refresh()
	})
}

// Show loads a parcel's timeline into the detail panel.
func (s *ShipmentsScreen) Show(id int64) {
	s.selected = id
	if s.readOnly == "" {
		s.PollOne.Enable()
	}
	s.tasks.Load(s.Problem, "shipment", func(ctx context.Context) (func(), error) {
		sh, events, err := s.svc.Shipment(ctx, id)
		return func() {
			if s.selected != id {
				return
			}
			s.Title.SetText(fmt.Sprintf("%s %s — order %s to %s · %s", sh.Carrier, sh.Tracking, sh.OrderNumber, sh.Destination, sh.Milestone.Label()))
			var b strings.Builder
			if sh.Error != "" {
				fmt.Fprintf(&b, "Last poll: %s\n\n", sh.Error)
			}
			fmt.Fprintf(&b, "Shipped %s", uikit.LocalAt(sh.ShippedAt, "2006-01-02 15:04"))
			if !sh.ETA.IsZero() {
				fmt.Fprintf(&b, " · ETA %s", uikit.LocalAt(sh.ETA, "2006-01-02"))
			}
			if !sh.NextPollAt.IsZero() {
				fmt.Fprintf(&b, " · next poll %s", uikit.LocalAt(sh.NextPollAt, "01-02 15:04"))
			}
			b.WriteString("\n\n")
			if len(events) == 0 {
				b.WriteString("No scans yet.")
			}
			for _, e := range events {
				fmt.Fprintf(&b, "%s  %s\n    %s", uikit.LocalAt(e.At, "2006-01-02 15:04"), e.Milestone.Label(), e.Text)
				if e.Location != "" {
					fmt.Fprintf(&b, " — %s", e.Location)
				}
				b.WriteString("\n")
			}
			s.Timeline.SetText(strings.TrimSpace(b.String()))
		}, err
	})
}

// Poll asks the carriers now, with a progress dialog that can cancel;
// the summary and any problems are shown after.
func (s *ShipmentsScreen) Poll(f domain.DueFilter, what string) {
	ctx, cancel := context.WithCancel(context.Background())
	bar := widget.NewProgressBar()
	label := widget.NewLabel("Polling " + what + "…")
	stop := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), cancel)
	d := dialog.NewCustomWithoutButtons("Poll now", container.NewVBox(label, bar, container.NewCenter(stop)), s.window)
	d.Resize(fyne.NewSize(460, 160))
	d.Show()
	s.PollAll.Disable()
	s.tasks.Run(func() func() {
		res, err := s.svc.Poll(ctx, f, func(done, total int) {
			uikit.OnUI(func() {
				bar.Max = float64(max(total, 1))
				bar.SetValue(float64(done))
				label.SetText(fmt.Sprintf("Polled %s of %s parcels", uikit.GroupThousands(int64(done)), uikit.GroupThousands(int64(total))))
			})
		})
		cancel()
		return func() {
			d.Hide()
			s.PollAll.Enable()
			s.LastPoll = &res
			s.Result.Hide()
			summary := res.Summary()
			summary = strings.ToUpper(summary[:1]) + summary[1:] + "."
			switch {
			case errors.Is(err, context.Canceled):
				s.Problem.Show("poll", uikit.Problem("cancelled; "+summary))
			case err != nil:
				s.Problem.Show("poll", err)
			case len(res.Problems) > 0:
				s.Problem.Show("poll", uikit.Problem(summary+"\n"+strings.Join(res.Problems, "\n")))
			default:
				s.Problem.Hide()
				s.Result.SetText(summary)
				s.Result.Importance = widget.SuccessImportance
				s.Result.Show()
			}
			s.Reload()
			if s.selected != 0 {
				s.Show(s.selected)
			}
		}
	})
}

// SetReadOnly takes away the actions that change tracking (polling,
// carrier accounts, retrying storefront updates), saying why: the person
// signed in may not change them.
func (s *ShipmentsScreen) SetReadOnly(why string) {
	s.readOnly = why
	for _, b := range []*widget.Button{s.PollAll, s.Accounts, s.Sandbox, s.PollOne, s.RetryPush} {
		b.Hide()
	}
	s.Result.SetText("Read-only: " + why + ".")
	s.Result.Show()
}

// StartAutoPoll polls what is due in the background every interval while
// the window is open (each carrier's budget still applies), and refreshes
// the screen when something changed.
func (s *ShipmentsScreen) StartAutoPoll(every time.Duration) {
	if s.stopAuto != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopAuto = cancel
	go func() {
		// The first poll soon after the window opens, then every interval.
		t := time.NewTimer(min(every, 15*time.Second))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				t.Reset(every)
			}
			res, err := s.svc.Poll(ctx, domain.DueFilter{}, nil)
			if err != nil && ctx.Err() == nil {
				uikit.LogError("background tracking poll", err)
			}
			if res.Changed > 0 && ctx.Err() == nil {
				uikit.OnUI(s.Reload)
			}
		}
	}()
}

// StopAutoPoll stops the background polling and the sandbox carriers.
func (s *ShipmentsScreen) StopAutoPoll() {
	if s.stopAuto != nil {
		s.stopAuto()
		s.stopAuto = nil
	}
	s.endLife()
}

// StartSandbox runs sandbox carriers on this computer for as long as the
// window is open and tracks parcels through them (accounts "DHL" and
// "EasyPost sandbox"), then polls every parcel on its way.
func (s *ShipmentsScreen) StartSandbox() {
	if s.sandbox {
		s.Poll(domain.DueFilter{All: true}, "every parcel on its way")
		return
	}
	s.tasks.Load(s.Problem, "sandbox carriers", func(ctx context.Context) (func(), error) {
		accts, err := s.svc.TrySandboxCarriers(s.life, 2*time.Minute)
		return func() {
			s.sandbox = true
			names := make([]string, len(accts))
			for i, a := range accts {
				names[i] = a.Name
			}
			s.Result.SetText("Sandbox carriers run on this computer (" + strings.Join(names, ", ") + "); parcels move a step every 2 minutes.")
			s.Result.Importance = widget.SuccessImportance
			s.Result.Show()
			s.Poll(domain.DueFilter{All: true}, "every parcel on its way")
		}, err
	})
}

// resumeSandbox restarts the sandbox carriers when accounts use them (the
// window was closed since).
func (s *ShipmentsScreen) resumeSandbox() {
	if s.sandbox {
		return
	}
	s.tasks.Load(s.Problem, "sandbox carriers", func(ctx context.Context) (func(), error) {
		used, err := s.svc.UsesSandbox(s.life)
		if err != nil || !used {
			return nil, nil // nothing to resume; a failure shows when a poll runs
		}
		_, err = s.svc.TrySandboxCarriers(s.life, 2*time.Minute)
		return func() {
			s.sandbox = true
		}, err
	})
}

func (s *ShipmentsScreen) showPushes(counts map[string]int, failed []domain.TrackingPush) {
	text := fmt.Sprintf("%s sent, %s waiting, %s failed.", uikit.GroupThousands(int64(counts["done"])), uikit.GroupThousands(int64(counts["pending"])),
		uikit.GroupThousands(int64(counts["failed"])))
	for _, p := range failed {
		text += fmt.Sprintf("\nOrder %s (%s %s): %s", p.OrderNumber, p.Carrier, p.Tracking, p.Error)
	}
	if counts["failed"] > len(failed) {
		text += fmt.Sprintf("\n… and %d more (portolan shipments pushes)", counts["failed"]-len(failed))
	}
	s.Pushes.SetText(text)
	if counts["failed"] > 0 {
		s.Pushes.Importance = widget.DangerImportance
		s.RetryPush.Hidden = s.readOnly != ""
		s.RetryPush.Refresh()
	} else {
		s.Pushes.Importance = widget.MediumImportance
		s.RetryPush.Hide()
	}
	s.Pushes.Refresh()
}

// RetryPushes queues the failed storefront updates again and sends them.
func (s *ShipmentsScreen) RetryPushes() {
	s.tasks.Load(s.Problem, "storefront updates", func(ctx context.Context) (func(), error) {
		_, err := s.svc.RetryPushes(ctx)
		return func() {
			s.Poll(domain.DueFilter{}, "what is due, and the storefront updates")
		}, err
	})
}

// ShowExceptions lists the exceptions queue of every carrier (the
// Overview's tile), the search cleared.
func (s *ShipmentsScreen) ShowExceptions() {
	s.Search.OnChanged = nil
	s.Search.SetText("")
	s.Search.OnChanged = func(string) { s.tasks.Debounce(searchDebounce, s.applyFilters) }
	for _, sel := range []*widget.Select{s.Milestone, s.Carrier} {
		f := sel.OnChanged
		sel.OnChanged = nil
		sel.SetSelectedIndex(0)
		sel.OnChanged = f
	}
	s.applyFilters()
}
