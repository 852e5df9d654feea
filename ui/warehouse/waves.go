package warehouse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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

// WavesPanel builds pick waves from allocated orders, saves and prints their
// pick lists, and confirms picks (a short pick is picked from the next bin or
// sent back to allocation).
type WavesPanel struct {
	s *Screen

	MaxOrders  *widget.Entry
	Express    *widget.Check
	Service    *widget.Entry
	Carrier    *widget.SelectEntry
	Priority   *widget.Entry
	Cutoff     *widget.Entry
	Create     *widget.Button
	Waves      *widget.Table
	Picks      *widget.Table
	Title      *widget.Label
	PickList   *widget.Button
	ConfirmAll *widget.Button
	Qty        *widget.Entry
	Confirm    *widget.Button
	LastPath   string // the last document saved

	waves    []domain.WaveSummary
	wave     *domain.Wave
	selected int
	content  fyne.CanvasObject
}

func newWavesPanel(s *Screen) *WavesPanel {
	p := &WavesPanel{s: s, selected: -1}
	p.MaxOrders = widget.NewEntry()
	p.MaxOrders.SetText("30")
	p.Express = widget.NewCheck("Express only", nil)
	p.Service = widget.NewEntry()
	p.Service.SetPlaceHolder("service contains…")
	p.Carrier = widget.NewSelectEntry(domain.KnownCarriers())
	p.Carrier.SetPlaceHolder("any carrier")
	p.Priority = widget.NewEntry()
	p.Priority.SetPlaceHolder("any (-9 to 9: at least)")
	p.Cutoff = widget.NewEntry()
	p.Cutoff.SetPlaceHolder("HH:MM today: only orders placed before")
	p.Create = widget.NewButtonWithIcon("Create wave", theme.ContentAddIcon(), p.CreateWave)
	p.Create.Importance = widget.HighImportance
	type wave = domain.WaveSummary
	p.Waves = uikit.NewListTable(&p.waves,
		uikit.Col("Wave", func(w wave) string { return strconv.FormatInt(w.ID, 10) }).Wide(50),
		uikit.Col("Status", func(w wave) string { return string(w.Status) }).Wide(70),
		uikit.Col("Created", func(w wave) string { return uikit.LocalAt(w.CreatedAt, "01-02 15:04") }).Wide(90),
		uikit.Col("Orders", func(w wave) string { return strconv.Itoa(w.Orders) }).Wide(60),
		uikit.Col("Picked", func(w wave) string { return fmt.Sprintf("%d/%d", w.Confirmed, w.Picks) }).Wide(70))
	p.Waves.OnSelected = func(id widget.TableCellID) {
		if id.Row < len(p.waves) {
			p.load(p.waves[id.Row].ID)
		}
	}
	type pick = domain.PickLine
	p.Picks = uikit.NewColumnTable(p.pickCount, func(i int) (pick, bool) { return p.wave.Lines[i], true },
		uikit.Col("Tote", func(x pick) string { return strconv.Itoa(x.Tote) }).Wide(45),
		uikit.Col("Bin", func(x pick) string { return x.Bin }).Wide(100),
		uikit.Col("SKU", func(x pick) string { return x.SKU }).Wide(100),
		uikit.Col("Lot", func(x pick) string { return x.Lot }).Wide(80),
		uikit.Num("Qty", func(x pick) string { return uikit.QtyText(x.Qty) }).Wide(45),
		uikit.Marked("Picked", func(x pick, l *widget.Label) {
			switch {
			case x.Picked == nil:
				l.Importance = widget.LowImportance
				l.SetText("to pick")
			case *x.Picked < x.Qty:
				l.Importance = widget.WarningImportance
				l.SetText("short " + uikit.QtyText(x.Qty-*x.Picked))
			default:
				l.Importance = widget.SuccessImportance
				l.SetText("picked")
			}
		}).Wide(70))
	p.Picks.OnSelected = func(id widget.TableCellID) {
		p.selected = id.Row
		if l, ok := p.pick(); ok {
			p.Qty.SetText(strconv.FormatInt(int64(l.Qty), 10))
			s.focus(p.Qty)
		}
	}
	p.Title = uikit.Wrapped("Create a wave, or select one.")
	p.PickList = widget.NewButtonWithIcon("Save pick list PDF", theme.DocumentPrintIcon(), p.SavePickList)
	p.ConfirmAll = widget.NewButtonWithIcon("Confirm all open picks", theme.ConfirmIcon(), p.ConfirmAllPicks)
	p.Qty = scanEntry("Quantity picked", func() { p.ConfirmSelected() })
	p.Confirm = widget.NewButtonWithIcon("Confirm pick", theme.ConfirmIcon(), p.ConfirmSelected)
	p.enable(false)

	create := widget.NewForm(widget.NewFormItem("Max orders", p.MaxOrders), widget.NewFormItem("Service", p.Service),
		widget.NewFormItem("Carrier", p.Carrier), widget.NewFormItem("Min priority", p.Priority), widget.NewFormItem("Cut-off", p.Cutoff), widget.NewFormItem("", p.Express))
	left := container.NewBorder(container.NewVBox(uikit.Heading("New wave"),
		create, container.NewHBox(p.Create), uikit.Heading("Waves")),
		nil, nil, nil, p.Waves)
	actions := container.NewHBox(p.PickList, p.ConfirmAll)
	confirm := container.NewBorder(nil, nil, widget.NewLabel("Selected pick:"), p.Confirm, p.Qty)
	right := container.NewBorder(container.NewVBox(p.Title, actions, confirm), nil, nil, nil, p.Picks)
	p.content = uikit.Halves(left, right, 0.38)
	return p
}

