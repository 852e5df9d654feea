package app

import (
	"context"
	"sync"
	"time"
)

// job runs work in the background, one run at a time, off the user's path:
// a start while it runs asks for one more run afterwards (at the latest
// time asked for), so what happened meanwhile is included and nothing is
// done twice at once. wg counts runs under way (App.Wait, App.Close).
type job struct {
	work func(ctx context.Context, at time.Time)
	wg   *sync.WaitGroup

	mu      sync.Mutex
	running bool
	next    time.Time // a run asked for while one runs
}

// start runs the work for at in the background.
func (j *job) start(at time.Time) {
	j.mu.Lock()
	if j.running {
		if at.After(j.next) {
			j.next = at
		}
		j.mu.Unlock()
		return
	}
	j.running = true
	j.wg.Add(1)
	j.mu.Unlock()
	go func() {
		defer j.wg.Done()
		for {
			j.work(context.Background(), at)
			j.mu.Lock()
			if j.next.IsZero() {
				j.running = false
				j.mu.Unlock()
				return
			}
			at, j.next = j.next, time.Time{}
			j.mu.Unlock()
		}
	}()
}
