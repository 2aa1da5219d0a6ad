package store_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/store"
	"recoup/store/storetest"
)

// promiseBundle is a customer with three open invoices (100, 200 and 300 EUR,
// oldest due first) and another customer with one.
type promiseBundle struct {
	st               *store.Store
	rows             *storetest.Factory
	customer, other  int64
	old, mid, recent int64
	foreign          int64
	today            dunning.Date
}

func promiseSetup(t *testing.T) promiseBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	b := promiseBundle{st: &store.Store{Pool: pool}, rows: storetest.NewFactory(pool), today: today(t, "Europe/Paris")}
	_, err := b.st.EnsureDefaultScenario(context.Background(), "Default",
		json.RawMessage(`[{"offset_days": 0, "channel": "email", "template": "reminder_due"}]`))
	require.NoError(t, err)
	b.customer = b.rows.Customer(t, storetest.Customer{Name: "Martin"})
	b.old = b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, DueDate: b.today.AddDays(-40), Amount: eur(100)})
	b.recent = b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, DueDate: b.today.AddDays(-5), Amount: eur(300)})
	b.mid = b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, DueDate: b.today.AddDays(-20), Amount: eur(200)})
	b.other = b.rows.Customer(t, storetest.Customer{Name: "Durand"})
	b.foreign = b.rows.Invoice(t, storetest.Invoice{Customer: b.other, DueDate: b.today.AddDays(-10), Amount: eur(50)})
	return b
}

func (b promiseBundle) promise(t *testing.T, np store.NewPromise) store.Promise {
	t.Helper()
	if np.CustomerID == 0 {
		np.CustomerID = b.customer
	}
	if np.Date.IsZero() {
		np.Date = b.today.AddDays(7)
	}
	np.Source, np.Actor = "call", "alice@recoup.example"
	p, err := b.st.CreatePromise(context.Background(), np)
	require.NoError(t, err)
	return p
}

