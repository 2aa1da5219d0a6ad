package web

import "net/http"

// profilePassword changes one's password: the current one, then the new one
// twice. The other sessions end; this one stays.
func (h *Handler) profilePassword(r *request) error {
	c := r.c
	next := c.PostForm("new_password")
	if next != c.PostForm("new_password_again") {
		msg := h.t(r, "profile.password_mismatch")
		return h.showProfile(r, http.StatusBadRequest, profileData{Errors: fieldErrors{
			ByField: map[string]string{"new_password_again": msg}, Summary: []string{msg}}})
	}
	session, _ := c.Cookie(sessionCookie)
	err := h.app.ChangePassword(c.Request.Context(), r.who, c.PostForm("current_password"), next, session, c.ClientIP())
	if fe, ok := formError(err); ok {
		return h.showProfile(r, http.StatusBadRequest, profileData{Errors: fe})
	}
	if err != nil {
		return err
	}
	return h.done(r, "/profile", h.t(r, "profile.password_changed"))
}
