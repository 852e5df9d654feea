package ui_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui"
)

// Users read what happened and what to do; the details of an unexpected
// error go to the log, not onto the screen.
func TestUserMessages(t *testing.T) {
	var logged bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	o := domain.Order{Number: "SH-100042", Status: domain.StatusShipped}
	illegal := o.TransitionTo(domain.StatusAllocated, testClock.Now(), "test")
	for _, tt := range []struct {
		err        error
		want, not  string
		wantLogged bool
	}{
		{fmt.Errorf("allocate: %w", illegal), "Order SH-100042 is", "illegal", false},
		{domain.Errorf(domain.EINVALID, "Type a whole number above 0."), "Type a whole number above 0.", "", false},
		{fmt.Errorf("load: %w", context.Canceled), "Cancelled", "context", false},
		{fmt.Errorf("sql: database disk image is malformed (11)"), "portolan.log", "malformed", true},
	} {
		logged.Reset()
		got := ui.UserMessage(tt.err)
		if !strings.Contains(got, tt.want) || (tt.not != "" && strings.Contains(got, tt.not)) {
			t.Errorf("%v: %q", tt.err, got)
		}
		if tt.wantLogged != strings.Contains(logged.String(), "malformed") {
			t.Errorf("%v: logged %q", tt.err, logged.String())
		}
	}
	if !errors.Is(illegal, domain.ErrIllegalTransition) {
		t.Errorf("the transition error lost its sentinel: %v", illegal)
	}
}
