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

// accountPromise records a promise to pay from the account page: an amount
// by a date, for the ticked invoices or, none ticked, the oldest open ones.
func (h *Handler) accountPromise(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	c, err := h.app.Customer(ctx, r.who, id) // the perimeter, and the currency the amount is read in
	if err != nil {
		return err
	}
	form := accountForm{Name: "promise", Values: r.c.Request.PostForm, Errors: fieldErrors{ByField: map[string]string{}}}
	req := app.PromiseRequest{Currency: c.Currency.Code(), Date: strings.TrimSpace(r.c.PostForm("date")),
		Note: r.c.PostForm("note"), Source: r.c.PostForm("source")}
	amount := formAmount(r.c.PostForm("amount"))
	if req.AmountMinor, err = money.ParseMinor(amount, c.Currency); err != nil || amount == "" {
		form.Errors.add("amount_minor", h.t(r, "account.promise.amount_invalid", c.Currency.Code()))
	}
	ticked := r.c.PostFormArray("invoice_ids")
	if req.InvoiceIDs = formIDs(ticked); req.InvoiceIDs == nil && len(ticked) > 0 {
		form.Errors.add("invoice_ids", h.t(r, "account.promise.invoices_invalid"))
	}
	req.OldestFirst = len(req.InvoiceIDs) == 0
	if len(form.Errors.Summary) > 0 {
		return h.renderAccount(r, http.StatusBadRequest, form)
	}
	p, err := h.app.RecordPromise(ctx, r.who, id, req)
	if err != nil {
		return h.accountRefused(r, form, err)
	}
	return h.done(r, accountPath(id), h.t(r, "account.promise.recorded", money.FormatMinor(p.Amount.Minor, p.Amount.Currency)+" "+
		p.Amount.Currency.Code(), p.Date.String(), p.Until().String()))
}

// accountPromiseCancel cancels an open promise, saying why: its invoices are dunned again at once.
func (h *Handler) accountPromiseCancel(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	promise, err := pathID(r, "promise")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	list, err := h.app.Promises(ctx, r.who, id) // the perimeter; the promise must be this account's
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(list, func(p store.Promise) bool { return p.ID == promise }) {
		return domain.Errorf(domain.CodeNotFound, "promise %d is not one of this account's", promise)
	}
	form := accountForm{Name: "cancel-" + strconv.FormatInt(promise, 10), Values: r.c.Request.PostForm,
		Errors: fieldErrors{ByField: map[string]string{}}}
	reason := strings.TrimSpace(r.c.PostForm("reason"))
	if reason == "" {
		form.Errors.add("reason", h.t(r, "account.reason_required"))
		return h.renderAccount(r, http.StatusBadRequest, form)
	}
	_, err = h.app.CancelPromise(ctx, r.who, promise, reason)
	if err != nil {
		return h.accountRefused(r, form, err)
	}
	return h.done(r, accountPath(id), h.t(r, "account.promise.cancelled"))
}

// formAmount reads an amount as people type it: spaces between thousands
// ignored, a decimal comma (French) taken for a point.
func formAmount(v string) string {
	v = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(strings.TrimSpace(v))
	if !strings.Contains(v, ".") && strings.Count(v, ",") == 1 {
		v = strings.Replace(v, ",", ".", 1)
	}
	return v
}
