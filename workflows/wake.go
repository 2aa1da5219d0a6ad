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
