package web

// ruleDelete removes a rule.
func (h *Handler) ruleDelete(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	rule, err := h.app.Rule(ctx, r.who, id)
	if err != nil {
		return err
	}
	if err := h.app.DeleteRule(ctx, r.who, id); err != nil {
		return err
	}
	return h.done(r, "/rules", h.t(r, "rule.deleted", rule.Position))
}
