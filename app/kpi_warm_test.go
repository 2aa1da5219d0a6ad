package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/dunning"
)

func TestTrendEndsAreMonthEndsThenTheDay(t *testing.T) {
	ends := app.TrendEnds(dunning.NewDate(2024, time.March, 15))
	require.Len(t, ends, app.TrendMonths)
	require.Equal(t, "2023-04-30", ends[0].String())
	require.Equal(t, "2024-01-31", ends[9].String())
	require.Equal(t, "2024-02-29", ends[10].String(), "the leap day ends February")
	require.Equal(t, "2024-03-15", ends[11].String(), "the current month: to the day")
}

// The warm-up builds the days the dashboards read, so nobody waits for a
// first build, and the figures read from them are the hand-computed ones.
func TestWarmFiguresBuildsTheDashboardsDays(t *testing.T) {
	t.Parallel()
	b := setupKPIs(t)
	ctx := context.Background()
	day := dunning.NewDate(2024, time.March, 31)
	beats := 0
	require.NoError(t, b.app.WarmFigures(ctx, day, func() { beats++ }))
	require.Equal(t, 2+app.TrendMonths, beats, "a beat after the day's figures, the forecast and each month")

	rows, err := b.store.Pool.Query(ctx, `SELECT day::text FROM kpi_snapshot_days ORDER BY day`)
	require.NoError(t, err)
	built, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	for _, end := range app.TrendEnds(day) {
		require.Contains(t, built, end.String())
	}

	d, err := b.app.DSO(ctx, b.admin, app.KPIQuery{From: "2024-01-01", To: "2024-03-31"})
	require.NoError(t, err)
	require.Equal(t, eur(961259), d.Receivables, "read from the warmed day: the README's example")
}
