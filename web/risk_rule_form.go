package web

import (
	"net/http"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/domain"
	"recoup/store"
)

// riskRuleForm is the risk rule form as typed; its input names are the API's field names.
type riskRuleForm struct {
	Entity, Name, Kind, Points, Days, Scale, Consecutive, ScenarioID, TaskKind string
	Notify, Email, CreditHold, Active                                          bool
}

func parseRiskRuleForm(r *request) riskRuleForm {
	get := func(name string) string { return strings.TrimSpace(r.c.PostForm(name)) }
	on := func(name string) bool { return r.c.PostForm(name) == "on" }
	return riskRuleForm{Entity: get("entity"), Name: get("name"), Kind: get("kind"), Points: get("points"), Days: get("days"),
		Scale: get("scale"), Consecutive: get("consecutive"), ScenarioID: get("scenario_id"), TaskKind: get("task_kind"),
		Notify: on("notify"), Email: on("email"), CreditHold: on("credit_hold"), Active: on("active")}
}

// riskRuleFormOf is the form for a stored rule.
func riskRuleFormOf(rule store.RiskRule) riskRuleForm {
	f := riskRuleForm{Entity: rule.Entity, Name: rule.Name, Kind: string(rule.Kind), Scale: strings.Join(rule.Scale, ", "),
		Consecutive: strconv.Itoa(rule.Consecutive), Notify: rule.Notify, Email: rule.Email, CreditHold: rule.CreditHold, Active: rule.Active}
	if rule.Points != nil {
		f.Points = strconv.Itoa(*rule.Points)
	}
	if rule.Days != nil {
		f.Days = strconv.Itoa(*rule.Days)
	}
	if rule.ScenarioID != nil {
		f.ScenarioID = strconv.FormatInt(*rule.ScenarioID, 10)
	}
	if rule.TaskKind != nil {
		f.TaskKind = string(*rule.TaskKind)
	}
	return f
}

// request is the use case's input; numbers that are not numbers are errors of their field.
func (f riskRuleForm) request(notNumber func(field, value string) string) (app.RiskRuleRequest, fieldErrors) {
	var fe fieldErrors
	req := app.RiskRuleRequest{Entity: f.Entity, Name: f.Name, Kind: f.Kind, Notify: f.Notify, Email: f.Email,
		CreditHold: f.CreditHold, TaskKind: f.TaskKind, Active: &f.Active}
	number := func(field, v string) *int {
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.add(field, notNumber(field, v))
			return nil
		}
		return &n
	}
	req.Points, req.Days = number("points", f.Points), number("days", f.Days)
	if req.Kind != string(domain.RiskScoreDrop) { // the fields stay in the form, hidden by nothing: ignored for other kinds
		req.Points, req.Days = nil, nil
	}
	if n := number("consecutive", f.Consecutive); n != nil {
		req.Consecutive = *n
	}
	if f.ScenarioID != "" {
		id, err := strconv.ParseInt(f.ScenarioID, 10, 64)
		if err != nil {
			fe.add("scenario_id", notNumber("scenario_id", f.ScenarioID))
		}
		req.ScenarioID = &id
	}
	if req.Kind == string(domain.RiskRatingWorse) {
		for _, c := range strings.Split(f.Scale, ",") {
			if c = strings.TrimSpace(c); c != "" {
				req.Scale = append(req.Scale, c)
			}
		}
	}
	return req, fe
}

type riskRuleFormData struct {
	ID        int64 // 0: a new rule
	Form      riskRuleForm
	Errors    fieldErrors
	Kinds     []domain.RiskRuleKind
	TaskKinds []domain.TaskKind
	Scenarios []store.ScenarioVersion
	Entities  []store.Entity
	Default   string // the default rating scale
}

func (h *Handler) riskRuleNew(r *request) error {
	return h.riskRuleEditor(r, http.StatusOK, 0, riskRuleForm{Notify: true, Active: true, Consecutive: "1"}, fieldErrors{})
}

func (h *Handler) riskRuleEdit(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rule, err := h.app.RiskRule(r.c.Request.Context(), r.who, id)
	if err != nil {
		return err
	}
	return h.riskRuleEditor(r, http.StatusOK, id, riskRuleFormOf(rule), fieldErrors{})
}

func (h *Handler) riskRuleCreate(r *request) error { return h.riskRuleSave(r, 0) }

func (h *Handler) riskRuleUpdate(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.riskRuleSave(r, id)
}

func (h *Handler) riskRuleSave(r *request, id int64) error {
	ctx := r.c.Request.Context()
	f := parseRiskRuleForm(r)
	req, fe := f.request(func(field, value string) string { return h.t(r, "rule.error.number", field, value) })
	if len(fe.Summary) > 0 {
		return h.riskRuleEditor(r, http.StatusBadRequest, id, f, fe)
	}
	var (
		rule store.RiskRule
		err  error
	)
	if id == 0 {
		rule, err = h.app.CreateRiskRule(ctx, r.who, req)
	} else {
		rule, err = h.app.UpdateRiskRule(ctx, r.who, id, req)
	}
	if fe, ok := formError(err); ok {
		return h.riskRuleEditor(r, http.StatusBadRequest, id, f, fe)
	}
	if err != nil {
		return err
	}
	return h.done(r, "/risk/rules", h.t(r, "risk.rule.saved", rule.Name))
}

func (h *Handler) riskRuleEditor(r *request, status int, id int64, f riskRuleForm, fe fieldErrors) error {
	ctx := r.c.Request.Context()
	scenarios, err := h.app.Scenarios(ctx, r.who, false)
	if err != nil {
		return err
	}
	entities, err := h.app.Entities(ctx, r.who)
	if err != nil {
		return err
	}
	d := riskRuleFormData{ID: id, Form: f, Errors: fe, Kinds: domain.RiskRuleKinds, TaskKinds: store.RiskTaskKinds,
		Scenarios: scenarios, Entities: entities, Default: strings.Join(domain.DefaultRatingScale, ", ")}
	title := "risk.rule.new"
	if id > 0 {
		title = "risk.rule.edit"
	}
	h.render(r.c, status, "risk_rule_form", h.newPage(r, title, "nav.risk_rules", d))
	return nil
}
