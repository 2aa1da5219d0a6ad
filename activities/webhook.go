package activities

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"recoup/domain"
	"recoup/flow"
	"recoup/store"
	"recoup/webhook"
)

// Webhooks delivers a subscription's events: the Webhook workflow's activities.
type Webhooks struct {
	Store   *store.Store
	Targets webhook.Targets // where deliveries may go (RECOUP_WEBHOOK_ALLOW_PRIVATE)

	once   sync.Once
	client *http.Client
}

// Delivery's limits: one batch (one activity) reads at most
// WebhookBatchSize events and stops after WebhookBatchTime (the workflow then
// asks again: fewer, larger batches spend less on Temporal's round trips);
// it saves its progress every WebhookCheckpoint events; one POST waits at
// most WebhookTimeout.
const (
	WebhookBatchSize  = 5000
	WebhookBatchTime  = 30 * time.Second
	WebhookCheckpoint = 500
	WebhookTimeout    = 15 * time.Second
)

func (w *Webhooks) httpClient() *http.Client {
	w.once.Do(func() { w.client = w.Targets.Client(WebhookTimeout) })
	return w.client
}

// EventMessage is the body POSTed for an event, in the shape the Standard
// Webhooks specification suggests (type, timestamp, data: the event as the
// feed shows it), with its message id evt_<event id>, the same on every attempt.
func EventMessage(e store.Event) (webhook.Message, error) {
	body, err := json.Marshal(struct {
		Type      string      `json:"type"`
		Timestamp time.Time   `json:"timestamp"`
		Data      store.Event `json:"data"`
	}{e.Type, e.OccurredAt, e})
	return webhook.Message{ID: "evt_" + strconv.FormatInt(e.ID, 10), At: e.OccurredAt, Body: body}, err
}

// DeliverWebhook POSTs the subscription's next events after its cursor, in
// order, until one is refused, the batch is done or its time is up. Every
// WebhookCheckpoint events taken, and at the end, the attempts go to the log
// and the cursor moves past what the receiver took: a crash in between sends
// at most that many again, which the receiver deduplicates by webhook-id (at
// least once). A redelivery asked meanwhile (another cursor version) ends the
// batch without moving the cursor.
func (w *Webhooks) DeliverWebhook(ctx context.Context, in flow.DeliverInput) (flow.WebhookBatch, error) {
	sub, err := w.Store.Webhook(ctx, in.WebhookID)
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return flow.WebhookBatch{Stopped: true}, nil
	} else if err != nil {
		return flow.WebhookBatch{}, err
	}
	if sub.State != store.WebhookActive {
		return flow.WebhookBatch{Stopped: true}, nil
	}
	page, err := w.Store.WebhookEvents(ctx, sub.LastDeliveredID, sub.EventTypes, WebhookBatchSize)
	if err != nil {
		return flow.WebhookBatch{}, err
	}
	d := &delivery{store: w.Store, sub: sub, cursor: sub.LastDeliveredID}
	var (
		out      flow.WebhookBatch
		deadline = time.Now().Add(WebhookBatchTime)
		attempt  = in.Attempt + 1
	)
	for _, e := range page.Events {
		if ctx.Err() != nil || time.Now().After(deadline) {
			out.More = true
			break
		}
		m, err := EventMessage(e)
		if err != nil {
			return out, err
		}
		res := webhook.Post(ctx, w.httpClient(), sub.URL, sub.Secret, m)
		a := store.WebhookDelivery{WebhookID: sub.ID, EventID: &e.ID, EventType: e.Type, Attempt: attempt,
			Status: res.Status, OK: res.OK(), LatencyMS: float64(res.Latency.Microseconds()) / 1000}
		if res.Err != nil {
			a.Error = domain.Clip(res.Err.Error(), 500)
		}
		d.log = append(d.log, a)
		if !res.OK() {
			out.Failed, out.Gone, out.Error = true, res.Gone(), a.Error
			break
		}
		d.cursor = e.ID
		out.Delivered++
		attempt = 1
		if len(d.log) >= WebhookCheckpoint {
			if ok, err := d.checkpoint(ctx); err != nil || !ok {
				return flow.WebhookBatch{Delivered: out.Delivered, More: true}, err
			}
		}
	}
	if !out.Failed && !out.More {
		// All taken: the cursor passes what the page skipped (other types) too.
		d.cursor, out.More = page.Next, page.More
	}
	if ok, err := d.checkpoint(ctx); err != nil || !ok {
		return flow.WebhookBatch{Delivered: out.Delivered, More: true}, err
	}
	if out.Gone {
		if _, err := w.Store.StopWebhook(ctx, sub.ID, store.WebhookDisabled, "the receiver answered 410 Gone"); err != nil {
			return out, err
		}
	}
	return out, nil
}

// delivery is one batch's attempts not yet logged and its cursor not yet saved.
type delivery struct {
	store  *store.Store
	sub    store.Webhook
	log    []store.WebhookDelivery
	cursor int64
	saved  int64
}

// checkpoint logs the attempts and moves the cursor; false: the subscription
// was rewound or stopped meanwhile (the caller reads it again).
func (d *delivery) checkpoint(ctx context.Context) (bool, error) {
	if err := d.store.RecordDeliveries(ctx, d.log); err != nil {
		return false, err
	}
	d.log = d.log[:0]
	if d.cursor == max(d.saved, d.sub.LastDeliveredID) {
		return true, nil
	}
	moved, err := d.store.AdvanceWebhook(ctx, d.sub.ID, d.sub.CursorVersion, d.cursor)
	d.saved = d.cursor
	return moved, err
}

// StopWebhook marks a subscription failing (delivery gave up) and tells the admins.
func (w *Webhooks) StopWebhook(ctx context.Context, in flow.StopInput) error {
	_, err := w.Store.StopWebhook(ctx, in.WebhookID, store.WebhookFailing, in.Reason)
	return err
}
