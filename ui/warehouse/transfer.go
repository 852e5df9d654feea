package warehouse

import (
	"context"
	"fmt"
	"strings"

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
	type line = domain.TransferLine
	p.Lines = uikit.NewListTable(&p.lines,
		uikit.Col("SKU", func(ln line) string { return ln.SKU }).Wide(160),
		uikit.Num("Qty", func(ln line) string { return uikit.QtyText(ln.Qty) }).Wide(70))
	type transfer = domain.Transfer
	p.Transfers = uikit.NewListTable(&p.transfers,
		uikit.Col("No.", func(t transfer) string { return fmt.Sprint(t.ID) }).Wide(50),
		uikit.Col("From", func(t transfer) string { return t.From }).Wide(70),
		uikit.Col("To", func(t transfer) string { return t.To }).Wide(70),
		uikit.Marked("Status", func(t transfer, l *widget.Label) {
			if t.Status == domain.TransferInTransit {
				l.Importance = widget.WarningImportance
				l.SetText("in transit")
			} else {
				l.SetText("received")
			}
		}).Wide(90),
		uikit.Col("Sent", func(t transfer) string { return uikit.LocalAt(t.SentAt, "2006-01-02 15:04") }).Wide(130),
		uikit.Col("Lines", func(t transfer) string {
			var parts []string
			for _, ln := range t.Lines {
				parts = append(parts, uikit.QtyText(ln.Qty)+" × "+ln.SKU)
			}
			return strings.Join(parts, ", ")
		}).Wide(320))
	p.Transfers.OnSelected = func(id widget.TableCellID) { p.choose(id.Row) }
	p.ReceiveIt = widget.NewButtonWithIcon("Receive selected transfer", theme.DownloadIcon(), p.ReceiveSelected)
	p.ReceiveIt.Disable()

	form := widget.NewForm(widget.NewFormItem("To", p.To), widget.NewFormItem("Reference", p.Reference),
		widget.NewFormItem("SKU", p.SKU), widget.NewFormItem("Quantity", p.Qty))
	left := container.NewBorder(container.NewVBox(uikit.Heading("Send stock"),
		form, container.NewHBox(p.Add, p.Clear, p.Send)), nil, nil, nil, p.Lines)
	right := container.NewBorder(container.NewBorder(nil, nil,
		uikit.Heading("Transfers of this warehouse"), p.ReceiveIt), nil, nil, nil, p.Transfers)
	p.content = uikit.Halves(left, right, 0.36)
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
	p.s.tasks.Load(p.s.Problem, "transfers", func(ctx context.Context) (func(), error) {
		all, err := p.s.svc.Transfers(ctx, "")
		return func() {
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
		}, err
	})
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
