package app_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// outcomesBundle: one customer with four invoices; a credit manager sees everything.
type outcomesBundle struct {
	a        *app.App
	st       *store.Store
	rows     *storetest.Factory
	cm       domain.Principal
	customer int64
	invoices []int64
}

func setupOutcomes(t *testing.T) outcomesBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	b := outcomesBundle{a: app.New(st, nil, nil), st: st, rows: storetest.NewFactory(pool),
		cm: domain.Principal{Role: domain.RoleCreditManager, Email: "cm@example.com", AllEntities: true}}
	b.customer = b.rows.Customer(t, storetest.Customer{})
	for _, minor := range []int64{10_000, 20_000, 30_000, 40_000} {
		b.invoices = append(b.invoices, b.rows.Invoice(t, storetest.Invoice{Customer: b.customer,
			Amount: money.Money{Minor: minor, Currency: money.MustCurrency("EUR")}}))
	}
	return b
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// dispute opens a dispute on one invoice at opened and, when given, decides it at decided.
func (b outcomesBundle) dispute(t *testing.T, invoice int64, reason string, opened string, decision domain.Decision, decided, breached string) {
	t.Helper()
	ctx := context.Background()
	k, err := b.st.OpenCase(ctx, store.Everything, store.NewCase{Type: domain.CaseDispute, CustomerID: b.customer, Reason: reason,
		Invoices: []store.NewCaseInvoice{{InvoiceID: invoice}}, Source: "agent", Actor: "x"})
	require.NoError(t, err)
	if decision != "" {
		_, err = b.st.DecideCase(ctx, store.CaseDecision{CaseID: k.ID, Decision: decision, Reason: "checked", By: "x"})
		require.NoError(t, err)
	}
	// The fixture's clock: when it was opened, decided and breached.
	_, err = b.st.Pool.Exec(ctx, `UPDATE cases SET opened_at = $2, decided_at = CASE WHEN decided_at IS NULL THEN NULL ELSE $3::timestamptz END,
		breached_at = $4 WHERE id = $1`, k.ID, at(opened), nullTime(decided), nullTime(breached))
	require.NoError(t, err)
}

func nullTime(s string) *time.Time {
	if s == "" {
		return nil
	}
	t := at(s)
	return &t
}

// The dispute figures of a period, by hand: in March 2026, a price dispute
// accepted after 2 days and one rejected after 10 (past its SLA on the 12th),
// a quality dispute still open; one from January is outside.
func TestDisputeFiguresOfAPeriod(t *testing.T) {
	t.Parallel()
	b := setupOutcomes(t)
	ctx := context.Background()
	b.dispute(t, b.invoices[0], "price", "2026-03-02T10:00:00Z", domain.DecisionAccepted, "2026-03-04T10:00:00Z", "")
	b.dispute(t, b.invoices[1], "price", "2026-03-03T10:00:00Z", domain.DecisionRejected, "2026-03-13T10:00:00Z", "2026-03-12T09:00:00Z")
	b.dispute(t, b.invoices[2], "quality", "2026-03-05T10:00:00Z", "", "", "")
	b.dispute(t, b.invoices[3], "price", "2026-01-05T10:00:00Z", "", "", "")

	d, err := b.a.DisputeFigures(ctx, b.cm, app.KPIQuery{From: "2026-03-01", To: "2026-03-31"})
	require.NoError(t, err)
	require.Equal(t, store.DisputeFigures{Opened: 3, Decided: 2, Accepted: 1, Rejected: 1, Breached: 1,
		AvgResolution: 6 * 86400, P90Resolution: 794880}, d.All, "mean of 2 and 10 days; 90th percentile 2 + 0.9 × 8 = 9.2 days")
	require.Equal(t, []store.DisputeFigures{
		{Reason: "price", Department: "sales", Opened: 2, Decided: 2, Accepted: 1, Rejected: 1, Breached: 1, AvgResolution: 6 * 86400, P90Resolution: 794880},
		{Reason: "quality", Department: "logistics", Opened: 1},
	}, d.ByReason)
	eur := money.MustCurrency("EUR")
	require.Equal(t, []store.DisputedAmount{{Currency: eur, Disputed: 60_000, CreditNote: 10_000}}, d.Amounts)

	// As of the 10th: the rejection (13th) and the breach (12th) had not happened.
	early, err := b.a.DisputeFigures(ctx, b.cm, app.KPIQuery{From: "2026-03-01", To: "2026-03-10"})
	require.NoError(t, err)
	require.Equal(t, store.DisputeFigures{Opened: 3, Decided: 1, Accepted: 1, AvgResolution: 2 * 86400, P90Resolution: 2 * 86400}, early.All)

	none, err := b.a.DisputeFigures(ctx, b.cm, app.KPIQuery{From: "2025-01-01", To: "2025-01-31"})
	require.NoError(t, err)
	require.Equal(t, store.DisputeFigures{}, none.All)
	require.Empty(t, none.ByReason)

	for field, q := range map[string]app.KPIQuery{"group_by": {GroupBy: "agent"}, "currency": {Currency: "USD"}, "from": {From: "2026-04-01", To: "2026-03-01"}} {
		_, err := b.a.DisputeFigures(ctx, b.cm, q)
		require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), field)
		require.Contains(t, err.Error(), field+": ")
	}
}

