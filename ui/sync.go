package ui

import (
	"context"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// SyncDialog pulls new and changed orders from every channel that can be
// synced, all channels at once in the background (a slow or throttled store
// does not hold up the others), with a progress bar and a line per channel, a
// Cancel button and a summary at the end.
type SyncDialog struct {
	svc    SyncService
	window fyne.Window
	tasks  *uikit.Tasks
	done   func() // after the last channel, on the UI goroutine

	// Only limits the sync to one channel; Since re-pulls from a time instead of the cursor.
	Only  *domain.Channel
	Since time.Time

	Rows    map[string]*widget.Label       // per channel name: progress, then the result
	Bars    map[string]*widget.ProgressBar // per channel name: received of what the store reported
	Summary *widget.Label
	Cancel  *widget.Button
	dialog  *dialog.CustomDialog
}

// NewSyncDialog prepares the dialog; Start shows it and begins.
func NewSyncDialog(svc SyncService, w fyne.Window, t *uikit.Tasks, done func()) *SyncDialog {
	return &SyncDialog{svc: svc, window: w, tasks: t, done: done, Rows: map[string]*widget.Label{}, Bars: map[string]*widget.ProgressBar{}}
}

type syncTarget struct {
	ch     domain.Channel
	reason string // why it is skipped; "" when it syncs
}

// Start lists the channels, shows the dialog and syncs them.
func (d *SyncDialog) Start() {
	d.tasks.Run(func() func() {
		targets, err := d.targets(context.Background())
		return func() {
			if err != nil {
				uikit.LogError("sync", err)
				dialog.ShowError(uikit.Problem(uikit.UserMessage(err)), d.window)
				return
			}
			d.show(targets)
		}
	})
}

// targets lists the channels to sync, each with why it is skipped, if it is.
func (d *SyncDialog) targets(ctx context.Context) ([]syncTarget, error) {
	chans := []domain.Channel{}
	if d.Only != nil {
		chans = append(chans, *d.Only)
	} else {
		var err error
		if chans, err = d.svc.Channels(ctx); err != nil {
			return nil, err
		}
	}
	targets := make([]syncTarget, 0, len(chans))
	for _, c := range chans {
		ok, why, err := d.svc.Syncable(ctx, c)
		if err != nil {
			return nil, err
		}
		if ok {
			why = ""
		}
		targets = append(targets, syncTarget{ch: c, reason: why})
	}
	return targets, nil
}

// channelProgress is one channel's row: a bar that fills as orders arrive
// when the store reports how many there are, a moving bar when it does not.
type channelProgress struct {
	label *widget.Label
	bar   *widget.ProgressBar
	busy  *widget.ProgressBarInfinite
}

func newChannelProgress(state *widget.Label, syncs bool) (*channelProgress, fyne.CanvasObject) {
	p := &channelProgress{label: state, bar: widget.NewProgressBar(), busy: widget.NewProgressBarInfinite()}
	p.bar.Hide()
	if !syncs {
		p.busy.Stop()
		p.busy.Hide()
	}
	return p, container.NewVBox(state, container.NewStack(p.bar, p.busy))
}

// update shows a run in progress (UI goroutine).
func (p *channelProgress) update(r domain.SyncRun) {
	p.label.SetText(fmt.Sprintf("%s orders received…", uikit.GroupThousands(int64(r.Fetched))))
	if r.Reported > 0 {
		p.busy.Stop()
		p.busy.Hide()
		p.bar.Show()
		p.bar.SetValue(min(1, float64(r.Fetched)/float64(r.Reported)))
		return
	}
	p.bar.Hide()
	p.busy.Show()
	p.busy.Start()
}

// finish shows how the run ended (UI goroutine).
func (p *channelProgress) finish(text string, importance widget.Importance, complete bool, fetched int) {
	p.busy.Stop()
	p.busy.Hide()
	switch {
	case complete:
		p.bar.Show()
		p.bar.SetValue(1)
	case fetched == 0:
		p.bar.Hide() // nothing arrived: the message says why
	}
	p.label.SetText(text)
	p.label.Importance = importance
	p.label.Refresh()
}

func (d *SyncDialog) show(targets []syncTarget) {
	ctx, cancel := context.WithCancel(context.Background())
	form := widget.NewForm()
	var todo []domain.Channel
	rows := map[string]*channelProgress{}
	for _, t := range targets {
		state := widget.NewLabel("connecting…")
		if t.reason != "" {
			state.SetText("skipped: " + t.reason)
			state.Importance = widget.LowImportance
		} else {
			todo = append(todo, t.ch)
		}
		state.Wrapping = fyne.TextWrapWord
		row, obj := newChannelProgress(state, t.reason == "")
		d.Rows[t.ch.Name], d.Bars[t.ch.Name], rows[t.ch.Name] = state, row.bar, row
		form.Append(t.ch.Name, obj)
	}
	d.Summary = uikit.Wrapped("")
	if len(todo) == 0 {
		d.Summary.SetText("No channel can be synced yet. Add a store with \"portolan channels add\", or try one with \"portolan sandbox\".")
	}
	d.Cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), cancel)
	closeBtn := widget.NewButton("Close", func() { d.dialog.Hide() })
	closeBtn.Hide()
	content := container.NewVBox(form, d.Summary, container.NewCenter(container.NewHBox(d.Cancel, closeBtn)))
	d.dialog = dialog.NewCustomWithoutButtons("Sync orders", content, d.window)
	d.dialog.Resize(fyne.NewSize(620, 0))
	d.dialog.Show()
	finish := func(summary string) {
		d.Cancel.Hide()
		closeBtn.Show()
		if summary != "" {
			d.Summary.SetText(summary)
		}
		cancel()
		if d.done != nil {
			d.done()
		}
	}
	if len(todo) == 0 {
		finish("")
		return
	}
	d.tasks.Run(func() func() {
		var mu sync.Mutex
		var failed, added, updated int
		d.svc.SyncEach(ctx, todo, d.Since, func(ch domain.Channel, r domain.SyncRun) {
			uikit.OnUI(func() { rows[ch.Name].update(r) })
		}, func(ch domain.Channel, run domain.SyncRun, err error) {
			text := runText(run)
			if err != nil && run.Status == "" {
				text = uikit.UserMessage(err)
			}
			mu.Lock()
			added, updated = added+run.New, updated+run.Updated
			if err != nil || run.Status != domain.SyncComplete {
				failed++
			}
			mu.Unlock()
			importance := statusOfRun(run, err)
			uikit.OnUI(func() {
				rows[ch.Name].finish(text, importance, err == nil && run.Status == domain.SyncComplete, run.Fetched)
			})
		})
		return func() {
			summary := fmt.Sprintf("%s new and %s updated orders.", uikit.GroupThousands(int64(added)), uikit.GroupThousands(int64(updated)))
			if failed > 0 {
				summary += fmt.Sprintf(" %d channel(s) did not complete; see above.", failed)
			}
			finish(summary)
		}
	})
}

func runText(r domain.SyncRun) string {
	if r.Status == domain.SyncFailed && r.Fetched == 0 && r.Error != "" {
		return "failed: " + r.Error
	}
	t := fmt.Sprintf("%s: %s received — %s new, %s updated, %s unchanged, %s quarantined", r.Status,
		uikit.GroupThousands(int64(r.Fetched)), uikit.GroupThousands(int64(r.New)), uikit.GroupThousands(int64(r.Updated)),
		uikit.GroupThousands(int64(r.Unchanged)), uikit.GroupThousands(int64(r.Quarantined)))
	if r.Error != "" {
		t += "\n" + r.Error
	}
	return t
}

func statusOfRun(r domain.SyncRun, err error) widget.Importance {
	switch {
	case err == nil && r.Status == domain.SyncComplete:
		return widget.SuccessImportance
	case r.Status == domain.SyncCancelled, r.Status == domain.SyncGap:
		return widget.WarningImportance
	}
	return widget.DangerImportance
}
