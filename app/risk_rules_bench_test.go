package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/benchenv"
	"recoup/domain"
	"recoup/store"
	"recoup/store/storetest"
)

// benchClaim and benchMark are the baseline: the bare claim of a batch of
// waiting signals and the mark that they are evaluated, as
// store.EvaluateRiskSignals does them, with nothing read or decided between.
const (
	benchClaim = `
SELECT s.id FROM risk_signals s WHERE s.evaluated_at IS NULL AND s.customer_id IS NOT NULL
ORDER BY s.id LIMIT 200 FOR UPDATE SKIP LOCKED`
	benchMark = `UPDATE risk_signals SET evaluated_at = now() WHERE id = ANY ($1)`
	// benchSignals: ten observations per customer, a day apart: a steady
	// score, rating, limit and status, with now and then a drop, a downgrade,
	// a low limit or a ceased company, so that about one signal in twenty
	// raises an alert.
	benchSignals = `
INSERT INTO risk_signals (provider, event_id, company_id, company_id_kind, customer_id, matched_at, observed_at,
                          score, rating, limit_minor, limit_currency, legal_status, source)
SELECT 'bench', c.id || '-' || n, c.id::text, 'external', c.id, now(), now() - make_interval(days => 10 - n),
       (CASE WHEN (c.id + n) % 83 = 0 THEN 40 ELSE 70 + (c.id + n) % 3 END)::smallint,
       CASE WHEN (c.id + n) % 89 = 0 THEN 'BB' ELSE 'A' END,
       CASE WHEN (c.id + n) % 97 = 0 THEN 10000 ELSE 5000000 END, 'EUR',
       CASE WHEN (c.id + n) % 101 = 0 THEN 'ceased' ELSE 'active' END, 'api'
FROM customers c, generate_series(1, @per) n
WHERE c.external_id LIKE 'RB%'
ORDER BY n, c.id`
	benchCustomers = `
INSERT INTO customers (external_id, entity_id, name, country, language, currency, timezone)
SELECT 'RB' || i, @entity, 'Bench ' || i, 'FR', 'fr', 'EUR', 'Europe/Paris' FROM generate_series(1, @n) i`
	benchInvoices = `
INSERT INTO invoices (external_id, customer_id, number, type, issue_date, due_date, currency, amount_minor, erp_open_minor,
                      erp_import_id, open_minor, status)
SELECT 'RBI' || c.id, c.id, 'RB-' || c.id, 'invoice', current_date - 60, current_date - 30, 'EUR', 100000, 100000, 0, 100000, 'open'
FROM customers c WHERE c.external_id LIKE 'RB%'`
)

