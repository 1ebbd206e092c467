// Package partyworks holds the domain of the party-building work platform:
// its types, the service interfaces that the storage implements, and the
// pure rules (names, symbols, dates, access). It imports only the standard
// library; every other package points to it.
package partyworks

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in one table (web/errors.go).
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	EINTERNAL     = "internal"
	ETOOMANY      = "too_many_requests"
)

// Error is the one error type the domain returns. Message is safe to show
// to the user; Field names the input at fault, when there is one.
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("partyworks %s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("partyworks %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an invalid-input *Error about one field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	var rows RowErrors
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	} else if errors.As(err, &rows) {
		return EINVALID
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. Internal errors get
// a generic message: their details are for the log, not the user.
func ErrorMessage(err error) string {
	var e *Error
	var rows RowErrors
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	} else if errors.As(err, &rows) {
		return rows.Error()
	}
	return "Internal error."
}

// ErrorField returns the field an invalid-input error names, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
