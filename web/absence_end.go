package web

// absenceEnd ends an absence now: its handover gives back what nobody reassigned meanwhile.
func (h *Handler) absenceEnd(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ab, err := h.app.EndAbsence(r.c.Request.Context(), r.who, id)
	if err != nil {
		return err
	}
	return h.done(r, "/absences", h.t(r, "absence.ended", ab.AgentEmail))
}
