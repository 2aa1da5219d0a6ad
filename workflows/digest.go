package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/flow"
)

var digests *activities.Digests

// digestDaysPerRun is how many days one run covers before it continues as
// new, so its history stays short.
const digestDaysPerRun = 7

// Digest sleeps until the next in.Hour (UTC), sends that day's digests, and
// so on every day, for ever. A failed day is logged and not retried after
// its activity's attempts: the next morning brings the next digest.
func Digest(ctx workflow.Context, in flow.DigestInput) error {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Hour,
		HeartbeatTimeout:    5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 30 * time.Second, MaximumInterval: 10 * time.Minute, MaximumAttempts: 10},
	})
	for range digestDaysPerRun {
		now := workflow.Now(ctx).UTC()
		next := NextDigest(now, in.Hour)
		if err := workflow.Sleep(ctx, next.Sub(now)); err != nil {
			return err
		}
		var res activities.DigestResult
		if err := workflow.ExecuteActivity(actx, digests.SendDigests, next.Format(time.DateOnly)).Get(ctx, &res); err != nil {
			workflow.GetLogger(ctx).Error("daily digest failed", "day", next.Format(time.DateOnly), "err", err)
		}
	}
	return workflow.NewContinueAsNewError(ctx, Digest, in)
}

// NextDigest is the first hour:00 UTC strictly after now.
func NextDigest(now time.Time, hour int) time.Time {
	now = now.UTC()
	next := time.Date(now.Year(), now.Month(), now.Day(), hour, 0, 0, 0, time.UTC)
	if !next.After(now) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}
