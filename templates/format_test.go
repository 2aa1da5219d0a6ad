package templates

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/money"
)

// nb writes the non-breaking spaces of expected amounts as "_".
func nb(s string) string { return strings.ReplaceAll(s, "_", "\u00a0") }

func m(minor int64, code string) money.Money {
	return money.Money{Minor: minor, Currency: money.MustCurrency(code)}
}

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang  string
		amt   money.Money
		want  string
		plain string // the SMS/voice form when it differs only by spaces
	}{
		{"en", m(123456, "EUR"), "€1,234.56", ""},
		{"en", m(5, "EUR"), "€0.05", ""},
		{"en", m(100, "EUR"), "€1.00", ""},
		{"en", m(0, "EUR"), "€0.00", ""},
		{"en", m(123456, "USD"), "$1,234.56", ""},
		{"en", m(123456789, "GBP"), "£1,234,567.89", ""},
		{"en", m(120000, "JPY"), "¥120,000", ""},
		{"en", m(12345, "KWD"), "KWD_12.345", "KWD 12.345"},
		{"en", m(1250500, "KWD"), "KWD_1,250.500", ""},
		{"en", m(-123456, "EUR"), "-€1,234.56", ""},
		{"en", m(123456, "CHF"), "CHF_1,234.56", ""},
		{"fr", m(123456, "EUR"), "1_234,56_€", "1 234,56 €"},
		{"fr", m(12345, "KWD"), "12,345_KWD", ""},
		{"fr", m(120000, "JPY"), "120_000_JPY", ""},
		{"fr", m(123456, "USD"), "1_234,56_$US", ""},
		{"fr", m(-123456, "EUR"), "-1_234,56_€", ""},
		{"fr-CA", m(999, "EUR"), "9,99_€", ""},
		{"de", m(123456, "EUR"), "1.234,56_€", ""},
		{"de", m(120000, "JPY"), "120.000_¥", ""},
		{"de", m(1012845, "KWD"), "1.012,845_KWD", ""},
		{"es", m(123456, "EUR"), "1234,56_€", ""}, // Spanish groups from five digits
		{"es", m(1234567, "EUR"), "12.345,67_€", ""},
		{"es", m(120000, "JPY"), "120.000_JPY", ""},
		{"it", m(123456, "EUR"), "1.234,56_€", ""},
		{"it", m(12345, "KWD"), "12,345_KWD", ""},
		{"nl", m(123456, "EUR"), "€_1.234,56", ""},
		{"nl", m(-123456, "EUR"), "€_-1.234,56", ""},
		{"nl", m(120000, "JPY"), "JP¥_120.000", ""},
		{"pt", m(123456, "EUR"), "€_1.234,56", ""},
		{"pl", m(123456, "EUR"), "1234,56_€", ""}, // Polish groups from five digits
		{"pl", m(1234567, "PLN"), "12_345,67_zł", ""},
		{"pl", m(120000, "JPY"), "120_000_JPY", ""},
		{"ar", m(1012845, "KWD"), "1,012.845_د.ك.\u200f", ""}, // Latin digits, symbol after
		{"ar-SA", m(123456, "SAR"), "1,234.56_ر.س.\u200f", ""},
		{"ar", m(-123456, "EUR"), "-1,234.56_€", ""},
		{"ja", m(120000, "JPY"), "￥120,000", ""}, // no decimals: the currency's exponent
		{"ja", m(123456, "EUR"), "€1,234.56", ""},
		{"ja", m(12345, "KWD"), "KWD_12.345", ""},
		{"xx", m(123456, "EUR"), "€1,234.56", ""}, // unknown language: English
		{"", m(123456, "EUR"), "€1,234.56", ""},
		{"en", m(math.MaxInt64, "EUR"), "€92,233,720,368,547,758.07", ""},
		{"en", m(math.MinInt64, "JPY"), "-¥9,223,372,036,854,775,808", ""},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.amt.String(), func(t *testing.T) {
			t.Parallel()
			got, err := FormatMoney(tt.lang, tt.amt)
			require.NoError(t, err)
			require.Equal(t, nb(tt.want), got)
			plain := tt.plain
			if plain == "" {
				plain = strings.ReplaceAll(tt.want, "_", " ")
			}
			require.Equal(t, plain, plainSpaces(got))
		})
	}
	_, err := FormatMoney("en", money.Money{Minor: 1})
	require.ErrorIs(t, err, errNoCurrency)
}

func TestSpokenMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang string
		amt  money.Money
		want string
	}{
		{"en", m(123456, "EUR"), "1234 euros and 56 cents"},
		{"en", m(101, "EUR"), "1 euro and 1 cent"},
		{"en", m(50, "EUR"), "50 cents"},
		{"en", m(200, "EUR"), "2 euros"},
		{"en", m(0, "EUR"), "0 euros"},
		{"en", m(120000, "JPY"), "120000 yen"},
		{"pl", m(123456, "PLN"), "1234 złotych i 56 groszy"},
		{"ar", m(1012845, "KWD"), "1012 دينار كويتي و845 فلس"},
		{"ja", m(120000, "JPY"), "120000 円"},
		{"en", m(1012845, "KWD"), "1012 Kuwaiti dinars and 845 fils"},
		{"en", m(1005, "KWD"), "1 Kuwaiti dinar and 5 fils"},
		{"en", m(250, "GBP"), "2 pounds sterling and 50 pence"},
		{"en", m(-1500, "EUR"), "minus 15 euros"},
		{"en", m(123456, "SEK"), "1234.56 SEK"}, // no name: digits and code
		{"fr", m(123456, "EUR"), "1234 euros et 56 centimes"},
		{"fr", m(101, "EUR"), "1 euro et 1 centime"},
		{"fr", m(120000, "JPY"), "120000 yens"},
		{"fr", m(12345, "KWD"), "12 dinars koweïtiens et 345 fils"},
		{"fr", m(123456, "SEK"), "1234,56 SEK"},
		{"de", m(123456, "EUR"), "1234 Euro und 56 Cent"},
		{"de", m(1250, "CHF"), "12 Schweizer Franken und 50 Rappen"},
		{"es", m(123456, "EUR"), "1234 euros con 56 céntimos"},
		{"es", m(120000, "JPY"), "120000 yenes"},
		{"it", m(123456, "EUR"), "1234 euro e 56 centesimi"},
		{"nl", m(123456, "EUR"), "1234 euro en 56 cent"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.amt.String(), func(t *testing.T) {
			t.Parallel()
			got, err := SpokenMoney(tt.lang, tt.amt)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestFormatDate(t *testing.T) {
	t.Parallel()
	jan2 := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	mar1 := time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC)
	tests := []struct {
		lang            string
		date            time.Time
		long, shortDate string
	}{
		{"en", jan2, "2 January 2026", "2 Jan 2026"},
		{"pt", jan2, "2 de janeiro de 2026", "02/01/2026"},
		{"pl", jan2, "2 stycznia 2026", "02.01.2026"},
		{"ar", jan2, "2 يناير 2026", "02/01/2026"},
		{"ja", jan2, "2026年1月2日", "2026/01/02"},
		{"en-GB", mar1, "1 March 2026", "1 Mar 2026"},
		{"fr", jan2, "2 janvier 2026", "2 janv. 2026"},
		{"fr", mar1, "1er mars 2026", "1 mars 2026"},
		{"de", jan2, "2. Januar 2026", "02.01.2026"},
		{"de", mar1, "1. März 2026", "01.03.2026"},
		{"es", jan2, "2 de enero de 2026", "2 ene 2026"},
		{"it", jan2, "2 gennaio 2026", "2 gen 2026"},
		{"nl", mar1, "1 maart 2026", "1 mrt 2026"},
		{"pt", jan2, "2 de janeiro de 2026", "02/01/2026"},
		{"xx", jan2, "2 January 2026", "2 Jan 2026"},
		{"en", time.Time{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.long, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.long, FormatDate(tt.lang, tt.date))
			require.Equal(t, tt.shortDate, FormatShortDate(tt.lang, tt.date))
		})
	}
}

func TestPlural(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, src, want string
	}{
		{"en", `{{plural 0 "invoice" "invoices"}} {{plural 1 "invoice" "invoices"}} {{plural 2 "invoice" "invoices"}}`, "invoices invoice invoices"},
		{"fr", `{{plural 0 "facture" "factures"}} {{plural 1 "facture" "factures"}} {{plural 2 "facture" "factures"}}`, "facture facture factures"},
		{"de", `{{plural 1 "Tag" "Tage"}} {{plural -1 "Tag" "Tage"}} {{plural 21 "Tag" "Tage"}}`, "Tag Tag Tage"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			s, err := NewSet(Template{Name: "x", Channel: domain.ChannelSMS, Language: tt.lang, Text: tt.src})
			require.NoError(t, err)
			r, lang, err := s.Render("x", domain.ChannelSMS, tt.lang, "", SampleData())
			require.NoError(t, err)
			require.Equal(t, tt.lang, lang)
			require.Equal(t, tt.want, r.Text)
		})
	}
}

