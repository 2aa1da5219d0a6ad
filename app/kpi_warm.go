package app

import (
	"context"
	"time"

	"recoup/domain"
	"recoup/dunning"
)

// TrendMonths is how many monthly figures a trend draws (the dashboards' DSO).
const TrendMonths = 12

// TrendEnds are the ends of a trend's months: the 11 month ends before
// asOf's month, then asOf itself (its month so far: a later end would be a
// figure of the future).
func TrendEnds(asOf dunning.Date) []dunning.Date {
	out := make([]dunning.Date, TrendMonths)
	out[TrendMonths-1] = asOf
	first := dunning.NewDate(asOf.Year, asOf.Month, 1)
	for k := TrendMonths - 2; k >= 0; k-- {
		first = dunning.DateOf(first.In(time.UTC).AddDate(0, -1, 0))
		out[k] = dunning.DateOf(first.In(time.UTC).AddDate(0, 1, -1))
	}
	return out
}

// WarmFigures builds, before anyone asks, the per-day snapshots the
// dashboards read on day: the day's figures (aged balance, top overdue, the
// forecast) and the DSO of each month of the trend, whose first build at a
// million invoices takes tens of seconds a day. Built days stay until a
// change marks some of their customers, which the next read rebuilds alone.
// The daily digest run calls it at RECOUP_DIGEST_HOUR; beat is called after
// each day so the activity's heartbeat shows progress.
func (a *App) WarmFigures(ctx context.Context, day dunning.Date, beat func()) error {
	who := domain.System("figures-warm-up")
	q := KPIQuery{AsOf: day.String()}
	if _, err := a.Aging(ctx, who, q); err != nil {
		return err
	}
	beat()
	if _, err := a.Forecast(ctx, who, ForecastQuery{AsOf: day.String()}); err != nil {
		return err
	}
	beat()
	for _, end := range TrendEnds(day) {
		if _, err := a.DSO(ctx, who, KPIQuery{To: end.String()}); err != nil {
			return err
		}
		beat()
	}
	return nil
}
