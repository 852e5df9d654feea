package warehouse

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/ui/internal/uikit"
)

// pdfLabels is the label printer choice that prints labels into the PDF of
// the one-job print (no thermal printer at this workstation).
const pdfLabels = "PDF (with the customs papers and slips)"

// labelPrinterKey is where the workstation keeps its label printer (the
// user's preferences on this computer, not the shared database).
const labelPrinterKey = "warehouse.labelPrinter"

func (p *ShipPanel) buildPrinters() {
	p.LabelPrinter = widget.NewSelect([]string{pdfLabels}, func(choice string) {
		if a := fyne.CurrentApp(); a != nil && choice != "" {
			a.Preferences().SetString(labelPrinterKey, choice)
		}
	})
	p.LabelPrinter.SetSelected(pdfLabels)
	p.PrintLabels = widget.NewButtonWithIcon("Print labels", theme.DocumentPrintIcon(), p.PrintLabelsNow)
	// The print queues are read when the screen loads (Screen.Reload), not
	// while the window is still being built.
}

// LoadPrinters reads this computer's print queues into the label printer
// choice, and chooses the one this workstation used last.
func (p *ShipPanel) LoadPrinters() {
	p.s.tasks.Run(func() func() {
		printers, err := p.s.svc.Printers(context.Background())
		return func() {
			options := []string{pdfLabels}
			for _, pr := range printers {
				options = append(options, pr.Name)
			}
			p.LabelPrinter.Options = options
			want := pdfLabels
			if a := fyne.CurrentApp(); a != nil {
				want = a.Preferences().StringWithFallback(labelPrinterKey, pdfLabels)
			}
			chosen := pdfLabels
			for _, o := range options {
				if o == want {
					chosen = o
				}
			}
			p.LabelPrinter.SetSelected(chosen)
			p.printersNote = ""
			if err != nil {
				// No print system here: labels go into the PDF, and the
				// person is told why when they print.
				p.printersNote = uikit.UserMessage(err)
			}
			p.LabelPrinter.Refresh()
		}
	})
}

// PrintLabelsNow prints the ticked parcels' labels (none ticked: the
// wave's) where this workstation's labels go: the thermal printer's queue
// as ZPL, or the one-job PDF.
func (p *ShipPanel) PrintLabelsNow() {
	if p.wave == nil {
		return
	}
	printer := p.LabelPrinter.Selected
	if printer == "" || printer == pdfLabels {
		if p.printersNote != "" {
			p.s.setResult("No label printer here (" + p.printersNote + "); the labels go into the PDF.")
		}
		p.PrintDocuments()
		return
	}
	id, ids := p.wave.ID, p.chosen()
	p.s.tasks.Run(func() func() {
		job, n, err := p.s.svc.PrintLabels(context.Background(), printer, id, ids)
		return func() {
			if err != nil {
				p.s.setResult("")
				msg := uikit.UserMessage(err)
				if !strings.Contains(msg, "before printing") && !strings.Contains(msg, "Labels on: PDF") {
					msg = strings.TrimSuffix(msg, ".") + `. Choose "` + pdfLabels + `" to print them with the documents instead.`
				}
				p.s.Problem.Show("labels", uikit.Problem(msg))
				return
			}
			p.s.Problem.Hide()
			p.s.Result.Importance = widget.SuccessImportance
			p.s.setResult(fmt.Sprintf("Sent %d label(s) to %s (job %s).", n, printer, job))
		}
	})
}
