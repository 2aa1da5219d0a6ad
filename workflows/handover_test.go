package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"recoup/activities"
	"recoup/app"
	"recoup/flow"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/workflows"
)

// absence is a Handover workflow run with its real activities on a real
// Postgres: Alice has three accounts and is away, covered by Bob.
type absence struct {
	env       *testsuite.TestWorkflowEnvironment
	st        *store.Store
	customers []int64
	in        flow.HandoverInput
	start     time.Time
}

func setupAbsence(t *testing.T, from, until time.Duration) *absence {
	t.Helper()
	pool := storetest.NewPool(t)
	a := &absence{st: &store.Store{Pool: pool}, start: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)}
	rows := storetest.NewFactory(pool)
	alice := rows.User(t, storetest.User{Email: "alice@example.com"})
	rows.User(t, storetest.User{Email: "bob@example.com"})
	rows.User(t, storetest.User{Email: "dan@example.com"})
	for range 3 {
		a.customers = append(a.customers, rows.Customer(t, storetest.Customer{Agent: alice}))
	}
	ab := store.Absence{AgentEmail: "alice@example.com", Delegates: []string{"bob@example.com"}, StartsAt: a.start.Add(from)}
	if until > 0 {
		end := a.start.Add(until)
		ab.EndsAt = &end
	}
	ab, err := a.st.CreateAbsence(context.Background(), ab, "manager@example.com")
	require.NoError(t, err)
	a.in = flow.HandoverInput{AbsenceID: ab.ID, Agent: ab.AgentEmail, From: ab.StartsAt, By: "manager@example.com"}
	if ab.EndsAt != nil {
		a.in.Until = *ab.EndsAt
	}
	var suite testsuite.WorkflowTestSuite
	a.env = suite.NewTestWorkflowEnvironment()
	a.env.SetStartTime(a.start)
	a.env.RegisterActivity(&activities.Handover{Store: a.st, Mover: app.New(a.st, nil, nil)})
	return a
}

// at runs fn when the workflow's clock is `after` past the start.
func (a *absence) at(after time.Duration, fn func()) { a.env.RegisterDelayedCallback(fn, after) }

func (a *absence) agents(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, id := range a.customers {
		email, err := a.st.CurrentAgent(context.Background(), id)
		require.NoError(t, err)
		out = append(out, email)
	}
	return out
}

func (a *absence) result(t *testing.T) flow.HandoverResult {
	t.Helper()
	require.True(t, a.env.IsWorkflowCompleted())
	require.NoError(t, a.env.GetWorkflowError())
	var res flow.HandoverResult
	require.NoError(t, a.env.GetWorkflowResult(&res))
	return res
}

const day = 24 * time.Hour

func TestTwoWeekAbsenceWithAManualReassignmentInTheMiddle(t *testing.T) {
	t.Parallel()
	a := setupAbsence(t, day, 15*day) // from tomorrow, for two weeks
	a.at(12*time.Hour, func() {
		require.Equal(t, []string{"alice@example.com", "alice@example.com", "alice@example.com"}, a.agents(t), "not begun yet")
	})
	a.at(2*day, func() {
		require.Equal(t, []string{"bob@example.com", "bob@example.com", "bob@example.com"}, a.agents(t), "Bob covers")
	})
	a.at(8*day, func() { // a manager gives one account to Dan for good
		require.NoError(t, a.st.ReassignAgent(context.Background(), a.customers[1], "dan@example.com", "manager@example.com"))
	})
	a.at(15*day-time.Minute, func() {
		require.Equal(t, "bob@example.com", a.agents(t)[0], "still covered until the end")
	})

	a.env.ExecuteWorkflow(workflows.Handover, a.in)
	require.Equal(t, flow.HandoverResult{Accounts: 2, Kept: 1}, a.result(t), "the end moves back what Bob still has")
	require.Equal(t, []string{"alice@example.com", "dan@example.com", "alice@example.com"}, a.agents(t))
	require.Equal(t, a.start.Add(15*day), a.env.Now().UTC(), "back on the absence's last day")
}

