package web

// accountPortalRevoke ends every portal link and session of the account.
func (h *Handler) accountPortalRevoke(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, err := h.app.RevokePortalLinks(r.c.Request.Context(), r.who, id, r.c.PostForm("reason"))
	if err != nil {
		return err
	}
	return h.done(r, accountPath(id), h.t(r, "portal.staff.revoked", n))
}
