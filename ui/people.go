package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// PeopleService is who is signed in and the team; app.PeopleService
// implements it.
type PeopleService interface {
	Me() domain.Person
	May(a domain.Area) bool
	List(ctx context.Context) ([]domain.Person, error)
	Add(ctx context.Context, login, name string, role domain.Role, warehouses []string, password string) (domain.Person, error)
	Disable(ctx context.Context, login string) error
}

// PeopleScreen is where a team database's admin sees its people, adds
// someone with a role (a warehouse person with their warehouses) and a
// first password, and disables someone who left.
type PeopleScreen struct {
	svc        PeopleService
	warehouses func(ctx context.Context) ([]domain.Warehouse, error)
	window     fyne.Window
	tasks      uikit.Tasks

	List    *widget.Table
	Add     *widget.Button
	Disable *widget.Button
	Status  *widget.Label
	Problem uikit.ProblemLabel

	people   []domain.Person
	selected int
	content  fyne.CanvasObject

	// The add form (AddPerson).
	Login, Name, Password, Again *widget.Entry
	Role                         *widget.Select
	Warehouses                   *widget.CheckGroup
	FormProblem                  *widget.Label
	form                         dialog.Dialog
}

// NewPeopleScreen builds the People screen.
func NewPeopleScreen(svc PeopleService, warehouses func(ctx context.Context) ([]domain.Warehouse, error), w fyne.Window) *PeopleScreen {
	s := &PeopleScreen{svc: svc, warehouses: warehouses, window: w, selected: -1}
	type person = domain.Person
	s.List = uikit.NewListTable(&s.people,
		uikit.Col("Name", func(p person) string { return p.Name }).Wide(200),
		uikit.Col("Login", func(p person) string { return p.Login }).Wide(200),
		uikit.Col("Role", func(p person) string { return string(p.Role) }).Wide(110),
		uikit.Col("Warehouses", func(p person) string { return strings.Join(p.Warehouses, ", ") }).Wide(150),
		uikit.Marked("Status", func(p person, l *widget.Label) {
			l.Importance = widget.SuccessImportance
			l.SetText("active")
			if !p.Active {
				l.Importance = widget.LowImportance
				l.SetText("disabled")
			}
		}).Wide(90),
		uikit.Col("Added", func(p person) string { return uikit.LocalAt(p.Created, "2006-01-02 15:04") }).Wide(140),
		uikit.Col("By", func(p person) string { return p.CreatedBy }).Wide(160),
	)
	s.List.OnSelected = func(id widget.TableCellID) {
		s.selected = id.Row
		uikit.SetEnabled(id.Row < len(s.people) && s.people[id.Row].Active && s.people[id.Row].Login != svc.Me().Login, s.Disable)
	}
	s.Add = widget.NewButtonWithIcon("Add person…", theme.ContentAddIcon(), s.AddPerson)
	s.Add.Importance = widget.HighImportance
	s.Disable = widget.NewButtonWithIcon("Disable", theme.CancelIcon(), s.confirmDisable)
	s.Disable.Disable()
	s.Status = uikit.Wrapped("")
	s.Problem = uikit.NewProblemLabel()
	help := uikit.Wrapped("Each person signs in to the team database as themselves. Their role decides what they may change, " +
		"and the server enforces it whatever program they use: coordinator (orders, allocation, channels, carriers), " +
		"warehouse (their warehouses' stock, waves, packing, dispatch), finance (billing), admin (people and settings, and all of these). " +
		"Everyone may read everything.")
	top := container.NewVBox(uikit.Heading("People"), help, container.NewHBox(s.Add, s.Disable), s.Status, s.Problem.Label)
	s.content = container.NewBorder(top, nil, nil, nil, s.List)
	return s
}

// Content is the screen's content.
func (s *PeopleScreen) Content() fyne.CanvasObject { return s.content }

// Reload reads the team again.
func (s *PeopleScreen) Reload() {
	s.tasks.Load(s.Problem, "reading the team", func(ctx context.Context) (func(), error) {
		people, err := s.svc.List(ctx)
		return func() {
			s.Problem.Hide()
			s.people = people
			s.selected = -1
			s.List.UnselectAll()
			s.Disable.Disable()
			s.List.Refresh()
		}, err
	})
}

// FocusSearch has nothing to search; it selects the list.
func (s *PeopleScreen) FocusSearch() { s.window.Canvas().Focus(nil) }

// Wait waits for the screen's background work (tests).
func (s *PeopleScreen) Wait() { s.tasks.Wait() }

