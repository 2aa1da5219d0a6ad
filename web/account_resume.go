package web

// accountResume lifts the account's pause.
func (h *Handler) accountResume(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.app.ResumeDunning(r.c.Request.Context(), r.who, id); err != nil {
		return err
	}
	return h.done(r, accountPath(id), h.t(r, "account.resumed"))
}
