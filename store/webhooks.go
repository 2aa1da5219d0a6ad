package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// WebhookState is where a subscription's delivery stands.
type WebhookState string

const (
	WebhookActive   WebhookState = "active"   // delivering
	WebhookFailing  WebhookState = "failing"  // gave up after days of failures; admins were told
	WebhookDisabled WebhookState = "disabled" // the receiver answered 410 Gone, or an admin turned it off
)

// Webhook is a subscription: the events of these types POSTed to URL, signed with Secret.
type Webhook struct {
	ID              int64        `json:"id"`
	URL             string       `json:"url"`
	EventTypes      []string     `json:"event_types"` // empty: every type
	Secret          string       `json:"-"`           // shown once, at creation
	State           WebhookState `json:"state"`
	StateReason     string       `json:"state_reason"`
	LastDeliveredID int64        `json:"last_delivered_id"`
	CursorVersion   int64        `json:"-"`
	Description     string       `json:"description"`
	CreatedBy       string       `json:"created_by"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
}

// WebhookDelivery is one attempt of the delivery log.
type WebhookDelivery struct {
	ID        int64     `json:"id"`
	WebhookID int64     `json:"webhook_id"`
	EventID   *int64    `json:"event_id"` // nil: a test event
	EventType string    `json:"event_type"`
	Attempt   int       `json:"attempt"`
	Status    int       `json:"status"` // HTTP status; 0: no answer
	OK        bool      `json:"ok"`
	Error     string    `json:"error"`
	LatencyMS float64   `json:"latency_ms"`
	At        time.Time `json:"at"`
}

const (
	webhookColumns = `id, url, event_types, secret, state, state_reason, last_delivered_id, cursor_version,
       description, created_by, created_at, updated_at`
	insertWebhook = `
INSERT INTO webhooks (url, event_types, secret, description, created_by, last_delivered_id)
VALUES ($1, $2, $3, $4, $5, (` + eventsTop + `))
RETURNING ` + webhookColumns
	selectWebhook     = `SELECT ` + webhookColumns + ` FROM webhooks WHERE id = $1`
	selectWebhookLock = selectWebhook + ` FOR UPDATE`
	listWebhooks      = `SELECT ` + webhookColumns + ` FROM webhooks ORDER BY id`
	updateWebhook     = `
UPDATE webhooks SET url = $2, event_types = $3, description = $4, state = $5, state_reason = $6, updated_at = now()
WHERE id = $1 RETURNING ` + webhookColumns
	deleteWebhook = `DELETE FROM webhooks WHERE id = $1`
	// rewindWebhook makes delivery start again after an event; the new
	// cursor version stops a batch in flight from moving the cursor back.
	rewindWebhook = `
UPDATE webhooks SET last_delivered_id = $2, cursor_version = cursor_version + 1, updated_at = now()
WHERE id = $1 RETURNING ` + webhookColumns
	// advanceWebhook moves the cursor of an unchanged (not rewound) subscription.
	advanceWebhook = `
UPDATE webhooks SET last_delivered_id = $3 WHERE id = $1 AND cursor_version = $2 AND state = 'active'`
	setWebhookState = `
UPDATE webhooks SET state = $2, state_reason = $3, updated_at = now() WHERE id = $1 AND state = 'active'`
	listDeliveries = `
SELECT id, webhook_id, event_id, event_type, attempt, status, ok, error, latency_ms, at
FROM webhook_deliveries WHERE webhook_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`
	// notifyAdminsWebhook tells every active admin that a subscription stopped.
	notifyAdminsWebhook = `
INSERT INTO notifications (user_id, kind, params)
SELECT u.id, 'webhook_failing', jsonb_build_object('webhook_id', $1::bigint, 'url', $2::text, 'reason', $3::text)
FROM users u WHERE u.role = 'admin' AND NOT u.disabled`
)

func webhookTarget(id int64) string { return "webhook/" + strconv.FormatInt(id, 10) }

func scanWebhook(r pgx.Row) (Webhook, error) {
	var w Webhook
	err := r.Scan(&w.ID, &w.URL, &w.EventTypes, &w.Secret, &w.State, &w.StateReason, &w.LastDeliveredID,
		&w.CursorVersion, &w.Description, &w.CreatedBy, &w.CreatedAt, &w.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return w, domain.Errorf(domain.CodeNotFound, "webhook not found")
	}
	return w, err
}

func journalWebhook(ctx context.Context, tx pgx.Tx, action, actor string, id int64, before, after any) error {
	e := Entry{Actor: actor, Action: action, Target: webhookTarget(id)}
	if before != nil {
		e.Before, _ = json.Marshal(before)
	}
	if after != nil {
		e.After, _ = json.Marshal(after)
	}
	return Journal(ctx, tx, e)
}

// CreateWebhook saves a subscription; it starts after the latest event
// (a new subscriber gets what happens from now on: "redeliver from" reaches back).
func (s *Store) CreateWebhook(ctx context.Context, w Webhook, actor string) (Webhook, error) {
	if w.EventTypes == nil {
		w.EventTypes = []string{}
	}
	var out Webhook
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		if out, err = scanWebhook(tx.QueryRow(ctx, insertWebhook, w.URL, w.EventTypes, w.Secret, w.Description, actor)); err != nil {
			return err
		}
		return journalWebhook(ctx, tx, "webhook.create", actor, out.ID, nil, out)
	})
	return out, err
}

// Webhook reads one subscription.
func (s *Store) Webhook(ctx context.Context, id int64) (Webhook, error) {
	return scanWebhook(s.Pool.QueryRow(ctx, selectWebhook, id))
}

// Webhooks lists every subscription.
func (s *Store) Webhooks(ctx context.Context) ([]Webhook, error) {
	rows, err := s.Pool.Query(ctx, listWebhooks)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Webhook, error) { return scanWebhook(r) })
}

// UpdateWebhook changes a subscription through change, journaled.
func (s *Store) UpdateWebhook(ctx context.Context, id int64, actor string, change func(*Webhook) error) (Webhook, error) {
	var out Webhook
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		before, err := scanWebhook(tx.QueryRow(ctx, selectWebhookLock, id))
		if err != nil {
			return err
		}
		w := before
		if err := change(&w); err != nil {
			return err
		}
		if w.EventTypes == nil {
			w.EventTypes = []string{}
		}
		if out, err = scanWebhook(tx.QueryRow(ctx, updateWebhook, id, w.URL, w.EventTypes, w.Description, w.State, w.StateReason)); err != nil {
			return err
		}
		return journalWebhook(ctx, tx, "webhook.update", actor, id, before, out)
	})
	return out, err
}

// DeleteWebhook removes a subscription and its delivery log.
func (s *Store) DeleteWebhook(ctx context.Context, id int64, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		before, err := scanWebhook(tx.QueryRow(ctx, selectWebhookLock, id))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, deleteWebhook, id); err != nil {
			return err
		}
		return journalWebhook(ctx, tx, "webhook.delete", actor, id, before, nil)
	})
}

// RewindWebhook makes delivery start again after event id after.
func (s *Store) RewindWebhook(ctx context.Context, id, after int64, actor string) (Webhook, error) {
	var out Webhook
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		before, err := scanWebhook(tx.QueryRow(ctx, selectWebhookLock, id))
		if err != nil {
			return err
		}
		if out, err = scanWebhook(tx.QueryRow(ctx, rewindWebhook, id, after)); err != nil {
			return err
		}
		return journalWebhook(ctx, tx, "webhook.redeliver", actor, id,
			map[string]int64{"last_delivered_id": before.LastDeliveredID}, map[string]int64{"last_delivered_id": after})
	})
	return out, err
}

// WebhookEvents reads a subscription's next events after the cursor (every customer's).
func (s *Store) WebhookEvents(ctx context.Context, after int64, types []string, limit int) (EventPage, error) {
	return s.Events(ctx, Everything, EventQuery{After: after, Types: types, Limit: limit})
}

// AdvanceWebhook moves the cursor to id, unless the subscription was rewound
// (another cursor version) or stopped since: then it answers false.
func (s *Store) AdvanceWebhook(ctx context.Context, webhookID, version, id int64) (bool, error) {
	tag, err := s.Pool.Exec(ctx, advanceWebhook, webhookID, version, id)
	return tag.RowsAffected() == 1, err
}

// deliveryColumns are the columns RecordDeliveries copies, in its rows' order.
var deliveryColumns = []string{"webhook_id", "event_id", "event_type", "attempt", "status", "ok", "error", "latency_ms"}

// RecordDeliveries appends attempts to the delivery log (one COPY: a batch
// of hundreds costs about one insert).
func (s *Store) RecordDeliveries(ctx context.Context, ds []WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	_, err := s.Pool.CopyFrom(ctx, pgx.Identifier{"webhook_deliveries"}, deliveryColumns,
		pgx.CopyFromSlice(len(ds), func(i int) ([]any, error) {
			d := ds[i]
			return []any{d.WebhookID, d.EventID, d.EventType, d.Attempt, d.Status, d.OK, d.Error, d.LatencyMS}, nil
		}))
	return err
}

// WebhookDeliveries lists a subscription's attempts, the latest first, before
// the attempt id before (0: from the latest).
func (s *Store) WebhookDeliveries(ctx context.Context, webhookID, before int64, limit int) ([]WebhookDelivery, error) {
	rows, err := s.Pool.Query(ctx, listDeliveries, webhookID, before, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (WebhookDelivery, error) {
		var d WebhookDelivery
		err := r.Scan(&d.ID, &d.WebhookID, &d.EventID, &d.EventType, &d.Attempt, &d.Status, &d.OK, &d.Error, &d.LatencyMS, &d.At)
		return d, err
	})
}

// StopWebhook moves an active subscription to failing or disabled, with why;
// failing tells every admin. It answers false when it was not active.
func (s *Store) StopWebhook(ctx context.Context, id int64, state WebhookState, reason string) (bool, error) {
	stopped := false
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		w, err := scanWebhook(tx.QueryRow(ctx, selectWebhookLock, id))
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, setWebhookState, id, state, reason)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		stopped = true
		if _, err := tx.Exec(ctx, notifyAdminsWebhook, id, w.URL, reason); err != nil {
			return err
		}
		return journalWebhook(ctx, tx, "webhook."+string(state), "system", id,
			map[string]string{"state": string(w.State)}, map[string]string{"state": string(state), "reason": reason})
	})
	return stopped, err
}
