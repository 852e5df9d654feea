package uikit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/portolan/portolan/domain"
)

// Problem is a message for the user, as an error (shown as it is).
func Problem(msg string) error { return &domain.Error{Code: domain.EINVALID, Message: msg} }

// Problemf is Problem with a format.
func Problemf(format string, args ...any) error { return Problem(fmt.Sprintf(format, args...)) }

func asPreflight(err error) bool {
	var pe *domain.PreflightError
	return errors.As(err, &pe)
}

// UserMessage is the error as a user should read it: what happened and what
// to do. An error without such words (a bug, a broken file on disk) is
// written to the log with its details, and the user told where they are.
func UserMessage(err error) string {
	var e *domain.Error
	switch {
	case AsError(err, &e):
		return e.Message
	case asPreflight(err):
		return err.Error()
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return err.Error() // a file the user chose: its name and what is wrong with it
	case errors.Is(err, context.Canceled):
		return "Cancelled; nothing more was done."
	case errors.Is(err, domain.ErrNotFound):
		return "It is no longer there (someone may have changed it): reload with F5."
	}
	slog.Error("unexpected error", "err", err)
	return "Portolan could not finish this because of an unexpected error. What was not finished was not saved; " +
		"try again. The details are in portolan.log in Portolan's settings folder (~/.config/portolan on Linux) " +
		"— send it to whoever looks after Portolan if this happens again."
}

func CountText(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return GroupThousands(int64(n)) + " " + many
}
