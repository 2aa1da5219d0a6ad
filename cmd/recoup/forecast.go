package main

import (
	"fmt"
	"io"
	"math/big"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"recoup/app"
	"recoup/config"
	"recoup/domain"
	"recoup/money"
	"recoup/store"
)

func forecastCmd(cfg *config.Config) *cobra.Command {
	forecast := &cobra.Command{Use: "forecast", Short: "The cash-in forecast"}
	var q app.ForecastQuery
	backtest := &cobra.Command{
		Use:   "backtest",
		Short: "Replay the cash-in forecast as made at the end of --as-of and compare it with the receipts that followed, week by week",
		Args:  cobra.NoArgs,
		RunE: withStore(cfg, func(cmd *cobra.Command, st *store.Store, _ []string) error {
			opts, err := app.Configured(cfg)
			if err != nil {
				return err
			}
			b, err := app.New(st, nil, nil, opts...).ForecastBacktest(cmd.Context(), domain.System(cliActor()), q)
			if err != nil {
				return err
			}
			return printBacktest(cmd.OutOrStdout(), b)
		}),
	}
	backtest.Flags().StringVar(&q.AsOf, "as-of", "", "the date the forecast is made at, YYYY-MM-DD (required)")
	backtest.Flags().IntVar(&q.Weeks, "weeks", app.DefaultForecastWeeks, "weeks to forecast")
	backtest.Flags().StringVar(&q.Entity, "entity", "", "one entity (code); default all")
	backtest.Flags().StringVar(&q.Currency, "currency", "", "reporting currency; default RECOUP_REPORTING_CURRENCY")
	_ = backtest.MarkFlagRequired("as-of")
	forecast.AddCommand(bind(backtest, cfg, "DATABASE_URL", "RECOUP_REPORTING_CURRENCY"))
	return forecast
}

// printBacktest writes the back-test as a table, then its error figures.
func printBacktest(w io.Writer, b app.Backtest) error {
	amount := func(m money.Money) string { return money.FormatMinor(m.Minor, m.Currency) }
	percent := func(x *big.Rat) string {
		if x == nil {
			return "-"
		}
		return x.FloatString(2) + "%"
	}
	fmt.Fprintf(w, "Forecast made at the end of %s against the receipts recorded after it, in %s\n\n", b.AsOf, b.Reporting.Code())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "week\tstart\tend\tforecast\tactual\terror\tAPE\t")
	for _, wk := range b.Weeks {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", wk.Week, wk.Start, wk.End, amount(wk.Forecast), amount(wk.Actual),
			amount(wk.Error), percent(wk.APE))
	}
	fmt.Fprintf(tw, "total\t\t\t%s\t%s\t%s\t\t\n", amount(b.Forecast), amount(b.Actual),
		amount(money.Money{Minor: b.Forecast.Minor - b.Actual.Minor, Currency: b.Reporting}))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nMAPE %s over the %d weeks with receipts; bias %s (positive: the forecast was too high)\n",
		percent(b.MAPE), b.Scored, percent(b.Bias))
	for _, m := range b.MissingRates {
		fmt.Fprintf(w, "missing rate: %s to %s on or before %s\n", m.From.Code(), m.To.Code(), m.On)
	}
	for _, n := range b.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	return nil
}
