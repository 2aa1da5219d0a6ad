package activities

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"

	"recoup/domain"
	"recoup/flow"
	"recoup/store"
	"recoup/webhook"
)

// Webhooks delivers a subscription's events: the Webhook workflow's activities.
type Webhooks struct {
	Store   *store.Store
	Targets webhook.Targets // where deliveries may go (RECOUP_WEBHOOK_ALLOW_PRIVATE)
	Bell    *EventBell      // rings when events are committed; nil: waiting batches poll

	once   sync.Once
	client *http.Client
}

// Delivery's pace: one batch (one activity) reads pages of WebhookPageSize
// events and sends them for up to WebhookBatchTime (the workflow then asks
// again: long batches spend little on Temporal's round trips); it saves its
// progress every WebhookCheckpoint events, or as soon as the previous save is
// done, and waits for that save only when WebhookUnsaved events are not saved
// yet; it heartbeats every WebhookHeartbeat; one POST waits at most WebhookTimeout.
const (
	WebhookPageSize   = 2000
	WebhookBatchTime  = 30 * time.Second
	WebhookCheckpoint = 500
	WebhookUnsaved    = 2000
	WebhookHeartbeat  = 5 * time.Second
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
// order, page after page, until one is refused, nothing is left or its time
// is up (the next page is read, and its messages made and signed, while the
// current one is being sent: the POSTs go one at a time, so whatever else is
// on their path slows all of them). Every WebhookCheckpoint events taken once
// the previous save is done, and at the end, the attempts go to the log and
// the cursor moves past what the receiver took (in the background, one
// checkpoint at a time, while the next events are sent; the sending waits for
// a save only when WebhookUnsaved events are not saved yet): a crash sends
// again at most about WebhookUnsaved plus a checkpoint's worth, which the
// receiver deduplicates by webhook-id (at least once). A redelivery asked
// meanwhile (another cursor version) ends the batch; its cursor is not moved.
//
// With in.Wait, a batch that finds nothing new waits up to in.Wait for the
// Bell (a transaction committed events) and then reads again, so an idle
// subscription costs one activity per in.Wait and a new event goes out at
// once; not listening (no Bell, or its connection is down), it reads again
// every in.Idle meanwhile. Events deleted by retention behind the cursor
// mark the subscription failing, with why (admins told): it never skips them.
func (w *Webhooks) DeliverWebhook(ctx context.Context, in flow.DeliverInput) (flow.WebhookBatch, error) {
	until := time.Now().Add(in.Wait)
	for {
		rung, listening := w.Bell.watch()
		looked := time.Now()
		out, err := w.deliver(ctx, in)
		if domain.ErrorCode(err) == domain.CodeGone {
			if _, err := w.Store.StopWebhook(ctx, in.WebhookID, store.WebhookFailing, err.Error()); err != nil {
				return out, err
			}
			return flow.WebhookBatch{Stopped: true, Error: err.Error()}, nil
		}
		left := time.Until(until)
		if err != nil || out.Delivered > 0 || out.More || out.Failed || out.Stopped || out.Gone || left <= 0 {
			return out, err
		}
		if !listening {
			left = min(left, max(in.Idle, webhookLookGap))
		}
		if !w.pause(ctx, rung, left) {
			return out, nil
		}
		// Every commit rings, of any type: a subscription that takes none of
		// them does not read the feed more often than this.
		if gap := webhookLookGap - time.Since(looked); gap > 0 {
			time.Sleep(gap)
		}
	}
}

// webhookLookGap is the shortest time between two looks of a waiting batch.
const webhookLookGap = 200 * time.Millisecond

// pause waits for the bell or d, heartbeating meanwhile; false: ctx ended.
func (w *Webhooks) pause(ctx context.Context, rung <-chan struct{}, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	beat := time.NewTicker(WebhookHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-rung:
			return true
		case <-timer.C:
			return true
		case <-beat.C:
			if activity.IsActivity(ctx) {
				activity.RecordHeartbeat(ctx)
			}
		}
	}
}

