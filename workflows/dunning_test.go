package workflows_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"recoup/activities"
	"recoup/domain"
	"recoup/dunning"
	"recoup/flow"
	"recoup/money"
	"recoup/store"
	"recoup/workflows"
)

// ledger stands in for Postgres: the account the activities load, and what was sent.
type ledger struct {
	mu       sync.Mutex
	acct     dunning.Account
	agent    string
	sent     []dunning.Action
	promises []*ledgerPromise
	plans    []*ledgerPlan
}

func (l *ledger) load(context.Context, int64) (activities.AccountSnapshot, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.acct
	a.Items = append([]dunning.Item(nil), l.acct.Items...)
	return activities.AccountSnapshot{Account: a, Meta: store.AccountMeta{EntityCode: "FR01", AgentEmail: l.agent},
		Promises: append(l.openPromises(), l.planHolds()...)}, nil
}

func (l *ledger) execute(_ context.Context, in activities.ExecuteInput) (activities.ExecuteResult, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent = append(l.sent, in.Action)
	if in.Action.Channel == domain.ChannelEscalation { // the escalation task holds reminders, as the store does
		for i := range l.acct.Items {
			for _, id := range in.Action.InvoiceIDs {
				if l.acct.Items[i].InvoiceID == id {
					l.acct.Items[i].Escalated = true
				}
			}
		}
	}
	return activities.ExecuteResult{Key: in.Action.Key, Status: "sent", Channel: in.Action.Channel}, nil
}

func (l *ledger) pay(invoiceID int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var open []dunning.Item
	for _, it := range l.acct.Items {
		if it.InvoiceID != invoiceID {
			open = append(open, it)
		}
	}
	l.acct.Items = open
}

// days lists, per sent action, its local day offset from the start and its channel.
func (l *ledger) days(start time.Time) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, a := range l.sent {
		out = append(out, a.At.In(time.UTC).Format("2006-01-02")+" "+string(a.Channel)+" "+a.Step.Template)
	}
	return out
}

// setupDunning runs the Dunning workflow of one French account with one
// invoice due on `due`, starting at `start`.
func setupDunning(t *testing.T, start time.Time, due dunning.Date) (*testsuite.TestWorkflowEnvironment, *ledger) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	def := dunning.DefaultScenario()
	def.ID = 1
	l := &ledger{agent: "alice@recoup.example", acct: dunning.Account{
		CustomerID: 42, Country: "FR", TimeZone: "Europe/Paris", Currency: money.MustCurrency("EUR"),
		HasEmail: true, HasPhone: true, Scenarios: map[int64]dunning.Scenario{1: def},
		Items: []dunning.Item{{InvoiceID: 7, Number: "F-7", DueDate: due, OpenMinor: 100000, Status: domain.StatusOpen, ScenarioID: 1}},
	}}
	acts := &activities.Accounts{}
	out := &activities.Dunning{}
	env.RegisterActivity(acts)
	env.RegisterActivity(out)
	env.OnActivity(acts.LoadAccount, mock.Anything, mock.Anything).Return(l.load)
	env.OnActivity(out.Execute, mock.Anything, mock.Anything).Return(l.execute)
	env.OnActivity(acts.CheckPromise, mock.Anything, mock.Anything).Return(l.checkPromise)
	env.OnActivity(acts.Reassign, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ReassignInput) error {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.agent = in.AgentEmail
		return nil
	})
	return env, l
}

func TestDunningFollowsTheDefaultScenarioFor120Days(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC) // a Monday
	env, l := setupDunning(t, start, dunning.NewDate(2026, 1, 16))
	env.RegisterDelayedCallback(func() { l.pay(7); env.SignalWorkflow(flow.SignalInvoicesChanged, nil) }, 120*24*time.Hour)

	env.ExecuteWorkflow(workflows.Dunning, flow.DunningInput{CustomerID: 42})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError(), "the account's items are paid: the workflow ends")
	require.Equal(t, []string{
		"2026-01-12 email reminder_courtesy", // due 16 Jan (Fri) - 5 = Sun 11 → Monday 12, 09:00 Paris
		"2026-01-16 email reminder_due",
		"2026-01-23 email reminder_1",
		"2026-02-02 email reminder_2",             // +15 = Sat 31 Jan → Monday
		"2026-02-16 email reminder_repeat",        // +29 = Sat 14 Feb → Monday
		"2026-02-16 task call_customer",           // +30 = Sun 15 Feb → Monday
		"2026-03-02 escalation escalation_review", // +45 = Sun 1 Mar → Monday; reminders stop
	}, l.days(start))
}

func TestDunningPauseResumeAndReassign(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	env, l := setupDunning(t, start, dunning.NewDate(2026, 1, 16))
	update := func(name string, arg any, wantErr string) {
		env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) {
				require.NotEmpty(t, wantErr, "%s rejected: %v", name, err)
				require.ErrorContains(t, err, wantErr)
			},
			OnAccept: func() { require.Empty(t, wantErr, "%s accepted", name) },
			OnComplete: func(_ any, err error) {
				if wantErr == "" {
					require.NoError(t, err)
				}
			},
		}, arg)
	}
	// Paused before the courtesy reminder (12 Jan), resumed on 20 Jan: the due-date reminder of 16 Jan
	// is caught up once, then the scenario goes on.
	env.RegisterDelayedCallback(func() {
		update(flow.UpdateResume, flow.ResumeRequest{By: "bob"}, "not paused")
		update(flow.UpdatePause, flow.PauseRequest{Reason: "customer called", By: "bob"}, "")
		update(flow.UpdatePause, flow.PauseRequest{By: "bob"}, "already paused")
	}, 24*time.Hour)
	env.RegisterDelayedCallback(func() {
		var st flow.DunningStatus
		v, err := env.QueryWorkflow(flow.QueryStatus)
		require.NoError(t, err)
		require.NoError(t, v.Get(&st))
		require.True(t, st.Pause.Paused)
		require.Empty(t, l.days(start), "nothing fires while paused")
		update(flow.UpdateResume, flow.ResumeRequest{By: "bob"}, "")
		update(flow.UpdateReassign, flow.ReassignRequest{AgentEmail: "carol@recoup.example", By: "bob"}, "")
		update(flow.UpdateReassign, flow.ReassignRequest{AgentEmail: "carol@recoup.example", By: "bob"}, "already assigned")
	}, 15*24*time.Hour)
	env.RegisterDelayedCallback(func() { l.pay(7); env.SignalWorkflow(flow.SignalInvoicesChanged, nil) }, 25*24*time.Hour)

	env.ExecuteWorkflow(workflows.Dunning, flow.DunningInput{CustomerID: 42})
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, []string{
		"2026-01-20 email reminder_due",
		"2026-01-23 email reminder_1",
	}, l.days(start), "a payment midway stops the scenario")
	require.Equal(t, "carol@recoup.example", l.agent)
}
