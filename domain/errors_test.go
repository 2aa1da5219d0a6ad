package domain

import (
	"net/http"
	"testing"
)

func TestHTTPStatusOfEveryCode(t *testing.T) {
	t.Parallel()
	for code, want := range map[Code]int{
		CodeInvalid: http.StatusBadRequest, CodeNotFound: http.StatusNotFound, CodeConflict: http.StatusConflict,
		CodeUnauthorized: http.StatusUnauthorized, CodeForbidden: http.StatusForbidden,
		CodeUnavailable: http.StatusServiceUnavailable, CodeTooManyAttempts: http.StatusTooManyRequests,
		CodeInternal: http.StatusInternalServerError, Code("made_up"): http.StatusInternalServerError,
	} {
		if got := code.HTTPStatus(); got != want {
			t.Errorf("%s: status %d, want %d", code, got, want)
		}
	}
}

func TestInvalidJoinsFieldErrors(t *testing.T) {
	t.Parallel()
	if Invalid(nil, nil) != nil {
		t.Fatal("no error: nil")
	}
	one := FieldError("a", "bad")
	if Invalid(nil, one) != one {
		t.Fatal("one error is itself")
	}
	err := Invalid(FieldError("a", "bad"), nil, FieldError("b", "worse"))
	de, ok := err.(*Error)
	if !ok || de.Field != "a" || de.Message != "a: bad; b: worse" || de.Code != CodeInvalid {
		t.Fatalf("joined: %#v", err)
	}
}
