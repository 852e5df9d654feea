package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

const (
	allChannels  = "All channels"
	allCountries = "All countries"
	autoChoice   = "as planned"
)

// AllocationScreen plans which warehouse ships which line of the open
// orders, shows the plan (per order: warehouses, parcels, cost, transit,
// reason; backorders; totals against the naïve rule) before anything is
// reserved, lets the coordinator move a line to another warehouse (the plan
// is made again around it), and commits it in one step.
type AllocationScreen struct {
	svc    AllocationService
	orders OrderService
	window fyne.Window
	tasks  uikit.Tasks

	Channel     *widget.Select
	Country     *widget.Select
	Backordered *widget.Check
	PlanButton  *widget.Button
	Commit      *widget.Button
	Settings    *widget.Button
	Rates       *widget.Button
	Busy        *widget.ProgressBarInfinite
	Cancel      *widget.Button
	Totals      *widget.Label
	// Improving says how far the improvement of the plan shown has come.
	Improving   *widget.Label
	Problem     uikit.ProblemLabel
	Table       *widget.Table
	Detail      *widget.Label
	Lines       *widget.Table
	RatesEditor *RatesEditor // the open rate editor, if any

	channels  []domain.Channel
	plan      *domain.Plan
	cur       domain.Currency
	overrides map[int64]map[int]string
	byID      map[int64]domain.PlanOrder // the planned orders' lines, for overrides
	selected  int
	whs       []domain.Warehouse
	gen       int
	stop      context.CancelFunc // stops the plan or commit under way
	changed   func()             // orders changed status: the Orders screen reloads
	content   fyne.CanvasObject
}

// NewAllocationScreen builds the screen; call Reload to fill its filters.
func NewAllocationScreen(svc AllocationService, orders OrderService, w fyne.Window, changed func()) *AllocationScreen {
	s := &AllocationScreen{svc: svc, orders: orders, window: w, changed: changed, selected: -1, overrides: map[int64]map[int]string{}}
	s.Channel = widget.NewSelect([]string{allChannels}, nil)
	s.Channel.SetSelected(allChannels)
	s.Country = widget.NewSelect([]string{allCountries}, nil)
	s.Country.SetSelected(allCountries)
	s.Backordered = widget.NewCheck("Only backordered", nil)
	s.PlanButton = widget.NewButtonWithIcon("Plan", theme.MediaPlayIcon(), func() { s.RunPlan(true) })
	s.PlanButton.Importance = widget.HighImportance
	s.Commit = widget.NewButtonWithIcon("Commit plan", theme.ConfirmIcon(), s.CommitPlan)
	s.Commit.Disable()
	s.Settings = widget.NewButtonWithIcon("Settings…", theme.SettingsIcon(), s.showSettings)
	s.Rates = widget.NewButtonWithIcon("Rates…", theme.ListIcon(), s.ShowRates)
	s.Busy = widget.NewProgressBarInfinite()
	s.Busy.Stop()
	s.Busy.Hide()
	s.Cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), s.CancelWork)
	s.Cancel.Hide()
	s.Totals = uikit.Wrapped("Plan the open orders to see which warehouse ships what, and why. Nothing is reserved before Commit.")
	s.Problem = uikit.NewProblemLabel()
	type order = domain.PlannedOrder
	s.Table = uikit.NewColumnTable(s.rows, func(i int) (order, bool) { return s.plan.Orders[i], true },
		uikit.Col("Order", func(o order) string { return o.Number }).Wide(100),
		uikit.Marked("Status", func(o order, l *widget.Label) {
			switch {
			case len(o.Parcels) == 0:
				l.Importance = widget.WarningImportance
				l.SetText("backordered")
			case len(o.Backorder) > 0:
				l.Importance = widget.WarningImportance
				l.SetText("in part")
			case len(o.Parcels) > 1:
				l.SetText(fmt.Sprintf("%d parcels", len(o.Parcels)))
			default:
				l.Importance = widget.SuccessImportance
				l.SetText("allocated")
			}
		}).Wide(100),
		uikit.Col("Lines → warehouse", linesText).Wide(300),
		uikit.Num("Cost", func(o order) string {
			if len(o.Parcels) == 0 {
				return ""
			}
			return s.money(o.Cost)
		}).Wide(90),
		uikit.Num("Days", func(o order) string {
			days := 0
			for _, pc := range o.Parcels {
				days = max(days, pc.TransitDays)
			}
			if days == 0 {
				return ""
			}
			return strconv.Itoa(days)
		}).Wide(50),
		uikit.Col("Why", func(o order) string { return o.Reason }).Wide(520))
	s.Table.OnSelected = func(id widget.TableCellID) { s.choose(id.Row) }
	s.Detail = uikit.Wrapped("Select an order to see its lines; a line can be moved to another warehouse.")
	s.Lines = uikit.NewColumnTable(func() int { return len(s.detailLines()) }, func(i int) (plannedLine, bool) { return s.detailLines()[i], true },
		uikit.Col("SKU", func(x plannedLine) string { return x.line.SKU }).Wide(120),
		uikit.Num("Qty", func(x plannedLine) string { return uikit.QtyText(x.line.Qty) }).Wide(50),
		uikit.Marked("Warehouse", func(x plannedLine, l *widget.Label) {
			if code, ok := s.overrides[s.plan.Orders[s.selected].OrderID][x.line.LineNo]; ok && code == x.wh {
				l.Importance = widget.HighImportance
			}
			l.SetText(x.wh)
		}).Wide(110))
	s.Lines.OnSelected = func(id widget.TableCellID) { s.overrideLine(id.Row) }

	filters := container.NewHBox(
		container.NewGridWrap(fyne.NewSize(260, s.Channel.MinSize().Height), s.Channel),
		container.NewGridWrap(fyne.NewSize(200, s.Channel.MinSize().Height), s.Country),
		s.Backordered, s.PlanButton, s.Commit, s.Settings, s.Rates)
	right := container.NewBorder(s.Detail, nil, nil, nil, s.Lines)
	split := uikit.Halves(s.Table, right, 0.74)
	busy := container.NewBorder(nil, nil, nil, s.Cancel, s.Busy)
	s.Improving = widget.NewLabel("")
	s.Improving.Importance = widget.HighImportance
	s.Improving.Hide()
	s.content = container.NewBorder(container.NewVBox(filters, busy, s.Totals, s.Improving, s.Problem.Label), nil, nil, nil, split)
	return s
}

