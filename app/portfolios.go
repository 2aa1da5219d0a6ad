package app

import (
	"context"
	"encoding/json"
	"strings"
	"sync"

	"recoup/auth"
	"recoup/domain"
	"recoup/flow"
	"recoup/store"
)

// MoveAccount gives one account to another agent: the one way an account
// changes agent (a single reassignment, a bulk assignment, an absence's
// handover out and back). When the account's Dunning workflow runs, through
// its reassign Update (which records the agent in Postgres and in the
// RecoupAgent search attribute); otherwise directly in Postgres. A process
// without Temporal records it in Postgres too: a running workflow reads the
// agent again at its next evaluation. Journaled in actor's name either way.
// It answers false, changing nothing, when the account already has that agent.
// It checks no permission: callers do (or are the system).
func (a *App) MoveAccount(ctx context.Context, customerID int64, agentEmail, actor string) (bool, error) {
	current, err := a.store.CurrentAgent(ctx, customerID)
	if err != nil || current == agentEmail {
		return false, err
	}
	if a.flow != nil {
		_, running, err := a.flow.ReassignIfRunning(ctx, customerID, flow.ReassignRequest{AgentEmail: agentEmail, By: actor})
		switch {
		case running && domain.ErrorCode(err) == domain.CodeConflict:
			// The workflow refused: its agent is stale (Postgres changed under
			// it, e.g. by an import). Postgres decides; the workflow, woken,
			// reads the agent again and sets its search attribute.
			if err := a.store.ReassignAgent(ctx, customerID, agentEmail, actor); err != nil {
				return false, err
			}
			a.AccountsChanged(ctx, Change{CustomerIDs: []int64{customerID}})
			return true, nil
		case running || err != nil:
			return err == nil, err
		}
	}
	return true, a.store.ReassignAgent(ctx, customerID, agentEmail, actor)
}

// AssignRequest is a bulk assignment: the accounts picked by the listed
// customer ids, or by the filter (entity code, country, category, current
// agent: "-" for none), go to the agent. DryRun answers what would move
// without moving anything.
type AssignRequest struct {
	CustomerIDs  []int64 `json:"customer_ids"`
	Entity       string  `json:"entity"`
	Country      string  `json:"country"`
	Category     string  `json:"category"`
	CurrentAgent string  `json:"current_agent"`
	AgentEmail   string  `json:"agent_email"`
	DryRun       bool    `json:"dry_run"`
}

// Assigned says what a bulk assignment moved (or would move, in a dry run).
type Assigned struct {
	DryRun   bool                     `json:"dry_run"`
	Matched  int64                    `json:"matched"` // accounts the filter picks that are not the agent's yet
	Moved    int                      `json:"moved"`
	Failed   []AssignFailure          `json:"failed"`
	Accounts []store.PortfolioAccount `json:"accounts"` // the first previewLimit accounts picked
}

// AssignFailure is an account a bulk assignment could not move, and why.
type AssignFailure struct {
	CustomerID int64  `json:"customer_id"`
	Error      string `json:"error"`
}

const (
	previewLimit = 100
	// maxBulk bounds one bulk assignment done within a request; larger
	// portfolios move by absences (a workflow) or in several requests.
	maxBulk = 20000
	// bulkConcurrency bounds the moves in flight.
	bulkConcurrency = 16
)

