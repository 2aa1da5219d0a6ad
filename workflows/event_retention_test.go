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

// The retention sweep deletes at once, then sleeps its period and continues
// as new; a failed sweep (Postgres away) is left to the next cycle.
func TestEventRetentionSweepsThenContinuesAfterItsPeriod(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		calls int
	}{
		{"swept", nil, 1},
		{"failed", errors.New("connect: connection refused"), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
			env.SetStartTime(start)
			var calls []time.Time
			env.RegisterWorkflowWithOptions(workflows.EventRetention, workflow.RegisterOptions{Name: flow.WorkflowEventRetention})
			env.RegisterActivityWithOptions(func(ctx context.Context) (flow.EventsSwept, error) {
				calls = append(calls, env.Now().UTC())
				return flow.EventsSwept{Deleted: 10, Through: 10}, tc.err
			}, activity.RegisterOptions{Name: flow.ActivityDeleteOldEvents})

			env.ExecuteWorkflow(flow.WorkflowEventRetention, flow.EventRetentionInput{})

			require.True(t, env.IsWorkflowCompleted())
			require.True(t, workflow.IsContinueAsNewError(env.GetWorkflowError()), "%v", env.GetWorkflowError())
			require.Equal(t, start, calls[0], "the first sweep is at once")
			require.Len(t, calls, tc.calls, "retried within the cycle, then left to the next one")
			require.Equal(t, calls[len(calls)-1].Add(flow.EventRetentionEvery), env.Now().UTC(), "the next one a day later")
		})
	}
}
