package domain

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ShipRule is when a channel (or an order's service) promises that an
// order ships: "same day if placed before 14:00, else next working day"
// is {Cutoff: 14*60}; "within 2 working days" is {WithinDays: 2}. Days are
// the shipping warehouse's working days, in its time zone.
type ShipRule struct {
	// Cutoff is the time of day, in minutes after midnight, before which
	// an order placed on a working day counts from that day; one placed at
	// or after it counts from the next working day. 0: no cut-off (the
	// day it is placed counts, whenever in the day).
	Cutoff int `json:"cutoff_minutes"`
	// WithinDays is the working days after the day an order counts from
	// by which it ships (0: that day).
	WithinDays int `json:"within_days"`
}

// Validate checks the rule's bounds.
func (r ShipRule) Validate() error {
	if r.Cutoff < 0 || r.Cutoff >= 24*60 {
		return Errorf(EINVALID, "the cut-off must be a time of day from 00:00 to 23:59")
	}
	if r.WithinDays < 0 || r.WithinDays > 60 {
		return Errorf(EINVALID, "an order must ship within 0 to 60 working days, not %d", r.WithinDays)
	}
	return nil
}

// String says the rule as a coordinator would.
func (r ShipRule) String() string {
	var s string
	switch {
	case r.Cutoff > 0 && r.WithinDays == 0:
		s = "same working day if placed before " + clock(r.Cutoff) + ", else the next"
	case r.Cutoff > 0:
		s = fmt.Sprintf("within %d working day%s, counted from the next if placed after %s", r.WithinDays, plural(r.WithinDays), clock(r.Cutoff))
	case r.WithinDays == 0:
		s = "the working day it is placed"
	default:
		s = fmt.Sprintf("within %d working day%s", r.WithinDays, plural(r.WithinDays))
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// clock is minutes after midnight as HH:MM.
func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// DefaultShipRule is the promise of a channel that has none of its own:
// within one working day.
var DefaultShipRule = ShipRule{WithinDays: 1}

// ShipRules are every channel's ship-by promise, by channel code, each
// overridable per shipping service (the order's Service, e.g. "Express").
type ShipRules struct {
	Channels map[string]ChannelShipRule `json:"channels,omitempty"`
}

// ChannelShipRule is a channel's promise and its services' own.
type ChannelShipRule struct {
	Rule     ShipRule            `json:"rule"`
	Services map[string]ShipRule `json:"services,omitempty"`
}

// For is the promise an order of channel (a code) with service makes: the
// service's own, else the channel's, else DefaultShipRule. Services match
// without regard to case or surrounding spaces.
func (rs ShipRules) For(channel, service string) ShipRule {
	cr, ok := rs.Channels[channel]
	if !ok {
		return DefaultShipRule
	}
	service = strings.TrimSpace(service)
	for name, r := range cr.Services {
		if service != "" && strings.EqualFold(strings.TrimSpace(name), service) {
			return r
		}
	}
	return cr.Rule
}

// Validate checks every rule, and that no service is named twice.
func (rs ShipRules) Validate() error {
	for code, cr := range rs.Channels {
		if err := cr.Rule.Validate(); err != nil {
			return Errorf(EINVALID, "channel %s: %s", code, err)
		}
		seen := map[string]bool{}
		for name, r := range cr.Services {
			key := strings.ToLower(strings.TrimSpace(name))
			if key == "" || seen[key] {
				return Errorf(EINVALID, "channel %s: the service %q is empty or named twice", code, name)
			}
			seen[key] = true
			if err := r.Validate(); err != nil {
				return Errorf(EINVALID, "channel %s, service %s: %s", code, name, err)
			}
		}
	}
	return nil
}

// ParseClock reads a time of day, "14:00" or "9:30", as minutes after
// midnight.
func ParseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 || len(m) != 2 {
		return 0, Errorf(EINVALID, "%q is not a time of day (HH:MM, 00:00 to 23:59)", s)
	}
	return hh*60 + mm, nil
}

// ParseWeekday reads a day of the week by its English name or its first
// three letters ("Mon", "monday").
func ParseWeekday(s string) (time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || (len(s) == 3 && s == name[:3]) {
			return d, nil
		}
	}
	return 0, Errorf(EINVALID, "%q is not a day of the week (Mon, Tue, … Sun)", s)
}

// Pickup is a carrier's daily collection at a warehouse, on its working
// days, at a local time of day (minutes after midnight).
type Pickup struct {
	Carrier string `json:"carrier"`
	At      int    `json:"at_minutes"`
}

// Holiday is a day a warehouse does not work: Date is "YYYY-MM-DD", in
// the warehouse's calendar.
type Holiday struct {
	Date string `json:"date"`
	Name string `json:"name,omitempty"`
}

// Calendar is a warehouse's working time: its time zone, the weekdays it
// works, its public holidays and its carriers' pickups.
type Calendar struct {
	Location *time.Location
	// Works says which weekdays it works (index time.Sunday … time.Saturday).
	Works    [7]bool
	Holidays []Holiday
	Pickups  []Pickup
}

// WeekdaysOnly is Monday to Friday.
var WeekdaysOnly = [7]bool{time.Monday: true, time.Tuesday: true, time.Wednesday: true, time.Thursday: true, time.Friday: true}

// NewCalendar is a calendar in the warehouse's time zone, working Monday
// to Friday, without holidays or pickups.
func NewCalendar(w Warehouse) (Calendar, error) {
	loc, err := time.LoadLocation(w.TimeZone)
	if err != nil || w.TimeZone == "" {
		return Calendar{}, Errorf(EINVALID, "warehouse %s: %q is not an IANA time zone", w.Code, w.TimeZone)
	}
	return Calendar{Location: loc, Works: WeekdaysOnly}, nil
}

// Workdays names the weekdays the calendar works, Monday first ("Mon",
// "Tue", …), as ParseWeekday reads them.
func (c Calendar) Workdays() []string {
	var out []string
	for d := time.Monday; ; d = (d + 1) % 7 {
		if c.Works[d] {
			out = append(out, d.String()[:3])
		}
		if d == time.Sunday {
			return out
		}
	}
}

// Validate checks that the calendar works some day of the week, and its
// holidays' dates and pickups' times.
func (c Calendar) Validate() error {
	if c.Location == nil {
		return Errorf(EINVALID, "a working calendar needs a time zone")
	}
	if !slices.Contains(c.Works[:], true) {
		return Errorf(EINVALID, "a warehouse must work at least one day of the week")
	}
	for _, h := range c.Holidays {
		if _, err := time.Parse(time.DateOnly, h.Date); err != nil {
			return Errorf(EINVALID, "holiday %q: %q is not a date (YYYY-MM-DD)", h.Name, h.Date)
		}
	}
	for _, p := range c.Pickups {
		if strings.TrimSpace(p.Carrier) == "" || p.At < 0 || p.At >= 24*60 {
			return Errorf(EINVALID, "a pickup needs a carrier and a time of day (00:00 to 23:59)")
		}
	}
	return nil
}

// Working reports whether the local day d (any time within it) is a
// working day: a weekday the warehouse works, not a holiday.
func (c Calendar) Working(d time.Time) bool {
	d = d.In(c.Location)
	if !c.Works[d.Weekday()] {
		return false
	}
	day := d.Format(time.DateOnly)
	return !slices.ContainsFunc(c.Holidays, func(h Holiday) bool { return h.Date == day })
}

// midnight is the start of the local day of t.
func (c Calendar) midnight(t time.Time) time.Time {
	t = t.In(c.Location)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.Location)
}

