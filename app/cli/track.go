package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

func cmdCarriersAdd(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("carriers add", "Adds a carrier account that tracking is polled through, and that EasyPost and DHL Express\n"+
		"accounts buy labels with. The name is the carrier parcels are handed to (\"DHL\"); credentials are stored with\n"+
		"the account and never shown again.", stdout, stderr)
	kind := fs.String("kind", "", "dhl, ups, fedex, usps, easypost (tracks any carrier without its own account; labels) or\n"+
		"dhl-express (the MyDHL API: rates, labels and tracking of the account's waybills)")
	name := fs.String("name", "", "the account's name: the carrier parcels go with, e.g. DHL")
	base := fs.String("url", "", "API base address (default: the carrier's production host; a sandbox or proxy also works)")
	key := fs.String("key", "", "API key (DHL, EasyPost)")
	clientID := fs.String("client-id", "", "OAuth client id (UPS, FedEx, USPS); the MyDHL API key (DHL Express)")
	secret := fs.String("client-secret", "", "OAuth client secret (UPS, FedEx, USPS); the MyDHL API secret (DHL Express)")
	number := fs.String("account-number", "", "the account labels are billed to (DHL Express: the shipper account number;\n"+
		"UPS: the shipper number; FedEx: the account number; USPS: the EPS account — without it they only track)")
	crid := fs.String("crid", "", "USPS: the Customer Registration ID labels are paid and owned under")
	mid := fs.String("mid", "", "USPS: the Mailer ID labels are owned under")
	paperless := fs.Bool("paperless", false, "send commercial invoices to customs electronically (DHL Express Paperless Trade,\n"+
		"FedEx Electronic Trade Documents — where the account has it)")
	zpl := fs.Bool("zpl", false, "buy labels in ZPL, for a thermal printer (they print with \"labels print\", not in PDFs)")
	perSecond := fs.Float64("per-second", 0, "at most this many requests a second (default: the carrier's documented limit)")
	perDay := fs.Int("per-day", 0, "at most this many requests a UTC day (default: the carrier's documented limit)")
	fs.usageIf(func() bool { return *kind == "" || *name == "" }, "carriers add: --kind and --name are required")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	acct := domain.CarrierAccount{Kind: domain.CarrierKind(strings.ToLower(*kind)), Name: *name, BaseURL: *base, Key: *key,
		ClientID: *clientID, ClientSecret: *secret, Number: *number, Paperless: *paperless, CRID: *crid, MID: *mid, ZPL: *zpl, PerSecond: *perSecond, PerDay: *perDay}
	if err := a.Tracking.SaveCarrierAccount(ctx, &acct); err != nil {
		return fmt.Errorf("carriers add: %w", err)
	}
	fmt.Fprintf(stdout, "Added carrier account %s (%s, %s; at most %g requests a second and %d a day).\n", acct.Name, acct.Kind, acct.BaseURL,
		acct.PerSecond, acct.PerDay)
	fmt.Fprintln(stdout, a.CredentialsKept())
	return nil
}

// CarrierJSON is one account in `carriers list --format json`; credentials are never included.
type CarrierJSON struct {
	Name      string  `json:"name"`
	Kind      string  `json:"kind"`
	URL       string  `json:"url"`
	PerSecond float64 `json:"per_second"`
	PerDay    int     `json:"per_day"`
	UsedToday int     `json:"used_today"`
	Failing   string  `json:"failing,omitempty"`
	// Labels is the format labels are bought in: "zpl" for a thermal
	// printer, "" as the carrier sends them by default.
	Labels string `json:"labels,omitempty"`
}

