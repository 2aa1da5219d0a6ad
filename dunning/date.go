package dunning

import (
	"fmt"
	"time"
)

// Date is a civil date with no time of day and no time zone: a due date, a
// promise date. Due-date arithmetic is done on Dates (AddDays), never on
// instants, so "due + 30 days" is the same calendar day whatever the zone or
// DST, and never month arithmetic (Jan 31 + 30 days is Mar 2, not Mar 3).
// It marshals to JSON as "2006-01-02"; the zero Date marshals as "".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate builds a Date, normalizing out-of-range values the way time.Date
// does (NewDate(2026, 1, 32) is 2026-02-01).
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// DateOf is the calendar date of t in t's own location: convert t with In
// first to get the date somewhere else.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate reads "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// AddDays moves d by n calendar days (n may be negative).
func (d Date) AddDays(n int) Date { return dateFromDays(d.days() + n) }

// Weekday is d's day of the week.
func (d Date) Weekday() time.Weekday { return weekdayOf(d.days()) }

// YearDay is d's day of the year, 1 to 366.
func (d Date) YearDay() int {
	n := d.days()
	return n - daysFromCivil(dateFromDays(n).Year, 1, 1) + 1
}

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// In is the instant d starts in loc (local midnight, or the first instant of
// the day when a DST change skips midnight).
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText writes "2006-01-02" ("" for the zero Date).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "2006-01-02" ("" is the zero Date).
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// The planner does its day arithmetic on day numbers (days since
// 1970-01-01) with Hinnant's civil-calendar algorithms: the same results as
// time.Date in UTC, several times faster, and this runs inside workflow code.

// days is d's day number. Days past the month's end roll over like time.Date
// (Feb 30 is Mar 2); an out-of-range month takes the slow, exact path.
func (d Date) days() int {
	if d.Month < time.January || d.Month > time.December {
		return int(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	}
	return daysFromCivil(d.Year, int(d.Month), d.Day)
}

func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func dateFromDays(n int) Date {
	z := n + 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date{Year: y, Month: time.Month(m), Day: day}
}

// weekdayOf is the weekday of day number n (day 0, 1970-01-01, a Thursday).
func weekdayOf(n int) time.Weekday { return time.Weekday(((n % 7) + 7 + 4) % 7) }

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
