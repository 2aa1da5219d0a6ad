package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"recoup/domain"
)

// decodeJSON reads one JSON object into v: bounded in size, unknown fields and
// trailing data refused, with a message that says where the body is wrong.
func decodeJSON(c *gin.Context, v any) error {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody)
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return err
		case errors.Is(err, io.EOF):
			return domain.FieldError("body", "empty: want a JSON object")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return domain.FieldError("body", "the JSON ends too early")
		case errors.As(err, &syntax):
			return domain.FieldError("body", "invalid JSON at byte %d: %v", syntax.Offset, syntax)
		case errors.As(err, &typ) && typ.Field == "":
			return domain.FieldError("body", "want a JSON object, got JSON %s", typ.Value)
		case errors.As(err, &typ):
			return domain.FieldError(typ.Field, "want %s, got JSON %s", typ.Type, typ.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			if field == "" {
				return domain.FieldError("body", `unknown field ""`)
			}
			return domain.FieldError(field, "unknown field")
		}
		return domain.FieldError("body", "%v", err)
	}
	if dec.More() {
		return domain.FieldError("body", "unexpected data after the JSON object")
	}
	return nil
}

// joinedInvalid turns several invalid-input errors (errors.Join of
// domain.FieldError) into one, listing every problem, first field first.
func joinedInvalid(err error) error {
	multi, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	var msgs []string
	first := ""
	for _, e := range multi.Unwrap() {
		var de *domain.Error
		if !errors.As(e, &de) || de.Code != domain.CodeInvalid {
			return err
		}
		if first == "" {
			first = de.Field
		}
		msgs = append(msgs, de.Message)
	}
	return &domain.Error{Code: domain.CodeInvalid, Field: first, Message: fmt.Sprint(strings.Join(msgs, "; "))}
}
