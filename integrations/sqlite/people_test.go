package sqlite_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sqlite"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

// team is a team database with two warehouses and one person of each role.
type team struct {
	dsn    string
	db     *sqlite.DB
	logins map[domain.Role]string
}

const teamPassword = "correct horse 42"

func newTeam(t *testing.T) *team {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	db := openPG(t, dsn)
	execPG(t, dsn,
		`INSERT INTO portolan.warehouses (code, name, addr_country, time_zone) VALUES ('NL-VEN', 'Venlo', 'NL', 'Europe/Amsterdam'),
		 ('AU-SYD', 'Sydney', 'AU', 'Australia/Sydney')`)
	tm := &team{dsn: dsn, db: db, logins: map[domain.Role]string{}}
	for _, r := range domain.Roles {
		var whs []string
		if r == domain.RoleWarehouse {
			whs = []string{"NL-VEN"}
		}
		p, err := domain.NewPerson(pgtest.Login(t, dsn, "p_"+string(r)), "Person "+string(r), r, whs)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PeopleStore().AddPerson(ctx, p, teamPassword, clock()); err != nil {
			t.Fatalf("adding %s: %v", r, err)
		}
		tm.logins[r] = p.Login
	}
	return tm
}

// connect signs in as a person with psql's powers: any SQL at all.
func (tm *team) connect(t *testing.T, r domain.Role) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(pgtest.As(tm.dsn, tm.logins[r], teamPassword))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = sqlite.PGSchema
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("signing in as %s: %v", r, err)
	}
	t.Cleanup(func() { c.Close(ctx) })
	return c
}

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// What each role may change is enforced by the server itself: a person
// connecting with psql instead of Portolan can do no more.
func TestRolesAreEnforcedByTheServer(t *testing.T) {
	t.Parallel()
	tm := newTeam(t)
	// Each statement touches no row: the server checks the privilege all the same.
	actions := []struct {
		what    string
		sql     string
		allowed []domain.Role
	}{
		{"issue an invoice", `UPDATE invoices SET number = number WHERE false`, []domain.Role{domain.RoleFinance, domain.RoleAdmin}},
		{"change a rate card", `DELETE FROM rate_cards WHERE false`, []domain.Role{domain.RoleFinance, domain.RoleAdmin}},
		{"record a payment", `DELETE FROM payments WHERE false`, []domain.Role{domain.RoleFinance, domain.RoleAdmin}},
		{"change an order's status", `UPDATE orders SET status = status WHERE false`, []domain.Role{domain.RoleCoordinator, domain.RoleWarehouse, domain.RoleAdmin}},
		{"add a channel", `DELETE FROM channels WHERE false`, []domain.Role{domain.RoleCoordinator, domain.RoleAdmin}},
		{"change carrier accounts", `DELETE FROM carrier_accounts WHERE false`, []domain.Role{domain.RoleCoordinator, domain.RoleAdmin}},
		{"make a wave", `DELETE FROM waves WHERE false`, []domain.Role{domain.RoleWarehouse, domain.RoleAdmin}},
		{"buy a carrier label", `UPDATE label_purchases SET state = state WHERE false`, []domain.Role{domain.RoleWarehouse, domain.RoleAdmin}},
		{"note a carrier's scan of a label", `UPDATE label_scans SET polls = polls WHERE false`, []domain.Role{domain.RoleCoordinator, domain.RoleWarehouse, domain.RoleAdmin}},
		{"add a warehouse", `DELETE FROM warehouses WHERE false`, []domain.Role{domain.RoleAdmin}},
		{"add a person", `DELETE FROM people WHERE false`, []domain.Role{domain.RoleAdmin}},
		{"merge the search indexes after loading orders", `SELECT clean_order_search()`, []domain.Role{domain.RoleCoordinator, domain.RoleAdmin}},
		{"read orders", `SELECT count(*) FROM orders`, domain.Roles},
		{"read invoices", `SELECT count(*) FROM invoices`, domain.Roles},
	}
	for _, r := range domain.Roles {
		c := tm.connect(t, r)
		for _, a := range actions {
			_, err := c.Exec(ctx, a.sql)
			want := false
			for _, ok := range a.allowed {
				want = want || ok == r
			}
			switch {
			case want && err != nil:
				t.Errorf("%s may %s, but: %v", r, a.what, err)
			case !want && sqlState(err) != "42501":
				t.Errorf("%s may not %s, but the server said %v", r, a.what, err)
			}
		}
	}

	// A warehouse person writes in their warehouses only.
	wh := tm.connect(t, domain.RoleWarehouse)
	if _, err := wh.Exec(ctx, `INSERT INTO waves (warehouse_id, status, created_at) SELECT id, 'open', 0 FROM warehouses WHERE code = 'NL-VEN'`); err != nil {
		t.Errorf("a wave in the person's own warehouse: %v", err)
	}
	if _, err := wh.Exec(ctx, `INSERT INTO waves (warehouse_id, status, created_at) SELECT id, 'open', 0 FROM warehouses WHERE code = 'AU-SYD'`); sqlState(err) != "42501" {
		t.Errorf("a wave in another warehouse: %v, want refused", err)
	}
	var seen int
	if err := wh.QueryRow(ctx, `SELECT count(*) FROM waves`).Scan(&seen); err != nil || seen != 1 {
		t.Errorf("the warehouse person reads %d waves (%v), want 1", seen, err)
	}
	// Settings: each role its own documents.
	if _, err := wh.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('shipping', '{}')`); err != nil {
		t.Errorf("warehouse's shipping settings: %v", err)
	}
	if _, err := wh.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('allocation', '{}')`); sqlState(err) != "42501" {
		t.Errorf("warehouse writing the planner's settings: %v, want refused", err)
	}
	fin := tm.connect(t, domain.RoleFinance)
	if _, err := fin.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('billing.company', '{}')`); err != nil {
		t.Errorf("finance's company settings: %v", err)
	}
	// Through the store, as finance's Portolan: a carrier invoice's column mapping.
	finStore := openPG(t, pgtest.As(tm.dsn, tm.logins[domain.RoleFinance], teamPassword))
	if err := finStore.BillingStore().SetCarrierMapping(ctx, "DHL", map[string]string{"tracking": "Sendungsnummer"}); err != nil {
		t.Errorf("finance remembering a carrier invoice's columns: %v", err)
	}
	if c, err := tm.db.SettingChanged(ctx, "carrier_invoice_mapping.dhl"); err != nil || c.By != tm.logins[domain.RoleFinance] {
		t.Errorf("the mapping was changed %+v %v", c, err)
	}
	// Ship-by promises: the channels' rules are the coordinators'; a
	// warehouse's calendar is its own people's too.
	co := tm.connect(t, domain.RoleCoordinator)
	for _, w := range []struct {
		who     string
		c       *pgx.Conn
		key     string
		allowed bool
	}{
		{"warehouse", wh, "calendar.NL-VEN", true},
		{"warehouse", wh, "calendar.AU-SYD", false},
		{"warehouse", wh, "ship_rules", false},
		{"finance", fin, "ship_rules", false},
		{"finance", fin, "calendar.NL-VEN", false},
		{"coordinator", co, "ship_rules", true},
		{"coordinator", co, "calendar.AU-SYD", true},
	} {
		_, err := w.c.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, '{}') ON CONFLICT (key) DO UPDATE SET value = excluded.value`, w.key)
		if w.allowed && err != nil || !w.allowed && sqlState(err) != "42501" {
			t.Errorf("%s writing %s: %v (allowed: %v)", w.who, w.key, err, w.allowed)
		}
	}
	// Through the store, as the warehouse person's Portolan.
	whStore := openPG(t, pgtest.As(tm.dsn, tm.logins[domain.RoleWarehouse], teamPassword))
	whs, err := whStore.CatalogStore().Warehouses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range whs {
		err := whStore.PromiseStore().UpdateCalendar(ctx, w, func(c *domain.Calendar) error {
			c.Pickups = []domain.Pickup{{Carrier: "DHL", At: 16 * 60}}
			return nil
		})
		if own := w.Code == "NL-VEN"; own && err != nil || !own && (err == nil || !strings.Contains(err.Error(), "their own warehouses")) {
			t.Errorf("the warehouse person setting %s's calendar: %v", w.Code, err)
		}
	}
}

