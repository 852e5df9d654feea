package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// OrderDetail shows one order: status, customer, ship-to address, lines,
// totals, notes and status history, with the status actions a coordinator
// may take by hand (hold, release, cancel).
type OrderDetail struct {
	svc     OrderService
	window  fyne.Window
	tasks   *uikit.Tasks
	changed func(id int64)

	Title    *widget.Label
	Status   *widget.Label
	Meta     *widget.Label
	Address  *widget.Label
	Lines    *widget.Label
	Totals   *widget.Label
	Notes    *widget.Label
	History  *widget.Label
	Alloc    *widget.Label
	Actions  *fyne.Container
	Problem  *widget.Label
	Review   *widget.Label
	Reviewed *widget.Button
	// ReadOnly, when set, says why the person signed in may not change
	// orders: it stands where the actions would.
	ReadOnly string

	order       domain.Order
	content     fyne.CanvasObject
	body        fyne.CanvasObject
	empty       fyne.CanvasObject
	placeholder *widget.Label // what the empty panel says
}

// NewOrderDetail builds an empty panel; changed is called after a status change.
func NewOrderDetail(svc OrderService, w fyne.Window, changed func(id int64)) *OrderDetail {
	d := &OrderDetail{svc: svc, window: w, changed: changed, tasks: &uikit.Tasks{}}
	label := func() *widget.Label { return uikit.Wrapped("") }
	d.Title = widget.NewLabel("")
	d.Title.TextStyle.Bold = true
	d.Title.SizeName = theme.SizeNameSubHeadingText
	d.Status = widget.NewLabel("")
	d.Status.TextStyle.Bold = true
	d.Meta, d.Address, d.Lines, d.Totals, d.Notes, d.History, d.Alloc = label(), label(), label(), label(), label(), label(), label()
	d.Problem = uikit.FormProblem()
	d.Problem.Hide()
	d.Actions = container.NewHBox()
	d.Review = label()
	d.Review.Importance = widget.WarningImportance
	d.Reviewed = widget.NewButtonWithIcon("Mark reviewed", theme.ConfirmIcon(), func() { d.MarkReviewed(d.order.ID) })
	reviewBox := container.NewVBox(d.Review, container.NewHBox(d.Reviewed))
	section := func(title string, o fyne.CanvasObject) fyne.CanvasObject {
		h := widget.NewLabel(title)
		h.TextStyle.Bold = true
		return container.NewVBox(h, o)
	}
	d.body = container.NewVScroll(container.NewVBox(
		container.NewHBox(d.Title, d.Status), d.Problem, reviewBox, d.Meta, d.Actions, widget.NewSeparator(),
		section("Ship to", d.Address), section("Lines", d.Lines), section("Allocation", d.Alloc), section("Totals", d.Totals),
		section("Notes", d.Notes), section("Status history", d.History),
	))
	d.placeholder = uikit.Wrapped("Select an order to see its details.")
	d.placeholder.Alignment = fyne.TextAlignCenter
	d.empty = container.NewVBox(layout.NewSpacer(), d.placeholder, layout.NewSpacer())
	d.content = container.NewStack(d.empty, d.body)
	d.body.Hide()
	return d
}

// Content is the panel's root object.
func (d *OrderDetail) Content() fyne.CanvasObject { return d.content }

// Wait blocks until the panel's background loads have been applied (tests).
func (d *OrderDetail) Wait() { d.tasks.Wait() }

// Refresh reads the order shown again (nothing when none is).
func (d *OrderDetail) Refresh() {
	if d.body.Visible() && d.order.ID != 0 {
		d.Show(d.order.ID)
	}
}

// Show loads and shows the order with the given id.
func (d *OrderDetail) Show(id int64) {
	d.tasks.Run(func() func() {
		o, err := d.svc.Order(context.Background(), id)
		var alloc []domain.LineAllocation
		if err == nil {
			alloc, err = d.svc.Allocation(context.Background(), id)
		}
		return func() {
			if err != nil {
				uikit.LogError("order detail", err)
				d.Problem.SetText(uikit.UserMessage(err))
				d.Problem.Show()
				if !d.body.Visible() { // nothing shown yet: the problem stands in the panel
					d.placeholder.SetText(uikit.UserMessage(err))
					d.placeholder.Importance = widget.DangerImportance
					d.placeholder.Refresh()
				}
				return
			}
			d.Problem.Hide()
			d.render(o)
			d.renderAllocation(o, alloc)
		}
	})
}

