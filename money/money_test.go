package money_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/money"
)

func TestCurrencyExponents(t *testing.T) {
	t.Parallel()
	for code, exp := range map[string]int{"JPY": 0, "EUR": 2, "usd": 2, "KWD": 3, "CHF": 2, "BHD": 3} {
		c, err := money.ParseCurrency(code)
		require.NoError(t, err, code)
		require.Equal(t, exp, c.Exponent(), code)
	}
	for _, bad := range []string{"", "EU", "EURO", "XYZ", "€"} {
		_, err := money.ParseCurrency(bad)
		require.Error(t, err, bad)
	}
}

func TestParseMinor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, cur string
		want    int64
		wantErr string
	}{
		{"1234.56", "EUR", 123456, ""},
		{"1234.5", "EUR", 123450, ""},
		{"1234", "EUR", 123400, ""},
		{"0.01", "EUR", 1, ""},
		{"0", "EUR", 0, ""},
		{"-12.30", "EUR", -1230, ""},
		{" 7.00 ", "EUR", 700, ""},
		{"1000", "JPY", 1000, ""},
		{"1000.00", "JPY", 1000, ""},
		{"12.345", "KWD", 12345, ""},
		{"1234.567", "EUR", 0, "too many decimals"},
		{"10.5", "JPY", 0, "too many decimals"},
		{"1,234.56", "EUR", 0, "not a decimal"},
		{"1e3", "EUR", 0, "not a decimal"},
		{"", "EUR", 0, "not a decimal"},
		{".5", "EUR", 0, "not a decimal"},
		{"5.", "EUR", 0, "not a decimal"},
		{"--5", "EUR", 0, "not a decimal"},
		{"NaN", "EUR", 0, "not a decimal"},
		{"99999999999999999999", "EUR", 0, "too large"},
	}
	for _, tt := range tests {
		got, err := money.ParseMinor(tt.in, money.MustCurrency(tt.cur))
		if tt.wantErr != "" {
			require.ErrorContains(t, err, tt.wantErr, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got, tt.in)
	}
}

func TestFormatMinorRoundTrips(t *testing.T) {
	t.Parallel()
	tests := []struct {
		minor int64
		cur   string
		want  string
	}{
		{123456, "EUR", "1234.56"},
		{5, "EUR", "0.05"},
		{-5, "EUR", "-0.05"},
		{0, "EUR", "0.00"},
		{1000, "JPY", "1000"},
		{12345, "KWD", "12.345"},
		{math.MinInt64, "EUR", "-92233720368547758.08"},
	}
	for _, tt := range tests {
		c := money.MustCurrency(tt.cur)
		require.Equal(t, tt.want, money.FormatMinor(tt.minor, c))
		back, err := money.ParseMinor(tt.want, c)
		require.NoError(t, err)
		require.Equal(t, tt.minor, back)
	}
}

func TestAddChecksCurrencyAndOverflow(t *testing.T) {
	t.Parallel()
	eur, jpy := money.MustCurrency("EUR"), money.MustCurrency("JPY")
	sum, err := money.Money{Minor: 150, Currency: eur}.Add(money.Money{Minor: 250, Currency: eur})
	require.NoError(t, err)
	require.Equal(t, "4.00 EUR", sum.String())
	_, err = money.Money{Minor: 1, Currency: eur}.Add(money.Money{Minor: 1, Currency: jpy})
	require.ErrorContains(t, err, "cannot add JPY to EUR")
	_, err = money.Money{Minor: math.MaxInt64, Currency: eur}.Add(money.Money{Minor: 1, Currency: eur})
	require.ErrorContains(t, err, "overflow")
}

func TestCurrencyRoundTripsThroughJSON(t *testing.T) {
	t.Parallel()
	type wrapper struct {
		Currency money.Currency `json:"currency"`
		Money    money.Money    `json:"money"`
	}
	in := wrapper{Currency: money.MustCurrency("KWD"), Money: money.Money{Minor: 1500, Currency: money.MustCurrency("JPY")}}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"currency":"KWD","money":{"Minor":1500,"Currency":"JPY"}}`, string(b))
	var out wrapper
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in, out)
	require.Equal(t, 3, out.Currency.Exponent())
	require.Error(t, json.Unmarshal([]byte(`{"currency":"XYZ"}`), &out))
}