func (p *WavesPanel) enable(on bool) {
	uikit.SetEnabled(on, p.PickList, p.ConfirmAll, p.Confirm)
}

func (p *WavesPanel) reload() {
	p.s.load("waves", func(ctx context.Context, code string) (func(), error) {
		waves, err := p.s.svc.Waves(ctx, code)
		return func() {
			p.waves = waves
			p.Waves.Refresh()
			if p.wave != nil {
				p.load(p.wave.ID)
			}
		}, err
	})
}

func (p *WavesPanel) load(id int64) {
	p.s.tasks.Load(p.s.Problem, "wave", func(ctx context.Context) (func(), error) {
		w, err := p.s.svc.Wave(ctx, id)
		return func() {
			if w.Warehouse != p.s.Code() {
				p.wave = nil
				p.enable(false)
				p.Picks.Refresh()
				return
			}
			p.wave = &w
			confirmed := 0
			for _, l := range w.Lines {
				if l.Picked != nil {
					confirmed++
				}
			}
			p.Title.SetText(fmt.Sprintf("Wave %d — %s — %d orders, %d picks (%d confirmed), %d units", w.ID, w.Status, w.Orders, len(w.Lines),
				confirmed, w.Units()))
			p.enable(true)
			p.Picks.Refresh()
		}, err
	})
}

func (p *WavesPanel) pickCount() int {
	if p.wave == nil {
		return 0
	}
	return len(p.wave.Lines)
}

func (p *WavesPanel) pick() (domain.PickLine, bool) {
	if p.wave == nil || p.selected < 0 || p.selected >= len(p.wave.Lines) {
		return domain.PickLine{}, false
	}
	return p.wave.Lines[p.selected], true
}

// CreateWave makes a wave from the form.
func (p *WavesPanel) CreateWave() {
	code := p.s.Code()
	n, err := strconv.Atoi(strings.TrimSpace(p.MaxOrders.Text))
	if err != nil || n < 0 {
		p.s.fail("Max orders is a whole number (0: all).")
		return
	}
	f := domain.WaveFilter{MaxOrders: n, Express: p.Express.Checked, Service: p.Service.Text, Carrier: p.Carrier.Text}
	if pr := strings.TrimSpace(p.Priority.Text); pr != "" {
		n, err := strconv.Atoi(pr)
		if err != nil || n < -9 || n > 9 {
			p.s.fail("Min priority is a whole number from -9 to 9 (empty: any).")
			return
		}
		f.MinPriority = &n
	}
	if c := strings.TrimSpace(p.Cutoff.Text); c != "" {
		t, err := time.ParseInLocation("15:04", c, time.Local)
		if err != nil {
			p.s.fail(fmt.Sprintf("Cut-off %q: write a time like 14:00 (today).", c))
			return
		}
		now := p.s.svc.Now().Local()
		f.PlacedBefore = time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), 0, 0, time.Local)
	}
	var made domain.Wave
	p.s.do("create wave", func(ctx context.Context) (string, error) {
		w, err := p.s.svc.CreateWave(ctx, code, f)
		made = w
		return fmt.Sprintf("Wave %d: %d orders, %d picks, %d units. Save the pick list to print it.", w.ID, w.Orders, len(w.Lines), w.Units()), err
	}, func() { p.load(made.ID) })
}

// SavePickList saves the wave's pick list in the documents folder and
// offers to open or print it.
func (p *WavesPanel) SavePickList() {
	if p.wave == nil {
		return
	}
	id := p.wave.ID
	p.s.do("pick list", func(ctx context.Context) (string, error) {
		return p.s.saveDocument(ctx, &p.LastPath, fmt.Sprintf("wave-%d-picklist.pdf", id), "pick list", fmt.Sprintf("wave %d", id),
			func(w io.Writer) error { return p.s.svc.PickList(ctx, id, "A4", w) },
			func(path string) string { return "Pick list saved: " + path })
	}, func() { p.s.offerDocument(p.LastPath) })
}

