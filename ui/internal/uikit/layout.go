package uikit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Heading is a bold title over a part of a screen.
func Heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// Halves puts left and right side by side, left taking offset (0–1) of the
// width at first; the user drags the divider.
func Halves(left, right fyne.CanvasObject, offset float64) *container.Split {
	split := container.NewHSplit(left, right)
	split.SetOffset(offset)
	return split
}

// Wrapped is a label for text of any length: it wraps between words.
func Wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// FormProblem is where a form says what is wrong with what was typed:
// wrapped, in the danger colour, empty until there is something to say.
func FormProblem() *widget.Label {
	l := Wrapped("")
	l.Importance = widget.DangerImportance
	return l
}