// BenchmarkRiskRules times the evaluation of RECOUP_BENCH_RISK_SIGNALS
// matched signals (default 100,000: ten per customer over a tenth as many
// customers, each with an open invoice) by EvaluateRiskSignals with four
// active rules on their entity (one per kind), against, in the same run, the
// bare claim-and-mark loop over the same signals (the floor any evaluation
// pays) and EvaluateRiskSignals with the rules inactive (what reading the
// customers' histories costs). The three alternate for
// RECOUP_BENCH_RISK_ROUNDS rounds (default 5), the signals made waiting again
// and the alerts cleared before each (the journal, append-only, keeps
// growing); the table quotes medians, the cost per
// observation and the ratios to the bare loop.
func BenchmarkRiskRules(b *testing.B) {
	ctx := context.Background()
	signals := benchenv.Int(b, "RECOUP_BENCH_RISK_SIGNALS", 100_000)
	rounds := benchenv.Int(b, "RECOUP_BENCH_RISK_ROUNDS", 5)
	const perCustomer = 10
	pool := storetest.NewPool(b)
	st := &store.Store{Pool: pool}
	a := app.New(st, nil, nil)
	admin := domain.Principal{Role: domain.RoleAdmin, Email: "bench@example.com", AllEntities: true}
	rows := storetest.NewFactory(pool)
	entity := rows.Entity(b, storetest.Entity{Code: "RB01"})
	exec := func(sql string, args ...any) {
		_, err := pool.Exec(ctx, sql, args...)
		require.NoError(b, err)
	}
	exec(benchCustomers, pgx.NamedArgs{"entity": entity, "n": signals / perCustomer})
	exec(benchInvoices)
	exec(benchSignals, pgx.NamedArgs{"per": perCustomer})
	exec(`ANALYZE`)
	points, days := 20, 30
	for _, r := range []app.RiskRuleRequest{
		{Name: "drop", Kind: "score_drop", Points: &points, Days: &days, Notify: true},
		{Name: "rating", Kind: "rating_worse", Notify: true},
		{Name: "limit", Kind: "limit_below_outstanding", Notify: true},
		{Name: "legal", Kind: "legal_status_change", Notify: true},
	} {
		r.Entity = "RB01"
		_, err := a.CreateRiskRule(ctx, admin, r)
		require.NoError(b, err)
	}
	var total int
	require.NoError(b, pool.QueryRow(ctx, `SELECT count(*) FROM risk_signals`).Scan(&total))

	reset := func(active bool) {
		exec(`DELETE FROM risk_alerts`)
		exec(`UPDATE risk_signals SET evaluated_at = NULL`)
		exec(`UPDATE risk_rules SET active = $1`, active)
		exec(`VACUUM ANALYZE risk_signals`)
	}
	type variant struct {
		name   string
		active bool
		run    func() int
	}
	variants := []variant{
		{"bare claim and mark (baseline)", false, func() int { return bareLoop(b, ctx, pool) }},
		{"EvaluateRiskSignals, rules inactive", false, func() int {
			n, err := a.EvaluateRiskSignals(ctx)
			require.NoError(b, err)
			return n
		}},
		{"EvaluateRiskSignals, 4 rules", true, func() int {
			n, err := a.EvaluateRiskSignals(ctx)
			require.NoError(b, err)
			return n
		}},
	}
	times := make([][]time.Duration, len(variants))
	alerts := 0
	b.ResetTimer()
	for round := range rounds {
		for i := range variants {
			v := variants[(i+round)%len(variants)] // each variant goes first in turn
			idx := (i + round) % len(variants)
			reset(v.active)
			start := time.Now()
			n := v.run()
			times[idx] = append(times[idx], time.Since(start))
			require.Equal(b, total, n, v.name)
			if v.active {
				require.NoError(b, pool.QueryRow(ctx, `SELECT count(*) FROM risk_alerts`).Scan(&alerts))
			}
		}
	}
	b.StopTimer()
	base := medianOf(times[0])
	fmt.Printf("risk rules: %d signals over %d customers, 4 rules, %d rounds (medians), %d alerts raised per run\n",
		total, signals/perCustomer, rounds, alerts)
	fmt.Println("| run | median | per observation | ratio to the bare loop |")
	fmt.Println("|---|---|---|---|")
	for i, v := range variants {
		m := medianOf(times[i])
		fmt.Printf("| %s | %s | %.1f µs | %.2f |\n", v.name, msOf(m), float64(m.Microseconds())/float64(total), float64(m)/float64(base))
	}
	b.ReportMetric(float64(medianOf(times[2]).Microseconds())/float64(total), "µs/observation")
	b.ReportMetric(float64(medianOf(times[2]))/float64(base), "ratio")
}

// bareLoop claims and marks every waiting signal, 200 per transaction.
func bareLoop(b *testing.B, ctx context.Context, pool *pgxpool.Pool) int {
	total := 0
	for {
		var n int
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, benchClaim)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil || len(ids) == 0 {
				return err
			}
			n = len(ids)
			_, err = tx.Exec(ctx, benchMark, ids)
			return err
		})
		require.NoError(b, err)
		if n == 0 {
			return total
		}
		total += n
	}
}
