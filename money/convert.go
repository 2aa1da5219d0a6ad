package money

import (
	"fmt"
	"math/big"
)

// Rate is an exchange rate as an exact fraction: 1 unit of the source currency
// is Rate units of the target currency. It is parsed from the decimal string
// Postgres keeps (numeric), never through a float.
type Rate struct{ r big.Rat }

// ParseRate reads a positive decimal such as "1.085" or "0.000912".
func ParseRate(s string) (Rate, error) {
	var x Rate
	if _, ok := x.r.SetString(s); !ok || x.r.Sign() <= 0 {
		return Rate{}, fmt.Errorf("rate %q: want a positive decimal", s)
	}
	return x, nil
}

// Convert is m in the currency to at rate (1 unit of m's currency = rate units
// of to), rounded to to's minor unit half to even (banker's rounding: 0.5 cent
// goes to the even cent, so rounding errors do not drift one way over many
// conversions). The units are scaled by both exponents: 1000 JPY (exponent 0)
// at 0.0062 EUR is 6.20 EUR = 620 minor units.
func Convert(m Money, rate Rate, to Currency) Money {
	return Money{Minor: RoundHalfEven(ConvertExact(m.Minor, m.Currency, rate, to)).Int64(), Currency: to}
}

// ConvertExact is minor units of from converted to minor units of to, as an
// exact fraction (for sums and ratios that must be rounded only once).
func ConvertExact(minor int64, from Currency, rate Rate, to Currency) *big.Rat {
	x := new(big.Rat).SetInt64(minor)
	x.Mul(x, &rate.r)
	shift := to.Exponent() - from.Exponent()
	p := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(shift))), nil))
	if shift >= 0 {
		return x.Mul(x, p)
	}
	return x.Quo(x, p)
}

// RoundHalfEven rounds x to the nearest integer, ties to the even one.
func RoundHalfEven(x *big.Rat) *big.Int {
	q, r := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int)) // truncated toward zero
	twice := new(big.Int).Abs(r)
	twice.Lsh(twice, 1)
	switch c := twice.Cmp(x.Denom()); {
	case c > 0, c == 0 && q.Bit(0) == 1:
		if x.Sign() < 0 {
			return q.Sub(q, big.NewInt(1))
		}
		return q.Add(q, big.NewInt(1))
	}
	return q
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
