package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
	"recoup/webhook"
)

// ParseWebhookTargets reads RECOUP_WEBHOOK_ALLOW_PRIVATE ("" is false).
func ParseWebhookTargets(v string) (webhook.Targets, error) {
	if strings.TrimSpace(v) == "" {
		return webhook.Targets{}, nil
	}
	allow, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return webhook.Targets{}, fmt.Errorf("RECOUP_WEBHOOK_ALLOW_PRIVATE: %q is not true or false", v)
	}
	return webhook.Targets{AllowPrivate: allow}, nil
}

// WithWebhookTargets says where webhooks may go.
func WithWebhookTargets(t webhook.Targets) Option { return func(a *App) { a.targets = t } }

// WebhookRequest creates or changes a subscription. Active nil keeps the
// state (a new one is active); true reactivates a failing or disabled one.
type WebhookRequest struct {
	URL         string   `json:"url"`
	EventTypes  []string `json:"event_types"`
	Description string   `json:"description"`
	Active      *bool    `json:"active"`
}

// CreatedWebhook is a new subscription with its secret: the only time it is shown.
type CreatedWebhook struct {
	store.Webhook
	Secret string `json:"secret"`
}

const maxWebhookURL, maxWebhookDescription = 2000, 500

// webhookInput validates a request into w.
func (a *App) webhookInput(ctx context.Context, req WebhookRequest, w *store.Webhook) error {
	var errs []error
	w.URL = strings.TrimSpace(req.URL)
	switch {
	case w.URL == "":
		errs = append(errs, domain.FieldError("url", "required"))
	case len(w.URL) > maxWebhookURL:
		errs = append(errs, domain.FieldError("url", "at most %d characters", maxWebhookURL))
	default:
		if err := a.targets.CheckURL(ctx, w.URL); err != nil {
			errs = append(errs, domain.FieldError("url", "%v", err))
		}
	}
	types, err := eventTypes("event_types", req.EventTypes)
	if err != nil {
		errs = append(errs, err)
	}
	w.EventTypes = types
	w.Description = strings.TrimSpace(req.Description)
	if len(w.Description) > maxWebhookDescription {
		errs = append(errs, domain.FieldError("description", "at most %d characters", maxWebhookDescription))
	}
	return domain.Invalid(errs...)
}

// CreateWebhook subscribes a URL to events (those after the latest one) and
// starts its delivery; the answer carries the signing secret, once.
func (a *App) CreateWebhook(ctx context.Context, who domain.Principal, req WebhookRequest) (CreatedWebhook, error) {
	if err := allow(who, auth.WebhooksManage); err != nil {
		return CreatedWebhook{}, err
	}
	var w store.Webhook
	if err := a.webhookInput(ctx, req, &w); err != nil {
		return CreatedWebhook{}, err
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		return CreatedWebhook{}, err
	}
	w.Secret = secret
	w, err = a.store.CreateWebhook(ctx, w, who.Actor())
	if err != nil {
		return CreatedWebhook{}, err
	}
	if req.Active != nil && !*req.Active {
		if w, err = a.store.UpdateWebhook(ctx, w.ID, who.Actor(), func(x *store.Webhook) error {
			x.State, x.StateReason = store.WebhookDisabled, "created inactive"
			return nil
		}); err != nil {
			return CreatedWebhook{}, err
		}
	}
	a.startDelivery(ctx, w)
	return CreatedWebhook{Webhook: w, Secret: secret}, nil
}

// startDelivery makes sure an active subscription's workflow runs. Without
// Temporal now, the worker starts every active subscription's delivery when
// it starts, so nothing is lost: the cursor is in Postgres.
func (a *App) startDelivery(ctx context.Context, w store.Webhook) {
	if w.State != store.WebhookActive || a.flow == nil {
		return
	}
	if err := a.flow.StartWebhook(ctx, w.ID); err != nil {
		a.log.WarnContext(ctx, "webhook delivery not started; the worker starts it when it starts", "webhook", w.ID, "err", err)
	}
}

