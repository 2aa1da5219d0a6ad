package activities_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"recoup/activities"
	"recoup/app"
	"recoup/domain"
	"recoup/flow"
	"recoup/store"
	"recoup/store/storetest"
)

// visibility stands in for Temporal's visibility store: the customers whose
// running Dunning workflow carries the agent in RecoupAgent (possibly stale).
type visibility map[string][]int64

func (v visibility) AgentAccounts(_ context.Context, agent string, _ []byte) ([]int64, []byte, error) {
	return v[agent], nil, nil
}

type handoverFixture struct {
	st        *store.Store
	rows      *storetest.Factory
	env       *testsuite.TestActivityEnvironment
	h         *activities.Handover
	customers []int64 // Alice's four accounts
	other     int64   // Dan's account (the visibility query says Alice's: stale)
	tasks     []int64 // Alice's open tasks on customers[0] and customers[3], then a closed one
	absence   store.Absence
}

const insertTask = `
INSERT INTO tasks (key, customer_id, kind, assignee_role, assignee_id, invoice_ids, due_at, status)
VALUES ($1, $2, 'call', 'agent', $3, '{}', now(), $4) RETURNING id`

// setupHandover: Alice has four accounts and two open tasks; she is away,
// covered by Bob and Carol. Dan has one account.
func setupHandover(t *testing.T) *handoverFixture {
	t.Helper()
	pool := storetest.NewPool(t)
	f := &handoverFixture{st: &store.Store{Pool: pool}, rows: storetest.NewFactory(pool)}
	alice := f.rows.User(t, storetest.User{Email: "alice@example.com"})
	f.rows.User(t, storetest.User{Email: "bob@example.com"})
	f.rows.User(t, storetest.User{Email: "carol@example.com"})
	dan := f.rows.User(t, storetest.User{Email: "dan@example.com"})
	f.rows.User(t, storetest.User{Email: "manager@example.com", Role: domain.RoleCreditManager})
	for range 4 {
		f.customers = append(f.customers, f.rows.Customer(t, storetest.Customer{Agent: alice}))
	}
	f.other = f.rows.Customer(t, storetest.Customer{Agent: dan})
	for i, c := range []struct {
		customer int64
		status   string
	}{{f.customers[0], "open"}, {f.customers[3], "open"}, {f.customers[1], "done"}} {
		var id int64
		require.NoError(t, pool.QueryRow(context.Background(), insertTask, fmt.Sprint("k", i), c.customer, alice, c.status).Scan(&id))
		f.tasks = append(f.tasks, id)
	}
	var err error
	back := time.Now().Add(14 * 24 * time.Hour).UTC()
	f.absence, err = f.st.CreateAbsence(context.Background(), store.Absence{AgentEmail: "alice@example.com",
		Delegates: []string{"bob@example.com", "carol@example.com"}, StartsAt: time.Now().UTC(), EndsAt: &back, Reason: "holiday"}, "manager@example.com")
	require.NoError(t, err)
	f.h = &activities.Handover{Store: f.st, Mover: app.New(f.st, nil, nil),
		Workflows: visibility{"alice@example.com": {f.other, f.customers[2]}}}
	var suite testsuite.WorkflowTestSuite
	f.env = suite.NewTestActivityEnvironment()
	f.env.RegisterActivity(f.h)
	return f
}

func (f *handoverFixture) input() activities.HandoverInput {
	return activities.HandoverInput{AbsenceID: f.absence.ID, Agent: "alice@example.com", By: "manager@example.com"}
}

func (f *handoverFixture) run(t *testing.T, act any) flow.HandoverResult {
	t.Helper()
	v, err := f.env.ExecuteActivity(act, f.input())
	require.NoError(t, err)
	var res flow.HandoverResult
	require.NoError(t, v.Get(&res))
	return res
}

func (f *handoverFixture) agents(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, id := range append(append([]int64{}, f.customers...), f.other) {
		a, err := f.st.CurrentAgent(context.Background(), id)
		require.NoError(t, err)
		out = append(out, a)
	}
	return out
}

func (f *handoverFixture) assignees(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, id := range f.tasks {
		a, err := f.st.TaskAssignee(context.Background(), id)
		require.NoError(t, err)
		out = append(out, a)
	}
	return out
}

