package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
	"recoup/store/storetest"
)

// BenchmarkAccountFigures times the per-account figures of a page of 50
// accounts (the accounts list without a column sort or filter) and of
// app.MaxColumnScan = 10,000 accounts (a sort or filter by a user-defined
// column, an export), over 10,000 customers with 5 invoices each, a third of
// them paid: go test ./store/ -run '^$' -bench AccountFigures
func BenchmarkAccountFigures(b *testing.B) {
	ctx := context.Background()
	pool := storetest.NewPool(b)
	f := storetest.NewFactory(pool)
	fr := f.Entity(b, storetest.Entity{Code: "FR01"})
	const customers = 10_000
	for _, q := range []string{
		`INSERT INTO customers (external_id, entity_id, name, country, language, currency, timezone)
		 SELECT 'B' || g, $1, 'Bench ' || g, 'FR', 'fr', 'EUR', 'Europe/Paris' FROM generate_series(1, $2::int) g`,
		`INSERT INTO invoices (external_id, customer_id, number, type, issue_date, due_date, currency, amount_minor,
		                       erp_open_minor, erp_import_id, open_minor, status)
		 SELECT 'BI' || c.id || '-' || k, c.id, 'N' || k, 'invoice', current_date - (k * 37 % 200), current_date - (k * 37 % 200) + 30,
		        'EUR', 10000 * k, CASE WHEN k % 3 = 0 THEN 0 ELSE 10000 * k END, 0,
		        CASE WHEN k % 3 = 0 THEN 0 ELSE 10000 * k END, CASE WHEN k % 3 = 0 THEN 'paid' ELSE 'open' END
		 FROM customers c CROSS JOIN generate_series(1, 5) k WHERE c.entity_id = $1 AND $2::int > 0`,
		`INSERT INTO payments (external_id, customer_id, received_on, currency, amount_minor, unallocated_minor, import_id)
		 SELECT 'BP' || i.id, i.customer_id, i.due_date - 3, 'EUR', i.amount_minor, 0, 0
		 FROM invoices i WHERE i.status = 'paid' AND $1::bigint > 0 AND $2::int > 0`,
		`INSERT INTO payment_allocations (payment_id, invoice_id, amount_minor, import_id)
		 SELECT p.id, i.id, p.amount_minor, 0 FROM payments p JOIN invoices i ON p.external_id = 'BP' || i.id
		 WHERE $1::bigint > 0 AND $2::int > 0`,
		`ANALYZE`,
	} {
		var err error
		if q == `ANALYZE` {
			_, err = pool.Exec(ctx, q)
		} else {
			_, err = pool.Exec(ctx, q, fr, customers)
		}
		require.NoError(b, err)
	}
	rows, err := pool.Query(ctx, `SELECT id FROM customers WHERE entity_id = $1 ORDER BY name, id`, fr)
	require.NoError(b, err)
	var ids []int64
	for rows.Next() {
		var id int64
		require.NoError(b, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(b, rows.Err())
	st := &store.Store{Pool: pool}
	per := store.PerimeterOf(domain.Principal{Role: domain.RoleCreditManager, EntityIDs: []int64{fr}})
	for _, bc := range []struct {
		name string
		ids  []int64
	}{{"page_of_50", ids[:50]}, {"scan_of_10000", ids}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				figs, err := st.AccountFigures(ctx, per, bc.ids, time.Now())
				require.NoError(b, err)
				require.Len(b, figs, len(bc.ids))
			}
		})
	}
}
