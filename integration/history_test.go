package integration

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"recoup/history"
)

// chainWorkflow continues as new until left reaches 0, then ends: three runs
// under one workflow ID, like a long-lived Dunning workflow.
func chainWorkflow(ctx workflow.Context, left int) (int, error) {
	if err := workflow.Sleep(ctx, time.Millisecond); err != nil {
		return 0, err
	}
	if left > 0 {
		return 0, workflow.NewContinueAsNewError(ctx, chainWorkflow, left-1)
	}
	return left, nil
}

// The compliance timeline reads every run Temporal holds: the continue-as-new
// chain and an earlier execution that ended, in order.
func TestHistoryFetchReadsEveryRunOfAWorkflow(t *testing.T) {
	s := startDev(t, devOptions(t.TempDir(), freePort(t)))
	c, _ := devClient(t, s)
	w := worker.New(c, "history-test", worker.Options{})
	w.RegisterWorkflow(chainWorkflow)
	require.NoError(t, w.Start())
	defer w.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	const id = "dunning/history-test"
	_, err := history.Fetch(ctx, c, id)
	require.ErrorIs(t, err, history.ErrNotFound, "nothing ever ran")

	for _, left := range []int{0, 2} { // one short execution, then a chain of three runs
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "history-test"}, chainWorkflow, left)
		require.NoError(t, err)
		require.NoError(t, run.Get(ctx, nil))
	}

	var entries []history.Entry
	require.Eventually(t, func() bool { // visibility lists the first execution shortly after it closed
		entries, err = history.Fetch(ctx, c, id)
		require.NoError(t, err)
		runs := map[string]bool{}
		for _, e := range entries {
			runs[e.RunID] = true
		}
		return len(runs) == 4
	}, 20*time.Second, 200*time.Millisecond, "four runs: one execution, then three chained")

	var starts, continued, completed int
	for i, e := range entries {
		if i > 0 {
			require.False(t, e.At.Before(entries[i-1].At), "sorted by time")
		}
		switch e.Action {
		case "workflow.started":
			starts++
		case "workflow.continued-as-new":
			continued++
		case "workflow.completed":
			completed++
		}
	}
	require.Equal(t, []int{4, 2, 2}, []int{starts, continued, completed})
}
