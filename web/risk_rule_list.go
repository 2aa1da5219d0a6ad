package web

import (
	"net/http"
	"strings"

	"recoup/store"
)

// riskRuleRow is a rule as the list shows it: its parameters as text.
type riskRuleRow struct {
	store.RiskRule
	Drop      bool // a score drop: Points over Days
	Pts, Dys  int
	ScaleText string
	Scenario  string // the scenario it switches to ("": none)
	Task      string // the kind of task it creates ("": none)
}

type riskRuleListData struct {
	Rules []riskRuleRow
}

// riskRuleList shows the risk rules of the person's entities.
func (h *Handler) riskRuleList(r *request) error {
	ctx := r.c.Request.Context()
	rules, err := h.app.RiskRules(ctx, r.who, "")
	if err != nil {
		return err
	}
	names, err := h.scenarioNames(ctx, r.who)
	if err != nil {
		return err
	}
	var d riskRuleListData
	for _, rule := range rules {
		row := riskRuleRow{RiskRule: rule, ScaleText: strings.Join(rule.Scale, ", ")}
		if rule.Points != nil && rule.Days != nil {
			row.Drop, row.Pts, row.Dys = true, *rule.Points, *rule.Days
		}
		if rule.ScenarioID != nil {
			row.Scenario = names[*rule.ScenarioID]
		}
		if rule.TaskKind != nil {
			row.Task = string(*rule.TaskKind)
		}
		d.Rules = append(d.Rules, row)
	}
	h.render(r.c, http.StatusOK, "risk_rule_list", h.newPage(r, "risk.rules.title", "nav.risk_rules", d))
	return nil
}

// riskRuleDelete deletes a rule; its alerts stay.
func (h *Handler) riskRuleDelete(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	rule, err := h.app.RiskRule(ctx, r.who, id)
	if err != nil {
		return err
	}
	if err := h.app.DeleteRiskRule(ctx, r.who, id); err != nil {
		return err
	}
	return h.done(r, "/risk/rules", h.t(r, "risk.rule.deleted", rule.Name))
}
