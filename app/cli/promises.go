package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// PromiseJSON is one channel's ship-by promise as `promises list --format
// json` prints it.
type PromiseJSON struct {
	Channel       string `json:"channel"`
	Service       string `json:"service,omitempty"` // "": the channel's own
	CutoffMinutes int    `json:"cutoff_minutes"`
	Cutoff        string `json:"cutoff,omitempty"` // HH:MM, local to the warehouse
	WithinDays    int    `json:"within_days"`
	Says          string `json:"says"`
	Default       bool   `json:"default,omitempty"` // the channel has no rule of its own
}

func cmdPromisesList(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("promises list", "Lists every channel's ship-by promise (when its orders must ship), and its services' own.", stdout, stderr)
	format := formatFlag(fs, "table", "json")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	rules, err := a.Promises.Rules(ctx)
	if err != nil {
		return err
	}
	chans, err := a.Intake.Channels(ctx)
	if err != nil {
		return err
	}
	out := []PromiseJSON{}
	row := func(channel, service string, r domain.ShipRule, def bool) {
		j := PromiseJSON{Channel: channel, Service: service, CutoffMinutes: r.Cutoff, WithinDays: r.WithinDays, Says: r.String(), Default: def}
		if r.Cutoff > 0 {
			j.Cutoff = fmt.Sprintf("%02d:%02d", r.Cutoff/60, r.Cutoff%60)
		}
		out = append(out, j)
	}
	for _, ch := range chans {
		cr, own := rules.Channels[ch.Code]
		if !own {
			row(ch.Code, "", domain.DefaultShipRule, true)
			continue
		}
		row(ch.Code, "", cr.Rule, false)
		names := make([]string, 0, len(cr.Services))
		for name := range cr.Services {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			row(ch.Code, name, cr.Services[name], false)
		}
	}
	if *format == "json" {
		return printJSON(stdout, out)
	}
	return printTable(stdout, "CHANNEL\tSERVICE\tSHIPS", func(add func(string, ...any)) {
		for _, j := range out {
			service, says := j.Service, j.Says
			if service == "" {
				service = "(all)"
			}
			if j.Default {
				says += " (the default)"
			}
			add("%s\t%s\t%s", j.Channel, service, says)
		}
	})
}

func cmdPromisesSet(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("promises set CHANNEL", "Sets when a channel's orders must ship: same day if placed before a cut-off, else the next working\n"+
		"day (--cutoff 14:00), or within some working days (--within 2), or both; the days are the shipping\n"+
		"warehouse's working days, the cut-off its local time. With --service, only for orders of that shipping\n"+
		"service (e.g. Express); with --remove, that service follows the channel's promise again. Every open\n"+
		"order's ship-by is then worked out again.", stdout, stderr)
	cutoff := fs.String("cutoff", "", "the cut-off, HH:MM (\"\": none)")
	within := fs.Int("within", 0, "working days after the day an order counts from, 0 to 60")
	service := fs.String("service", "", "only for orders of this shipping service")
	remove := fs.Bool("remove", false, "remove the service's own promise (with --service)")
	a, name, err := startWithArg(fs, args, "channel name or code", open)
	if err != nil {
		return err
	}
	ch, err := a.Intake.ChannelNamed(ctx, name)
	if err != nil {
		return err
	}
	if *remove {
		if strings.TrimSpace(*service) == "" {
			return usageError{"--remove needs --service: a channel always has a promise"}
		}
		if err := a.Promises.RemoveServiceRule(ctx, ch.Code, *service); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Channel %s: %s orders follow the channel's promise.\n", ch.Name, strings.TrimSpace(*service))
		return nil
	}
	r := domain.ShipRule{WithinDays: *within}
	if *cutoff != "" {
		if r.Cutoff, err = domain.ParseClock(*cutoff); err != nil {
			return usageError{err.Error()}
		}
		if r.Cutoff == 0 {
			return usageError{"--cutoff 00:00 would be no cut-off: leave it out"}
		}
	}
	if err := a.Promises.SetChannelRule(ctx, ch.Code, *service, r); err != nil {
		return err
	}
	what := ch.Name
	if s := strings.TrimSpace(*service); s != "" {
		what += ", " + s + " orders"
	}
	fmt.Fprintf(stdout, "%s: ship %s.\n", what, r)
	return nil
}

// CalendarJSON is a warehouse's calendar as `calendar show --format json`
// prints it.
type CalendarJSON struct {
	Warehouse   string           `json:"warehouse"`
	TimeZone    string           `json:"time_zone"`
	Works       []string         `json:"works"`
	Holidays    []domain.Holiday `json:"holidays"`
	Pickups     []PickupJSON     `json:"pickups"`
	NextPickups []string         `json:"next_pickups"` // RFC 3339, UTC
}

// PickupJSON is a carrier's daily pickup.
type PickupJSON struct {
	Carrier string `json:"carrier"`
	At      string `json:"at"` // HH:MM, local
}

