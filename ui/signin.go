package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/ui/internal/uikit"
)

// SignInWindow asks for the login and password of a team database whose
// server refused the sign-in (no password in the address, PGPASSWORD or
// ~/.pgpass, or a wrong one). The password stays in memory, for the
// connection only.
type SignInWindow struct {
	Window   fyne.Window
	Login    *widget.Entry
	Password *widget.Entry
	SignIn   *widget.Button
	Problem  *widget.Label

	tasks uikit.Tasks
	try   func(login, password string) error
}

// NewSignInWindow shows the sign-in form for the database at address (no
// password in it); problem is why the server refused the last sign-in. try
// signs in, opening the main window when it succeeds; its error stays on
// the form.
func NewSignInWindow(a fyne.App, address, login, problem string, try func(login, password string) error) *SignInWindow {
	a.Settings().SetTheme(NewTheme())
	s := &SignInWindow{Window: a.NewWindow("Portolan — sign in"), try: try}
	s.Window.SetIcon(Icon)
	s.Login = widget.NewEntry()
	s.Login.SetText(login)
	s.Login.SetPlaceHolder("your login on the team's server")
	s.Password = widget.NewPasswordEntry()
	s.Password.OnSubmitted = func(string) { s.Submit() }
	s.SignIn = widget.NewButton("Sign in", s.Submit)
	s.SignIn.Importance = widget.HighImportance
	s.Problem = uikit.FormProblem()
	s.Problem.SetText(problem)
	where := uikit.Wrapped("Team database: " + address)
	note := uikit.Wrapped("Your login and password are your own, from your team's admin. Portolan sends the password to the " +
		"server only to sign in, and keeps it nowhere; to sign in without typing it, put it in ~/.pgpass.")
	note.Importance = widget.LowImportance
	form := widget.NewForm(widget.NewFormItem("Login", s.Login), widget.NewFormItem("Password", s.Password))
	s.Window.SetContent(container.NewPadded(container.NewVBox(uikit.Heading("Sign in to your team's Portolan"), where, form,
		container.NewHBox(s.SignIn), s.Problem, note)))
	s.Window.Resize(fyne.NewSize(640, 320))
	s.Window.CenterOnScreen()
	if login == "" {
		s.Window.Canvas().Focus(s.Login)
	} else {
		s.Window.Canvas().Focus(s.Password)
	}
	return s
}

// Submit signs in with what the form holds, off the UI goroutine (the
// server may be far away).
func (s *SignInWindow) Submit() {
	login, password := s.Login.Text, s.Password.Text
	if login == "" || password == "" {
		s.Problem.SetText("Give your login and your password.")
		return
	}
	s.SignIn.Disable()
	s.Problem.SetText("Signing in…")
	s.tasks.Run(func() func() {
		err := s.try(login, password)
		return func() {
			s.SignIn.Enable()
			if err != nil {
				s.Problem.SetText(uikit.UserMessage(err))
				s.Password.SetText("")
				s.Window.Canvas().Focus(s.Password)
				return
			}
			s.Problem.SetText("")
		}
	})
}

// Wait waits for a sign-in under way (tests).
func (s *SignInWindow) Wait() { s.tasks.Wait() }
