package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/domain"
	"recoup/money"
	"recoup/store"
)

// ruleForm is the assignment rule form as typed; its input names are the API's field names.
type ruleForm struct {
	Position, ScenarioID, Entity, Country, Category, RiskClass, Currency, MinAmount, MaxAmount string
}

func parseRuleForm(r *request) ruleForm {
	get := func(name string) string { return strings.TrimSpace(r.c.PostForm(name)) }
	return ruleForm{Position: get("position"), ScenarioID: get("scenario_id"), Entity: get("entity"),
		Country: strings.ToUpper(get("country")), Category: get("category"), RiskClass: get("risk_class"),
		Currency: strings.ToUpper(get("currency")), MinAmount: get("min_amount"), MaxAmount: get("max_amount")}
}

// ruleFormOf is the form for a stored rule (amounts as decimals in the band's currency).
func ruleFormOf(rule store.AssignmentRule) ruleForm {
	str := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	f := ruleForm{Position: strconv.Itoa(rule.Position), ScenarioID: strconv.FormatInt(rule.ScenarioID, 10), Entity: str(rule.EntityCode),
		Country: str(rule.Country), Category: str(rule.Category), RiskClass: str(rule.RiskClass), Currency: str(rule.Currency)}
	if cur, err := money.ParseCurrency(f.Currency); err == nil {
		if rule.MinAmountMinor != nil {
			f.MinAmount = money.FormatMinor(*rule.MinAmountMinor, cur)
		}
		if rule.MaxAmountMinor != nil {
			f.MaxAmount = money.FormatMinor(*rule.MaxAmountMinor, cur)
		}
	}
	return f
}

// request is the use case's input; numbers that are not numbers are errors of their field.
func (f ruleForm) request(notNumber func(field, value string) string) (app.RuleRequest, fieldErrors) {
	fe := fieldErrors{ByField: map[string]string{}}
	bad := func(field, value string) {
		msg := notNumber(field, value)
		fe.ByField[field] = msg
		fe.Summary = append(fe.Summary, msg)
	}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	req := app.RuleRequest{Entity: opt(f.Entity), Country: opt(f.Country), Category: opt(f.Category), RiskClass: opt(f.RiskClass),
		Currency: opt(f.Currency), MinAmount: opt(f.MinAmount), MaxAmount: opt(f.MaxAmount)}
	if f.Position != "" {
		n, err := strconv.Atoi(f.Position)
		if err != nil {
			bad("position", f.Position)
		}
		req.Position = n
	}
	if f.ScenarioID != "" {
		n, err := strconv.ParseInt(f.ScenarioID, 10, 64)
		if err != nil {
			bad("scenario_id", f.ScenarioID)
		}
		req.ScenarioID = n
	}
	return req, fe
}

type ruleFormData struct {
	ID        int64 // 0: a new rule
	Form      ruleForm
	Errors    fieldErrors
	Scenarios []store.ScenarioVersion // those a rule may assign (not archived)
	Entities  []store.Entity
}

// ruleNew shows the form for a new rule, added after the last one.
func (h *Handler) ruleNew(r *request) error {
	return h.ruleEditor(r, http.StatusOK, 0, ruleForm{}, fieldErrors{})
}

// ruleEdit shows a rule's form.
func (h *Handler) ruleEdit(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rule, err := h.app.Rule(r.c.Request.Context(), r.who, id)
	if err != nil {
		return err
	}
	return h.ruleEditor(r, http.StatusOK, id, ruleFormOf(rule), fieldErrors{})
}

func (h *Handler) ruleCreate(r *request) error { return h.ruleSave(r, 0) }

func (h *Handler) ruleUpdate(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.ruleSave(r, id)
}

func (h *Handler) ruleSave(r *request, id int64) error {
	ctx := r.c.Request.Context()
	f := parseRuleForm(r)
	req, fe := f.request(func(field, value string) string { return h.t(r, "rule.error.number", field, value) })
	if len(fe.Summary) > 0 {
		return h.ruleEditor(r, http.StatusBadRequest, id, f, fe)
	}
	var (
		rule store.AssignmentRule
		err  error
	)
	if id == 0 {
		rule, err = h.app.CreateRule(ctx, r.who, req)
	} else {
		rule, err = h.app.UpdateRule(ctx, r.who, id, req)
	}
	if fe, ok := formError(err); ok {
		return h.ruleEditor(r, http.StatusBadRequest, id, f, fe)
	}
	if de := (*domain.Error)(nil); errors.As(err, &de) && de.Code == domain.CodeConflict && de.Field != "" {
		fe := fieldErrors{ByField: map[string]string{de.Field: de.Message}, Summary: []string{de.Message}}
		return h.ruleEditor(r, http.StatusConflict, id, f, fe)
	}
	if err != nil {
		return err
	}
	return h.done(r, "/rules", h.t(r, "rule.saved", rule.Position))
}

func (h *Handler) ruleEditor(r *request, status int, id int64, f ruleForm, fe fieldErrors) error {
	ctx := r.c.Request.Context()
	scenarios, err := h.app.Scenarios(ctx, r.who, false)
	if err != nil {
		return err
	}
	entities, err := h.app.Entities(ctx, r.who)
	if err != nil {
		return err
	}
	d := ruleFormData{ID: id, Form: f, Errors: fe, Scenarios: scenarios, Entities: entities}
	title := "rule.new.title"
	if id > 0 {
		title = "rule.edit.title"
	}
	h.render(r.c, status, "rule_form", h.newPage(r, title, "nav.rules", d))
	return nil
}