// nextDay is the start of the local day after day (a midnight): by the
// calendar, not 24 hours (days of 23 or 25 hours change the clocks).
func (c Calendar) nextDay(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, c.Location)
}

// nextWorking is the first working day from day (a midnight) on; ok is
// false when none comes within a year.
func (c Calendar) nextWorking(day time.Time) (time.Time, bool) {
	for range 366 {
		if c.Working(day) {
			return day, true
		}
		day = c.nextDay(day)
	}
	return time.Time{}, false
}

// at is the instant of a local time of day (minutes after midnight) on
// day (a midnight).
func (c Calendar) at(day time.Time, minutes int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), minutes/60, minutes%60, 0, 0, c.Location)
}

// ShipBy is when an order placed at placed must ship from the warehouse of
// this calendar under rule r, with carrier (may be ""): on the working day
// the rule gives, at that carrier's pickup; with no pickup for it, the
// day's last pickup; with none at all, the end of the day (the next
// day's midnight). An order placed after that pickup goes with the next
// working day's. It fails only when the calendar has no working day
// within a year.
func (c Calendar) ShipBy(placed time.Time, r ShipRule, carrier string) (time.Time, error) {
	if c.Location == nil {
		return time.Time{}, Errorf(EINVALID, "a working calendar needs a time zone")
	}
	local := placed.In(c.Location)
	day := c.midnight(local)
	if c.Working(day) && r.Cutoff > 0 && local.Sub(day) >= time.Duration(r.Cutoff)*time.Minute {
		day = c.nextDay(day) // after the cut-off: counts from the next working day
	}
	day, ok := c.nextWorking(day)
	for n := 0; ok && n < r.WithinDays; n++ {
		day, ok = c.nextWorking(c.nextDay(day))
	}
	if !ok {
		return time.Time{}, Errorf(EINVALID, "the warehouse's calendar has no working day within a year of %s", local.Format(time.DateOnly))
	}
	by := c.PickupOn(day, carrier)
	if by.Before(placed) {
		// Placed after that day's pickup: it leaves with the next one.
		if day, ok = c.nextWorking(c.nextDay(day)); !ok {
			return time.Time{}, Errorf(EINVALID, "the warehouse's calendar has no working day within a year of %s", local.Format(time.DateOnly))
		}
		by = c.PickupOn(day, carrier)
	}
	return by, nil
}

