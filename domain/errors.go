// Package domain holds Recoup's business types and the errors every layer
// shares. Of the project it imports only money, which imports nothing of it,
// so every other package can import domain.
package domain

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Code classifies an error for the caller; the HTTP layer maps it to a status in one place.
type Code string

const (
	CodeInvalid  Code = "invalid"
	CodeNotFound Code = "not_found"
	CodeConflict Code = "conflict"
	// CodeGone: what was asked for existed and was deleted for good (events past retention).
	CodeGone         Code = "gone"
	CodeUnauthorized Code = "unauthorized"
	CodeForbidden    Code = "forbidden"
	CodeUnavailable  Code = "unavailable" // a service this needs (Temporal) does not answer
	// CodeTooManyAttempts: a limit on attempts (sign-in) was reached; wait.
	CodeTooManyAttempts Code = "too_many_attempts"
	CodeInternal        Code = "internal"
)

// HTTPStatus is the status an HTTP answer (the API's and the web pages')
// gives an error with this code, in one place; an unknown code is a 500.
func (c Code) HTTPStatus() int {
	switch c {
	case CodeInvalid:
		return http.StatusBadRequest
	case CodeNotFound:
		return http.StatusNotFound
	case CodeConflict:
		return http.StatusConflict
	case CodeGone:
		return http.StatusGone
	case CodeUnauthorized:
		return http.StatusUnauthorized
	case CodeForbidden:
		return http.StatusForbidden
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	case CodeTooManyAttempts:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

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

// Invalid joins several invalid-input errors (domain.FieldError) into one
// that lists every problem, naming the first field; nil when there are none.
// An error among them that is not invalid input is returned as the join.
func Invalid(errs ...error) error {
	err := errors.Join(errs...)
	if err == nil {
		return nil
	}
	errs = err.(interface{ Unwrap() []error }).Unwrap() // the non-nil ones
	var msgs []string
	first := ""
	for _, e := range errs {
		var de *Error
		if !errors.As(e, &de) || de.Code != CodeInvalid {
			return err
		}
		if first == "" {
			first = de.Field
		}
		msgs = append(msgs, de.Message)
	}
	if len(msgs) == 1 {
		return errs[0]
	}
	return &Error{Code: CodeInvalid, Field: first, Message: strings.Join(msgs, "; ")}
}
