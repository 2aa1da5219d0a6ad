package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/domain"
	"recoup/money"
	"recoup/store"
)

// accountPlan records a payment plan from the account page: one instalment a
// line ("2026-06-30 500.00"), for the ticked invoices or, none ticked, every
// open one that no promise or plan holds.
func (h *Handler) accountPlan(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	c, err := h.app.Customer(ctx, r.who, id) // the perimeter, and the currency amounts are read in
	if err != nil {
		return err
	}
	form := accountForm{Name: "plan", Values: r.c.Request.PostForm, Errors: fieldErrors{ByField: map[string]string{}}}
	req := app.PlanRequest{Currency: c.Currency.Code(), Note: r.c.PostForm("note")}
	for n, line := range strings.Split(strings.TrimSpace(r.c.PostForm("schedule")), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		date, amount, _ := strings.Cut(line, " ")
		minor, err := money.ParseMinor(formAmount(amount), c.Currency)
		if err != nil || strings.TrimSpace(amount) == "" {
			form.Errors.add("instalments", h.t(r, "account.plan.line_invalid", n+1, c.Currency.Code()))
			continue
		}
		req.Instalments = append(req.Instalments, app.InstalmentRequest{Date: date, AmountMinor: minor})
	}
	ticked := r.c.PostFormArray("invoice_ids")
	if req.InvoiceIDs = formIDs(ticked); req.InvoiceIDs == nil && len(ticked) > 0 {
		form.Errors.add("invoice_ids", h.t(r, "account.promise.invoices_invalid"))
	}
	if len(form.Errors.Summary) > 0 {
		return h.renderAccount(r, http.StatusBadRequest, form)
	}
	p, err := h.app.RecordPlan(ctx, r.who, id, req)
	if err != nil {
		return h.accountRefused(r, form, err)
	}
	return h.done(r, accountPath(id), h.t(r, "account.plan.recorded", len(p.Instalments),
		money.FormatMinor(p.Total.Minor, p.Total.Currency)+" "+p.Total.Currency.Code()))
}

// accountPlanCancel cancels an open payment plan, saying why: its invoices are dunned again at once.
func (h *Handler) accountPlanCancel(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	plan, err := pathID(r, "plan")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	list, err := h.app.Plans(ctx, r.who, id) // the perimeter; the plan must be this account's
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(list, func(p store.Plan) bool { return p.ID == plan }) {
		return domain.Errorf(domain.CodeNotFound, "payment plan %d is not one of this account's", plan)
	}
	form := accountForm{Name: "cancel-plan-" + strconv.FormatInt(plan, 10), Values: r.c.Request.PostForm,
		Errors: fieldErrors{ByField: map[string]string{}}}
	reason := strings.TrimSpace(r.c.PostForm("reason"))
	if reason == "" {
		form.Errors.add("reason", h.t(r, "account.reason_required"))
		return h.renderAccount(r, http.StatusBadRequest, form)
	}
	_, err = h.app.CancelPlan(ctx, r.who, plan, reason)
	if err != nil {
		return h.accountRefused(r, form, err)
	}
	return h.done(r, accountPath(id), h.t(r, "account.plan.cancelled"))
}
