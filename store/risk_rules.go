package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// RiskRule is a credit manager's rule on an entity's risk signals (README
// "Credit risk", "Rules and alerts"): a condition and the actions of the
// alert it raises.
type RiskRule struct {
	ID          int64               `json:"id"`
	EntityID    int64               `json:"-"`
	Entity      string              `json:"entity"` // the entity's code
	Name        string              `json:"name"`
	Kind        domain.RiskRuleKind `json:"kind"`
	Points      *int                `json:"points,omitempty"` // score_drop
	Days        *int                `json:"days,omitempty"`   // score_drop
	Scale       []string            `json:"scale"`            // rating_worse; empty: the entity's (or the default)
	Consecutive int                 `json:"consecutive"`
	Notify      bool                `json:"notify"`
	Email       bool                `json:"email"`
	ScenarioID  *int64              `json:"scenario_id,omitempty"` // switch the account to this scenario
	CreditHold  bool                `json:"credit_hold"`
	TaskKind    *domain.TaskKind    `json:"task_kind,omitempty"` // create a task of this kind for the agent
	Active      bool                `json:"active"`
	CreatedAt   time.Time           `json:"created_at"`
	UpdatedAt   time.Time           `json:"updated_at"`
}

// RiskTaskKinds are the task kinds a risk rule may create.
var RiskTaskKinds = []domain.TaskKind{domain.TaskCall, domain.TaskEscalation, domain.TaskPurchaseOrder, domain.TaskPaymentPlan}

// RiskRuleTarget names a risk rule in the journal.
func RiskRuleTarget(id int64) string { return "risk_rule/" + strconv.FormatInt(id, 10) }

// Condition is the rule's condition, its scale filled from entityScale (then
// the default) when it has none.
func (r RiskRule) Condition(entityScale []string) domain.RiskCondition {
	c := domain.RiskCondition{Kind: r.Kind, Scale: r.Scale, Consecutive: r.Consecutive}
	if r.Points != nil {
		c.Points = *r.Points
	}
	if r.Days != nil {
		c.Days = *r.Days
	}
	if len(c.Scale) == 0 {
		c.Scale = entityScale
	}
	if len(c.Scale) == 0 {
		c.Scale = domain.DefaultRatingScale
	}
	return c
}

const (
	riskRuleColumns = `r.id, r.entity_id, e.code, r.name, r.kind, r.points, r.days, r.scale, r.consecutive, r.notify, r.email,
       r.scenario_id, r.credit_hold, r.task_kind, r.active, r.created_at, r.updated_at`
	listRiskRules = `
SELECT ` + riskRuleColumns + ` FROM risk_rules r JOIN entities e ON e.id = r.entity_id
WHERE (@entity::text IS NULL OR e.code = @entity::text) AND (@entities::bigint[] IS NULL OR r.entity_id = ANY (@entities::bigint[]))
ORDER BY e.code, r.name, r.id`
	getRiskRule    = `SELECT ` + riskRuleColumns + ` FROM risk_rules r JOIN entities e ON e.id = r.entity_id WHERE r.id = $1`
	riskRuleEntity = `SELECT id FROM entities WHERE code = $1`
	insertRiskRule = `
INSERT INTO risk_rules (entity_id, name, kind, points, days, scale, consecutive, notify, email, scenario_id, credit_hold,
                        task_kind, active)
VALUES (@entity, @name, @kind, @points, @days, @scale, @consecutive, @notify, @email, @scenario, @credit_hold, @task_kind, @active)
RETURNING id`
	updateRiskRule = `
UPDATE risk_rules SET entity_id = @entity, name = @name, kind = @kind, points = @points, days = @days, scale = @scale,
       consecutive = @consecutive, notify = @notify, email = @email, scenario_id = @scenario, credit_hold = @credit_hold,
       task_kind = @task_kind, active = @active, updated_at = now()
WHERE id = @id`
	deleteRiskRule = `DELETE FROM risk_rules WHERE id = $1`
)

func scanRiskRule(r pgx.Row) (RiskRule, error) {
	var x RiskRule
	var points, days *int16
	var consecutive int16
	var task *string
	err := r.Scan(&x.ID, &x.EntityID, &x.Entity, &x.Name, &x.Kind, &points, &days, &x.Scale, &consecutive, &x.Notify, &x.Email,
		&x.ScenarioID, &x.CreditHold, &task, &x.Active, &x.CreatedAt, &x.UpdatedAt)
	x.Consecutive = int(consecutive)
	if points != nil {
		p := int(*points)
		x.Points = &p
	}
	if days != nil {
		d := int(*days)
		x.Days = &d
	}
	if task != nil {
		k := domain.TaskKind(*task)
		x.TaskKind = &k
	}
	if x.Scale == nil {
		x.Scale = []string{}
	}
	return x, err
}

