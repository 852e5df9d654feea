package app

import (
	"sync"
	"time"
)

// Options configure Open.
type Options struct {
	// Now is the clock every service and store reads: the one place the
	// time comes from. Nil is the computer's clock; tests set their own.
	Now func() time.Time
	// Secrets says where credentials are kept: "system" (the operating
	// system's credential store where one answers, else the database file)
	// or "database" (the database file, owner-only). "" reads
	// $PORTOLAN_SECRETS, and without it means "system".
	Secrets string
}

// clocked gives a service the App's clock and, for its screens, Now.
type clocked struct{ now func() time.Time }

// Now is the current time by the App's clock (the screens' "today").
func (c clocked) Now() time.Time { return c.now() }

// clock is the App's one clock. The demo pins it while it replays history
// (an invoice issued the morning after its month, a delivery received on
// its day); everything else only reads it.
type clock struct {
	base func() time.Time
	mu   sync.RWMutex
	pin  time.Time
}

func newClock(now func() time.Time) *clock {
	if now == nil {
		now = time.Now // the one reading of the computer's clock
	}
	return &clock{base: now}
}

// Now is the current time: the pinned one while the demo replays history.
func (c *clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if !c.pin.IsZero() {
		return c.pin
	}
	return c.base()
}

// at pins the clock to t until the returned function is called.
func (c *clock) at(t time.Time) (release func()) {
	c.mu.Lock()
	c.pin = t
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		c.pin = time.Time{}
		c.mu.Unlock()
	}
}

// Clock is the clock these options give: Now, or the computer's clock.
// The command line hands it to what runs without a database (the sandbox).
func (o Options) Clock() func() time.Time { return newClock(o.Now).Now }