// PickupOn is when a parcel for carrier must be ready on the local day of
// day: the carrier's pickup, else the day's last pickup, else the end of
// the day.
func (c Calendar) PickupOn(day time.Time, carrier string) time.Time {
	day = c.midnight(day)
	last := -1
	for _, p := range c.Pickups {
		if carrier != "" && strings.EqualFold(p.Carrier, carrier) {
			return c.at(day, p.At)
		}
		last = max(last, p.At)
	}
	if last >= 0 {
		return c.at(day, last)
	}
	return c.nextDay(day)
}

// NextPickups are the calendar's pickups from now on, the next working
// day's when today's are past (or today is not a working day), earliest
// first; none when it has no pickups.
func (c Calendar) NextPickups(now time.Time) []time.Time {
	if len(c.Pickups) == 0 {
		return nil
	}
	day, ok := c.nextWorking(c.midnight(now))
	var out []time.Time
	for ok && len(out) == 0 {
		for _, p := range c.Pickups {
			if t := c.at(day, p.At); !t.Before(now) {
				out = append(out, t)
			}
		}
		day, ok = c.nextWorking(c.nextDay(day))
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.Compact(out)
}

// ParseHolidaysCSV reads holidays from CSV: a date (YYYY-MM-DD) and a
// name per row, an optional header row ("date,name"). A bad row is
// reported with its row number, and the rest still read.
func ParseHolidaysCSV(r io.Reader) ([]Holiday, []error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var out []Holiday
	var errs []error
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, Errorf(EINVALID, "row %d: %v", row, err))
			continue
		}
		if len(rec) == 0 || (len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
			continue
		}
		date := strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff"))
		if row == 1 && strings.EqualFold(date, "date") {
			continue
		}
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			errs = append(errs, Errorf(EINVALID, "row %d: %q is not a date (YYYY-MM-DD)", row, date))
			continue
		}
		name := ""
		if len(rec) > 1 {
			name = strings.TrimSpace(rec[1])
		}
		out = append(out, Holiday{Date: date, Name: name})
	}
	return out, errs
}

