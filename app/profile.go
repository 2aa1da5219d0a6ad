package app

import (
	"context"

	"recoup/auth"
	"recoup/domain"
)

// Languages the web app speaks; the first is the default.
var Languages = []string{"en", "fr"}

// SetLanguage records the language who chose for the web app ("" follows the browser).
func (a *App) SetLanguage(ctx context.Context, who domain.Principal, lang string) error {
	if err := allow(who, auth.TokensOwn); err != nil { // one's own profile: every signed-in person
		return err
	}
	if lang != "" && lang != "en" && lang != "fr" {
		return domain.FieldError("language", "%q: want en or fr", lang)
	}
	if who.UserID == 0 {
		return domain.Errorf(domain.CodeInvalid, "%s has no profile", who.Actor())
	}
	return a.store.SetLanguage(ctx, who.UserID, lang, who.Actor())
}
