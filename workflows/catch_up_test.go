package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"recoup/flow"
	"recoup/workflows"
)

// The catch-up makes the owed starts at once, then sleeps its period and
// continues as new; a failed catch-up (Postgres away) does not end it.
func TestCatchUpRunsThenContinuesAfterItsPeriod(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"caught up", nil},
		{"failed", errors.New("connect: connection refused")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
			env.SetStartTime(start)
			var calls []time.Time
			env.RegisterWorkflowWithOptions(workflows.CatchUp, workflow.RegisterOptions{Name: flow.WorkflowCatchUp})
			env.RegisterActivityWithOptions(func(ctx context.Context) (flow.CaughtUp, error) {
				calls = append(calls, env.Now().UTC())
				return flow.CaughtUp{Started: 2}, tc.err
			}, activity.RegisterOptions{Name: flow.ActivityCatchUp})

			env.ExecuteWorkflow(flow.WorkflowCatchUp, flow.CatchUpInput{Every: flow.CatchUpEvery})

			require.True(t, env.IsWorkflowCompleted())
			require.True(t, workflow.IsContinueAsNewError(env.GetWorkflowError()), "%v", env.GetWorkflowError())
			require.Equal(t, start, calls[0], "the first catch-up is at once")
			require.Equal(t, calls[len(calls)-1].Add(flow.CatchUpEvery), env.Now().UTC(), "the next cycle is one period after the last attempt")
			if tc.err == nil {
				require.Len(t, calls, 1)
			} else {
				require.Len(t, calls, 3, "retried within the cycle, then left to the next one")
			}
		})
	}
}
