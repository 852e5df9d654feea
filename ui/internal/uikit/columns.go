package uikit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Column is one column of a table of T: its title, its width (0: Fyne's),
// whether it holds numbers (aligned to the trailing edge), and how a row
// shows in it: Text gives plain text, or Show sets the label itself (its
// text and importance, for a state shown in colour). Heading, when set,
// gives a title that changes (read when the header is drawn).
type Column[T any] struct {
	Title   string
	Heading func() string
	Width   float32
	Right   bool
	Text    func(T) string
	Show    func(T, *widget.Label)
}

// Col is a column of text.
func Col[T any](title string, text func(T) string) Column[T] {
	return Column[T]{Title: title, Text: text}
}

// Num is a column of numbers.
func Num[T any](title string, text func(T) string) Column[T] {
	return Column[T]{Title: title, Text: text, Right: true}
}

// Marked is a column whose cells show sets: text and importance.
func Marked[T any](title string, show func(T, *widget.Label)) Column[T] {
	return Column[T]{Title: title, Show: show}
}

// Wide is the column with a width.
func (c Column[T]) Wide(w float32) Column[T] {
	c.Width = w
	return c
}

// NewColumnTable shows count() rows in columns; row(i) is the i-th row, ok
// false while it is still loading (shown as "…").
func NewColumnTable[T any](count func() int, row func(i int) (T, bool), cols ...Column[T]) *widget.Table {
	title := func(col int) string {
		if h := cols[col].Heading; h != nil {
			return h()
		}
		return cols[col].Title
	}
	t := NewTable(func() (int, int) { return count(), len(cols) }, title, func(id widget.TableCellID, l *widget.Label) {
		c := cols[id.Col]
		if c.Right {
			l.Alignment = fyne.TextAlignTrailing
		}
		if id.Row >= count() {
			l.SetText("")
			return
		}
		v, ok := row(id.Row)
		switch {
		case !ok:
			l.SetText("…")
		case c.Show != nil:
			c.Show(v, l)
		default:
			l.SetText(c.Text(v))
		}
	})
	for i, c := range cols {
		if c.Width > 0 {
			t.SetColumnWidth(i, c.Width)
		}
	}
	return t
}

// NewListTable shows the list *rows (read each time: the caller replaces it) in columns.
func NewListTable[T any](rows *[]T, cols ...Column[T]) *widget.Table {
	return NewColumnTable(func() int { return len(*rows) }, func(i int) (T, bool) { return (*rows)[i], true }, cols...)
}
