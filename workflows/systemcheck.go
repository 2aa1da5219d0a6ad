package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/domain"
)

// SystemCheckResult is what a system check saw.
type SystemCheckResult struct {
	Counts   domain.Counts `json:"counts"`
	WorkerAt time.Time     `json:"worker_at"`
}

var store *activities.Store // activity method values, checked by the compiler

// SystemCheck proves the whole chain works: API → Temporal → a worker → an
// activity on Postgres → back. `recoup dev` runs it once at start and the API
// exposes it at GET /api/v1/system/check.
func SystemCheck(ctx workflow.Context) (SystemCheckResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	var res SystemCheckResult
	if err := workflow.ExecuteActivity(ctx, store.Counts).Get(ctx, &res.Counts); err != nil {
		return res, err
	}
	res.WorkerAt = workflow.Now(ctx).UTC()
	return res, nil
}