// AssignPortfolio moves the accounts inside who's perimeter that the request
// picks to one agent, each by MoveAccount, journaled in who's name.
func (a *App) AssignPortfolio(ctx context.Context, who domain.Principal, req AssignRequest) (Assigned, error) {
	out := Assigned{DryRun: req.DryRun, Failed: []AssignFailure{}}
	if err := allow(who, auth.DunningReassign); err != nil {
		return out, err
	}
	email := strings.ToLower(strings.TrimSpace(req.AgentEmail))
	f := store.PortfolioFilter{CustomerIDs: req.CustomerIDs, EntityCode: req.Entity, Country: strings.ToUpper(req.Country),
		Category: req.Category, AgentEmail: strings.ToLower(strings.TrimSpace(req.CurrentAgent)), Target: email}
	if email == "" {
		return out, domain.FieldError("agent_email", "required")
	}
	if err := a.checkUser(ctx, "agent_email", email); err != nil {
		return out, err
	}
	if f.AgentEmail != "" && f.AgentEmail != "-" {
		if err := a.checkUser(ctx, "current_agent", f.AgentEmail); err != nil {
			return out, err
		}
	}
	if f.EntityCode != "" {
		if ok, err := a.store.EntityExists(ctx, f.EntityCode); err != nil {
			return out, err
		} else if !ok {
			return out, domain.FieldError("entity", "no entity %s", f.EntityCode)
		}
	}
	if f.Country != "" && !isCountry(f.Country) {
		return out, domain.FieldError("country", "%q: want a two-letter ISO country code", req.Country)
	}
	if req.CustomerIDs != nil && len(req.CustomerIDs) == 0 {
		return out, domain.FieldError("customer_ids", "empty: list customers, or leave it out and filter")
	}
	if len(req.CustomerIDs) > maxBulk {
		return out, domain.FieldError("customer_ids", "%d customers: at most %d at once", len(req.CustomerIDs), maxBulk)
	}
	if req.CustomerIDs == nil && f.EntityCode == "" && f.Country == "" && f.Category == "" && f.AgentEmail == "" {
		return out, domain.FieldError("customer_ids", "say which accounts: customer_ids, or at least one of entity, country, category, current_agent")
	}
	limit := maxBulk
	if req.DryRun {
		limit = previewLimit
	}
	all, total, err := a.store.Portfolio(ctx, perimeter(who), f, limit)
	if err != nil {
		return out, err
	}
	out.Matched, out.Accounts = total, all[:min(previewLimit, len(all))]
	if req.DryRun || total == 0 {
		return out, nil
	}
	if total > maxBulk {
		return out, domain.FieldError("customer_ids", "%d accounts match: at most %d at once; narrow the filter", total, maxBulk)
	}
	// Several at a time: each move through a workflow is a round trip to the server and an activity.
	moved := make([]bool, len(all))
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	sem := make(chan struct{}, bulkConcurrency)
	for i, acct := range all {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			moved[i], errs[i] = a.MoveAccount(ctx, acct.ID, email, who.Actor())
		}()
	}
	wg.Wait()
	for i, acct := range all {
		switch err := errs[i]; {
		case err != nil:
			out.Failed = append(out.Failed, AssignFailure{CustomerID: acct.ID, Error: err.Error()})
		case moved[i]:
			out.Moved++
		}
	}
	if out.Moved == 0 && len(out.Failed) > 0 && domain.ErrorCode(errs[0]) == domain.CodeUnavailable {
		return out, errs[0] // Temporal or Postgres is down: nothing moved
	}
	after, _ := json.Marshal(map[string]any{"request": req, "matched": out.Matched, "moved": out.Moved, "failed": len(out.Failed)})
	return out, a.store.Append(ctx, store.Entry{Actor: who.Actor(), Action: "portfolio.assign", Target: "agent/" + email, After: after})
}

// AgentRules lists the rules that give an agent to customers the ERP sends without one.
func (a *App) AgentRules(ctx context.Context, who domain.Principal) ([]store.AgentRule, error) {
	if err := allow(who, auth.ScenariosRead); err != nil {
		return nil, err
	}
	return a.store.AgentRules(ctx)
}

// ReplaceAgentRules sets the whole list of agent rules, tried in the given
// order, and applies them at once to customers without an agent.
func (a *App) ReplaceAgentRules(ctx context.Context, who domain.Principal, rules []store.AgentRule) ([]store.AgentRule, error) {
	if err := allow(who, auth.AgentRulesWrite); err != nil {
		return nil, err
	}
	for i := range rules {
		r := &rules[i]
		r.AgentEmail = strings.ToLower(strings.TrimSpace(r.AgentEmail))
		r.Country = strings.ToUpper(strings.TrimSpace(r.Country))
		r.EntityCode, r.Category = strings.TrimSpace(r.EntityCode), strings.TrimSpace(r.Category)
		if r.AgentEmail == "" {
			return nil, domain.FieldError("rules["+itoa(int64(i))+"].agent_email", "required")
		}
		if r.Country != "" && !isCountry(r.Country) {
			return nil, domain.FieldError("rules["+itoa(int64(i))+"].country", "%q: want a two-letter ISO country code", r.Country)
		}
	}
	out, err := a.store.ReplaceAgentRules(ctx, rules, who.Actor())
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []store.AgentRule{}
	}
	_, err = a.store.ApplyAgentRules(ctx, who.Actor())
	return out, err
}

// checkUser refuses an email no user has, naming the field.
func (a *App) checkUser(ctx context.Context, field, email string) error {
	ok, err := a.store.UserExists(ctx, email)
	if err == nil && !ok {
		err = domain.FieldError(field, "no user %s", email)
	}
	return err
}

// isCountry says whether c looks like an ISO 3166 alpha-2 code (upper case).
func isCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}
