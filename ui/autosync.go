package ui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// AutoSyncIntervals are the choices offered, in minutes (0 = off).
var AutoSyncIntervals = []int{0, 5, 15, 30, 60}

const autoSyncPref = "autosync.minutes"

// AutoSync pulls every syncable channel every few minutes while the window is
// open, quietly in the background, and reports the outcome in one line.
type AutoSync struct {
	svc    SyncService
	prefs  fyne.Preferences
	tasks  *uikit.Tasks
	after  func() // on the UI goroutine after a run, e.g. reload the screens
	Status *widget.Label
	Choice *widget.Select

	mu      sync.Mutex
	stop    chan struct{}
	running bool
}

// NewAutoSync restores the interval saved in prefs and starts it.
func NewAutoSync(svc SyncService, prefs fyne.Preferences, t *uikit.Tasks, after func()) *AutoSync {
	a := &AutoSync{svc: svc, prefs: prefs, tasks: t, after: after, Status: widget.NewLabel("")}
	a.Status.Importance = widget.LowImportance
	opts := make([]string, len(AutoSyncIntervals))
	for i, m := range AutoSyncIntervals {
		opts[i] = intervalLabel(m)
	}
	a.Choice = widget.NewSelect(opts, nil)
	minutes := prefs.IntWithFallback(autoSyncPref, 0)
	a.Choice.SetSelected(intervalLabel(minutes))
	a.Choice.OnChanged = func(string) {
		m := AutoSyncIntervals[max(a.Choice.SelectedIndex(), 0)]
		prefs.SetInt(autoSyncPref, m)
		a.Set(time.Duration(m) * time.Minute)
	}
	a.Set(time.Duration(minutes) * time.Minute)
	return a
}

func intervalLabel(minutes int) string {
	if minutes == 0 {
		return "Automatic sync: off"
	}
	return fmt.Sprintf("Automatic sync: every %d min", minutes)
}

// Set (re)starts the timer; 0 stops it.
func (a *AutoSync) Set(every time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stop != nil {
		close(a.stop)
		a.stop = nil
	}
	if every <= 0 {
		return
	}
	stop := make(chan struct{})
	a.stop = stop
	uikit.Every(every, stop, a.RunOnce)
}

// Stop ends the timer (when the window closes).
func (a *AutoSync) Stop() { a.Set(0) }

// RunOnce syncs every syncable channel now unless a run is still going.
func (a *AutoSync) RunOnce() {
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return
	}
	a.running = true
	a.mu.Unlock()
	a.tasks.Run(func() func() {
		defer func() {
			a.mu.Lock()
			a.running = false
			a.mu.Unlock()
		}()
		ctx := context.Background()
		chans, err := a.svc.Channels(ctx)
		var added, updated int
		var failed []string
		var todo []domain.Channel
		for _, c := range chans {
			if ok, _, serr := a.svc.Syncable(ctx, c); serr == nil && ok {
				todo = append(todo, c)
			}
		}
		var mu sync.Mutex
		a.svc.SyncEach(ctx, todo, time.Time{}, nil, func(c domain.Channel, run domain.SyncRun, serr error) {
			mu.Lock()
			defer mu.Unlock()
			added, updated = added+run.New, updated+run.Updated
			if serr != nil || run.Status != domain.SyncComplete {
				failed = append(failed, c.Name)
			}
		})
		sort.Strings(failed)
		at := a.svc.Now().Local().Format("15:04")
		return func() {
			switch {
			case err != nil:
				a.Status.SetText(fmt.Sprintf("Automatic sync %s: %s", at, uikit.UserMessage(err)))
				a.Status.Importance = widget.DangerImportance
			case len(failed) > 0:
				a.Status.SetText(fmt.Sprintf("Automatic sync %s: %d new, %d updated; did not complete: %s (see Channels)",
					at, added, updated, strings.Join(failed, ", ")))
				a.Status.Importance = widget.WarningImportance
			default:
				a.Status.SetText(fmt.Sprintf("Automatic sync %s: %d new, %d updated", at, added, updated))
				a.Status.Importance = widget.LowImportance
			}
			a.Status.Refresh()
			if a.after != nil {
				a.after()
			}
		}
	})
}
