package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// Credit limits and holds (README "Credit limits and holds"): where an
// account stands against its credit limit, the alerts at the entity's
// thresholds, and the credit hold a person puts with a reason.

// CreditStatus is what a salesperson must know before shipping: the credit
// hold (and who put it, why, since when), the legal status, and what the
// risk provider recommends as a limit (in the customer's currency).
type CreditStatus struct {
	CustomerID       int64              `json:"customer_id"`
	OnHold           bool               `json:"on_hold"`
	HoldSince        *time.Time         `json:"hold_since,omitempty"`
	HoldReason       string             `json:"hold_reason,omitempty"` // "" for a scenario's credit-hold step
	HoldBy           string             `json:"hold_by,omitempty"`     // "" for a scenario's credit-hold step
	LegalStatus      domain.LegalStatus `json:"legal_status"`
	LegalStatusSince *time.Time         `json:"legal_status_since,omitempty"`
	RiskLimitMinor   *int64             `json:"risk_limit_minor,omitempty"`
}

const creditStatus = `
SELECT c.id, c.on_hold, c.on_hold_since, c.on_hold_reason, c.on_hold_by, c.legal_status, c.legal_status_since, c.risk_limit_minor
FROM customers c WHERE c.id = @id AND ` + perimeterClause

// CreditStatus reads the credit status of customer id inside per; not found outside it.
func (s *Store) CreditStatus(ctx context.Context, per Perimeter, id int64) (CreditStatus, error) {
	var cs CreditStatus
	var legal string
	err := s.Pool.QueryRow(ctx, creditStatus, per.args(pgx.NamedArgs{"id": id})).Scan(&cs.CustomerID, &cs.OnHold,
		&cs.HoldSince, &cs.HoldReason, &cs.HoldBy, &legal, &cs.LegalStatusSince, &cs.RiskLimitMinor)
	if errors.Is(err, pgx.ErrNoRows) {
		return cs, customerNotFound(id)
	}
	cs.LegalStatus = domain.LegalStatus(legal)
	return cs, err
}

const placeCreditHold = `
UPDATE customers c SET on_hold = true, on_hold_since = now(), on_hold_reason = @reason, on_hold_by = @by, updated_at = now()
FROM (SELECT id, on_hold FROM customers WHERE id = @id FOR UPDATE) old
WHERE c.id = old.id AND NOT old.on_hold
RETURNING c.on_hold_since`

