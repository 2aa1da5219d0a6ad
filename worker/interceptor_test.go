package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"recoup/logs"
	"recoup/metrics"
	"recoup/worker"
)

// The Observe interceptor counts an activity's retries and failures, and its
// log lines carry the workflow and run they served.
func TestObserveCountsRetriesAndFailuresAndLogsIDs(t *testing.T) {
	var buf bytes.Buffer
	log, err := logs.New(&buf, logs.Options{Format: logs.FormatJSON, Level: "info"})
	require.NoError(t, err)

	flaky := func(ctx context.Context) (string, error) {
		n := activity.GetInfo(ctx).Attempt
		log.InfoContext(ctx, "flaky attempt", "n", n)
		if n < 3 {
			return "", errors.New("temporary trouble")
		}
		return "done", nil
	}
	hopeless := func(ctx context.Context) error {
		return temporal.NewNonRetryableApplicationError("bad input", "Bad", nil)
	}
	wf := func(ctx workflow.Context) (string, error) {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute,
			RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Millisecond, MaximumAttempts: 5}})
		var out string
		if err := workflow.ExecuteActivity(ctx, "ObserveFlaky").Get(ctx, &out); err != nil {
			return "", err
		}
		_ = workflow.ExecuteActivity(ctx, "ObserveHopeless").Get(ctx, nil)
		return out, nil
	}

	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(sdkworker.Options{Interceptors: []interceptor.WorkerInterceptor{&worker.Observe{}}})
	env.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: "ObserveTest"})
	env.RegisterActivityWithOptions(flaky, activity.RegisterOptions{Name: "ObserveFlaky"})
	env.RegisterActivityWithOptions(hopeless, activity.RegisterOptions{Name: "ObserveHopeless"})
	env.ExecuteWorkflow("ObserveTest")
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())

	require.Equal(t, 2.0, metrics.Value(metrics.ActivityRetriesName, map[string]string{"activity_type": "ObserveFlaky"}), "attempts 2 and 3")
	require.Equal(t, 2.0, metrics.Value(metrics.ActivityFailuresName, map[string]string{"activity_type": "ObserveFlaky", "retryable": "true"}))
	require.Equal(t, 0.0, metrics.Value(metrics.ActivityFailuresName, map[string]string{"activity_type": "ObserveFlaky", "retryable": "false"}))
	require.Equal(t, 1.0, metrics.Value(metrics.ActivityFailuresName, map[string]string{"activity_type": "ObserveHopeless", "retryable": "false"}))
	require.Equal(t, 0.0, metrics.Value(metrics.ActivityRetriesName, map[string]string{"activity_type": "ObserveHopeless"}))

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3)
	for i, l := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		require.Equal(t, "flaky attempt", m["msg"])
		require.Equal(t, float64(i+1), m["attempt"])
		require.Equal(t, "ObserveFlaky", m["activity"])
		require.NotEmpty(t, m[logs.WorkflowID])
		require.NotEmpty(t, m[logs.RunID])
	}
}
