package app

import (
	"context"
	"strings"

	"github.com/portolan/portolan/domain"
)

// PeopleService is who is signed in and, on a team database, its people:
// an admin adds and disables them. What a role may change, the team's
// server enforces; the service says so first, in words, and the window
// offers each person only the actions their role allows.
type PeopleService struct {
	store domain.PeopleStore
	log   domain.SettingsLog
	me    domain.Person
	clocked
}

// Me is the person signed in: on a database file, the computer's user
// (its admin).
func (s *PeopleService) Me() domain.Person { return s.me }

// May says whether the person signed in may change what the area holds.
func (s *PeopleService) May(a domain.Area) bool { return s.me.Role.May(a) }

// Check is nil when the person signed in may change the area, else an
// error saying who may.
func (s *PeopleService) Check(a domain.Area) error {
	if why := s.me.Refusal(a); why != "" {
		return domain.Errorf(domain.EINVALID, "%s; ask an admin if you need it", why)
	}
	return nil
}

// List is the team: active people first, by name.
func (s *PeopleService) List(ctx context.Context) ([]domain.Person, error) {
	return s.store.People(ctx)
}

// Add adds a person to the team with a role (a warehouse person with
// their warehouses) and a password to sign in with ("": none, the server
// signs them in otherwise, e.g. by certificate).
func (s *PeopleService) Add(ctx context.Context, login, name string, role domain.Role, warehouses []string, password string) (domain.Person, error) {
	if err := s.Check(domain.AreaPeople); err != nil {
		return domain.Person{}, err
	}
	for i, w := range warehouses {
		warehouses[i] = strings.ToUpper(strings.TrimSpace(w))
	}
	p, err := domain.NewPerson(login, name, role, warehouses)
	if err != nil {
		return p, err
	}
	return p, s.store.AddPerson(ctx, p, password, s.now())
}

// Disable stops a person signing in and takes their role away: a session
// of theirs still open is refused at its next action. They stay listed,
// as the histories name them.
func (s *PeopleService) Disable(ctx context.Context, login string) error {
	if err := s.Check(domain.AreaPeople); err != nil {
		return err
	}
	return s.store.DisablePerson(ctx, strings.TrimSpace(login))
}

// SettingChanged says who last changed a settings document, and when.
func (s *PeopleService) SettingChanged(ctx context.Context, key domain.Setting) (domain.Change, error) {
	return s.log.SettingChanged(ctx, key)
}
