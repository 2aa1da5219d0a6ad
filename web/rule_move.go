package web

import (
	"fmt"

	"recoup/domain"
)

// ruleMove moves a rule one place up or down (dir=up|down).
func (h *Handler) ruleMove(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	dir := r.c.PostForm("dir")
	if dir != "up" && dir != "down" {
		return domain.FieldError("dir", "%q: want up or down", dir)
	}
	rule, err := h.app.MoveRule(r.c.Request.Context(), r.who, id, dir == "up")
	if err != nil {
		return err
	}
	return h.done(r, fmt.Sprintf("/rules#rule-%d", rule.ID), h.t(r, "rule.moved", rule.Position))
}
