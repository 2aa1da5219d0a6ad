// Package money holds amounts as integer minor units of an ISO 4217 currency.
// Nothing in it uses floating point: amounts are parsed from and printed to
// decimal strings digit by digit.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/currency"
)

// Currency is an upper-case ISO 4217 code whose exponent is known.
type Currency struct {
	code     string
	exponent int
}

// ParseCurrency accepts an ISO 4217 code such as "EUR" (case-insensitive).
func ParseCurrency(code string) (Currency, error) {
	code = strings.TrimSpace(code)
	if len(code) != 3 {
		return Currency{}, fmt.Errorf("currency %q: want a 3-letter ISO 4217 code", code)
	}
	unit, err := currency.ParseISO(code)
	if err != nil {
		return Currency{}, fmt.Errorf("currency %q: not an ISO 4217 code", code)
	}
	// The standard (accounting) rounding is the currency's minor-unit exponent:
	// 0 for JPY, 2 for EUR, 3 for KWD.
	scale, _ := currency.Standard.Rounding(unit)
	return Currency{code: unit.String(), exponent: scale}, nil
}

// MustCurrency is ParseCurrency for constants known to be valid.
func MustCurrency(code string) Currency {
	c, err := ParseCurrency(code)
	if err != nil {
		panic(err)
	}
	return c
}

// Code is the ISO 4217 code.
func (c Currency) Code() string { return c.code }

// Exponent is the number of decimal places of the minor unit.
func (c Currency) Exponent() int { return c.exponent }

// IsZero reports whether c is the zero value (no currency).
func (c Currency) IsZero() bool { return c.code == "" }

func (c Currency) String() string { return c.code }

// Money is an amount in minor units (cents for EUR, yen for JPY, fils for KWD).
type Money struct {
	Minor    int64
	Currency Currency
}

// ErrTooManyDecimals is returned when an amount has more decimals than its currency allows.
var ErrTooManyDecimals = errors.New("too many decimals for the currency")

// ParseMinor converts a decimal string in the currency's unit ("1234.56") to
// minor units. It accepts an optional leading minus sign, digits, and at most
// Exponent() decimals after a '.'; no thousands separators, no exponent
// notation, nothing that a float would be needed for.
func ParseMinor(s string, c Currency) (int64, error) {
	if c.IsZero() {
		return 0, errors.New("no currency")
	}
	orig := s
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasDot && (frac == "" || !allDigits(frac))) {
		return 0, fmt.Errorf("amount %q: not a decimal number like 1234.56", orig)
	}
	// Trailing zeros beyond the exponent carry no value ("10.50" in JPY is not
	// "10.5"; it is rejected), except that "100.00" in JPY is exactly 100.
	frac = strings.TrimRight(frac, "0")
	if len(frac) > c.exponent {
		return 0, fmt.Errorf("amount %q: %w %s (%d)", orig, ErrTooManyDecimals, c.code, c.exponent)
	}
	digits := whole + frac + strings.Repeat("0", c.exponent-len(frac))
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, nil
	}
	if neg {
		digits = "-" + digits // parsed with its sign so math.MinInt64 fits
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q: too large", orig)
	}
	return v, nil
}

// Parse is ParseMinor returning a Money.
func Parse(s string, c Currency) (Money, error) {
	v, err := ParseMinor(s, c)
	if err != nil {
		return Money{}, err
	}
	return Money{Minor: v, Currency: c}, nil
}

// FormatMinor prints minor units as a decimal string in the currency's unit.
func FormatMinor(minor int64, c Currency) string {
	neg := minor < 0
	var abs uint64
	if neg {
		abs = uint64(-(minor + 1)) + 1 // safe for math.MinInt64
	} else {
		abs = uint64(minor)
	}
	s := strconv.FormatUint(abs, 10)
	if c.exponent > 0 {
		if len(s) <= c.exponent {
			s = strings.Repeat("0", c.exponent-len(s)+1) + s
		}
		s = s[:len(s)-c.exponent] + "." + s[len(s)-c.exponent:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// String prints "1234.56 EUR".
func (m Money) String() string {
	return FormatMinor(m.Minor, m.Currency) + " " + m.Currency.code
}

// Add returns m+o; both must share a currency and the sum must not overflow.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("cannot add %s to %s", o.Currency, m.Currency)
	}
	if (o.Minor > 0 && m.Minor > math.MaxInt64-o.Minor) || (o.Minor < 0 && m.Minor < math.MinInt64-o.Minor) {
		return Money{}, errors.New("amount overflow")
	}
	return Money{Minor: m.Minor + o.Minor, Currency: m.Currency}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MarshalText writes the ISO code, so a Currency survives JSON (workflow payloads, API).
func (c Currency) MarshalText() ([]byte, error) { return []byte(c.code), nil }

// UnmarshalText reads an ISO code; empty stays the zero Currency.
func (c *Currency) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*c = Currency{}
		return nil
	}
	p, err := ParseCurrency(string(b))
	if err != nil {
		return err
	}
	*c = p
	return nil
}
