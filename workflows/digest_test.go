package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/flow"
	"recoup/workflows"
)

// The digest goes out once a day at the digest hour (UTC), dated that day,
// for a week, then the workflow continues as new.
func TestDigestSendsOnceADayAtTheHour(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	start := time.Date(2026, 3, 2, 5, 30, 0, 0, time.UTC) // before 07:00: the first digest is today's
	env.SetStartTime(start)
	var days []string
	var at []time.Time
	env.RegisterWorkflowWithOptions(workflows.Digest, workflow.RegisterOptions{Name: flow.WorkflowDigest})
	env.RegisterActivityWithOptions(func(ctx context.Context, day string) (activities.DigestResult, error) {
		days = append(days, day)
		at = append(at, env.Now().UTC())
		return activities.DigestResult{Sent: 1}, nil
	}, activity.RegisterOptions{Name: flow.ActivitySendDigests})

	env.ExecuteWorkflow(flow.WorkflowDigest, flow.DigestInput{Hour: 7})

	require.True(t, env.IsWorkflowCompleted())
	require.True(t, workflow.IsContinueAsNewError(env.GetWorkflowError()), "a week's run continues as new: %v", env.GetWorkflowError())
	require.Equal(t, []string{"2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08"}, days)
	for _, ts := range at {
		require.Equal(t, 7, ts.Hour(), "sent at the digest hour: %s", ts)
		require.Equal(t, 0, ts.Minute())
	}
}

// A failed day does not stop the digest: the next morning sends the next one.
func TestDigestFailedDayDoesNotStopTheNext(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)) // after 07:00: the first digest is tomorrow's
	var days []string
	env.RegisterWorkflowWithOptions(workflows.Digest, workflow.RegisterOptions{Name: flow.WorkflowDigest})
	env.RegisterActivityWithOptions(func(ctx context.Context, day string) (activities.DigestResult, error) {
		days = append(days, day)
		if day == "2026-03-03" {
			return activities.DigestResult{}, context.DeadlineExceeded
		}
		return activities.DigestResult{}, nil
	}, activity.RegisterOptions{Name: flow.ActivitySendDigests})

	env.ExecuteWorkflow(flow.WorkflowDigest, flow.DigestInput{Hour: 7})

	require.True(t, workflow.IsContinueAsNewError(env.GetWorkflowError()))
	require.Equal(t, "2026-03-03", days[0])
	require.Contains(t, days, "2026-03-04")
	require.Equal(t, "2026-03-09", days[len(days)-1])
}

func TestNextDigest(t *testing.T) {
	for _, c := range []struct{ now, want string }{
		{"2026-03-02T06:59:59Z", "2026-03-02T07:00:00Z"},
		{"2026-03-02T07:00:00Z", "2026-03-03T07:00:00Z"},
		{"2026-12-31T23:00:00Z", "2027-01-01T07:00:00Z"},
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		require.Equal(t, c.want, workflows.NextDigest(now, 7).Format(time.RFC3339), c.now)
	}
}
