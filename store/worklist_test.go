package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// The team's worklist reads an index (migration 00017) and must rank exactly
// as scoring every open task does: same rows, same order, same total, on
// every page, whatever the currencies, rates, risk, broken promises, stale
// totals and due times, and after the risk or a promise changes.
func TestWorklistPrunedRanksAsScoringEveryTask(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	rows := storetest.NewFactory(pool)
	agent := rows.User(t, storetest.User{Email: "agent@example.com", Role: domain.RoleAgent})
	other := rows.User(t, storetest.User{Email: "other@example.com", Role: domain.RoleAgent})
	now := time.Now().UTC()
	today := dunning.DateOf(now)
	rnd := rand.New(rand.NewPCG(1, 2))
	currencies := []string{"EUR", "EUR", "USD", "GBP", "JPY", "CHF"}
	risks := []string{"", "low", "medium", "High"}
	var customers []int64
	for i := range 120 {
		cur := money.MustCurrency(currencies[rnd.IntN(len(currencies))])
		c := rows.Customer(t, storetest.Customer{Name: fmt.Sprintf("C%03d", i), Currency: cur, RiskClass: risks[rnd.IntN(len(risks))], Agent: []int64{agent, other}[i%2]})
		customers = append(customers, c)
		for range rnd.IntN(4) {
			due := today.AddDays(rnd.IntN(200) - 150)
			amount := money.Money{Minor: int64(1 + rnd.IntN(5_000_000)), Currency: cur}
			rows.Invoice(t, storetest.Invoice{Customer: c, IssueDate: due.AddDays(-30), DueDate: due, Amount: amount})
		}
		for k := range rnd.IntN(3) {
			_, _, err := st.CreateTask(ctx, store.Task{Key: fmt.Sprintf("t/%d/%d", i, k), CustomerID: c, Kind: domain.TaskCall,
				AssigneeRole: domain.AssigneeAgent, DueAt: now.Add(time.Duration(rnd.IntN(40*24)-20*24) * time.Hour), Note: "call"})
			require.NoError(t, err)
		}
	}
	for _, sql := range []string{
		`INSERT INTO exchange_rates VALUES (current_date - 2, 'USD', 'EUR', 0.92), (current_date - 2, 'GBP', 'EUR', 1.17), (current_date - 2, 'JPY', 'EUR', 0.0061)`,
		// Totals refreshed days ago, as without writes: their days overdue have grown since.
		`UPDATE customer_totals SET overdue_on = overdue_on - 5 WHERE customer_id % 7 = 0`,
		// Totals whose next due date has passed since: their stored overdue amount understates it.
		`UPDATE customer_totals SET overdue_minor = overdue_minor / 4, next_due = current_date - 3 WHERE customer_id % 5 = 1`,
	} {
		_, err := pool.Exec(ctx, sql)
		require.NoError(t, err)
	}
	yes := true
	same := func(t *testing.T, what string) {
		t.Helper()
		rates, err := st.RatesTo(ctx, "EUR", today)
		require.NoError(t, err)
		for _, c := range []struct {
			per     store.Perimeter
			page    domain.Page
			overdue *bool
			later   time.Duration // the clock: the due part moves with it
		}{
			{store.Everything, domain.Page{Limit: 10}, nil, 0}, {store.Everything, domain.Page{Limit: 10, Offset: 10}, nil, 0},
			{store.Everything, domain.Page{Limit: 7, Offset: 33}, nil, 0}, {store.Everything, domain.Page{Limit: 500}, nil, 0},
			{store.Perimeter{Agent: &agent}, domain.Page{Limit: 10}, nil, 0}, {store.Perimeter{Agent: &other}, domain.Page{Limit: 500}, nil, 0},
			{store.Everything, domain.Page{Limit: 10}, &yes, 0}, {store.Everything, domain.Page{Limit: 10}, nil, 30 * time.Hour},
			{store.Everything, domain.Page{Limit: 5, Offset: 5}, nil, 9*24*time.Hour + 17*time.Minute},
		} {
			page := c.page
			f := store.WorklistFilter{Reporting: money.MustCurrency("EUR"), Rates: rates, Now: now.Add(c.later), Page: page, Overdue: c.overdue}
			pruned, total, err := st.Worklist(ctx, c.per, f)
			require.NoError(t, err)
			f.Exhaustive = true
			all, allTotal, err := st.Worklist(ctx, c.per, f)
			require.NoError(t, err)
			require.NotEmpty(t, all)
			require.Equal(t, allTotal, total, "%s: the total, page %+v", what, page)
			require.Equal(t, ids(all), ids(pruned), "%s: page %+v", what, page)
			require.Equal(t, all, pruned, "%s: page %+v", what, page)
		}
	}
	same(t, "as loaded")

	low := customers[len(customers)-1]
	_, err := pool.Exec(ctx, `UPDATE customers SET risk_class = 'high' WHERE id = ANY ($1)`, customers[100:])
	require.NoError(t, err)
	p, err := st.CreatePromise(ctx, store.NewPromise{CustomerID: low, Amount: money.Money{Minor: 1, Currency: mustCurrencyOf(t, st, low)},
		Date: today.AddDays(1), Source: "api", Actor: "test"})
	if err == nil { // a customer with an open invoice: break its promise
		_, err = pool.Exec(ctx, `UPDATE promises SET status = 'broken' WHERE id = $1`, p.ID)
		require.NoError(t, err)
	}
	same(t, "after risk and promise changes")

	// Task due times move, tasks close and open: each customer's earliest
	// open task (customer_totals.task_due_day) follows, by trigger.
	for _, sql := range []string{
		`UPDATE tasks SET due_at = due_at - interval '13 days' WHERE id % 4 = 0`,
		`UPDATE tasks SET due_at = due_at + interval '11 days' WHERE id % 4 = 1`,
		`UPDATE tasks SET status = 'done', closed_at = now() WHERE id % 6 = 2`,
		`DELETE FROM tasks WHERE id % 9 = 3`,
	} {
		_, err := pool.Exec(ctx, sql)
		require.NoError(t, err)
	}
	for i, c := range customers[:30] {
		_, _, err := st.CreateTask(ctx, store.Task{Key: fmt.Sprintf("late/%d", i), CustomerID: c, Kind: domain.TaskCall,
			AssigneeRole: domain.AssigneeAgent, DueAt: now.Add(-time.Duration(i) * 24 * time.Hour), Note: "call"})
		require.NoError(t, err)
	}
	var drift int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM customer_totals t WHERE t.task_due_day IS DISTINCT FROM
		(SELECT extract(epoch FROM min(k.due_at)) / 86400 FROM tasks k WHERE k.customer_id = t.customer_id AND k.status = 'open')`).Scan(&drift))
	require.Zero(t, drift, "customers whose task_due_day is not their earliest open task's")
	same(t, "after task changes")

	// The daily sweep's refresh brings the day-old totals up to date (none stale after it), and ranks alike.
	n, err := st.RefreshStaleTotals(ctx, 10)
	require.NoError(t, err)
	require.Equal(t, 10, n, "a full batch")
	for n == 10 {
		n, err = st.RefreshStaleTotals(ctx, 10)
		require.NoError(t, err)
	}
	var stale int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM customer_totals t JOIN customers c ON c.id = t.customer_id
		WHERE t.overdue_on < (now() AT TIME ZONE c.timezone)::date OR t.next_due < (now() AT TIME ZONE c.timezone)::date`).Scan(&stale))
	require.Zero(t, stale)
	same(t, "after the daily refresh")
}

func ids(list []store.WorklistRow) []int64 {
	out := make([]int64, len(list))
	for i, r := range list {
		out[i] = r.ID
	}
	return out
}

func mustCurrencyOf(t *testing.T, st *store.Store, customer int64) money.Currency {
	t.Helper()
	var code string
	require.NoError(t, st.Pool.QueryRow(context.Background(), `SELECT currency FROM customers WHERE id = $1`, customer).Scan(&code))
	return money.MustCurrency(code)
}
