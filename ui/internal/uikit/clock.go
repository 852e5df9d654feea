package uikit

import "time"

// Clock is the App's clock as a service gives it: screens take "now" and
// "today" from it, never from the computer's clock.
type Clock interface {
	Now() time.Time
}
