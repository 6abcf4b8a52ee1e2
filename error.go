package parley

import (
	"errors"
	"fmt"
)

// Error codes. Services return *Error with one of these; only the HTTP
// layer turns a code into a status, in one table.
const (
	ECONFLICT     = "conflict"      // a concurrent change won (stale version, duplicate)
	EINTERNAL     = "internal"      // a bug or an unexpected failure; details are logged, not shown
	EINVALID      = "invalid"       // the input is malformed or breaks a rule
	ENOTFOUND     = "not_found"     // the thing does not exist (or the caller may not know it does)
	EUNAUTHORIZED = "unauthorized"  // no valid credentials (bad signature, no session)
	EFORBIDDEN    = "forbidden"     // valid credentials, not allowed
	ETOOLARGE     = "too_large"     // the body or upload exceeds a limit
	EUNAVAILABLE  = "unavailable"   // a dependency is down: try again later
	ERATELIMITED  = "rate_limited"  // too many requests
	EUNSUPPORTED  = "not_supported" // the channel or platform cannot do this
)

// Error is Parley's error value: a machine code, a message safe to show to
// the caller, and optionally the error underneath (never shown) and details
// (shown, e.g. the current state on a conflict).
type Error struct {
	Code    string
	Message string
	Details any
	Err     error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap exposes the wrapped error to errors.Is/As.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError attaches a code and message to an underlying error.
func WrapError(code string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the caller-safe message of err; internal errors get a
// generic text so that nothing private leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "internal error"
}

// ErrorDetails returns the details of the first *Error in err's chain.
func ErrorDetails(err error) any {
	var e *Error
	if errors.As(err, &e) {
		return e.Details
	}
	return nil
}