func (d *OrderDetail) render(o domain.Order) {
	d.order = o
	d.Title.SetText("Order " + o.Number)
	d.Status.SetText(o.Status.Label())
	d.Status.Importance = statusImportance(o.Status)
	d.Status.Refresh()
	meta := fmt.Sprintf("%s · external id %s\nPlaced %s\nCustomer %s", o.ChannelCode, o.ExternalID, localTime(o.PlacedAt), o.CustomerEmail)
	if o.Service != "" {
		meta += "\nShipping: " + o.Service
		if domain.IsExpress(o.Service) {
			meta += " (express: allocated first)"
		}
	}
	if o.Priority != 0 {
		meta += fmt.Sprintf("\nPriority %+d", o.Priority)
	}
	d.Meta.SetText(meta)
	addr := o.ShipTo.Lines()
	if o.ShipTo.Phone != "" {
		addr = append(addr, "☎ "+o.ShipTo.Phone)
	}
	d.Address.SetText(strings.Join(addr, "\n"))

	var lines []string
	for _, l := range o.Lines {
		total, _ := l.Total()
		lines = append(lines, fmt.Sprintf("%d × %s  %s\n      %s each = %s", l.Quantity, l.SKU, l.Name,
			uikit.FormatMoney(l.UnitPrice), uikit.FormatMoney(total)))
	}
	d.Lines.SetText(strings.Join(lines, "\n"))
	sub, _ := o.Subtotal()
	d.Totals.SetText(fmt.Sprintf("Items (%d)   %s\nShipping   %s\nTax   %s\nTotal   %s",
		o.Units(), uikit.FormatMoney(sub), uikit.FormatMoney(o.Shipping), uikit.FormatMoney(o.Tax), uikit.FormatMoney(o.Total)))
	if o.Notes == "" {
		d.Notes.SetText("—")
	} else {
		d.Notes.SetText(o.Notes)
	}
	var hist []string
	for i := len(o.History) - 1; i >= 0; i-- {
		h := o.History[i]
		step := h.To.Label()
		switch {
		case h.From == h.To:
			step = "·"
		case h.From != "":
			step = h.From.Label() + " → " + h.To.Label()
		}
		line := fmt.Sprintf("%s   %s   %s", localTime(h.At), step, h.Reason)
		if h.Who != "" {
			line += "   · " + h.Who
		}
		hist = append(hist, line)
	}
	d.History.SetText(strings.Join(hist, "\n"))
	if o.Review != "" {
		d.Review.SetText("Needs review — " + o.Review)
		d.Review.Show()
		d.Reviewed.Hidden = d.ReadOnly != ""
		d.Reviewed.Refresh()
	} else {
		d.Review.Hide()
		d.Reviewed.Hide()
	}
	d.renderActions(o)
	d.empty.Hide()
	d.body.Show()
}

// renderAllocation shows where each line ships from and why (the reason the
// planner gave, kept in the history when the order was allocated or backordered).
func (d *OrderDetail) renderAllocation(o domain.Order, alloc []domain.LineAllocation) {
	var why string
	for i := len(o.History) - 1; i >= 0; i-- {
		if h := o.History[i]; h.To == domain.StatusAllocated || h.To == domain.StatusBackordered {
			why = h.Reason
			break
		}
	}
	var b strings.Builder
	switch {
	case len(alloc) > 0:
		for _, a := range alloc {
			fmt.Fprintf(&b, "%d × %s from %s\n", a.Qty, a.SKU, a.Warehouse)
		}
	case o.Status == domain.StatusBackordered:
		b.WriteString("Backordered: waiting for stock.\n")
	default:
		b.WriteString("Not allocated.")
	}
	if why != "" && (len(alloc) > 0 || o.Status == domain.StatusBackordered) {
		b.WriteString("Why: " + why)
	}
	d.Alloc.SetText(strings.TrimSpace(b.String()))
	if d.ReadOnly != "" {
		return
	}
	if o.Status == domain.StatusAllocated {
		un := widget.NewButtonWithIcon("Un-allocate", theme.ContentUndoIcon(), func() { d.askUnallocate(o) })
		d.Actions.Add(un)
	}
	if o.Status == domain.StatusNew || o.Status == domain.StatusBackordered {
		d.Actions.Add(widget.NewButtonWithIcon("Priority…", theme.MoveUpIcon(), func() { d.askPriority(o) }))
	}
	d.Actions.Refresh()
}

func (d *OrderDetail) askPriority(o domain.Order) {
	choice := widget.NewSelect(nil, nil)
	for p := 9; p >= -9; p-- {
		choice.Options = append(choice.Options, fmt.Sprintf("%+d", p))
	}
	choice.SetSelected(fmt.Sprintf("%+d", o.Priority))
	dialog.ShowForm("Priority — "+o.Number, "Set", "Back",
		[]*widget.FormItem{widget.NewFormItem("Priority", choice)},
		func(ok bool) {
			if ok {
				p, _ := strconv.Atoi(choice.Selected)
				d.SetPriority(o.ID, p)
			}
		}, d.window)
}

