package web

import (
	"net/http"
	"strconv"
	"strings"

	"recoup/app"
)

// accountTask asks someone to do something for the customer (a call, a
// purchase order, a payment plan to negotiate): a person by email, or the
// queue of a role (the customer's agent or sales rep, the credit managers).
// The due time is read in the customer's time zone; empty, now.
func (h *Handler) accountTask(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	c, err := h.app.Customer(ctx, r.who, id) // the perimeter, and the zone the due time is read in
	if err != nil {
		return err
	}
	form := accountForm{Name: "task", Values: r.c.Request.PostForm, Errors: fieldErrors{ByField: map[string]string{}}}
	in := app.NewTask{CustomerID: id, Kind: r.c.PostForm("kind"), AssigneeEmail: strings.TrimSpace(r.c.PostForm("assignee_email")),
		Note: r.c.PostForm("note")}
	if in.AssigneeEmail == "" {
		in.AssigneeRole = r.c.PostForm("assignee_role")
	}
	if v := strings.TrimSpace(r.c.PostForm("due_at")); v != "" {
		at, ok := parseLocal(v, c.TimeZone)
		if !ok {
			form.Errors.add("due_at", h.t(r, "account.task.due_invalid"))
			return h.renderAccount(r, http.StatusBadRequest, form)
		}
		in.DueAt = at
	}
	task, err := h.app.CreateTask(ctx, r.who, in)
	if err != nil {
		return h.accountRefused(r, form, err)
	}
	return h.done(r, accountPath(id), h.t(r, "account.task.created", strconv.FormatInt(task, 10)))
}
