package importer

import (
	"encoding/base64"
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

// column is one field of an import kind, declared once: its name in the CSV
// header and the JSON objects, whether a row must fill it, the parser that
// turns its cell into a staged value, and the staging column that value lands
// in. The staging column is named after the field unless stage says otherwise;
// its SQL type is the parser's, since the parser decides the Go value staged.
type column struct {
	name     string
	required bool
	parse    parser
	stage    string
}

func (c column) stageName() string {
	if c.stage != "" {
		return c.stage
	}
	return c.name
}

// The SQL types a staged value can have.
const (
	sqlText    = "text"
	sqlBigint  = "bigint"
	sqlDate    = "date"
	sqlBoolean = "boolean"
	sqlBytea   = "bytea"
)

// parser turns one cell into its staged value, rejecting the row through
// c.fail when the cell is bad. It may read the staged value of a sibling
// column, which it names in siblings so the declaration is checked at init:
// a sibling must be declared before the column, so it is parsed (and good) by then.
type parser struct {
	sqlType  string
	siblings []string
	parse    func(c cell) any
}

func textual(f func(c cell) string) parser {
	return parser{sqlType: sqlText, parse: func(c cell) any { return f(c) }}
}

// The parsers the kinds are declared with.
var (
	identifier   = textual(cell.id)
	countryCode  = textual(cell.country)
	currencyCode = textual(func(c cell) string { return c.currency().Code() })
	languageTag  = textual(cell.language)
	timeZone     = textual(cell.timezone)
	emailAddress = textual(cell.email)
	phoneNumber  = textual(cell.phone)
	date         = parser{sqlType: sqlDate, parse: func(c cell) any { return c.date() }}
)

// consent is true, false or empty (unknown: staged NULL, the entity's
// default decides).
var consent = parser{sqlType: sqlBoolean, parse: func(c cell) any {
	switch c.oneOf([]string{"true", "false"}) {
	case "true":
		return true
	case "false":
		return false
	}
	return nil
}}

// decimalRate is an exchange rate: a positive decimal with at most 12 digits
// before and 12 after the point (numeric(24, 12)), staged as its text so no
// float ever holds it.
var decimalRate = textual(cell.rate)

// text is free text of at most max bytes.
func text(max int) parser {
	return textual(func(c cell) string { return c.text(max) })
}

// oneOf is a word from a closed list, compared without case.
func oneOf(allowed ...string) parser {
	return textual(func(c cell) string { return c.oneOf(allowed) })
}

// flag reads a word from allowed and stages whether it is set: the file says
// more than the staging table keeps.
func flag(set string, allowed ...string) parser {
	return parser{sqlType: sqlBoolean, parse: func(c cell) any { return c.oneOf(allowed) == set }}
}

// dateNotBefore is a date no earlier than the sibling date column earlier.
func dateNotBefore(earlier string) parser {
	return parser{sqlType: sqlDate, siblings: []string{earlier}, parse: func(c cell) any {
		d := c.date()
		first, raw := c.sibling(earlier)
		if f, ok := first.(time.Time); ok && !c.failed() && d.Before(f) {
			c.fail("%s %s is before %s %s", c.col.name, c.raw(), earlier, raw)
		}
		return d
	}}
}

// amountIn is a non-negative amount in the currency named by the sibling
// column currency, staged in minor units; an empty cell is staged as NULL.
func amountIn(currency string) parser {
	return parser{sqlType: sqlBigint, siblings: []string{currency}, parse: func(c cell) any {
		return c.amount(c.currencyOf(currency))
	}}
}

// positiveAmountIn is amountIn without zero.
func positiveAmountIn(currency string) parser {
	p := amountIn(currency)
	base := p.parse
	p.parse = func(c cell) any {
		v := base(c)
		if v == int64(0) && !c.failed() {
			c.fail("%s must be more than zero", c.col.name)
		}
		return v
	}
	return p
}

// amountAtMost is amountIn no larger than the sibling amount column larger.
func amountAtMost(currency, larger string) parser {
	p := amountIn(currency)
	p.siblings = append(p.siblings, larger)
	base := p.parse
	p.parse = func(c cell) any {
		v := base(c)
		limit, raw := c.sibling(larger)
		m, ok := v.(int64)
		l, lok := limit.(int64)
		if ok && lok && !c.failed() && m > l {
			c.fail("%s %s is more than %s %s", c.col.name, c.raw(), larger, raw)
		}
		return v
	}
	return p
}

// FileCheck checks a file an import brings (its name and bytes) and answers
// its content type: the use-case layer's attachment check (app.ValidateAttachment).
type FileCheck func(name string, data []byte) (contentType string, err error)

// pdfFile is a PDF given base64-encoded (standard alphabet, padding, line
// breaks ignored), named by the sibling column name, checked by the
// importer's FileCheck: it must be a PDF by its bytes and its extension.
func pdfFile(name string) parser {
	return parser{sqlType: sqlBytea, siblings: []string{name}, parse: func(c cell) any {
		raw := strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, c.raw())
		if raw == "" {
			c.fail("%s is required", c.col.name)
			return nil
		}
		data, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			c.fail("%s: not base64 (%v)", c.col.name, err)
			return nil
		}
		_, fileName := c.sibling(name)
		if c.r.files == nil {
			c.fail("%s: this process cannot check files", c.col.name)
			return nil
		}
		typ, err := c.r.files(fileName, data)
		switch {
		case err != nil:
			c.fail("%s: %v", c.col.name, err)
			return nil
		case typ != "application/pdf":
			c.fail("%s: %q is %s: an invoice document must be a PDF", c.col.name, fileName, typ)
			return nil
		}
		return data
	}}
}