// Content is the screen's root object.
func (s *AllocationScreen) Content() fyne.CanvasObject { return s.content }

// Wait blocks until background work has been applied (for tests).
func (s *AllocationScreen) Wait() { s.tasks.Wait() }

// FocusSearch focuses the Plan button's neighbour filters (the screen has no search box).
func (s *AllocationScreen) FocusSearch() {}

// Reload fills the channel and country filters.
func (s *AllocationScreen) Reload() {
	s.tasks.Load(s.Problem, "allocation", func(ctx context.Context) (func(), error) {
		chans, err := s.orders.Channels(ctx)
		var countries []domain.Country
		if err == nil {
			countries, err = s.orders.OrderCountries(ctx)
		}
		var whs []domain.Warehouse
		if err == nil {
			whs, err = s.svc.Warehouses(ctx)
		}
		return func() {
			s.channels, s.whs = chans, whs
			opts := []string{allChannels}
			for _, c := range chans {
				opts = append(opts, c.Name)
			}
			s.Channel.Options = opts
			s.Channel.Refresh()
			copts := []string{allCountries}
			for _, c := range countries {
				copts = append(copts, string(c)+" — "+c.Name())
			}
			s.Country.Options = copts
			s.Country.Refresh()
		}, err
	})
}

func (s *AllocationScreen) filter() domain.OrderFilter {
	var f domain.OrderFilter
	if i := s.Channel.SelectedIndex() - 1; i >= 0 && i < len(s.channels) {
		f.ChannelID = s.channels[i].ID
	}
	if s.Country.SelectedIndex() > 0 {
		f.Country = domain.Country(s.Country.Selected[:2])
	}
	if s.Backordered.Checked {
		f.Status = domain.StatusBackordered
	}
	return f
}

