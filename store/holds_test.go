package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

type holdsBundle struct {
	st         *store.Store
	ctx        context.Context
	rows       *storetest.Factory
	entity     int64
	customer   int64
	open, paid int64
	scenario   int64
	today      dunning.Date
}

// holdsSetup: a Portuguese customer with an overdue open invoice and a paid one.
func holdsSetup(t *testing.T) holdsBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	b := holdsBundle{st: &store.Store{Pool: pool}, ctx: context.Background(), rows: storetest.NewFactory(pool),
		today: dunning.DateOf(time.Now().UTC())}
	var err error
	b.scenario, err = b.st.EnsureDefaultScenario(b.ctx, "Default",
		json.RawMessage(`[{"offset_days": 0, "channel": "email", "template": "reminder_due"}]`))
	require.NoError(t, err)
	b.entity = b.rows.Entity(t, storetest.Entity{Code: "PT01", Country: "PT", TimeZone: "Europe/Lisbon", Language: "pt"})
	b.customer = b.rows.Customer(t, storetest.Customer{Entity: b.entity, Name: "Silva Lda"})
	eur := func(minor int64) money.Money { return money.Money{Minor: minor, Currency: money.MustCurrency("EUR")} }
	b.open = b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, DueDate: b.today.AddDays(-10), Amount: eur(1000)})
	b.paid = b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, DueDate: b.today.AddDays(-10), Amount: eur(1000), Open: eur(0)})
	return b
}

func (b holdsBundle) journal(t *testing.T, action string) int {
	t.Helper()
	var n int
	require.NoError(t, b.st.Pool.QueryRow(b.ctx, `SELECT count(*) FROM audit_journal WHERE action = $1`, action).Scan(&n))
	return n
}

func (b holdsBundle) item(t *testing.T, invoiceID int64) dunning.Item {
	t.Helper()
	acct, _, err := b.st.AccountSnapshot(b.ctx, b.customer)
	require.NoError(t, err)
	for _, it := range acct.Items {
		if it.InvoiceID == invoiceID {
			return it
		}
	}
	t.Fatalf("invoice %d not in the snapshot", invoiceID)
	return dunning.Item{}
}

// A hold is written once per key (a retried activity answers the same
// hold), refused when the invoice is held already or not open, carried by
// the snapshot, and journaled; its release likewise.
func TestInvoiceHoldAndRelease(t *testing.T) {
	t.Parallel()
	b := holdsSetup(t)
	until := b.today.AddDays(30)
	hold := store.HoldWrite{CustomerID: b.customer, InvoiceID: b.open, Until: &until, Reason: "delivery checked", By: "bob", Key: "h1"}

	h, err := b.st.HoldInvoice(b.ctx, hold)
	require.NoError(t, err)
	require.Equal(t, until, *h.Until)
	again, err := b.st.HoldInvoice(b.ctx, hold)
	require.NoError(t, err)
	require.Equal(t, h.ID, again.ID, "a retry answers the same hold")
	require.Equal(t, 1, b.journal(t, "invoice.hold"), "journaled once")
	require.Equal(t, &dunning.Hold{Until: &until, Reason: "delivery checked"}, b.item(t, b.open).Hold)

	refusals := []struct {
		name string
		w    store.HoldWrite
		want string
	}{
		{"already held", store.HoldWrite{CustomerID: b.customer, InvoiceID: b.open, Reason: "x", By: "bob", Key: "h2"}, "already held"},
		{"not open", store.HoldWrite{CustomerID: b.customer, InvoiceID: b.paid, Reason: "x", By: "bob", Key: "h3"}, "not open"},
	}
	for _, r := range refusals {
		_, err := b.st.HoldInvoice(b.ctx, r.w)
		require.Equal(t, domain.CodeConflict, domain.ErrorCode(err), r.name)
		require.ErrorContains(t, err, r.want, r.name)
	}

	target, err := b.st.HoldTarget(b.ctx, store.Everything, b.open)
	require.NoError(t, err)
	require.True(t, target.Open)
	require.Equal(t, h.ID, target.Hold.ID)
	_, err = b.st.HoldTarget(b.ctx, store.Perimeter{Entities: []int64{}}, b.open)
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err), "outside the perimeter: not found")

	rel := store.ReleaseWrite{CustomerID: b.customer, InvoiceID: b.open, Reason: "confirmed", By: "carol", Key: "r1"}
	released, err := b.st.ReleaseInvoice(b.ctx, rel)
	require.NoError(t, err)
	require.Equal(t, "carol", released.ReleasedBy)
	require.NotNil(t, released.ReleasedAt)
	_, err = b.st.ReleaseInvoice(b.ctx, rel)
	require.NoError(t, err, "a retry answers the same release")
	rel.Key = "r2"
	_, err = b.st.ReleaseInvoice(b.ctx, rel)
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err))
	require.ErrorContains(t, err, "not held")
	require.Equal(t, 1, b.journal(t, "invoice.release"))
	require.Nil(t, b.item(t, b.open).Hold)

	hold.Key, hold.Until = "h4", nil
	_, err = b.st.HoldInvoice(b.ctx, hold)
	require.NoError(t, err, "held again after the release")
}

