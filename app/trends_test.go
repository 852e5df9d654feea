package app_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portolan/portolan/domain"
)

// The trends count the demo's last 8 weeks; the weekly report's figures of
// a week agree with the trends' column for that week; the report reads
// back with pdftotext, names in any script included; a week not begun, or
// written wrong, is refused.
func TestTrendsAndWeeklyReport(t *testing.T) {
	t.Parallel()
	db := demoDBOf(t, 3000)
	out, errs, code := runCLI(t, "--db", db, "trends", "--format", "json")
	if code != 0 {
		t.Fatalf("trends: %d %s", code, errs)
	}
	var tr domain.Trends
	if err := json.Unmarshal([]byte(out), &tr); err != nil {
		t.Fatal(err)
	}
	if n := len(tr.OrdersPerDay.Categories); n != 7*8 {
		t.Errorf("%d days of orders", n)
	}
	if len(tr.ShipOnTime.Categories) != 8 || len(tr.ShipOnTime.Series) != 7 {
		t.Errorf("shipped by ship-by: %d weeks, %d warehouses", len(tr.ShipOnTime.Categories), len(tr.ShipOnTime.Series))
	}
	if len(tr.CostPerOrder.Series) != 1 || len(tr.MarginPerClient.Series) != 3 || tr.CostPerOrder.Unit != "EUR" {
		t.Errorf("money trends: %+v / %+v", tr.CostPerOrder, tr.MarginPerClient)
	}
	for _, c := range tr.Charts() {
		if c.Empty() {
			t.Errorf("%q is empty on the demo", c.Title)
		}
	}

	a := openAt(t, db, testClock.Now)
	ctx := context.Background()
	lastWeek := domain.ISOWeek(testClock.Now().Local().AddDate(0, 0, -7))
	r, err := a.Trends.Report(ctx, lastWeek)
	if err != nil {
		t.Fatal(err)
	}
	if r.SoFar || len(r.Charts) != len(tr.Charts()) || len(r.ShippedBy) == 0 || len(r.DeliveredBy) == 0 {
		t.Fatalf("report of %s: so far %v, %d charts, %v shipped, %v delivered", lastWeek, r.SoFar, len(r.Charts), r.ShippedBy, r.DeliveredBy)
	}
	// The week's own figures against its column in the trends (counted apart).
	week := -1
	for i, c := range r.Trends.ShipOnTime.Categories {
		if c == "W"+lastWeek[len(lastWeek)-2:] {
			week = i
		}
	}
	if week != 7 { // the trends of a report end with its week
		t.Fatalf("last week is column %d of %v", week, r.Trends.ShipOnTime.Categories)
	}
	for _, s := range r.Trends.ShipOnTime.Series {
		if got := r.ShippedBy[s.Name].Share(); got != s.Values[week] {
			t.Errorf("%s shipped by ship-by in %s: report %d, trend %d", s.Name, lastWeek, got, s.Values[week])
		}
	}
	placed := 0
	for _, n := range r.Placed {
		placed += n
	}
	var perDay int64
	for _, s := range r.Trends.OrdersPerDay.Series {
		for d := 7 * week; d < 7*week+7; d++ {
			perDay += s.Values[d]
		}
	}
	if placed == 0 || int64(placed) != perDay {
		t.Errorf("placed in %s: report %d, the days' trend %d", lastWeek, placed, perDay)
	}

	pdf := filepath.Join(t.TempDir(), "week.pdf")
	out, errs, code = runCLI(t, "--db", db, "report", "--week", lastWeek, "--out", pdf)
	if code != 0 || !strings.Contains(out, "the report of week "+lastWeek) {
		t.Fatalf("report: %d %q %q", code, out, errs)
	}
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Weekly operations report — " + lastWeek, "Shipped by ship-by", "All warehouses", "NL-VEN", "JP-ICH",
		"Delivered by the carrier's estimate", "Orders late", "Trends", "Orders per day by channel", "Margin per client",
		"ポルトラン・アウトフィッターズ株式会社", "page 1 of "} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	if _, errs, code := runCLI(t, "--db", db, "report", "--week", lastWeek, "--out", pdf); code == 0 || !strings.Contains(errs, "--force") {
		t.Errorf("an existing report replaced without --force: %d %q", code, errs)
	}
	next := domain.ISOWeek(testClock.Now().Local().AddDate(0, 0, 7))
	if _, err := a.Trends.Report(ctx, next); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "not begun") {
		t.Errorf("next week's report: %v", err)
	}
	if _, errs, code := runCLI(t, "--db", db, "report", "--week", "48/2026", "--out", pdf+"2.pdf"); code == 0 || !strings.Contains(errs, "YYYY-Www") {
		t.Errorf("a week written wrong: %d %q", code, errs)
	}
	// This week's is so far.
	if r, err := a.Trends.Report(ctx, domain.ISOWeek(testClock.Now())); err != nil || !r.SoFar || !r.To.After(testClock.Now()) {
		t.Errorf("this week's: %v %v", r.SoFar, err)
	}
}