// row is one record being parsed into its staged values (line first),
// keeping the first problem found as the row's rejection.
type row struct {
	rec   record
	sp    *spec
	files FileCheck
	vals  []any
	bad   *Rejection
}

// cell is the field of column i in the row being parsed.
type cell struct {
	r   *row
	col *column
	i   int
}

func (c cell) raw() string { return c.r.rec.vals[c.i] }

func (c cell) failed() bool { return c.r.bad != nil }

func (c cell) fail(format string, args ...any) {
	if c.r.bad == nil {
		c.r.bad = &Rejection{Line: c.r.rec.line, Field: c.col.name, Reason: fmt.Sprintf(format, args...)}
	}
}

// sibling is the staged value and the text of an earlier column of the row.
func (c cell) sibling(name string) (staged any, raw string) {
	j := c.r.sp.index[name]
	return c.r.vals[1+j], c.r.rec.vals[j]
}

// currencyOf is the currency the sibling column name holds (zero if none).
func (c cell) currencyOf(name string) money.Currency {
	staged, _ := c.sibling(name)
	code, _ := staged.(string)
	cur, _ := money.ParseCurrency(code) // already checked when its column was parsed
	return cur
}

// str returns the field, rejecting the row if a required one is empty, or
// holds what Postgres cannot store as text (invalid UTF-8, NUL).
func (c cell) str() string {
	v := c.raw()
	switch {
	case v == "" && c.col.required:
		c.fail("%s is required", c.col.name)
	case !utf8.ValidString(v):
		c.fail("%s %q is not valid UTF-8", c.col.name, v)
		return ""
	case strings.ContainsRune(v, 0):
		c.fail("%s %q contains a NUL character", c.col.name, v)
		return ""
	}
	return v
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)

// id is an external identifier or code: printable, no spaces, bounded.
func (c cell) id() string {
	v := c.str()
	if v != "" && !codePattern.MatchString(v) {
		c.fail("%s %q: use up to 64 letters, digits, '.', '_', '/' or '-'", c.col.name, v)
	}
	return v
}

// text is free text bounded in length.
func (c cell) text(max int) string {
	v := c.str()
	if len(v) > max {
		c.fail("%s is longer than %d bytes", c.col.name, max)
	}
	return v
}

func (c cell) date() time.Time {
	v := c.str()
	if v == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		c.fail("%s %q: want a date as YYYY-MM-DD", c.col.name, v)
	}
	return d
}

func (c cell) currency() money.Currency {
	v := c.str()
	if v == "" {
		return money.Currency{}
	}
	cur, err := money.ParseCurrency(v)
	if err != nil {
		c.fail("%v", err)
	}
	return cur
}

// amount parses a non-negative decimal in the currency's unit into minor
// units; an empty cell is nil (NULL), a bad one is rejected.
func (c cell) amount(cur money.Currency) any {
	v := c.str()
	if v == "" {
		return nil
	}
	if cur.IsZero() {
		return int64(0)
	}
	m, err := money.ParseMinor(v, cur)
	if err != nil {
		c.fail("%s: %v", c.col.name, err)
		return int64(0)
	}
	if m < 0 {
		c.fail("%s %q: must not be negative", c.col.name, v)
	}
	return m
}

var ratePattern = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,12})?$`)

func (c cell) rate() string {
	v := strings.TrimSpace(c.str())
	if v == "" {
		return ""
	}
	if !ratePattern.MatchString(v) || strings.Trim(v, "0.") == "" {
		c.fail("%s %q: want a positive decimal such as 1.0842 (at most 12 digits before and after the point)", c.col.name, v)
	}
	return v
}

func (c cell) country() string {
	v := strings.ToUpper(c.str())
	if v == "" {
		return ""
	}
	reg, err := language.ParseRegion(v)
	if err != nil || len(v) != 2 || !reg.IsCountry() {
		c.fail("%s %q: want an ISO 3166 two-letter country code", c.col.name, v)
	}
	return v
}

func (c cell) language() string {
	v := c.str()
	if v == "" {
		return ""
	}
	tag, err := language.Parse(v)
	if err != nil {
		c.fail("%s %q: want a language code such as en, fr or pt-BR", c.col.name, v)
		return ""
	}
	return tag.String()
}

func (c cell) timezone() string {
	v := c.str()
	if v == "" {
		return ""
	}
	if _, err := time.LoadLocation(v); err != nil || v == "Local" {
		c.fail("%s %q: want an IANA time zone such as Europe/Paris", c.col.name, v)
	}
	return v
}

func (c cell) email() string {
	v := strings.ToLower(c.str())
	if v == "" {
		return ""
	}
	if !domain.IsEmail(v) {
		c.fail("%s %q: not an email address", c.col.name, v)
	}
	return v
}

var phonePattern = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// phone wants E.164 ("+33612345678"): SMS and calls go through Twilio, which needs it.
func (c cell) phone() string {
	v := strings.NewReplacer(" ", "", "-", "", ".", "", "(", "", ")", "").Replace(c.str())
	if v != "" && !phonePattern.MatchString(v) {
		c.fail("%s %q: want an international number such as +33612345678", c.col.name, c.raw())
	}
	return v
}

func (c cell) oneOf(allowed []string) string {
	v := strings.ToLower(c.str())
	if v == "" {
		return ""
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	c.fail("%s %q: want one of %s", c.col.name, v, strings.Join(allowed, ", "))
	return v
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
