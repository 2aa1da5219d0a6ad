package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// RiskAlert is an alert raised by a risk rule or a credit limit threshold
// (README "Credit risk"). DedupeKey says what makes two alerts the same.
type RiskAlert struct {
	ID             int64           `json:"id"`
	CustomerID     int64           `json:"customer_id"`
	Kind           string          `json:"kind"`
	RuleID         *int64          `json:"rule_id,omitempty"`
	SignalID       *int64          `json:"signal_id,omitempty"`
	DedupeKey      string          `json:"-"`
	Detail         json.RawMessage `json:"detail"`
	CreatedAt      time.Time       `json:"created_at"`
	AcknowledgedAt *time.Time      `json:"acknowledged_at,omitempty"`
	AcknowledgedBy string          `json:"acknowledged_by,omitempty"`
}

const insertRiskAlert = `
INSERT INTO risk_alerts (customer_id, kind, rule_id, signal_id, dedupe_key, detail)
VALUES (@customer, @kind, @rule, @signal, @key, coalesce(@detail::jsonb, '{}'))
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id, created_at`

// RaiseRiskAlert writes alert in q (a transaction, so the alert and what
// raised it commit together) unless one with its DedupeKey exists: raised
// says whether it is new, and only a new alert's actions are taken.
func RaiseRiskAlert(ctx context.Context, q querier, alert RiskAlert) (_ RiskAlert, raised bool, _ error) {
	var detail *string
	if len(alert.Detail) > 0 {
		s := string(alert.Detail)
		detail = &s
	}
	err := q.QueryRow(ctx, insertRiskAlert, pgx.NamedArgs{
		"customer": alert.CustomerID, "kind": alert.Kind, "rule": alert.RuleID, "signal": alert.SignalID,
		"key": alert.DedupeKey, "detail": detail,
	}).Scan(&alert.ID, &alert.CreatedAt)
	if err == pgx.ErrNoRows {
		return alert, false, nil
	}
	return alert, err == nil, err
}

const (
	// riskRecipients are the people told of an account's alert: its agent
	// and the credit managers of its entity.
	riskRecipients = `
FROM users u JOIN customers c ON c.id = @customer
WHERE NOT u.disabled AND (u.id = c.agent_id OR (u.role = 'credit_manager' AND (u.all_entities OR EXISTS (
    SELECT 1 FROM user_entities ue WHERE ue.user_id = u.id AND ue.entity_id = c.entity_id))))`
	notifyRiskAlert = `
INSERT INTO notifications (user_id, kind, params)
SELECT u.id, 'risk_alert', jsonb_strip_nulls(jsonb_build_object('alert', @alert::text, 'alert_id', @alert_id::bigint,
       'customer', c.name, 'customer_id', c.id, 'actor', nullif(@actor::text, '')))` + riskRecipients
)

// tellRiskAlert notifies the account's agent and its entity's credit
// managers in the app (actor "": raised by no one in particular); it
// answers how many were told. Every kind of risk alert goes through it.
func tellRiskAlert(ctx context.Context, tx pgx.Tx, alert RiskAlert, actor string) (int64, error) {
	tag, err := tx.Exec(ctx, notifyRiskAlert, pgx.NamedArgs{"alert": alert.Kind, "alert_id": alert.ID, "customer": alert.CustomerID,
		"actor": actor})
	return tag.RowsAffected(), err
}
