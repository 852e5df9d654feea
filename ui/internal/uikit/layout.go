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
