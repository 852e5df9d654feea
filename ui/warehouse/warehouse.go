// Package warehouse is the window's Warehouse screen: one panel per file
// (receive, putaway, transfer, count, adjust, waves, ship, manifests,
// settings), each working through its part of Service, a small interface
// the app's InventoryService satisfies.
package warehouse

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// Screen is where a warehouse lead works through the day in one
// warehouse: receiving, putaway, transfers, cycle counts, adjustments and
// stock imports. Every form works from the keyboard, and a barcode scanner
// acting as a keyboard (code, then Enter) moves from the SKU or bin field to
// the next one.
type Screen struct {
	// Only are the warehouses the person signed in works in (a warehouse
	// person of a team); empty: every warehouse.
	Only []string

	svc    Service
	window fyne.Window
	tasks  uikit.Tasks

	Warehouse *widget.Select
	Tabs      *container.AppTabs
	Result    *widget.Label // what the last operation did
	Folder    *widget.Button
	Problem   uikit.ProblemLabel

	Receive  *ReceivePanel
	Putaway  *PutawayPanel
	Transfer *TransferPanel
	Count    *CountPanel
	Adjust   *AdjustPanel
	Waves    *WavesPanel
	Ship     *ShipPanel
	Sent     *ManifestsPanel
	// Settings is the shipping settings form last opened.
	Settings *ShippingSettingsForm

	warehouses []domain.Warehouse // every warehouse (transfers go to any)
	workable   []domain.Warehouse // those the person works in: the choice on top
	changed    func()             // stock changed: the Inventory screen reloads
	content    fyne.CanvasObject
	stopHand   chan struct{} // ends StartHandOvers (nil when not running)
}

// StartHandOvers hands over, now and every interval while the window is
// open, the parcels whose carriers have scanned their labels — for a
// warehouse person, whose window does not poll the carriers itself: a
// coordinator's poll notes the scans. The parcels show as handed over, and
// the result line says how many; StopHandOvers ends it.
func (s *Screen) StartHandOvers(every time.Duration) {
	if s.stopHand != nil {
		return
	}
	s.stopHand = make(chan struct{})
	run := func() {
		s.tasks.Run(func() func() {
			handed, problems, err := s.svc.HandOverScanned(context.Background())
			return func() {
				switch {
				case err != nil:
					s.Problem.Show("handing over scanned parcels", err)
				case len(problems) > 0:
					s.Problem.Show("handing over scanned parcels", uikit.Problem(strings.Join(problems, "\n")))
				}
				if len(handed) > 0 {
					s.setResult(fmt.Sprintf("%d parcel(s) handed over on their carrier's first scan.", len(handed)))
					s.Ship.ParcelsChanged()
					s.Sent.reload()
				}
			}
		})
	}
	run()
	uikit.Every(every, s.stopHand, run)
}

// StopHandOvers ends StartHandOvers.
func (s *Screen) StopHandOvers() {
	if s.stopHand != nil {
		close(s.stopHand)
		s.stopHand = nil
	}
}

// NewScreen builds the screen; changed is called after stock moved.
func NewScreen(svc Service, w fyne.Window, changed func()) *Screen {
	s := &Screen{svc: svc, window: w, changed: changed}
	s.Warehouse = widget.NewSelect(nil, nil)
	s.Warehouse.PlaceHolder = "Choose the warehouse you work in"
	s.Result = uikit.Wrapped("")
	s.Result.Hide()
	s.Problem = uikit.NewProblemLabel()
	s.Receive = newReceivePanel(s)
	s.Putaway = newPutawayPanel(s)
	s.Transfer = newTransferPanel(s)
	s.Count = newCountPanel(s)
	s.Adjust = newAdjustPanel(s)
	s.Waves = newWavesPanel(s)
	s.Ship = newShipPanel(s)
	s.Sent = newManifestsPanel(s)
	s.Tabs = container.NewAppTabs(
		container.NewTabItem("Receive", s.Receive.content),
		container.NewTabItem("Put away", s.Putaway.content),
		container.NewTabItem("Transfers", s.Transfer.content),
		container.NewTabItem("Cycle counts", s.Count.content),
		container.NewTabItem("Adjust, move, import", s.Adjust.content),
		container.NewTabItem("Waves and picking", s.Waves.content),
		container.NewTabItem("Pack and ship", s.Ship.content),
		container.NewTabItem("Manifests", s.Sent.content),
	)
	s.Tabs.OnSelected = func(*container.TabItem) { s.reloadPanel() }
	s.Warehouse.OnChanged = func(string) {
		s.setResult("")
		s.Problem.Hide()
		if code := s.Code(); code != "" {
			if a := fyne.CurrentApp(); a != nil {
				a.Preferences().SetString(prefWarehouse, code)
			}
		}
		s.reloadAll()
	}
	s.Folder = widget.NewButtonWithIcon("Documents folder…", theme.FolderIcon(), s.chooseFolder)
	shipping := widget.NewButtonWithIcon("Shipping settings…", theme.SettingsIcon(), s.EditShippingSettings)
	top := container.NewBorder(nil, nil, uikit.Heading("Warehouse"),
		container.NewHBox(shipping, s.Folder), s.Warehouse)
	s.content = container.NewBorder(container.NewVBox(top, s.Problem.Label, s.Result), nil, nil, nil, s.Tabs)
	return s
}

