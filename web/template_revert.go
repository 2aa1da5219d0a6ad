package web

// templateRevert removes the saved version of a template: the shipped one is
// used again (a template without one is gone).
func (h *Handler) templateRevert(r *request) error {
	k := templateKey(r)
	if err := h.app.DeleteTemplate(r.c.Request.Context(), r.who, k); err != nil {
		return err
	}
	if hasDefault(k) {
		return h.done(r, templatePath(k), h.t(r, "template.reverted", k.Name, k.Channel, k.Language))
	}
	return h.done(r, "/templates", h.t(r, "template.deleted", k.Name, k.Channel, k.Language))
}
