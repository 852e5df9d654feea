package uikit

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Tile is a count on a dashboard: a large number, what it counts, its
// detail in the room left, and a colour that says whether it needs
// attention. Tapping it opens the screen that lists what it counts.
type Tile struct {
	widget.BaseWidget
	Value  *canvas.Text
	Title  *widget.Label
	Detail *widget.Label
	// OnTapped opens what the tile counts (nil: the tile is not tappable).
	OnTapped func()

	bg      *canvas.Rectangle
	hovered bool
	alert   widget.Importance
}

// NewTile is a tile titled title.
func NewTile(title string, tapped func()) *Tile {
	t := &Tile{Value: canvas.NewText("–", theme.Color(theme.ColorNameForeground)), Title: widget.NewLabel(title),
		Detail: widget.NewLabel(""), OnTapped: tapped, bg: canvas.NewRectangle(color.Transparent)}
	t.Value.TextSize = theme.TextSize() * 2.2
	t.Value.TextStyle = fyne.TextStyle{Bold: true}
	t.Title.TextStyle = fyne.TextStyle{Bold: true}
	t.Title.Truncation = fyne.TextTruncateEllipsis
	t.Detail.Importance = widget.LowImportance
	t.Detail.Wrapping = fyne.TextWrapWord           // as many lines as the tile has room for,
	t.Detail.Truncation = fyne.TextTruncateEllipsis // the last cut with "…"
	t.bg.CornerRadius = theme.InputRadiusSize()
	t.ExtendBaseWidget(t)
	return t
}

// Set shows a value and its detail; alert colours the value (Danger when
// it needs attention now, Warning soon, Medium otherwise).
func (t *Tile) Set(value, detail string, alert widget.Importance) {
	t.Value.Text, t.alert = value, alert
	t.Detail.SetText(detail)
	t.Refresh()
}

// Refresh follows the theme (light or dark) and the alert.
func (t *Tile) Refresh() {
	t.Value.Color = theme.Color(theme.ColorNameForeground)
	switch t.alert {
	case widget.DangerImportance:
		t.Value.Color = theme.Color(theme.ColorNameError)
	case widget.WarningImportance:
		t.Value.Color = theme.Color(theme.ColorNameWarning)
	case widget.SuccessImportance:
		t.Value.Color = theme.Color(theme.ColorNameSuccess)
	}
	t.bg.FillColor = theme.Color(theme.ColorNameInputBackground)
	if t.hovered && t.OnTapped != nil {
		t.bg.FillColor = theme.Color(theme.ColorNameHover)
	}
	t.Value.Refresh()
	t.bg.Refresh()
	t.BaseWidget.Refresh()
}

// Tapped opens what the tile counts.
func (t *Tile) Tapped(*fyne.PointEvent) {
	if t.OnTapped != nil {
		t.OnTapped()
	}
}

// MouseIn, MouseMoved and MouseOut show that the tile can be tapped.
func (t *Tile) MouseIn(*desktop.MouseEvent)    { t.hovered = true; t.Refresh() }
func (t *Tile) MouseMoved(*desktop.MouseEvent) {}
func (t *Tile) MouseOut()                      { t.hovered = false; t.Refresh() }

// Cursor is a pointer over a tile that opens something.
func (t *Tile) Cursor() desktop.Cursor {
	if t.OnTapped != nil {
		return desktop.PointerCursor
	}
	return desktop.DefaultCursor
}

func (t *Tile) CreateRenderer() fyne.WidgetRenderer {
	body := container.NewPadded(container.NewBorder(container.NewVBox(t.Title, t.Value), nil, nil, nil, t.Detail))
	return widget.NewSimpleRenderer(container.NewStack(t.bg, body))
}
