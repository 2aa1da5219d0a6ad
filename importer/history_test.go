package importer_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"recoup/importer"
	"recoup/store"
)

// historyRow is one recorded change of an invoice's open amount.
type historyRow struct {
	Source string
	Open   int64
	Change int64
}

func (b *testBundle) history(t *testing.T, externalID string) []historyRow {
	t.Helper()
	rows, err := b.pool.Query(context.Background(), `
SELECT h.source, h.open_minor, h.change_minor FROM invoice_open_history h JOIN invoices i ON i.id = h.invoice_id
WHERE i.external_id = $1 ORDER BY h.id`, externalID)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[historyRow])
	require.NoError(t, err)
	return out
}

// openNow is every invoice's receivable in the invoices table: the snapshot.
func (b *testBundle) openNow(t *testing.T) map[int64]int64 {
	t.Helper()
	rows, err := b.pool.Query(context.Background(),
		`SELECT id, CASE WHEN status = 'written_off' THEN 0 ELSE open_minor END FROM invoices`)
	require.NoError(t, err)
	out := map[int64]int64{}
	var id, open int64
	_, err = pgx.ForEachRow(rows, []any{&id, &open}, func() error { out[id] = open; return nil })
	require.NoError(t, err)
	return out
}

const historyInvoices = `external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount,status
I1,C1,F-1,invoice,2026-01-05,2026-02-04,EUR,1000.00,1000.00,
I2,C1,F-2,invoice,2026-01-06,2026-02-05,EUR,500.00,500.00,
CN1,C1,A-1,credit_note,2026-01-07,2026-01-07,EUR,80.00,80.00,
`

func TestEveryOpenAmountChangeIsRecordedWithItsSource(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.base(t)
	b.load(t, importer.Invoices, importer.CSV, historyInvoices)
	b.load(t, importer.Payments, importer.CSV, `external_id,customer_external_id,invoice_number,date,currency,amount
P1,C1,F-1,2026-02-10,EUR,300.00
`)
	// The ERP's new figures: F-1 booked a further payment, the credit note was
	// used, F-2 is unchanged, then F-2 is written off.
	b.load(t, importer.Invoices, importer.CSV, `external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount,status
I1,C1,F-1,invoice,2026-01-05,2026-02-04,EUR,1000.00,600.00,
I2,C1,F-2,invoice,2026-01-06,2026-02-05,EUR,500.00,500.00,
CN1,C1,A-1,credit_note,2026-01-07,2026-01-07,EUR,80.00,0.00,
`)
	b.load(t, importer.Invoices, importer.CSV, `external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount,status
I2,C1,F-2,invoice,2026-01-06,2026-02-05,EUR,500.00,500.00,written_off
`)

	require.Equal(t, []historyRow{{"created", 100000, 100000}, {"payment", 70000, -30000}, {"erp", 60000, -10000}}, b.history(t, "I1"))
	require.Equal(t, []historyRow{{"created", 50000, 50000}, {"erp", 0, -50000}}, b.history(t, "I2"))
	require.Equal(t, []historyRow{{"created", 8000, 8000}, {"erp", 0, -8000}}, b.history(t, "CN1"))
}

// The figures as of an earlier moment are the snapshot taken at that moment,
// however the ERP and the payments changed them since.
func TestOpenAmountsAsOfEqualTheSnapshotTakenThen(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.base(t)
	st := &store.Store{Pool: b.pool}
	ctx := context.Background()
	b.load(t, importer.Invoices, importer.CSV, historyInvoices)
	b.load(t, importer.Payments, importer.CSV, `external_id,customer_external_id,invoice_number,date,currency,amount
P1,C1,F-1,2026-02-10,EUR,250.00
`)
	snapshot := b.openNow(t)
	var cut time.Time
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&cut))

	b.load(t, importer.Payments, importer.CSV, `external_id,customer_external_id,invoice_number,date,currency,amount
P2,C1,F-2,2026-02-11,EUR,100.00
`)
	b.load(t, importer.Invoices, importer.CSV, `external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount,status
I1,C1,F-1,invoice,2026-01-05,2026-03-04,EUR,1000.00,10.00,
I3,C1,F-3,invoice,2026-02-01,2026-03-01,EUR,70.00,70.00,
CN1,C1,A-1,credit_note,2026-01-07,2026-01-07,EUR,80.00,0.00,written_off
`)
	after := b.openNow(t)
	require.NotEqual(t, snapshot, after, "the second round must change the figures")

	ids := make([]int64, 0, len(after))
	for id := range after {
		ids = append(ids, id)
	}
	asOf, err := st.InvoicesOpenAsOf(ctx, cut, ids)
	require.NoError(t, err)
	require.Equal(t, snapshot, asOf, "as of the snapshot's moment (F-3 did not exist yet)")

	now, err := st.InvoicesOpenAsOf(ctx, time.Now().Add(time.Hour), ids)
	require.NoError(t, err)
	require.Equal(t, after, now)
}
