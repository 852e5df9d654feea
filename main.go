// Command portolan is the Portolan desktop application and its command line:
// with no command it opens the window, otherwise it runs the command (see --help).
package main

import (
	"io"
	"log/slog"
	"os"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/app/cli"
	"github.com/portolan/portolan/ui"
	_ "github.com/portolan/portolan/ui/localeenv" // before Fyne reads the locale
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr, app.Options{}, openWindow))
}

func openWindow(a *app.App) error {
	// What the window cannot say in a user's words goes, with its details, to the log.
	if f, _, err := app.OpenLog(); err == nil {
		defer f.Close()
		slog.SetDefault(slog.New(slog.NewTextHandler(io.MultiWriter(f, os.Stderr), nil)))
	}
	fa := fyneapp.NewWithID("io.portolan.desktop")
	fa.SetIcon(ui.Icon)
	w := ui.NewMainWindow(fa, ui.Services{Orders: a.Orders, Inventory: a.Inventory, Warehouse: a.Inventory, Allocation: a.Allocation, Sample: a.Demo, Sync: a.Intake, Channels: a.Intake, Tracking: a.Tracking, Billing: a.Billing,
		People: a.People, Team: a.DBFile() == "", DBPath: a.DBPath(), Notices: a.Notices()})
	w.Start()
	w.Window.ShowAndRun()
	return nil
}
