package web

import "net/http"

// profileTokenCreate makes a personal API token and shows its secret once
// (the answer to the post: the secret is not kept).
func (h *Handler) profileTokenCreate(r *request) error {
	f, req := readTokenForm(r)
	tok, err := h.app.CreateToken(r.c.Request.Context(), r.who, req)
	if fe, ok := formError(err); ok {
		return h.showProfile(r, http.StatusBadRequest, profileData{TokenForm: f, Errors: fe})
	}
	if err != nil {
		return err
	}
	h.render(r.c, http.StatusOK, "user_token", h.newPage(r, "user.token_title", "", tokenShownData{Token: tok, Back: "/profile"}))
	return nil
}

// profileTokenRevoke revokes one of one's own tokens.
func (h *Handler) profileTokenRevoke(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.RevokeToken(r.c.Request.Context(), r.who, id); err != nil {
		return err
	}
	return h.done(r, "/profile", h.t(r, "user.token_revoked", id))
}
