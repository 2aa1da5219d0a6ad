package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/flow"
)

var waker *activities.Waker

// WakeAccounts wakes (signal-with-start) the Dunning workflow of every account
// an import touched. It is a workflow so a large import's wake-up survives the
// API process that asked for it; the activity heartbeats its progress.
func WakeAccounts(ctx workflow.Context, importID int64) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Hour,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumInterval: 5 * time.Minute},
	})
	var woken int
	err := workflow.ExecuteActivity(ctx, waker.WakeImported, importID).Get(ctx, &woken)
	return woken, err
}

// SweepOpenAccounts wakes every account with open items, then again every
// in.Every, for ever: an account an import could not wake (Temporal was
// unreachable) is caught up by the next sweep. Waking a running account only
// makes it evaluate again. Each cycle continues as new, so history stays short.
func SweepOpenAccounts(ctx workflow.Context, in flow.SweepInput) error {
	if in.FirstAfter > 0 {
		if err := workflow.Sleep(ctx, in.FirstAfter); err != nil {
			return err
		}
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 6 * time.Hour,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 10 * time.Second, MaximumInterval: 10 * time.Minute, MaximumAttempts: 10},
	})
	var woken int
	if err := workflow.ExecuteActivity(actx, waker.WakeOpen).Get(ctx, &woken); err != nil {
		// A failed sweep is retried at the next cycle, not by failing the sweep for good.
		workflow.GetLogger(ctx).Error("sweep of open accounts failed", "err", err)
	}
	if err := workflow.Sleep(ctx, in.Every); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, SweepOpenAccounts, flow.SweepInput{Every: in.Every})
}