// RunPlan plans the filtered open orders in the background; fresh drops the
// manual overrides. The order-by-order plan shows at once; the plan then
// improves over all its orders while a line says how far it has come
// ("improving: 4.1 % → 0.6 % above the best possible"), and Stop (Cancel)
// keeps the best plan so far. What is shown is always a valid plan.
func (s *AllocationScreen) RunPlan(fresh bool) {
	if fresh {
		s.overrides = map[int64]map[int]string{}
	}
	f := s.filter()
	over := map[int64]map[int]string{}
	for id, m := range s.overrides {
		over[id] = m
	}
	ctx, gen := s.startWork()
	s.Commit.Disable()
	s.Cancel.SetText("Cancel")
	s.tasks.Run(func() func() {
		cfg, err := s.svc.AllocConfig(ctx)
		if err != nil {
			return func() { s.planFailed(gen, err) }
		}
		var first int64
		p, err := s.svc.PlanImproved(ctx, f, over, 0, func(greedy domain.Plan) {
			first = greedy.Totals.Cost
			uikit.OnUI(func() {
				if gen != s.gen {
					return
				}
				s.Problem.Hide()
				s.cur = cfg.Currency
				s.show(&greedy)
				s.Cancel.SetText("Stop improving")
				s.Improving.SetText("Improving the plan over all its orders…")
				s.Improving.Show()
			})
		}, func(pr domain.ImproveProgress) {
			uikit.OnUI(func() {
				if gen != s.gen || pr.Bound <= 0 {
					return
				}
				s.Improving.SetText(fmt.Sprintf("Improving: %.1f %% → %.1f %% above the best possible (%s); Stop keeps the best plan so far.",
					domain.ImproveProgress{Cost: first, Bound: pr.Bound}.Gap()*100, pr.Gap()*100, s.money(pr.Bound)))
			})
		})
		if err == nil && first == 0 && ctx.Err() != nil {
			err = ctx.Err() // cancelled before any plan was made
		}
		return func() {
			if gen != s.gen {
				return
			}
			if err != nil {
				s.planFailed(gen, err)
				return
			}
			s.endWork()
			s.Cancel.SetText("Cancel")
			s.Improving.Hide()
			s.Problem.Hide()
			s.cur = cfg.Currency
			s.show(&p)
		}
	})
}

func (s *AllocationScreen) planFailed(gen int, err error) {
	if gen != s.gen {
		return
	}
	s.endWork()
	s.Cancel.SetText("Cancel")
	s.Improving.Hide()
	if errors.Is(err, context.Canceled) {
		s.Totals.SetText("Planning cancelled; nothing was planned or reserved.")
		return
	}
	s.Problem.Show("plan", err)
}

func (s *AllocationScreen) show(p *domain.Plan) {
	s.plan = p
	s.byID = map[int64]domain.PlanOrder{}
	for _, o := range p.Orders {
		var lines []domain.PlanLine
		for _, pc := range o.Parcels {
			lines = append(lines, pc.Lines...)
		}
		lines = append(lines, o.Backorder...)
		sort.Slice(lines, func(i, j int) bool { return lines[i].LineNo < lines[j].LineNo })
		s.byID[o.OrderID] = domain.PlanOrder{ID: o.OrderID, Number: o.Number, Lines: lines}
	}
	s.Totals.SetText(s.totalsText())
	if len(p.Orders) > 0 {
		s.Commit.Enable()
	}
	s.Table.UnselectAll()
	s.Table.Refresh()
	if s.selected >= len(p.Orders) {
		s.selected = -1
	}
	s.Lines.Refresh()
}

func (s *AllocationScreen) money(v int64) string { return domain.NewMoney(v, s.cur).String() }

func (s *AllocationScreen) totalsText() string {
	t, n := s.plan.Totals, s.plan.Naive
	if t.Orders == 0 {
		return "No open orders match: nothing to plan."
	}
	text := fmt.Sprintf("%s orders: %s allocated, %s in part, %s backordered; %s parcels, %s split; estimated %s.",
		uikit.GroupThousands(int64(t.Orders)), uikit.GroupThousands(int64(t.Allocated)), uikit.GroupThousands(int64(t.Partial)),
		uikit.GroupThousands(int64(t.Backordered)), uikit.GroupThousands(int64(t.Parcels)), uikit.GroupThousands(int64(t.Splits)), s.money(t.Cost))
	text += fmt.Sprintf("  Shipping from the highest-ranked warehouse with stock instead: %s allocated, %s split, %s",
		uikit.GroupThousands(int64(n.Allocated)), uikit.GroupThousands(int64(n.Splits)), s.money(n.Cost))
	if n.Cost > 0 && t.Allocated >= n.Allocated {
		text += fmt.Sprintf(" — this plan saves %s (%.1f %%).", s.money(n.Cost-t.Cost), float64(n.Cost-t.Cost)/float64(n.Cost)*100)
	} else {
		text += "."
	}
	if t.LowerBound > 0 {
		text += fmt.Sprintf("  Plan %s — at most %.1f %% above the best possible (%s).", s.money(t.Cost), t.Gap()*100, s.money(t.LowerBound))
	}
	if len(s.overrides) > 0 {
		text += fmt.Sprintf("  %d order(s) with lines moved by hand.", len(s.overrides))
	}
	return text + "  Nothing is reserved until you commit."
}