// deliver is one batch: from the cursor, until a refusal, the end of the feed or WebhookBatchTime.
func (w *Webhooks) deliver(ctx context.Context, in flow.DeliverInput) (flow.WebhookBatch, error) {
	sub, err := w.Store.Webhook(ctx, in.WebhookID)
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return flow.WebhookBatch{Stopped: true}, nil
	} else if err != nil {
		return flow.WebhookBatch{}, err
	}
	if sub.State != store.WebhookActive {
		return flow.WebhookBatch{Stopped: true}, nil
	}
	var (
		out      flow.WebhookBatch
		deadline = time.Now().Add(WebhookBatchTime)
		attempt  = in.Attempt + 1
		d        = &delivery{store: w.Store, sub: sub, cursor: sub.LastDeliveredID}
		pages    = make(chan pageRead, 1) // buffered: a read nobody waits for still ends
		reading  = true
		// heartbeat: not when called outside an activity (tests, benchmarks)
		heartbeat = activity.IsActivity(ctx)
		beaten    = time.Now()
		// A secret that does not decode leaves the messages unsigned: Post
		// then fails each, as it did before signing ahead.
		signer, signErr = webhook.NewSigner(sub.Secret)
	)
	read := func(after int64) {
		go func() {
			p, err := w.Store.WebhookEvents(ctx, after, sub.EventTypes, WebhookPageSize)
			msgs := make([]webhook.Message, 0, len(p.Events))
			for _, e := range p.Events {
				if err != nil {
					break
				}
				var m webhook.Message
				if m, err = EventMessage(e); err == nil && signErr == nil {
					m = signer.Signed(m)
				}
				msgs = append(msgs, m)
			}
			pages <- pageRead{p, msgs, err}
		}()
	}
	read(sub.LastDeliveredID)
	for reading {
		r := <-pages
		reading = false
		if r.err != nil {
			d.wait()
			return out, r.err
		}
		page := r.page
		if page.More && time.Now().Before(deadline) {
			read(page.Next)
			reading = true
		}
		sent := 0
		for i, e := range page.Events {
			now := time.Now()
			if ctx.Err() != nil || now.After(deadline) {
				break
			}
			if heartbeat && now.Sub(beaten) >= WebhookHeartbeat {
				activity.RecordHeartbeat(ctx, d.cursor) // a lost worker shows within the minute of HeartbeatTimeout
				beaten = now
			}
			res := webhook.Post(ctx, w.httpClient(), sub.URL, sub.Secret, r.msgs[i])
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
			sent++
			attempt = 1
			if len(d.log) >= WebhookCheckpoint && (len(d.log) >= WebhookUnsaved || d.idle()) && !d.checkpoint(ctx) {
				if reading {
					<-pages
				}
				return flow.WebhookBatch{Delivered: out.Delivered, More: true}, d.err
			}
		}
		if out.Failed || sent < len(page.Events) {
			out.More = !out.Failed
			if reading {
				<-pages // not used: the cursor did not reach it
				reading = false
			}
			break
		}
		// All taken: the cursor passes what the page skipped (other types) too.
		d.cursor, out.More = page.Next, page.More
	}
	d.checkpoint(ctx)
	if d.wait(); d.err != nil || d.rewound {
		return flow.WebhookBatch{Delivered: out.Delivered, More: true}, d.err
	}
	if out.Gone {
		if _, err := w.Store.StopWebhook(ctx, sub.ID, store.WebhookDisabled, "the receiver answered 410 Gone"); err != nil {
			return out, err
		}
	}
	return out, nil
}

type pageRead struct {
	page store.EventPage
	msgs []webhook.Message // page.Events' messages, signed
	err  error
}

// delivery is one batch's attempts not yet logged, its cursor, and the
// checkpoint being saved in the background.
type delivery struct {
	store   *store.Store
	sub     store.Webhook
	log     []store.WebhookDelivery
	cursor  int64
	saved   int64      // the cursor the last checkpoint saved (or is saving)
	saving  chan error // the checkpoint being saved; nil: none
	err     error      // a checkpoint failed
	rewound bool       // a checkpoint found the subscription rewound or stopped
}

// errRewound says a checkpoint found another cursor version or a stopped subscription.
var errRewound = errors.New("rewound")

// checkpoint waits for the previous save, then saves the attempts and the
// cursor in the background; false: a save failed or the subscription was
// rewound or stopped, and the batch should end.
func (d *delivery) checkpoint(ctx context.Context) bool {
	if d.wait(); d.err != nil || d.rewound {
		return false
	}
	log, cursor := d.log, d.cursor
	d.log = nil
	move := cursor != max(d.saved, d.sub.LastDeliveredID)
	d.saved = max(d.saved, cursor)
	d.saving = make(chan error, 1)
	go func() {
		err := d.store.RecordDeliveries(ctx, log)
		if err == nil && move {
			var moved bool
			if moved, err = d.store.AdvanceWebhook(ctx, d.sub.ID, d.sub.CursorVersion, cursor); err == nil && !moved {
				err = errRewound
			}
		}
		d.saving <- err
	}()
	return true
}

// idle says, without waiting, whether no checkpoint is being saved any more.
func (d *delivery) idle() bool {
	if d.saving == nil {
		return true
	}
	select {
	case err := <-d.saving:
		d.saving = nil
		d.settle(err)
		return true
	default:
		return false
	}
}

// wait waits for the checkpoint being saved.
func (d *delivery) wait() {
	if d.saving == nil {
		return
	}
	err := <-d.saving
	d.saving = nil
	d.settle(err)
}

// settle takes in how a save ended.
func (d *delivery) settle(err error) {
	switch {
	case errors.Is(err, errRewound):
		d.rewound = true
	case err != nil && d.err == nil:
		d.err = err
	}
}

// StopWebhook marks a subscription failing (delivery gave up) and tells the admins.
func (w *Webhooks) StopWebhook(ctx context.Context, in flow.StopInput) error {
	_, err := w.Store.StopWebhook(ctx, in.WebhookID, store.WebhookFailing, in.Reason)
	return err
}
