package domain

import (
	"errors"
	"fmt"
)

// Sentinel errors shared by every layer. Wrap them with context; test with errors.Is.
var (
	// ErrNotFound is returned when a requested entity does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when an entity with the same identity already exists.
	ErrConflict = errors.New("already exists")
	// ErrCurrencyMismatch is returned by money arithmetic on different currencies.
	ErrCurrencyMismatch = errors.New("currency mismatch")
	// ErrPickConfirmed is a pick confirmed already (by this or another window or process).
	ErrPickConfirmed = errors.New("the pick was already confirmed")
	// ErrIllegalTransition is returned when an order status change is not allowed.
	ErrIllegalTransition = errors.New("illegal status transition")
)

// Error codes used by Error.
const (
	EINVALID  = "invalid" // the input is wrong; the message says what to fix
	ENOTFOUND = "not_found"
	ECONFLICT = "conflict"
	EINTERNAL = "internal"
)

// Error is an error with a machine code and a message a user can act on;
// Err, when set, is the sentinel it stands for (errors.Is finds it).
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string { return e.Message }

// Unwrap is the sentinel the error stands for, if any.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for other errors, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, ErrNotFound):
		return ENOTFOUND
	case errors.Is(err, ErrConflict):
		return ECONFLICT
	}
	return EINTERNAL
}
