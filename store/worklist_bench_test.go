package store_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// BenchmarkWorklist times the worklist query on RECOUP_BENCH_INVOICES
// invoices (default 1,000,000) over a tenth as many customers in three
// currencies, with a fifth as many open tasks (200,000) spread over 50
// agents, and prints p50 and p95 of one agent's first page and of the
// team's first page (every open task ranked), the team's both by scoring
// every open task (the query before migration 00017) and bounded per
// customer (worklistBounded, migrations 00017 and 00018), in turns. Goal:
// p95 < 100 ms.
//
//	go test ./store/ -run '^$' -bench Worklist -benchtime 1x -timeout 60m
func BenchmarkWorklist(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("RECOUP_BENCH_INVOICES"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(b, err)
	}
	customers, tasks, agents := max(n/10, 1), max(n/5, 1), 50
	ctx := context.Background()
	pool := storetest.NewPool(b)
	st := &store.Store{Pool: pool}
	rows := storetest.NewFactory(pool)
	entity := rows.Entity(b, storetest.Entity{Code: "FR01"})
	for i := range agents {
		rows.User(b, storetest.User{Email: fmt.Sprintf("agent%d@example.com", i), Role: domain.RoleAgent})
	}
	started := time.Now()
	for _, sql := range []string{
		`INSERT INTO customers (external_id, entity_id, name, country, language, currency, timezone, risk_class, agent_id)
		 SELECT 'C' || i, $1, 'Customer ' || i, 'FR', 'fr', (ARRAY['EUR', 'EUR', 'EUR', 'USD', 'GBP', 'CHF'])[1 + i % 6], 'Europe/Paris',
		        (ARRAY['', 'low', 'medium', 'high'])[1 + i % 4],
		        (SELECT id FROM users WHERE email = 'agent' || (i % ` + strconv.Itoa(agents) + `) || '@example.com')
		 FROM generate_series(1, ` + strconv.Itoa(customers) + `) i`,
		`INSERT INTO invoices (external_id, customer_id, number, type, issue_date, due_date, currency, amount_minor, erp_open_minor,
		                       erp_import_id, open_minor, status)
		 SELECT 'I' || i, c.id, 'F-' || i, 'invoice', current_date - 30 - i % 200, current_date - i % 200 + 60, c.currency,
		        10000 + i % 900000, 10000 + i % 900000, 0, CASE WHEN i % 3 = 0 THEN 0 ELSE 10000 + i % 900000 END,
		        CASE WHEN i % 3 = 0 THEN 'paid' ELSE 'open' END
		 FROM generate_series(1, ` + strconv.Itoa(n) + `) i
		 JOIN customers c ON c.external_id = 'C' || (1 + i % ` + strconv.Itoa(customers) + `)`,
		`INSERT INTO tasks (key, customer_id, kind, assignee_role, assignee_id, invoice_ids, due_at, note)
		 SELECT 'bench/' || i, c.id, 'call', 'agent', c.agent_id, '{}', now() + (i % 20 - 10) * interval '1 day', 'call'
		 FROM generate_series(1, ` + strconv.Itoa(tasks) + `) i
		 JOIN customers c ON c.external_id = 'C' || (1 + i % ` + strconv.Itoa(customers) + `)`,
		`INSERT INTO exchange_rates SELECT current_date - d, f, 'EUR', r
		 FROM generate_series(0, 365) d, (VALUES ('USD', 0.92), ('GBP', 1.17)) AS x(f, r)`, // no CHF rate: the fallback
		`VACUUM ANALYZE`, // as autovacuum leaves a table after a load: visibility map set, index-only scans read no heap
	} {
		args := []any{}
		if strings.Contains(sql, "$1") {
			args = append(args, entity)
		}
		_, err := pool.Exec(ctx, sql, args...)
		require.NoError(b, err)
	}
	b.Logf("loaded %d customers, %d invoices, %d open tasks in %s", customers, n, tasks, time.Since(started).Round(time.Second))

	eur := money.MustCurrency("EUR")
	now := time.Now().UTC()
	rates, err := st.RatesTo(ctx, "EUR", dunning.DateOf(now))
	require.NoError(b, err)
	var agent int64
	require.NoError(b, pool.QueryRow(ctx, `SELECT id FROM users WHERE email = 'agent7@example.com'`).Scan(&agent))
	cases := []struct {
		name string
		per  store.Perimeter
		f    store.WorklistFilter
	}{
		{"one agent's worklist", store.Perimeter{Agent: &agent}, store.WorklistFilter{AssigneeEmail: "agent7@example.com"}},
		{"the team's worklist, every task scored (before migration 00017)", store.Everything, store.WorklistFilter{Exhaustive: true}},
		{"the team's worklist, bounded per customer (migration 00018)", store.Everything, store.WorklistFilter{}},
	}
	// The cases take turns call by call (the machine is shared: a burst of
	// load then weighs on each alike); RECOUP_BENCH_ROUNDS calls each (40).
	rounds := 40
	if v := os.Getenv("RECOUP_BENCH_ROUNDS"); v != "" {
		rounds, err = strconv.Atoi(v)
		require.NoError(b, err)
	}
	for range b.N {
		took := make([][]time.Duration, len(cases))
		totals := make([]int64, len(cases))
		for range rounds {
			for i, c := range cases {
				c.f.Reporting, c.f.Rates, c.f.Now, c.f.Page = eur, rates, now, domain.Page{Limit: 50}
				t0 := time.Now()
				_, total, err := st.Worklist(ctx, c.per, c.f)
				require.NoError(b, err)
				took[i] = append(took[i], time.Since(t0))
				totals[i] = total
			}
		}
		for i, c := range cases {
			slices.Sort(took[i])
			fmt.Printf("%s (%d open tasks ranked): p50 %s, p95 %s (goal p95 < 100ms)\n", c.name, totals[i],
				took[i][len(took[i])/2].Round(time.Millisecond/10), took[i][len(took[i])*95/100].Round(time.Millisecond/10))
		}
	}
}
