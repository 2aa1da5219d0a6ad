package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// PortfolioFilter picks the accounts a bulk assignment moves: by the listed
// customer ids, or by entity, country, category and current agent (empty
// fields do not filter). Accounts already with the target agent never move.
type PortfolioFilter struct {
	CustomerIDs []int64
	EntityCode  string
	Country     string
	Category    string
	AgentEmail  string // current agent; "-" for accounts without one
	Target      string // the agent the accounts go to
}

// PortfolioAccount is an account a bulk assignment would move.
type PortfolioAccount struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	AgentEmail string `json:"agent_email"` // "" when it has none
}

const portfolioWhere = `
FROM customers c
LEFT JOIN entities e ON e.id = c.entity_id
LEFT JOIN users a ON a.id = c.agent_id
WHERE (@ids::bigint[] IS NULL OR c.id = ANY (@ids::bigint[]))
  AND (@entity::text IS NULL OR e.code = @entity::text)
  AND (@country::text IS NULL OR c.country = @country::text)
  AND (@category::text IS NULL OR c.category = @category::text)
  AND (@agent::text IS NULL OR (@agent::text = '-' AND c.agent_id IS NULL) OR a.email = @agent::text)
  AND a.email IS DISTINCT FROM @target::text
  AND ` + perimeterClause

const (
	countPortfolio = `SELECT count(*) ` + portfolioWhere
	listPortfolio  = `SELECT c.id, c.external_id, c.name, coalesce(a.email, '') ` + portfolioWhere + `
ORDER BY c.id LIMIT @limit`
)

// Portfolio answers how many accounts inside per the filter picks, and the
// first limit of them (by id).
func (s *Store) Portfolio(ctx context.Context, per Perimeter, f PortfolioFilter, limit int) ([]PortfolioAccount, int64, error) {
	args := per.args(pgx.NamedArgs{"ids": f.CustomerIDs, "entity": nullable(f.EntityCode), "country": nullable(f.Country),
		"category": nullable(f.Category), "agent": nullable(f.AgentEmail), "target": f.Target, "limit": limit})
	if f.CustomerIDs == nil {
		args["ids"] = nil
	}
	var total int64
	if err := s.Pool.QueryRow(ctx, countPortfolio, args).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.Pool.Query(ctx, listPortfolio, args)
	if err != nil {
		return nil, 0, err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PortfolioAccount, error) {
		var p PortfolioAccount
		return p, r.Scan(&p.ID, &p.ExternalID, &p.Name, &p.AgentEmail)
	})
	return list, total, err
}

// CurrentAgent is the customer's agent's email, "" when it has none.
func (s *Store) CurrentAgent(ctx context.Context, customerID int64) (string, error) {
	var email string
	err := s.Pool.QueryRow(ctx, currentAgent, customerID).Scan(&email)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", customerNotFound(customerID)
	}
	return email, err
}

// AgentRule gives an agent to the customers the ERP sends without one; empty
// criteria match anything. Rules are tried by position, the first match wins.
type AgentRule struct {
	Position   int    `json:"position"`
	EntityCode string `json:"entity,omitempty"`
	Country    string `json:"country,omitempty"`
	Category   string `json:"category,omitempty"`
	AgentEmail string `json:"agent_email"`
}

const (
	listAgentRules = `
SELECT r.position, coalesce(e.code, ''), r.country, r.category, u.email
FROM agent_rules r JOIN users u ON u.id = r.agent_id LEFT JOIN entities e ON e.id = r.entity_id
ORDER BY r.position`
	deleteAgentRules = `DELETE FROM agent_rules`
	insertAgentRule  = `
INSERT INTO agent_rules (position, entity_id, country, category, agent_id)
VALUES (@position, (SELECT id FROM entities WHERE code = @entity::text), @country, @category,
        (SELECT id FROM users WHERE email = @agent::text))`
	// applyAgentRules gives each customer without an agent the agent of the
	// first rule it matches, and answers who got whom.
	applyAgentRules = `
WITH pick AS (
    SELECT DISTINCT ON (c.id) c.id, r.agent_id
    FROM customers c
    JOIN agent_rules r ON (r.entity_id IS NULL OR r.entity_id = c.entity_id)
                      AND (r.country = '' OR r.country = c.country)
                      AND (r.category = '' OR r.category = c.category)
    WHERE c.agent_id IS NULL
    ORDER BY c.id, r.position)
UPDATE customers c SET agent_id = pick.agent_id, updated_at = now()
FROM pick WHERE c.id = pick.id AND c.agent_id IS NULL
RETURNING c.id, (SELECT email FROM users WHERE id = pick.agent_id)`
)

// AgentRules lists the rules in the order they are tried.
func (s *Store) AgentRules(ctx context.Context) ([]AgentRule, error) {
	rows, err := s.Pool.Query(ctx, listAgentRules)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AgentRule, error) {
		var a AgentRule
		return a, r.Scan(&a.Position, &a.EntityCode, &a.Country, &a.Category, &a.AgentEmail)
	})
}

// ReplaceAgentRules sets the whole list (positions 1..n in the given order) and journals it.
func (s *Store) ReplaceAgentRules(ctx context.Context, rules []AgentRule, actor string) ([]AgentRule, error) {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		before, err := s.AgentRules(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, deleteAgentRules); err != nil {
			return err
		}
		for i := range rules {
			r := &rules[i]
			r.Position = i + 1
			field := fmt.Sprintf("rules[%d]", i)
			if r.EntityCode != "" {
				var ok bool
				if err := tx.QueryRow(ctx, entityExists, r.EntityCode).Scan(&ok); err != nil {
					return err
				} else if !ok {
					return domain.FieldError(field+".entity", "no entity %s", r.EntityCode)
				}
			}
			var ok bool
			if err := tx.QueryRow(ctx, userExists, r.AgentEmail).Scan(&ok); err != nil {
				return err
			} else if !ok {
				return domain.FieldError(field+".agent_email", "no user %s", r.AgentEmail)
			}
			if _, err := tx.Exec(ctx, insertAgentRule, pgx.NamedArgs{"position": r.Position, "entity": r.EntityCode,
				"country": r.Country, "category": r.Category, "agent": r.AgentEmail}); err != nil {
				return err
			}
		}
		b, _ := json.Marshal(before)
		a, _ := json.Marshal(rules)
		return Journal(ctx, tx, Entry{Actor: actor, Action: "agent_rules.replace", Target: "agent-rules", Before: b, After: a})
	})
	return rules, err
}

// ApplyAgentRules gives an agent to every customer without one that a rule
// matches, journaled one by one, and answers the customers it assigned.
func (s *Store) ApplyAgentRules(ctx context.Context, actor string) ([]int64, error) {
	var ids []int64
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, applyAgentRules)
		if err != nil {
			return err
		}
		type assigned struct {
			id    int64
			email string
		}
		got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (assigned, error) {
			var a assigned
			return a, r.Scan(&a.id, &a.email)
		})
		if err != nil {
			return err
		}
		for _, a := range got {
			ids = append(ids, a.id)
			after, _ := json.Marshal(map[string]string{"agent_email": a.email, "by": "agent rule"})
			if err := Journal(ctx, tx, Entry{Actor: actor, Action: "customer.assign_rule", Target: fmt.Sprintf("customer/%d", a.id), After: after}); err != nil {
				return err
			}
		}
		return nil
	})
	return ids, err
}

// EntityExists says whether an entity has this code.
func (s *Store) EntityExists(ctx context.Context, code string) (bool, error) {
	var ok bool
	err := s.Pool.QueryRow(ctx, entityExists, code).Scan(&ok)
	return ok, err
}
