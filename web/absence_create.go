package web

import (
	"net/http"
	"strings"

	"recoup/app"
	"recoup/domain"
)

// absenceCreate starts an absence: its handover moves the agent's accounts on its first day.
func (h *Handler) absenceCreate(r *request) error {
	f := absenceForm{AgentEmail: r.c.PostForm("agent_email"), Delegates: r.c.PostForm("delegates"),
		From: r.c.PostForm("from"), Until: r.c.PostForm("until"), Reason: r.c.PostForm("reason")}
	req := app.AbsenceRequest{AgentEmail: f.AgentEmail, Reason: f.Reason,
		Delegates: strings.FieldsFunc(f.Delegates, func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == ';' })}
	from, errFrom := absenceDay("from", f.From)
	until, errUntil := absenceDay("until", f.Until)
	err := domain.Invalid(errFrom, errUntil)
	if err == nil {
		req.From, req.Until = from, until
		created, cerr := h.app.CreateAbsence(r.c.Request.Context(), r.who, req)
		if cerr == nil {
			return h.done(r, "/absences", h.t(r, "absence.started", created.AgentEmail))
		}
		err = cerr
	}
	if fe, ok := formError(err); ok {
		return h.renderAbsences(r, http.StatusBadRequest, f, fe)
	}
	return err
}
