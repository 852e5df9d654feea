package warehouse

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/portolan/portolan/domain"
)

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
	f := filePreview{Text: widget.NewLabel(text), Post: widget.NewButtonWithIcon(fmt.Sprintf(post, n), theme.ConfirmIcon(), onPost)}
	f.Text.Wrapping = fyne.TextWrapWord
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