// Content is the screen's root object.
func (s *Screen) Content() fyne.CanvasObject { return s.content }

// Wait blocks until background work has been applied (for tests).
func (s *Screen) Wait() { s.tasks.Wait() }

// FocusSearch puts the keyboard in the current form's first field.
func (s *Screen) FocusSearch() {
	var first fyne.Focusable
	switch s.Tabs.SelectedIndex() {
	case 0:
		first = s.Receive.SKU
	case 1:
		first = s.Putaway.SKU
	case 2:
		first = s.Transfer.SKU
	case 3:
		first = s.Count.Bin
	case 4:
		first = s.Adjust.SKU
	case 5:
		first = s.Waves.Qty
	default:
		first = s.Ship.Scan
	}
	if c := s.window.Canvas(); c != nil {
		c.Focus(first)
	}
}

// ShowInbounds opens the Receive panel of the warehouse code with its
// open inbounds due today (domain.InboundDueToday) or overdue
// (domain.InboundOverdue), or all of them ("").
func (s *Screen) ShowInbounds(code, due string) {
	show := showAllInbounds
	for label, d := range showsDue {
		if d == due {
			show = label
		}
	}
	s.Receive.Show.Selected = show // the panel reloads below, once
	s.Receive.Show.Refresh()
	s.showPanel(code, 0)
}

// ShowManifests opens the carrier manifests of the warehouse code.
func (s *Screen) ShowManifests(code string) { s.showPanel(code, 7) }

// showPanel selects the warehouse code and the panel tab, and reads them.
func (s *Screen) showPanel(code string, tab int) {
	s.Tabs.SelectIndex(tab)
	for i, w := range s.workable {
		if w.Code == code && s.Warehouse.SelectedIndex() != i {
			s.Warehouse.SetSelectedIndex(i) // reloads the panels
			return
		}
	}
	s.reloadPanel()
}

// Reload re-reads the warehouses and the current panel.
func (s *Screen) Reload() {
	s.Ship.LoadPrinters()
	s.tasks.Load(s.Problem, "warehouse", func(ctx context.Context) (func(), error) {
		ws, err := s.svc.Warehouses(ctx)
		return func() {
			s.warehouses, s.workable = ws, nil
			var opts []string
			for _, w := range ws {
				if len(s.Only) == 0 || slices.Contains(s.Only, w.Code) {
					s.workable = append(s.workable, w)
					opts = append(opts, w.Code+" — "+w.Name)
				}
			}
			ws = s.workable
			s.Warehouse.Options = opts
			s.Warehouse.Refresh()
			if s.Warehouse.SelectedIndex() < 0 && len(opts) > 0 {
				// The warehouse worked in last time, else the first.
				pick := 0
				if a := fyne.CurrentApp(); a != nil {
					last := a.Preferences().String(prefWarehouse)
					for i, w := range ws {
						if w.Code == last {
							pick = i
						}
					}
				}
				s.Warehouse.SetSelectedIndex(pick) // reloads the panels
				return
			}
			s.reloadAll()
		}, err
	})
}

// Code is the code of the warehouse worked in ("" before one is chosen).
func (s *Screen) Code() string {
	if i := s.Warehouse.SelectedIndex(); i >= 0 && i < len(s.workable) {
		return s.workable[i].Code
	}
	return ""
}

func (s *Screen) current() *domain.Warehouse {
	if i := s.Warehouse.SelectedIndex(); i >= 0 && i < len(s.workable) {
		return &s.workable[i]
	}
	return nil
}

func (s *Screen) reloadAll() {
	s.Receive.reload()
	s.Putaway.reload()
	s.Transfer.reload()
	s.Count.reload()
	s.Adjust.reload()
	s.Waves.reload()
	s.Ship.reload()
	s.Sent.reload()
}