// PlaceCreditHold puts the customer's account on credit hold by a person
// with a reason and journals "customer.credit_hold"; an account already on
// hold is a CodeConflict error (its hold keeps its own reason and date).
func (s *Store) PlaceCreditHold(ctx context.Context, customerID int64, reason, actor string) (time.Time, error) {
	var since time.Time
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, placeCreditHold, pgx.NamedArgs{"id": customerID, "reason": reason, "by": actor}).Scan(&since)
		if errors.Is(err, pgx.ErrNoRows) {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM customers WHERE id = $1)`, customerID).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return customerNotFound(customerID)
			}
			return domain.Errorf(domain.CodeConflict, "customer %d is already on credit hold", customerID)
		}
		if err != nil {
			return err
		}
		after, err := json.Marshal(map[string]any{"on_hold": true, "on_hold_since": since.UTC(), "reason": reason})
		if err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "customer.credit_hold", Target: customerTarget(customerID),
			Before: json.RawMessage(`{"on_hold":false}`), After: after})
	})
	return since, err
}

// AlertLimitUse is the kind of the risk alert a credit limit threshold raises.
const AlertLimitUse = "limit_use"

// LimitUseAlert is a threshold of the credit limit a customer crossed upward:
// the alert raised (new: RaiseRiskAlert said so) and whom it was told to.
type LimitUseAlert struct {
	Alert     RiskAlert
	Threshold int
	Episode   int
	UsedMinor int64 // outstanding + open orders
	Limit     int64
	Notified  int64 // notifications written
}

// limitUseLevels brings credit_limit_levels up to date for the customers
// @ids (all customers with a limit when @all) in one statement and returns
// the (customer, threshold) pairs that crossed upward, with their new
// episode. Used = open invoices (open and disputed) − open credit notes −
// unallocated payments + open orders: the figures' outstanding and the
// ERP's open orders, all in the customer's currency. "Above" is used × 100 ≥
// threshold × limit, exact in integers. Pairs no longer evaluated (the limit
// removed, the threshold dropped from the entity) end their episode.
const limitUseLevels = `
WITH scope AS (
    SELECT c.id, c.entity_id, c.credit_limit_minor AS lim, coalesce(c.open_orders_minor, 0) AS orders
    FROM customers c
    WHERE (@all::boolean OR c.id = ANY (@ids::bigint[])) AND c.credit_limit_minor > 0
), uses AS (
    SELECT s.id AS customer_id, s.entity_id, s.lim, s.orders + coalesce(o.open, 0) - coalesce(u.unallocated, 0) AS used
    FROM scope s
    LEFT JOIN (
        SELECT i.customer_id, sum(CASE WHEN i.type = 'invoice' THEN i.open_minor ELSE -i.open_minor END) AS open
        FROM invoices i
        WHERE (@all::boolean OR i.customer_id = ANY (@ids::bigint[])) AND i.status IN ('open', 'disputed') AND i.open_minor > 0
        GROUP BY i.customer_id) o ON o.customer_id = s.id
    LEFT JOIN (
        SELECT p.customer_id, sum(p.unallocated_minor) AS unallocated FROM payments p
        WHERE (@all::boolean OR p.customer_id = ANY (@ids::bigint[])) AND p.unallocated_minor > 0
        GROUP BY p.customer_id) u ON u.customer_id = s.id
), levels AS (
    SELECT u.customer_id, t.pct AS threshold, u.used, u.lim,
           u.used::numeric * 100 >= t.pct::numeric * u.lim AS above
    FROM uses u JOIN entities e ON e.id = u.entity_id
    CROSS JOIN LATERAL (SELECT DISTINCT pct FROM unnest(e.credit_limit_thresholds) AS x(pct)) t
), moved AS (
    INSERT INTO credit_limit_levels AS k (customer_id, threshold, above, episode)
    SELECT l.customer_id, l.threshold, l.above, 1 FROM levels l
    LEFT JOIN credit_limit_levels x ON x.customer_id = l.customer_id AND x.threshold = l.threshold
    -- only what changed: an unchanged row is not even locked
    WHERE CASE WHEN x.customer_id IS NULL THEN l.above ELSE x.above <> l.above END
    ON CONFLICT (customer_id, threshold) DO UPDATE
        SET above = excluded.above, changed_at = now(),
            episode = k.episode + CASE WHEN excluded.above THEN 1 ELSE 0 END
        WHERE k.above <> excluded.above
    RETURNING k.customer_id, k.threshold, k.above, k.episode
), ended AS (
    UPDATE credit_limit_levels k SET above = false, changed_at = now()
    FROM customers c JOIN entities e ON e.id = c.entity_id
    WHERE k.above AND c.id = k.customer_id AND (@all::boolean OR k.customer_id = ANY (@ids::bigint[]))
      AND (coalesce(c.credit_limit_minor, 0) <= 0 OR k.threshold <> ALL (e.credit_limit_thresholds))
    RETURNING k.customer_id
)
SELECT m.customer_id, m.threshold, m.episode, l.used, l.lim, (SELECT count(*) FROM ended)
FROM moved m JOIN levels l USING (customer_id, threshold)
WHERE m.above
ORDER BY m.customer_id, m.threshold`

const noJIT = `SET LOCAL jit = off`

// EvaluateLimitUse compares the use of the credit limit of the customers
// ids (every customer with a limit when all) with their entity's
// thresholds, and raises a 'limit_use' risk alert, with its notifications,
// for each threshold crossed upward since the last evaluation, all in one
// transaction: an alert is never raised without its level recorded, nor
// twice for one episode (its dedupe key names it).
func (s *Store) EvaluateLimitUse(ctx context.Context, ids []int64, all bool) ([]LimitUseAlert, error) {
	if ids == nil {
		ids = []int64{}
	}
	var out []LimitUseAlert
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		out = out[:0]
		// Compiling this statement (JIT) cost more than running it: 1.9 s
		// of 4.4 s over 100,000 accounts.
		if _, err := tx.Exec(ctx, noJIT); err != nil {
			return err
		}
		// Planned with the values (never a cached generic plan): a few
		// accounts read their rows by index, the sweep aggregates the tables.
		rows, err := tx.Query(ctx, limitUseLevels, pgx.QueryExecModeExec, pgx.NamedArgs{"ids": ids, "all": all})
		if err != nil {
			return err
		}
		var ended int64
		crossed, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (LimitUseAlert, error) {
			var a LimitUseAlert
			err := r.Scan(&a.Alert.CustomerID, &a.Threshold, &a.Episode, &a.UsedMinor, &a.Limit, &ended)
			return a, err
		})
		if err != nil {
			return err
		}
		for _, a := range crossed {
			detail, err := json.Marshal(map[string]any{"threshold": a.Threshold, "used_minor": a.UsedMinor,
				"limit_minor": a.Limit, "episode": a.Episode})
			if err != nil {
				return err
			}
			a.Alert.Kind = AlertLimitUse
			a.Alert.DedupeKey = fmt.Sprintf("limit_use/%d/%d/%d", a.Alert.CustomerID, a.Threshold, a.Episode)
			a.Alert.Detail = detail
			var raised bool
			if a.Alert, raised, err = RaiseRiskAlert(ctx, tx, a.Alert); err != nil {
				return err
			}
			if !raised {
				continue
			}
			if a.Notified, err = tellRiskAlert(ctx, tx, a.Alert, ""); err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}
