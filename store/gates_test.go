package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

type gatesBundle struct {
	st       *store.Store
	ctx      context.Context
	rows     *storetest.Factory
	entity   int64
	customer int64
}

func setupGates(t *testing.T) gatesBundle {
	t.Helper()
	st, ctx := setupScenarios(t)
	_, err := st.EnsureDefaultScenario(ctx, "Default", json.RawMessage(`[{"offset_days": 7, "channel": "email", "template": "reminder_1"}]`))
	require.NoError(t, err)
	rows := storetest.NewFactory(st.Pool)
	e := rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France"})
	c := rows.Customer(t, storetest.Customer{Entity: e, ExternalID: "C1", Name: "Dupont", Email: "a@dupont.example", Phone: "+33600000001"})
	return gatesBundle{st: st, ctx: ctx, rows: rows, entity: e, customer: c}
}

func (b gatesBundle) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	_, err := b.st.Pool.Exec(b.ctx, q, args...)
	require.NoError(t, err)
}

func TestSnapshotCarriesCreditsThresholdAndCurrency(t *testing.T) {
	t.Parallel()
	b := setupGates(t)
	b.exec(t, `UPDATE entities SET min_amount_to_chase_minor = 2500 WHERE id = $1`, b.entity)
	inv := b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, Number: "F-1", DueDate: dunning.NewDate(2026, time.September, 1), Amount: eur(1000)})
	cn := b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, Number: "AV-1", Type: domain.InvoiceType("credit_note"),
		IssueDate: dunning.NewDate(2026, time.August, 20), DueDate: dunning.NewDate(2026, time.August, 20), Amount: eur(300)})
	pay := b.rows.Payment(t, storetest.Payment{Customer: b.customer, ExternalID: "PAY-9", ReceivedOn: dunning.NewDate(2026, time.September, 3), Amount: eur(50)})
	b.rows.Payment(t, storetest.Payment{Customer: b.customer, Invoice: inv, Amount: eur(10)}) // allocated: no credit

	a, _, err := b.st.AccountSnapshot(b.ctx, b.customer)
	require.NoError(t, err)
	require.EqualValues(t, 2500, a.MinChaseMinor)
	require.Len(t, a.Items, 1)
	require.Equal(t, money.MustCurrency("EUR"), a.Items[0].Currency)
	require.Equal(t, []dunning.Credit{
		{Kind: dunning.CreditNote, ID: cn, Number: "AV-1", Date: dunning.NewDate(2026, time.August, 20), Currency: money.MustCurrency("EUR"), Minor: 30000},
		{Kind: dunning.CreditUnallocated, ID: pay, Number: "PAY-9", Date: dunning.NewDate(2026, time.September, 3), Currency: money.MustCurrency("EUR"), Minor: 5000},
	}, a.Credits)
	require.Empty(t, a.MessagesWait, "the factory's imports just finished")

	// A customer in another currency than the entity's gets no threshold (no rate is assumed).
	other := b.rows.Customer(t, storetest.Customer{Entity: b.entity, ExternalID: "C2", Name: "Smith", Currency: money.MustCurrency("GBP")})
	a, _, err = b.st.AccountSnapshot(b.ctx, other)
	require.NoError(t, err)
	require.Zero(t, a.MinChaseMinor)
}

func TestStaleDataMakesMessagesWaitAndAlertsOncePerEntityAndDay(t *testing.T) {
	t.Parallel()
	b := setupGates(t)
	b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, Number: "F-1", DueDate: dunning.NewDate(2026, time.September, 1), Amount: eur(1000)})
	// The invoices import was 30 hours ago, and no payments import ever: invoices decide.
	b.exec(t, `UPDATE imports SET finished_at = now() - interval '30 hours'`)

	a, _, err := b.st.AccountSnapshot(b.ctx, b.customer)
	require.NoError(t, err)
	require.Contains(t, a.MessagesWait, "stale data: entity FR01's last invoices import finished")
	require.Contains(t, a.MessagesWait, "max_data_age 24h")

	b.exec(t, `UPDATE entities SET max_data_age = '2 days' WHERE id = $1`, b.entity)
	a, _, err = b.st.AccountSnapshot(b.ctx, b.customer)
	require.NoError(t, err)
	require.Empty(t, a.MessagesWait, "within a 2-day max_data_age")

	// A payments import decides once there is one, even when an invoices import is fresher.
	b.exec(t, `UPDATE entities SET max_data_age = '24 hours' WHERE id = $1`, b.entity)
	b.exec(t, `WITH i AS (INSERT INTO imports (kind, source, finished_at) VALUES ('payments', 't', now() - interval '3 days') RETURNING id)
	           INSERT INTO import_entities SELECT i.id, $1 FROM i`, b.entity)
	b.exec(t, `WITH i AS (INSERT INTO imports (kind, source, finished_at) VALUES ('invoices', 't', now()) RETURNING id)
	           INSERT INTO import_entities SELECT i.id, $1 FROM i`, b.entity)
	a, _, err = b.st.AccountSnapshot(b.ctx, b.customer)
	require.NoError(t, err)
	require.Contains(t, a.MessagesWait, "last payments import")

	now := time.Now()
	created, err := b.st.AlertStaleData(b.ctx, "FR01", b.customer, a.MessagesWait, now)
	require.NoError(t, err)
	require.True(t, created)
	other := b.rows.Customer(t, storetest.Customer{Entity: b.entity, ExternalID: "C2", Name: "Martin"})
	created, err = b.st.AlertStaleData(b.ctx, "FR01", other, a.MessagesWait, now)
	require.NoError(t, err)
	require.False(t, created, "one alert per entity and day, whichever account sees it")
	var n int
	var role string
	require.NoError(t, b.st.Pool.QueryRow(b.ctx, `SELECT count(*), min(assignee_role) FROM tasks WHERE key LIKE 'stale-data/FR01/%'`).Scan(&n, &role))
	require.Equal(t, 1, n)
	require.Equal(t, "credit_manager", role)
}

