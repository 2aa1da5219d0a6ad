package integration

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/flow"
	"recoup/worker"
)

// Accounts imported while nothing woke them (as when Temporal was unreachable
// during an import) are caught up by the sweep: each gets its reminder, once,
// and starting the sweep again keeps the one already running.
func TestSweepWakesAccountsAnImportCouldNotWake(t *testing.T) {
	const n = 5
	r := newDunningRig(t, n, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r.deps.SweepFirstAfter = 0 // as `recoup worker` starts it: a sweep at once
	w, err := worker.New(ctx, r.deps)
	require.NoError(t, err)
	require.NoError(t, w.Start())
	defer w.Stop()
	require.NoError(t, flow.NewClient(r.tc).StartSweep(ctx, flow.SweepInput{Every: time.Hour}), "a second start keeps the running sweep")

	msgs, err := r.mailbox.WaitFor(ctx, n)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		done, all, err := r.finished(ctx)
		require.NoError(t, err)
		return done == n && all == n
	}, time.Minute, 100*time.Millisecond)
	time.Sleep(time.Second)
	require.Len(t, r.mailbox.Messages(), n, "one reminder per account: %d", len(msgs))

	desc, err := r.tc.DescribeWorkflowExecution(ctx, flow.SweepWorkflowID, "")
	require.NoError(t, err)
	require.Equal(t, "Running", desc.GetWorkflowExecutionInfo().GetStatus().String(), "the sweep sleeps until its next cycle")
}
