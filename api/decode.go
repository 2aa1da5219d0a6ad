package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"recoup/domain"
)

// decodeJSON reads one JSON object into v: bounded in size, unknown fields and
// trailing data refused, with a message that says where the body is wrong.
//
// Postgres cannot store NUL or invalid UTF-8 in text, so both are refused here,
// with the field named, rather than failing later as a server error. JSON
// write endpoints take no query parameters, so any is refused too.
func decodeJSON(c *gin.Context, v any) error {
	if err := queryParams(c); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	if err != nil {
		return err
	}
	if !utf8.Valid(body) {
		return domain.FieldError("body", "is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
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
	// More() misses a stray } or ]; only the end of input is clean.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return domain.FieldError("body", "unexpected data after the JSON object")
	}
	if field, ok := nulIn(reflect.ValueOf(v), "body"); ok {
		return domain.FieldError(field, "contains a NUL character")
	}
	return nil
}

// nulIn finds a string holding NUL anywhere in v and names its JSON field.
func nulIn(v reflect.Value, field string) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return nulIn(v.Elem(), field)
		}
	case reflect.String:
		return field, strings.ContainsRune(v.String(), 0)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 { // json.RawMessage: JSON escapes NUL, decoders check it
			return "", false
		}
		for i := range v.Len() {
			if f, ok := nulIn(v.Index(i), field); ok {
				return f, true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if f, ok := nulIn(it.Value(), field); ok {
				return f, true
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "" {
				name = sf.Name
			}
			if f, ok := nulIn(v.Field(i), name); ok {
				return f, true
			}
		}
	}
	return "", false
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
