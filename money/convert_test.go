package money_test

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/money"
)

func TestConvertRoundsHalfToEven(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		minor int64
		from  string
		rate  string
		to    string
		want  int64
	}{
		{"plain", 10000, "USD", "0.92", "EUR", 9200},
		{"half to even down", 1, "USD", "0.5", "EUR", 0},
		{"half to even up", 3, "USD", "0.5", "EUR", 2},
		{"above half", 1, "USD", "0.51", "EUR", 1},
		{"negative half", -3, "USD", "0.5", "EUR", -2},
		{"negative above half", -1, "USD", "0.51", "EUR", -1},
		{"zero-decimal source", 1000, "JPY", "0.0062", "EUR", 620},
		{"zero-decimal target", 12345, "EUR", "162.5", "JPY", 20061}, // 123.45 × 162.5 = 20060.625
		{"three-decimal target", 100, "EUR", "0.3305", "KWD", 330},   // 1.00 EUR = 330.5 fils: to the even 330
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := money.ParseRate(tc.rate)
			require.NoError(t, err)
			got := money.Convert(money.Money{Minor: tc.minor, Currency: money.MustCurrency(tc.from)}, r, money.MustCurrency(tc.to))
			require.Equal(t, tc.want, got.Minor)
			require.Equal(t, tc.to, got.Currency.Code())
		})
	}
}

func TestRoundHalfEven(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"2.5": 2, "3.5": 4, "-2.5": -2, "-3.5": -4, "2.4999": 2, "-0.6": -1, "7": 7} {
		x, _ := new(big.Rat).SetString(in)
		require.Equal(t, want, money.RoundHalfEven(x).Int64(), in)
	}
}

func TestParseRateRefusesNonPositive(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0", "-1.2", "abc", ""} {
		_, err := money.ParseRate(s)
		require.Error(t, err, s)
	}
}
