package web

import "net/http"

// profileLanguage saves the language of the web app ("" follows the
// browser); the confirmation is already in the new language.
func (h *Handler) profileLanguage(r *request) error {
	lang := r.c.PostForm("language")
	err := h.app.SetLanguage(r.c.Request.Context(), r.who, lang)
	if fe, ok := formError(err); ok {
		return h.showProfile(r, http.StatusBadRequest, profileData{Errors: fe})
	}
	if err != nil {
		return err
	}
	next := h.catalog.choose(lang, r.c.GetHeader("Accept-Language"))
	return h.done(r, "/profile", h.catalog.text(next, "profile.language_saved"))
}
