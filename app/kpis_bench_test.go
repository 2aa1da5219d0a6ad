package app_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/benchenv"
	"recoup/domain"
	"recoup/dunning"
	"recoup/store/storetest/benchbook"
)

// kpiBenchQuery is one dashboard query the benchmark times, through app as
// the API calls it. A new figure (team activity, forecast) is one more line
// of kpiBenchQueries.
type kpiBenchQuery struct {
	name string
	run  func(ctx context.Context, a *app.App, who domain.Principal, today dunning.Date) error
}

var kpiBenchQueries = []kpiBenchQuery{
	{"aging by entity, as of today", func(ctx context.Context, a *app.App, who domain.Principal, _ dunning.Date) error {
		_, err := a.Aging(ctx, who, app.KPIQuery{GroupBy: "entity"})
		return err
	}},
	{"aging by entity, as of 6 months ago", func(ctx context.Context, a *app.App, who domain.Principal, today dunning.Date) error {
		_, err := a.Aging(ctx, who, app.KPIQuery{GroupBy: "entity", AsOf: today.AddDays(-182).String()})
		return err
	}},
	{"DSO over the last 90 days", func(ctx context.Context, a *app.App, who domain.Principal, _ dunning.Date) error {
		_, err := a.DSO(ctx, who, app.KPIQuery{})
		return err
	}},
	{"top 20 overdue, as of today", func(ctx context.Context, a *app.App, who domain.Principal, _ dunning.Date) error {
		_, err := a.TopOverdue(ctx, who, app.KPIQuery{})
		return err
	}},
	{"disputes over the last 90 days", func(ctx context.Context, a *app.App, who domain.Principal, _ dunning.Date) error {
		_, err := a.DisputeFigures(ctx, who, app.KPIQuery{})
		return err
	}},
	{"promises over the last 90 days", func(ctx context.Context, a *app.App, who domain.Principal, _ dunning.Date) error {
		_, err := a.PromiseFigures(ctx, who, app.KPIQuery{})
		return err
	}},
	{"team activity over the last 90 days", func(ctx context.Context, a *app.App, who domain.Principal, _ dunning.Date) error {
		_, err := a.TeamFigures(ctx, who, app.KPIQuery{})
		return err
	}},
	{"cash-in forecast, 13 weeks", func(ctx context.Context, a *app.App, who domain.Principal, _ dunning.Date) error {
		_, err := a.Forecast(ctx, who, app.ForecastQuery{})
		return err
	}},
	{"forecast back-test, made 13 weeks ago", func(ctx context.Context, a *app.App, who domain.Principal, today dunning.Date) error {
		_, err := a.ForecastBacktest(ctx, who, app.ForecastQuery{AsOf: today.AddDays(-91).String()})
		return err
	}},
}

// seqScan is the baseline: one sequential scan of the invoices table that
// reads every row (a count and a sum of a column, so no index can answer
// it), with the planner's default parallelism, as the figures get it.
const seqScan = `SELECT count(*), sum(open_minor) FROM invoices`