// Who is signed in, and what the store makes of the people it lists.
func TestMeAndPeople(t *testing.T) {
	t.Parallel()
	tm := newTeam(t)
	owner, err := tm.db.PeopleStore().Me(ctx)
	if err != nil || owner.Role != domain.RoleAdmin || !owner.Owner {
		t.Errorf("the database's owner is %+v (%v), want an admin", owner, err)
	}
	wh := openPG(t, pgtest.As(tm.dsn, tm.logins[domain.RoleWarehouse], teamPassword))
	me, err := wh.PeopleStore().Me(ctx)
	if err != nil || me.Role != domain.RoleWarehouse || me.Owner || me.Name != "Person warehouse" || strings.Join(me.Warehouses, ",") != "NL-VEN" {
		t.Errorf("the warehouse person is %+v (%v)", me, err)
	}
	people, err := tm.db.PeopleStore().People(ctx)
	if err != nil || len(people) != 4 {
		t.Fatalf("%d people (%v), want 4", len(people), err)
	}
	for _, p := range people {
		if !p.Active || p.CreatedBy != "postgres" || !p.Created.Equal(clock()) {
			t.Errorf("listed as %+v", p)
		}
	}
	// Someone the server knows but the team does not list is told so.
	stranger := pgtest.Login(t, tm.dsn, "stranger")
	execPG(t, tm.dsn, `CREATE ROLE `+stranger+` LOGIN PASSWORD 'x'`, `GRANT `+pgtest.Login(t, tm.dsn, "finance")+` TO `+stranger)
	st := openPG(t, pgtest.As(tm.dsn, stranger, "x"))
	if _, err := st.PeopleStore().Me(ctx); err == nil || !strings.Contains(err.Error(), "not one of this team database's people") {
		t.Errorf("a stranger: %v", err)
	}
	// A person cannot be added twice, nor with a warehouse that does not exist.
	p, _ := domain.NewPerson(tm.logins[domain.RoleFinance], "Again", domain.RoleFinance, nil)
	if err := tm.db.PeopleStore().AddPerson(ctx, p, "", clock()); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("adding a person twice: %v", err)
	}
	p, _ = domain.NewPerson(pgtest.Login(t, tm.dsn, "nowhere"), "Nowhere", domain.RoleWarehouse, []string{"XX-NOPE"})
	if err := tm.db.PeopleStore().AddPerson(ctx, p, "", clock()); err == nil || !strings.Contains(err.Error(), "XX-NOPE") {
		t.Errorf("adding a person to a missing warehouse: %v", err)
	}
	if err := tm.db.PeopleStore().DisablePerson(ctx, "postgres"); err == nil {
		t.Error("the owner disabled themself")
	}
	// SQLite has no team.
	file, err := sqlite.Open(filepath.Join(t.TempDir(), "one.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if me, err := file.PeopleStore().Me(ctx); err != nil || me.Role != domain.RoleAdmin {
		t.Errorf("the file's person: %+v %v", me, err)
	}
	if err := file.PeopleStore().AddPerson(ctx, p, "", clock()); err == nil || !strings.Contains(err.Error(), "Team server") {
		t.Errorf("adding a person to a file: %v", err)
	}
}

