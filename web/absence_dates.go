package web

import (
	"net/http"

	"recoup/app"
	"recoup/domain"
)

// absenceDates changes an absence's dates (days, UTC): the start while it
// has not begun, and the end; its handover waits for the new ones. Refused,
// the list again with the messages under that absence's form.
func (h *Handler) absenceDates(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := absenceDatesForm{ID: id, From: r.c.PostForm("from"), Until: r.c.PostForm("until")}
	from, errFrom := absenceDay("from", f.From)
	until, errUntil := absenceDay("until", f.Until)
	err = domain.Invalid(errFrom, errUntil)
	if err == nil {
		ab, cerr := h.app.ChangeAbsence(r.c.Request.Context(), r.who, id, app.AbsenceDates{From: from, Until: until})
		if cerr == nil {
			return h.done(r, "/absences", h.t(r, "absence.dates.changed", ab.AgentEmail))
		}
		err = cerr
	}
	fe, ok := formError(err)
	if !ok {
		return err
	}
	f.Errors = fe
	return h.renderAbsencesWith(r, http.StatusBadRequest, absenceForm{}, fieldErrors{}, f)
}
