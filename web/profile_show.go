package web

import (
	"net/http"
	"slices"

	"recoup/app"
	"recoup/store"
)

type profileData struct {
	Languages []string
	Language  string // saved; "" follows the browser
	Tokens    []store.Token
	TokenForm tokenForm
	Errors    fieldErrors
	// DigestAllowed: the user's role may receive the daily digest; Digest: they do.
	DigestAllowed, Digest bool
	// NotificationDigest: they get the email of their unread notifications.
	NotificationDigest bool
}

// profile is one's own settings: language, password, personal API tokens.
func (h *Handler) profile(r *request) error {
	return h.showProfile(r, http.StatusOK, profileData{})
}

func (h *Handler) showProfile(r *request, status int, d profileData) error {
	d.Languages, d.Language = app.Languages, r.who.Language
	if d.TokenForm.Scope == "" {
		d.TokenForm.Scope = "full"
	}
	d.DigestAllowed = slices.Contains(app.DigestRoles, r.who.Role)
	var err error
	if d.DigestAllowed { // the page shows the setting to these roles only
		if d.Digest, err = h.app.DigestOn(r.c.Request.Context(), r.who); err != nil {
			return err
		}
	}
	if d.NotificationDigest, err = h.app.NotificationDigestOn(r.c.Request.Context(), r.who); err != nil {
		return err
	}
	if d.Tokens, err = h.app.Tokens(r.c.Request.Context(), r.who); err != nil {
		return err
	}
	h.render(r.c, status, "profile", h.newPage(r, "profile.title", "", d))
	return nil
}