func cmdCalendarShow(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("calendar show WAREHOUSE", "Shows a warehouse's working days, public holidays and carrier pickups.", stdout, stderr)
	format := formatFlag(fs, "table", "json")
	a, code, err := startWithArg(fs, args, "warehouse code", open)
	if err != nil {
		return err
	}
	w, c, err := a.Promises.Calendar(ctx, code)
	if err != nil {
		return err
	}
	j := CalendarJSON{Warehouse: w.Code, TimeZone: w.TimeZone, Works: c.Workdays(), Holidays: c.Holidays, Pickups: []PickupJSON{}, NextPickups: []string{}}
	if j.Holidays == nil {
		j.Holidays = []domain.Holiday{}
	}
	for _, p := range c.Pickups {
		j.Pickups = append(j.Pickups, PickupJSON{Carrier: p.Carrier, At: fmt.Sprintf("%02d:%02d", p.At/60, p.At%60)})
	}
	for _, t := range c.NextPickups(a.Now()) {
		j.NextPickups = append(j.NextPickups, t.UTC().Format(time.RFC3339))
	}
	if *format == "json" {
		return printJSON(stdout, j)
	}
	fmt.Fprintf(stdout, "%s (%s)\nWorks: %s\n", w.Code, w.TimeZone, strings.Join(j.Works, " "))
	fmt.Fprintf(stdout, "Pickups:")
	for _, p := range j.Pickups {
		fmt.Fprintf(stdout, " %s %s;", p.Carrier, p.At)
	}
	if len(j.Pickups) == 0 {
		fmt.Fprint(stdout, " none (orders ship by the end of the day)")
	}
	fmt.Fprintf(stdout, "\nHolidays: %d\n", len(c.Holidays))
	for _, h := range c.Holidays {
		fmt.Fprintf(stdout, "  %s  %s\n", h.Date, h.Name)
	}
	return nil
}

func cmdCalendarWorkdays(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("calendar workdays WAREHOUSE", "Sets the days of the week a warehouse works (its orders ship on them).", stdout, stderr)
	days := fs.String("days", "Mon-Fri", "the days: a list (Mon,Tue,Sat) or a range (Mon-Sat)")
	a, code, err := startWithArg(fs, args, "warehouse code", open)
	if err != nil {
		return err
	}
	works, err := parseWeekdays(*days)
	if err != nil {
		return usageError{err.Error()}
	}
	if err := a.Promises.SetWorkdays(ctx, code, works); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s works %s.\n", strings.ToUpper(code), *days)
	return nil
}

// parseWeekdays reads "Mon-Fri", "Mon,Wed,Sat" or a mix.
func parseWeekdays(s string) ([7]bool, error) {
	var works [7]bool
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, err := domain.ParseWeekday(from)
		if err != nil {
			return works, err
		}
		b := a
		if isRange {
			if b, err = domain.ParseWeekday(to); err != nil {
				return works, err
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			works[d] = true
			if d == b {
				break
			}
		}
	}
	return works, nil
}

func cmdCalendarHolidays(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("calendar holidays WAREHOUSE", "Adds public holidays to a warehouse's calendar — from a file (--import: an iCalendar .ics as\n"+
		"public-holiday calendars are published, or a CSV of date,name rows) or one day (--add 2026-12-25\n"+
		"--name \"Christmas Day\") — or takes a day off it (--remove 2026-12-24). Orders do not ship on them.", stdout, stderr)
	file := fs.String("import", "", "an .ics or .csv file of holidays")
	add := fs.String("add", "", "a day to add, YYYY-MM-DD")
	name := fs.String("name", "", "the added day's name")
	remove := fs.String("remove", "", "a day to remove, YYYY-MM-DD")
	a, code, err := startWithArg(fs, args, "warehouse code", open)
	if err != nil {
		return err
	}
	switch {
	case *file != "" && *add == "" && *remove == "":
		added, problems, err := a.Promises.ImportHolidays(ctx, code, *file)
		if err != nil {
			printProblems(stdout, problems)
			return err
		}
		fmt.Fprintf(stdout, "%s: %d holiday(s) added.\n", strings.ToUpper(code), added)
		return listProblems(stdout, problems, "%d row(s) of %s were not read (the others were added); fix them and import the file again", *file)
	case *add != "" && *file == "" && *remove == "":
		if _, err := time.Parse(time.DateOnly, *add); err != nil {
			return usageError{fmt.Sprintf("--add %q is not a date (YYYY-MM-DD)", *add)}
		}
		if _, err := a.Promises.SetHolidays(ctx, code, []domain.Holiday{{Date: *add, Name: strings.TrimSpace(*name)}}, false); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s is a holiday.\n", strings.ToUpper(code), *add)
		return nil
	case *remove != "" && *file == "" && *add == "":
		n, err := a.Promises.SetHolidays(ctx, code, []domain.Holiday{{Date: *remove}}, true)
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "%s has no holiday on %s", strings.ToUpper(code), *remove)
		}
		fmt.Fprintf(stdout, "%s: %s is a working day again.\n", strings.ToUpper(code), *remove)
		return nil
	}
	return usageError{"give one of --import FILE, --add DATE or --remove DATE"}
}

func cmdCalendarPickup(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("calendar pickup WAREHOUSE", "Sets when a carrier collects at a warehouse each working day (--carrier DHL --at 16:00): orders\n"+
		"must be ready by the day's last pickup. --remove takes the carrier's pickup away.", stdout, stderr)
	carrier := fs.String("carrier", "", "the carrier (DHL, UPS, …)")
	at := fs.String("at", "", "the local time of the pickup, HH:MM")
	remove := fs.Bool("remove", false, "remove the carrier's pickup")
	a, code, err := startWithArg(fs, args, "warehouse code", open)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*carrier) == "" {
		return usageError{"--carrier is required"}
	}
	if *remove {
		if err := a.Promises.RemovePickup(ctx, code, *carrier); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: no %s pickup.\n", strings.ToUpper(code), *carrier)
		return nil
	}
	m, err := domain.ParseClock(*at)
	if err != nil {
		return usageError{"--at: " + err.Error()}
	}
	if err := a.Promises.SetPickup(ctx, code, *carrier, m); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s collects at %s on working days.\n", strings.ToUpper(code), *carrier, *at)
	return nil
}
