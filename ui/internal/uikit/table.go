package uikit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// NewTable makes a table with a bold header row (from title) and cells that
// are truncating labels filled by update.
func NewTable(length func() (rows, cols int), title func(col int) string, update func(id widget.TableCellID, l *widget.Label)) *widget.Table {
	t := widget.NewTableWithHeaders(length,
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.Alignment = fyne.TextAlignLeading
			l.Importance = widget.MediumImportance
			update(id, l)
		})
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle.Bold = true
		return l
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(title(id.Col))
		}
	}
	return t
}

// Titles returns a title func over fixed column names.
func Titles(names ...string) func(col int) string {
	return func(col int) string {
		if col < len(names) {
			return names[col]
		}
		return ""
	}
}

// SetEnabled enables or disables buttons together.
func SetEnabled(on bool, buttons ...*widget.Button) {
	for _, b := range buttons {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// ProblemLabel shows an error inline, where the user is looking; hidden until needed.
type ProblemLabel struct{ *widget.Label }

func NewProblemLabel() ProblemLabel {
	l := FormProblem()
	l.Hide()
	return ProblemLabel{l}
}

// show logs err and shows it as the user should read it.
func (p ProblemLabel) Show(context string, err error) {
	LogError(context, err)
	p.SetText(UserMessage(err))
	p.Label.Show()
}

func NewCountLabel() *widget.Label {
	l := widget.NewLabel("")
	l.TextStyle.Bold = true
	return l
}
