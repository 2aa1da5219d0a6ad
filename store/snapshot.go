package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
)

// AccountMeta is what the Dunning workflow shows in its search attributes.
type AccountMeta struct {
	EntityCode string `json:"entity_code"`
	AgentEmail string `json:"agent_email"`
	// CreditHold is set while the account is on credit hold.
	CreditHold *CreditHoldMeta `json:"credit_hold,omitempty"`
	// LegalStatus is the customer's (customers.legal_status): an insolvent
	// one is not dunned (activities.LoadAccount). Absent from older histories.
	LegalStatus domain.LegalStatus `json:"legal_status,omitempty"`
}

const snapshotCustomer = `
SELECT c.id, c.country, c.timezone, c.risk_class, c.currency, c.email <> '', c.phone <> '',
       e.code, coalesce(a.email, ''),
       extract(epoch FROM e.contact_window_start)::bigint, extract(epoch FROM e.contact_window_end)::bigint, e.contact_any_time,
       e.id, CASE WHEN e.currency = c.currency THEN e.min_amount_to_chase_minor ELSE 0 END,
       c.on_hold, coalesce(c.on_hold_scenario_id, 0), c.legal_status
FROM customers c
JOIN entities e ON e.id = c.entity_id
LEFT JOIN users a ON a.id = c.agent_id
WHERE c.id = $1`

// Each open invoice gets its scenario: the customer's pinned one, else the
// first assignment rule (lowest position) that matches, else the default;
// h is its active hold, if any (at most one: invoice_holds_active_idx).
const snapshotItems = `
SELECT i.id, i.number, i.due_date, i.open_minor, i.status, i.currency,
       coalesce(c.scenario_id, rule.scenario_id, (SELECT id FROM scenarios WHERE is_default)) AS scenario_id,
       EXISTS (SELECT 1 FROM tasks t WHERE t.customer_id = c.id AND t.kind = 'escalation' AND t.status = 'open'
               AND i.id = ANY (t.invoice_ids)) AS escalated,
       greatest((SELECT max(p.promised_date + p.grace_days) FROM promises p
                 WHERE p.customer_id = c.id AND p.status = 'open' AND i.id = ANY (p.invoice_ids)),
                -- a plan holds through its next instalment's check; when that
                -- one is met the hold moves on to the following one
                (SELECT min(n.due_date + pp.tolerance_days) FROM payment_plans pp
                 JOIN plan_instalments n ON n.plan_id = pp.id AND n.status = 'pending'
                 WHERE pp.customer_id = c.id AND pp.status = 'open' AND i.id = ANY (pp.invoice_ids))) AS promise_until,
       h.id IS NOT NULL, h.until, coalesce(h.reason, '')
FROM invoices i
JOIN customers c ON c.id = i.customer_id
JOIN entities e ON e.id = c.entity_id
LEFT JOIN invoice_holds h ON h.invoice_id = i.id AND h.released_at IS NULL
LEFT JOIN LATERAL (
    SELECT r.scenario_id FROM assignment_rules r JOIN scenarios s ON s.id = r.scenario_id AND s.archived_at IS NULL
    WHERE (r.entity_code IS NULL OR r.entity_code = e.code)
      AND (r.country IS NULL OR r.country = c.country)
      AND (r.category IS NULL OR r.category = c.category)
      AND (r.risk_class IS NULL OR r.risk_class = c.risk_class)
      AND (r.currency IS NULL OR (r.currency = i.currency
           AND (r.min_amount_minor IS NULL OR i.amount_minor >= r.min_amount_minor)
           AND (r.max_amount_minor IS NULL OR i.amount_minor < r.max_amount_minor)))
    ORDER BY r.position LIMIT 1
) rule ON true
WHERE i.customer_id = $1 AND i.type = 'invoice' AND i.status IN ('open', 'disputed') AND i.open_minor > 0
  AND NOT i.in_proceedings -- declared in insolvency proceedings: never dunned again
ORDER BY i.due_date, i.id`

// snapshotCredits are what the account may net against what it owes: open
// credit notes and payments not allocated to an invoice.
const snapshotCredits = `
SELECT 'credit_note', i.id, i.number, i.issue_date, i.currency, i.open_minor
FROM invoices i WHERE i.customer_id = $1 AND i.type = 'credit_note' AND i.status = 'open' AND i.open_minor > 0
UNION ALL
SELECT 'unallocated_payment', p.id, p.external_id, p.received_on, p.currency, p.unallocated_minor
FROM payments p WHERE p.customer_id = $1 AND p.unallocated_minor > 0
ORDER BY 4, 2`

func (s *Store) accountCredits(ctx context.Context, customerID int64) ([]dunning.Credit, error) {
	rows, err := s.Pool.Query(ctx, snapshotCredits, customerID)
	if err != nil {
		return nil, err
	}
	credits, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (dunning.Credit, error) {
		var c dunning.Credit
		var on time.Time
		var currency string
		if err := r.Scan(&c.Kind, &c.ID, &c.Number, &on, &currency, &c.Minor); err != nil {
			return c, err
		}
		c.Date = dunning.DateOf(on)
		var err error
		c.Currency, err = money.ParseCurrency(currency)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("credits of customer %d: %w", customerID, err)
	}
	return credits, nil
}

