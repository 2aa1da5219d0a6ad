package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// RiskAlertView is an alert as lists show it, with its customer's name.
type RiskAlertView struct {
	RiskAlert
	CustomerName string `json:"customer_name"`
	RuleName     string `json:"rule_name,omitempty"`
}

// RiskAlertFilter narrows the alert list: one customer (0: all), open
// (not acknowledged) or acknowledged ones (nil: both).
type RiskAlertFilter struct {
	CustomerID int64
	Open       *bool
	Page       domain.Page
}

const (
	riskAlertColumns = `a.id, a.customer_id, a.kind, a.rule_id, a.signal_id, a.detail, a.created_at, a.acknowledged_at,
       a.acknowledged_by, c.name, coalesce(r.name, '')`
	listRiskAlerts = `
SELECT ` + riskAlertColumns + `, count(*) OVER ()
FROM risk_alerts a JOIN customers c ON c.id = a.customer_id LEFT JOIN risk_rules r ON r.id = a.rule_id
WHERE (@customer::bigint = 0 OR a.customer_id = @customer::bigint)
  AND (@open::boolean IS NULL OR (a.acknowledged_at IS NULL) = @open::boolean)
  AND ` + perimeterClause + `
ORDER BY a.id DESC
LIMIT @limit OFFSET @offset`
	acknowledgeRiskAlert = `
UPDATE risk_alerts a SET acknowledged_at = now(), acknowledged_by = @actor
FROM customers c
WHERE a.id = @id AND c.id = a.customer_id AND a.acknowledged_at IS NULL AND ` + perimeterClause + `
RETURNING a.customer_id`
	riskAlertVisible = `
SELECT a.acknowledged_at IS NOT NULL FROM risk_alerts a JOIN customers c ON c.id = a.customer_id
WHERE a.id = @id AND ` + perimeterClause
)

func scanRiskAlertView(r pgx.Row, more ...any) (RiskAlertView, error) {
	var v RiskAlertView
	dest := append([]any{&v.ID, &v.CustomerID, &v.Kind, &v.RuleID, &v.SignalID, &v.Detail, &v.CreatedAt, &v.AcknowledgedAt,
		&v.AcknowledgedBy, &v.CustomerName, &v.RuleName}, more...)
	err := r.Scan(dest...)
	return v, err
}

// RiskAlerts lists the alerts inside per, newest first, and how many match.
func (s *Store) RiskAlerts(ctx context.Context, per Perimeter, f RiskAlertFilter) ([]RiskAlertView, int64, error) {
	rows, err := s.Pool.Query(ctx, listRiskAlerts, per.args(pgx.NamedArgs{"customer": f.CustomerID, "open": f.Open,
		"limit": f.Page.Limit, "offset": f.Page.Offset}))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []RiskAlertView{}
	var total int64
	for rows.Next() {
		v, err := scanRiskAlertView(rows, &total)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, total, rows.Err()
}

// AcknowledgeRiskAlert marks an alert inside per seen and dealt with by
// actor, journaled "risk.alert_acknowledge" on its customer. An alert
// acknowledged already is a CodeConflict; one outside per, CodeNotFound.
func (s *Store) AcknowledgeRiskAlert(ctx context.Context, per Perimeter, id int64, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var customer int64
		err := tx.QueryRow(ctx, acknowledgeRiskAlert, per.args(pgx.NamedArgs{"id": id, "actor": actor})).Scan(&customer)
		if errors.Is(err, pgx.ErrNoRows) {
			var done bool
			if err := tx.QueryRow(ctx, riskAlertVisible, per.args(pgx.NamedArgs{"id": id})).Scan(&done); errors.Is(err, pgx.ErrNoRows) {
				return domain.Errorf(domain.CodeNotFound, "risk alert %d not found", id)
			} else if err != nil {
				return err
			}
			return domain.Errorf(domain.CodeConflict, "risk alert %d is acknowledged already", id)
		}
		if err != nil {
			return err
		}
		after, err := json.Marshal(map[string]any{"alert_id": id})
		if err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "risk.alert_acknowledge", Target: customerTarget(customer), After: after})
	})
}

