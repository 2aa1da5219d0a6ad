package workflows_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"recoup/activities"
	"recoup/domain"
	"recoup/flow"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/workflows"
)

// paris is the entity's time zone; the case opens on Monday 2 March 2026 at
// 09:00 there, with the seeded dispute SLA of 10 business days.
var caseZone, _ = time.LoadLocation("Europe/Paris")

func parisTime(month time.Month, day, hour int) time.Time {
	return time.Date(2026, month, day, hour, 0, 0, 0, caseZone).UTC()
}

// caseRun is a Case workflow with its real activities on a real Postgres: a
// dispute on one of a customer's two invoices, routed to logistics, whose
// manager is Lea.
type caseRun struct {
	env           *testsuite.TestWorkflowEnvironment
	st            *store.Store
	customer      int64
	first, second int64
	manager       int64
	k             store.Case
	in            flow.CaseInput
}

func setupCase(t *testing.T, typ domain.CaseType) *caseRun {
	t.Helper()
	pool := storetest.NewPool(t)
	r := &caseRun{st: &store.Store{Pool: pool}}
	rows := storetest.NewFactory(pool)
	r.manager = rows.User(t, storetest.User{Email: "lea@example.com", Role: domain.RoleDepartment})
	r.customer = rows.Customer(t, storetest.Customer{CreditLimit: &money.Money{Minor: 100_000, Currency: money.MustCurrency("EUR")}})
	r.first = rows.Invoice(t, storetest.Invoice{Customer: r.customer, Amount: money.Money{Minor: 10_000, Currency: money.MustCurrency("EUR")}})
	r.second = rows.Invoice(t, storetest.Invoice{Customer: r.customer, Amount: money.Money{Minor: 20_000, Currency: money.MustCurrency("EUR")}})
	_, err := r.st.ReplaceCaseRouting(context.Background(), store.CaseRouting{
		Rules: []store.CaseRoutingRule{{Type: domain.CaseDispute, Department: domain.DepartmentLogistics},
			{Type: domain.CaseCreditLimitRequest, Department: domain.DepartmentCreditManagement}},
		Departments: []store.CaseDepartment{{Department: domain.DepartmentLogistics, ManagerEmail: "lea@example.com"}},
	}, "admin@example.com")
	require.NoError(t, err)
	nc := store.NewCase{Type: typ, CustomerID: r.customer, Reason: "quality", Source: "agent", Actor: "alice@example.com",
		Invoices: []store.NewCaseInvoice{{InvoiceID: r.first}, {InvoiceID: r.second}}}
	if typ == domain.CaseCreditLimitRequest {
		nc.Reason, nc.Invoices, nc.Details = "", nil, json.RawMessage(`{"new_limit_minor": 250000}`)
	}
	r.k, err = r.st.OpenCase(context.Background(), store.Everything, nc)
	require.NoError(t, err)
	start := parisTime(time.March, 2, 9)
	r.in = flow.CaseInput{CaseID: r.k.ID, CustomerID: r.customer, EntityCode: r.k.EntityCode, Type: typ, Department: r.k.Department,
		Status: domain.CaseOpen, SLABusinessDays: r.k.SLABusinessDays, OpenedAt: start,
		Calendar: flow.CaseCalendar{Country: "FR", TimeZone: "Europe/Paris"}}
	var suite testsuite.WorkflowTestSuite
	r.env = suite.NewTestWorkflowEnvironment()
	r.env.SetStartTime(start)
	r.env.RegisterActivity(&activities.Cases{Store: r.st})
	return r
}

// at runs fn when the workflow's clock reaches t.
func (r *caseRun) at(t time.Time, fn func()) {
	r.env.RegisterDelayedCallback(fn, t.Sub(parisTime(time.March, 2, 9)))
}

func (r *caseRun) query(t *testing.T) flow.CaseStatus {
	t.Helper()
	v, err := r.env.QueryWorkflow(flow.QueryStatus)
	require.NoError(t, err)
	var st flow.CaseStatus
	require.NoError(t, v.Get(&st))
	return st
}

