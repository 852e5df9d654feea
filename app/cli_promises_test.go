package app_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/app/cli"
	"github.com/portolan/portolan/domain"
)

// The promises and calendars from the command line: set, listed as JSON,
// and the orders' ship-by following them (orders list --due).
func TestCLIPromisesAndCalendars(t *testing.T) {
	t.Parallel()
	db := demoDB(t)
	run := func(args ...string) string {
		t.Helper()
		out, errs, code := runCLI(t, append([]string{"--db", db}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s%s", args, code, out, errs)
		}
		return out
	}
	run("promises", "set", "SHOP-EU", "--cutoff", "14:00")
	run("promises", "set", "SHOP-EU", "--service", "Express", "--cutoff", "16:30")
	run("promises", "set", "WOO-AM", "--within", "2")
	var rules []cli.PromiseJSON
	if err := json.Unmarshal([]byte(run("promises", "list", "--format", "json")), &rules); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rules {
		got[r.Channel+"/"+r.Service] = r.Says
	}
	for k, want := range map[string]string{
		"SHOP-EU/":        "same working day if placed before 14:00, else the next",
		"SHOP-EU/Express": "same working day if placed before 16:30, else the next",
		"WOO-AM/":         "within 2 working days",
		"BC-APAC/":        "within 1 working day, counted from the next if placed after 12:00", // the demo's
	} {
		if got[k] != want {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], want, got)
		}
	}
	run("promises", "set", "SHOP-EU", "--service", "express", "--remove")
	if out := run("promises", "list"); strings.Contains(out, "Express") {
		t.Errorf("the Express promise was removed, but:\n%s", out)
	}

	run("calendar", "pickup", "NL-VEN", "--carrier", "DHL", "--at", "16:00")
	run("calendar", "workdays", "NL-VEN", "--days", "Mon-Sat")
	ics := filepath.Join(t.TempDir(), "nl.ics")
	if err := os.WriteFile(ics, []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261224\r\nSUMMARY:Kerstavond\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("calendar", "holidays", "NL-VEN", "--import", ics)
	var cal cli.CalendarJSON
	if err := json.Unmarshal([]byte(run("calendar", "show", "NL-VEN", "--format", "json")), &cal); err != nil {
		t.Fatal(err)
	}
	eve := slices.IndexFunc(cal.Holidays, func(h domain.Holiday) bool { return h.Date == "2026-12-24" })
	dhl := slices.IndexFunc(cal.Pickups, func(p cli.PickupJSON) bool { return p.Carrier == "DHL" })
	if strings.Join(cal.Works, " ") != "Mon Tue Wed Thu Fri Sat" || eve < 0 || cal.Holidays[eve].Name != "Kerstavond" ||
		dhl < 0 || cal.Pickups[dhl].At != "16:00" || len(cal.NextPickups) != len(cal.Pickups) {
		t.Errorf("calendar: %+v", cal)
	}

	// Every open order has a ship-by; --due late lists those past it.
	var orders []cli.OrderJSON
	if err := json.Unmarshal([]byte(run("orders", "list", "--format", "json")), &orders); err != nil {
		t.Fatal(err)
	}
	now := testClock.Now()
	late := 0
	for _, o := range orders {
		open := o.Status != "shipped" && o.Status != "delivered" && o.Status != "cancelled"
		if open && o.ShipBy == "" {
			t.Errorf("%s (%s) has no ship-by", o.Number, o.Status)
		}
		if by, err := time.Parse(time.RFC3339, o.ShipBy); open && err == nil && by.Before(now) {
			late++
		}
	}
	var lateOnes []cli.OrderJSON
	if err := json.Unmarshal([]byte(run("orders", "list", "--due", "late", "--format", "json")), &lateOnes); err != nil {
		t.Fatal(err)
	}
	if len(lateOnes) != late {
		t.Errorf("--due late lists %d, the orders say %d", len(lateOnes), late)
	}
	if _, errs, code := runCLI(t, "--db", db, "orders", "list", "--due", "tomorrow"); code != 2 || !strings.Contains(errs, "late or today") {
		t.Errorf("--due tomorrow: exit %d, %s", code, errs)
	}
	if out, _, code := runCLI(t, "--db", db, "calendar", "pickup", "NL-VEN", "--carrier", "DHL", "--at", "25:00"); code != 2 {
		t.Errorf("a pickup at 25:00: exit %d, %s", code, out)
	}
}

// overview --format json prints the Overview's counts for monitoring: the
// same as the lists they count.
func TestCLIOverviewJSON(t *testing.T) {
	t.Parallel()
	db := demoDB(t)
	out, errs, code := runCLI(t, "--db", db, "overview", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var v domain.Overview
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	list := func(args ...string) int {
		t.Helper()
		out, errs, code := runCLI(t, append([]string{"--db", db, "orders", "list", "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		var orders []cli.OrderJSON
		if err := json.Unmarshal([]byte(out), &orders); err != nil {
			t.Fatal(err)
		}
		return len(orders)
	}
	for name, c := range map[string]struct {
		got  int
		args []string
	}{
		"late":        {v.Orders.Late, []string{"--due", "late"}},
		"due today":   {v.Orders.DueToday, []string{"--due", "today"}},
		"to allocate": {v.Orders.ToAllocate, []string{"--status", "new"}},
		"on hold":     {v.Orders.OnHold, []string{"--status", "on_hold"}},
	} {
		if want := list(c.args...); c.got != want {
			t.Errorf("%s: the overview says %d, orders list %d", name, c.got, want)
		}
	}
	if len(v.Warehouses) == 0 || v.At.IsZero() || v.At.Location() != time.UTC {
		t.Errorf("overview: %d warehouses at %v", len(v.Warehouses), v.At)
	}
	for _, w := range v.Warehouses {
		if w.NextPickup.IsZero() || w.LastPickup.Before(w.NextPickup) {
			t.Errorf("%s: next pickup %v, the last that day %v (the demo sets pickups)", w.Code, w.NextPickup, w.LastPickup)
		}
	}
	if !strings.Contains(out, `"late":`) || !strings.Contains(out, `"exceptions_by_milestone"`) {
		t.Errorf("the JSON's keys:\n%s", out)
	}
}