func (s *Screen) reloadPanel() {
	switch s.Tabs.SelectedIndex() {
	case 0:
		s.Receive.reload()
	case 1:
		s.Putaway.reload()
	case 2:
		s.Transfer.reload()
	case 3:
		s.Count.reload()
	case 5:
		s.Waves.reload()
	case 6:
		s.Ship.reload()
	case 7:
		s.Sent.reload()
	}
}

// do runs an operation in the background and shows its result, or its error
// where the user is looking; after a success the panels and the Inventory
// screen reload and then runs (if not nil) on the UI goroutine.
func (s *Screen) do(what string, op func(ctx context.Context) (string, error), then func()) {
	s.tasks.Run(func() func() {
		msg, err := op(context.Background())
		return func() {
			if err != nil {
				s.setResult("")
				s.Problem.Show(what, err)
				return
			}
			s.Problem.Hide()
			s.Result.Importance = widget.SuccessImportance
			s.setResult(msg)
			s.reloadAll()
			if s.changed != nil {
				s.changed()
			}
			if then != nil {
				then()
			}
		}
	})
}

// fail shows a problem with what the user typed, without touching the database.
func (s *Screen) fail(msg string) {
	s.setResult("")
	s.Problem.Show("warehouse", uikit.Problem(msg))
}

// chooseFolder lets the user pick where PDFs are saved.
func (s *Screen) chooseFolder() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			s.Problem.Show("documents folder", err)
			return
		}
		if u == nil {
			return
		}
		uikit.SetDocumentsFolder(u.Path())
		s.setResult("Documents are saved in " + u.Path())
	}, s.window)
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// prefWarehouse remembers the warehouse worked in between launches.
const prefWarehouse = "warehouse.code"

// setResult shows what the last operation did; an empty text hides the line.
func (s *Screen) setResult(text string) {
	s.Result.SetText(text)
	if text == "" {
		s.Result.Hide()
	} else {
		s.Result.Show()
	}
}

// scanEntry is a one-line field for a code; Enter (as a scanner sends after
// the code) runs next.
func scanEntry(placeholder string, next func()) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	e.OnSubmitted = func(string) {
		if next != nil {
			next()
		}
	}
	return e
}

// focus moves the keyboard to e.
func (s *Screen) focus(e fyne.Focusable) {
	if c := s.window.Canvas(); c != nil {
		c.Focus(e)
	}
}

// quantity reads a whole number from a field; signed allows a minus sign.
func quantity(text string, signed bool) (domain.Quantity, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), "+")), 10, 64)
	if err != nil || (!signed && n <= 0) || n == 0 {
		return 0, false
	}
	return domain.Quantity(n), true
}

// load reads, off the UI goroutine, what a panel shows of the warehouse
// worked in (nothing while none is chosen), and applies it.
func (s *Screen) load(what string, read func(ctx context.Context, code string) (func(), error)) {
	code := s.Code()
	if code == "" {
		return
	}
	s.tasks.Load(s.Problem, what, func(ctx context.Context) (func(), error) { return read(ctx, code) })
}

// filePreview is the dialog that shows what a chosen file would post, with
// the button that posts it (disabled when nothing can be) and Cancel.
type filePreview struct {
	Text   *widget.Label
	Post   *widget.Button
	dialog dialog.Dialog
}

// showFilePreview opens a file preview: text says what the file holds, post
// ("Post %d row(s)") names the action for n items, onPost does it.
func (s *Screen) showFilePreview(title, text, post string, n int, height float32, onPost func()) filePreview {
	f := filePreview{Text: uikit.Wrapped(text), Post: widget.NewButtonWithIcon(fmt.Sprintf(post, n), theme.ConfirmIcon(), onPost)}
	f.Post.Importance = widget.HighImportance
	if n == 0 {
		f.Post.Disable()
	}
	var d dialog.Dialog
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, container.NewHBox(f.Post, cancel), nil, nil,
		container.NewVScroll(f.Text)), s.window)
	d.Resize(fyne.NewSize(760, height))
	d.Show()
	f.dialog = d
	return f
}

// hide closes the dialog, if it was opened.
func (f filePreview) hide() {
	if f.dialog != nil {
		f.dialog.Hide()
	}
}

// writeProblems adds a file's row problems under head, if it has any.
func writeProblems(b *strings.Builder, head string, problems []domain.RowProblem) {
	if len(problems) == 0 {
		return
	}
	b.WriteString("\n" + head + "\n")
	for _, pr := range problems {
		b.WriteString(pr.String() + "\n")
	}
}
