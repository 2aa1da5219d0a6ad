package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"recoup/domain"
	"recoup/dunning"
	"recoup/flow"
	"recoup/workflows"
)

// statementLines lists each sent action with its invoices.
func (l *ledger) statementLines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, a := range l.sent {
		s := a.At.In(time.UTC).Format("2006-01-02") + " " + string(a.Channel) + " " + a.Step.Template
		for _, id := range a.InvoiceIDs {
			s += " " + map[int64]string{7: "F-7", 8: "F-8", 9: "F-9"}[id]
		}
		out = append(out, s)
	}
	return out
}

// setupStatement is setupDunning with two more invoices: F-8 due a week
// before F-7, F-9 held until released.
func setupStatement(t *testing.T, start time.Time) (*ledger, func(version workflow.Version) []string) {
	t.Helper()
	var l *ledger
	return l, func(version workflow.Version) []string {
		env, led := setupDunning(t, start, dunning.NewDate(2026, 1, 16))
		l = led
		l.acct.Items = append(l.acct.Items,
			dunning.Item{InvoiceID: 8, Number: "F-8", DueDate: dunning.NewDate(2026, 1, 9), OpenMinor: 50000, Status: domain.StatusOpen, ScenarioID: 1},
			dunning.Item{InvoiceID: 9, Number: "F-9", DueDate: dunning.NewDate(2026, 1, 9), OpenMinor: 70000, Status: domain.StatusOpen, ScenarioID: 1,
				Hold: &dunning.Hold{Reason: "goods returned"}})
		if version != workflow.DefaultVersion {
			env.RegisterDelayedCallback(func() {
				v, err := env.QueryWorkflow(flow.QueryStatus)
				require.NoError(t, err)
				var st flow.DunningStatus
				require.NoError(t, v.Get(&st))
				require.Contains(t, st.Waiting, "invoice F-9 held until released: goods returned")
				require.Contains(t, st.WaitCodes, dunning.WaitHold)
				require.NotEmpty(t, st.State.LastContact, "the last contact is carried in the state")
			}, 10*24*time.Hour)
		} else {
			// A run from before versionAll, which asks each change's version.
			env.OnGetVersion("all-changes-2026-12", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			env.OnGetVersion("statement-per-channel", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
		}
		env.RegisterDelayedCallback(func() {
			l.pay(7)
			l.pay(8)
			l.pay(9)
			env.SignalWorkflow(flow.SignalInvoicesChanged, nil)
		}, 35*24*time.Hour)
		env.ExecuteWorkflow(workflows.Dunning, flow.DunningInput{CustomerID: 42})
		require.True(t, env.IsWorkflowCompleted())
		require.NoError(t, env.GetWorkflowError())
		return l.statementLines()
	}
}

func TestDunningStatementVersionSendsOneMessagePerChannel(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC) // a Friday
	_, runAt := setupStatement(t, start)

	require.Equal(t, []string{
		"2026-01-05 email reminder_courtesy F-8 F-9", // Rules 0: invoice holds are unknown
		"2026-01-09 email reminder_due F-8 F-9",
		"2026-01-12 email reminder_courtesy F-7",
		"2026-01-16 email reminder_due F-7", "2026-01-16 email reminder_1 F-8 F-9",
		"2026-01-23 email reminder_1 F-7", "2026-01-26 email reminder_2 F-8 F-9",
		"2026-02-02 email reminder_2 F-7",
	}, runAt(workflow.DefaultVersion), "existing workflows keep their rules")

	require.Equal(t, []string{
		"2026-01-05 email reminder_courtesy F-8",
		"2026-01-09 email reminder_due F-8",
		"2026-01-12 email reminder_courtesy F-7",
		"2026-01-16 email reminder_1 F-7 F-8", // one message, in the tone of the most advanced step
		"2026-01-23 email reminder_1 F-7",
		"2026-01-26 email reminder_2 F-8",
		"2026-02-02 email reminder_2 F-7",
	}, runAt(1))
}