func (s *AllocationScreen) rows() int {
	if s.plan == nil {
		return 0
	}
	return len(s.plan.Orders)
}

func linesText(o domain.PlannedOrder) string {
	var parts []string
	for _, pc := range o.Parcels {
		for _, l := range pc.Lines {
			parts = append(parts, fmt.Sprintf("%d×%s → %s", l.Qty, l.SKU, pc.Warehouse))
		}
	}
	for _, l := range o.Backorder {
		parts = append(parts, fmt.Sprintf("%d×%s waits", l.Qty, l.SKU))
	}
	return strings.Join(parts, ", ")
}

func (s *AllocationScreen) choose(row int) {
	if row < 0 || row >= s.rows() {
		return
	}
	s.selected = row
	o := s.plan.Orders[row]
	s.Detail.SetText(fmt.Sprintf("%s — %s\nSelect a line to ship it from another warehouse; the plan is made again around it.", o.Number, o.Reason))
	s.Lines.Refresh()
}

// plannedLine is a line of an order with the warehouse planned to ship it ("waits": none).
type plannedLine struct {
	line domain.PlanLine
	wh   string
}

// detailLines are the selected order's lines, each with its planned warehouse.
func (s *AllocationScreen) detailLines() []plannedLine {
	if s.plan == nil || s.selected < 0 || s.selected >= len(s.plan.Orders) {
		return nil
	}
	o := s.plan.Orders[s.selected]
	var out []plannedLine
	for _, l := range s.byID[o.OrderID].Lines {
		wh := "waits"
		for _, pc := range o.Parcels {
			for _, x := range pc.Lines {
				if x.LineNo == l.LineNo {
					wh = pc.Warehouse
				}
			}
		}
		out = append(out, plannedLine{l, wh})
	}
	return out
}

// overrideLine asks which warehouse should ship line row of the selected
// order, showing what each can still promise of the SKU.
func (s *AllocationScreen) overrideLine(row int) {
	lines := s.detailLines()
	if row >= len(lines) {
		return
	}
	o := s.plan.Orders[s.selected]
	x := lines[row]
	s.tasks.Load(s.Problem, "availability", func(ctx context.Context) (func(), error) {
		avail, err := s.svc.AvailableOf(ctx, x.line.SKU)
		return func() {
			opts := []string{autoChoice}
			codes := map[string]string{autoChoice: autoChoice}
			for _, w := range s.whs {
				label := fmt.Sprintf("%s — %s available", w.Code, uikit.QtyText(avail[w.Code]))
				opts = append(opts, label)
				codes[label] = w.Code
			}
			choice := widget.NewSelect(opts, nil)
			choice.SetSelected(autoChoice)
			if code, ok := s.overrides[o.OrderID][x.line.LineNo]; ok {
				for label, c := range codes {
					if c == code {
						choice.SetSelected(label)
					}
				}
			}
			note := widget.NewLabel("Available is before this plan's other orders take their share.")
			note.Importance = widget.LowImportance
			dialog.ShowForm(fmt.Sprintf("Ship %d × %s of %s from", x.line.Qty, x.line.SKU, o.Number), "Re-plan", "Cancel",
				[]*widget.FormItem{widget.NewFormItem("Warehouse", choice), widget.NewFormItem("", note)}, func(ok bool) {
					if ok {
						s.Override(o.OrderID, x.line.LineNo, codes[choice.Selected])
					}
				}, s.window)
		}, err
	})
}

