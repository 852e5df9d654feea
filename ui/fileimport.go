package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

const unmapped = "— not in the file —"

// ImportDialog imports a CSV or XLSX file into a channel: it shows the column
// mapping (guessed from the headers or remembered for the channel, editable),
// what the file would bring and every problem by row, and imports on request.
// Nothing is written before Import is pressed.
type ImportDialog struct {
	svc     ChannelService
	window  fyne.Window
	tasks   *uikit.Tasks
	ch      domain.Channel
	path    string
	done    func()
	preview domain.ImportPreview
	gen     int // the latest preview request; older answers are dropped

	Columns  map[domain.ImportField]*widget.Select
	Summary  *widget.Label
	Problems *widget.Label
	Import   *widget.Button
	Result   *widget.Label
	dialog   *dialog.CustomDialog
}

// ChooseImportFile asks for a file and opens the import dialog for the selected channel.
func (s *ChannelsScreen) ChooseImportFile() {
	r, ok := s.current()
	if !ok {
		return
	}
	uikit.ChooseTableFile(s.window, func(path string) { s.OpenImport(r.ch, path) })
}

// OpenImport reads the file and shows the import dialog for channel ch.
func (s *ChannelsScreen) OpenImport(ch domain.Channel, path string) {
	s.Import = &ImportDialog{svc: s.svc, window: s.window, tasks: &s.tasks, ch: ch, path: path,
		done: func() {
			s.Reload()
			if s.changed != nil {
				s.changed()
			}
		}}
	s.Import.load(nil)
}

// load previews the file with mapping (nil: remembered or guessed).
func (d *ImportDialog) load(mapping domain.ColumnMapping) {
	d.gen++
	gen := d.gen
	d.tasks.Run(func() func() {
		p, err := d.svc.PreviewImport(context.Background(), d.ch, d.path, mapping)
		return func() {
			if gen != d.gen {
				return // the user changed the mapping again meanwhile
			}
			if err != nil {
				uikit.LogError("import preview", err)
				if d.dialog != nil {
					d.Summary.SetText(uikit.UserMessage(err))
					d.Summary.Importance = widget.DangerImportance
					d.Summary.Refresh()
					return
				}
				dialog.ShowError(uikit.Problemf("%s: %s", filepath.Base(d.path), uikit.UserMessage(err)), d.window)
				return
			}
			d.preview = p
			if d.dialog == nil {
				d.build()
			}
			d.show()
		}
	})
}

func (d *ImportDialog) build() {
	options := append([]string{unmapped}, d.preview.Headers...)
	d.Columns = map[domain.ImportField]*widget.Select{}
	form := widget.NewForm()
	required := map[domain.ImportField]bool{}
	for _, f := range domain.RequiredImportFields {
		required[f] = true
	}
	for _, f := range domain.ImportFields {
		sel := widget.NewSelect(options, nil)
		d.Columns[f] = sel
		label := strings.ReplaceAll(string(f), "_", " ")
		if required[f] {
			label += " *"
		}
		form.Append(label, sel)
	}
	d.Summary = widget.NewLabel("")
	d.Summary.TextStyle.Bold = true
	d.Summary.Wrapping = fyne.TextWrapWord
	d.Problems = uikit.Wrapped("")
	d.Result = uikit.Wrapped("")
	d.Import = widget.NewButtonWithIcon("Import", theme.DownloadIcon(), d.run)
	d.Import.Importance = widget.HighImportance
	closeBtn := widget.NewButton("Close", func() { d.dialog.Hide() })
	left := container.NewBorder(uikit.Heading("Columns (* required)"),
		nil, nil, nil, container.NewVScroll(form))
	right := container.NewBorder(d.Summary, nil, nil, nil, container.NewVScroll(d.Problems))
	split := uikit.Halves(left, right, 0.45)
	content := container.NewBorder(nil, container.NewVBox(d.Result, container.NewHBox(layout.NewSpacer(), closeBtn, d.Import)), nil, nil, split)
	d.dialog = dialog.NewCustomWithoutButtons(fmt.Sprintf("Import %s into %s", filepath.Base(d.path), d.ch.Name), content, d.window)
	d.dialog.Resize(fyne.NewSize(1000, 640))
	d.dialog.Show()
}

// show puts the preview into the widgets.
func (d *ImportDialog) show() {
	p := d.preview
	for f, sel := range d.Columns {
		sel.OnChanged = nil
		if h := p.Mapping[f]; h != "" {
			sel.SetSelected(h)
		} else {
			sel.SetSelected(unmapped)
		}
		sel.OnChanged = func(string) { d.load(d.mapping()) }
	}
	missing := p.Mapping.Missing()
	d.Summary.Importance = widget.MediumImportance
	switch {
	case len(missing) > 0:
		names := make([]string, len(missing))
		for i, f := range missing {
			names[i] = strings.ReplaceAll(string(f), "_", " ")
		}
		d.Summary.SetText("Choose the columns for: " + strings.Join(names, ", ") + ".")
		d.Summary.Importance = widget.WarningImportance
	default:
		d.Summary.SetText(fmt.Sprintf("%s rows: %s orders ready, %s problems (those orders are quarantined, the others imported).",
			uikit.GroupThousands(int64(p.Rows)), uikit.GroupThousands(int64(p.Ready)), uikit.GroupThousands(int64(p.ProblemCount))))
	}
	d.Summary.Refresh()
	var lines []string
	for i, pr := range p.Problems {
		if i == 200 {
			lines = append(lines, fmt.Sprintf("… and %d more", p.ProblemCount-200))
			break
		}
		lines = append(lines, pr.String())
	}
	if len(missing) > 0 {
		lines = nil // the summary says what to map; row checks follow once it is mapped
	} else if len(lines) == 0 {
		lines = append(lines, "No problems.")
	}
	d.Problems.SetText(strings.Join(lines, "\n"))
	if len(missing) > 0 || p.Ready+p.ProblemCount == 0 {
		d.Import.Disable()
	} else {
		d.Import.Enable()
	}
}

// mapping reads the column choices.
func (d *ImportDialog) mapping() domain.ColumnMapping {
	m := domain.ColumnMapping{}
	for f, sel := range d.Columns {
		if sel.Selected != "" && sel.Selected != unmapped {
			m[f] = sel.Selected
		}
	}
	return m
}

func (d *ImportDialog) run() {
	d.Import.Disable()
	d.Result.SetText("Importing…")
	p := d.preview
	d.tasks.Run(func() func() {
		run, err := d.svc.ImportFile(context.Background(), d.ch, p, func(r domain.SyncRun) {
			uikit.OnUI(func() {
				d.Result.SetText(fmt.Sprintf("Importing… %s orders", uikit.GroupThousands(int64(r.Fetched))))
			})
		})
		return func() {
			if err != nil {
				uikit.LogError("import", err)
				d.Result.SetText(uikit.UserMessage(err))
				d.Result.Importance = widget.DangerImportance
				d.Result.Refresh()
				d.Import.Enable()
				return
			}
			d.Result.SetText(fmt.Sprintf("Imported into %s: %s new, %s updated, %s unchanged, %s quarantined.", d.ch.Name,
				uikit.GroupThousands(int64(run.New)), uikit.GroupThousands(int64(run.Updated)), uikit.GroupThousands(int64(run.Unchanged)),
				uikit.GroupThousands(int64(run.Quarantined))))
			d.Result.Importance = statusOfRun(run, nil)
			if run.Quarantined > 0 {
				d.Result.Importance = widget.WarningImportance
			}
			d.Result.Refresh()
			if d.done != nil {
				d.done()
			}
		}
	})
}
