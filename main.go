// Command portolan is the Portolan desktop application and its command line:
// with no command it opens the window, otherwise it runs the command (see --help).
package main

import (
	"io"
	"log/slog"
	"os"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/app/cli"
	"github.com/portolan/portolan/ui"
	_ "github.com/portolan/portolan/ui/localeenv" // before Fyne reads the locale
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr, app.Options{}, openWindow))
}

// openWindow opens the window on a, or first the sign-in form of a team
// database whose server refused the sign-in.
func openWindow(a *app.App, signIn *cli.SignIn) error {
	// What the window cannot say in a user's words goes, with its details, to the log.
	if f, _, err := app.OpenLog(); err == nil {
		defer f.Close()
		slog.SetDefault(slog.New(slog.NewTextHandler(io.MultiWriter(f, os.Stderr), nil)))
	}
	fa := fyneapp.NewWithID("io.portolan.desktop")
	fa.SetIcon(ui.Icon)
	if a != nil {
		mainWindow(fa, a).ShowAndRun()
		return nil
	}
	var s *ui.SignInWindow
	s = ui.NewSignInWindow(fa, signIn.Address, signIn.Login, signIn.Problem, func(login, password string) error {
		a, err := signIn.Open(login, password)
		if err != nil {
			return err
		}
		fyne.Do(func() {
			mainWindow(fa, a).Show()
			s.Window.Close()
		})
		return nil
	})
	s.Window.ShowAndRun()
	return nil
}

// mainWindow is Portolan's window on a, started.
func mainWindow(fa fyne.App, a *app.App) fyne.Window {
	s := ui.Services{Overview: a.Overview, Trends: a.Trends, Orders: a.Orders, Inventory: a.Inventory, Warehouse: a.Inventory, Labels: a.Labels, Allocation: a.Allocation,
		Sample: a.Demo, Sync: a.Intake, Channels: a.Intake, Tracking: a.Tracking, Billing: a.Billing,
		People: a.People, Team: a.DBFile() == "", DBPath: a.DBPath(), Notices: a.Notices(), ChannelShipping: a.Labels.SetChannelShipping}
	if s.Team { // colleagues' changes show within a moment
		s.Live = a.Watch
	}
	w := ui.NewMainWindow(fa, s)
	w.Window.SetMaster()
	w.Start()
	// The open orders' ship-by, in case the database was last opened by a
	// Portolan that did not keep it, or a colleague's calendar changed.
	a.Promises.RefreshLater()
	return w.Window
}
