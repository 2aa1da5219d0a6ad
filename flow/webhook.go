package flow

import (
	"context"
	"strconv"
	"time"
)

// Webhook delivery: one workflow per subscription (webhook/<id>) reads the
// event outbox from the subscription's cursor and POSTs, in order.
const (
	WorkflowWebhook        = "Webhook"
	ActivityDeliverWebhook = "DeliverWebhook"
	ActivityStopWebhook    = "StopWebhook"
)

// WebhookWorkflowID names a subscription's delivery workflow.
func WebhookWorkflowID(id int64) string { return "webhook/" + strconv.FormatInt(id, 10) }

// The delivery's pace, unless the input says otherwise (tests, benchmarks).
const (
	WebhookIdle        = 2 * time.Second // how often an idle subscription looks for new events when nothing rings
	WebhookLongPoll    = time.Minute     // how long a batch that found nothing waits for new events
	WebhookBackoff     = time.Second     // the first wait after a failed attempt; each next one doubles
	WebhookMaxBackoff  = time.Hour       // the longest wait between two attempts
	WebhookGiveUpAfter = 72 * time.Hour  // failing this long: the subscription is marked failing, admins told
)

// WebhookInput is a delivery workflow's state, carried over continue-as-new.
type WebhookInput struct {
	WebhookID int64 `json:"webhook_id"`
	// Attempt counts the failed attempts at the head event; FailingSince is
	// when they began (zero: not failing).
	Attempt      int       `json:"attempt,omitempty"`
	FailingSince time.Time `json:"failing_since,omitzero"`
	// Zero: the defaults above.
	Idle        time.Duration `json:"idle,omitempty"`
	LongPoll    time.Duration `json:"long_poll,omitempty"`
	Backoff     time.Duration `json:"backoff,omitempty"`
	MaxBackoff  time.Duration `json:"max_backoff,omitempty"`
	GiveUpAfter time.Duration `json:"give_up_after,omitempty"`
}

// DeliverInput asks for one batch: the head event's attempt is Attempt.
// Wait: finding nothing, wait that long for new events (looking again every
// Idle when not told of them); zero: answer at once.
type DeliverInput struct {
	WebhookID int64         `json:"webhook_id"`
	Attempt   int           `json:"attempt"`
	Wait      time.Duration `json:"wait,omitempty"`
	Idle      time.Duration `json:"idle,omitempty"`
}

// WebhookBatch is what one batch did.
type WebhookBatch struct {
	Delivered int    `json:"delivered"` // events the receiver took
	More      bool   `json:"more"`      // events may be waiting: read again at once
	Stopped   bool   `json:"stopped"`   // the subscription is not active (or is gone): the workflow ends
	Failed    bool   `json:"failed"`    // the head event was not taken: wait, then try again
	Gone      bool   `json:"gone"`      // the receiver answered 410: the subscription was disabled
	Error     string `json:"error,omitempty"`
}

// StopInput marks a subscription failing (delivery gave up), with why.
type StopInput struct {
	WebhookID int64  `json:"webhook_id"`
	Reason    string `json:"reason"`
}

// StartWebhook makes sure the subscription's delivery runs (a running one is kept).
func (f *Client) StartWebhook(ctx context.Context, id int64) error {
	return f.startKept(ctx, WebhookWorkflowID(id), WorkflowWebhook, WebhookInput{WebhookID: id})
}