// ConfirmAllPicks confirms every open pick of the wave in full.
func (p *WavesPanel) ConfirmAllPicks() {
	if p.wave == nil {
		return
	}
	w := *p.wave
	p.s.do("confirm picks", func(ctx context.Context) (string, error) {
		n, meanwhile := 0, 0
		for _, l := range w.Lines {
			if l.Picked != nil {
				continue
			}
			_, err := p.s.svc.ConfirmPick(ctx, l.ID, l.Qty)
			if errors.Is(err, domain.ErrPickConfirmed) { // by another window or the command line, meanwhile
				meanwhile++
				continue
			}
			if err != nil {
				return "", err
			}
			n++
		}
		msg := fmt.Sprintf("Confirmed %d pick(s) of wave %d; the stock is in STAGING.", n, w.ID)
		if meanwhile > 0 {
			msg += fmt.Sprintf(" %d other(s) were confirmed meanwhile by someone else.", meanwhile)
		}
		return msg, nil
	}, func() { p.load(w.ID) })
}

// ConfirmSelected confirms the selected pick with the quantity typed; a
// short pick asks what to do with the shortfall.
func (p *WavesPanel) ConfirmSelected() {
	l, ok := p.pick()
	if !ok {
		p.s.fail("Select a pick first.")
		return
	}
	n, err := strconv.ParseInt(strings.TrimSpace(p.Qty.Text), 10, 64)
	if err != nil || n < 0 {
		p.s.fail("The quantity picked is a whole number (0 when the bin is empty).")
		return
	}
	waveID := p.wave.ID
	var short domain.Quantity
	p.s.do("confirm pick", func(ctx context.Context) (string, error) {
		var err error
		short, err = p.s.svc.ConfirmPick(ctx, l.ID, domain.Quantity(n))
		if short > 0 {
			return fmt.Sprintf("%s in %s is short by %s.", l.SKU, l.Bin, uikit.QtyText(short)), err
		}
		return fmt.Sprintf("Picked %d × %s from %s into tote %d.", n, l.SKU, l.Bin, l.Tote), err
	}, func() {
		p.load(waveID)
		if short > 0 {
			p.AskShort(l.ID, l.SKU, short)
		}
	})
}

// AskShort offers the next bin or a return to allocation for a short pick.
func (p *WavesPanel) AskShort(lineID int64, sku string, short domain.Quantity) {
	d := dialog.NewCustomConfirm(fmt.Sprintf("%s: %s missing", sku, uikit.QtyText(short)), "Pick from the next bin", "Back to allocation",
		widget.NewLabel("Pick the rest from the next bin that holds it, or send the shortfall back to allocation\n(the order is flagged for review)."),
		func(next bool) {
			if next {
				p.NextBin(lineID)
			} else {
				p.BackToAllocation(lineID)
			}
		}, p.s.window)
	d.Show()
}

// NextBin adds a pick of the shortfall from the next bin with stock.
func (p *WavesPanel) NextBin(lineID int64) {
	waveID := p.wave.ID
	p.s.do("next bin", func(ctx context.Context) (string, error) {
		l, err := p.s.svc.PickFromNextBin(ctx, lineID)
		return fmt.Sprintf("Pick %d × %s from %s next.", l.Qty, l.SKU, l.Bin), err
	}, func() { p.load(waveID) })
}

// BackToAllocation sends a short pick's shortfall back to allocation.
func (p *WavesPanel) BackToAllocation(lineID int64) {
	waveID := p.wave.ID
	p.s.do("short pick", func(ctx context.Context) (string, error) {
		return "The shortfall went back to allocation; the order is flagged for review.", p.s.svc.ShortToAllocation(ctx, lineID)
	}, func() { p.load(waveID) })
}

// saveDocument makes a document with write, saves it in the documents
// folder as name, keeps where it went in *last and logs it in the print log
// as kind, ref; it returns says(path), what the result line tells.
func (s *Screen) saveDocument(ctx context.Context, last *string, name, kind, ref string, write func(w io.Writer) error,
	says func(path string) string) (string, error) {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return "", err
	}
	path, err := uikit.SaveDocument(name, b.Bytes())
	if err != nil {
		return "", err
	}
	*last = path
	return says(path), s.svc.Printed(ctx, kind, ref, b.Len())
}

// offerDocument shows a saved document with Open and Print buttons.
func (s *Screen) offerDocument(path string) {
	if path == "" {
		return
	}
	open := widget.NewButtonWithIcon("Open PDF", theme.FileIcon(), func() {
		if err := uikit.OpenDocument(path); err != nil {
			s.Problem.Show("open", err)
		}
	})
	print := widget.NewButtonWithIcon("Print", theme.DocumentPrintIcon(), func() {
		if err := uikit.PrintDocument(path); err != nil {
			s.Problem.Show("print", err)
		} else {
			s.setResult("Sent to the printer: " + path)
		}
	})
	d := dialog.NewCustom("Document saved", "Close", container.NewVBox(widget.NewLabel(path), container.NewHBox(open, print)), s.window)
	d.Show()
}
