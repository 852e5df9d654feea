package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
)

// calendar is a warehouse's calendar: Monday to Friday in its zone, with
// the holidays and pickups given.
func calendar(t *testing.T, zone string, holidays []domain.Holiday, pickups ...domain.Pickup) domain.Calendar {
	t.Helper()
	c, err := domain.NewCalendar(domain.Warehouse{Code: "W", TimeZone: zone})
	if err != nil {
		t.Fatal(err)
	}
	c.Holidays, c.Pickups = holidays, pickups
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

// local is a wall-clock time in zone.
func local(t *testing.T, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Ship-by from the rule, the warehouse's working days, holidays and
// pickups, in its own time zone: a cut-off, a weekend, a holiday, another
// zone, a change of the clocks.
func TestShipBy(t *testing.T) {
	const ams, tokyo = "Europe/Amsterdam", "Asia/Tokyo"
	christmas := []domain.Holiday{{Date: "2026-12-25", Name: "Christmas Day"}, {Date: "2026-12-28", Name: "Bridge day"}}
	pickups := []domain.Pickup{{Carrier: "DHL", At: 16 * 60}, {Carrier: "UPS", At: 17*60 + 30}}
	sameDay := domain.ShipRule{Cutoff: 14 * 60}
	for _, tc := range []struct {
		name, zone string
		holidays   []domain.Holiday
		pickups    []domain.Pickup
		placed     time.Time
		rule       domain.ShipRule
		carrier    string
		want       string // local, in the warehouse's zone
	}{
		{"before the cut-off: that day, at the carrier's pickup", ams, nil, pickups, local(t, ams, "2026-12-07 13:59"), sameDay, "DHL", "2026-12-07 16:00"},
		{"at the cut-off: the next working day", ams, nil, pickups, local(t, ams, "2026-12-07 14:00"), sameDay, "DHL", "2026-12-08 16:00"},
		{"no carrier: the day's last pickup", ams, nil, pickups, local(t, ams, "2026-12-07 09:00"), sameDay, "", "2026-12-07 17:30"},
		{"a carrier without a pickup: the day's last", ams, nil, pickups, local(t, ams, "2026-12-07 09:00"), sameDay, "FedEx", "2026-12-07 17:30"},
		{"no pickups: the end of the day", ams, nil, nil, local(t, ams, "2026-12-07 09:00"), sameDay, "DHL", "2026-12-08 00:00"},
		{"placed after the day's pickup, without a cut-off: the next pickup", ams, nil, pickups, local(t, ams, "2026-12-07 16:30"), domain.ShipRule{}, "DHL", "2026-12-08 16:00"},
		{"placed after the carrier's pickup, before the day's last", ams, nil, pickups, local(t, ams, "2026-12-07 16:30"), domain.ShipRule{}, "UPS", "2026-12-07 17:30"},
		{"Friday after the cut-off: Monday", ams, nil, pickups, local(t, ams, "2026-12-11 15:00"), sameDay, "UPS", "2026-12-14 17:30"},
		{"placed on Saturday: Monday, whatever the hour", ams, nil, pickups, local(t, ams, "2026-12-12 08:00"), sameDay, "DHL", "2026-12-14 16:00"},
		{"within 2 working days over a weekend", ams, nil, pickups, local(t, ams, "2026-12-10 10:00"), domain.ShipRule{WithinDays: 2}, "DHL", "2026-12-14 16:00"},
		{"after the cut-off before two holidays and a weekend", ams, christmas, pickups, local(t, ams, "2026-12-24 14:30"), sameDay, "DHL", "2026-12-29 16:00"},
		{"within 1 working day across the holidays", ams, christmas, pickups, local(t, ams, "2026-12-24 09:00"), domain.ShipRule{Cutoff: 14 * 60, WithinDays: 1}, "DHL", "2026-12-29 16:00"},
		{"placed on a holiday: the next working day", ams, christmas, pickups, local(t, ams, "2026-12-25 10:00"), sameDay, "DHL", "2026-12-29 16:00"},
		// 22:30 UTC on Monday is 23:30 in Amsterdam (past the cut-off) and
		// 07:30 on Tuesday in Tokyo (before it).
		{"the warehouse's zone: Amsterdam", ams, nil, pickups, time.Date(2026, 12, 7, 22, 30, 0, 0, time.UTC), sameDay, "DHL", "2026-12-08 16:00"},
		{"the warehouse's zone: Tokyo", tokyo, nil, pickups, time.Date(2026, 12, 7, 22, 30, 0, 0, time.UTC), sameDay, "DHL", "2026-12-08 16:00"},
		{"the warehouse's zone: Tokyo, the day before", tokyo, nil, pickups, time.Date(2026, 12, 7, 4, 30, 0, 0, time.UTC), sameDay, "DHL", "2026-12-07 16:00"},
		// The clocks go forward on Sunday 28 March 2027: the day is counted
		// by the calendar, not as 24 hours.
		{"across a change of the clocks", ams, nil, nil, local(t, ams, "2027-03-26 23:30"), domain.ShipRule{WithinDays: 1}, "", "2027-03-30 00:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := calendar(t, tc.zone, tc.holidays, tc.pickups...)
			got, err := c.ShipBy(tc.placed, tc.rule, tc.carrier)
			if err != nil {
				t.Fatal(err)
			}
			if s := got.In(c.Location).Format("2006-01-02 15:04"); s != tc.want {
				t.Errorf("placed %s (%s): ship by %s, want %s", tc.placed.In(c.Location).Format("Mon 2006-01-02 15:04"), tc.rule, s, tc.want)
			}
		})
	}
}

// A calendar that never works cannot give a ship-by: it says so.
func TestShipByWithoutWorkingDays(t *testing.T) {
	c := calendar(t, "Europe/Amsterdam", nil)
	var year []domain.Holiday
	for d := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2028; d = d.AddDate(0, 0, 1) {
		year = append(year, domain.Holiday{Date: d.Format(time.DateOnly)})
	}
	c.Holidays = year
	if _, err := c.ShipBy(local(t, "Europe/Amsterdam", "2026-12-07 10:00"), domain.ShipRule{}, ""); err == nil || !strings.Contains(err.Error(), "no working day") {
		t.Errorf("a calendar of holidays gave %v", err)
	}
	if got := strings.Join(c.Workdays(), " "); got != "Mon Tue Wed Thu Fri" {
		t.Errorf("a calendar of weekdays works %s", got)
	}
	c.Works = [7]bool{}
	if err := c.Validate(); err == nil {
		t.Error("a calendar without working weekdays is valid")
	}
}

func TestNextPickups(t *testing.T) {
	const ams = "Europe/Amsterdam"
	c := calendar(t, ams, nil, domain.Pickup{Carrier: "UPS", At: 17*60 + 30}, domain.Pickup{Carrier: "DHL", At: 16 * 60}, domain.Pickup{Carrier: "GLS", At: 16 * 60})
	format := func(ts []time.Time) string {
		var s []string
		for _, v := range ts {
			s = append(s, v.In(c.Location).Format("Mon 15:04"))
		}
		return strings.Join(s, ", ")
	}
	for now, want := range map[string]string{
		"2026-12-07 09:00": "Mon 16:00, Mon 17:30", // two carriers at 16:00: one time
		"2026-12-07 16:30": "Mon 17:30",
		"2026-12-07 18:00": "Tue 16:00, Tue 17:30",
		"2026-12-11 18:00": "Mon 16:00, Mon 17:30", // Friday evening: Monday's
	} {
		if got := format(c.NextPickups(local(t, ams, now))); got != want {
			t.Errorf("at %s: next pickups %s, want %s", now, got, want)
		}
	}
	if got := calendar(t, ams, nil).NextPickups(local(t, ams, "2026-12-07 09:00")); got != nil {
		t.Errorf("no pickups, but %v", got)
	}
}

func TestShipRuleWords(t *testing.T) {
	for r, want := range map[domain.ShipRule]string{
		{Cutoff: 14 * 60}:                  "same working day if placed before 14:00, else the next",
		{WithinDays: 2}:                    "within 2 working days",
		{Cutoff: 9*60 + 30, WithinDays: 1}: "within 1 working day, counted from the next if placed after 09:30",
		{}:                                 "the working day it is placed",
	} {
		if got := r.String(); got != want {
			t.Errorf("%+v says %q, want %q", r, got, want)
		}
		if err := r.Validate(); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
	for _, bad := range []domain.ShipRule{{Cutoff: 24 * 60}, {Cutoff: -1}, {WithinDays: 61}, {WithinDays: -1}} {
		if bad.Validate() == nil {
			t.Errorf("%+v is valid", bad)
		}
	}
	for s, want := range map[string]int{"14:00": 840, "9:30": 570, " 00:00 ": 0, "23:59": 1439} {
		if got, err := domain.ParseClock(s); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"24:00", "14", "14:5", "ab:cd", "12:60", ""} {
		if _, err := domain.ParseClock(s); err == nil {
			t.Errorf("ParseClock(%q) is not an error", s)
		}
	}
}

// Holidays come from a CSV a coordinator keeps: a bad row is named, the
// others are read.
func TestParseHolidaysCSV(t *testing.T) {
	in := "\ufeffdate,name\n2026-12-25,Christmas Day\n2026-12-26 , \"Boxing Day, St Stephen's\"\n26/12/2026,wrong\n\n2027-01-01\n"
	got, errs := domain.ParseHolidaysCSV(strings.NewReader(in))
	want := []domain.Holiday{{"2026-12-25", "Christmas Day"}, {"2026-12-26", "Boxing Day, St Stephen's"}, {"2027-01-01", ""}}
	if len(got) != len(want) {
		t.Fatalf("read %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("holiday %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "row 4") || !strings.Contains(errs[0].Error(), "26/12/2026") {
		t.Errorf("errors %v, want one naming row 4 and its date", errs)
	}
}

// Holidays come from an iCalendar file as public-holiday calendars publish
// them: all-day events, some of several days, folded lines, escapes.
func TestParseHolidaysICS(t *testing.T) {
	in := strings.Join([]string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example//Holidays//EN",
		"BEGIN:VEVENT", "UID:1@example", "DTSTART;VALUE=DATE:20261225", "DTEND;VALUE=DATE:20261227",
		"SUMMARY:Christmas\\, two days", "END:VEVENT",
		"BEGIN:VEVENT", "UID:2@example", "DTSTART;VALUE=DATE:20270101", "SUMMARY:New Ye", " ar's Day", "END:VEVENT",
		"BEGIN:VEVENT", "UID:3@example", "DTSTART:20270427T000000Z", "DTEND:20270428T000000Z", "SUMMARY:Koningsdag", "END:VEVENT",
		"BEGIN:VEVENT", "UID:4@example", "DTSTART;VALUE=DATE:20270101", "SUMMARY:元日", "END:VEVENT",
		"END:VCALENDAR", "",
	}, "\r\n")
	got, err := domain.ParseHolidaysICS(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.Holiday{{"2026-12-25", "Christmas, two days"}, {"2026-12-26", "Christmas, two days"},
		{"2027-01-01", "New Year's Day"}, {"2027-04-27", "Koningsdag"}, {"2027-01-01", "元日"}}
	if len(got) != len(want) {
		t.Fatalf("read %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("holiday %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"date,name\n2026-12-25,Christmas\n", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"} {
		if _, err := domain.ParseHolidaysICS(strings.NewReader(bad)); err == nil {
			t.Errorf("%q read without an error", bad)
		}
	}
}

// An order's ship-by comes from the warehouses holding its stock; before
// it is allocated, from those in its destination's region (all, if none
// is), the soonest.
func TestOrderDue(t *testing.T) {
	wh := func(code string, c domain.Country, zone string) domain.Warehouse {
		return domain.Warehouse{Code: code, TimeZone: zone, Address: domain.Address{Country: c}}
	}
	whs := []domain.Warehouse{wh("NL-VEN", "NL", "Europe/Amsterdam"), wh("AU-SYD", "AU", "Australia/Sydney"), wh("US-NJE", "US", "America/New_York")}
	cals := map[string]domain.Calendar{}
	for _, w := range whs {
		cals[w.Code] = calendar(t, w.TimeZone, nil, domain.Pickup{Carrier: "DHL", At: 16 * 60})
	}
	placed := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC) // a Tuesday
	rules := domain.ShipRules{Channels: map[string]domain.ChannelShipRule{"SHOP": {Rule: domain.ShipRule{WithinDays: 1}}}}
	for _, tc := range []struct {
		name    string
		country domain.Country
		held    []string
		want    string // UTC
	}{
		{"allocated: its warehouse's", "DE", []string{"US-NJE"}, "2026-12-09 21:00"},
		{"split: the soonest of its warehouses", "DE", []string{"US-NJE", "NL-VEN"}, "2026-12-09 15:00"},
		{"not allocated: its region's", "DE", nil, "2026-12-09 15:00"},
		{"not allocated, no warehouse in its region: the soonest of all", "BR", nil, "2026-12-09 05:00"},
	} {
		o := domain.ShipByOrder{ID: 1, Channel: "SHOP", Country: tc.country, PlacedAt: placed, Warehouses: tc.held}
		got, err := o.Due(rules, whs, cals)
		if err != nil {
			t.Fatal(err)
		}
		if s := got.UTC().Format("2006-01-02 15:04"); s != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, s, tc.want)
		}
	}
	if _, err := (domain.ShipByOrder{ID: 2, Warehouses: []string{"XX-NONE"}}).Due(rules, whs, cals); err == nil {
		t.Error("a warehouse without a calendar gave a ship-by")
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Minute: "0 minutes", 90 * time.Minute: "90 minutes", 5 * time.Hour: "5 hours",
		47 * time.Hour: "47 hours", 50 * time.Hour: "2 days", 10 * 24 * time.Hour: "10 days",
	} {
		if got := domain.Age(d); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
}
