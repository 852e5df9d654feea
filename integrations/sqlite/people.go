package sqlite

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/portolan/portolan/domain"
)

// PeopleStore keeps a team database's people (see pgmigrations/0004):
// each is a login role of the server, member of one of the database's
// group roles, with a row in people naming them and their warehouses.
type PeopleStore struct{ *DB }

// TeamOnly says whether a table is a team database's only: its people and
// roles (a file has one person, the computer's user).
func TeamOnly(table string) bool {
	return table == "team_roles" || table == "people" || table == "person_warehouses"
}

// PGOnlyColumn says whether a column is PostgreSQL's only: what it keeps
// to search orders fast (SQLite has its FTS5 tables instead). A copy
// leaves them out; the server computes them.
func PGOnlyColumn(table, column string) bool {
	return table == "orders" && (column == "search_fold" || column == "search_starts")
}

// PeopleStore is the store of the team's people.
func (db *DB) PeopleStore() *PeopleStore { return &PeopleStore{db} }

var _ domain.PeopleStore = (*PeopleStore)(nil)

// errNoTeam is what a single-user database says of people.
var errNoTeam = domain.Errorf(domain.EINVALID, "this database is one person's file, with no team: people sign in to a team database "+
	"on a PostgreSQL server (see the README, \"Team server\")")

// Me implements domain.PeopleStore. On SQLite it is the computer's user,
// the file's admin. On a team database it is the session's login: the
// database's owner (or a superuser) is an admin whether listed or not;
// anyone else must be an active person who still holds their role.
func (db *PeopleStore) Me(ctx context.Context) (domain.Person, error) {
	if !db.pg {
		var login string
		if err := db.read.QueryRowContext(ctx, `SELECT who()`).Scan(&login); err != nil {
			return domain.Person{}, translate(err)
		}
		return domain.Person{Login: login, Role: domain.RoleAdmin, Active: true, Owner: true}, nil
	}
	var (
		login, name, role, createdBy  string
		owner, member, listed, active bool
		created                       int64
	)
	err := db.read.QueryRowContext(ctx, `
		SELECT session_user,
		       coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
		           OR pg_has_role(session_user, (SELECT nspowner FROM pg_namespace WHERE nspname = 'portolan'), 'MEMBER'),
		       p.login IS NOT NULL, coalesce(p.name, ''), coalesce(p.role, ''), coalesce(p.active, 0) = 1,
		       coalesce(p.created_at, 0), coalesce(p.who, ''),
		       p.role IS NOT NULL AND pg_has_role(session_user, team_role(p.role), 'MEMBER')
		FROM (SELECT 1) AS one LEFT JOIN people p ON p.login = session_user`).
		Scan(&login, &owner, &listed, &name, &role, &active, &created, &createdBy, &member)
	if err != nil {
		return domain.Person{}, translate(err)
	}
	me := domain.Person{Login: login, Name: name, Role: domain.Role(role), Active: active, Created: fromMS(created), CreatedBy: createdBy, Owner: owner}
	switch {
	case owner:
		me.Role, me.Active = domain.RoleAdmin, true
		return me, nil
	case !listed:
		return me, domain.Errorf(domain.EINVALID, "%s is not one of this team database's people; ask its admin to add you (portolan users add)", login)
	case !active || !member:
		return me, domain.Errorf(domain.EINVALID, "%s no longer has a role on this team database; ask its admin", login)
	}
	me.Warehouses, err = queryList(ctx, db.read, func(rows *sql.Rows, code *string) error { return rows.Scan(code) },
		`SELECT w.code FROM person_warehouses pw JOIN warehouses w ON w.id = pw.warehouse_id WHERE pw.login = session_user ORDER BY w.code`)
	return me, translate(err)
}

// People implements domain.PeopleStore: the team, by name.
func (db *PeopleStore) People(ctx context.Context) ([]domain.Person, error) {
	if !db.pg {
		me, err := db.Me(ctx)
		return []domain.Person{me}, err
	}
	return queryList(ctx, db.read, func(rows *sql.Rows, p *domain.Person) error {
		var role, warehouses string
		var active int64
		var created int64
		if err := rows.Scan(&p.Login, &p.Name, &role, &active, &created, &p.CreatedBy, &warehouses); err != nil {
			return err
		}
		p.Role, p.Active, p.Created = domain.Role(role), active == 1, fromMS(created)
		return json.Unmarshal([]byte(warehouses), &p.Warehouses)
	}, `SELECT p.login, p.name, p.role, p.active, p.created_at, p.who,
	           coalesce((SELECT json_agg(w.code ORDER BY w.code) FROM person_warehouses pw JOIN warehouses w ON w.id = pw.warehouse_id
	                     WHERE pw.login = p.login), '[]')
	    FROM people p ORDER BY p.active DESC, lower(p.name), p.login`)
}

