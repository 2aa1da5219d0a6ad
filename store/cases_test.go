package store_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// caseBundle is a customer with two open invoices (100 and 200 EUR) and
// another customer with one.
type caseBundle struct {
	st            *store.Store
	pool          *pgxpool.Pool
	rows          *storetest.Factory
	customer      int64
	first, second int64
	other         int64
	foreign       int64
}

func caseSetup(t *testing.T) caseBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	b := caseBundle{st: &store.Store{Pool: pool}, pool: pool, rows: storetest.NewFactory(pool)}
	b.customer = b.rows.Customer(t, storetest.Customer{Name: "Martin", CreditLimit: &money.Money{Minor: 500_000, Currency: money.MustCurrency("EUR")}})
	b.first = b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, Amount: eur(100)})
	b.second = b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, Amount: eur(200)})
	b.other = b.rows.Customer(t, storetest.Customer{Name: "Durand"})
	b.foreign = b.rows.Invoice(t, storetest.Invoice{Customer: b.other, Amount: eur(50)})
	return b
}

func (b caseBundle) dispute(t *testing.T, reason string, invoices ...store.NewCaseInvoice) store.Case {
	t.Helper()
	k, err := b.st.OpenCase(context.Background(), store.Everything, store.NewCase{Type: domain.CaseDispute, CustomerID: b.customer,
		Reason: reason, Invoices: invoices, Source: "agent", Actor: "alice@recoup.example"})
	require.NoError(t, err)
	return k
}

