package ui

// WithUI runs fn as if on the UI goroutine: while background results are
// applied one at a time, a test's own widget actions must not overlap them.
func WithUI(fn func()) {
	uiSerial.Lock()
	defer uiSerial.Unlock()
	fn()
}

// UserMessage is userMessage, for the tests.
var UserMessage = userMessage