// The promises falling due in a period, by what had become of them at its end.
func TestPromiseFiguresOfAPeriod(t *testing.T) {
	t.Parallel()
	b := setupOutcomes(t)
	ctx := context.Background()
	march := func(day int) dunning.Date { return dunning.NewDate(2026, time.March, day) }
	b.rows.Promise(t, storetest.Promise{Invoice: b.invoices[0], Due: march(5), Status: "kept", ClosedAt: at("2026-03-05T12:00:00Z")})
	b.rows.Promise(t, storetest.Promise{Invoice: b.invoices[1], Due: march(10), Status: "broken", ClosedAt: at("2026-03-12T08:00:00Z")})
	b.rows.Promise(t, storetest.Promise{Invoice: b.invoices[2], Due: march(20), Status: "partly_kept", ClosedAt: at("2026-03-21T08:00:00Z")})
	b.rows.Promise(t, storetest.Promise{Invoice: b.invoices[3], Due: march(28)})
	b.rows.Promise(t, storetest.Promise{Invoice: b.invoices[3], Due: dunning.NewDate(2026, time.April, 2), Status: "kept",
		ClosedAt: at("2026-04-02T08:00:00Z")})

	p, err := b.a.PromiseFigures(ctx, b.cm, app.KPIQuery{From: "2026-03-01", To: "2026-03-31"})
	require.NoError(t, err)
	require.Equal(t, store.PromiseFigures{Due: 4, Kept: 1, PartlyKept: 1, Broken: 1, Pending: 1}, p.PromiseFigures)
	kept, partly, broken := p.Rates()
	for _, r := range []*big.Rat{kept, partly, broken} {
		require.Equal(t, "100/3", r.String(), "each a third of the three settled; the pending one is not settled")
	}

	early, err := b.a.PromiseFigures(ctx, b.cm, app.KPIQuery{From: "2026-03-01", To: "2026-03-11"})
	require.NoError(t, err)
	require.Equal(t, store.PromiseFigures{Due: 2, Kept: 1, Pending: 1}, early.PromiseFigures, "broken on the 12th: pending on the 11th")
	kept, _, broken = early.Rates()
	require.Equal(t, "100/1", kept.String())
	require.Equal(t, "0/1", broken.String())

	none, err := b.a.PromiseFigures(ctx, b.cm, app.KPIQuery{From: "2026-03-29", To: "2026-03-31"})
	require.NoError(t, err)
	kept, partly, broken = none.Rates()
	require.Nil(t, kept, "nothing settled: no rate, rather than a made-up zero")
	require.Nil(t, partly)
	require.Nil(t, broken)
}