// AddPerson opens the form that adds a person, once the warehouses to
// choose from are read.
func (s *PeopleScreen) AddPerson() {
	s.tasks.Load(s.Problem, "reading the warehouses", func(ctx context.Context) (func(), error) {
		whs, err := s.warehouses(ctx)
		return func() { s.openForm(whs) }, err
	})
}

// openForm shows the form that adds a person, with the warehouses whs.
func (s *PeopleScreen) openForm(whs []domain.Warehouse) {
	s.Login, s.Name = widget.NewEntry(), widget.NewEntry()
	s.Login.SetPlaceHolder("their login on the server, e.g. ana.novak")
	s.Name.SetPlaceHolder("as colleagues know them")
	s.Password, s.Again = widget.NewPasswordEntry(), widget.NewPasswordEntry()
	roles := make([]string, len(domain.Roles))
	for i, r := range domain.Roles {
		roles[i] = string(r)
	}
	codes := make([]string, len(whs))
	for i, w := range whs {
		codes[i] = w.Code
	}
	s.Warehouses = widget.NewCheckGroup(codes, nil)
	s.Warehouses.Horizontal = true
	s.Role = widget.NewSelect(roles, func(r string) {
		if r == string(domain.RoleWarehouse) {
			s.Warehouses.Enable()
		} else {
			s.Warehouses.SetSelected(nil)
			s.Warehouses.Disable()
		}
	})
	s.Role.SetSelected(string(domain.RoleCoordinator))
	s.FormProblem = uikit.FormProblem()
	form := widget.NewForm(
		widget.NewFormItem("Login", s.Login),
		widget.NewFormItem("Name", s.Name),
		widget.NewFormItem("Role", s.Role),
		widget.NewFormItem("Warehouses", s.Warehouses),
		widget.NewFormItem("First password", s.Password),
		widget.NewFormItem("Again", s.Again),
	)
	note := uikit.Wrapped("The password goes to the server only as a SCRAM verifier; Portolan keeps none. Tell it to them in person.")
	s.form = dialog.NewCustomConfirm("Add a person", "Add", "Cancel", container.NewVBox(form, note, s.FormProblem), func(ok bool) {
		if ok {
			s.SaveNewPerson()
		}
	}, s.window)
	s.form.Resize(fyne.NewSize(620, 460))
	s.form.Show()
}

// SaveNewPerson adds the person the form describes; a problem keeps the
// form open with what to fix.
func (s *PeopleScreen) SaveNewPerson() {
	if s.Password.Text != s.Again.Text {
		s.FormProblem.SetText("The two passwords differ.")
		s.form.Show()
		return
	}
	if len(s.Password.Text) < 8 {
		s.FormProblem.SetText("A password of fewer than 8 characters is too easy to guess.")
		s.form.Show()
		return
	}
	login, name, role, whs, pw := s.Login.Text, s.Name.Text, domain.Role(s.Role.Selected), append([]string(nil), s.Warehouses.Selected...), s.Password.Text
	s.Status.SetText("Adding " + login + "…")
	s.tasks.Run(func() func() {
		p, err := s.svc.Add(context.Background(), login, name, role, whs, pw)
		return func() {
			if err != nil {
				s.Status.SetText("")
				s.FormProblem.SetText(uikit.UserMessage(err))
				s.form.Show()
				return
			}
			where := ""
			if len(p.Warehouses) > 0 {
				where = " in " + strings.Join(p.Warehouses, ", ")
			}
			s.Status.SetText("Added " + p.Name + " as " + string(p.Role) + where + ". They sign in with their login and password.")
			s.Reload()
		}
	})
}

func (s *PeopleScreen) confirmDisable() {
	if s.selected < 0 || s.selected >= len(s.people) {
		return
	}
	p := s.people[s.selected]
	dialog.ShowConfirm("Disable "+p.Name, p.Name+" ("+p.Login+") will no longer be able to sign in, and a Portolan of theirs "+
		"still open is refused at its next action. They stay listed, as the histories name them.", func(ok bool) {
		if ok {
			s.DisablePerson(p.Login)
		}
	}, s.window)
}

// DisablePerson disables a person.
func (s *PeopleScreen) DisablePerson(login string) {
	s.tasks.Run(func() func() {
		err := s.svc.Disable(context.Background(), login)
		return func() {
			if err != nil {
				s.Problem.Show("disabling "+login, err)
				return
			}
			s.Status.SetText(login + " can no longer sign in.")
			s.Reload()
		}
	})
}
