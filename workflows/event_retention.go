package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/flow"
)

var eventRetention *activities.EventRetention

// EventRetention deletes the events past retention, then again every
// in.Every, for ever; each cycle continues as new, and a failed one is
// retried by the next.
func EventRetention(ctx workflow.Context, in flow.EventRetentionInput) error {
	if in.Every <= 0 {
		in.Every = flow.EventRetentionEvery
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    time.Minute, // a heartbeat per batch deleted
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 10 * time.Second, MaximumAttempts: 3},
	})
	var swept flow.EventsSwept
	if err := workflow.ExecuteActivity(actx, eventRetention.DeleteOldEvents).Get(ctx, &swept); err != nil {
		workflow.GetLogger(ctx).Error("retention of the event feed failed", "err", err)
	} else if swept.Deleted > 0 {
		workflow.GetLogger(ctx).Info("events deleted by retention", "deleted", swept.Deleted, "through", swept.Through)
	}
	if err := workflow.Sleep(ctx, in.Every); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, EventRetention, flow.EventRetentionInput{Every: in.Every})
}