func (b caseBundle) status(t *testing.T, invoice int64) string {
	t.Helper()
	var s string
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT status FROM invoices WHERE id = $1`, invoice).Scan(&s))
	return s
}

func (b caseBundle) journal(t *testing.T, target string) []string {
	t.Helper()
	rows, err := b.pool.Query(context.Background(), `SELECT action FROM audit_journal WHERE target = $1 ORDER BY seq`, target)
	require.NoError(t, err)
	var out []string
	for rows.Next() {
		var a string
		require.NoError(t, rows.Scan(&a))
		out = append(out, a)
	}
	return out
}

func TestOpenDisputeHoldsOnlyItsInvoicesAndRoutesByReason(t *testing.T) {
	t.Parallel()
	b := caseSetup(t)
	k := b.dispute(t, "quality", store.NewCaseInvoice{InvoiceID: b.first, DisputedMinor: 4_000})

	require.Equal(t, domain.DepartmentLogistics, k.Department, "quality disputes go to logistics (seeded routing)")
	require.Equal(t, 10, k.SLABusinessDays)
	require.Equal(t, domain.CaseOpen, k.Status)
	require.Equal(t, []store.CaseInvoice{{InvoiceID: b.first, Number: k.Invoices[0].Number, Disputed: money.Money{Minor: 4_000, Currency: money.MustCurrency("EUR")}}}, k.Invoices)
	require.Equal(t, "disputed", b.status(t, b.first))
	require.Equal(t, "open", b.status(t, b.second), "only the disputed invoice is held")
	require.Equal(t, []string{"case.open"}, b.journal(t, store.CaseTarget(k.ID)))
	require.Contains(t, b.journal(t, "customer/"+strconv.FormatInt(b.customer, 10)), "case.open")
}

func TestOpenDisputeRefusesWhatCannotBeDisputed(t *testing.T) {
	t.Parallel()
	b := caseSetup(t)
	b.dispute(t, "price", store.NewCaseInvoice{InvoiceID: b.second})
	for name, inv := range map[string][]store.NewCaseInvoice{
		"another customer's invoice":  {{InvoiceID: b.foreign}},
		"an invoice disputed already": {{InvoiceID: b.second}},
		"more than its open amount":   {{InvoiceID: b.first, DisputedMinor: 10_001}},
		"an invoice listed twice":     {{InvoiceID: b.first}, {InvoiceID: b.first}},
	} {
		_, err := b.st.OpenCase(context.Background(), store.Everything, store.NewCase{Type: domain.CaseDispute, CustomerID: b.customer,
			Reason: "price", Invoices: inv, Source: "agent", Actor: "alice@recoup.example"})
		require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), name)
		require.Contains(t, err.Error(), "invoices", name)
	}
	require.Equal(t, "open", b.status(t, b.first), "a refused dispute leaves nothing behind")
}

func TestDecideDispute(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		decision    domain.Decision
		creditNotes func(first, second int64) map[int64]int64
		status      string // of both invoices after the decision
		held        bool
		credits     []int64 // recorded credit notes, first then second
	}{
		{decision: domain.DecisionRejected, status: "open"},
		{decision: domain.DecisionWithdrawn, status: "open"},
		{decision: domain.DecisionAccepted, status: "open", held: true, credits: []int64{10_000, 20_000}},
		{decision: domain.DecisionPartlyAccepted, status: "open", held: true, credits: []int64{2_500, 0},
			creditNotes: func(first, second int64) map[int64]int64 { return map[int64]int64{first: 2_500, second: 0} }},
	} {
		t.Run(string(tc.decision), func(t *testing.T) {
			t.Parallel()
			b := caseSetup(t)
			k := b.dispute(t, "price", store.NewCaseInvoice{InvoiceID: b.first}, store.NewCaseInvoice{InvoiceID: b.second})
			d := store.CaseDecision{CaseID: k.ID, Decision: tc.decision, Reason: "checked the order", By: "sales@recoup.example"}
			if tc.creditNotes != nil {
				d.CreditNotes = tc.creditNotes(b.first, b.second)
			}
			out, err := b.st.DecideCase(context.Background(), d)
			require.NoError(t, err)
			again, err := b.st.DecideCase(context.Background(), d)
			require.NoError(t, err, "the same decision again is a retry")
			require.Zero(t, again.Resumed)
			require.Equal(t, tc.status, b.status(t, b.first))
			require.Equal(t, tc.status, b.status(t, b.second))
			holds, err := b.st.InvoiceHolds(context.Background(), b.customer)
			require.NoError(t, err)
			require.Equal(t, tc.held, len(holds) == 2, "accepted invoices wait for their credit note")
			if tc.held {
				require.ElementsMatch(t, []int64{b.first, b.second}, out.Held)
			} else {
				require.ElementsMatch(t, []int64{b.first, b.second}, out.Resumed)
			}
			got, err := b.st.Case(context.Background(), store.Everything, k.ID)
			require.NoError(t, err)
			require.Equal(t, domain.CaseDecided, got.Status)
			require.Equal(t, tc.decision, got.Decision)
			for i, ci := range got.Invoices {
				if tc.credits == nil {
					require.Nil(t, ci.CreditNote)
				} else {
					require.Equal(t, tc.credits[i], ci.CreditNote.Minor)
				}
			}
			_, err = b.st.DecideCase(context.Background(), store.CaseDecision{CaseID: k.ID, Decision: domain.DecisionWithdrawn, Reason: "x", By: "x"})
			if tc.decision != domain.DecisionWithdrawn {
				require.Equal(t, domain.CodeConflict, domain.ErrorCode(err), "a decided case takes no other decision")
			}
		})
	}
}

func TestPartlyAcceptedDisputeNeedsEveryCreditNote(t *testing.T) {
	t.Parallel()
	b := caseSetup(t)
	k := b.dispute(t, "price", store.NewCaseInvoice{InvoiceID: b.first}, store.NewCaseInvoice{InvoiceID: b.second})
	for name, notes := range map[string]map[int64]int64{
		"one missing":            {b.first: 100},
		"above what is disputed": {b.first: 100, b.second: 20_001},
	} {
		_, err := b.st.DecideCase(context.Background(), store.CaseDecision{CaseID: k.ID, Decision: domain.DecisionPartlyAccepted,
			CreditNotes: notes, Reason: "x", By: "x"})
		require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), name)
	}
	require.Equal(t, "disputed", b.status(t, b.first), "a refused decision changes nothing")
}

func TestApprovedCreditLimitRequestChangesTheLimit(t *testing.T) {
	t.Parallel()
	b := caseSetup(t)
	k, err := b.st.OpenCase(context.Background(), store.Everything, store.NewCase{Type: domain.CaseCreditLimitRequest,
		CustomerID: b.customer, Details: json.RawMessage(`{"new_limit_minor": 900000, "justification": "new contract"}`),
		Source: "sales", Actor: "sam@recoup.example"})
	require.NoError(t, err)
	require.Equal(t, domain.DepartmentCreditManagement, k.Department)
	require.Equal(t, 5, k.SLABusinessDays)
	out, err := b.st.DecideCase(context.Background(), store.CaseDecision{CaseID: k.ID, Decision: domain.DecisionApproved, Reason: "ok", By: "cm@recoup.example"})
	require.NoError(t, err)
	require.Equal(t, int64(900_000), *out.CreditLimit)
	var limit int64
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT credit_limit_minor FROM customers WHERE id = $1`, b.customer).Scan(&limit))
	require.Equal(t, int64(900_000), limit)
	require.Contains(t, b.journal(t, "customer/"+strconv.FormatInt(b.customer, 10)), "customer.credit_limit")
}

