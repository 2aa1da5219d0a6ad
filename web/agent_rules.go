package web

import (
	"net/http"
	"strconv"
	"strings"

	"recoup/domain"
	"recoup/store"
)

// The agent rules page (routes in deskRoutes): the rules that give an agent
// to the customers the ERP sends without one, in the order they are tried;
// add, delete, move. Each change replaces the whole list
// (app.ReplaceAgentRules), which applies it at once to the customers still
// without an agent.

type agentRuleData struct {
	Rules    []store.AgentRule
	Entities []store.Entity
	Form     store.AgentRule // the add form sent back with its errors
	Errors   fieldErrors
}

// agentRuleList lists the rules, the first tried first, with the form to add one.
func (h *Handler) agentRuleList(r *request) error {
	return h.renderAgentRules(r, http.StatusOK, store.AgentRule{}, fieldErrors{})
}

func (h *Handler) renderAgentRules(r *request, status int, form store.AgentRule, fe fieldErrors) error {
	ctx := r.c.Request.Context()
	rules, err := h.app.AgentRules(ctx, r.who)
	if err != nil {
		return err
	}
	entities, err := h.app.Entities(ctx, r.who)
	if err != nil {
		return err
	}
	d := agentRuleData{Rules: rules, Entities: entities, Form: form, Errors: fe}
	h.render(r.c, status, "agent_rules", h.newPage(r, "agent_rule.title", "nav.portfolios", d))
	return nil
}

// agentRuleAdd adds a rule at the end of the list (tried last).
func (h *Handler) agentRuleAdd(r *request) error {
	rule := store.AgentRule{EntityCode: strings.TrimSpace(r.c.PostForm("entity")), Country: strings.TrimSpace(r.c.PostForm("country")),
		Category: strings.TrimSpace(r.c.PostForm("category")), AgentEmail: strings.TrimSpace(r.c.PostForm("agent_email"))}
	rules, err := h.app.AgentRules(r.c.Request.Context(), r.who)
	if err != nil {
		return err
	}
	return h.replaceAgentRules(r, append(rules, rule), rule, "agent_rule.added")
}

// agentRuleDelete removes the rule at a position.
func (h *Handler) agentRuleDelete(r *request) error {
	rules, i, err := h.agentRuleAt(r)
	if err != nil {
		return err
	}
	return h.replaceAgentRules(r, append(rules[:i:i], rules[i+1:]...), store.AgentRule{}, "agent_rule.deleted")
}

// agentRuleMove swaps the rule at a position with the one before (direction
// up) or after (down): the first match wins, so the order matters.
func (h *Handler) agentRuleMove(r *request) error {
	rules, i, err := h.agentRuleAt(r)
	if err != nil {
		return err
	}
	j := i + 1
	if r.c.PostForm("direction") == "up" {
		j = i - 1
	}
	if j < 0 || j >= len(rules) {
		return domain.FieldError("direction", "rule %d cannot move further", i+1)
	}
	rules[i], rules[j] = rules[j], rules[i]
	return h.replaceAgentRules(r, rules, store.AgentRule{}, "agent_rule.moved")
}

// agentRuleAt is the current list and the index of the rule the path names
// (its position, as listed).
func (h *Handler) agentRuleAt(r *request) ([]store.AgentRule, int, error) {
	rules, err := h.app.AgentRules(r.c.Request.Context(), r.who)
	if err != nil {
		return nil, 0, err
	}
	pos, err := strconv.Atoi(r.c.Param("pos"))
	for i, rule := range rules {
		if err == nil && rule.Position == pos {
			return rules, i, nil
		}
	}
	return nil, 0, domain.Errorf(domain.CodeNotFound, "no agent rule at position %q", r.c.Param("pos"))
}

// replaceAgentRules saves the list in its order; refused, the page again
// with the messages (on the add form).
func (h *Handler) replaceAgentRules(r *request, rules []store.AgentRule, form store.AgentRule, done string) error {
	_, err := h.app.ReplaceAgentRules(r.c.Request.Context(), r.who, rules)
	if fe, ok := formError(err); ok {
		// The added rule is the last: its messages go next to the add form's fields.
		last := "rules[" + strconv.Itoa(len(rules)-1) + "]."
		for field, msg := range fe.ByField {
			if name, ok := strings.CutPrefix(field, last); ok {
				fe.ByField[name] = msg
			}
		}
		return h.renderAgentRules(r, http.StatusBadRequest, form, fe)
	}
	if err != nil {
		return err
	}
	return h.done(r, "/agent-rules", h.t(r, done))
}
