package web

import (
	"context"
	"net/http"

	"recoup/domain"
	"recoup/money"
)

// ruleRow is one rule of the list, with its scenario's name; criteria
// are "" when they match anything.
type ruleRow struct {
	ID, ScenarioID                                 int64
	Position                                       int
	ScenarioName                                   string
	Entity, Country, Category, RiskClass, Currency string
	Min, Max                                       money.Money // the band's bounds
	HasMin, HasMax                                 bool
}

type ruleListData struct {
	Rules []ruleRow
}

// ruleList shows the assignment rules in the order they are tried.
func (h *Handler) ruleList(r *request) error {
	ctx := r.c.Request.Context()
	rules, err := h.app.Rules(ctx, r.who)
	if err != nil {
		return err
	}
	names, err := h.scenarioNames(ctx, r.who)
	if err != nil {
		return err
	}
	var d ruleListData
	for _, rule := range rules {
		f := ruleFormOf(rule)
		row := ruleRow{ID: rule.ID, ScenarioID: rule.ScenarioID, Position: rule.Position, ScenarioName: names[rule.ScenarioID],
			Entity: f.Entity, Country: f.Country, Category: f.Category, RiskClass: f.RiskClass, Currency: f.Currency}
		if cur, err := money.ParseCurrency(f.Currency); err == nil {
			if rule.MinAmountMinor != nil {
				row.Min, row.HasMin = money.Money{Minor: *rule.MinAmountMinor, Currency: cur}, true
			}
			if rule.MaxAmountMinor != nil {
				row.Max, row.HasMax = money.Money{Minor: *rule.MaxAmountMinor, Currency: cur}, true
			}
		}
		d.Rules = append(d.Rules, row)
	}
	h.render(r.c, http.StatusOK, "rule_list", h.newPage(r, "rule.list.title", "nav.rules", d))
	return nil
}

// scenarioNames names every scenario, archived ones too, by id.
func (h *Handler) scenarioNames(ctx context.Context, who domain.Principal) (map[int64]string, error) {
	list, err := h.app.Scenarios(ctx, who, true)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(list))
	for _, sc := range list {
		out[sc.ScenarioID] = sc.Name
	}
	return out, nil
}
