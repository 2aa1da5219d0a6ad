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

// Delivery's limits: one batch reads at most BatchSize events and stops
// after BatchTime (the activity then reports, and the workflow asks again),
// and one POST waits at most PostTimeout.
const (
	WebhookBatchSize = 500
	WebhookBatchTime = 30 * time.Second
	WebhookTimeout   = 15 * time.Second
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
// order, until one is refused, the batch is full or its time is up. The
// cursor moves past what the receiver took (at the end, or before a
// failure): a crash in between sends those again, which the receiver
// deduplicates by webhook-id (at least once). A redelivery asked meanwhile
// (another cursor version) ends the batch without moving the cursor.
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
	var (
		out      flow.WebhookBatch
		log      []store.WebhookDelivery
		cursor   = sub.LastDeliveredID
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
		d := store.WebhookDelivery{WebhookID: sub.ID, EventID: &e.ID, EventType: e.Type, Attempt: attempt,
			Status: res.Status, OK: res.OK(), LatencyMS: float64(res.Latency.Microseconds()) / 1000}
		if res.Err != nil {
			d.Error = domain.Clip(res.Err.Error(), 500)
		}
		log = append(log, d)
		if !res.OK() {
			out.Failed, out.Gone, out.Error = true, res.Gone(), d.Error
			break
		}
		cursor = e.ID
		out.Delivered++
		attempt = 1
	}
	if !out.Failed && !out.More {
		// All taken: the cursor passes what the page skipped (other types) too.
		cursor, out.More = page.Next, page.More
	}
	if err := w.Store.RecordDeliveries(ctx, log); err != nil {
		return out, err
	}
	if cursor != sub.LastDeliveredID {
		moved, err := w.Store.AdvanceWebhook(ctx, sub.ID, sub.CursorVersion, cursor)
		if err != nil {
			return out, err
		}
		if !moved { // rewound or stopped meanwhile: read the subscription again
			return flow.WebhookBatch{Delivered: out.Delivered, More: true}, nil
		}
	}
	if out.Gone {
		if _, err := w.Store.StopWebhook(ctx, sub.ID, store.WebhookDisabled, "the receiver answered 410 Gone"); err != nil {
			return out, err
		}
	}
	return out, nil
}

// StopWebhook marks a subscription failing (delivery gave up) and tells the admins.
func (w *Webhooks) StopWebhook(ctx context.Context, in flow.StopInput) error {
	_, err := w.Store.StopWebhook(ctx, in.WebhookID, store.WebhookFailing, in.Reason)
	return err
}
