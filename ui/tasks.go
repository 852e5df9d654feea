package ui

import (
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// tasks runs slow work off the UI goroutine and applies the result through
// fyne.Do. Wait blocks until every started task (and pending debounce) has
// applied its result, which tests use instead of sleeping.
//
// It counts under its own lock rather than with a sync.WaitGroup: a result
// applied on the UI goroutine often starts the next task (a reload after a
// save), and a WaitGroup must not be added to while it is being waited on
// at zero.
type tasks struct {
	mu      sync.Mutex
	running int
	idle    *sync.Cond
	timer   *time.Timer
}

func (t *tasks) add(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.addLocked(n)
}

func (t *tasks) addLocked(n int) {
	t.running += n
	if t.running == 0 && t.idle != nil {
		t.idle.Broadcast()
	}
}

// uiSerial keeps results applied one at a time. Fyne runs fyne.Do functions
// one after another on the UI goroutine anyway; Fyne's test driver runs them on
// the calling goroutine, where this lock gives the same guarantee.
var uiSerial sync.Mutex

// onUI applies fn on the UI goroutine. Never call it from inside fn.
func onUI(fn func()) {
	fyne.Do(func() {
		uiSerial.Lock()
		defer uiSerial.Unlock()
		fn()
	})
}

// run calls work on a new goroutine; the func it returns runs on the UI goroutine.
func (t *tasks) run(work func() (apply func())) {
	t.add(1)
	go func() {
		defer t.add(-1)
		apply := work()
		if apply != nil {
			onUI(apply)
		}
	}()
}

// debounce runs fn on the UI goroutine once d has passed without another call.
func (t *tasks) debounce(d time.Duration, fn func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer != nil && t.timer.Stop() {
		t.addLocked(-1)
	}
	t.addLocked(1)
	t.timer = time.AfterFunc(d, func() {
		defer t.add(-1)
		onUI(fn)
	})
}

// Wait blocks until all tasks have finished.
func (t *tasks) Wait() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.idle == nil {
		t.idle = sync.NewCond(&t.mu)
	}
	for t.running > 0 {
		t.idle.Wait()
	}
}

// logError records a background error; screens also show it where the user looks.
func logError(msg string, err error) {
	slog.Error(msg, "err", err)
}
