package app_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/app/cli"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/sandbox"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

// A team's day on its server, through the command line, each person signed
// in as themselves: the owner prepares the database, its admin adds the
// others, and each does their part — and is refused, in words, what their
// role does not allow, while the data stays whole.
func TestTeamOnAServer(t *testing.T) {
	pgtest.Only(t, "team mode needs the team's server")
	t.Parallel()
	owner := demoDBOf(t, 600)
	pre := openAt(t, owner, testClock.Now)
	plan, err := pre.Allocation.Plan(context.Background(), domain.OrderFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wh := domaintest.BusiestWarehouse(plan)
	other := "" // another warehouse with orders to ship
	for _, o := range plan.Orders {
		if len(o.Parcels) == 1 && o.Parcels[0].Warehouse != wh {
			other = o.Parcels[0].Warehouse
		}
	}
	pre.Close()

	login := func(who string) string { return pgtest.Login(t, owner, who) }
	as := func(who string) string { return pgtest.As(owner, login(who), "pw-"+who) }
	run := func(db string, args ...string) (string, string, int) {
		t.Helper()
		return runCLI(t, append([]string{"--db", db}, args...)...)
	}
	mustRun := func(db string, args ...string) string {
		t.Helper()
		out, errs, code := run(db, args...)
		if code != 0 {
			t.Fatalf("%s: %d %q %q", strings.Join(args, " "), code, out, errs)
		}
		return out
	}
	refused := func(db string, args ...string) {
		t.Helper()
		out, errs, code := run(db, args...)
		if code != 1 || !strings.Contains(errs, "may not do it") && !strings.Contains(errs, "own warehouses") && !strings.Contains(errs, "is for the") {
			t.Errorf("%s should be refused: %d %q %q", strings.Join(args, " "), code, out, errs)
		}
		t.Logf("%s → %s", strings.Join(args, " "), errs)
	}

	out := mustRun(owner, "db", "init", "--admin", login("ana"), "--name", "Ana Novak", "--password", "pw-ana")
	if !strings.Contains(out, "Ana Novak") || !strings.Contains(out, login("ana")+"@") || strings.Contains(out, "pw-ana") {
		t.Errorf("db init: %q", out)
	}
	// The admin adds the team; the passwords appear nowhere.
	out = mustRun(as("ana"), "users", "add", "--login", login("lena"), "--name", "Lena Vos", "--role", "warehouse", "--warehouse", wh, "--password", "pw-lena")
	if !strings.Contains(out, "as warehouse in "+wh) || strings.Contains(out, "pw-lena") {
		t.Errorf("users add: %q", out)
	}
	mustRun(as("ana"), "users", "add", "--login", login("kenji"), "--name", "佐藤 健二", "--role", "coordinator", "--password", "pw-kenji")
	mustRun(as("ana"), "users", "add", "--login", login("fatima"), "--name", "Fatima Haddad", "--role", "finance", "--password", "pw-fatima")
	if _, errs, code := run(as("ana"), "users", "add", "--login", login("x"), "--role", "warehouse", "--password", "pw-x"); code != 1 || !strings.Contains(errs, "--warehouse") {
		t.Errorf("a warehouse person without a warehouse: %d %q", code, errs)
	}
	list := mustRun(as("kenji"), "users", "list")
	for _, want := range []string{"Ana Novak", "Lena Vos", "佐藤 健二", "Fatima Haddad", wh, "postgres", login("ana")} {
		if !strings.Contains(list, want) {
			t.Errorf("users list lacks %q:\n%s", want, list)
		}
	}
	refused(as("kenji"), "users", "add", "--login", login("y"), "--role", "admin", "--password", "pw-y")

	// The coordinator plans; finance may not.
	refused(as("fatima"), "allocate")
	mustRun(as("kenji"), "allocate")
	// The warehouse lead works their own warehouse only, to the dispatch.
	refused(as("lena"), "wave", "create", "--warehouse", other)
	refused(as("kenji"), "wave", "create", "--warehouse", wh)
	var waveID int64
	if _, err := fmt.Sscanf(mustRun(as("lena"), "wave", "create", "--warehouse", wh, "--max-orders", "2"), "Wave %d", &waveID); err != nil {
		t.Fatal(err)
	}
	mustRun(as("lena"), "pick", "confirm", "--wave", fmt.Sprint(waveID), "--all")
	a := openAt(t, as("lena"), testClock.Now)
	if me := a.People.Me(); me.Role != domain.RoleWarehouse || me.Name != "Lena Vos" {
		t.Errorf("signed in as %+v", me)
	}
	wave, err := a.Inventory.Wave(context.Background(), waveID)
	if err != nil {
		t.Fatal(err)
	}
	numbers := map[string]bool{}
	for _, l := range wave.Lines {
		numbers[l.Number] = true
	}
	p := 0
	for n := range numbers {
		p++
		var parcel int64
		if _, err := fmt.Sscanf(mustRun(as("lena"), "pack", "--order", n, "--warehouse", wh, "--box", "m", "--weight", "2500"), "Parcel %d", &parcel); err != nil {
			t.Fatal(err)
		}
		mustRun(as("lena"), "tracking", "--parcel", fmt.Sprint(parcel), "--number", fmt.Sprintf("JD0146000062%08d", p), "--carrier", "DHL")
	}
	mustRun(as("lena"), "dispatch", "--carrier", "DHL", "--wave", fmt.Sprint(waveID))
	for n := range numbers {
		o, err := a.Orders.OrderSummaries(context.Background(), domain.OrderFilter{Search: n}, 0, 1)
		if err != nil || len(o) != 1 || o[0].Status != domain.StatusShipped {
			t.Fatalf("order %s after the lead's dispatch: %+v %v", n, o, err)
		}
		full, err := a.Orders.Order(context.Background(), o[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		last := full.History[len(full.History)-1]
		if last.Who != login("lena") {
			t.Errorf("order %s's dispatch is recorded as %q's", n, last.Who)
		}
	}
	a.Close()
	// Finance bills; the others may not, even through the database.
	period := domaintest.Month(-1)
	refused(as("lena"), "invoices", "generate", "--period", period)
	refused(as("kenji"), "fx", "add", "--day", "2026-01-02", "--quote", "USD", "--rate", "1.0823")
	mustRun(as("fatima"), "invoices", "generate", "--period", period)
	refused(as("fatima"), "product", "customs", "--sku", plan.Orders[0].Parcels[0].Lines[0].SKU, "--hs", "610910", "--origin", "PT")

	// The admin disables the coordinator: refused at the next sign-in, with why.
	mustRun(as("ana"), "users", "disable", "--login", login("kenji"))
	if _, errs, code := run(as("kenji"), "orders", "list"); code != 1 || !strings.Contains(errs, "refused the sign-in") {
		t.Errorf("a disabled person signing in: %d %q", code, errs)
	}
	// A database file has no team.
	if _, errs, code := runCLI(t, "--db", t.TempDir()+"/one.db", "users", "add", "--login", "bob", "--role", "finance", "--password", "pw-bob"); code != 1 ||
		!strings.Contains(errs, "no team") {
		t.Errorf("users add on a file: %d %q", code, errs)
	}
	if d, err := openAt(t, owner, testClock.Now).Inventory.Verify(context.Background()); err != nil || len(d) != 0 {
		t.Errorf("stock after the team's day: %v %v", d, err)
	}
	if !pgtest.PasswordsChecked() {
		return // a server of one's own that trusts everyone checks no password
	}
	if _, errs, code := run(pgtest.As(owner, login("fatima"), "wrong"), "orders", "list"); code != 1 || !strings.Contains(errs, "refused the sign-in") ||
		strings.Contains(errs, "wrong") {
		t.Errorf("a wrong password: %d %q", code, errs)
	}
	// The window of someone whose address carries no password opens on the
	// sign-in form, which signs in with what they type.
	var signIn *cli.SignIn
	code := cli.Main([]string{"--db", pgtest.As(owner, login("fatima"), "")}, &bytes.Buffer{}, &bytes.Buffer{}, app.Options{Now: testClock.Now},
		func(a *app.App, si *cli.SignIn) error {
			if a != nil {
				t.Error("the window opened without a password")
				return nil
			}
			signIn = si
			if _, err := si.Open(login("fatima"), "wrong"); !app.SignInRefused(err) {
				t.Errorf("a wrong password on the form: %v", err)
			}
			a, err := si.Open(login("fatima"), "pw-fatima")
			if err != nil {
				return err
			}
			if me := a.People.Me(); me.Name != "Fatima Haddad" {
				t.Errorf("signed in as %+v", me)
			}
			return nil
		})
	if code != 0 || signIn == nil || signIn.Login != login("fatima") || !strings.Contains(signIn.Problem, "refused the sign-in") ||
		strings.Contains(signIn.Address, ":@") {
		t.Errorf("sign-in: %d %+v", code, signIn)
	}
}

// On a team's server the hand-over is warehouse work: a coordinator's poll
// notes the carriers' first scans of bought labels and leaves the parcels
// packed, shown as scanned; a warehouse person's window hands over those of
// their own warehouse (Pack and ship runs HandOverScanned), and the next poll
// of someone who may dispatch anywhere hands over the rest.
func TestTeamScannedLabelsWaitForTheWarehouse(t *testing.T) {
	pgtest.Only(t, "team mode needs the team's server")
	t.Parallel()
	ctx := context.Background()
	owner := demoDBOf(t, 600)
	login := func(who string) string { return pgtest.Login(t, owner, who) }
	as := func(who string) string { return pgtest.As(owner, login(who), "pw-"+who) }
	if out, errs, code := runCLI(t, "--db", owner, "db", "init", "--admin", login("ana"), "--name", "Ana Novak", "--password", "pw-ana"); code != 0 {
		t.Fatalf("db init: %d %q %q", code, out, errs)
	}
	clock := domaintest.NewClock()
	admin := openAt(t, as("ana"), clock.Now)
	// Parcels packed in two warehouses; the warehouse person works in the first's.
	all, err := admin.Inventory.Parcels(ctx, packedWave(t, admin, 4))
	if err != nil {
		t.Fatal(err)
	}
	wh := all[0].Warehouse.Code
	var parcels, theirs []int64
	for _, p := range all {
		parcels = append(parcels, p.ID)
		if p.Warehouse.Code == wh {
			theirs = append(theirs, p.ID)
		}
	}
	if len(theirs) == len(parcels) {
		t.Fatalf("every parcel was packed in %s", wh)
	}
	for _, args := range [][]string{
		{"--db", as("ana"), "users", "add", "--login", login("kenji"), "--name", "佐藤 健二", "--role", "coordinator", "--password", "pw-kenji"},
		{"--db", as("ana"), "users", "add", "--login", login("lena"), "--name", "Lena Vos", "--role", "warehouse", "--warehouse", wh, "--password", "pw-lena"},
	} {
		if out, errs, code := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: %d %q %q", args, code, out, errs)
		}
	}
	coordinator, lead := openAt(t, as("kenji"), clock.Now), openAt(t, as("lena"), clock.Now)
	labelShopOn(t, coordinator, clock.Now) // carrier accounts are the coordinator's
	if run, err := admin.Labels.Buy(ctx, parcels, domain.LabelChoice{}, nil); err != nil || len(run) != len(parcels) {
		t.Fatalf("buying: %+v %v", run, err)
	}
	clock.Add(3 * time.Hour)
	f := domain.DueFilter{Carrier: sandbox.SandboxCarrier}
	res, err := coordinator.Tracking.Poll(ctx, f, nil)
	if err != nil || res.Checked != len(parcels) || res.Scanned != len(parcels) || res.HandedOver != 0 ||
		!strings.Contains(res.Summary(), fmt.Sprintf("%d parcel(s) scanned by their carrier wait", len(parcels))) {
		t.Fatalf("the coordinator's poll: %+v %v", res, err)
	}
	ps, err := coordinator.Inventory.Parcels(ctx, parcels)
	if err != nil || ps[0].Shipped || ps[0].CarrierScan.IsZero() {
		t.Fatalf("the scanned parcels, for the coordinator: %+v %v", ps, err)
	}
	handed, problems, err := lead.Inventory.HandOverScanned(ctx)
	if err != nil || len(problems) != 0 || !slices.Equal(handed, theirs) {
		t.Fatalf("the warehouse person's hand-over: %v, problems %v, %v; want %v", handed, problems, err, theirs)
	}
	res, err = admin.Tracking.Poll(ctx, f, nil)
	if err != nil || res.HandedOver != len(parcels)-len(theirs) {
		t.Fatalf("the admin's poll: %+v %v", res, err)
	}
	if ps, err = admin.Inventory.Parcels(ctx, parcels); err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if !p.Shipped {
			t.Errorf("parcel %d (%s) was not handed over", p.ID, p.Warehouse.Code)
		}
	}
}
