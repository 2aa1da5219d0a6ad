package app

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
)

// ScenarioRequest creates or changes a scenario.
type ScenarioRequest struct {
	Name    string         `json:"name"`
	Steps   []dunning.Step `json:"steps"`
	Default bool           `json:"default"` // only on create: the scenario used when no rule matches
	// Settings: contact pressure per channel (dunning.DefaultMinDaysBetween
	// when absent), credit hold release, reminder before a promise.
	Settings dunning.Settings `json:"settings"`
}

// Scenarios lists the scenarios (current versions), archived ones on request.
func (a *App) Scenarios(ctx context.Context, who domain.Principal, archived bool) ([]store.ScenarioVersion, error) {
	if err := allow(who, auth.ScenariosRead); err != nil {
		return nil, err
	}
	return a.store.Scenarios(ctx, archived)
}

// Scenario is one scenario at version (0: the current one).
func (a *App) Scenario(ctx context.Context, who domain.Principal, id int64, version int) (store.ScenarioVersion, error) {
	if err := allow(who, auth.ScenariosRead); err != nil {
		return store.ScenarioVersion{}, err
	}
	return a.store.Scenario(ctx, id, version)
}

// ScenarioVersions lists every version of a scenario.
func (a *App) ScenarioVersions(ctx context.Context, who domain.Principal, id int64) ([]store.ScenarioVersion, error) {
	if err := allow(who, auth.ScenariosRead); err != nil {
		return nil, err
	}
	return a.store.ScenarioVersions(ctx, id)
}

// CreateScenario adds a scenario, checked by the planner's own rules.
func (a *App) CreateScenario(ctx context.Context, who domain.Principal, req ScenarioRequest) (store.ScenarioVersion, error) {
	if err := allow(who, auth.ScenariosWrite); err != nil {
		return store.ScenarioVersion{}, err
	}
	sc, err := a.validScenario(ctx, req, nil)
	if err != nil {
		return store.ScenarioVersion{}, err
	}
	steps, settings, err := scenarioJSON(sc)
	if err != nil {
		return store.ScenarioVersion{}, err
	}
	return a.store.CreateScenario(ctx, req.Name, steps, req.Default, who.Actor(), settings)
}

// UpdateScenario saves a new version; running accounts use it at their next evaluation.
func (a *App) UpdateScenario(ctx context.Context, who domain.Principal, id int64, req ScenarioRequest) (store.ScenarioVersion, error) {
	if err := allow(who, auth.ScenariosWrite); err != nil {
		return store.ScenarioVersion{}, err
	}
	_, sc, err := a.nextVersion(ctx, id, req)
	if err != nil {
		return store.ScenarioVersion{}, err
	}
	steps, settings, err := scenarioJSON(sc)
	if err != nil {
		return store.ScenarioVersion{}, err
	}
	return a.store.UpdateScenario(ctx, id, &req.Name, steps, who.Actor(), settings)
}

// ArchiveScenario retires a scenario.
func (a *App) ArchiveScenario(ctx context.Context, who domain.Principal, id int64) error {
	if err := allow(who, auth.ScenariosWrite); err != nil {
		return err
	}
	return a.store.ArchiveScenario(ctx, id, who.Actor())
}

// nextVersion is req checked as the next version of scenario id
// (validScenario, keeping the current version's step ids), with the current
// version it follows.
func (a *App) nextVersion(ctx context.Context, id int64, req ScenarioRequest) (store.ScenarioVersion, dunning.Scenario, error) {
	cur, err := a.store.Scenario(ctx, id, 0)
	if err != nil {
		return cur, dunning.Scenario{}, err
	}
	var before []dunning.Step
	if err := json.Unmarshal(cur.Steps, &before); err != nil {
		return cur, dunning.Scenario{}, fmt.Errorf("scenario %d: %w", id, err)
	}
	sc, err := a.validScenario(ctx, req, before)
	return cur, sc, err
}

// scenarioJSON is a checked scenario's steps and settings as the store keeps them.
func scenarioJSON(sc dunning.Scenario) (steps, settings json.RawMessage, err error) {
	if steps, err = json.Marshal(sc.Steps); err != nil {
		return nil, nil, err
	}
	settings, err = json.Marshal(sc.Settings)
	return steps, settings, err
}