func TestMoneyLists(t *testing.T) {
	t.Parallel()
	eur, jpy, kwd := Total{Open: m(123456, "EUR")}, Total{Open: m(120000, "JPY")}, Total{Open: m(12345, "KWD")}
	tests := []struct {
		lang   string
		ch     domain.Channel
		fn     string
		totals []Total
		want   string
	}{
		{"en", domain.ChannelEmail, "moneyList", []Total{eur, jpy, kwd}, nb("€1,234.56, ¥120,000 and KWD_12.345")},
		{"fr", domain.ChannelEmail, "moneyList", []Total{eur, jpy}, nb("1_234,56_€ et 120_000_JPY")},
		{"fr", domain.ChannelSMS, "moneyList", []Total{eur, jpy}, "1 234,56 € et 120 000 JPY"},
		{"de", domain.ChannelEmail, "moneyList", []Total{eur}, nb("1.234,56_€")},
		{"en", domain.ChannelEmail, "moneyList", nil, ""},
		{"en", domain.ChannelVoice, "spokenMoneyList", []Total{eur, jpy}, "1234 euros and 56 cents, plus 120000 yen"},
		{"de", domain.ChannelVoice, "spokenMoneyList", []Total{eur, jpy}, "1234 Euro und 56 Cent sowie 120000 Yen"},
		{"es", domain.ChannelVoice, "spokenMoneyList", []Total{eur, kwd}, "1234 euros con 56 céntimos, más 12 dinares kuwaitíes con 345 fils"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+string(tt.ch)+"/"+tt.fn, func(t *testing.T) {
			t.Parallel()
			f := funcMap(tt.lang, tt.ch)[tt.fn].(func([]Total) (string, error))
			got, err := f(tt.totals)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestComputeTotalsAndMaxDaysOverdue(t *testing.T) {
	t.Parallel()
	d := testData()
	totals, err := ComputeTotals(d.Invoices)
	require.NoError(t, err)
	require.Equal(t, []Total{{Open: m(1012845, "KWD")}, {Open: m(120000, "JPY")}}, totals)
	require.Equal(t, 30, d.MaxDaysOverdue())
	require.Equal(t, 0, Data{Invoices: []Invoice{{DaysOverdue: -3}}}.MaxDaysOverdue())

	_, err = ComputeTotals([]Invoice{{Open: m(math.MaxInt64, "EUR")}, {Open: m(1, "EUR")}})
	require.Error(t, err)
}

// TestNoFloatingPoint keeps amounts out of floating point: no float type or
// float conversion in the package's code.
func TestNoFloatingPoint(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		file, err := parser.ParseFile(token.NewFileSet(), f, src, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				require.NotContains(t, []string{"float32", "float64", "ParseFloat", "FormatFloat"}, id.Name, "%s uses %s", f, id.Name)
			}
			return true
		})
	}
}