func TestCreatePromiseCoversInvoices(t *testing.T) {
	t.Parallel()
	b := promiseSetup(t)

	p := b.promise(t, store.NewPromise{Amount: eur(250)})
	require.Equal(t, []int64{b.old, b.mid}, p.InvoiceIDs, "oldest first, until the amount is covered")
	require.Equal(t, int64(30000), p.CoveredOpen)
	require.Equal(t, 3, p.GraceDays, "the entity's default grace")
	require.Equal(t, b.today.AddDays(10), p.Until())

	p2 := b.promise(t, store.NewPromise{Amount: eur(10)})
	require.Equal(t, []int64{b.recent}, p2.InvoiceIDs, "invoices held by an open promise are not promised twice")

	list, err := b.st.Promises(context.Background(), b.customer)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, p2.ID, list[0].ID, "newest first")
	require.Equal(t, store.PromiseOpen, list[1].Status)
	require.Equal(t, eur(250), list[1].Amount)

	var journaled int
	require.NoError(t, b.st.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM audit_journal WHERE action = 'promise.create' AND target = $1`, "customer/"+strconv.FormatInt(b.customer, 10)).Scan(&journaled))
	require.Equal(t, 2, journaled)
}

func TestCreatePromiseRefuses(t *testing.T) {
	t.Parallel()
	b := promiseSetup(t)
	b.promise(t, store.NewPromise{InvoiceIDs: []int64{b.recent}, Amount: eur(300)})
	paid := b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, DueDate: b.today.AddDays(-3), Amount: eur(10)})
	b.rows.Payment(t, storetest.Payment{Invoice: paid})

	for _, tt := range []struct {
		name  string
		np    store.NewPromise
		field string
	}{
		{"another customer's invoice", store.NewPromise{InvoiceIDs: []int64{b.foreign}, Amount: eur(10)}, "invoice_ids"},
		{"a paid invoice", store.NewPromise{InvoiceIDs: []int64{paid}, Amount: eur(10)}, "invoice_ids"},
		{"an invoice another open promise holds", store.NewPromise{InvoiceIDs: []int64{b.recent}, Amount: eur(10)}, "invoice_ids"},
		{"an invoice listed twice", store.NewPromise{InvoiceIDs: []int64{b.old, b.old}, Amount: eur(10)}, "invoice_ids"},
		{"more than the invoices' open total", store.NewPromise{InvoiceIDs: []int64{b.old}, Amount: eur(101)}, "amount_minor"},
		{"more than all that is left, oldest first", store.NewPromise{Amount: eur(301)}, "amount_minor"},
		{"a date in the past", store.NewPromise{InvoiceIDs: []int64{b.old}, Amount: eur(10), Date: b.today.AddDays(-2)}, "date"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			np := tt.np
			np.CustomerID, np.Source, np.Actor = b.customer, "call", "alice"
			if np.Date.IsZero() {
				np.Date = b.today
			}
			_, err := b.st.CreatePromise(context.Background(), np)
			require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), "%v", err)
			var de *domain.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, tt.field, de.Field, de.Message)
		})
	}
}

func TestPromiseHoldsItsInvoicesInTheSnapshot(t *testing.T) {
	t.Parallel()
	b := promiseSetup(t)
	ctx := context.Background()
	p := b.promise(t, store.NewPromise{InvoiceIDs: []int64{b.mid}, Amount: eur(200)})

	acct, _, err := b.st.AccountSnapshot(ctx, b.customer)
	require.NoError(t, err)
	holds := map[int64]*dunning.Date{}
	for _, it := range acct.Items {
		holds[it.InvoiceID] = it.PromiseUntil
	}
	require.Nil(t, holds[b.old])
	require.NotNil(t, holds[b.mid])
	require.Equal(t, p.Until(), *holds[b.mid], "held through the promise date plus grace")

	open, err := b.st.OpenPromises(ctx, b.customer)
	require.NoError(t, err)
	require.Equal(t, []store.PromiseHold{{ID: p.ID, Until: p.Until()}}, open)

	_, err = b.st.CancelPromise(ctx, p.ID, "customer changed their mind", "alice")
	require.NoError(t, err)
	acct, _, err = b.st.AccountSnapshot(ctx, b.customer)
	require.NoError(t, err)
	for _, it := range acct.Items {
		require.Nil(t, it.PromiseUntil, "a cancelled promise holds nothing")
	}
	_, err = b.st.CancelPromise(ctx, p.ID, "again", "alice")
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err))
	_, err = b.st.CancelPromise(ctx, 999999, "none", "alice")
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
}

func TestCheckPromise(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		pay    int64 // EUR paid on the 200 EUR invoice after the promise
		amount int64 // EUR promised
		day    int   // days after the promise date the check runs
		want   store.PromiseStatus
		paid   int64 // minor units
		task   bool
	}{
		{name: "paid in full before the date: kept at once", pay: 200, amount: 200, day: -3, want: store.PromiseKept, paid: 20000},
		{name: "the promised part of the invoice paid: kept", pay: 120, amount: 120, day: 4, want: store.PromiseKept, paid: 12000},
		{name: "something paid: partly kept", pay: 50, amount: 200, day: 4, want: store.PromisePartlyKept, paid: 5000},
		{name: "nothing paid: broken, and an escalation", amount: 200, day: 4, want: store.PromiseBroken, task: true},
		{name: "nothing paid, still in grace: not yet", amount: 200, day: 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := promiseSetup(t)
			ctx := context.Background()
			p := b.promise(t, store.NewPromise{InvoiceIDs: []int64{b.mid}, Amount: eur(tt.amount)})
			if tt.pay > 0 {
				b.rows.Payment(t, storetest.Payment{Invoice: b.mid, Amount: eur(tt.pay)})
			}
			out, ok, err := b.st.CheckPromise(ctx, b.customer, p.ID, p.Date.AddDays(tt.day), "dunning/1")
			require.NoError(t, err)
			require.Equal(t, tt.want != "", ok)
			got, err := b.st.Promise(ctx, p.ID)
			require.NoError(t, err)
			if !ok {
				require.Equal(t, store.PromiseOpen, got.Status)
				return
			}
			require.Equal(t, tt.want, out.Status)
			require.Equal(t, tt.want, got.Status)
			require.Equal(t, tt.paid, *got.PaidMinor)
			require.Equal(t, tt.task, out.TaskID != 0)

			var journaled int
			require.NoError(t, b.st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_journal WHERE action = $1`,
				"promise."+string(tt.want)).Scan(&journaled))
			require.Equal(t, 1, journaled)

			if tt.task {
				tasks, _, err := b.st.ListTasks(ctx, store.Perimeter{All: true}, store.TaskFilter{CustomerID: &b.customer, Page: domain.Page{Limit: 10}})
				require.NoError(t, err)
				require.Len(t, tasks, 1)
				require.Equal(t, domain.TaskEscalation, tasks[0].Kind)
				require.Equal(t, []int64{b.mid}, tasks[0].InvoiceIDs)
				acct, _, err := b.st.AccountSnapshot(ctx, b.customer)
				require.NoError(t, err)
				for _, it := range acct.Items {
					require.Equal(t, it.InvoiceID == b.mid, it.Escalated, "the escalation holds automatic reminders")
					require.Nil(t, it.PromiseUntil)
				}
			}

			_, again, err := b.st.CheckPromise(ctx, b.customer, p.ID, p.Date.AddDays(tt.day), "dunning/1")
			require.NoError(t, err)
			require.False(t, again, "a settled promise is left as it is")
		})
	}
}

func TestCheckPromiseOfAnotherCustomerDoesNothing(t *testing.T) {
	t.Parallel()
	b := promiseSetup(t)
	p := b.promise(t, store.NewPromise{InvoiceIDs: []int64{b.mid}, Amount: eur(200)})
	_, ok, err := b.st.CheckPromise(context.Background(), b.other, p.ID, p.Date.AddDays(30), "dunning/2")
	require.NoError(t, err)
	require.False(t, ok)
}
