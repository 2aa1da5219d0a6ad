package web

import "strconv"

// claimTask makes the caller the task's assignee, then back to the list.
func (h *Handler) claimTask(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.app.ClaimTask(r.c.Request.Context(), r.who, id); err != nil {
		return err
	}
	return h.done(r, backTo(r), h.t(r, "worklist.claimed", strconv.FormatInt(id, 10)))
}
