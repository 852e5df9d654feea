package app

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Starts while the job runs ask for one more run, at the latest time asked
// for; runs never overlap.
func TestJobRunsOneAtATimeAndCoalesces(t *testing.T) {
	var wg sync.WaitGroup
	release := make(chan struct{})
	var mu sync.Mutex
	var runs []time.Time
	running := 0
	j := &job{wg: &wg, work: func(_ context.Context, at time.Time) {
		mu.Lock()
		running++
		if running > 1 {
			t.Error("two runs at once")
		}
		runs = append(runs, at)
		first := len(runs) == 1
		mu.Unlock()
		if first {
			<-release // the first run is still going while more are asked for
		}
		mu.Lock()
		running--
		mu.Unlock()
	}}
	t0 := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	j.start(t0)
	j.start(t0.Add(time.Minute))
	j.start(t0.Add(3 * time.Minute))
	j.start(t0.Add(2 * time.Minute))
	close(release)
	wg.Wait()
	if len(runs) != 2 || !runs[0].Equal(t0) || !runs[1].Equal(t0.Add(3*time.Minute)) {
		t.Errorf("runs at %v; want the first, then one at the latest time asked for", runs)
	}
	j.start(t0.Add(time.Hour)) // idle again: runs at once
	wg.Wait()
	if len(runs) != 3 {
		t.Errorf("%d runs after the job went idle", len(runs))
	}
}