// updated is what an update answered: done once accepted and completed, or rejected.
type updated struct {
	done bool
	err  error
}

// ok says the update was accepted and completed without error.
func (u *updated) ok(t *testing.T) {
	t.Helper()
	require.True(t, u.done, "the update finished")
	require.NoError(t, u.err)
}

// refused says the update was rejected or failed, with msg in its error.
func (u *updated) refused(t *testing.T, msg string) {
	t.Helper()
	require.True(t, u.done, "the update finished")
	require.ErrorContains(t, u.err, msg)
}

// update sends an update; its answer arrives as the workflow runs.
func (r *caseRun) update(name string, arg any) *updated {
	u := &updated{}
	r.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
		OnAccept:   func() {},
		OnReject:   func(err error) { u.done, u.err = true, err },
		OnComplete: func(_ any, err error) { u.done, u.err = true, err },
	}, arg)
	return u
}

func (r *caseRun) decide(d store.CaseDecision) *updated {
	d.CaseID, d.By = r.k.ID, "lea@example.com"
	if d.Reason == "" {
		d.Reason = "checked the delivery notes"
	}
	return r.update(flow.UpdateCaseDecide, d)
}

type slaTask struct {
	Role     string
	Assignee *int64
	DueAt    time.Time
}

func (r *caseRun) tasks(t *testing.T) []slaTask {
	t.Helper()
	rows, err := r.st.Pool.Query(context.Background(),
		`SELECT assignee_role, assignee_id, due_at FROM tasks WHERE customer_id = $1 AND kind = 'case' ORDER BY id`, r.customer)
	require.NoError(t, err)
	var out []slaTask
	for rows.Next() {
		var s slaTask
		require.NoError(t, rows.Scan(&s.Role, &s.Assignee, &s.DueAt))
		s.DueAt = s.DueAt.UTC()
		out = append(out, s)
	}
	return out
}

func (r *caseRun) invoiceStatus(t *testing.T, id int64) string {
	t.Helper()
	var s string
	require.NoError(t, r.st.Pool.QueryRow(context.Background(), `SELECT status FROM invoices WHERE id = $1`, id).Scan(&s))
	return s
}

func (r *caseRun) stored(t *testing.T) store.Case {
	t.Helper()
	k, err := r.st.Case(context.Background(), store.Everything, r.k.ID)
	require.NoError(t, err)
	return k
}

// Ten business days from Monday 2 March 09:00 in Paris: half is Monday 9
// March, the SLA Monday 16 March, twice Monday 30 March (after the change to
// summer time: 09:00 is then 07:00 UTC). The reminder goes to the owner (none:
// the logistics queue), the escalations to the department's manager.
func TestCaseRemindsAtHalfAndEscalatesAtTheSLAAndTwice(t *testing.T) {
	t.Parallel()
	r := setupCase(t, domain.CaseDispute)
	var before flow.CaseStatus
	var decided *updated
	r.at(parisTime(time.March, 3, 9), func() { before = r.query(t) })
	r.at(parisTime(time.April, 2, 9), func() { decided = r.decide(store.CaseDecision{Decision: domain.DecisionRejected}) })
	r.env.ExecuteWorkflow(workflows.Case, r.in)

	decided.ok(t)
	require.True(t, r.env.IsWorkflowCompleted(), "closed when the reopening window has passed")
	require.NoError(t, r.env.GetWorkflowError())
	reminder, breach, twice := parisTime(time.March, 9, 9), parisTime(time.March, 16, 9), parisTime(time.March, 30, 9)
	require.Equal(t, flow.CaseSLA{BusinessDays: 10, State: domain.SLAOnTime, Used: 24 * time.Hour,
		ReminderDue: &reminder, BreachDue: &breach, TwiceDue: &twice}, before.SLA)
	require.Equal(t, []slaTask{
		{Role: "logistics", DueAt: reminder},
		{Role: "logistics", Assignee: &r.manager, DueAt: breach},
		{Role: "logistics", Assignee: &r.manager, DueAt: twice},
	}, r.tasks(t))
	k := r.stored(t)
	require.Equal(t, domain.CaseClosed, k.Status)
	require.Equal(t, domain.SLABreachedTwice, k.SLAState)
	require.NotNil(t, k.BreachedAt)
}

