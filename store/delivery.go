package store

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// Twilio reports what became of a text or call: queued, sent, ringing... then
// a final delivered, failed, no answer. Reports can arrive out of order: a
// final outcome is never replaced by an intermediate one.
const upsertDeliveryReport = `
INSERT INTO delivery_reports AS d (provider_ref, outcome, error_code) VALUES ($1, $2, $3)
ON CONFLICT (provider_ref) DO UPDATE SET outcome = excluded.outcome, error_code = excluded.error_code, received_at = now()
WHERE $4 OR d.outcome NOT IN ('delivered', 'completed', 'failed', 'undelivered', 'no-answer', 'busy', 'canceled')`

// RecordDelivery stores a provider's delivery report for the message it sent
// as ref, and journals it.
func (s *Store) RecordDelivery(ctx context.Context, ref, outcome, errorCode string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, upsertDeliveryReport, ref, outcome, errorCode, finalDelivery(outcome)); err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]string{"provider_ref": ref, "outcome": outcome, "error_code": errorCode})
		return Journal(ctx, tx, Entry{Actor: "twilio", Action: "dunning.delivery." + outcome, Target: "message/" + ref, After: after})
	})
}

// SentMessage is what message_log knows of one sent action.
type SentMessage struct {
	Key             string
	CustomerID      int64
	ScenarioID      int64
	ScenarioVersion int
	StepIndex       int
	Repeat          int
	Channel         domain.Channel // the channel actually used
	InvoiceIDs      []int64
}

const selectSentMessage = `
SELECT key, customer_id, scenario_id, scenario_version, step_index, repeat, channel, invoice_ids
FROM message_log WHERE (key = $1 AND $1 <> '') OR (provider_ref = $2 AND $2 <> '')`

// SentMessageByKey finds a logged action by its idempotency key.
func (s *Store) SentMessageByKey(ctx context.Context, key string) (SentMessage, bool, error) {
	return s.sentMessage(ctx, key, "")
}

// SentMessageByRef finds a logged action by its provider's reference (a Twilio SID).
func (s *Store) SentMessageByRef(ctx context.Context, ref string) (SentMessage, bool, error) {
	return s.sentMessage(ctx, "", ref)
}

func (s *Store) sentMessage(ctx context.Context, key, ref string) (SentMessage, bool, error) {
	var m SentMessage
	err := s.Pool.QueryRow(ctx, selectSentMessage, key, ref).Scan(&m.Key, &m.CustomerID, &m.ScenarioID, &m.ScenarioVersion,
		&m.StepIndex, &m.Repeat, &m.Channel, &m.InvoiceIDs)
	if err == pgx.ErrNoRows {
		return m, false, nil
	}
	return m, err == nil, err
}

// finalDelivery says whether an outcome is the last word on a message.
func finalDelivery(outcome string) bool {
	return outcome == "delivered" || outcome == "completed" || FailedDelivery(outcome)
}

// FailedDelivery says whether a provider's outcome means the customer did not get the message.
func FailedDelivery(outcome string) bool {
	switch outcome {
	case "failed", "undelivered", "no-answer", "busy", "canceled":
		return true
	}
	return false
}

const selectDeliveryOutcome = `SELECT outcome FROM delivery_reports WHERE provider_ref = $1`

// DeliveryOutcome is the latest report for a provider reference, "" when none arrived yet.
func (s *Store) DeliveryOutcome(ctx context.Context, ref string) (string, error) {
	var outcome string
	err := s.Pool.QueryRow(ctx, selectDeliveryOutcome, ref).Scan(&outcome)
	if err == pgx.ErrNoRows {
		return "", nil
	}
	return outcome, err
}
