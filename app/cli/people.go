package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
)

// personFlags are the flags that describe a person to add.
type personFlags struct {
	login, name, password *string
	warehouses            multiFlag
}

func addPersonFlags(fs *cmdFlags, loginFlag, loginHelp string) *personFlags {
	p := &personFlags{
		login:    fs.String(loginFlag, "", loginHelp),
		name:     fs.String("name", "", "the person's name, as colleagues know them (default: the login)"),
		password: fs.String("password", "", "their first password (default: asked; \"-\" reads it from the standard input)"),
	}
	fs.Var(&p.warehouses, "warehouse", "a warehouse they work in (warehouse role; repeat for several)")
	return p
}

// add adds the person the flags describe, asking for the password.
func (p *personFlags) add(ctx context.Context, a *app.App, role domain.Role, stderr io.Writer) (domain.Person, error) {
	name := *p.name
	if name == "" {
		name = *p.login
	}
	password := *p.password
	if password == "" || password == "-" {
		var err error
		if password, err = askPassword(fmt.Sprintf("Password for %s: ", *p.login), password == "-", stderr); err != nil {
			return domain.Person{}, err
		}
	}
	return a.People.Add(ctx, *p.login, name, role, p.warehouses, password)
}

// askable says whether a refused sign-in to address may be answered by
// asking for the password: a person is at the terminal, and the address
// did not carry a password already.
func askable(address string) bool {
	return app.LoginOf(address) != "" && !hasPassword(address) && term.IsTerminal(int(os.Stdin.Fd()))
}

// hasPassword says whether a postgres:// address carries a password.
func hasPassword(address string) bool {
	u, err := url.Parse(address)
	if err != nil || u.User == nil {
		return false
	}
	_, has := u.User.Password()
	return has
}

// askPassword reads a password: on a terminal without showing it (twice),
// otherwise (or with fromStdin) the first line of the standard input.
func askPassword(prompt string, fromStdin bool, stderr io.Writer) (string, error) {
	fd := int(os.Stdin.Fd())
	if fromStdin || !term.IsTerminal(fd) {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", usageError{fmt.Sprintf("no password on the standard input (%v); give one, or --password", err)}
		}
		return line, nil
	}
	var pw [2]string
	for i, p := range []string{prompt, "Again: "} {
		fmt.Fprint(stderr, p)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		pw[i] = string(b)
	}
	if pw[0] != pw[1] {
		return "", domain.Errorf(domain.EINVALID, "the two passwords differ; nothing was changed")
	}
	if len(pw[0]) < 8 {
		return "", domain.Errorf(domain.EINVALID, "a password of fewer than 8 characters is too easy to guess; nothing was changed")
	}
	return pw[0], nil
}

func cmdUsersAdd(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("users add", "Adds a person to the team database (admins only): a login of the server in one of the team's\n"+
		"roles — coordinator (orders, allocation, channels, carriers), warehouse (their warehouses' stock, waves,\n"+
		"packing, dispatch, documents), finance (billing) or admin (people and settings, and all of the above).\n"+
		"The server enforces the role, whatever program the person signs in with. The password is sent to the\n"+
		"server only as a SCRAM-SHA-256 verifier. Adding someone who was disabled gives them their sign-in back.", stdout, stderr)
	p := addPersonFlags(fs, "login", "their login on the server (lower case, e.g. ana.novak)")
	role := fs.String("role", "", "coordinator, warehouse, finance or admin")
	fs.usageIf(func() bool { return *p.login == "" || *role == "" }, "users add: give --login and --role")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	r, err := domain.ParseRole(*role)
	if err != nil {
		return err
	}
	person, err := p.add(ctx, a, r, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Added %s (%s) as %s%s; they sign in with --db %s\n", person.Name, person.Login, person.Role,
		inWarehouses(person), a.SignInAddress(person.Login))
	return nil
}

func inWarehouses(p domain.Person) string {
	if len(p.Warehouses) == 0 {
		return ""
	}
	return " in " + strings.Join(p.Warehouses, ", ")
}

func cmdUsersList(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("users list", "Lists the team's people, their roles and warehouses, and who added them.", stdout, stderr)
	format := formatFlag(fs, "table", "json")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	people, err := a.People.List(ctx)
	if err != nil {
		return err
	}
	if *format == "json" {
		return printJSON(stdout, people)
	}
	return printTable(stdout, "LOGIN\tNAME\tROLE\tWAREHOUSES\tSTATUS\tADDED\tBY", func(add func(string, ...any)) {
		for _, p := range people {
			status := "active"
			if !p.Active {
				status = "disabled"
			}
			add("%s\t%s\t%s\t%s\t%s\t%s\t%s", p.Login, p.Name, p.Role, orDash(strings.Join(p.Warehouses, " ")), status,
				p.Created.Local().Format(time.DateOnly), orDash(p.CreatedBy))
		}
	})
}

func cmdUsersDisable(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("users disable", "Stops a person signing in and takes their role away (admins only): a Portolan of theirs\n"+
		"still open is refused at its next action. They stay listed, as the histories name them.", stdout, stderr)
	login := fs.String("login", "", "their login")
	fs.usageIf(func() bool { return *login == "" }, "users disable: give --login")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	if err := a.People.Disable(ctx, *login); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s can no longer sign in.\n", *login)
	return nil
}

func cmdDBInit(ctx context.Context, open opener, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("db init", "Prepares an empty PostgreSQL database for a team (run it as the database's owner, a role that\n"+
		"may create roles): Portolan's schema, the team's four roles with their privileges, and the first admin,\n"+
		"who then adds the others (portolan users add).", stdout, stderr)
	p := addPersonFlags(fs, "admin", "the first admin's login on the server (lower case, e.g. ana.novak)")
	fs.usageIf(func() bool { return *p.login == "" }, "db init: give --admin LOGIN")
	a, err := start(fs, args, open)
	if err != nil {
		return err
	}
	if a.DBFile() != "" {
		return domain.Errorf(domain.EINVALID, "db init prepares a team database on a PostgreSQL server (--db postgres://…); "+
			"a database file needs no preparing")
	}
	person, err := p.add(ctx, a, domain.RoleAdmin, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "The team database %s is ready. %s (%s) is its admin and signs in with --db %s\n",
		a.DBPath(), person.Name, person.Login, a.SignInAddress(person.Login))
	return nil
}

// printChanged adds who last changed a settings document, when anyone did.
func printChanged(ctx context.Context, w io.Writer, a *app.App, key domain.Setting) {
	if c, err := a.People.SettingChanged(ctx, key); err == nil && !c.At.IsZero() {
		fmt.Fprintf(w, "Last changed %s.\n", c)
	}
}
