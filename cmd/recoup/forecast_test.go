package main

import (
	"bytes"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/dunning"
	"recoup/money"
)

func TestPrintBacktestShowsWeeksMAPEAndBias(t *testing.T) {
	t.Parallel()
	eur := func(minor int64) money.Money { return money.Money{Minor: minor, Currency: money.MustCurrency("EUR")} }
	monday := dunning.NewDate(2026, time.March, 2)
	b := app.Backtest{AsOf: dunning.NewDate(2026, time.March, 4), Reporting: money.MustCurrency("EUR"),
		Weeks: []app.BacktestWeek{
			{Week: 1, Start: monday, End: monday.AddDays(6), Forecast: eur(100000), Actual: eur(60000), Error: eur(40000), APE: big.NewRat(200, 3)},
			{Week: 2, Start: monday.AddDays(7), End: monday.AddDays(13), Forecast: eur(80000), Actual: eur(0), Error: eur(80000)},
		},
		Forecast: eur(180000), Actual: eur(60000), MAPE: big.NewRat(200, 3), Bias: big.NewRat(200, 1), Scored: 1}
	var out bytes.Buffer
	require.NoError(t, printBacktest(&out, b))
	require.Equal(t, `Forecast made at the end of 2026-03-04 against the receipts recorded after it, in EUR

   week       start         end  forecast  actual    error     APE
      1  2026-03-02  2026-03-08   1000.00  600.00   400.00  66.67%
      2  2026-03-09  2026-03-15    800.00    0.00   800.00       -
  total                           1800.00  600.00  1200.00        

MAPE 66.67% over the 1 weeks with receipts; bias 200.00% (positive: the forecast was too high)
`, out.String())
}
