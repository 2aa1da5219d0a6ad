package web

import "net/http"

// profileDigest turns the daily digest email on or off (a checkbox: absent is off).
func (h *Handler) profileDigest(r *request) error {
	err := h.app.SetDigest(r.c.Request.Context(), r.who, r.c.PostForm("digest") == "on")
	if fe, ok := formError(err); ok {
		return h.showProfile(r, http.StatusBadRequest, profileData{Errors: fe})
	}
	if err != nil {
		return err
	}
	return h.done(r, "/profile", h.t(r, "profile.digest_saved"))
}

// profileNotificationDigest turns the email of one's unread notifications on or off.
func (h *Handler) profileNotificationDigest(r *request) error {
	err := h.app.SetNotificationDigest(r.c.Request.Context(), r.who, r.c.PostForm("notification_digest") == "on")
	if fe, ok := formError(err); ok {
		return h.showProfile(r, http.StatusBadRequest, profileData{Errors: fe})
	}
	if err != nil {
		return err
	}
	return h.done(r, "/profile", h.t(r, "profile.notification_digest_saved"))
}