// RiskAlertEmail is an email an alert owes one person.
type RiskAlertEmail struct {
	AlertID      int64
	UserID       int64
	Email        string
	Language     string
	Kind         string
	CustomerID   int64
	CustomerName string
	CreatedAt    time.Time
}

const (
	owedRiskAlertEmails = `
SELECT m.alert_id, m.user_id, u.email, u.language, a.kind, a.customer_id, c.name, a.created_at
FROM risk_alert_emails m
JOIN users u ON u.id = m.user_id JOIN risk_alerts a ON a.id = m.alert_id JOIN customers c ON c.id = a.customer_id
WHERE m.sent_at IS NULL AND m.attempts < @max_attempts
ORDER BY m.alert_id, m.user_id
LIMIT @limit
FOR UPDATE OF m SKIP LOCKED`
	riskAlertEmailSent   = `UPDATE risk_alert_emails SET sent_at = now() WHERE alert_id = $1 AND user_id = $2`
	riskAlertEmailFailed = `
UPDATE risk_alert_emails SET attempts = attempts + 1, last_error = $3 WHERE alert_id = $1 AND user_id = $2`
)

// MaxRiskAlertEmailAttempts is how many times an alert's email is tried.
const MaxRiskAlertEmailAttempts = 10

// SendRiskAlertEmails sends up to limit owed alert emails with send, each in
// its own transaction holding its row, so two processes never send one
// twice; a failure is counted on the row, which stays owed, and ends the
// run (the mail server is likely down: the next run tries again).
func (s *Store) SendRiskAlertEmails(ctx context.Context, limit int, send func(RiskAlertEmail) error) (sent int, err error) {
	for range limit {
		var found, failed bool
		err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, owedRiskAlertEmails, pgx.NamedArgs{"limit": 1, "max_attempts": MaxRiskAlertEmailAttempts})
			if err != nil {
				return err
			}
			owed, err := pgx.CollectRows(rows, pgx.RowToStructByPos[RiskAlertEmail])
			if err != nil || len(owed) == 0 {
				return err
			}
			found = true
			m := owed[0]
			if err := send(m); err != nil {
				failed = true
				_, err := tx.Exec(ctx, riskAlertEmailFailed, m.AlertID, m.UserID, err.Error())
				return err
			}
			sent++
			_, err = tx.Exec(ctx, riskAlertEmailSent, m.AlertID, m.UserID)
			return err
		})
		if err != nil || !found || failed {
			return sent, err
		}
	}
	return sent, nil
}

const (
	customerLegalStatus = `SELECT legal_status FROM customers WHERE id = $1 FOR UPDATE`
	releaseProceedings  = `
UPDATE invoices SET in_proceedings = false, updated_at = now() WHERE customer_id = $1 AND in_proceedings RETURNING id`
)

// ReleaseProceedings puts the customer's invoices declared in insolvency
// proceedings back into dunning, journaled "customer.proceedings_release"
// with the reason: a person's decision once the customer is active again.
// A customer still insolvent, or with no such invoice, is a CodeConflict.
func (s *Store) ReleaseProceedings(ctx context.Context, customerID int64, reason, actor string) ([]int64, error) {
	var ids []int64
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var status domain.LegalStatus
		if err := tx.QueryRow(ctx, customerLegalStatus, customerID).Scan(&status); errors.Is(err, pgx.ErrNoRows) {
			return customerNotFound(customerID)
		} else if err != nil {
			return err
		}
		if status.Insolvent() {
			return domain.Errorf(domain.CodeConflict, "customer %d is still in insolvency proceedings (%s)", customerID, status)
		}
		rows, err := tx.Query(ctx, releaseProceedings, customerID)
		if err != nil {
			return err
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		if len(ids) == 0 {
			return domain.Errorf(domain.CodeConflict, "customer %d has no invoice in proceedings", customerID)
		}
		after, err := json.Marshal(map[string]any{"invoices": ids, "reason": reason})
		if err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "customer.proceedings_release", Target: customerTarget(customerID), After: after})
	})
	return ids, err
}