// Override pins an order line to a warehouse (autoChoice: back to the
// planner's choice) and plans again.
func (s *AllocationScreen) Override(orderID int64, lineNo int, code string) {
	if code == autoChoice || code == "" {
		delete(s.overrides[orderID], lineNo)
		if len(s.overrides[orderID]) == 0 {
			delete(s.overrides, orderID)
		}
	} else {
		if s.overrides[orderID] == nil {
			s.overrides[orderID] = map[int]string{}
		}
		s.overrides[orderID][lineNo] = code
	}
	s.RunPlan(false)
}

// startWork shows the progress bar and Cancel, and returns the work's context.
func (s *AllocationScreen) startWork() (context.Context, int) {
	if s.stop != nil {
		s.stop()
	}
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.gen++
	s.PlanButton.Disable()
	s.Busy.Show()
	s.Busy.Start()
	s.Cancel.Show()
	return ctx, s.gen
}

func (s *AllocationScreen) endWork() {
	s.Busy.Stop()
	s.Busy.Hide()
	s.Cancel.Hide()
	s.PlanButton.Enable()
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
}

// CancelWork stops the plan or commit under way; a cancelled commit reserves nothing.
func (s *AllocationScreen) CancelWork() {
	if s.stop != nil {
		s.stop()
	}
}

// CommitPlan reserves the plan shown, in one transaction, and reports
// orders whose stock or status changed since it was made.
func (s *AllocationScreen) CommitPlan() {
	if s.plan == nil || len(s.plan.Orders) == 0 {
		return
	}
	p := *s.plan
	s.Commit.Disable()
	ctx, gen := s.startWork()
	s.tasks.Run(func() func() {
		res, err := s.svc.Commit(ctx, p)
		return func() {
			if gen != s.gen {
				return
			}
			s.endWork()
			if errors.Is(err, context.Canceled) {
				s.Commit.Enable()
				s.Totals.SetText("Commit cancelled: nothing was reserved (the commit is one transaction).")
				return
			}
			if err != nil {
				s.Commit.Enable()
				s.Problem.Show("commit", err)
				return
			}
			text := fmt.Sprintf("Committed: %s order(s) allocated and reserved, %s backordered.",
				uikit.GroupThousands(int64(res.Allocated)), uikit.GroupThousands(int64(res.Backordered)))
			if len(res.Conflicts) > 0 {
				text += fmt.Sprintf(" %d order(s) changed since the plan and were left as they were (plan again):", len(res.Conflicts))
				for i, c := range res.Conflicts {
					if i == 5 {
						text += fmt.Sprintf(" … and %d more", len(res.Conflicts)-5)
						break
					}
					text += fmt.Sprintf(" %s: %s;", c.Number, c.Message)
				}
			}
			s.plan, s.selected, s.overrides = nil, -1, map[int64]map[int]string{}
			s.Table.Refresh()
			s.Lines.Refresh()
			s.Detail.SetText("")
			s.Totals.SetText(text)
			s.Problem.Hide()
			if s.changed != nil {
				s.changed()
			}
		}
	})
}

// ImportRates replaces shipping rates from a file, after checking every row.
func (s *AllocationScreen) ImportRates(path string) {
	s.tasks.Run(func() func() {
		rates, problems, err := s.svc.ImportRates(context.Background(), path, "", false)
		return func() {
			switch {
			case err != nil:
				s.Problem.Show("rates", err)
			case len(problems) > 0:
				var b strings.Builder
				fmt.Fprintf(&b, "%d problem(s) in the rate file; nothing was imported:", len(problems))
				for i, p := range problems {
					if i == 8 {
						fmt.Fprintf(&b, " … and %d more", len(problems)-8)
						break
					}
					b.WriteString(" " + p.String() + ";")
				}
				s.Problem.Show("rates", uikit.Problem(b.String()))
			default:
				s.Problem.Hide()
				s.Totals.SetText(fmt.Sprintf("Imported %d shipping rate(s). Plan again to use them.", len(rates)))
			}
		}
	})
}

// showSettings edits the planner's costs and rules.
func (s *AllocationScreen) showSettings() {
	s.tasks.Load(s.Problem, "settings", func(ctx context.Context) (func(), error) {
		cfg, err := s.svc.AllocConfig(ctx)
		return func() {
			s.SettingsDialog(cfg).Show()
		}, err
	})
}