func TestCaseAlertsMakeTasksOnceAndMarkTheSLA(t *testing.T) {
	t.Parallel()
	b := caseSetup(t)
	manager := b.rows.User(t, storetest.User{Email: "boss@recoup.example", Role: domain.RoleDepartment})
	_, err := b.st.ReplaceCaseRouting(context.Background(), store.CaseRouting{
		Rules:       []store.CaseRoutingRule{{Type: domain.CaseDispute, Department: domain.DepartmentLogistics}},
		Departments: []store.CaseDepartment{{Department: domain.DepartmentLogistics, ManagerEmail: "boss@recoup.example"}},
	}, "admin@recoup.example")
	require.NoError(t, err)
	k := b.dispute(t, "delivery", store.NewCaseInvoice{InvoiceID: b.first})
	require.Equal(t, domain.DepartmentLogistics, k.Department, "the replaced table routes")

	due := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		level int
		state domain.SLAState
		owner *int64
	}{
		{store.AlertReminder, domain.SLAReminded, nil}, // no owner: the department's queue
		{store.AlertBreach, domain.SLABreached, &manager},
		{store.AlertTwice, domain.SLABreachedTwice, &manager},
	} {
		a := store.CaseAlert{CaseID: k.ID, Level: tc.level, DueAt: due, By: "case/1"}
		id, err := b.st.RecordCaseAlert(context.Background(), a)
		require.NoError(t, err)
		again, err := b.st.RecordCaseAlert(context.Background(), a)
		require.NoError(t, err)
		require.Equal(t, id, again, "a retry makes no second task")
		var role string
		var assignee *int64
		require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT assignee_role, assignee_id FROM tasks WHERE id = $1`, id).Scan(&role, &assignee))
		require.Equal(t, "logistics", role)
		require.Equal(t, tc.owner, assignee)
		got, err := b.st.Case(context.Background(), store.Everything, k.ID)
		require.NoError(t, err)
		require.Equal(t, tc.state, got.SLAState)
	}
	require.Equal(t, []string{"case.open", "case.sla_reminder", "case.sla_escalation", "case.sla_escalation"}, b.journal(t, store.CaseTarget(k.ID)))
}

func TestDepartmentSeesOnlyTheCasesRoutedToIt(t *testing.T) {
	t.Parallel()
	b := caseSetup(t)
	logistics := b.dispute(t, "quality", store.NewCaseInvoice{InvoiceID: b.first})
	sales := b.dispute(t, "price", store.NewCaseInvoice{InvoiceID: b.second})
	routed := string(domain.DepartmentLogistics)
	per := store.Perimeter{Department: &routed}

	list, total, err := b.st.ListCases(context.Background(), per, store.CaseFilter{Page: domain.Page{Limit: 10}})
	require.NoError(t, err)
	require.Equal(t, int64(1), total)
	require.Equal(t, logistics.ID, list[0].ID)
	_, err = b.st.Case(context.Background(), per, sales.ID)
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
}

func TestReopenDisputesAgainAndLiftsTheAcceptanceHolds(t *testing.T) {
	t.Parallel()
	b := caseSetup(t)
	k := b.dispute(t, "price", store.NewCaseInvoice{InvoiceID: b.first})
	_, err := b.st.DecideCase(context.Background(), store.CaseDecision{CaseID: k.ID, Decision: domain.DecisionAccepted, Reason: "ok", By: "x"})
	require.NoError(t, err)
	r := store.CaseReopen{CaseID: k.ID, Reason: "the customer disagrees with the amount", By: "alice@recoup.example", Round: 1}
	require.NoError(t, b.st.ReopenCase(context.Background(), r))
	require.NoError(t, b.st.ReopenCase(context.Background(), r), "a retry is harmless")
	require.Equal(t, "disputed", b.status(t, b.first))
	holds, err := b.st.InvoiceHolds(context.Background(), b.customer)
	require.NoError(t, err)
	require.Empty(t, holds)
	got, err := b.st.Case(context.Background(), store.Everything, k.ID)
	require.NoError(t, err)
	require.Equal(t, domain.CaseOpen, got.Status)
	require.Equal(t, 1, got.Reopened)
	require.Nil(t, got.Invoices[0].CreditNote)
}

func (b caseBundle) notifications(t *testing.T, user int64) []string {
	t.Helper()
	list, _, _, err := b.st.Notifications(context.Background(), user, false, domain.Page{Limit: 50})
	require.NoError(t, err)
	var out []string
	for _, n := range list {
		out = append(out, string(n.Kind))
	}
	return out
}

func TestCasesNotifyTheirPeople(t *testing.T) {
	t.Parallel()
	b := caseSetup(t)
	ctx := context.Background()
	owner := b.rows.User(t, storetest.User{Email: "owner@recoup.example", Role: domain.RoleDepartment})
	manager := b.rows.User(t, storetest.User{Email: "boss@recoup.example", Role: domain.RoleDepartment})
	other := b.rows.User(t, storetest.User{Email: "other@recoup.example"})
	_, err := b.st.ReplaceCaseRouting(ctx, store.CaseRouting{
		Rules:       []store.CaseRoutingRule{{Type: domain.CaseDispute, Department: domain.DepartmentLogistics, OwnerEmail: "owner@recoup.example"}},
		Departments: []store.CaseDepartment{{Department: domain.DepartmentLogistics, ManagerEmail: "boss@recoup.example"}},
	}, "admin@recoup.example")
	require.NoError(t, err)
	k := b.dispute(t, "delivery", store.NewCaseInvoice{InvoiceID: b.first})

	_, err = b.st.AddCaseComment(ctx, k.ID, "other@recoup.example (token 4)", "@boss@recoup.example look", []string{"boss@recoup.example", "other@recoup.example"})
	require.NoError(t, err)
	_, err = b.st.AddCaseComment(ctx, k.ID, "owner@recoup.example", "on it", nil)
	require.NoError(t, err)
	_, err = b.st.RecordCaseAlert(ctx, store.CaseAlert{CaseID: k.ID, Level: store.AlertReminder, DueAt: time.Now(), By: "case/1"})
	require.NoError(t, err)
	_, err = b.st.RecordCaseAlert(ctx, store.CaseAlert{CaseID: k.ID, Level: store.AlertBreach, DueAt: time.Now(), By: "case/1"})
	require.NoError(t, err)

	require.Equal(t, []string{"sla_reminder", "case_comment", "case_assigned"}, b.notifications(t, owner),
		"newest first; the owner's own comment tells nobody")
	require.Equal(t, []string{"sla_escalation", "mention"}, b.notifications(t, manager))
	require.Empty(t, b.notifications(t, other), "one's own mention is no news")

	list, total, unread, err := b.st.Notifications(ctx, owner, true, domain.Page{Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []int64{3, 3}, []int64{total, unread})
	require.NoError(t, b.st.MarkNotificationRead(ctx, owner, list[0].ID))
	require.NoError(t, b.st.MarkNotificationRead(ctx, owner, list[0].ID), "again: harmless")
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(b.st.MarkNotificationRead(ctx, manager, list[0].ID)), "not another's")
	n, err := b.st.MarkAllNotificationsRead(ctx, owner)
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	_, _, unread, err = b.st.Notifications(ctx, owner, false, domain.Page{Limit: 10})
	require.NoError(t, err)
	require.Zero(t, unread)
}

// A task made for a user tells them, unless they made it themselves; a
// task for a queue tells nobody.
func TestTasksNotifyTheirAssignee(t *testing.T) {
	t.Parallel()
	b := caseSetup(t)
	ctx := context.Background()
	alice := b.rows.User(t, storetest.User{Email: "alice@recoup.example", Role: domain.RoleAgent})
	task := func(key, actor string, assignee *int64) {
		_, created, err := b.st.CreateTask(ctx, store.Task{Key: key, CustomerID: b.customer, Kind: domain.TaskCall,
			AssigneeRole: domain.AssigneeAgent, AssigneeID: assignee, DueAt: time.Now(), Actor: actor})
		require.NoError(t, err)
		require.True(t, created)
	}
	task("by-the-workflow", "", &alice)
	task("by-herself", "alice@recoup.example", &alice)
	task("by-a-colleague", "bob@recoup.example (token 3)", &alice)
	require.Equal(t, []string{"task_assigned", "task_assigned"}, b.notifications(t, alice))
	list, _, _, err := b.st.Notifications(ctx, alice, false, domain.Page{Limit: 5})
	require.NoError(t, err)
	require.Equal(t, store.NotificationParams{Task: "call", Customer: "Martin", CustomerID: b.customer, TaskID: list[0].Params.TaskID,
		Actor: "bob@recoup.example"}, list[0].Params)
	require.NotZero(t, list[0].Params.TaskID)
}
