package benchbook

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// History gives the book Fill loaded the past a year of use leaves, once
// (it says whether it did): the open-amount history the triggers would have
// recorded had the invoices arrived over fourteen months, payments and their
// allocations, payments in advance, disputes and promises. Fill's import put
// every invoice's history at one instant (the load), so an as-of figure of a
// past date would see nothing; here each invoice is created on its issue date,
// one in six has its due date moved by the ERP twelve days later, and the
// paid and partly paid are paid after their due date with a delay of the
// customer's (-10 to +45 days, a third of them reported by the ERP as a new
// open amount, the rest as payments Recoup allocated). The latest row of each
// invoice is its current state, as the triggers keep it.
func History(tb testing.TB, ctx context.Context, pool *pgxpool.Pool) bool {
	tb.Helper()
	var done bool
	require.NoError(tb, pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM payments WHERE external_id LIKE 'BP%')`).Scan(&done))
	if done {
		return false
	}
	for _, sql := range historySQL {
		_, err := pool.Exec(ctx, sql)
		require.NoError(tb, err, sql)
	}
	return true
}

var historySQL = []string{
	// Each invoice's life in a scratch table first: created, due date moved, paid.
	`DROP TABLE IF EXISTS bench_life`,
	`CREATE UNLOGGED TABLE bench_life AS
SELECT i.id, i.customer_id, i.currency, i.amount_minor, i.due_date,
       CASE WHEN i.status = 'written_off' THEN 0 ELSE i.open_minor END AS open_now,
       least(i.issue_date + interval '8 hours', now() - interval '2 hours') AS created_at,
       i.id % 6 = 0 AS moved,
       least(greatest(i.due_date + ((i.customer_id % 56) - 10) * interval '1 day' + interval '14 hours',
                      i.issue_date + interval '1 day 8 hours'), now() - interval '1 hour') AS paid_at,
       i.id % 3 = 0 AS by_erp
FROM invoices i`,
	`TRUNCATE invoice_open_history`,
	`INSERT INTO invoice_open_history (invoice_id, at, source, import_id, open_minor, change_minor, due_date)
SELECT id, at, source, 0, open_minor, open_minor - coalesce(lag(open_minor) OVER (PARTITION BY id ORDER BY at, step), 0), due_date
FROM (
    SELECT id, created_at AS at, 1 AS step, 'created' AS source, amount_minor AS open_minor,
           CASE WHEN moved THEN due_date - 14 ELSE due_date END AS due_date
    FROM bench_life
    UNION ALL
    SELECT id, least(created_at + interval '12 days', paid_at - interval '1 minute'), 2, 'erp', amount_minor, due_date
    FROM bench_life WHERE moved
    UNION ALL
    SELECT id, paid_at, 3, CASE WHEN by_erp THEN 'erp' ELSE 'payment' END, open_now, due_date
    FROM bench_life WHERE open_now <> amount_minor
) steps
ORDER BY at, id, step`,
	// The payments Recoup allocated (the ERP's new open amounts come with none).
	`INSERT INTO payments (external_id, customer_id, invoice_number, received_on, currency, amount_minor, unallocated_minor, import_id, created_at)
SELECT 'BP' || l.id, l.customer_id, '', l.paid_at::date, l.currency, l.amount_minor - l.open_now, 0, 0, l.paid_at
FROM bench_life l WHERE l.open_now < l.amount_minor AND NOT l.by_erp`,
	`INSERT INTO payment_allocations (payment_id, invoice_id, amount_minor, import_id)
SELECT p.id, substr(p.external_id, 3)::bigint, p.amount_minor, 0 FROM payments p WHERE p.external_id LIKE 'BP%'`,
	// Payments in advance: one customer in 40 paid 500.00 that no invoice took yet.
	`INSERT INTO payments (external_id, customer_id, received_on, currency, amount_minor, unallocated_minor, import_id, created_at)
SELECT 'BA' || c.id, c.id, (now() - (c.id % 300) * interval '1 day')::date, c.currency, 50000, 50000, 0,
       now() - (c.id % 300) * interval '1 day'
FROM customers c WHERE c.id % 40 = 0`,
	// Disputes: one invoice in 100, opened ten days after issue; three in four
	// decided after 2 to 41 days, one in five past its SLA of 10 business days.
	`INSERT INTO cases (type, customer_id, entity_id, status, reason, department, source, opened_by, opened_at,
                   sla_business_days, sla_state, breached_at, decision, decided_by, decided_at, closed_at, updated_at)
SELECT 'dispute', l.customer_id, c.entity_id,
       CASE WHEN l.id % 4 = 0 THEN 'open' ELSE 'decided' END,
       (ARRAY['price', 'quantity', 'quality', 'delivery', 'duplicate_billing', 'already_paid'])[1 + l.id / 100 % 6],
       (ARRAY['sales', 'sales_administration', 'logistics', 'credit_management'])[1 + l.id / 100 % 4],
       'api', 'bench', l.created_at + interval '10 days', 10,
       CASE WHEN l.id % 5 = 0 THEN 'breached' ELSE 'on_time' END,
       CASE WHEN l.id % 5 = 0 THEN l.created_at + interval '24 days' END,
       CASE WHEN l.id % 4 = 0 THEN '' ELSE (ARRAY['accepted', 'partly_accepted', 'rejected', 'withdrawn'])[1 + l.id / 100 % 4] END,
       CASE WHEN l.id % 4 = 0 THEN '' ELSE 'bench' END,
       CASE WHEN l.id % 4 = 0 THEN NULL ELSE l.created_at + (12 + l.id % 40) * interval '1 day' END,
       NULL, now()
FROM bench_life l JOIN customers c ON c.id = l.customer_id
WHERE l.id % 100 = 3 AND l.created_at + interval '10 days' < now()`,
	`INSERT INTO case_invoices (case_id, invoice_id, currency, disputed_minor, credit_note_minor)
SELECT k.id, i.id, i.currency, i.amount_minor,
       CASE k.decision WHEN 'accepted' THEN i.amount_minor WHEN 'partly_accepted' THEN i.amount_minor / 2 END
FROM cases k
JOIN LATERAL (SELECT i.* FROM invoices i WHERE i.customer_id = k.customer_id AND i.id % 100 = 3
              ORDER BY abs(extract(epoch FROM i.issue_date + interval '18 hours' - k.opened_at)) LIMIT 1) i ON true
WHERE k.opened_by = 'bench'`,
	// Promises: one overdue invoice in 25 got one, 20 days after its due date,
	// for a week later; kept, partly kept, broken or cancelled when checked
	// three days (the grace) after, or still open when that is to come.
	`INSERT INTO promises (customer_id, invoice_ids, currency, amount_minor, covered_open_minor, promised_date, grace_days,
                      source, status, paid_minor, created_by, created_at, closed_by, closed_at)
SELECT l.customer_id, ARRAY[l.id], l.currency, l.amount_minor, l.amount_minor, (l.due_date + 27), 3, 'call',
       CASE WHEN l.due_date + 31 >= current_date THEN 'open'
            ELSE (ARRAY['kept', 'kept', 'partly_kept', 'broken', 'cancelled'])[1 + l.id / 25 % 5] END,
       NULL, 'bench', (l.due_date + 20)::timestamptz + interval '10 hours', '',
       CASE WHEN l.due_date + 31 < current_date THEN (l.due_date + 31)::timestamptz + interval '6 hours' END
FROM bench_life l
WHERE l.id % 25 = 11 AND l.due_date + 20 < current_date`,
	// Daily USD to EUR rates over two years, so USD amounts convert on any date.
	`INSERT INTO exchange_rates (rate_date, from_currency, to_currency, rate)
SELECT current_date - d, 'USD', 'EUR', 0.9 + (d % 20) / 1000.0 FROM generate_series(0, 800) d
ON CONFLICT DO NOTHING`,
	`DROP TABLE bench_life`,
	`VACUUM ANALYZE`,
}
