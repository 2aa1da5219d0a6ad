package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"recoup/app"
)

// completionFields are the completion form's inputs (the API's JSON names),
// each with the catalogue message shown next to it when the use case refuses it.
var completionFields = []string{"outcome", "note", "channel", "paid_on", "reference", "callback_at"}

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
