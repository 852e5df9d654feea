package ui_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui"
)

// The Overview's Trends tab draws every chart with its legend, shows the
// numbers of the column under the pointer, and the weekly report is saved
// in the documents folder as a PDF that reads back.
func TestOverviewTrendsAndReport(t *testing.T) {
	a := demoApp(t, 600)
	m := newWindow(t, a)
	ui.SetDocumentsFolder(t.TempDir())
	ui.WithUI(func() { m.Start() })
	m.Wait()
	o := m.Overview
	if o.Trends == nil || o.Views == nil || o.Report == nil {
		t.Fatal("the Overview has no trends")
	}
	ui.WithUI(func() { o.Views.SelectIndex(1) })
	m.Wait()
	if o.Trends.Problem.Label.Visible() {
		t.Fatalf("trends: %s", o.Trends.Problem.Text)
	}
	titles := map[string]bool{}
	for _, v := range o.Trends.Charts {
		titles[v.Title.Text] = true
		if v.Shown < 0 || v.Numbers.Text == "" {
			t.Errorf("%q shows no numbers", v.Title.Text)
		}
	}
	for _, want := range []string{"Orders per day by channel", "Shipped by ship-by, per warehouse", "Margin per client (share of revenue)"} {
		if !titles[want] {
			t.Errorf("no chart %q among %v", want, titles)
		}
	}
	// The last day's numbers first; pointing near the left edge, the first days'.
	days := o.Trends.Charts[0]
	last := days.Shown
	before := days.Numbers.Text
	ui.WithUI(func() { days.Point(0.2, 0.5) })
	if days.Shown >= last/2 || days.Numbers.Text == before || !strings.Contains(days.Numbers.Text, "orders") {
		t.Errorf("pointing at the left fifth: day %d of %d, %q", days.Shown, last, days.Numbers.Text)
	}
	ui.WithUI(func() { days.Point(0.98, 0.5) })
	if days.Shown != last {
		t.Errorf("pointing at the right edge: day %d, want %d", days.Shown, last)
	}
	ui.WithUI(func() { days.Point(0.5, 0.999) }) // under the plot: unchanged
	if days.Shown != last {
		t.Errorf("pointing under the plot: day %d", days.Shown)
	}

	week := domain.ISOWeek(testClock.Now().Local().AddDate(0, 0, -7))
	ui.WithUI(func() { o.MakeReport(week) })
	m.Wait()
	if o.LastReport == "" || filepath.Base(o.LastReport) != "operations-report-"+week+".pdf" {
		t.Fatalf("report saved as %q; problem %q", o.LastReport, o.Problem.Text)
	}
	text, err := exec.Command("pdftotext", o.LastReport, "-").Output()
	if err != nil || !strings.Contains(string(text), "Weekly operations report — "+week) || !strings.Contains(string(text), "Shipped by ship-by") {
		t.Errorf("the report reads %q (%v)", text, err)
	}
}
