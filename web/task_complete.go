package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/money"
)

// completionFields are the completion form's inputs (the API's JSON names),
// each with the catalogue message shown next to it when the use case refuses it.
var completionFields = []string{"outcome", "note", "channel", "paid_on", "reference", "callback_at", "amount_minor", "date", "invoice_ids"}

// The catalogue keys of an outcome's label and of a field's message, by suffix.
const (
	outcomeKey    = "worklist.outcome."
	fieldErrorKey = "worklist.error."
)

// completeTask records a task's outcome from the worklist's form; on invalid
// input the list again, with the messages next to the task's fields.
func (h *Handler) completeTask(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := r.c.Request.PostForm
	in := app.Completion{Outcome: f.Get("outcome"), Note: strings.TrimSpace(f.Get("note")), Channel: f.Get("channel"),
		PaidOn: strings.TrimSpace(f.Get("paid_on")), Reference: strings.TrimSpace(f.Get("reference"))}
	form := completionForm{TaskID: id, Values: f}
	if v := strings.TrimSpace(f.Get("callback_at")); v != "" {
		at, ok := parseLocal(v, f.Get("tz"))
		if !ok {
			form.Errors.add("callback_at", h.t(r, "worklist.error.callback_at"))
		}
		in.CallbackAt = at
	}
	if in.Outcome == "promise" {
		h.promiseFields(r, &in, &form)
	}
	if len(form.Errors.Summary) == 0 {
		var done app.CompletedTask
		done, err = h.app.CompleteTask(r.c.Request.Context(), r.who, id, in)
		if err == nil {
			return h.done(r, backTo(r), h.t(r, "worklist.completed", strconv.FormatInt(done.ID, 10), h.t(r, outcomeKey+string(done.Outcome))))
		}
		fe, ok := formError(err)
		if !ok {
			return err
		}
		for _, field := range completionFields { // in the user's language, next to the field
			if _, bad := fe.ByField[field]; bad {
				form.Errors.add(field, h.t(r, fieldErrorKey+field))
			}
		}
		if len(form.Errors.Summary) == 0 {
			form.Errors = fe
		}
	}
	query, _ := url.ParseQuery(backQuery(backTo(r)))
	return h.renderWorklist(r, http.StatusBadRequest, query, form)
}

// backQuery is the query of a local URL.
func backQuery(back string) string {
	u, err := url.Parse(back)
	if err != nil || u.Path != "/worklist" {
		return ""
	}
	return u.RawQuery
}

// promiseFields reads the promise made on the call: an amount in the
// customer's currency (the form's hidden currency) by a date, for the task's
// invoices (promise_invoices=task) or the oldest open ones.
func (h *Handler) promiseFields(r *request, in *app.Completion, form *completionForm) {
	f := r.c.Request.PostForm
	in.Promise = app.PromiseRequest{Currency: f.Get("currency"), Date: strings.TrimSpace(f.Get("promise_date")), Source: "call"}
	amount := formAmount(f.Get("amount"))
	cur, err := money.ParseCurrency(in.Promise.Currency)
	if err == nil {
		in.Promise.AmountMinor, err = money.ParseMinor(amount, cur)
	}
	if err != nil || amount == "" {
		form.Errors.add("amount_minor", h.t(r, fieldErrorKey+"amount_minor"))
	}
	if f.Get("promise_invoices") == "task" {
		in.Promise.InvoiceIDs = formIDs(f["task_invoice_ids"])
	}
	in.Promise.OldestFirst = len(in.Promise.InvoiceIDs) == 0
}
