package ui

import "github.com/portolan/portolan/ui/internal/uikit"

// WithUI runs fn as if on the UI goroutine: while background results are
// applied one at a time, a test's own widget actions must not overlap them.
func WithUI(fn func()) {
	uikit.Serial.Lock()
	defer uikit.Serial.Unlock()
	fn()
}

// UserMessage is userMessage, for the tests.
var UserMessage = uikit.UserMessage
