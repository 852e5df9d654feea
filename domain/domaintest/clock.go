// Package domaintest gives tests their "today" and a clock to hand to
// app.Open or a store. It is imported by tests only.
//
// The tests' today is the date in PORTOLAN_TEST_TODAY (YYYY-MM-DD), else the
// real date; `make test` passes whatever it is, which is how the suite shows
// it does not depend on the day it runs.
package domaintest

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// EnvToday names the environment variable that sets the tests' today.
const EnvToday = "PORTOLAN_TEST_TODAY"

// Today is the tests' today at 00:00 UTC: PORTOLAN_TEST_TODAY, else the
// real date. A malformed value panics, naming the variable.
func Today() time.Time {
	if v := os.Getenv(EnvToday); v != "" {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			panic(fmt.Sprintf("%s=%q: want YYYY-MM-DD", EnvToday, v))
		}
		return d
	}
	return time.Now().UTC().Truncate(24 * time.Hour)
}

// Clock is a test's clock: it starts at the tests' today, 12:00 UTC, and
// moves on with real time (so what happens one after the other is stamped
// one after the other) until Set moves it elsewhere.
type Clock struct {
	mu     sync.Mutex
	at     time.Time // what the clock read when ...
	origin time.Time // ... the computer's clock read this (monotonic)
}

// NewClock is a clock at the tests' today, 12:00 UTC.
func NewClock() *Clock {
	return &Clock{at: Today().Add(12 * time.Hour), origin: time.Now()}
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at.Add(time.Since(c.origin))
}

// Set moves the clock to t; it moves on from there.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.origin = t, time.Now()
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// Month is the month n months from the tests' today ("2026-11" for n = -1
// in December 2026).
func Month(n int) string { return MonthStart(n).Format("2006-01") }

// MonthStart is the first day of the month n months from today, 00:00 UTC.
func MonthStart(n int) time.Time {
	t := Today()
	return time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
}