// StartWebhookDeliveries starts the delivery of every active subscription
// (the worker, at its start); running ones are kept.
func (a *App) StartWebhookDeliveries(ctx context.Context) error {
	list, err := a.store.Webhooks(ctx)
	if err != nil {
		return err
	}
	for _, w := range list {
		if w.State == store.WebhookActive && a.flow != nil {
			if err := a.flow.StartWebhook(ctx, w.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// Webhooks lists the subscriptions.
func (a *App) Webhooks(ctx context.Context, who domain.Principal) ([]store.Webhook, error) {
	if err := allow(who, auth.WebhooksManage); err != nil {
		return nil, err
	}
	return a.store.Webhooks(ctx)
}

// Webhook is one subscription.
func (a *App) Webhook(ctx context.Context, who domain.Principal, id int64) (store.Webhook, error) {
	if err := allow(who, auth.WebhooksManage); err != nil {
		return store.Webhook{}, err
	}
	return a.store.Webhook(ctx, id)
}

// UpdateWebhook changes a subscription's URL, types, description, and
// (Active) turns it off or back on; back on, delivery resumes from its cursor.
func (a *App) UpdateWebhook(ctx context.Context, who domain.Principal, id int64, req WebhookRequest) (store.Webhook, error) {
	if err := allow(who, auth.WebhooksManage); err != nil {
		return store.Webhook{}, err
	}
	var in store.Webhook
	if err := a.webhookInput(ctx, req, &in); err != nil {
		return store.Webhook{}, err
	}
	w, err := a.store.UpdateWebhook(ctx, id, who.Actor(), func(w *store.Webhook) error {
		w.URL, w.EventTypes, w.Description = in.URL, in.EventTypes, in.Description
		switch {
		case req.Active == nil:
		case *req.Active:
			w.State, w.StateReason = store.WebhookActive, ""
		case w.State == store.WebhookActive:
			w.State, w.StateReason = store.WebhookDisabled, "turned off by "+who.Actor()
		}
		return nil
	})
	if err != nil {
		return w, err
	}
	a.startDelivery(ctx, w)
	return w, nil
}

// DeleteWebhook removes a subscription; its workflow ends at its next batch.
func (a *App) DeleteWebhook(ctx context.Context, who domain.Principal, id int64) error {
	if err := allow(who, auth.WebhooksManage); err != nil {
		return err
	}
	return a.store.DeleteWebhook(ctx, id, who.Actor())
}

// RedeliverWebhook makes the subscription deliver again from event from on
// (its matching events, in order), and reactivates nothing: a subscription
// that is not active redelivers once turned back on.
func (a *App) RedeliverWebhook(ctx context.Context, who domain.Principal, id, from int64) (store.Webhook, error) {
	if err := allow(who, auth.WebhooksManage); err != nil {
		return store.Webhook{}, err
	}
	last, err := a.store.LastEventID(ctx)
	if err != nil {
		return store.Webhook{}, err
	}
	if from < 1 || from > last+1 {
		return store.Webhook{}, domain.FieldError("from", "%d: an event id from 1 to %d (the latest)", from, last)
	}
	// Behind the retention horizon the events are gone: redelivering from
	// there would skip them without a word.
	h, err := a.store.EventHorizon(ctx)
	if err != nil {
		return store.Webhook{}, err
	}
	if from <= h.DeletedThrough {
		return store.Webhook{}, domain.FieldError("from", "%d: events up to %d were deleted by retention "+
			"(RECOUP_EVENTS_RETENTION_DAYS); redeliver from %d at the earliest", from, h.DeletedThrough, h.DeletedThrough+1)
	}
	w, err := a.store.RewindWebhook(ctx, id, from-1, who.Actor())
	if err != nil {
		return w, err
	}
	a.startDelivery(ctx, w)
	return w, nil
}

// WebhookDeliveries is a subscription's delivery log, the latest first.
func (a *App) WebhookDeliveries(ctx context.Context, who domain.Principal, id int64, before int64, limit int) ([]store.WebhookDelivery, error) {
	if err := allow(who, auth.WebhooksManage); err != nil {
		return nil, err
	}
	if _, err := a.store.Webhook(ctx, id); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return a.store.WebhookDeliveries(ctx, id, before, limit)
}

// TestEventType is the type of the event "send a test event" posts.
const TestEventType = "webhook.test"

// SendTestEvent POSTs a signed test event to the subscription now (outside
// its order: it is not in the feed) and records the attempt in its log.
func (a *App) SendTestEvent(ctx context.Context, who domain.Principal, id int64) (store.WebhookDelivery, error) {
	if err := allow(who, auth.WebhooksManage); err != nil {
		return store.WebhookDelivery{}, err
	}
	w, err := a.store.Webhook(ctx, id)
	if err != nil {
		return store.WebhookDelivery{}, err
	}
	if err := a.targets.CheckURL(ctx, w.URL); err != nil {
		return store.WebhookDelivery{}, domain.FieldError("url", "%v", err)
	}
	now := time.Now().UTC()
	body, err := json.Marshal(map[string]any{"type": TestEventType, "timestamp": now,
		"data": map[string]any{"webhook_id": w.ID, "sent_by": who.Actor()}})
	if err != nil {
		return store.WebhookDelivery{}, err
	}
	m := webhook.Message{ID: "test_" + strconv.FormatInt(now.UnixNano(), 10), At: now, Body: body}
	res := webhook.Post(ctx, a.targets.Client(15*time.Second), w.URL, w.Secret, m)
	d := store.WebhookDelivery{WebhookID: w.ID, EventType: TestEventType, Attempt: 1, Status: res.Status, OK: res.OK(),
		LatencyMS: float64(res.Latency.Microseconds()) / 1000, At: now}
	if res.Err != nil {
		d.Error = domain.Clip(res.Err.Error(), 500)
	}
	return d, a.store.RecordDeliveries(ctx, []store.WebhookDelivery{d})
}
