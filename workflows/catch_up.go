package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/flow"
)

var catchUp *activities.CatchUp

// CatchUp makes the workflow starts that committed changes still owe
// Temporal (a case opened or a dispute rejected while Temporal was away),
// then again every in.Every, for ever. Each cycle continues as new, so
// history stays short; a failed cycle is retried by the next one.
func CatchUp(ctx workflow.Context, in flow.CatchUpInput) error {
	if in.Every <= 0 {
		in.Every = flow.CatchUpEvery
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 10 * time.Second, MaximumAttempts: 3},
	})
	var done flow.CaughtUp
	if err := workflow.ExecuteActivity(actx, catchUp.CatchUpTemporal).Get(ctx, &done); err != nil {
		workflow.GetLogger(ctx).Error("catch-up of owed Temporal starts failed", "err", err)
	}
	if err := workflow.Sleep(ctx, in.Every); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, CatchUp, flow.CatchUpInput{Every: in.Every})
}
