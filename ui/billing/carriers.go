package billing

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// The Billing screen's carrier invoices: the file and its columns, the
// import and reconciliation, lines accepted or disputed, payables.

// ImportCarrier opens a carrier's invoice file, shows which column holds
// what (guessed from the headers, or remembered for the carrier; each
// can be changed) and reconciles it for the month.
func (s *Screen) ImportCarrier() {
	carrier := widget.NewEntry()
	carrier.SetText("DHL")
	path := widget.NewEntry()
	path.SetPlaceHolder("/path/to/invoice.csv or .xlsx")
	browse := widget.NewButton("Choose…", func() {
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err == nil && r != nil {
				path.SetText(r.URI().Path())
				r.Close()
			}
		}, s.window)
	})
	d := dialog.NewForm("Import a carrier invoice for "+s.Period.Selected, "Next: columns", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Carrier", carrier), widget.NewFormItem("File", container.NewBorder(nil, nil, nil, browse, path))},
		func(ok bool) {
			if ok {
				s.CarrierColumns(strings.TrimSpace(path.Text), strings.TrimSpace(carrier.Text))
			}
		}, s.window)
	d.Resize(fyne.NewSize(620, 0))
	d.Show()
}

// carrierFields names the columns of a carrier invoice for the mapping step.
var carrierFields = map[string]string{
	"tracking": "Tracking number *",
	"amount":   "Amount charged *",
	"currency": "Currency",
	"service":  "Service",
}

// CarrierColumns shows, for each field, the file's column that holds it
// (guessed, or remembered for the carrier) with the value of its first row,
// then imports with the columns chosen.
func (s *Screen) CarrierColumns(path, carrier string) {
	s.tasks.Load(s.Problem, "carrier invoice", func(ctx context.Context) (func(), error) {
		headers, sample, guessed, err := s.svc.CarrierFileColumns(ctx, path, carrier)
		return func() {
			const none = "(none)"
			opts := []string{none}
			s.mappingHeader = map[string]string{}
			label := map[string]string{}
			for i, h := range headers {
				o := h
				if i < len(sample) && strings.TrimSpace(sample[i]) != "" {
					o = fmt.Sprintf("%s   (e.g. %s)", h, strings.TrimSpace(sample[i]))
				}
				opts = append(opts, o)
				s.mappingHeader[o] = h
				label[h] = o
			}
			s.Mapping = map[string]*widget.Select{}
			var items []*widget.FormItem
			for _, f := range domain.CarrierInvoiceFields {
				sel := widget.NewSelect(opts, nil)
				sel.SetSelected(none)
				if h := guessed[f]; h != "" {
					sel.SetSelected(label[h])
				}
				s.Mapping[f] = sel
				items = append(items, widget.NewFormItem(carrierFields[f], sel))
			}
			hint := uikit.Wrapped("* required. Without a currency column, amounts are in the operation's currency. " +
				"The choice is remembered for " + carrier + "'s next invoice.")
			items = append(items, widget.NewFormItem("", hint))
			d := dialog.NewForm(carrier+": which column holds what", "Import and reconcile", "Cancel", items, func(ok bool) {
				if ok {
					s.ImportCarrierFile(path, carrier, s.ChosenMapping())
				}
			}, s.window)
			d.Resize(fyne.NewSize(620, 0))
			d.Show()
		}, err
	})
}

// SelectColumn chooses the file's column (by its header) for a field.
func (s *Screen) SelectColumn(field, header string) {
	for label, h := range s.mappingHeader {
		if h == header {
			s.Mapping[field].SetSelected(label)
		}
	}
}

// ChosenMapping reads the column choices (field → header).
func (s *Screen) ChosenMapping() map[string]string {
	m := map[string]string{}
	for f, sel := range s.Mapping {
		if h, ok := s.mappingHeader[sel.Selected]; ok {
			m[f] = h
		}
	}
	return m
}

// ImportCarrierFile reconciles a carrier invoice file for the month with a
// column mapping (remembered for the carrier).
func (s *Screen) ImportCarrierFile(path, carrier string, mapping map[string]string) {
	period := s.Period.Selected
	s.tasks.Load(s.Problem, "carrier invoice", func(ctx context.Context) (func(), error) {
		counts, problems, err := s.svc.ImportCarrierFile(ctx, strings.TrimSpace(path), strings.TrimSpace(carrier), period, mapping)
		return func() {
			s.done(fmt.Sprintf("%s %s: %d matched, %d over, %d not ours, %d missing.", carrier, period, counts[domain.ReconMatched],
				counts[domain.ReconOver], counts[domain.ReconNotOurs], counts[domain.ReconMissing]))
			if len(problems) > 0 {
				s.Problem.Show("carrier invoice", uikit.Problem(strings.Join(problems, "\n")))
			}
			s.Tabs.SelectIndex(4)
			s.Reload()
		}, err
	})
}

func (s *Screen) showPayables() {
	if len(s.payables) == 0 {
		s.Payables.SetText("No carrier invoice imported for this month.")
		return
	}
	var parts []string
	for _, p := range s.payables {
		parts = append(parts, fmt.Sprintf("%s: payable %s (%d lines), disputed %s (%d), still open %s (%d)", p.Carrier, amount(p.Accepted, p.Currency),
			p.AcceptedLines, amount(p.Disputed, p.Currency), p.DisputedLines, amount(p.OpenAmount, p.Currency), p.Open))
	}
	s.Payables.SetText(strings.Join(parts, "\n"))
}

func (s *Screen) setSelected(state string) {
	if s.reconRow < 0 || s.reconRow >= len(s.recon) {
		s.Problem.Show("carrier invoice", uikit.Problem("select a line"))
		return
	}
	s.SetLines("", []string{s.recon[s.reconRow].Tracking}, state)
}

// SetLines accepts or disputes carrier lines of the month (by class, or tracking numbers).
func (s *Screen) SetLines(class domain.ReconcileClass, tracking []string, state string) {
	period := s.Period.Selected
	s.tasks.Load(s.Problem, "carrier invoice", func(ctx context.Context) (func(), error) {
		n, err := s.svc.SetCarrierLines(ctx, period, "", class, tracking, state)
		return func() {
			s.done(fmt.Sprintf("%d line(s) %s.", n, state))
			s.Reload()
		}, err
	})
}
