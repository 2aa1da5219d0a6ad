package workflows

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
)

// WakeAccountsWorkflowID names the wake-up run of one import.
func WakeAccountsWorkflowID(importID int64) string {
	return "wake/import-" + strconv.FormatInt(importID, 10)
}

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

// SweepWorkflowID names the one sweep of a namespace.
const SweepWorkflowID = "sweep/open-accounts"

// SweepInput paces the sweep.
type SweepInput struct {
	Every      time.Duration `json:"every"`
	FirstAfter time.Duration `json:"first_after,omitempty"` // 0: sweep at once
}

// SweepOpenAccounts wakes every account with open items, then again every
// in.Every, for ever: an account an import could not wake (Temporal was
// unreachable) is caught up by the next sweep. Waking a running account only
// makes it evaluate again. Each cycle continues as new, so history stays short.
func SweepOpenAccounts(ctx workflow.Context, in SweepInput) error {
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
	return workflow.NewContinueAsNewError(ctx, SweepOpenAccounts, SweepInput{Every: in.Every})
}