// RiskRules lists the rules of entity ("": every entity) among entities (nil: all).
func (s *Store) RiskRules(ctx context.Context, entity string, entities []int64) ([]RiskRule, error) {
	var code *string
	if entity != "" {
		code = &entity
	}
	rows, err := s.Pool.Query(ctx, listRiskRules, pgx.NamedArgs{"entity": code, "entities": entities})
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RiskRule{}
	for rows.Next() {
		r, err := scanRiskRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RiskRule reads one rule; CodeNotFound when there is none.
func (s *Store) RiskRule(ctx context.Context, id int64) (RiskRule, error) {
	r, err := scanRiskRule(s.Pool.QueryRow(ctx, getRiskRule, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, domain.Errorf(domain.CodeNotFound, "risk rule %d not found", id)
	}
	return r, err
}

// SaveRiskRule creates r (ID 0) or replaces rule r.ID, journaled
// "risk_rule.create" or "risk_rule.update" by actor. An unknown entity or
// scenario, or a name the entity uses already, is an error on its field;
// entities (nil: all) are those the caller may change rules of, before and after.
func (s *Store) SaveRiskRule(ctx context.Context, r RiskRule, entities []int64, actor string) (RiskRule, error) {
	var before RiskRule
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, riskRuleEntity, r.Entity).Scan(&r.EntityID); errors.Is(err, pgx.ErrNoRows) ||
			(err == nil && entities != nil && !slices.Contains(entities, r.EntityID)) {
			return domain.FieldError("entity", "no entity %q", r.Entity)
		} else if err != nil {
			return err
		}
		if r.ScenarioID != nil {
			if err := checkScenarioUsable(ctx, tx, *r.ScenarioID); err != nil {
				return err
			}
		}
		var task *string
		if r.TaskKind != nil {
			k := string(*r.TaskKind)
			task = &k
		}
		args := pgx.NamedArgs{"id": r.ID, "entity": r.EntityID, "name": r.Name, "kind": string(r.Kind), "points": r.Points,
			"days": r.Days, "scale": r.Scale, "consecutive": r.Consecutive, "notify": r.Notify, "email": r.Email,
			"scenario": r.ScenarioID, "credit_hold": r.CreditHold, "task_kind": task, "active": r.Active}
		action := "risk_rule.create"
		if r.ID == 0 {
			if err := tx.QueryRow(ctx, insertRiskRule, args).Scan(&r.ID); err != nil {
				return riskRuleConflict(err, r)
			}
		} else {
			var err error
			before, err = scanRiskRule(tx.QueryRow(ctx, getRiskRule+` FOR UPDATE OF r`, r.ID))
			if errors.Is(err, pgx.ErrNoRows) || (err == nil && entities != nil && !slices.Contains(entities, before.EntityID)) {
				return domain.Errorf(domain.CodeNotFound, "risk rule %d not found", r.ID)
			} else if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, updateRiskRule, args); err != nil {
				return riskRuleConflict(err, r)
			}
			action = "risk_rule.update"
		}
		after, err := json.Marshal(r)
		if err != nil {
			return err
		}
		var b json.RawMessage
		if before.ID != 0 {
			if b, err = json.Marshal(before); err != nil {
				return err
			}
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: action, Target: RiskRuleTarget(r.ID), Before: b, After: after})
	})
	if err != nil {
		return RiskRule{}, err
	}
	return s.RiskRule(ctx, r.ID)
}

func riskRuleConflict(err error, r RiskRule) error {
	if isUniqueViolation(err) {
		return domain.FieldError("name", "entity %s has a risk rule named %q already", r.Entity, r.Name)
	}
	return err
}

// DeleteRiskRule deletes a rule of entities (nil: any), journaled
// "risk_rule.delete"; its alerts stay.
func (s *Store) DeleteRiskRule(ctx context.Context, id int64, entities []int64, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		before, err := scanRiskRule(tx.QueryRow(ctx, getRiskRule+` FOR UPDATE OF r`, id))
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && entities != nil && !slices.Contains(entities, before.EntityID)) {
			return domain.Errorf(domain.CodeNotFound, "risk rule %d not found", id)
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, deleteRiskRule, id); err != nil {
			return err
		}
		b, err := json.Marshal(before)
		if err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "risk_rule.delete", Target: RiskRuleTarget(id), Before: b})
	})
}