func TestEntitySettingsRoundTripAndJournal(t *testing.T) {
	t.Parallel()
	b := setupGates(t)
	s, err := b.st.EntitySettings(b.ctx, "FR01")
	require.NoError(t, err)
	require.Equal(t, store.EntitySettings{Code: "FR01", Currency: "EUR", Sending: store.SendingLive, MaxDataAge: 24 * time.Hour,
		CreditLimitThresholds: []int{80, 100}}, s)

	s.Sending, s.TestAddress, s.MaxDataAge, s.MinChaseMinor, s.SMSConsentDefault = store.SendingTest, "t@recoup.example", 36*time.Hour, 2500, true
	s.CreditLimitThresholds = []int{75, 90, 110}
	got, err := b.st.SetEntitySettings(b.ctx, s, "alice")
	require.NoError(t, err)
	require.Equal(t, s, got)

	_, err = b.st.EntitySettings(b.ctx, "XX01")
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))

	var journaled int
	require.NoError(t, b.st.Pool.QueryRow(b.ctx, `SELECT count(*) FROM audit_journal WHERE target = 'entity/FR01' AND action = 'entity.settings'`).Scan(&journaled))
	require.Equal(t, 1, journaled)
}

func TestContactInvalidAndOptOut(t *testing.T) {
	t.Parallel()
	b := setupGates(t)
	g, err := b.st.SendGate(b.ctx, b.customer)
	require.NoError(t, err)
	require.False(t, g.SMSAllowed, "unknown consent, entity default no")
	require.Contains(t, g.SMSWhy, "no consent to texts recorded")

	b.exec(t, `UPDATE customers SET sms_consent = true WHERE id = $1`, b.customer)
	require.NoError(t, b.st.SetContactInvalid(b.ctx, b.customer, store.ContactPhone, true, "wrong number", "agent@x"))
	g, err = b.st.SendGate(b.ctx, b.customer)
	require.NoError(t, err)
	require.True(t, g.SMSAllowed)
	require.Equal(t, "wrong number", g.PhoneInvalid)
	require.NoError(t, b.st.SetContactInvalid(b.ctx, b.customer, store.ContactPhone, false, "", "agent@x"))
	g, err = b.st.SendGate(b.ctx, b.customer)
	require.NoError(t, err)
	require.Empty(t, g.PhoneInvalid)
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(b.st.SetContactInvalid(b.ctx, b.customer, "fax", true, "", "x")))
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(b.st.SetContactInvalid(b.ctx, 999999, "email", true, "", "x")))

	ids, err := b.st.OptOutSMS(b.ctx, "+33600000001", "inbound STOP", "twilio")
	require.NoError(t, err)
	require.Equal(t, []int64{b.customer}, ids)
	ids, err = b.st.OptOutSMS(b.ctx, "+33600000001", "inbound STOP", "twilio")
	require.NoError(t, err)
	require.Empty(t, ids, "already opted out")
	g, err = b.st.SendGate(b.ctx, b.customer)
	require.NoError(t, err)
	require.False(t, g.SMSAllowed)
	require.Contains(t, g.SMSWhy, "opted out")

	var journaled int
	require.NoError(t, b.st.Pool.QueryRow(b.ctx, `SELECT count(*) FROM audit_journal WHERE action IN ('customer.contact_invalid', 'customer.contact_valid', 'customer.sms_opt_out')`).Scan(&journaled))
	require.Equal(t, 3, journaled)
}

// An invoices import from before migration 00014 spoke for its entity only
// through the accounts it changed; migration 00020 records it in
// import_entities, where the stale-data gate reads.
func TestMigration00020TiesOlderImportsToTheirEntities(t *testing.T) {
	t.Parallel()
	b := setupGates(t)
	b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, Number: "F-1", DueDate: dunning.NewDate(2026, time.September, 1), Amount: eur(1000)})
	b.exec(t, `UPDATE imports SET finished_at = now() - interval '30 hours'`)
	// A fresh import as one from before 00014 left it: its account, no entity.
	b.exec(t, `WITH i AS (INSERT INTO imports (kind, source, finished_at) VALUES ('invoices', 'erp', now()) RETURNING id)
	           INSERT INTO import_accounts SELECT i.id, $1 FROM i`, b.customer)
	a, _, err := b.st.AccountSnapshot(b.ctx, b.customer)
	require.NoError(t, err)
	require.Contains(t, a.MessagesWait, "stale data", "the gate reads import_entities only")

	up, err := store.MigrationsFS().ReadFile("migrations/00020_import_entities_backfill.sql")
	require.NoError(t, err)
	b.exec(t, strings.Split(string(up), "-- +goose Down")[0])
	a, _, err = b.st.AccountSnapshot(b.ctx, b.customer)
	require.NoError(t, err)
	require.Empty(t, a.MessagesWait, "the older import now speaks for its entity")
}
