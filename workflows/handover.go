package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/flow"
)

var handover *activities.Handover

// Handover runs one absence: it waits until the absence begins, gives the
// agent's accounts and open tasks to the delegates, waits until it ends (its
// date, or an early end by the handover-end signal), then gives back what
// nobody reassigned meanwhile. An agent leaving for good (no end date) gets
// nothing back. The accounts' Dunning workflows go on all along: only their
// agent changes.
func Handover(ctx workflow.Context, in flow.HandoverInput) (flow.HandoverResult, error) {
	h := &handoverRun{in: in}
	end := workflow.GetSignalChannel(ctx, flow.SignalHandoverEnd)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var e flow.HandoverEnd
			end.Receive(ctx, &e)
			h.in.Ended, h.in.EndedBy = true, e.By
		}
	})
	dates := workflow.GetSignalChannel(ctx, flow.SignalHandoverDates)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var d flow.HandoverDates
			dates.Receive(ctx, &d)
			if !h.in.MovedOut { // once begun, its start is history
				h.in.From = d.From
			}
			h.in.Until, h.changed = d.Until, true
		}
	})
	return h.run(ctx)
}

type handoverRun struct {
	in      flow.HandoverInput
	changed bool // new dates arrived: the wait starts again with them
}

func (h *handoverRun) run(ctx workflow.Context) (flow.HandoverResult, error) {
	// Moving thousands of accounts takes a while: the activities heartbeat
	// their progress and a retry resumes there. Outages are waited out.
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 12 * time.Hour,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumInterval: 10 * time.Minute},
	})
	arg := activities.HandoverInput{AbsenceID: h.in.AbsenceID, Agent: h.in.Agent, By: h.in.By}
	var res flow.HandoverResult
	if !h.in.MovedOut {
		if err := h.waitUntil(ctx, &h.in.From); err != nil {
			return res, err
		}
		if h.in.Ended { // ended before it began: nothing to move
			return res, nil
		}
		if err := workflow.ExecuteActivity(actx, handover.HandOver, arg).Get(ctx, &res); err != nil {
			return res, err
		}
		h.in.MovedOut = true
		workflow.GetLogger(ctx).Info("handover: moved out", "accounts", res.Accounts, "tasks", res.Tasks, "failed", res.Failed)
	}
	if h.in.Until.IsZero() && !h.in.Ended { // leaving for good: nothing comes back
		return res, nil
	}
	if err := h.waitUntil(ctx, &h.in.Until); err != nil {
		return res, err
	}
	if h.in.EndedBy != "" {
		arg.By = h.in.EndedBy // the early end is journaled in the name of who ended it
	}
	err := workflow.ExecuteActivity(actx, handover.HandBack, arg).Get(ctx, &res)
	return res, err
}

// waitUntil sleeps until the time *t names (zero: for ever), an early end,
// or new dates (then it waits again for the new *t). When the history has
// grown long enough for the SDK to suggest it, it answers a continue-as-new
// error that carries the state instead.
func (h *handoverRun) waitUntil(ctx workflow.Context, t *time.Time) error {
	for !h.in.Ended {
		h.changed = false
		wake := func() bool { return h.in.Ended || h.changed }
		if t.IsZero() {
			if err := workflow.Await(ctx, wake); err != nil {
				return err
			}
		} else {
			d := t.Sub(workflow.Now(ctx))
			if d <= 0 {
				return nil
			}
			if _, err := workflow.AwaitWithTimeout(ctx, d, wake); err != nil {
				return err
			}
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return workflow.NewContinueAsNewError(ctx, Handover, h.in)
		}
	}
	return nil
}
