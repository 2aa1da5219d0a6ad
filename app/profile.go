package app

import (
	"context"
	"errors"
	"slices"
	"strings"

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
	if lang != "" && !slices.Contains(Languages, lang) {
		return domain.FieldError("language", "%q: want en or fr", lang)
	}
	if who.UserID == 0 {
		return domain.Errorf(domain.CodeInvalid, "%s has no profile", who.Actor())
	}
	return a.store.SetLanguage(ctx, who.UserID, lang, who.Actor())
}

// ChangePassword replaces who's password after checking the current one,
// with the password rule of auth (MinPasswordLength characters to bcrypt's
// 72 bytes). Wrong current passwords count as failed sign-ins, so the form
// cannot be used to guess. The other sessions of who end; keepSession (the
// secret of the session the change is made from, "" for none) stays.
func (a *App) ChangePassword(ctx context.Context, who domain.Principal, current, next, keepSession, address string) error {
	if err := allow(who, auth.TokensOwn); err != nil { // one's own profile: every signed-in person
		return err
	}
	if who.UserID == 0 || who.TokenID != 0 {
		return domain.Errorf(domain.CodeForbidden, "sign in with a password to change it")
	}
	if current == "" {
		return domain.FieldError("current_password", "required")
	}
	if err := a.throttled(ctx, who.Email, address); err != nil {
		return err
	}
	hash, err := a.store.PasswordHashByID(ctx, who.UserID)
	if err != nil {
		return err
	}
	if !auth.VerifyPassword(hash, current) {
		if err := a.store.RecordLogin(ctx, who.Email, address, false); err != nil {
			return err
		}
		return domain.FieldError("current_password", "is not your current password")
	}
	newHash, err := auth.HashPassword(next)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Field == "password" {
			return domain.FieldError("new_password", "%s", strings.TrimPrefix(de.Message, "password: "))
		}
		return err
	}
	var keep []byte
	if keepSession != "" {
		keep = auth.HashSecret(keepSession)
	}
	return a.store.SetPassword(ctx, who.UserID, newHash, keep, who.Actor())
}

// DigestRoles are the roles that may receive the daily digest email.
var DigestRoles = []domain.Role{domain.RoleCreditManager, domain.RoleAdmin}

// SetDigest records whether who receives the daily digest email (credit
// managers and admins; off by default).
func (a *App) SetDigest(ctx context.Context, who domain.Principal, on bool) error {
	if err := allow(who, auth.TokensOwn); err != nil { // one's own profile
		return err
	}
	if who.UserID == 0 {
		return domain.Errorf(domain.CodeInvalid, "%s has no profile", who.Actor())
	}
	if on && !slices.Contains(DigestRoles, who.Role) {
		return domain.FieldError("digest", "the daily digest is for credit managers and admins")
	}
	return a.store.SetDigest(ctx, who.UserID, on, who.Actor())
}

// DigestOn says whether who receives the daily digest email.
func (a *App) DigestOn(ctx context.Context, who domain.Principal) (bool, error) {
	if who.UserID == 0 {
		return false, nil
	}
	return a.store.UserDigest(ctx, who.UserID)
}
