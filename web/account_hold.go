package web

import (
	"net/http"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/dunning"
)

// accountHold holds one invoice of the account out of the reminders.
func (h *Handler) accountHold(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	form := accountForm{Name: "hold", Values: r.c.Request.PostForm, Errors: fieldErrors{ByField: map[string]string{}}}
	invoice, err := strconv.ParseInt(r.c.PostForm("invoice_id"), 10, 64)
	if err != nil || invoice <= 0 {
		form.Errors.add("invoice_id", h.t(r, "hold.invoice_required"))
	}
	req := app.HoldRequest{Reason: r.c.PostForm("reason")}
	if v := strings.TrimSpace(r.c.PostForm("until")); v != "" {
		until, err := dunning.ParseDate(v)
		if err != nil {
			form.Errors.add("until", h.t(r, "hold.until_invalid"))
		}
		req.Until = &until
	}
	if len(form.Errors.Summary) > 0 {
		return h.renderAccount(r, http.StatusBadRequest, form)
	}
	hold, err := h.app.HoldInvoice(r.c.Request.Context(), r.who, invoice, req)
	if err != nil {
		return h.accountRefused(r, form, err)
	}
	msg := h.t(r, "hold.held_open")
	if hold.Until != nil {
		msg = h.t(r, "hold.held_until", hold.Until.String())
	}
	return h.done(r, accountPath(id), msg)
}

// accountHoldRelease lifts an invoice's hold.
func (h *Handler) accountHoldRelease(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	invoice, err := pathID(r, "invoice")
	if err != nil {
		return err
	}
	form := accountForm{Name: "release-" + strconv.FormatInt(invoice, 10), Values: r.c.Request.PostForm}
	_, err = h.app.ReleaseInvoice(r.c.Request.Context(), r.who, invoice, app.ReleaseRequest{Reason: r.c.PostForm("reason")})
	if err != nil {
		return h.accountRefused(r, form, err)
	}
	return h.done(r, accountPath(id), h.t(r, "hold.released"))
}

// accountCreditHoldRelease lifts the account's credit hold.
func (h *Handler) accountCreditHoldRelease(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	form := accountForm{Name: "credit-release", Values: r.c.Request.PostForm}
	err = h.app.ReleaseCreditHold(r.c.Request.Context(), r.who, id, app.ReleaseRequest{Reason: r.c.PostForm("reason")})
	if err != nil {
		return h.accountRefused(r, form, err)
	}
	return h.done(r, accountPath(id), h.t(r, "hold.credit_released"))
}
