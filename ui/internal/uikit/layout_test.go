package uikit

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

func TestLabelsForLongTextAndProblems(t *testing.T) {
	w := Wrapped("A sentence long enough to need a second line.")
	if w.Wrapping != fyne.TextWrapWord || w.Text != "A sentence long enough to need a second line." || w.Importance != widget.MediumImportance {
		t.Errorf("Wrapped: wrapping %v, text %q, importance %v", w.Wrapping, w.Text, w.Importance)
	}
	p := FormProblem()
	if p.Wrapping != fyne.TextWrapWord || p.Importance != widget.DangerImportance || p.Text != "" || !p.Visible() {
		t.Errorf("FormProblem: wrapping %v, importance %v, text %q, visible %v", p.Wrapping, p.Importance, p.Text, p.Visible())
	}
	shown := NewProblemLabel()
	if shown.Importance != widget.DangerImportance || shown.Wrapping != fyne.TextWrapWord || shown.Visible() {
		t.Errorf("NewProblemLabel: importance %v, wrapping %v, visible %v", shown.Importance, shown.Wrapping, shown.Visible())
	}
}
