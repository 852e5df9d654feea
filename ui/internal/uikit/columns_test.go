package uikit

import (
	"strconv"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestColumnTable(t *testing.T) {
	test.NewTempApp(t)
	type row struct {
		name string
		qty  int
	}
	rows := []row{{"first", 1200}, {"second", -3}}
	loading := 1 // rows from here on are still loading
	tbl := NewColumnTable(func() int { return len(rows) }, func(i int) (row, bool) { return rows[i], i < loading },
		Col("Name", func(r row) string { return r.name }).Wide(120),
		Num("Qty", func(r row) string { return strconv.Itoa(r.qty) }),
		Marked("State", func(r row, l *widget.Label) {
			if r.qty < 0 {
				l.Importance = widget.DangerImportance
			}
			l.SetText("checked")
		}))
	cell := func(r, c int) *widget.Label {
		l := widget.NewLabel("")
		l.Importance = widget.DangerImportance // left over from the cell's last row
		tbl.UpdateCell(widget.TableCellID{Row: r, Col: c}, l)
		return l
	}
	if l := cell(0, 0); l.Text != "first" || l.Alignment != fyne.TextAlignLeading || l.Importance != widget.MediumImportance {
		t.Errorf("text cell: %q %v %v", l.Text, l.Alignment, l.Importance)
	}
	if l := cell(0, 1); l.Text != "1200" || l.Alignment != fyne.TextAlignTrailing {
		t.Errorf("number cell: %q %v", l.Text, l.Alignment)
	}
	if l := cell(1, 1); l.Text != "…" {
		t.Errorf("a row still loading shows %q", l.Text)
	}
	loading = 2
	if l := cell(1, 2); l.Text != "checked" || l.Importance != widget.DangerImportance {
		t.Errorf("marked cell: %q %v", l.Text, l.Importance)
	}
	if l := cell(0, 2); l.Importance != widget.MediumImportance {
		t.Errorf("a marked cell keeps an importance from another row: %v", l.Importance)
	}
	if l := cell(5, 0); l.Text != "" {
		t.Errorf("a row past the end shows %q", l.Text)
	}
	rows = rows[:1] // the caller replaced the list
	if r, _ := tbl.Length(); r != 1 {
		t.Errorf("length after the list changed: %d", r)
	}
}