// ParseHolidaysICS reads the all-day events of an iCalendar file (RFC
// 5545, as public-holiday calendars publish them) as holidays: each
// VEVENT's DTSTART date and SUMMARY; an event of several days (DTEND,
// exclusive) gives each of its days. Folded lines are joined.
func ParseHolidaysICS(r io.Reader) ([]Holiday, error) {
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), "\r")
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		return nil, Errorf(EINVALID, "reading the calendar: %v", err)
	}
	if len(lines) == 0 || !strings.EqualFold(strings.TrimPrefix(lines[0], "\ufeff"), "BEGIN:VCALENDAR") {
		return nil, Errorf(EINVALID, "not an iCalendar file: it does not begin with BEGIN:VCALENDAR")
	}
	var out []Holiday
	in := false
	var start, end, name string
	for n, l := range lines {
		prop, value, _ := strings.Cut(l, ":")
		key, _, _ := strings.Cut(prop, ";")
		switch strings.ToUpper(key) {
		case "BEGIN":
			if strings.EqualFold(value, "VEVENT") {
				in, start, end, name = true, "", "", ""
			}
		case "DTSTART":
			start = value
		case "DTEND":
			end = value
		case "SUMMARY":
			name = icsText(value)
		case "END":
			if !in || !strings.EqualFold(value, "VEVENT") {
				continue
			}
			in = false
			from, err := icsDate(start)
			if err != nil {
				return nil, Errorf(EINVALID, "line %d: the event %q: %v", n+1, name, err)
			}
			to := from.AddDate(0, 0, 1)
			if end != "" {
				if to, err = icsDate(end); err != nil {
					return nil, Errorf(EINVALID, "line %d: the event %q: %v", n+1, name, err)
				}
			}
			for d := from; ; d = d.AddDate(0, 0, 1) { // at least its first day
				out = append(out, Holiday{Date: d.Format(time.DateOnly), Name: name})
				if !d.AddDate(0, 0, 1).Before(to) {
					break
				}
			}
		}
	}
	return out, nil
}

// icsDate reads an iCalendar DATE ("20261225") or the date of a
// DATE-TIME ("20261225T000000Z").
func icsDate(v string) (time.Time, error) {
	if len(v) < 8 {
		return time.Time{}, fmt.Errorf("%q is not a date", v)
	}
	d, err := time.Parse("20060102", v[:8])
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date", v)
	}
	return d, nil
}

// icsText undoes iCalendar's escapes in a TEXT value.
func icsText(v string) string {
	return strings.NewReplacer(`\n`, " ", `\N`, " ", `\,`, ",", `\;`, ";", `\\`, `\`).Replace(v)
}

// Due is when the order must ship under rules: from the calendars (by
// warehouse code) of the warehouses holding its stock, the earliest.
// Before it is allocated, from the warehouses in its destination's region
// (any warehouse, if none is), the earliest: one of them will likely ship
// it, and the coordinator should know the soonest it may be due.
func (o ShipByOrder) Due(rules ShipRules, whs []Warehouse, cals map[string]Calendar) (time.Time, error) {
	r := rules.For(o.Channel, o.Service)
	codes := o.Warehouses
	if len(codes) == 0 {
		for _, w := range whs {
			if reg := Region(o.Country); reg != "" && Region(w.Address.Country) == reg {
				codes = append(codes, w.Code)
			}
		}
	}
	if len(codes) == 0 {
		for _, w := range whs {
			codes = append(codes, w.Code)
		}
	}
	var due time.Time
	for _, code := range codes {
		c, ok := cals[code]
		if !ok {
			return time.Time{}, Errorf(ENOTFOUND, "order %d: no calendar for warehouse %s", o.ID, code)
		}
		t, err := c.ShipBy(o.PlacedAt, r, "")
		if err != nil {
			return time.Time{}, Errorf(EINVALID, "warehouse %s: %s", code, err)
		}
		if due.IsZero() || t.Before(due) {
			due = t
		}
	}
	if due.IsZero() {
		return time.Time{}, Errorf(EINVALID, "there is no warehouse whose calendar could give order %d a ship-by", o.ID)
	}
	return due, nil
}

// EndOfDay is the midnight that ends t's day, in t's location.
func EndOfDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location())
}
