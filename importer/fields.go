package importer

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	// Embedded zones are a fallback for hosts without a tz database (Go still
	// prefers the host's): every binary that links the importer, recoup
	// included, can check and load zones anywhere.
	_ "time/tzdata"
	"unicode/utf8"

	"golang.org/x/text/language"

	"recoup/domain"
	"recoup/money"
)

// column is one field of an import kind, named as in the CSV header and the JSON objects.
type column struct {
	name     string
	required bool
}

func columnIndex(cols []column) map[string]int {
	m := make(map[string]int, len(cols))
	for i, c := range cols {
		m[c.name] = i
	}
	return m
}

func columnNames(cols []column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// row converts the text fields of one record into typed values, keeping the
// first problem found as the row's rejection.
type row struct {
	rec  record
	cols []column
	bad  *Rejection
}

func (r *row) fail(i int, format string, args ...any) {
	if r.bad == nil {
		r.bad = &Rejection{Line: r.rec.line, Field: r.cols[i].name, Reason: fmt.Sprintf(format, args...)}
	}
}

// str returns the field, rejecting the row if a required one is empty, or
// holds what Postgres cannot store as text (invalid UTF-8, NUL).
func (r *row) str(i int) string {
	v := r.rec.vals[i]
	switch {
	case v == "" && r.cols[i].required:
		r.fail(i, "%s is required", r.cols[i].name)
	case !utf8.ValidString(v):
		r.fail(i, "%s %q is not valid UTF-8", r.cols[i].name, v)
		return ""
	case strings.ContainsRune(v, 0):
		r.fail(i, "%s %q contains a NUL character", r.cols[i].name, v)
		return ""
	}
	return v
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)

// id is an external identifier or code: printable, no spaces, bounded.
func (r *row) id(i int) string {
	v := r.str(i)
	if v != "" && !codePattern.MatchString(v) {
		r.fail(i, "%s %q: use up to 64 letters, digits, '.', '_', '/' or '-'", r.cols[i].name, v)
	}
	return v
}

// text is free text bounded in length.
func (r *row) text(i int, max int) string {
	v := r.str(i)
	if len(v) > max {
		r.fail(i, "%s is longer than %d bytes", r.cols[i].name, max)
	}
	return v
}

func (r *row) date(i int) time.Time {
	v := r.str(i)
	if v == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		r.fail(i, "%s %q: want a date as YYYY-MM-DD", r.cols[i].name, v)
	}
	return d
}

func (r *row) currency(i int) money.Currency {
	v := r.str(i)
	if v == "" {
		return money.Currency{}
	}
	c, err := money.ParseCurrency(v)
	if err != nil {
		r.fail(i, "%v", err)
	}
	return c
}

// amount parses a non-negative decimal in the currency's unit into minor units.
func (r *row) amount(i int, c money.Currency) int64 {
	v := r.str(i)
	if v == "" || c.IsZero() {
		return 0
	}
	m, err := money.ParseMinor(v, c)
	if err != nil {
		r.fail(i, "%s: %v", r.cols[i].name, err)
		return 0
	}
	if m < 0 {
		r.fail(i, "%s %q: must not be negative", r.cols[i].name, v)
	}
	return m
}

func (r *row) country(i int) string {
	v := strings.ToUpper(r.str(i))
	if v == "" {
		return ""
	}
	reg, err := language.ParseRegion(v)
	if err != nil || len(v) != 2 || !reg.IsCountry() {
		r.fail(i, "%s %q: want an ISO 3166 two-letter country code", r.cols[i].name, v)
	}
	return v
}

func (r *row) language(i int) string {
	v := r.str(i)
	if v == "" {
		return ""
	}
	tag, err := language.Parse(v)
	if err != nil {
		r.fail(i, "%s %q: want a language code such as en, fr or pt-BR", r.cols[i].name, v)
		return ""
	}
	return tag.String()
}

func (r *row) timezone(i int) string {
	v := r.str(i)
	if v == "" {
		return ""
	}
	if _, err := time.LoadLocation(v); err != nil || v == "Local" {
		r.fail(i, "%s %q: want an IANA time zone such as Europe/Paris", r.cols[i].name, v)
	}
	return v
}

func (r *row) email(i int) string {
	v := strings.ToLower(r.str(i))
	if v == "" {
		return ""
	}
	if !domain.IsEmail(v) {
		r.fail(i, "%s %q: not an email address", r.cols[i].name, v)
	}
	return v
}

var phonePattern = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// phone wants E.164 ("+33612345678"): SMS and calls go through Twilio, which needs it.
func (r *row) phone(i int) string {
	v := strings.NewReplacer(" ", "", "-", "", ".", "", "(", "", ")", "").Replace(r.str(i))
	if v != "" && !phonePattern.MatchString(v) {
		r.fail(i, "%s %q: want an international number such as +33612345678", r.cols[i].name, r.rec.vals[i])
	}
	return v
}

func (r *row) oneOf(i int, allowed ...string) string {
	v := strings.ToLower(r.str(i))
	if v == "" {
		return ""
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(i, "%s %q: want one of %s", r.cols[i].name, v, strings.Join(allowed, ", "))
	return v
}

// roleNames are the roles a users file may give, as oneOf takes them.
var roleNames = func() []string {
	out := make([]string, len(domain.Roles))
	for i, r := range domain.Roles {
		out[i] = string(r)
	}
	return out
}()
