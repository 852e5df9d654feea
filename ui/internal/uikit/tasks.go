// Package uikit holds what Portolan's screens share: background tasks that
// apply their results on the UI goroutine (Tasks, OnUI), pages of rows for
// virtualised tables (Pager), table and label helpers, number and time
// formats, saving and opening documents, and errors in a user's words
// (UserMessage, Problem). The window (ui) and its areas (ui/warehouse,
// ui/billing) use it; nothing outside ui can.
package uikit

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// Tasks runs slow work off the UI goroutine and applies the result through
// fyne.Do. Wait blocks until every started task (and pending debounce) has
// applied its result, which tests use instead of sleeping.
//
// It counts under its own lock rather than with a sync.WaitGroup: a result
// applied on the UI goroutine often starts the next task (a reload after a
// save), and a WaitGroup must not be added to while it is being waited on
// at zero.
type Tasks struct {
	mu      sync.Mutex
	running int
	idle    *sync.Cond
	timer   *time.Timer
}

func (t *Tasks) add(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.addLocked(n)
}

func (t *Tasks) addLocked(n int) {
	t.running += n
	if t.running == 0 && t.idle != nil {
		t.idle.Broadcast()
	}
}

// Serial keeps results applied one at a time. Fyne runs fyne.Do functions
// one after another on the UI goroutine anyway; Fyne's test driver runs them on
// the calling goroutine, where this lock gives the same guarantee.
var Serial sync.Mutex

// OnUI applies fn on the UI goroutine. Never call it from inside fn.
func OnUI(fn func()) {
	fyne.Do(func() {
		Serial.Lock()
		defer Serial.Unlock()
		fn()
	})
}

// run calls work on a new goroutine; the func it returns runs on the UI goroutine.
func (t *Tasks) Run(work func() (apply func())) {
	t.add(1)
	go func() {
		defer t.add(-1)
		apply := work()
		if apply != nil {
			OnUI(apply)
		}
	}()
}

// Load runs read in the background; on the UI goroutine it then shows
// read's error in problem (what names what was being read), or runs the
// func read returned (which applies what it read to the widgets).
func (t *Tasks) Load(problem ProblemLabel, what string, read func(ctx context.Context) (apply func(), err error)) {
	t.Run(func() func() {
		apply, err := read(context.Background())
		return func() {
			if err != nil {
				problem.Show(what, err)
				return
			}
			if apply != nil {
				apply()
			}
		}
	})
}

// debounce runs fn on the UI goroutine once d has passed without another call.
func (t *Tasks) Debounce(d time.Duration, fn func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer != nil && t.timer.Stop() {
		t.addLocked(-1)
	}
	t.addLocked(1)
	t.timer = time.AfterFunc(d, func() {
		defer t.add(-1)
		OnUI(fn)
	})
}

// Wait blocks until all Tasks have finished.
func (t *Tasks) Wait() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.idle == nil {
		t.idle = sync.NewCond(&t.mu)
	}
	for t.running > 0 {
		t.idle.Wait()
	}
}

// LogError records a background error; screens also show it where the user looks.
func LogError(msg string, err error) {
	slog.Error(msg, "err", err)
}

// Every runs do every interval, off the UI goroutine, until stop is closed.
func Every(interval time.Duration, stop <-chan struct{}, do func()) {
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				do()
			}
		}
	}()
}