const snapshotScenarios = `
SELECT s.id, s.name, v.version, v.steps, v.settings
FROM scenarios s JOIN scenario_versions v ON v.scenario_id = s.id AND v.version = s.current_version
WHERE s.id = ANY ($1)`

// AccountSnapshot reads what the planner needs about one account: its open
// items with their scenarios (current versions: an edit applies at the next
// evaluation), contact window, calendar country and time zone, and the hold
// of open promises (PromiseUntil).
func (s *Store) AccountSnapshot(ctx context.Context, customerID int64) (dunning.Account, AccountMeta, error) {
	var a dunning.Account
	var meta AccountMeta
	var cur string
	var winStart, winEnd, entityID int64
	var creditHold CreditHoldMeta
	err := s.Pool.QueryRow(ctx, snapshotCustomer, customerID).Scan(&a.CustomerID, &a.Country, &a.TimeZone, &a.RiskClass, &cur,
		&a.HasEmail, &a.HasPhone, &meta.EntityCode, &meta.AgentEmail, &winStart, &winEnd, &a.Window.AnyTime,
		&entityID, &a.MinChaseMinor, &creditHold.OnHold, &creditHold.ScenarioID, &meta.LegalStatus)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, meta, domain.Errorf(domain.CodeNotFound, "customer %d not found", customerID)
	}
	if err != nil {
		return a, meta, err
	}
	if a.Currency, err = money.ParseCurrency(cur); err != nil {
		return a, meta, err
	}
	a.Window.Start, a.Window.End = time.Duration(winStart)*time.Second, time.Duration(winEnd)*time.Second
	if a.MessagesWait, err = s.StaleData(ctx, entityID, time.Now()); err != nil {
		return a, meta, err
	}
	if a.Credits, err = s.accountCredits(ctx, customerID); err != nil {
		return a, meta, err
	}

	rows, err := s.Pool.Query(ctx, snapshotItems, customerID)
	if err != nil {
		return a, meta, err
	}
	var scenarioIDs []int64
	seen := map[int64]bool{}
	a.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (dunning.Item, error) {
		var it dunning.Item
		var due time.Time
		var status string
		var scenario *int64
		var promised, holdUntil *time.Time
		var currency, holdReason string
		var held bool
		if err := r.Scan(&it.InvoiceID, &it.Number, &due, &it.OpenMinor, &status, &currency, &scenario, &it.Escalated, &promised,
			&held, &holdUntil, &holdReason); err != nil {
			return it, err
		}
		c, err := money.ParseCurrency(currency)
		if err != nil {
			return it, err
		}
		it.Currency = c
		if promised != nil { // an open promise holds the invoice through its date + grace
			until := dunning.DateOf(*promised)
			it.PromiseUntil = &until
		}
		if held {
			it.Hold = &dunning.Hold{Reason: holdReason}
			if holdUntil != nil {
				until := dunning.DateOf(*holdUntil)
				it.Hold.Until = &until
			}
		}
		if scenario == nil {
			return it, errors.New("no default scenario: the worker creates it at start")
		}
		it.DueDate, it.Status, it.ScenarioID = dunning.DateOf(due), domain.InvoiceStatus(status), *scenario
		if !seen[it.ScenarioID] {
			seen[it.ScenarioID] = true
			scenarioIDs = append(scenarioIDs, it.ScenarioID)
		}
		return it, nil
	})
	if err != nil {
		return a, meta, fmt.Errorf("open items of customer %d: %w", customerID, err)
	}
	if a.Holidays, err = s.accountHolidays(ctx, a.Country, entityID); err != nil {
		return a, meta, err
	}
	// The scenario that put the credit hold is loaded even when no item of it
	// is open any more: its ReleaseCreditHold setting decides the automatic release.
	if creditHold.OnHold {
		meta.CreditHold = &creditHold
		if creditHold.ScenarioID != 0 && !seen[creditHold.ScenarioID] {
			scenarioIDs = append(scenarioIDs, creditHold.ScenarioID)
		}
	}
	a.Scenarios = make(map[int64]dunning.Scenario, len(scenarioIDs))
	rows, err = s.Pool.Query(ctx, snapshotScenarios, scenarioIDs)
	if err != nil {
		return a, meta, err
	}
	defer rows.Close()
	for rows.Next() {
		var sc dunning.Scenario
		var steps, settings []byte
		if err := rows.Scan(&sc.ID, &sc.Name, &sc.Version, &steps, &settings); err != nil {
			return a, meta, err
		}
		if err := json.Unmarshal(steps, &sc.Steps); err != nil {
			return a, meta, fmt.Errorf("scenario %d version %d: %w", sc.ID, sc.Version, err)
		}
		if err := json.Unmarshal(settings, &sc.Settings); err != nil {
			return a, meta, fmt.Errorf("scenario %d version %d settings: %w", sc.ID, sc.Version, err)
		}
		a.Scenarios[sc.ID] = sc
	}
	return a, meta, rows.Err()
}