func cmdCarriersList(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("carriers list", "Lists the carrier accounts, their budgets and what they used today (UTC).", stdout, stderr)
	format := formatFlag(fs, "table", "json")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	accts, err := a.Tracking.CarrierAccounts(ctx)
	if err != nil {
		return err
	}
	out := make([]CarrierJSON, 0, len(accts))
	for _, c := range accts {
		used, err := a.Tracking.UsedToday(ctx, c.ID)
		if err != nil {
			return err
		}
		cj := CarrierJSON{Name: c.Name, Kind: string(c.Kind), URL: domain.ShownURL(c.BaseURL), PerSecond: c.PerSecond, PerDay: c.PerDay, UsedToday: used, Failing: c.Failing}
		if c.ZPL {
			cj.Labels = "zpl"
		}
		out = append(out, cj)
	}
	if *format == "json" {
		return printJSON(stdout, out)
	}
	return printTable(stdout, "NAME\tKIND\tURL\tBUDGET\tUSED TODAY\tSTATE", func(add func(string, ...any)) {
		for _, c := range out {
			state := "ok"
			if c.Failing != "" {
				state = "failing: " + c.Failing
			}
			if c.Labels == "zpl" {
				state += "; labels in ZPL"
			}
			add("%s\t%s\t%s\t%g/s, %d/day\t%d\t%s", c.Name, c.Kind, c.URL, c.PerSecond, c.PerDay, c.UsedToday, state)
		}
	})
}

func cmdCarriersTest(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("carriers test", "Proves a carrier account's credentials work (one request of its budget).", stdout, stderr)
	name := fs.String("name", "", "the account's name")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	accts, err := a.Tracking.CarrierAccounts(ctx)
	if err != nil {
		return err
	}
	for _, c := range accts {
		if strings.EqualFold(c.Name, *name) {
			if err := a.Tracking.TestAccount(ctx, c.ID); err != nil {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
			fmt.Fprintf(stdout, "%s: the connection works.\n", c.Name)
			return nil
		}
	}
	return domain.Errorf(domain.ENOTFOUND, "no carrier account named %q (see portolan carriers list)", *name)
}

func cmdShipmentsAdd(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("shipments add", "Registers a parcel shipped outside Portolan (before it was adopted, or by a partner) for\n"+
		"tracking. The tracking number's check digit is verified for the carrier.", stdout, stderr)
	order := fs.String("order", "", "the order's number")
	carrier := fs.String("carrier", "", "the carrier (a carrier account's name, or DHL, UPS, FedEx, USPS…)")
	tracking := fs.String("tracking", "", "the tracking number")
	fs.usageIf(func() bool { return *order == "" || *carrier == "" || *tracking == "" }, "shipments add: --order, --carrier and --tracking are required")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	sh, err := a.Tracking.AddShipment(ctx, *order, *carrier, *tracking)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Tracking %s %s for order %s; it is polled with the next \"portolan track\".\n", sh.Carrier, sh.Tracking, *order)
	return nil
}

// ShipmentJSON is one parcel in `shipments list --format json`.
type ShipmentJSON struct {
	TrackingNumber string `json:"tracking_number"`
	Carrier        string `json:"carrier"`
	OrderNumber    string `json:"order_number"`
	Milestone      string `json:"milestone"`
	LastEventAt    string `json:"last_event_at"`
	ETA            string `json:"eta"`
	Destination    string `json:"destination"`
	Status         string `json:"status,omitempty"`
	Attention      string `json:"attention,omitempty"`
}