// SetPriority sets the order's manual priority in the background.
func (d *OrderDetail) SetPriority(id int64, p int) {
	d.change(id, "priority", func(ctx context.Context) error { return d.svc.SetPriority(ctx, id, p) }, nil)
}

func (d *OrderDetail) askUnallocate(o domain.Order) {
	reason := widget.NewEntry()
	reason.SetPlaceHolder("Reason (kept in the order history)")
	dialog.ShowForm("Un-allocate — "+o.Number, "Un-allocate", "Back",
		[]*widget.FormItem{widget.NewFormItem("Reason", reason)},
		func(ok bool) {
			if ok {
				d.Unallocate(o.ID, reason.Text)
			}
		}, d.window)
}

// Unallocate releases the order's reservations in the background; it becomes new.
func (d *OrderDetail) Unallocate(id int64, reason string) {
	d.change(id, "un-allocate", func(ctx context.Context) error { return d.svc.Unallocate(ctx, id, reason) }, nil)
}

func localTime(t time.Time) string { return t.In(time.Local).Format("2006-01-02 15:04 MST") }

// manualActions are the status changes a coordinator makes by hand here;
// allocation, picking and shipping move orders in their own screens.
var manualActions = []struct {
	to    domain.OrderStatus
	label string
	icon  func() fyne.Resource
}{
	{domain.StatusOnHold, "Put on hold", theme.MediaPauseIcon},
	{domain.StatusNew, "Release", theme.MediaPlayIcon},
	{domain.StatusCancelled, "Cancel order", theme.CancelIcon},
}

func (d *OrderDetail) renderActions(o domain.Order) {
	d.Actions.RemoveAll()
	if d.ReadOnly != "" {
		l := widget.NewLabel("Read-only: " + d.ReadOnly + ".")
		l.TextStyle.Italic = true
		d.Actions.Add(l)
		d.Actions.Refresh()
		return
	}
	for _, a := range manualActions {
		if !domain.CanTransition(o.Status, a.to) {
			continue
		}
		if a.to == domain.StatusNew && o.Status != domain.StatusOnHold {
			continue // "release" only undoes a hold
		}
		a := a
		b := widget.NewButtonWithIcon(a.label, a.icon(), func() { d.askTransition(o, a.to, a.label) })
		if a.to == domain.StatusCancelled {
			b.Importance = widget.DangerImportance
		}
		d.Actions.Add(b)
	}
	d.Actions.Refresh()
}

func (d *OrderDetail) askTransition(o domain.Order, to domain.OrderStatus, label string) {
	reason := widget.NewEntry()
	reason.SetPlaceHolder("Reason (kept in the order history)")
	dialog.ShowForm(label+" — "+o.Number, label, "Back",
		[]*widget.FormItem{widget.NewFormItem("Reason", reason)},
		func(ok bool) {
			if !ok {
				return
			}
			d.Transition(o.ID, to, reason.Text)
		}, d.window)
}

// MarkReviewed clears the order's review flag in the background.
func (d *OrderDetail) MarkReviewed(id int64) {
	d.change(id, "mark reviewed", func(ctx context.Context) error { return d.svc.MarkReviewed(ctx, id, "") }, nil)
}

// Transition changes the order's status in the background and shows the result.
func (d *OrderDetail) Transition(id int64, to domain.OrderStatus, reason string) {
	if strings.TrimSpace(reason) == "" {
		reason = "changed by coordinator"
	}
	seen := d.order.Status // what the person acted on
	if d.order.ID != id {
		seen = ""
	}
	d.change(id, "order status", func(ctx context.Context) error { return d.svc.TransitionSeen(ctx, id, seen, to, reason) }, func(err error) {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			d.Refresh() // show what it is now
		}
	})
}

// change makes a change to the order in the background: when it fails, the
// problem is shown (what names it in the log) and refused hears of it;
// when it is made, the screen showing the order hears of the change.
func (d *OrderDetail) change(id int64, what string, do func(ctx context.Context) error, refused func(error)) {
	d.tasks.Run(func() func() {
		err := do(context.Background())
		return func() {
			if err != nil {
				uikit.LogError(what, err)
				dialog.ShowError(uikit.Problemf("%s", uikit.UserMessage(err)), d.window)
				if refused != nil {
					refused(err)
				}
				return
			}
			if d.changed != nil {
				d.changed(id)
			}
		}
	})
}