// Waiting for the customer from Wednesday 4 March (two business days used)
// to Friday 13 March stops the clock: the reminder, due after five, comes
// three business days after the resumption, on Wednesday 18 March.
func TestCaseSLAPausesWhileWaitingForTheCustomer(t *testing.T) {
	t.Parallel()
	r := setupCase(t, domain.CaseDispute)
	change := func(s domain.CaseStatus) *updated {
		return r.update(flow.UpdateCaseStatus, store.CaseStatusChange{CaseID: r.k.ID, Status: s, Reason: "asked for the delivery note", By: "alice@example.com"})
	}
	var paused flow.CaseStatus
	var wait, again, resume, decided *updated
	r.at(parisTime(time.March, 4, 9), func() { wait = change(domain.CaseWaitingCustomer) })
	r.at(parisTime(time.March, 10, 9), func() {
		paused = r.query(t)
		again = change(domain.CaseWaitingCustomer)
	})
	r.at(parisTime(time.March, 13, 9), func() { resume = change(domain.CaseOpen) })
	r.at(parisTime(time.March, 19, 9), func() { decided = r.decide(store.CaseDecision{Decision: domain.DecisionWithdrawn}) })
	r.env.ExecuteWorkflow(workflows.Case, r.in)

	for _, u := range []*updated{wait, resume, decided} {
		u.ok(t)
	}
	again.refused(t, "waiting_customer already")
	require.NoError(t, r.env.GetWorkflowError())
	require.Equal(t, domain.CaseWaitingCustomer, paused.Status)
	require.Equal(t, flow.CaseSLA{BusinessDays: 10, State: domain.SLAOnTime, Paused: true, Used: 48 * time.Hour}, paused.SLA,
		"no due time while the clock stands still")
	require.Equal(t, []slaTask{{Role: "logistics", DueAt: parisTime(time.March, 18, 9)}}, r.tasks(t))
}

func TestCaseDecisions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		decision domain.Decision
		credits  func(r *caseRun) map[int64]int64
		invoices string // both invoices' status after the decision
		held     int    // invoices held for their credit note
	}{
		{name: "accepted", decision: domain.DecisionAccepted, invoices: "open", held: 2},
		{name: "partly accepted", decision: domain.DecisionPartlyAccepted, invoices: "open", held: 2,
			credits: func(r *caseRun) map[int64]int64 { return map[int64]int64{r.first: 2_500, r.second: 0} }},
		{name: "rejected", decision: domain.DecisionRejected, invoices: "open"},
		{name: "withdrawn", decision: domain.DecisionWithdrawn, invoices: "open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := setupCase(t, domain.CaseDispute)
			var during string
			var live flow.CaseStatus
			var decided, again *updated
			r.at(parisTime(time.March, 3, 9), func() {
				during = r.invoiceStatus(t, r.first)
				d := store.CaseDecision{Decision: tc.decision}
				if tc.credits != nil {
					d.CreditNotes = tc.credits(r)
				}
				decided = r.decide(d)
			})
			r.at(parisTime(time.March, 3, 10), func() {
				again = r.decide(store.CaseDecision{Decision: domain.DecisionRejected})
				live = r.query(t)
			})
			r.env.ExecuteWorkflow(workflows.Case, r.in)

			decided.ok(t)
			again.refused(t, "decided already")
			require.NoError(t, r.env.GetWorkflowError())
			require.Equal(t, "disputed", during, "held while the dispute is open")
			require.Equal(t, domain.CaseDecided, live.Status)
			reopenUntil := parisTime(time.March, 3, 9).Add(flow.CaseReopenWindow).UTC()
			require.Equal(t, &reopenUntil, live.ReopenUntil)
			require.Equal(t, tc.invoices, r.invoiceStatus(t, r.first))
			require.Equal(t, tc.invoices, r.invoiceStatus(t, r.second))
			holds, err := r.st.InvoiceHolds(context.Background(), r.customer)
			require.NoError(t, err)
			require.Len(t, holds, tc.held)
			k := r.stored(t)
			require.Equal(t, tc.decision, k.Decision)
			require.Equal(t, domain.CaseClosed, k.Status)
			if tc.credits != nil {
				require.Equal(t, int64(2_500), k.Invoices[0].CreditNote.Minor)
				require.Equal(t, int64(0), k.Invoices[1].CreditNote.Minor)
			}
			require.Empty(t, r.tasks(t), "decided before half the SLA: no reminder")
		})
	}
}

