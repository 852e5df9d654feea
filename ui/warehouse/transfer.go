package warehouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// TransferPanel sends stock to another warehouse (lines built by scanning
// SKUs) and receives transfers arriving at this one.
type TransferPanel struct {
	s *Screen

	To        *widget.Select
	Reference *widget.Entry
	SKU       *widget.Entry
	Qty       *widget.Entry
	Add       *widget.Button
	Clear     *widget.Button
	Send      *widget.Button
	Lines     *widget.Table
	Transfers *widget.Table
	ReceiveIt *widget.Button

	lines     []domain.TransferLine
	transfers []domain.Transfer
	selected  int
	content   fyne.CanvasObject
}

func newTransferPanel(s *Screen) *TransferPanel {
	p := &TransferPanel{s: s, selected: -1}
	p.To = widget.NewSelect(nil, nil)
	p.To.PlaceHolder = "Destination warehouse"
	p.Reference = widget.NewEntry()
	p.Reference.SetPlaceHolder("Your reference (optional)")
	p.Qty = scanEntry("Quantity", func() { p.AddLine() })
	p.SKU = scanEntry("Scan or type the SKU", func() { s.focus(p.Qty) })
	p.Add = widget.NewButtonWithIcon("Add line", theme.ContentAddIcon(), p.AddLine)
	p.Clear = widget.NewButtonWithIcon("Clear lines", theme.ContentClearIcon(), func() {
		p.lines = nil
		p.Lines.Refresh()
	})
	p.Send = widget.NewButtonWithIcon("Send transfer", theme.MailSendIcon(), p.SendTransfer)
	p.Send.Importance = widget.HighImportance
	p.Lines = uikit.NewTable(func() (int, int) { return len(p.lines), 2 }, uikit.Titles("SKU", "Qty"), func(id widget.TableCellID, l *widget.Label) {
		if id.Row >= len(p.lines) {
			l.SetText("")
			return
		}
		if id.Col == 0 {
			l.SetText(p.lines[id.Row].SKU)
			return
		}
		l.Alignment = fyne.TextAlignTrailing
		l.SetText(uikit.QtyText(p.lines[id.Row].Qty))
	})
	p.Lines.SetColumnWidth(0, 160)
	p.Lines.SetColumnWidth(1, 70)
	p.Transfers = uikit.NewTable(func() (int, int) { return len(p.transfers), 6 }, uikit.Titles("No.", "From", "To", "Status", "Sent", "Lines"), p.updateTransfer)
	for i, w := range []float32{50, 70, 70, 90, 130, 320} {
		p.Transfers.SetColumnWidth(i, w)
	}
	p.Transfers.OnSelected = func(id widget.TableCellID) { p.choose(id.Row) }
	p.ReceiveIt = widget.NewButtonWithIcon("Receive selected transfer", theme.DownloadIcon(), p.ReceiveSelected)
	p.ReceiveIt.Disable()

	form := widget.NewForm(widget.NewFormItem("To", p.To), widget.NewFormItem("Reference", p.Reference),
		widget.NewFormItem("SKU", p.SKU), widget.NewFormItem("Quantity", p.Qty))
	left := container.NewBorder(container.NewVBox(widget.NewLabelWithStyle("Send stock", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		form, container.NewHBox(p.Add, p.Clear, p.Send)), nil, nil, nil, p.Lines)
	right := container.NewBorder(container.NewBorder(nil, nil,
		widget.NewLabelWithStyle("Transfers of this warehouse", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.ReceiveIt), nil, nil, nil, p.Transfers)
	split := container.NewHSplit(left, right)
	split.SetOffset(0.36)
	p.content = split
	return p
}

func (p *TransferPanel) reload() {
	code := p.s.Code()
	if code == "" {
		return
	}
	var opts []string
	for _, w := range p.s.warehouses {
		if w.Code != code {
			opts = append(opts, w.Code)
		}
	}
	p.To.Options = opts
	if !uikit.Contains(opts, p.To.Selected) {
		p.To.ClearSelected()
	}
	p.To.Refresh()
	p.s.tasks.Run(func() func() {
		all, err := p.s.svc.Transfers(context.Background(), "")
		return func() {
			if err != nil {
				p.s.Problem.Show("transfers", err)
				return
			}
			p.transfers = p.transfers[:0]
			for _, t := range all {
				if t.From == code || t.To == code {
					p.transfers = append(p.transfers, t)
				}
			}
			p.selected = -1
			p.ReceiveIt.Disable()
			p.Transfers.UnselectAll()
			p.Transfers.Refresh()
		}
	})
}

func (p *TransferPanel) updateTransfer(id widget.TableCellID, l *widget.Label) {
	if id.Row >= len(p.transfers) {
		l.SetText("")
		return
	}
	t := p.transfers[id.Row]
	switch id.Col {
	case 0:
		l.SetText(fmt.Sprint(t.ID))
	case 1:
		l.SetText(t.From)
	case 2:
		l.SetText(t.To)
	case 3:
		if t.Status == domain.TransferInTransit {
			l.Importance = widget.WarningImportance
			l.SetText("in transit")
		} else {
			l.SetText("received")
		}
	case 4:
		l.SetText(t.SentAt.In(time.Local).Format("2006-01-02 15:04"))
	case 5:
		var parts []string
		for _, ln := range t.Lines {
			parts = append(parts, uikit.QtyText(ln.Qty)+" × "+ln.SKU)
		}
		l.SetText(strings.Join(parts, ", "))
	}
}

func (p *TransferPanel) choose(i int) {
	p.selected = i
	if i >= 0 && i < len(p.transfers) && p.transfers[i].Status == domain.TransferInTransit && p.transfers[i].To == p.s.Code() {
		p.ReceiveIt.Enable()
	} else {
		p.ReceiveIt.Disable()
	}
}

// AddLine adds the form's SKU and quantity to the transfer being built.
func (p *TransferPanel) AddLine() {
	sku := strings.TrimSpace(p.SKU.Text)
	qty, ok := quantity(p.Qty.Text, false)
	if sku == "" || !ok {
		p.s.fail("Give a SKU and a quantity above 0 for the line.")
		p.s.focus(p.SKU)
		return
	}
	for i := range p.lines {
		if p.lines[i].SKU == sku {
			p.lines[i].Qty += qty
			sku = ""
		}
	}
	if sku != "" {
		p.lines = append(p.lines, domain.TransferLine{SKU: sku, Qty: qty})
	}
	p.Lines.Refresh()
	p.SKU.SetText("")
	p.Qty.SetText("")
	p.s.focus(p.SKU)
}

// SendTransfer sends the lines built so far; all of them go, or none.
func (p *TransferPanel) SendTransfer() {
	from, to := p.s.Code(), p.To.Selected
	switch {
	case from == "" || to == "":
		p.s.fail("Choose the destination warehouse.")
		return
	case len(p.lines) == 0:
		p.s.fail("Add at least one line: scan a SKU, type the quantity, press Enter.")
		p.s.focus(p.SKU)
		return
	}
	t := &domain.Transfer{From: from, To: to, Reference: strings.TrimSpace(p.Reference.Text), Lines: append([]domain.TransferLine(nil), p.lines...)}
	p.s.do("send transfer", func(ctx context.Context) (string, error) {
		if err := p.s.svc.SendTransfer(ctx, t); err != nil {
			return "", err
		}
		return fmt.Sprintf("Transfer %d sent to %s with %d line(s); in transit until %s receives it.", t.ID, to, len(t.Lines), to), nil
	}, func() {
		p.lines = nil
		p.Reference.SetText("")
		p.Lines.Refresh()
	})
}

// ReceiveSelected confirms the selected transfer arrived here.
func (p *TransferPanel) ReceiveSelected() {
	if p.selected < 0 || p.selected >= len(p.transfers) {
		return
	}
	id := p.transfers[p.selected].ID
	p.s.do("receive transfer", func(ctx context.Context) (string, error) {
		t, err := p.s.svc.ReceiveTransfer(ctx, id)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Transfer %d received into RECEIVING of %s; put it away next.", t.ID, t.To), nil
	}, nil)
}
