package app_test

import (
	"context"
	"encoding/json"
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

type holdsBundle struct {
	a                *app.App
	st               *store.Store
	rows             *storetest.Factory
	admin            domain.Principal
	customer         int64
	open, paid, late int64
	scenario         int64
	today            dunning.Date
}

// setupHolds: one French customer with two open invoices and a paid one; no
// Temporal, so holds are written directly (the path when no workflow runs).
func setupHolds(t *testing.T) holdsBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	b := holdsBundle{a: app.New(st, nil, nil), st: st, rows: storetest.NewFactory(pool),
		admin: domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true},
		today: dunning.DateOf(time.Now().In(paris(t)))}
	var err error
	b.scenario, err = st.EnsureDefaultScenario(context.Background(), "Default",
		json.RawMessage(`[{"offset_days": 0, "channel": "email", "template": "reminder_due"}]`))
	require.NoError(t, err)
	eur := func(minor int64) money.Money { return money.Money{Minor: minor, Currency: money.MustCurrency("EUR")} }
	b.customer = b.rows.Customer(t, storetest.Customer{Name: "Dupont"})
	b.open = b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, DueDate: b.today.AddDays(3), Amount: eur(1000)})
	b.late = b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, DueDate: b.today.AddDays(-20), Amount: eur(500)})
	b.paid = b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, DueDate: b.today.AddDays(-10), Amount: eur(1000), Open: eur(0)})
	return b
}

func paris(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	return loc
}

func TestHoldInvoiceRules(t *testing.T) {
	t.Parallel()
	b := setupHolds(t)
	ctx := context.Background()
	past, next := b.today.AddDays(-1), b.today.AddDays(14)
	auditor := domain.Principal{Role: domain.RoleAuditor, Email: "audit@example.com", AllEntities: true}
	elsewhere := domain.Principal{Role: domain.RoleCreditManager, Email: "cm@example.com", EntityIDs: []int64{}}

	h, err := b.a.HoldInvoice(ctx, b.admin, b.open, app.HoldRequest{Until: &next, Reason: "  checking the delivery "})
	require.NoError(t, err)
	require.Equal(t, "checking the delivery", h.Reason)
	require.Equal(t, "admin@example.com", h.HeldBy)

	tests := []struct {
		name    string
		who     domain.Principal
		invoice int64
		req     app.HoldRequest
		code    domain.Code
		msg     string
	}{
		{"reason required", b.admin, b.late, app.HoldRequest{Reason: " "}, domain.CodeInvalid, "reason"},
		{"until in the past", b.admin, b.late, app.HoldRequest{Until: &past, Reason: "x"}, domain.CodeInvalid, "until"},
		{"already held", b.admin, b.open, app.HoldRequest{Reason: "x"}, domain.CodeConflict, "already held"},
		{"not open", b.admin, b.paid, app.HoldRequest{Reason: "x"}, domain.CodeConflict, "not open"},
		{"unknown invoice", b.admin, 999999, app.HoldRequest{Reason: "x"}, domain.CodeNotFound, "not found"},
		{"outside the perimeter", elsewhere, b.late, app.HoldRequest{Reason: "x"}, domain.CodeNotFound, "not found"},
		{"no permission", auditor, b.late, app.HoldRequest{Reason: "x"}, domain.CodeForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.a.HoldInvoice(ctx, tt.who, tt.invoice, tt.req)
			require.Equal(t, tt.code, domain.ErrorCode(err), "%v", err)
			require.ErrorContains(t, err, tt.msg)
		})
	}

	holds, err := b.a.InvoiceHolds(ctx, b.admin, b.customer)
	require.NoError(t, err)
	require.Len(t, holds, 1)

	_, err = b.a.ReleaseInvoice(ctx, b.admin, b.late, app.ReleaseRequest{Reason: "x"})
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err), "not held")
	_, err = b.a.ReleaseInvoice(ctx, b.admin, b.open, app.ReleaseRequest{})
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), "reason required")
	rel, err := b.a.ReleaseInvoice(ctx, b.admin, b.open, app.ReleaseRequest{Reason: "delivered"})
	require.NoError(t, err)
	require.Equal(t, "delivered", rel.ReleaseReason)
}

