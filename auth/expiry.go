package auth

import (
	"strconv"
	"strings"
	"time"

	"recoup/domain"
)

// Token lifetimes: a token always expires, so a forgotten one dies by itself.
const (
	DefaultTokenLifetime = 90 * 24 * time.Hour
	MaxTokenLifetime     = 2 * 365 * 24 * time.Hour
)

// ParseExpiry reads when a token expires: "" (the default, 90 days), a
// lifetime in days or hours ("30d", "12h"), a date ("2027-06-30", end of that
// day UTC) or an RFC 3339 time. It must be in the future and within two years.
func ParseExpiry(field, v string, now time.Time) (time.Time, error) {
	now = now.UTC()
	var at time.Time
	switch {
	case v == "":
		at = now.Add(DefaultTokenLifetime)
	case strings.HasSuffix(v, "d"):
		n, err := strconv.Atoi(strings.TrimSuffix(v, "d"))
		if err != nil || n < 1 {
			return at, domain.FieldError(field, "%q: want a number of days such as 90d", v)
		}
		if time.Duration(n) > MaxTokenLifetime/(24*time.Hour) { // before multiplying, which could wrap
			return at, domain.FieldError(field, "%q is more than two years away; tokens must expire", v)
		}
		at = now.Add(time.Duration(n) * 24 * time.Hour)
	case strings.HasSuffix(v, "h"):
		n, err := strconv.Atoi(strings.TrimSuffix(v, "h"))
		if err != nil || n < 1 {
			return at, domain.FieldError(field, "%q: want a number of hours such as 12h", v)
		}
		if time.Duration(n) > MaxTokenLifetime/time.Hour {
			return at, domain.FieldError(field, "%q is more than two years away; tokens must expire", v)
		}
		at = now.Add(time.Duration(n) * time.Hour)
	default:
		var err error
		if at, err = time.Parse(time.RFC3339, v); err != nil {
			d, derr := time.Parse(time.DateOnly, v)
			if derr != nil {
				return at, domain.FieldError(field, "%q: want 90d, 12h, a date (2027-06-30) or an RFC 3339 time", v)
			}
			at = d.AddDate(0, 0, 1) // the whole day named
		}
		at = at.UTC()
	}
	switch {
	case !at.After(now):
		return at, domain.FieldError(field, "%q is in the past", v)
	case at.Sub(now) > MaxTokenLifetime:
		return at, domain.FieldError(field, "%q is more than two years away; tokens must expire", v)
	}
	return at, nil
}
