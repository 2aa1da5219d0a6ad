package store_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/store"
	"recoup/store/storetest"
)

// BenchmarkLimitUseSweep measures the daily sweep's credit limit catch-up
// (EvaluateLimitUse over every customer with a limit, one statement) on a
// book of RECOUP_BENCH_LIMIT_ACCOUNTS accounts (100,000 by default), each
// with a limit and one open invoice at 0-150 % of it. Baseline, in the same
// run: the sweep's existing listing of the accounts with open items. A and B
// alternate, five rounds, medians. Run with -benchtime=1x:
//
//	go test ./store/ -run '^$' -bench LimitUseSweep -benchtime=1x
func BenchmarkLimitUseSweep(b *testing.B) {
	n := 100_000
	if v := os.Getenv("RECOUP_BENCH_LIMIT_ACCOUNTS"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(b, err)
	}
	ctx := context.Background()
	pool := storetest.NewPool(b)
	st := &store.Store{Pool: pool}
	rows := storetest.NewFactory(pool)
	entity := rows.Entity(b, storetest.Entity{Code: "FR01"})
	_, err := pool.Exec(ctx, `
INSERT INTO customers (external_id, entity_id, name, country, language, currency, timezone, credit_limit_minor)
SELECT 'B' || g, $1, 'Customer ' || g, 'FR', 'fr', 'EUR', 'Europe/Paris', 1000000 FROM generate_series(1, $2) g`, entity, n)
	require.NoError(b, err)
	_, err = pool.Exec(ctx, `
INSERT INTO invoices (external_id, customer_id, number, type, issue_date, due_date, currency, amount_minor,
                      erp_open_minor, erp_import_id, open_minor, status)
SELECT 'BI' || c.id, c.id, 'B-' || c.id, 'invoice', current_date - 30, current_date, 'EUR', o, o, 0, o, 'open'
FROM customers c CROSS JOIN LATERAL (SELECT (c.id * 7919 % 1500000)::bigint AS o) x
WHERE c.external_id LIKE 'B%'`)
	require.NoError(b, err)
	_, err = pool.Exec(ctx, `ANALYZE`)
	require.NoError(b, err)

	start := time.Now()
	first, err := st.EvaluateLimitUse(ctx, nil, true)
	require.NoError(b, err)
	firstTook := time.Since(start)

	var base, sweep []time.Duration
	b.ResetTimer()
	for range 5 {
		t0 := time.Now()
		ids, err := st.CustomersWithOpenItems(ctx)
		require.NoError(b, err)
		require.Len(b, ids, n)
		base = append(base, time.Since(t0))
		t0 = time.Now()
		again, err := st.EvaluateLimitUse(ctx, nil, true)
		require.NoError(b, err)
		require.Empty(b, again, "steady state: nothing crossed since")
		sweep = append(sweep, time.Since(t0))
	}
	median := func(d []time.Duration) time.Duration { s := slices.Clone(d); slices.Sort(s); return s[len(s)/2] }
	a, s := median(base), median(sweep)
	b.ReportMetric(float64(s.Milliseconds()), "sweep-ms")
	b.ReportMetric(float64(a.Milliseconds()), "baseline-ms")
	b.Logf("%d accounts: first evaluation %v (%d alerts raised and notified); steady-state sweep median %v; "+
		"baseline (accounts with open items) median %v; ratio %.2f", n, firstTook.Round(time.Millisecond), len(first),
		s.Round(time.Millisecond), a.Round(time.Millisecond), float64(s)/float64(a))
}
