// Package benchbook is the production-size book the benchmarks share: the
// web pages' (web/browser) and the collection figures' (app). One generator,
// so both measure the same data: three entities in two currencies, a credit
// manager and 20 agents, customers spread over entities, categories and
// agents, ten invoices each due over thirteen months, loaded through the
// importer as an ERP feed would load them. History adds what a year of use
// leaves behind (dated open-amount history, payments and their allocations,
// disputes, promises) for the figures of past dates.
package benchbook

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/auth"
	"recoup/importer"
	"recoup/store"
	"recoup/store/storetest"
)

// The users Fill creates, all with Password.
const (
	Manager  = "manager@bench.test" // credit manager, every entity
	Agent    = "agent01@bench.test" // one of the Agents agents
	Password = "bench password, long enough"
	Agents   = 20
	// Heavy is how many invoices customer C0000000 has on top of its ten.
	Heavy = 2000
)

// Store is a fresh test database, or RECOUP_BENCH_DATABASE_URL migrated
// (created if needed), so a long load is kept between runs.
func Store(tb testing.TB, ctx context.Context) *store.Store {
	tb.Helper()
	url := os.Getenv("RECOUP_BENCH_DATABASE_URL")
	if url == "" {
		return &store.Store{Pool: storetest.NewPool(tb)}
	}
	require.NoError(tb, store.EnsureDatabase(ctx, url))
	st, err := store.Open(ctx, url)
	require.NoError(tb, err)
	tb.Cleanup(st.Close)
	require.NoError(tb, store.Migrate(ctx, st.Pool, slog.New(slog.DiscardHandler)))
	return st
}

// Fill loads the book when the database has no customer and says whether it
// did: customers spread over three entities, four categories and the agents,
// ten invoices each (customer C0000000 has Heavy more), issued over the last
// fourteen months and due 30 days later, about a third paid and most of the
// rest overdue, a credit note in twenty; and an open task for one customer in
// ten. Everything but the tasks goes through the importer, as an ERP feed
// would; tasks (made by dunning workflows in production) are inserted in one
// statement.
func Fill(tb testing.TB, ctx context.Context, pool *pgxpool.Pool, customers int) bool {
	tb.Helper()
	var existing int64
	require.NoError(tb, pool.QueryRow(ctx, `SELECT count(*) FROM customers`).Scan(&existing))
	if existing > 0 {
		return false
	}
	st := &store.Store{Pool: pool}
	users := []struct{ email, role string }{{Manager, "credit_manager"}}
	for i := 1; i <= Agents; i++ {
		users = append(users, struct{ email, role string }{fmt.Sprintf("agent%02d@bench.test", i), "agent"})
	}
	for _, u := range users {
		spec, err := auth.UserSpec(u.email, strings.Split(u.email, "@")[0], u.role, "", Password, nil)
		require.NoError(tb, err)
		_, err = st.PutUser(ctx, spec, "bench")
		require.NoError(tb, err)
	}

	im := importer.New(pool)
	dir := tb.TempDir()
	imp := func(kind importer.Kind, name, header string, n int, row func(*bufio.Writer, int)) {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		require.NoError(tb, err)
		w := bufio.NewWriterSize(f, 1<<20)
		w.WriteString(header)
		for i := range n {
			row(w, i)
		}
		require.NoError(tb, w.Flush())
		_, err = f.Seek(0, io.SeekStart)
		require.NoError(tb, err)
		defer f.Close()
		res, err := im.Import(ctx, kind, importer.CSV, f, importer.Source{Name: "bench"})
		require.NoError(tb, err)
		require.Zero(tb, res.Rejected, res.Rejections)
	}
	type entity struct{ code, country, currency, timezone, language string }
	entities := []entity{{"FR01", "FR", "EUR", "Europe/Paris", "fr"}, {"DE01", "DE", "EUR", "Europe/Berlin", "de"},
		{"US01", "US", "USD", "America/New_York", "en"}}
	entityOf := func(i int) entity { return entities[[]int{0, 0, 0, 0, 0, 1, 1, 1, 2, 2}[i%10]] }
	imp(importer.Entities, "entities.csv", "code,name,country,currency,timezone,language\n", len(entities),
		func(w *bufio.Writer, i int) {
			e := entities[i]
			fmt.Fprintf(w, "%s,Bench %s,%s,%s,%s,%s\n", e.code, e.country, e.country, e.currency, e.timezone, e.language)
		})
	categories := []string{"key_account", "sme", "public", "retail"}
	imp(importer.Customers, "customers.csv", "external_id,entity,name,category,country,language,currency,timezone,agent_email\n", customers,
		func(w *bufio.Writer, i int) {
			e := entityOf(i)
			fmt.Fprintf(w, "C%07d,%s,Customer %d,%s,%s,%s,%s,%s,agent%02d@bench.test\n", i, e.code, i, categories[i%len(categories)],
				e.country, e.language, e.currency, e.timezone, 1+i%Agents)
		})
	today := time.Now().UTC()
	imp(importer.Invoices, "invoices.csv",
		"external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n", customers*10+Heavy,
		func(w *bufio.Writer, i int) {
			c := i % customers
			if i >= customers*10 {
				c = 0
			}
			issue := today.AddDate(0, 0, -(i*7)%420)
			due := issue.AddDate(0, 0, 30)
			typ := "invoice"
			if i%20 == 7 {
				typ = "credit_note"
			}
			amount := 10_000 + (i*7919)%900_000 // minor units
			open := amount
			switch i % 10 {
			case 0, 1, 2: // paid
				open = 0
			case 3: // partly paid
				open = amount / 2
			}
			fmt.Fprintf(w, "INV%08d,C%07d,F-%08d,%s,%s,%s,%s,%d.%02d,%d.%02d\n", i, c, i, typ,
				issue.Format(time.DateOnly), due.Format(time.DateOnly), entityOf(c).currency, amount/100, amount%100, open/100, open%100)
		})
	// Statistics first: without them the planner scans every invoice for each customer's open ones.
	_, err := pool.Exec(ctx, `ANALYZE invoices`)
	require.NoError(tb, err)
	_, err = pool.Exec(ctx, insertTasks)
	require.NoError(tb, err)
	return true
}

// insertTasks opens a task for one customer in ten with an overdue
// invoice, as dunning would: calls for the customer's agent, escalations for
// the credit managers, due over the last and next weeks.
const insertTasks = `
INSERT INTO tasks (key, customer_id, kind, assignee_role, assignee_id, invoice_ids, due_at)
SELECT 'bench-' || c.id, c.id,
       CASE WHEN c.id % 70 = 0 THEN 'escalation' ELSE 'call' END,
       CASE WHEN c.id % 70 = 0 THEN 'credit_manager' ELSE 'agent' END,
       CASE WHEN c.id % 70 = 0 THEN NULL ELSE c.agent_id END,
       o.ids, now() + ((c.id % 15) - 7) * interval '1 day'
FROM customers c
CROSS JOIN LATERAL (
    SELECT array_agg(i.id) AS ids FROM invoices i
    WHERE i.customer_id = c.id AND i.status = 'open' AND i.type = 'invoice' AND i.due_date < current_date
) o
WHERE c.id % 10 = 0 AND o.ids IS NOT NULL`