// The snapshot adds the dates loaded for the customer's country and its
// entity, not another country's.
func TestSnapshotHolidays(t *testing.T) {
	t.Parallel()
	b := holdsSetup(t)
	_, err := b.st.Pool.Exec(b.ctx, `INSERT INTO holidays (country, date, name) VALUES ('PT', '2026-06-10', 'Dia de Portugal'),
		('MX', '2026-09-16', 'Independencia')`)
	require.NoError(t, err)
	_, err = b.st.ReplaceEntityHolidays(b.ctx, "PT01", []store.Holiday{{Date: dunning.NewDate(2026, 6, 13), Name: "Santo António"}}, "test")
	require.NoError(t, err)

	acct, _, err := b.st.AccountSnapshot(b.ctx, b.customer)
	require.NoError(t, err)
	require.Equal(t, []dunning.Date{dunning.NewDate(2026, 6, 10), dunning.NewDate(2026, 6, 13)}, acct.Holidays)

	list, err := b.st.EntityHolidays(b.ctx, "PT01")
	require.NoError(t, err)
	require.Equal(t, []store.Holiday{{Date: dunning.NewDate(2026, 6, 13), Name: "Santo António"}}, list)
	_, err = b.st.ReplaceEntityHolidays(b.ctx, "PT01", nil, "test")
	require.NoError(t, err)
	list, err = b.st.EntityHolidays(b.ctx, "PT01")
	require.NoError(t, err)
	require.Empty(t, list, "replaced by nothing")
	require.Equal(t, 2, b.journal(t, "entity.holidays"))
	_, err = b.st.EntityHolidays(b.ctx, "XX")
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
}

// A credit hold remembers the scenario whose step put it; the snapshot
// carries it (and that scenario, even with nothing of it open); releasing
// it is journaled once and refused when not on hold.
func TestCreditHoldRelease(t *testing.T) {
	t.Parallel()
	b := holdsSetup(t)
	require.NoError(t, b.st.PutOnHold(b.ctx, b.customer, b.scenario, "k-hold", "dunning/1"))
	_, err := b.st.Pool.Exec(b.ctx, `UPDATE invoices SET open_minor = 0, status = 'paid' WHERE id = $1`, b.open)
	require.NoError(t, err)

	acct, meta, err := b.st.AccountSnapshot(b.ctx, b.customer)
	require.NoError(t, err)
	require.Empty(t, acct.Items)
	require.Equal(t, &store.CreditHoldMeta{OnHold: true, ScenarioID: b.scenario}, meta.CreditHold)
	require.Contains(t, acct.Scenarios, b.scenario, "the hold's scenario, whose settings decide the release")

	released, err := b.st.ReleaseCreditHold(b.ctx, b.customer, "paid in full", "carol", false)
	require.NoError(t, err)
	require.True(t, released)
	_, err = b.st.ReleaseCreditHold(b.ctx, b.customer, "again", "carol", false)
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err))
	released, err = b.st.ReleaseCreditHold(b.ctx, b.customer, "automatic", "dunning/1", true)
	require.NoError(t, err)
	require.False(t, released, "the automatic release may run twice")
	require.Equal(t, 1, b.journal(t, "customer.credit_hold_release"))
	_, meta, err = b.st.AccountSnapshot(b.ctx, b.customer)
	require.NoError(t, err)
	require.Nil(t, meta.CreditHold)
}
