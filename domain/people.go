package domain

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Role is what a person of a team may do. On a team database the server
// enforces it (each role is a group role with its own privileges); the
// window shows a person only the actions their role allows.
type Role string

// The roles of a team.
const (
	RoleCoordinator Role = "coordinator" // orders, allocation, channels, carriers, tracking
	RoleWarehouse   Role = "warehouse"   // receiving, putaway, transfers, counts, waves, packing, dispatch, documents
	RoleFinance     Role = "finance"     // billing, rate cards, invoices, payments, carrier invoices, exports
	RoleAdmin       Role = "admin"       // people and settings, and everything the others do
)

// Roles lists the roles in the order they are offered.
var Roles = []Role{RoleCoordinator, RoleWarehouse, RoleFinance, RoleAdmin}

// ParseRole reads a role's name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Roles, r) {
		return "", Errorf(EINVALID, "there is no role %q; the roles are coordinator, warehouse, finance and admin", s)
	}
	return r, nil
}

// Area is a part of Portolan that a role may change.
type Area string

// The areas of Portolan.
const (
	AreaOrders    Area = "orders"    // orders, intake, allocation, channels, carrier accounts, tracking
	AreaWarehouse Area = "warehouse" // stock, waves, packing, dispatch, documents
	AreaBilling   Area = "billing"   // clients, rates, invoices, payments, carrier invoices
	AreaPeople    Area = "people"    // people and their roles
)

// areaRoles is who may change each area (everyone may read every area).
var areaRoles = map[Area][]Role{
	AreaOrders:    {RoleCoordinator, RoleAdmin},
	AreaWarehouse: {RoleWarehouse, RoleAdmin},
	AreaBilling:   {RoleFinance, RoleAdmin},
	AreaPeople:    {RoleAdmin},
}

// areaWords name what an area holds, for people.
var areaWords = map[Area]string{
	AreaOrders:    "orders, allocation, channels, carriers and tracking",
	AreaWarehouse: "stock and warehouse work",
	AreaBilling:   "billing",
	AreaPeople:    "the team's people",
}

// May says whether the role may change what the area holds.
func (r Role) May(a Area) bool { return slices.Contains(areaRoles[a], r) }

// Person is someone who signs in to a team database. On a single-user
// (SQLite) database the computer's user is its admin.
type Person struct {
	Login      string // the login role on the server (or the computer's user)
	Name       string
	Role       Role
	Warehouses []string // a warehouse person's warehouses (codes)
	Active     bool
	Created    time.Time
	CreatedBy  string
	// Owner says the person is the database's owner, who may do anything
	// whether or not the team lists them.
	Owner bool
}

// Refusal says why the person may not change an area, "" when they may.
func (p Person) Refusal(a Area) string {
	if p.Role.May(a) {
		return ""
	}
	var who []string
	for _, r := range areaRoles[a] {
		who = append(who, string(r))
	}
	return fmt.Sprintf("%s is signed in as %s; changing %s is for the %s role", p.DisplayName(), p.Role, areaWords[a], strings.Join(who, " or "))
}

// DisplayName is the person's name, else their login.
func (p Person) DisplayName() string {
	if p.Name != "" {
		return p.Name
	}
	return p.Login
}

// loginPattern is what a login may look like: lower-case letters, digits,
// '.', '_' and '-', starting with a letter (a PostgreSQL role name that
// needs no quoting in psql, and no trouble in a .pgpass file).
var loginPattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{0,47}$`)

// NewPerson checks a person to add to a team.
func NewPerson(login, name string, role Role, warehouses []string) (Person, error) {
	login = strings.TrimSpace(login)
	if !loginPattern.MatchString(login) {
		return Person{}, Errorf(EINVALID, "the login %q is not usable: use lower-case letters, digits, '.', '_' or '-', starting with a letter (at most 48)", login)
	}
	if strings.TrimSpace(name) == "" {
		return Person{}, Errorf(EINVALID, "give %s's name, as colleagues know them", login)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return Person{}, err
	}
	if role == RoleWarehouse && len(warehouses) == 0 {
		return Person{}, Errorf(EINVALID, "a warehouse person works in one or more warehouses: name them (--warehouse CODE)")
	}
	if role != RoleWarehouse && len(warehouses) > 0 {
		return Person{}, Errorf(EINVALID, "only warehouse people are tied to warehouses (%s works in all of them)", role)
	}
	return Person{Login: login, Name: strings.TrimSpace(name), Role: role, Warehouses: warehouses, Active: true}, nil
}

// PeopleStore keeps a team's people: on a team database each is a login
// role of the server in one of the team's group roles.
type PeopleStore interface {
	// Me is the person signed in.
	Me(ctx context.Context) (Person, error)
	People(ctx context.Context) ([]Person, error)
	// AddPerson adds a person with a password ("" for none: they sign in
	// as the server allows otherwise, e.g. a certificate).
	AddPerson(ctx context.Context, p Person, password string, at time.Time) error
	// DisablePerson stops a person signing in and takes their role away.
	DisablePerson(ctx context.Context, login string) error
}

// Change is who last changed something, and when (zero: nobody yet, or
// before Portolan recorded it).
type Change struct {
	By string
	At time.Time
}

// String reads "by ana.novak on 2026-12-06 08:55" in the reader's local time.
func (c Change) String() string {
	if c.At.IsZero() {
		return ""
	}
	by := c.By
	if by == "" {
		by = "someone"
	}
	return fmt.Sprintf("by %s on %s", by, c.At.Local().Format("2006-01-02 15:04"))
}

// AnyTable is what a watch of the database says when it cannot say which
// tables changed (after reconnecting; a SQLite file does not say).
const AnyTable = "*"

// Setting names a document of settings.
type Setting string

// The settings documents, each changed by its role.
const (
	SettingAllocation Setting = "allocation"      // the planner's (coordinators)
	SettingShipping   Setting = "shipping"        // customs papers and slips (warehouse)
	SettingCompany    Setting = "billing.company" // the invoicing company (finance)
)

// SettingsLog says who last changed a settings document.
type SettingsLog interface {
	SettingChanged(ctx context.Context, s Setting) (Change, error)
}