func TestAbsenceEndedEarly(t *testing.T) {
	t.Parallel()
	a := setupAbsence(t, 0, 14*day)
	a.at(3*day, func() {
		require.Equal(t, []string{"bob@example.com", "bob@example.com", "bob@example.com"}, a.agents(t))
		a.env.SignalWorkflow(flow.SignalHandoverEnd, flow.HandoverEnd{By: "boss@example.com"})
	})

	a.env.ExecuteWorkflow(workflows.Handover, a.in)
	require.Equal(t, flow.HandoverResult{Accounts: 3}, a.result(t))
	require.Equal(t, []string{"alice@example.com", "alice@example.com", "alice@example.com"}, a.agents(t))
	require.Equal(t, a.start.Add(3*day), a.env.Now().UTC(), "back as soon as it ends")
	var by string
	require.NoError(t, a.st.Pool.QueryRow(context.Background(), `SELECT actor FROM audit_journal
		WHERE action = 'customer.reassign' ORDER BY id DESC LIMIT 1`).Scan(&by))
	require.Equal(t, "boss@example.com via "+flow.HandoverWorkflowID(a.in.AbsenceID), by, "the moves back are journaled in the name of who ended it")
}

func TestAbsenceEndedBeforeItBeganMovesNothing(t *testing.T) {
	t.Parallel()
	a := setupAbsence(t, 5*day, 10*day)
	a.at(day, func() { a.env.SignalWorkflow(flow.SignalHandoverEnd, flow.HandoverEnd{By: "manager@example.com"}) })

	a.env.ExecuteWorkflow(workflows.Handover, a.in)
	require.Equal(t, flow.HandoverResult{}, a.result(t))
	require.Equal(t, []string{"alice@example.com", "alice@example.com", "alice@example.com"}, a.agents(t))
	require.Equal(t, a.start.Add(day), a.env.Now().UTC())
}

func TestAgentLeavingForGoodKeepsNothing(t *testing.T) {
	t.Parallel()
	a := setupAbsence(t, 2*day, 0)

	a.env.ExecuteWorkflow(workflows.Handover, a.in)
	require.Equal(t, flow.HandoverResult{Accounts: 3}, a.result(t))
	require.Equal(t, []string{"bob@example.com", "bob@example.com", "bob@example.com"}, a.agents(t))
	require.Equal(t, a.start.Add(2*day), a.env.Now().UTC(), "the handover ends once the accounts moved")
}

func TestAbsenceDatesChangedBeforeAndDuringIt(t *testing.T) {
	t.Parallel()
	a := setupAbsence(t, day, 8*day)
	a.at(12*time.Hour, func() { // before it begins: it starts later, and ends later
		a.env.SignalWorkflow(flow.SignalHandoverDates, flow.HandoverDates{From: a.start.Add(3 * day), Until: a.start.Add(8 * day)})
	})
	a.at(2*day, func() {
		require.Equal(t, "alice@example.com", a.agents(t)[0], "the new start is not there yet")
	})
	a.at(4*day, func() {
		require.Equal(t, "bob@example.com", a.agents(t)[0])
		// Once begun, only the end changes: a start sent again is ignored.
		a.env.SignalWorkflow(flow.SignalHandoverDates, flow.HandoverDates{From: a.start.Add(6 * day), Until: a.start.Add(10 * day)})
	})
	a.at(9*day, func() {
		require.Equal(t, "bob@example.com", a.agents(t)[0], "extended until day 10")
	})

	a.env.ExecuteWorkflow(workflows.Handover, a.in)
	require.Equal(t, flow.HandoverResult{Accounts: 3}, a.result(t))
	require.Equal(t, []string{"alice@example.com", "alice@example.com", "alice@example.com"}, a.agents(t))
	require.Equal(t, a.start.Add(10*day), a.env.Now().UTC())
}
