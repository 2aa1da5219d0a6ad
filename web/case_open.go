package web

import (
	"net/http"
	"strconv"

	"recoup/app"
	"recoup/domain"
	"recoup/money"
	"recoup/store"
)

// caseOpen opens a case on the account from the account page: a dispute on
// the ticked invoices (each with the amount disputed in its currency's major
// units; empty: its whole open amount), or a request of another type. Then
// the new case's page.
func (h *Handler) caseOpen(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	c, err := h.app.Customer(ctx, r.who, id) // the perimeter, the invoices and the currency amounts are read in
	if err != nil {
		return err
	}
	form := accountForm{Name: "case", Values: r.c.Request.PostForm, Errors: fieldErrors{ByField: map[string]string{}}}
	req := app.CaseRequest{Type: r.c.PostForm("type"), CustomerID: id, Reason: r.c.PostForm("reason"),
		Description: r.c.PostForm("description"), Justification: r.c.PostForm("justification"),
		Field: r.c.PostForm("field"), Value: r.c.PostForm("value")}
	switch domain.CaseType(req.Type) {
	case domain.CaseDispute:
		form.Name = "dispute"
		ticked := r.c.PostFormArray("invoice_ids")
		ids := formIDs(ticked)
		if ids == nil && len(ticked) > 0 {
			form.Errors.add("invoices", h.t(r, "case.open.invoices_invalid"))
		}
		for _, inv := range ids {
			v := formAmount(r.c.PostForm("disputed_" + strconv.FormatInt(inv, 10)))
			cur := c.Currency
			for _, it := range c.OpenItems {
				if it.ID == inv {
					cur = it.Amount.Currency
				}
			}
			var minor int64 // 0: the whole open amount
			if v != "" {
				if minor, err = money.ParseMinor(v, cur); err != nil || minor <= 0 {
					form.Errors.add("invoices", h.t(r, "case.open.amount_invalid", cur.Code()))
					continue
				}
			}
			req.Invoices = append(req.Invoices, store.NewCaseInvoice{InvoiceID: inv, DisputedMinor: minor})
		}
	case domain.CaseCreditLimitRequest:
		v := formAmount(r.c.PostForm("new_limit"))
		if v != "" {
			minor, err := money.ParseMinor(v, c.Currency)
			if err != nil {
				form.Errors.add("new_limit_minor", h.t(r, "case.open.limit_invalid", c.Currency.Code()))
			}
			req.NewLimitMinor = &minor
		}
	}
	if len(form.Errors.Summary) > 0 {
		return h.renderAccount(r, http.StatusBadRequest, form)
	}
	k, err := h.app.OpenCase(ctx, r.who, req)
	if err != nil {
		return h.accountRefused(r, form, err)
	}
	return h.done(r, "/cases/"+strconv.FormatInt(k.ID, 10), h.t(r, "case.opened_flash", k.ID,
		h.t(r, caseWord("department", string(k.Department)))))
}