func rfc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func cmdShipmentsList(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("shipments list", "Lists parcels on their way and delivered, newest dispatch first.", stdout, stderr)
	status := fs.String("status", "", "only this milestone (label_created, picked_up, in_transit, customs_hold, customs_cleared,\n"+
		"                 out_for_delivery, delivered, delivery_failed, exception, returned_to_sender, unknown) or \"exceptions\"")
	carrier := fs.String("carrier", "", "only this carrier")
	format := formatFlag(fs, "table", "json")
	limit := fs.Int("limit", 1000, "at most this many")
	if err := parse(fs, args); err != nil {
		return err
	}
	f := domain.ShipmentFilter{Carrier: *carrier}
	switch {
	case *status == "exceptions":
		f.Exceptions = true
	case *status != "":
		f.Milestone = domain.Milestone(*status)
		if !f.Milestone.Valid() {
			return usageError{fmt.Sprintf("--status %q is not a milestone", *status)}
		}
	}
	a, err := open.App()
	if err != nil {
		return err
	}
	list, err := a.Tracking.Shipments(ctx, f, 0, *limit)
	if err != nil {
		return err
	}
	out := make([]ShipmentJSON, 0, len(list))
	for _, s := range list {
		out = append(out, ShipmentJSON{TrackingNumber: s.Tracking, Carrier: s.Carrier, OrderNumber: s.OrderNumber, Milestone: string(s.Milestone),
			LastEventAt: rfc(s.LastEventAt), ETA: rfc(s.ETA), Destination: string(s.Destination), Status: s.Status, Attention: s.Attention})
	}
	if *format == "json" {
		return printJSON(stdout, out)
	}
	return printTable(stdout, "TRACKING\tCARRIER\tORDER\tTO\tMILESTONE\tLAST EVENT (UTC)\tETA (UTC)\tATTENTION", func(add func(string, ...any)) {
		for _, s := range out {
			add("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", s.TrackingNumber, s.Carrier, s.OrderNumber, s.Destination, s.Milestone,
				orDash(strings.Replace(s.LastEventAt, "T", " ", 1)), orDash(strings.Replace(s.ETA, "T", " ", 1)), orDash(s.Attention))
		}
	})
}

func cmdTrack(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("track", "Polls the carriers for the parcels that are due, within each account's budget, and keeps\n"+
		"polling until interrupted (or once, with --once; e.g. from cron).", stdout, stderr)
	carrier := fs.String("carrier", "", "only this carrier's parcels")
	once := fs.Bool("once", false, "poll once and stop")
	all := fs.Bool("all", false, "every undelivered parcel now, due or not (still within the budget)")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	// Accounts of the sandbox carriers: run them here for as long as this command runs.
	if used, err := a.Tracking.UsesSandbox(ctx); err != nil {
		return err
	} else if used {
		if _, err := a.Tracking.TrySandboxCarriers(ctx, 2*time.Minute); err != nil {
			return err
		}
	}
	for {
		res, err := a.Tracking.Poll(ctx, domain.DueFilter{Carrier: *carrier, All: *all}, nil)
		fmt.Fprintf(stdout, "%s %s\n", a.Now().Local().Format("15:04:05"), res.Summary())
		printProblems(stdout, res.Problems)
		if err != nil || *once {
			if err == nil && res.Errors > 0 && res.Checked == 0 {
				return fmt.Errorf("no parcel could be polled")
			}
			return err
		}
		*all = false
		t := time.NewTimer(time.Minute)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

func cmdShipmentsPushes(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("shipments pushes", "Lists the tracking numbers told (or to tell) the orders' storefronts; --retry queues the\n"+
		"failed ones again.", stdout, stderr)
	state := fs.String("state", "failed", "pending, failed or done")
	retry := fs.Bool("retry", false, "queue every failed one again (sent with the next portolan track)")
	fs.usageIf(func() bool { return *state != "pending" && *state != "failed" && *state != "done" }, fmt.Sprintf("--state %q: use pending, failed or done", *state))
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	if *retry {
		n, err := a.Tracking.RetryPushes(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d failed update(s) queued again.\n", n)
		return nil
	}
	list, err := a.Tracking.Pushes(ctx, *state, 1000)
	if err != nil {
		return err
	}
	return printTable(stdout, "ORDER\tCARRIER\tTRACKING\tATTEMPTS\tNEXT (UTC)\tERROR", func(add func(string, ...any)) {
		for _, p := range list {
			next := "–"
			if p.State == "pending" {
				next = p.NextAt.UTC().Format("2006-01-02 15:04")
			}
			add("%s\t%s\t%s\t%d\t%s\t%s", p.OrderNumber, p.Carrier, p.Tracking, p.Attempts, next, orDash(p.Error))
		}
	})
}
