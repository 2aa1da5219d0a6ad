package store_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

func ymd(s string) dunning.Date {
	d, err := dunning.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func eurCents(minor int64) money.Money {
	return money.Money{Minor: minor, Currency: money.MustCurrency("EUR")}
}

// TestAccountFigures checks every per-account figure of the README's worked
// example, read at noon UTC on 2026-03-31 (the same date in Paris):
//
//	I1 1,000.00 issued 01-01 due 01-31, 400.00 paid 02-20 (partial): 600.00 open, 59 days late
//	I2 2,000.00 issued 03-01 due 03-31: not due; a promise to pay it is open
//	I3   500.00 issued 2025-10-01 due 2025-10-31: 151 days late
//	I4   300.00 issued 02-01 due 03-03, paid in advance on 01-25
//	I5 1,000.00 issued 2024-12-01, paid 2025-03-01: more than 12 months ago
//	I6   700.00 issued 02-10 due 03-12, disputed (an open dispute of 700.00): 19 days late
//	CN1  200.00 credit note of 03-10; 150.00 received 03-15 for no invoice (unallocated)
//	contacts: an email sent 03-20, a call done 03-25
func TestAccountFigures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	f := storetest.NewFactory(pool)
	fr := f.Entity(t, storetest.Entity{Code: "FR01"})
	de := f.Entity(t, storetest.Entity{Code: "DE01"})
	limit := eurCents(500000)
	k := f.Customer(t, storetest.Customer{Entity: fr, CreditLimit: &limit, RiskClass: "B"})
	empty := f.Customer(t, storetest.Customer{Entity: fr})
	other := f.Customer(t, storetest.Customer{Entity: de})
	inv := func(issue, due string, amount int64, typ domain.InvoiceType, status domain.InvoiceStatus) int64 {
		return f.Invoice(t, storetest.Invoice{Customer: k, IssueDate: ymd(issue), DueDate: ymd(due), Amount: eurCents(amount), Type: typ, Status: status})
	}
	i1 := inv("2026-01-01", "2026-01-31", 100000, "", "")
	f.Payment(t, storetest.Payment{Invoice: i1, Amount: eurCents(40000), ReceivedOn: ymd("2026-02-20")})
	i2 := inv("2026-03-01", "2026-03-31", 200000, "", "")
	f.Promise(t, storetest.Promise{Invoice: i2, Due: ymd("2026-04-10")})
	inv("2025-10-01", "2025-10-31", 50000, "", "")
	i4 := inv("2026-02-01", "2026-03-03", 30000, "", "")
	f.Payment(t, storetest.Payment{Invoice: i4, ReceivedOn: ymd("2026-01-25")})
	i5 := inv("2024-12-01", "2024-12-31", 100000, "", "")
	f.Payment(t, storetest.Payment{Invoice: i5, ReceivedOn: ymd("2025-03-01")})
	i6 := inv("2026-02-10", "2026-03-12", 70000, "", domain.StatusDisputed)
	inv("2026-03-10", "2026-03-10", 20000, domain.TypeCreditNote, "")
	f.Payment(t, storetest.Payment{Customer: k, Amount: eurCents(15000), ReceivedOn: ymd("2026-03-15")})
	f.Invoice(t, storetest.Invoice{Customer: other, Amount: eurCents(99900)})

	_, err := pool.Exec(ctx, `
WITH k AS (INSERT INTO cases (type, customer_id, entity_id, department, source, opened_by, sla_business_days)
           VALUES ('dispute', $1, $2, 'sales', 'api', 'test', 5) RETURNING id)
INSERT INTO case_invoices (case_id, invoice_id, currency, disputed_minor) SELECT id, $3, 'EUR', 70000 FROM k`, k, fr, i6)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO message_log (key, customer_id, workflow_id, scenario_id, scenario_version,
		step_index, channel, invoice_ids, status, updated_at) VALUES ('m1', $1, 'wf', 1, 1, 0, 'email', '{}', 'sent', '2026-03-20 10:00Z')`, k)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO tasks (key, customer_id, kind, assignee_role, invoice_ids, due_at, status, closed_at)
		VALUES ('t1', $1, 'call', 'agent', '{}', '2026-03-25 08:00Z', 'done', '2026-03-25 09:00Z')`, k)
	require.NoError(t, err)

	at := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	figs, err := st.AccountFigures(ctx, store.Everything, []int64{k, empty, other}, at)
	require.NoError(t, err)
	require.Len(t, figs, 3)
	got := figs[k]
	require.Equal(t, int64(380000), got.OpenInvoices) // 600 + 2,000 + 500 + 700
	require.Equal(t, int64(20000), got.OpenCredits)
	require.Equal(t, int64(15000), got.Unallocated)
	require.Equal(t, int64(345000), got.Outstanding()) // 3,800 − 200 − 150
	require.Equal(t, [store.NumBuckets]int64{200000, 70000, 60000, 0, 0, 50000}, got.Buckets)
	require.Equal(t, int64(180000), got.Overdue())
	require.Equal(t, int64(50000), got.Over60())
	require.Equal(t, 151, got.OldestOverdueDays)
	require.Equal(t, int64(380000), got.Sales) // I1 + I2 + I4 + I6 − CN1, issued after 2025-12-31
	// DSO 3,450 × 90 ÷ 3,800 = 81.71
	require.Equal(t, big.NewRat(345000*90, 380000).String(), got.DSO().String())
	require.Equal(t, "81.71", got.DSO().FloatString(2))
	// days to pay (400 × 50 + 300 × −7) ÷ 700 = 25.57; delay (400 × 20 + 300 × −37) ÷ 700 = −4.43
	require.Equal(t, int64(70000), got.PaidMinor)
	require.Equal(t, "25.57", got.DaysToPay().FloatString(2))
	require.Equal(t, "-4.43", got.PaymentDelay().FloatString(2))
	require.Equal(t, int64(500000), *got.CreditLimit)
	require.Equal(t, "B", got.RiskClass)
	require.Equal(t, int64(70000), got.Disputed)
	require.Equal(t, int64(200000), got.Promised)
	require.NotNil(t, got.LastContact)
	require.True(t, got.LastContact.Equal(time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)), "the call, later than the email")

	none := figs[empty]
	require.Nil(t, none.DSO(), "no sales")
	require.Nil(t, none.DaysToPay(), "no payment history")
	require.Nil(t, none.PaymentDelay())
	require.Nil(t, none.CreditLimit)
	require.Nil(t, none.LastContact)
	require.Zero(t, none.Outstanding())

	// A day later, I2 is 1 day late and the payment of 2025-03-01 still out of the window.
	later, err := st.AccountFigures(ctx, store.Everything, []int64{k}, at.AddDate(0, 0, 1))
	require.NoError(t, err)
	require.Equal(t, [store.NumBuckets]int64{0, 270000, 60000, 0, 0, 50000}, later[k].Buckets)

	// A manager of FR01 does not get the DE01 customer's figures, even by id.
	per := store.PerimeterOf(domain.Principal{Role: domain.RoleCreditManager, EntityIDs: []int64{fr}})
	mine, err := st.AccountFigures(ctx, per, []int64{k, other}, at)
	require.NoError(t, err)
	require.Contains(t, mine, k)
	require.NotContains(t, mine, other)
}