// BenchmarkKPIs times each collection figure (kpiBenchQueries) as an admin
// (the whole book) and as one agent (a twentieth of it) on the web
// benchmark's book (benchbook, RECOUP_BENCH_INVOICES invoices, default
// 1,000,000, over a tenth as many customers) with a year of history
// (benchbook.History), and in the same run one sequential scan of the
// invoices table. Query and scan alternate (A B A B) for RECOUP_BENCH_ROUNDS
// rounds (default 7) and the table quotes medians and each median's ratio to
// the scan's: the goal is no ratio above 2. RECOUP_BENCH_DATABASE_URL keeps
// the book between runs.
//
//	go test ./app/ -run '^$' -bench KPIs -benchtime 1x -timeout 60m
func BenchmarkKPIs(b *testing.B) {
	invoices := benchenv.Int(b, "RECOUP_BENCH_INVOICES", 1_000_000)
	rounds := benchenv.Int(b, "RECOUP_BENCH_ROUNDS", 7)
	ctx := context.Background()
	st := benchbook.Store(b, ctx)
	start := time.Now()
	if benchbook.Fill(b, ctx, st.Pool, max(invoices/10, 1)) {
		fmt.Printf("\nloaded %d invoices in %s\n", invoices, time.Since(start).Round(time.Second))
	}
	start = time.Now()
	if benchbook.History(b, ctx, st.Pool) {
		fmt.Printf("wrote a year of history in %s\n", time.Since(start).Round(time.Second))
	}
	a := app.New(st, nil, nil)
	var agentID int64
	require.NoError(b, st.Pool.QueryRow(ctx, `SELECT id FROM users WHERE email = $1`, benchbook.Agent).Scan(&agentID))
	whos := []struct {
		name string
		who  domain.Principal
	}{
		{"admin", domain.Principal{Role: domain.RoleAdmin, Email: "admin@bench.test", AllEntities: true}},
		{"agent", domain.Principal{UserID: agentID, Role: domain.RoleAgent, Email: benchbook.Agent, AllEntities: true}},
	}
	var sizes struct{ invoices, history, customers int64 }
	require.NoError(b, st.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM invoices), (SELECT count(*) FROM invoice_open_history),
		(SELECT count(*) FROM customers)`).Scan(&sizes.invoices, &sizes.history, &sizes.customers))
	today := dunning.DateOf(time.Now().UTC())

	scan := func() time.Duration {
		t0 := time.Now()
		err := pgx.BeginFunc(ctx, st.Pool, func(tx pgx.Tx) error {
			// Forced, so the baseline is the scan whatever indexes exist.
			if _, err := tx.Exec(ctx, `SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off; SET LOCAL enable_bitmapscan = off`); err != nil {
				return err
			}
			var n, sum int64
			return tx.QueryRow(ctx, seqScan).Scan(&n, &sum)
		})
		require.NoError(b, err)
		return time.Since(t0)
	}
	type timing struct {
		name, who string
		first     time.Duration // the first call: it may build a day's snapshot
		runs      []time.Duration
	}
	var timings []*timing
	for _, w := range whos {
		for _, q := range kpiBenchQueries {
			t0 := time.Now()
			require.NoError(b, q.run(ctx, a, w.who, today), q.name)
			timings = append(timings, &timing{name: q.name, who: w.name, first: time.Since(t0)})
		}
	}
	var scans []time.Duration
	for b.Loop() {
		for range rounds {
			i := 0
			for _, w := range whos {
				for _, q := range kpiBenchQueries {
					scans = append(scans, scan())
					t0 := time.Now()
					require.NoError(b, q.run(ctx, a, w.who, today), q.name)
					timings[i].runs = append(timings[i].runs, time.Since(t0))
					i++
				}
			}
		}
	}
	base := medianOf(scans)
	fmt.Printf("\n%d invoices, %d open-amount history rows, %d customers; medians of %d rounds, each query after a scan\n",
		sizes.invoices, sizes.history, sizes.customers, rounds)
	fmt.Printf("| query | as | first call | median | ratio to the scan |\n|---|---|---|---|---|\n")
	fmt.Printf("| sequential scan of invoices (baseline) | | | %s | 1.00 |\n", msOf(base))
	b.ReportMetric(float64(base)/float64(time.Millisecond), "scan-ms")
	worst := 0.0
	for _, t := range timings {
		m := medianOf(t.runs)
		r := float64(m) / float64(base)
		worst = max(worst, r)
		fmt.Printf("| %s | %s | %s | %s | %.2f |\n", t.name, t.who, msOf(t.first), msOf(m), r)
	}
	b.ReportMetric(worst, "worst-ratio")
	fmt.Printf("worst ratio: %.2f (goal <= 2)\n", worst)
}

func medianOf(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func msOf(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
