package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// plan records a plan over the 100 and 200 EUR invoices: 150 EUR in 10 days, 150 EUR in 40 days.
func (b promiseBundle) plan(t *testing.T) store.Plan {
	t.Helper()
	p, err := b.st.CreatePlan(context.Background(), store.NewPlan{CustomerID: b.customer, InvoiceIDs: []int64{b.old, b.mid},
		Currency: money.MustCurrency("EUR"), Actor: "alice", Instalments: []store.Instalment{
			{Date: b.today.AddDays(10), Amount: 15000}, {Date: b.today.AddDays(40), Amount: 15000}}})
	require.NoError(t, err)
	return p
}

func TestCreatePlan(t *testing.T) {
	t.Parallel()
	b := promiseSetup(t)
	ctx := context.Background()
	eurc := money.MustCurrency("EUR")
	for _, tt := range []struct {
		name  string
		np    store.NewPlan
		field string
	}{
		{"instalments short of the balance", store.NewPlan{InvoiceIDs: []int64{b.old}, Instalments: []store.Instalment{{Date: b.today, Amount: 9999}}}, "instalments"},
		{"instalments beyond the balance", store.NewPlan{InvoiceIDs: []int64{b.old}, Instalments: []store.Instalment{{Date: b.today, Amount: 10001}}}, "instalments"},
		{"a first instalment in the past", store.NewPlan{InvoiceIDs: []int64{b.old}, Instalments: []store.Instalment{{Date: b.today.AddDays(-1), Amount: 10000}}}, "instalments"},
		{"another customer's invoice", store.NewPlan{InvoiceIDs: []int64{b.foreign}, Instalments: []store.Instalment{{Date: b.today, Amount: 5000}}}, "invoice_ids"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			np := tt.np
			np.CustomerID, np.Currency, np.Actor = b.customer, eurc, "alice"
			_, err := b.st.CreatePlan(ctx, np)
			var de *domain.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, tt.field, de.Field, de.Message)
		})
	}

	p := b.plan(t)
	require.Equal(t, int64(30000), p.Total.Minor)
	require.Equal(t, 3, p.ToleranceDays)

	all, err := b.st.CreatePlan(ctx, store.NewPlan{CustomerID: b.customer, Currency: eurc, Actor: "alice",
		Instalments: []store.Instalment{{Date: b.today, Amount: 30000}}})
	require.NoError(t, err)
	require.Equal(t, []int64{b.recent}, all.InvoiceIDs, "no invoices named: every open one that nothing holds")

	_, err = b.st.CreatePromise(ctx, store.NewPromise{CustomerID: b.customer, InvoiceIDs: []int64{b.old}, Amount: eur(1),
		Date: b.today, Source: "call", Actor: "alice"})
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), "a planned invoice is not promised as well")

	acct, _, err := b.st.AccountSnapshot(ctx, b.customer)
	require.NoError(t, err)
	for _, it := range acct.Items {
		if it.InvoiceID == b.old {
			require.Equal(t, b.today.AddDays(13), *it.PromiseUntil, "held through the first instalment's date plus tolerance")
		}
	}
	holds, err := b.st.OpenPromises(ctx, b.customer)
	require.NoError(t, err)
	require.Contains(t, holds, store.PromiseHold{ID: p.ID, Kind: store.HoldPlan, Until: b.today.AddDays(13)})

	plans, err := b.st.Plans(ctx, b.customer)
	require.NoError(t, err)
	require.Len(t, plans, 2)
	require.Equal(t, []store.Instalment{{Seq: 1, Date: b.today.AddDays(10), Amount: 15000, Status: "pending"},
		{Seq: 2, Date: b.today.AddDays(40), Amount: 15000, Status: "pending"}}, plans[1].Instalments)
}

func TestCheckPlan(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		pay    int64 // EUR paid on the 200 EUR invoice
		day    int   // days after today the check runs
		ok     bool
		status store.PlanStatus
		met    []int
		missed int
	}{
		{name: "not yet due (within the tolerance days)", pay: 0, day: 13},
		{name: "first instalment paid late, within tolerance: met, the plan goes on", pay: 150, day: 14, ok: true, status: store.PlanOpen, met: []int{1}},
		{name: "first instalment paid short by more than the tolerance: broken", pay: 149, day: 14, ok: true, status: store.PlanBroken, missed: 1},
		{name: "everything paid: completed", pay: 200, day: 5, ok: true, status: store.PlanOpen, met: nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := promiseSetup(t)
			ctx := context.Background()
			p := b.plan(t)
			if tt.pay > 0 {
				b.rows.Payment(t, storetest.Payment{Invoice: b.mid, Amount: eur(tt.pay)})
			}
			if tt.name == "everything paid: completed" {
				b.rows.Payment(t, storetest.Payment{Invoice: b.old})
				tt.status, tt.met = store.PlanCompleted, []int{1, 2}
			}
			out, ok, err := b.st.CheckPlan(ctx, b.customer, p.ID, b.today.AddDays(tt.day), "dunning/1")
			require.NoError(t, err)
			require.Equal(t, tt.ok, ok)
			if !ok {
				return
			}
			require.Equal(t, tt.status, out.Status)
			require.Equal(t, tt.met, out.Met)
			require.Equal(t, tt.missed, out.Missed)
			require.Equal(t, tt.status == store.PlanBroken, out.TaskID != 0, "a broken plan escalates")
			plans, err := b.st.Plans(ctx, b.customer)
			require.NoError(t, err)
			require.Equal(t, tt.status, plans[0].Status)
			if tt.status == store.PlanOpen {
				holds, err := b.st.OpenPromises(ctx, b.customer)
				require.NoError(t, err)
				require.Equal(t, []store.PromiseHold{{ID: p.ID, Kind: store.HoldPlan, Until: b.today.AddDays(43)}}, holds,
					"the hold moves on to the next instalment")
			}
			_, again, err := b.st.CheckPlan(ctx, b.customer, p.ID, b.today.AddDays(tt.day), "dunning/1")
			require.NoError(t, err)
			require.False(t, again, "running it twice changes nothing")
		})
	}
}

func TestCheckPlanCompletesWithTheLastInstalmentInsideTheToleranceAmount(t *testing.T) {
	t.Parallel()
	b := promiseSetup(t)
	ctx := context.Background()
	_, err := b.st.Pool.Exec(ctx, `UPDATE entities SET plan_tolerance_minor = 500`)
	require.NoError(t, err)
	p := b.plan(t)
	b.rows.Payment(t, storetest.Payment{Invoice: b.old})                   // 100
	b.rows.Payment(t, storetest.Payment{Invoice: b.mid, Amount: eur(196)}) // 296 of 300: 4 short, inside 5
	out, ok, err := b.st.CheckPlan(ctx, b.customer, p.ID, b.today.AddDays(44), "dunning/1")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, store.PlanCompleted, out.Status)
	require.Equal(t, []int{1, 2}, out.Met)
	holds, err := b.st.OpenPromises(ctx, b.customer)
	require.NoError(t, err)
	require.Empty(t, holds, "what is left (4 EUR) is dunned again")
}
