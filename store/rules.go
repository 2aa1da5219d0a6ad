package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"recoup/domain"
)

// AssignmentRule chooses a scenario for an invoice: the first rule (lowest
// Position) whose every set criterion matches wins; nil criteria match
// anything. The amount band is in Currency's minor units, the minimum
// included and the maximum excluded, and applies only to invoices in Currency.
type AssignmentRule struct {
	ID             int64     `json:"id"`
	Position       int       `json:"position"`
	ScenarioID     int64     `json:"scenario_id"`
	EntityCode     *string   `json:"entity,omitempty"`
	Country        *string   `json:"country,omitempty"`
	Category       *string   `json:"category,omitempty"`
	RiskClass      *string   `json:"risk_class,omitempty"`
	Currency       *string   `json:"currency,omitempty"`
	MinAmountMinor *int64    `json:"min_amount_minor,omitempty"`
	MaxAmountMinor *int64    `json:"max_amount_minor,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

const ruleColumns = `id, position, scenario_id, entity_code, country, category, risk_class, currency, min_amount_minor, max_amount_minor, created_at`

const (
	listRules  = `SELECT ` + ruleColumns + ` FROM assignment_rules ORDER BY position`
	getRule    = `SELECT ` + ruleColumns + ` FROM assignment_rules WHERE id = $1`
	lockRule   = getRule + ` FOR UPDATE`
	insertRule = `
INSERT INTO assignment_rules (position, scenario_id, entity_code, country, category, risk_class, currency, min_amount_minor, max_amount_minor)
VALUES (coalesce($1, (SELECT coalesce(max(position), 0) + 1 FROM assignment_rules)), $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING ` + ruleColumns
	updateRule = `
UPDATE assignment_rules SET position = coalesce($2, position), scenario_id = $3, entity_code = $4, country = $5, category = $6,
    risk_class = $7, currency = $8, min_amount_minor = $9, max_amount_minor = $10
WHERE id = $1 RETURNING ` + ruleColumns
	deleteRule = `DELETE FROM assignment_rules WHERE id = $1`
	// neighbourRule is the rule just before ($2 = true) or just after rule $1's position.
	neighbourRule = `
SELECT ` + ruleColumns + ` FROM assignment_rules
WHERE CASE WHEN $2 THEN position < $1 ELSE position > $1 END
ORDER BY CASE WHEN $2 THEN -position ELSE position END LIMIT 1 FOR UPDATE`
	setRulePosition     = `UPDATE assignment_rules SET position = $2 WHERE id = $1`
	scenarioUsable      = `SELECT archived_at IS NOT NULL FROM scenarios WHERE id = $1 FOR SHARE`
	entityExists        = `SELECT EXISTS (SELECT 1 FROM entities WHERE code = $1)`
	customerScenario    = `SELECT scenario_id FROM customers WHERE id = $1 FOR UPDATE`
	setCustomerScenario = `UPDATE customers SET scenario_id = $2, updated_at = now() WHERE id = $1`
)

// AssignmentRules lists the rules in the order they are tried.
func (s *Store) AssignmentRules(ctx context.Context) ([]AssignmentRule, error) {
	rows, err := s.Pool.Query(ctx, listRules)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AssignmentRule, error) { return scanRule(r) })
}

// AssignmentRule returns one rule.
func (s *Store) AssignmentRule(ctx context.Context, id int64) (AssignmentRule, error) {
	r, err := scanRule(s.Pool.QueryRow(ctx, getRule, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, domain.Errorf(domain.CodeNotFound, "assignment rule %d not found", id)
	}
	return r, err
}

// CreateAssignmentRule adds r (ID and CreatedAt are ignored); a zero Position
// puts it after the last rule. The scenario must exist and not be archived,
// the entity must exist, and the position must be free.
func (s *Store) CreateAssignmentRule(ctx context.Context, r AssignmentRule, actor string) (AssignmentRule, error) {
	var out AssignmentRule
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if err := checkRuleRefs(ctx, tx, r); err != nil {
			return err
		}
		var err error
		out, err = scanRule(tx.QueryRow(ctx, insertRule, positionArg(r.Position), r.ScenarioID, r.EntityCode, r.Country, r.Category,
			r.RiskClass, r.Currency, r.MinAmountMinor, r.MaxAmountMinor))
		if err != nil {
			return ruleError(err, r.Position)
		}
		after, _ := json.Marshal(out)
		return Journal(ctx, tx, Entry{Actor: actor, Action: "assignment_rule.create", Target: ruleTarget(out.ID), After: after})
	})
	return out, err
}

// UpdateAssignmentRule replaces rule r.ID's position (kept when zero), scenario and criteria.
func (s *Store) UpdateAssignmentRule(ctx context.Context, r AssignmentRule, actor string) (AssignmentRule, error) {
	var out AssignmentRule
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		old, err := scanRule(tx.QueryRow(ctx, lockRule, r.ID))
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "assignment rule %d not found", r.ID)
		} else if err != nil {
			return err
		}
		if err := checkRuleRefs(ctx, tx, r); err != nil {
			return err
		}
		out, err = scanRule(tx.QueryRow(ctx, updateRule, r.ID, positionArg(r.Position), r.ScenarioID, r.EntityCode, r.Country,
			r.Category, r.RiskClass, r.Currency, r.MinAmountMinor, r.MaxAmountMinor))
		if err != nil {
			return ruleError(err, r.Position)
		}
		before, _ := json.Marshal(old)
		after, _ := json.Marshal(out)
		return Journal(ctx, tx, Entry{Actor: actor, Action: "assignment_rule.update", Target: ruleTarget(r.ID), Before: before, After: after})
	})
	return out, err
}

// DeleteAssignmentRule removes a rule.
func (s *Store) DeleteAssignmentRule(ctx context.Context, id int64, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		old, err := scanRule(tx.QueryRow(ctx, lockRule, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "assignment rule %d not found", id)
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, deleteRule, id); err != nil {
			return err
		}
		before, _ := json.Marshal(old)
		return Journal(ctx, tx, Entry{Actor: actor, Action: "assignment_rule.delete", Target: ruleTarget(id), Before: before})
	})
}

// MoveAssignmentRule swaps rule id with the rule just before it (up) or just
// after it (down) in the order rules are tried. Moving the first rule up or
// the last one down changes nothing and is not an error.
func (s *Store) MoveAssignmentRule(ctx context.Context, id int64, up bool, actor string) (AssignmentRule, error) {
	var out AssignmentRule
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		r, err := scanRule(tx.QueryRow(ctx, lockRule, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "assignment rule %d not found", id)
		} else if err != nil {
			return err
		}
		out = r
		other, err := scanRule(tx.QueryRow(ctx, neighbourRule, r.Position, up))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // already first (or last)
		} else if err != nil {
			return err
		}
		// position is UNIQUE and checked row by row: park r on a position no
		// rule uses (positions are positive), then swap.
		for _, step := range []struct {
			id  int64
			pos int
		}{{r.ID, -r.Position}, {other.ID, r.Position}, {r.ID, other.Position}} {
			if _, err := tx.Exec(ctx, setRulePosition, step.id, step.pos); err != nil {
				return err
			}
		}
		out.Position = other.Position
		before, _ := json.Marshal(map[string]int{"position": r.Position})
		after, _ := json.Marshal(map[string]int{"position": other.Position})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "assignment_rule.move", Target: ruleTarget(id), Before: before, After: after})
	})
	return out, err
}

// PinCustomerScenario makes every invoice of the customer use scenarioID,
// whatever the rules say; nil unpins (the rules apply again).
func (s *Store) PinCustomerScenario(ctx context.Context, customerID int64, scenarioID *int64, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var before *int64
		if err := tx.QueryRow(ctx, customerScenario, customerID).Scan(&before); errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "customer %d not found", customerID)
		} else if err != nil {
			return err
		}
		if scenarioID != nil {
			if err := checkScenarioUsable(ctx, tx, *scenarioID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, setCustomerScenario, customerID, scenarioID); err != nil {
			return err
		}
		b, _ := json.Marshal(map[string]*int64{"scenario_id": before})
		a, _ := json.Marshal(map[string]*int64{"scenario_id": scenarioID})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "customer.scenario", Target: fmt.Sprintf("customer/%d", customerID), Before: b, After: a})
	})
}

func checkRuleRefs(ctx context.Context, tx pgx.Tx, r AssignmentRule) error {
	if err := checkScenarioUsable(ctx, tx, r.ScenarioID); err != nil {
		return err
	}
	if r.EntityCode != nil {
		var ok bool
		if err := tx.QueryRow(ctx, entityExists, *r.EntityCode).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return domain.FieldError("entity", "no entity %q", *r.EntityCode)
		}
	}
	return nil
}

// checkScenarioUsable refuses a missing or archived scenario, and holds the
// scenario's row so that it is not archived before the caller commits.
func checkScenarioUsable(ctx context.Context, tx pgx.Tx, id int64) error {
	var archived bool
	if err := tx.QueryRow(ctx, scenarioUsable, id).Scan(&archived); errors.Is(err, pgx.ErrNoRows) {
		return domain.FieldError("scenario_id", "no scenario %d", id)
	} else if err != nil {
		return err
	}
	if archived {
		return domain.FieldError("scenario_id", "scenario %d is archived", id)
	}
	return nil
}

func ruleError(err error, position int) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return &domain.Error{Code: domain.CodeConflict, Field: "position",
			Message: fmt.Sprintf("position: another rule already has position %d", position)}
	}
	return err
}

func positionArg(p int) *int {
	if p == 0 {
		return nil
	}
	return &p
}

func scanRule(r pgx.Row) (AssignmentRule, error) {
	var a AssignmentRule
	err := r.Scan(&a.ID, &a.Position, &a.ScenarioID, &a.EntityCode, &a.Country, &a.Category, &a.RiskClass, &a.Currency,
		&a.MinAmountMinor, &a.MaxAmountMinor, &a.CreatedAt)
	return a, err
}

func ruleTarget(id int64) string { return fmt.Sprintf("assignment_rule/%d", id) }