// AddPerson implements domain.PeopleStore: the login role is created (or,
// for someone the server knows already, allowed to sign in again), made a
// member of the role's group role and listed, in one transaction. The
// password reaches the server only as a SCRAM-SHA-256 verifier, so neither
// the server's logs nor its catalog ever hold it.
func (db *PeopleStore) AddPerson(ctx context.Context, p domain.Person, password string, at time.Time) error {
	if !db.pg {
		return errNoTeam
	}
	verifier := ""
	if password != "" {
		var err error
		if verifier, err = scramVerifier(password); err != nil {
			return err
		}
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		ids := make([]int64, len(p.Warehouses))
		for i, code := range p.Warehouses {
			if err := tx.QueryRowContext(ctx, `SELECT id FROM warehouses WHERE code = ?`, code).Scan(&ids[i]); err != nil {
				return missing(err, "there is no warehouse %s", code)
			}
		}
		groups, err := teamRoles(ctx, tx)
		if err != nil {
			return err
		}
		var exists, listed bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?), EXISTS (SELECT 1 FROM people WHERE login = ?)`,
			p.Login, p.Login).Scan(&exists, &listed); err != nil {
			return err
		}
		var active bool
		if listed {
			if err := tx.QueryRowContext(ctx, `SELECT active = 1 FROM people WHERE login = ?`, p.Login).Scan(&active); err != nil {
				return err
			}
			if active {
				return domain.Errorf(domain.ECONFLICT, "%s is on the team already; disable them first to change their role", p.Login)
			}
		}
		login := pgx.Identifier{p.Login}.Sanitize()
		verb := "CREATE"
		if exists {
			verb = "ALTER"
		}
		stmt := verb + " ROLE " + login + " LOGIN"
		if verifier != "" {
			stmt += " PASSWORD '" + verifier + "'" // base64 and "$:" only: nothing to escape
		}
		if p.Role == domain.RoleAdmin {
			stmt += " CREATEROLE" // adds people
		}
		for _, q := range []string{stmt, "GRANT " + pgx.Identifier{groups[p.Role]}.Sanitize() + " TO " + login} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		if p.Role == domain.RoleAdmin {
			for _, r := range domain.Roles {
				if _, err := tx.ExecContext(ctx, "GRANT "+pgx.Identifier{groups[r]}.Sanitize()+" TO "+login+" WITH ADMIN OPTION"); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO people (login, name, role, active, created_at, who) VALUES (?, ?, ?, 1, ?, who())
			ON CONFLICT (login) DO UPDATE SET name = excluded.name, role = excluded.role, active = 1, created_at = excluded.created_at, who = excluded.who`,
			p.Login, p.Name, string(p.Role), millis(at)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM person_warehouses WHERE login = ?`, p.Login); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO person_warehouses (login, warehouse_id) VALUES (?, ?)`, p.Login, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// DisablePerson implements domain.PeopleStore: the login may no longer sign
// in and loses every role of the team, so a session still open is refused
// at its next action; the person stays listed (their name is in the
// histories).
func (db *PeopleStore) DisablePerson(ctx context.Context, login string) error {
	if !db.pg {
		return errNoTeam
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var me string
		var active int64
		if err := tx.QueryRowContext(ctx, `SELECT session_user, (SELECT active FROM people WHERE login = ?)`, login).Scan(&me, &active); err != nil {
			return missing(err, "%s is not one of the team's people", login)
		}
		if login == me {
			return domain.Errorf(domain.EINVALID, "you cannot disable yourself; another admin can")
		}
		groups, err := teamRoles(ctx, tx)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(groups))
		for _, r := range domain.Roles {
			names = append(names, pgx.Identifier{groups[r]}.Sanitize())
		}
		ident := pgx.Identifier{login}.Sanitize()
		for _, q := range []string{"REVOKE " + strings.Join(names, ", ") + " FROM " + ident, "ALTER ROLE " + ident + " NOLOGIN"} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE people SET active = 0 WHERE login = ?`, login)
		return err
	})
}

// teamRoles are the names of the database's group roles.
func teamRoles(ctx context.Context, q querier) (map[domain.Role]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT role, name FROM team_roles`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[domain.Role]string{}
	for rows.Next() {
		var r, n string
		if err := rows.Scan(&r, &n); err != nil {
			return nil, err
		}
		out[domain.Role(r)] = n
	}
	if len(out) != len(domain.Roles) {
		return nil, errors.New("the team database's roles are incomplete (team_roles); run portolan db init again")
	}
	return out, rows.Err()
}

// scramIterations is the SCRAM-SHA-256 iteration count, PostgreSQL's default.
const scramIterations = 4096

// scramVerifier is what PostgreSQL keeps of a password for SCRAM-SHA-256
// sign-in (RFC 5802/7677, in PostgreSQL's format): computed here, so that
// the password itself never travels to the server.
func scramVerifier(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, scramIterations, sha256.Size)
	if err != nil {
		return "", err
	}
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	stored := sha256.Sum256(mac(salted, "Client Key"))
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", scramIterations, b64(salt), b64(stored[:]), b64(mac(salted, "Server Key"))), nil
}