// validScenario checks a request with the planner's own rules, and that each
// reminder's template exists for its channel, and returns the scenario as
// saving it stores it. Every step gets its id: the one sent, else the id of
// the version before's step at the same offset and channel (a client that
// does not know ids keeps them), else a new one (dunning.AssignStepIDs).
func (a *App) validScenario(ctx context.Context, req ScenarioRequest, before []dunning.Step) (dunning.Scenario, error) {
	sc := dunning.Scenario{Name: req.Name, Steps: slices.Clone(req.Steps), Settings: req.Settings}
	taken := map[string]bool{}
	for _, st := range sc.Steps {
		taken[st.ID] = st.ID != ""
	}
	for i := range sc.Steps {
		if sc.Steps[i].ID != "" {
			continue
		}
		for _, b := range before {
			if b.ID != "" && !taken[b.ID] && b.OffsetDays == sc.Steps[i].OffsetDays && b.Channel == sc.Steps[i].Channel {
				sc.Steps[i].ID, taken[b.ID] = b.ID, true
				break
			}
		}
	}
	if err := sc.Validate(); err != nil {
		return dunning.Scenario{}, joined(err)
	}
	if err := a.checkStepTemplates(ctx, sc.Steps); err != nil {
		return dunning.Scenario{}, err
	}
	sc.AssignStepIDs()
	return sc, nil
}

// joined turns an errors.Join of field errors into one domain error.
func joined(err error) error {
	if multi, ok := err.(interface{ Unwrap() []error }); ok {
		return domain.Invalid(multi.Unwrap()...)
	}
	return err
}

// checkStepTemplates refuses reminder steps (email, sms, voice) whose template
// has no version for the step's channel in the effective set (defaults plus
// saved templates), naming each such step's field: steps[i].template. Any
// language will do: the language is chosen per customer when sending.
func (a *App) checkStepTemplates(ctx context.Context, steps []dunning.Step) error {
	list, err := a.effectiveTemplates(ctx)
	if err != nil {
		return err
	}
	known := map[string][]string{} // name → channels
	for _, v := range list {
		if chs := known[v.Name]; len(chs) == 0 || chs[len(chs)-1] != string(v.Channel) {
			known[v.Name] = append(chs, string(v.Channel))
		}
	}
	var errs []error
	for i, st := range steps {
		if !st.Channel.IsReminder() || strings.TrimSpace(st.Template) == "" {
			continue // dunning.Scenario.Validate reports these
		}
		field := fmt.Sprintf("steps[%d].template", i)
		chs, ok := known[st.Template]
		switch {
		case !ok:
			errs = append(errs, domain.FieldError(field, "no template %q (known: %s)", st.Template, strings.Join(slices.Sorted(maps.Keys(known)), ", ")))
		case !slices.Contains(chs, string(st.Channel)):
			errs = append(errs, domain.FieldError(field, "template %q has no %s version (it has %s)", st.Template, st.Channel, strings.Join(chs, ", ")))
		}
	}
	return domain.Invalid(errs...)
}

// PinScenario pins a customer to a scenario (nil unpins).
func (a *App) PinScenario(ctx context.Context, who domain.Principal, customerID int64, scenarioID *int64) error {
	if err := a.visibleCustomer(ctx, who, auth.ScenariosWrite, customerID); err != nil {
		return err
	}
	return a.store.PinCustomerScenario(ctx, customerID, scenarioID, who.Actor())
}

// RuleRequest creates or replaces an assignment rule. Criteria left out, null
// or "" match anything. Amounts are decimal strings in the band's currency.
type RuleRequest struct {
	Position   int     `json:"position"` // 0 or absent: after the last rule (create) or unchanged (update)
	ScenarioID int64   `json:"scenario_id"`
	Entity     *string `json:"entity"`
	Country    *string `json:"country"`
	Category   *string `json:"category"`
	RiskClass  *string `json:"risk_class"`
	Currency   *string `json:"currency"`
	MinAmount  *string `json:"min_amount"` // included
	MaxAmount  *string `json:"max_amount"` // excluded
}

// Rules lists the assignment rules in order.
func (a *App) Rules(ctx context.Context, who domain.Principal) ([]store.AssignmentRule, error) {
	if err := allow(who, auth.ScenariosRead); err != nil {
		return nil, err
	}
	return a.store.AssignmentRules(ctx)
}

