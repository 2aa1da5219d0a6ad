package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"recoup/flow"
	"recoup/workflows"
)

// webhookEnv runs the Webhook workflow with a delivery activity that answers
// from script, one batch per call (the last one repeats), and records calls.
type webhookEnv struct {
	env     *testsuite.TestWorkflowEnvironment
	start   time.Time
	calls   []time.Time
	inputs  []flow.DeliverInput
	stopped []flow.StopInput
}

func newWebhookEnv(t *testing.T, script ...flow.WebhookBatch) *webhookEnv {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	w := &webhookEnv{env: suite.NewTestWorkflowEnvironment(), start: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	w.env.SetStartTime(w.start)
	w.env.RegisterWorkflowWithOptions(workflows.Webhook, workflow.RegisterOptions{Name: flow.WorkflowWebhook})
	w.env.RegisterActivityWithOptions(func(ctx context.Context, in flow.DeliverInput) (flow.WebhookBatch, error) {
		w.calls = append(w.calls, w.env.Now().UTC())
		w.inputs = append(w.inputs, in)
		b := script[min(len(w.calls), len(script))-1]
		return b, nil
	}, activity.RegisterOptions{Name: flow.ActivityDeliverWebhook})
	w.env.RegisterActivityWithOptions(func(ctx context.Context, in flow.StopInput) error {
		w.stopped = append(w.stopped, in)
		return nil
	}, activity.RegisterOptions{Name: flow.ActivityStopWebhook})
	return w
}

func TestWebhookEndsWhenTheSubscriptionStopsOrIsGone(t *testing.T) {
	for _, b := range []flow.WebhookBatch{{Stopped: true}, {Failed: true, Gone: true}} {
		w := newWebhookEnv(t, flow.WebhookBatch{Delivered: 3, More: true}, b)
		w.env.ExecuteWorkflow(flow.WorkflowWebhook, flow.WebhookInput{WebhookID: 7})
		require.True(t, w.env.IsWorkflowCompleted())
		require.NoError(t, w.env.GetWorkflowError())
		require.Equal(t, []time.Time{w.start, w.start}, w.calls, "a full batch is followed at once")
		require.Empty(t, w.stopped)
	}
}

// A refused event is tried again after 1, 2, 4... seconds (capped), with the
// attempt counted; once delivered, the count starts again.
func TestWebhookBacksOffThenResumes(t *testing.T) {
	failed := flow.WebhookBatch{Failed: true, Error: "the receiver answered 503"}
	w := newWebhookEnv(t, failed, failed, failed, failed, flow.WebhookBatch{Delivered: 1}, failed, flow.WebhookBatch{Stopped: true})
	w.env.ExecuteWorkflow(flow.WorkflowWebhook, flow.WebhookInput{WebhookID: 7, Backoff: time.Second, MaxBackoff: 3 * time.Second,
		Idle: time.Minute})
	require.NoError(t, w.env.GetWorkflowError())
	var gaps []time.Duration
	for i := 1; i < len(w.calls); i++ {
		gaps = append(gaps, w.calls[i].Sub(w.calls[i-1]))
	}
	require.Equal(t, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second, 0, time.Second}, gaps,
		"doubling up to the cap; after a delivery, at once (the batch waits for new events itself); the next failure starts again at 1 s")
	var attempts []int
	for _, in := range w.inputs {
		attempts = append(attempts, in.Attempt)
	}
	require.Equal(t, []int{0, 1, 2, 3, 4, 0, 1}, attempts, "the attempt of the head event")
}

// Failing for longer than the give-up time marks the subscription failing (admins told) and ends.
func TestWebhookGivesUpAfterDaysOfFailures(t *testing.T) {
	w := newWebhookEnv(t, flow.WebhookBatch{Failed: true, Error: "connection refused"})
	w.env.ExecuteWorkflow(flow.WorkflowWebhook, flow.WebhookInput{WebhookID: 7})
	require.True(t, w.env.IsWorkflowCompleted())
	require.NoError(t, w.env.GetWorkflowError())
	require.Len(t, w.stopped, 1)
	require.Equal(t, int64(7), w.stopped[0].WebhookID)
	require.Contains(t, w.stopped[0].Reason, "connection refused")
	last := w.calls[len(w.calls)-1]
	require.GreaterOrEqual(t, last.Sub(w.start), flow.WebhookGiveUpAfter)
	require.Less(t, last.Sub(w.start), flow.WebhookGiveUpAfter+flow.WebhookMaxBackoff+time.Second)
	require.Less(t, len(w.calls), 100, "waits of up to an hour: about 80 attempts in 3 days")
}

// An idle subscription's batches wait for new events themselves (long
// poll: the workflow asks again at once, saying how long to wait and how
// often to look when not told of new events), and it continues as new
// before its history grows long.
func TestWebhookContinuesAsNewWhenIdle(t *testing.T) {
	for _, tc := range []struct {
		name     string
		longPoll time.Duration
		want     time.Duration
	}{
		{"default", 0, flow.WebhookLongPoll},
		{"set", 30 * time.Second, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWebhookEnv(t, flow.WebhookBatch{})
			w.env.ExecuteWorkflow(flow.WorkflowWebhook, flow.WebhookInput{WebhookID: 7, Idle: 5 * time.Second, LongPoll: tc.longPoll})
			require.True(t, workflow.IsContinueAsNewError(w.env.GetWorkflowError()), "%v", w.env.GetWorkflowError())
			require.Len(t, w.calls, 200)
			require.Equal(t, w.calls[0], w.calls[1], "no timer between two batches")
			require.Equal(t, flow.DeliverInput{WebhookID: 7, Wait: tc.want, Idle: 5 * time.Second}, w.inputs[1])
		})
	}
}