// A disabled person is refused at their next action, and cannot sign in
// again; an admin person adds people; a wrong password is refused.
func TestDisabledPeopleAndPasswords(t *testing.T) {
	t.Parallel()
	tm := newTeam(t)
	fin := tm.connect(t, domain.RoleFinance)
	finStore := openPG(t, pgtest.As(tm.dsn, tm.logins[domain.RoleFinance], teamPassword))
	if _, err := fin.Exec(ctx, `DELETE FROM payments WHERE false`); err != nil {
		t.Fatal(err)
	}
	// An admin person (not the owner) disables the finance person.
	admin := openPG(t, pgtest.As(tm.dsn, tm.logins[domain.RoleAdmin], teamPassword))
	if err := admin.PeopleStore().DisablePerson(ctx, tm.logins[domain.RoleFinance]); err != nil {
		t.Fatal(err)
	}
	if _, err := fin.Exec(ctx, `DELETE FROM payments WHERE false`); sqlState(err) != "42501" {
		t.Errorf("the disabled person's open session: %v, want refused", err)
	}
	if _, err := finStore.PeopleStore().Me(ctx); err == nil || !strings.Contains(err.Error(), "no longer has a role") {
		t.Errorf("the disabled person's Portolan: %v", err)
	}
	if !pgtest.PasswordsChecked() {
		return
	}
	if _, err := pgx.Connect(ctx, pgtest.As(tm.dsn, tm.logins[domain.RoleFinance], teamPassword)); err == nil {
		t.Error("the disabled person signed in again")
	}
	// The admin person adds someone new, who signs in with their password.
	p, _ := domain.NewPerson(pgtest.Login(t, tm.dsn, "new"), "Ана Новак", domain.RoleCoordinator, nil)
	if err := admin.PeopleStore().AddPerson(ctx, p, "s3cret 'quoted'", clock()); err != nil {
		t.Fatal(err)
	}
	nw := openPG(t, pgtest.As(tm.dsn, p.Login, "s3cret 'quoted'"))
	if me, err := nw.PeopleStore().Me(ctx); err != nil || me.Name != "Ана Новак" || me.Role != domain.RoleCoordinator {
		t.Errorf("the new person: %+v %v", me, err)
	}
	_, err := sqlite.OpenPostgres(ctx, pgtest.As(tm.dsn, p.Login, "wrong"), clock)
	if err == nil || !strings.Contains(err.Error(), "refused the sign-in") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("a wrong password: %v", err)
	}
	// Re-enabling the disabled person with a new role.
	again, _ := domain.NewPerson(tm.logins[domain.RoleFinance], "Person finance", domain.RoleFinance, nil)
	if err := admin.PeopleStore().AddPerson(ctx, again, teamPassword, clock().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := tm.connect(t, domain.RoleFinance).Exec(ctx, `DELETE FROM payments WHERE false`); err != nil {
		t.Errorf("re-enabled: %v", err)
	}
}

// A schema update is the owner's: a person opening a team database that
// lacks one is told to ask the admin, and nothing changes.
func TestOnlyTheOwnerUpdatesTheSchema(t *testing.T) {
	t.Parallel()
	tm := newTeam(t)
	latest, err := tm.db.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// As if this Portolan were newer than the database: its last migration not yet made.
	execPG(t, tm.dsn, fmt.Sprintf(`DELETE FROM portolan.schema_migrations WHERE version = %d`, latest))
	_, err = sqlite.OpenPostgres(ctx, pgtest.As(tm.dsn, tm.logins[domain.RoleCoordinator], teamPassword), clock)
	if err == nil || !strings.Contains(err.Error(), "only the database's owner may make") {
		t.Errorf("a person opening a database behind this Portolan: %v", err)
	}
	var v int
	c := tm.connect(t, domain.RoleCoordinator)
	if err := c.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil || v != latest-1 {
		t.Errorf("schema version %d (%v), want %d untouched", v, err, latest-1)
	}
}
