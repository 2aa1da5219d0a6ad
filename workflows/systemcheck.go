package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/flow"
)

var store *activities.Store // activity method values, checked by the compiler

// SystemCheck proves the whole chain works: API → Temporal → a worker → an
// activity on Postgres → back. `recoup dev` runs it once at start and the API
// exposes it at GET /api/v1/system/check.
func SystemCheck(ctx workflow.Context) (flow.SystemCheckResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	var res flow.SystemCheckResult
	if err := workflow.ExecuteActivity(ctx, store.Counts).Get(ctx, &res.Counts); err != nil {
		return res, err
	}
	res.WorkerAt = workflow.Now(ctx).UTC()
	return res, nil
}
