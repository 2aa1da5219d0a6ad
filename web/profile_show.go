package web

import (
	"net/http"

	"recoup/app"
	"recoup/store"
)

type profileData struct {
	Languages []string
	Language  string // saved; "" follows the browser
	Tokens    []store.Token
	TokenForm tokenForm
	Errors    fieldErrors
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
	var err error
	if d.Tokens, err = h.app.Tokens(r.c.Request.Context(), r.who); err != nil {
		return err
	}
	h.render(r.c, status, "profile", h.newPage(r, "profile.title", "", d))
	return nil
}
