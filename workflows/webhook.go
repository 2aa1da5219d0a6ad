package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/flow"
)

var webhooks *activities.Webhooks

// webhookRounds bounds the batches (and idle looks) of one run before it
// continues as new, so an idle subscription's history stays short.
const webhookRounds = 200

// Webhook delivers one subscription's events, in order, for as long as it is
// active: a batch at a time from the subscription's cursor (kept in
// Postgres); nothing new, the batch waits up to in.LongPoll for new events
// (before the long poll: the workflow looked again after in.Idle); a refused event is
// tried again after a wait that doubles from in.Backoff up to in.MaxBackoff,
// and after in.GiveUpAfter of failures the subscription is marked failing
// and the admins told. A 410 disabled it (in the activity); the workflow then
// ends, as it does when an admin deactivates or deletes the subscription.
func Webhook(ctx workflow.Context, in flow.WebhookInput) error {
	idle, backoff, maxBackoff, giveUp := orDuration(in.Idle, flow.WebhookIdle), orDuration(in.Backoff, flow.WebhookBackoff),
		orDuration(in.MaxBackoff, flow.WebhookMaxBackoff), orDuration(in.GiveUpAfter, flow.WebhookGiveUpAfter)
	// The activity's own errors (Postgres away) are retried by Temporal for
	// ever; a refused event is not an error but a result the loop waits on.
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    time.Minute, // a batch heartbeats every activities.WebhookHeartbeat
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	log := workflow.GetLogger(ctx)
	// Long poll: a batch that finds nothing waits (in the activity) for new
	// events, up to a minute, so an idle subscription costs an activity a
	// minute instead of an activity and a timer every 2 s, and a new event
	// goes out at once. Runs begun before keep looking every idle.
	longPoll := workflow.GetVersion(ctx, "webhook-long-poll", workflow.DefaultVersion, 1) >= 1
	for range webhookRounds {
		req := flow.DeliverInput{WebhookID: in.WebhookID, Attempt: in.Attempt}
		if longPoll {
			req.Wait, req.Idle = orDuration(in.LongPoll, flow.WebhookLongPoll), idle
		}
		var b flow.WebhookBatch
		if err := workflow.ExecuteActivity(actx, webhooks.DeliverWebhook, req).Get(ctx, &b); err != nil {
			return err
		}
		if b.Delivered > 0 {
			in.Attempt, in.FailingSince = 0, time.Time{}
		}
		var wait time.Duration
		switch {
		case b.Stopped || b.Gone:
			log.Info("webhook delivery ends", "webhook", in.WebhookID, "gone", b.Gone)
			return nil
		case b.Failed:
			now := workflow.Now(ctx)
			if in.FailingSince.IsZero() {
				in.FailingSince = now
			}
			if now.Sub(in.FailingSince) >= giveUp {
				reason := fmt.Sprintf("no event delivered since %s: %s", in.FailingSince.UTC().Format(time.RFC3339), b.Error)
				return workflow.ExecuteActivity(actx, webhooks.StopWebhook, flow.StopInput{WebhookID: in.WebhookID,
					Reason: reason}).Get(ctx, nil)
			}
			in.Attempt++
			wait = backoffAfter(in.Attempt, backoff, maxBackoff)
		case b.More || longPoll:
			wait = 0 // more to send, or the batch waited for it already
		default:
			wait = idle
		}
		if wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return err
			}
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			break
		}
	}
	return workflow.NewContinueAsNewError(ctx, Webhook, in)
}

// backoffAfter is the wait after the attempt-th failure: first, doubled each time, at most most.
func backoffAfter(attempt int, first, most time.Duration) time.Duration {
	d := first
	for i := 1; i < attempt && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

func orDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
