// Package domain holds Recoup's business types and the errors every layer
// shares. Of the project it imports only money, which imports nothing of it,
// so every other package can import domain.
package domain

import (
	"errors"
	"fmt"
)

// Code classifies an error for the caller; the HTTP layer maps it to a status in one place.
type Code string

const (
	CodeInvalid      Code = "invalid"
	CodeNotFound     Code = "not_found"
	CodeConflict     Code = "conflict"
	CodeUnauthorized Code = "unauthorized"
	CodeForbidden    Code = "forbidden"
	CodeUnavailable  Code = "unavailable" // a service this needs (Temporal) does not answer
	CodeInternal     Code = "internal"
)

// Error is an error meant for the user: a code and a message that says what is wrong.
type Error struct {
	Code    Code
	Message string
	Field   string // the input field at fault, when there is one
}

func (e *Error) Error() string { return e.Message }

// Errorf builds an *Error.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError is an invalid-input error about one field.
func FieldError(field, format string, args ...any) error {
	return &Error{Code: CodeInvalid, Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, CodeInternal when it carries none.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