func TestReleaseCreditHoldNeedsAHoldAndAReason(t *testing.T) {
	t.Parallel()
	b := setupHolds(t)
	ctx := context.Background()
	err := b.a.ReleaseCreditHold(ctx, b.admin, b.customer, app.ReleaseRequest{Reason: "paid"})
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err), "not on hold")
	require.NoError(t, b.st.PutOnHold(ctx, b.customer, b.scenario, "k", "dunning/1"))
	err = b.a.ReleaseCreditHold(ctx, b.admin, b.customer, app.ReleaseRequest{})
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err))
	require.NoError(t, b.a.ReleaseCreditHold(ctx, b.admin, b.customer, app.ReleaseRequest{Reason: "paid in full"}))
	c, err := b.a.Customer(ctx, b.admin, b.customer)
	require.NoError(t, err)
	require.False(t, c.OnHold)
}

func TestReplaceEntityHolidaysValidates(t *testing.T) {
	t.Parallel()
	b := setupHolds(t)
	ctx := context.Background()
	b.rows.Entity(t, storetest.Entity{Code: "MX01", Country: "MX", TimeZone: "America/Mexico_City", Language: "es"})
	d := func(m time.Month, day int) dunning.Date { return dunning.NewDate(2026, m, day) }
	tests := []struct {
		name  string
		list  []store.Holiday
		field string
	}{
		{"no date", []store.Holiday{{Name: "x"}}, "holidays[0].date"},
		{"no name", []store.Holiday{{Date: d(9, 16)}}, "holidays[0].name"},
		{"a date twice", []store.Holiday{{Date: d(9, 16), Name: "a"}, {Date: d(9, 16), Name: "b"}}, "holidays[1].date"},
	}
	for _, tt := range tests {
		_, err := b.a.ReplaceEntityHolidays(ctx, b.admin, "MX01", tt.list)
		require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), tt.name)
		require.ErrorContains(t, err, tt.field, tt.name)
	}
	list, err := b.a.ReplaceEntityHolidays(ctx, b.admin, "MX01", []store.Holiday{{Date: d(11, 16), Name: "Revolución"}, {Date: d(9, 16), Name: "Independencia"}})
	require.NoError(t, err)
	require.Equal(t, d(9, 16), list[0].Date, "in date order")
	got, err := b.a.EntityHolidays(ctx, b.admin, "MX01")
	require.NoError(t, err)
	require.Equal(t, list, got)
	_, err = b.a.ReplaceEntityHolidays(ctx, b.admin, "ZZ99", nil)
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
}

// The impact of moving the due-date reminder a week later: the one account
// on the scenario changes, and its message moves in the 14-day calendar.
func TestScenarioImpact(t *testing.T) {
	t.Parallel()
	b := setupHolds(t)
	ctx := context.Background()
	_, err := b.st.Pool.Exec(ctx, `UPDATE invoices SET open_minor = 0, status = 'paid' WHERE id = $1`, b.late)
	require.NoError(t, err)
	steps := []dunning.Step{{OffsetDays: 7, Channel: domain.ChannelEmail, Template: "reminder_1"}}

	out, err := b.a.ScenarioImpact(ctx, b.admin, b.scenario, app.ScenarioRequest{Name: "Default", Steps: steps})
	require.NoError(t, err)
	require.Equal(t, 1, out.Accounts)
	require.Equal(t, 1, out.Invoices)
	require.Equal(t, 1, out.ChangedAccounts)
	require.Equal(t, out.AccountsWithOpenItems, out.Sampled, "not bounded")
	total := func(cs []app.ImpactCount) (n int) {
		for _, c := range cs {
			n += c.Count
		}
		return n
	}
	require.Equal(t, 1, total(out.Current), "%+v", out.Current)
	require.Equal(t, 1, total(out.Proposed), "%+v", out.Proposed)
	require.True(t, out.Proposed[0].Date.After(out.Current[0].Date), "a week later")

	same, err := b.a.ScenarioImpact(ctx, b.admin, b.scenario, app.ScenarioRequest{Name: "Default",
		Steps: []dunning.Step{{OffsetDays: 0, Channel: domain.ChannelEmail, Template: "reminder_due"}}})
	require.NoError(t, err)
	require.Zero(t, same.ChangedAccounts, "the same steps change nothing")
	require.Equal(t, same.Current, same.Proposed)

	_, err = b.a.ScenarioImpact(ctx, b.admin, b.scenario, app.ScenarioRequest{Name: "Default"})
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), "validated like an update")
	_, err = b.a.ScenarioImpact(ctx, b.admin, 99999, app.ScenarioRequest{Name: "x", Steps: steps})
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
}