func TestHandOverSplitsTheAccountsRoundRobinAndTasksFollowTheirAccount(t *testing.T) {
	t.Parallel()
	f := setupHandover(t)

	res := f.run(t, f.h.HandOver)
	require.Equal(t, flow.HandoverResult{Accounts: 4, Tasks: 2}, res)
	// The visibility query found customers[2] first (turn 0: Bob); Dan's
	// account it also named is Dan's in Postgres, so it stays.
	require.Equal(t, []string{"carol@example.com", "bob@example.com", "bob@example.com", "carol@example.com", "dan@example.com"}, f.agents(t))
	require.Equal(t, []string{"carol@example.com", "carol@example.com", "alice@example.com"}, f.assignees(t),
		"an open task follows its account; a closed task stays as it was")

	again := f.run(t, f.h.HandOver)
	require.Equal(t, flow.HandoverResult{}, again, "a retry moves nothing twice")

	covering, err := f.st.CoveringFor(context.Background(), f.customers[0])
	require.NoError(t, err)
	require.Equal(t, "alice@example.com", covering)

	var journaled int
	require.NoError(t, f.st.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM audit_journal WHERE action IN ('customer.reassign', 'task.reassign') AND actor = $1`,
		"manager@example.com via "+flow.HandoverWorkflowID(f.absence.ID)).Scan(&journaled))
	require.Equal(t, 6, journaled, "every move is journaled in the name of who asked, through the handover")
}

func TestHandBackLeavesWhatWasReassignedMeanwhile(t *testing.T) {
	t.Parallel()
	f := setupHandover(t)
	f.run(t, f.h.HandOver)
	ctx := context.Background()
	// Meanwhile a manager gives customers[1] to Dan, and a task to Dan.
	require.NoError(t, f.st.ReassignAgent(ctx, f.customers[1], "dan@example.com", "manager@example.com"))
	moved, err := f.st.MoveTask(ctx, f.tasks[1], "carol@example.com", "dan@example.com", "manager@example.com")
	require.NoError(t, err)
	require.True(t, moved)

	res := f.run(t, f.h.HandBack)
	require.Equal(t, flow.HandoverResult{Accounts: 3, Tasks: 1, Kept: 2}, res)
	require.Equal(t, []string{"alice@example.com", "dan@example.com", "alice@example.com", "alice@example.com", "dan@example.com"}, f.agents(t))
	require.Equal(t, []string{"alice@example.com", "dan@example.com", "alice@example.com"}, f.assignees(t))

	ab, err := f.st.GetAbsence(ctx, f.absence.ID)
	require.NoError(t, err)
	require.Equal(t, [3]int64{4, 3, 1}, [3]int64{ab.Moved, ab.Returned, ab.Kept})
	covering, err := f.st.CoveringFor(ctx, f.customers[0])
	require.NoError(t, err)
	require.Empty(t, covering, "back with Alice: nobody covers")

	require.Equal(t, flow.HandoverResult{}, f.run(t, f.h.HandBack), "a retry moves nothing back twice")
}

// flaky is the real mover, with Temporal unreachable for one account the first time.
type flaky struct {
	activities.AccountMover
	down  int64
	tries int
}

func (f *flaky) MoveAccount(ctx context.Context, id int64, agent, actor string) (bool, error) {
	if id == f.down {
		f.tries++
		if f.tries == 1 {
			return false, domain.Errorf(domain.CodeUnavailable, "Temporal unreachable")
		}
	}
	return f.AccountMover.MoveAccount(ctx, id, agent, actor)
}

type brokenVisibility struct{}

func (brokenVisibility) AgentAccounts(context.Context, string, []byte) ([]int64, []byte, error) {
	return nil, nil, domain.Errorf(domain.CodeInvalid, "unknown search attribute RecoupAgent")
}

func TestHandOverRetriedAfterAnOutageMovesEachAccountOnce(t *testing.T) {
	t.Parallel()
	f := setupHandover(t)
	f.h.Mover = &flaky{AccountMover: f.h.Mover, down: f.customers[1]}
	f.h.Workflows = brokenVisibility{}

	_, err := f.env.ExecuteActivity(f.h.HandOver, f.input())
	require.ErrorContains(t, err, "Temporal unreachable", "an outage fails the attempt: Temporal retries it")
	require.Equal(t, []string{"bob@example.com", "alice@example.com", "bob@example.com", "carol@example.com", "dan@example.com"}, f.agents(t),
		"the others moved; a failed visibility query is skipped")

	res := f.run(t, f.h.HandOver)
	require.Equal(t, flow.HandoverResult{Accounts: 1, Tasks: 2}, res, "the retry moves only what was left")
	require.Equal(t, []string{"bob@example.com", "carol@example.com", "bob@example.com", "carol@example.com", "dan@example.com"}, f.agents(t),
		"each account kept its turn in the round robin")
	ab, err := f.st.GetAbsence(context.Background(), f.absence.ID)
	require.NoError(t, err)
	require.EqualValues(t, 4, ab.Moved)
}