// Rule is one assignment rule.
func (a *App) Rule(ctx context.Context, who domain.Principal, id int64) (store.AssignmentRule, error) {
	if err := allow(who, auth.ScenariosRead); err != nil {
		return store.AssignmentRule{}, err
	}
	return a.store.AssignmentRule(ctx, id)
}

// CreateRule adds an assignment rule.
func (a *App) CreateRule(ctx context.Context, who domain.Principal, req RuleRequest) (store.AssignmentRule, error) {
	if err := allow(who, auth.ScenariosWrite); err != nil {
		return store.AssignmentRule{}, err
	}
	r, err := validRule(req)
	if err != nil {
		return r, err
	}
	return a.store.CreateAssignmentRule(ctx, r, who.Actor())
}

// UpdateRule replaces an assignment rule.
func (a *App) UpdateRule(ctx context.Context, who domain.Principal, id int64, req RuleRequest) (store.AssignmentRule, error) {
	if err := allow(who, auth.ScenariosWrite); err != nil {
		return store.AssignmentRule{}, err
	}
	r, err := validRule(req)
	if err != nil {
		return r, err
	}
	r.ID = id
	return a.store.UpdateAssignmentRule(ctx, r, who.Actor())
}

// DeleteRule removes an assignment rule.
func (a *App) DeleteRule(ctx context.Context, who domain.Principal, id int64) error {
	if err := allow(who, auth.ScenariosWrite); err != nil {
		return err
	}
	return a.store.DeleteAssignmentRule(ctx, id, who.Actor())
}

var ruleCountryRE = regexp.MustCompile(`^[A-Z]{2}$`)

// maxRulePosition keeps positions well inside the int4 column.
const maxRulePosition = 1_000_000

// validRule checks a request and turns it into the rule to store; the store
// checks that the scenario and entity exist and that the position is free.
func validRule(req RuleRequest) (store.AssignmentRule, error) {
	r := store.AssignmentRule{Position: req.Position, ScenarioID: req.ScenarioID, EntityCode: ruleCriterion(req.Entity),
		Country: ruleCriterion(req.Country), Category: ruleCriterion(req.Category), RiskClass: ruleCriterion(req.RiskClass)}
	var errs []error
	if req.Position < 0 || req.Position > maxRulePosition {
		errs = append(errs, domain.FieldError("position", "%d: want 1 to %d (or none, to add the rule after the last one)", req.Position, maxRulePosition))
	}
	if req.ScenarioID < 1 {
		errs = append(errs, domain.FieldError("scenario_id", "required: the id of the scenario the rule assigns"))
	}
	if r.Country != nil && !ruleCountryRE.MatchString(*r.Country) {
		errs = append(errs, domain.FieldError("country", "%q: want an ISO 3166 code of two upper-case letters, such as FR", *r.Country))
	}
	var cur money.Currency
	if code := ruleCriterion(req.Currency); code != nil {
		c, err := money.ParseCurrency(*code)
		if err != nil {
			errs = append(errs, domain.FieldError("currency", "%v", err))
		} else {
			cur, r.Currency = c, new(c.Code())
		}
	}
	for _, b := range []struct {
		field string
		in    *string
		out   **int64
	}{{"min_amount", req.MinAmount, &r.MinAmountMinor}, {"max_amount", req.MaxAmount, &r.MaxAmountMinor}} {
		s := ruleCriterion(b.in)
		switch {
		case s == nil:
		case ruleCriterion(req.Currency) == nil:
			errs = append(errs, domain.FieldError(b.field, "an amount band needs a currency: set currency"))
		case cur.IsZero(): // the currency is wrong; said above
		default:
			minor, err := money.ParseMinor(*s, cur)
			switch {
			case err != nil:
				errs = append(errs, domain.FieldError(b.field, "%v", err))
			case minor < 0:
				errs = append(errs, domain.FieldError(b.field, "%q: may not be negative", *s))
			default:
				*b.out = &minor
			}
		}
	}
	if r.MinAmountMinor != nil && r.MaxAmountMinor != nil && *r.MinAmountMinor >= *r.MaxAmountMinor {
		errs = append(errs, domain.FieldError("max_amount", "must be above min_amount (%s): the band includes its minimum and excludes its maximum",
			*req.MinAmount))
	}
	return r, domain.Invalid(errs...)
}

// ruleCriterion is nil for an absent or blank criterion.
func ruleCriterion(s *string) *string {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	v := strings.TrimSpace(*s)
	return &v
}