func TestCaseRefusesADecisionItsTypeDoesNotAllow(t *testing.T) {
	t.Parallel()
	r := setupCase(t, domain.CaseDispute)
	var approved, withdrawn *updated
	r.at(parisTime(time.March, 3, 9), func() { approved = r.decide(store.CaseDecision{Decision: domain.DecisionApproved}) })
	r.at(parisTime(time.March, 4, 9), func() { withdrawn = r.decide(store.CaseDecision{Decision: domain.DecisionWithdrawn}) })
	r.env.ExecuteWorkflow(workflows.Case, r.in)
	approved.refused(t, "a dispute cannot be approved")
	withdrawn.ok(t)
	require.NoError(t, r.env.GetWorkflowError())
	require.Equal(t, "open", r.invoiceStatus(t, r.first))
}

func TestCreditLimitRequestApprovedChangesTheLimit(t *testing.T) {
	t.Parallel()
	r := setupCase(t, domain.CaseCreditLimitRequest)
	var approved *updated
	r.at(parisTime(time.March, 3, 9), func() {
		approved = r.decide(store.CaseDecision{Decision: domain.DecisionApproved, Reason: "two years of prompt payment"})
	})
	r.env.ExecuteWorkflow(workflows.Case, r.in)
	approved.ok(t)
	require.NoError(t, r.env.GetWorkflowError())
	var limit int64
	require.NoError(t, r.st.Pool.QueryRow(context.Background(), `SELECT credit_limit_minor FROM customers WHERE id = $1`, r.customer).Scan(&limit))
	require.Equal(t, int64(250_000), limit)
}

// Reopened within the window, the case is open again with a fresh SLA
// round; decided again, it closes 30 days after the second decision.
func TestCaseReopensWithinTheWindow(t *testing.T) {
	t.Parallel()
	r := setupCase(t, domain.CaseDispute)
	reopen := func() *updated {
		return r.update(flow.UpdateCaseReopen, flow.CaseReopenRequest{Reason: "the credit note is wrong", By: "alice@example.com"})
	}
	var reopened flow.CaseStatus
	var early, accepted, again, rejected *updated
	r.at(parisTime(time.March, 3, 9), func() { early = reopen() })
	r.at(parisTime(time.March, 3, 10), func() { accepted = r.decide(store.CaseDecision{Decision: domain.DecisionAccepted}) })
	r.at(parisTime(time.March, 20, 9), func() { again = reopen() })
	r.at(parisTime(time.March, 20, 10), func() { reopened = r.query(t) })
	r.at(parisTime(time.April, 1, 9), func() { rejected = r.decide(store.CaseDecision{Decision: domain.DecisionRejected}) })
	r.env.ExecuteWorkflow(workflows.Case, r.in)

	early.refused(t, "only a decided case can be reopened")
	for _, u := range []*updated{accepted, again, rejected} {
		u.ok(t)
	}
	require.NoError(t, r.env.GetWorkflowError())
	require.Equal(t, domain.CaseOpen, reopened.Status)
	due := parisTime(time.March, 27, 9) // five business days after Friday 20 March
	require.Equal(t, &due, reopened.SLA.ReminderDue)
	require.Equal(t, []slaTask{{Role: "logistics", DueAt: due}}, r.tasks(t), "the new round reminds afresh")
	k := r.stored(t)
	require.Equal(t, domain.DecisionRejected, k.Decision)
	require.Equal(t, 1, k.Reopened)
	require.Equal(t, "open", r.invoiceStatus(t, r.first))
}