// SettingsDialog is the form of the planner's settings; saving writes them.
func (s *AllocationScreen) SettingsDialog(cfg domain.AllocConfig) dialog.Dialog {
	amount := func(v int64) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(domain.NewMoney(v, cfg.Currency).Decimal())
		return e
	}
	split, customs, day, minSplit := amount(cfg.SplitPenalty), amount(cfg.CustomsCost), amount(cfg.DayCost), amount(cfg.MinSplitLine)
	wait := amount(cfg.WaitDayCost)
	maxParcels := widget.NewEntry()
	maxParcels.SetText(strconv.Itoa(cfg.MaxParcels))
	never := widget.NewCheck("Never split an order", nil)
	never.SetChecked(cfg.NeverSplit)
	region := widget.NewCheck("Keep orders in their region", nil)
	region.SetChecked(cfg.KeepInRegion)
	partial := widget.NewCheck("Allocate what is in stock, backorder the rest", nil)
	partial.SetChecked(cfg.AllowPartial)
	auto := widget.NewCheck("Plan backorders again when stock arrives", nil)
	auto.SetChecked(cfg.AutoReplan)
	cur := string(cfg.Currency)
	return dialog.NewForm("Allocation settings", "Save", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Extra parcel ("+cur+")", split),
		widget.NewFormItem("Customs crossing ("+cur+")", customs),
		widget.NewFormItem("Day of transit ("+cur+")", day),
		widget.NewFormItem("Min value to split ("+cur+")", minSplit),
		widget.NewFormItem("Day of waiting ("+cur+", 0: never)", wait),
		widget.NewFormItem("Max parcels (0: any)", maxParcels),
		widget.NewFormItem("", never), widget.NewFormItem("", region), widget.NewFormItem("", partial), widget.NewFormItem("", auto),
	}, func(ok bool) {
		if !ok {
			return
		}
		next := cfg
		for _, m := range []struct {
			e  *widget.Entry
			to *int64
		}{{split, &next.SplitPenalty}, {customs, &next.CustomsCost}, {day, &next.DayCost}, {minSplit, &next.MinSplitLine}, {wait, &next.WaitDayCost}} {
			v, err := domain.ParseMoney(strings.TrimSpace(m.e.Text), cfg.Currency)
			if err != nil {
				s.Problem.Show("settings", uikit.Problemf("%q is not an amount in %s; nothing was saved", m.e.Text, cfg.Currency))
				return
			}
			*m.to = v.Amount
		}
		n, err := strconv.Atoi(strings.TrimSpace(maxParcels.Text))
		if err != nil || n < 0 {
			s.Problem.Show("settings", uikit.Problemf("max parcels %q is not a whole number of 0 or more; nothing was saved", maxParcels.Text))
			return
		}
		next.MaxParcels, next.NeverSplit, next.KeepInRegion, next.AllowPartial, next.AutoReplan = n, never.Checked, region.Checked, partial.Checked, auto.Checked
		s.tasks.Load(s.Problem, "settings", func(ctx context.Context) (func(), error) {
			err := s.svc.SetConfig(ctx, next)
			return func() {
				s.Problem.Hide()
				s.Totals.SetText("Settings saved. Plan again to use them.")
			}, err
		})
	}, s.window)
}

// RatesEditor lists the shipping rates and changes one at a time; a file
// replaces many at once.
type RatesEditor struct {
	Table     *widget.Table
	Warehouse *widget.Select
	Country   *widget.Entry
	Cost      *widget.Entry
	Days      *widget.Entry
	Save      *widget.Button
	Note      *widget.Label
	rates     []domain.Rate
	cur       domain.Currency
}

// ShowRates opens the rate editor.
func (s *AllocationScreen) ShowRates() {
	s.tasks.Load(s.Problem, "rates", func(ctx context.Context) (func(), error) {
		rates, err := s.svc.Rates(ctx)
		var cfg domain.AllocConfig
		if err == nil {
			cfg, err = s.svc.AllocConfig(ctx)
		}
		return func() {
			s.RatesEditor = s.newRatesEditor(rates, cfg.Currency)
		}, err
	})
}

func (s *AllocationScreen) newRatesEditor(rates []domain.Rate, cur domain.Currency) *RatesEditor {
	e := &RatesEditor{rates: rates, cur: cur}
	type rate = domain.Rate
	e.Table = uikit.NewListTable(&e.rates,
		uikit.Col("Warehouse", func(r rate) string { return r.Warehouse }).Wide(100),
		uikit.Col("Country", func(r rate) string { return string(r.Country) }).Wide(80),
		uikit.Num("Cost ("+string(cur)+")", func(r rate) string { return domain.NewMoney(r.Cost, cur).Decimal() }).Wide(100),
		uikit.Num("Days", func(r rate) string { return strconv.Itoa(r.TransitDays) }).Wide(60))
	var codes []string
	for _, w := range s.whs {
		codes = append(codes, w.Code)
	}
	e.Warehouse = widget.NewSelect(codes, nil)
	e.Country = widget.NewEntry()
	e.Country.SetPlaceHolder("ISO code, or * for any other")
	e.Cost = widget.NewEntry()
	e.Days = widget.NewEntry()
	e.Table.OnSelected = func(id widget.TableCellID) {
		if id.Row < len(e.rates) {
			r := e.rates[id.Row]
			e.Warehouse.SetSelected(r.Warehouse)
			e.Country.SetText(string(r.Country))
			e.Cost.SetText(domain.NewMoney(r.Cost, cur).Decimal())
			e.Days.SetText(strconv.Itoa(r.TransitDays))
		}
	}
	e.Note = uikit.Wrapped("Select a rate to change it, or fill in a new one. A file (warehouse, country, cost, days) replaces the rates of the warehouses it lists.")
	e.Save = widget.NewButtonWithIcon("Save rate", theme.DocumentSaveIcon(), func() { s.SaveRate(e) })
	importBtn := widget.NewButtonWithIcon("Import file…", theme.FolderOpenIcon(), func() { uikit.ChooseTableFile(s.window, s.ImportRates) })
	form := widget.NewForm(widget.NewFormItem("Warehouse", e.Warehouse), widget.NewFormItem("Country", e.Country),
		widget.NewFormItem("Cost", e.Cost), widget.NewFormItem("Transit days", e.Days))
	content := container.NewBorder(container.NewVBox(e.Note, form, container.NewHBox(e.Save, importBtn)), nil, nil, nil, e.Table)
	d := dialog.NewCustom("Shipping rates", "Close", content, s.window)
	d.Resize(fyne.NewSize(560, 640))
	d.Show()
	return e
}

// SaveRate writes the editor's rate (replacing the same warehouse and country).
func (s *AllocationScreen) SaveRate(e *RatesEditor) {
	country := domain.Country(strings.ToUpper(strings.TrimSpace(e.Country.Text)))
	cost, err := domain.ParseMoney(strings.TrimSpace(e.Cost.Text), e.cur)
	days, derr := strconv.Atoi(strings.TrimSpace(e.Days.Text))
	switch {
	case e.Warehouse.Selected == "":
		e.Note.SetText("Choose the warehouse.")
		return
	case country != "*" && !country.Valid():
		e.Note.SetText(fmt.Sprintf("%q is not an ISO 3166-1 country code (or * for any other).", e.Country.Text))
		return
	case err != nil || cost.Amount < 0:
		e.Note.SetText(fmt.Sprintf("%q is not an amount in %s.", e.Cost.Text, e.cur))
		return
	case derr != nil || days < 0:
		e.Note.SetText(fmt.Sprintf("%q is not a number of days.", e.Days.Text))
		return
	}
	r := domain.Rate{Warehouse: e.Warehouse.Selected, Country: country, Cost: cost.Amount, TransitDays: days}
	next := make([]domain.Rate, 0, len(e.rates)+1)
	replaced := false
	for _, x := range e.rates {
		if x.Warehouse == r.Warehouse && x.Country == r.Country {
			x, replaced = r, true
		}
		next = append(next, x)
	}
	if !replaced {
		next = append(next, r)
	}
	s.tasks.Run(func() func() {
		err := s.svc.SetRates(context.Background(), next)
		return func() {
			if err != nil {
				e.Note.SetText(uikit.UserMessage(err))
				return
			}
			e.rates = next
			e.Table.Refresh()
			e.Note.SetText(fmt.Sprintf("Saved: %s → %s %s, %d day(s). Plan again to use it.", r.Warehouse, r.Country,
				domain.NewMoney(r.Cost, e.cur), r.TransitDays))
		}
	})
}
