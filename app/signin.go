package app

import (
	"context"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// Sessions last SessionLifetime. Sign-in limits, over loginWindow: enough for
// a person who mistypes, far too few for guessing a password.
const (
	SessionLifetime      = 12 * time.Hour
	LoginWindow          = 15 * time.Minute
	maxFailuresPerEmail  = 5
	maxFailuresPerSource = 20
)

var errSignIn = domain.Errorf(domain.CodeUnauthorized, "wrong email or password")

// ErrTooManyAttempts refuses a sign-in past the limits, even with the right
// password; try again after LoginWindow.
var ErrTooManyAttempts = domain.Errorf(domain.CodeTooManyAttempts,
	"too many failed sign-ins for this account or from this address; try again in 15 minutes")

// Session is a browser session just opened: its secret (the cookie's value,
// stored only as a hash) and who it signs in.
type Session struct {
	Secret    string
	Principal domain.Principal
}

// SignIn checks a password and opens a session. Failures are counted per
// account and per address; past the limit, even a right password waits.
func (a *App) SignIn(ctx context.Context, email, password, address string) (Session, error) {
	for _, f := range []struct{ name, value string }{{"email", email}, {"password", password}} {
		if f.value == "" {
			return Session{}, domain.FieldError(f.name, "required")
		}
	}
	if err := a.throttled(ctx, email, address); err != nil {
		return Session{}, err
	}
	userID, hash, err := a.store.PasswordHash(ctx, email)
	if err != nil {
		return Session{}, err
	}
	ok := auth.VerifyPassword(hash, password)
	if err := a.store.RecordLogin(ctx, email, address, ok); err != nil {
		return Session{}, err
	}
	if !ok {
		return Session{}, errSignIn
	}
	secret, sessionHash := auth.NewSecret(auth.SessionPrefix)
	if err := a.store.CreateSession(ctx, userID, sessionHash, time.Now().Add(SessionLifetime), address, email); err != nil {
		return Session{}, err
	}
	p, err := a.store.SessionPrincipal(ctx, sessionHash)
	return Session{Secret: secret, Principal: p}, err
}

// SignOut ends the session whose secret this is; an unknown one is already ended.
func (a *App) SignOut(ctx context.Context, secret string) error {
	return a.store.DeleteSession(ctx, auth.HashSecret(secret))
}

// SessionPrincipal is who a session cookie signs in.
func (a *App) SessionPrincipal(ctx context.Context, secret string) (domain.Principal, error) {
	if auth.CheckSecret(auth.SessionPrefix, secret) != nil {
		return domain.Principal{}, store.ErrNoCredential
	}
	return a.store.SessionPrincipal(ctx, auth.HashSecret(secret))
}

// TokenPrincipal is who a personal API token ("rcp_…") acts for.
func (a *App) TokenPrincipal(ctx context.Context, secret string) (domain.Principal, error) {
	if auth.CheckSecret(auth.TokenPrefix, secret) != nil {
		return domain.Principal{}, domain.Errorf(domain.CodeUnauthorized, "Authorization: want \"Bearer rcp_…\" with a personal API token")
	}
	return a.store.TokenPrincipal(ctx, auth.HashSecret(secret))
}

// IsSessionSecret reports whether v looks like a session secret (before any database lookup).
func IsSessionSecret(v string) bool { return auth.CheckSecret(auth.SessionPrefix, v) == nil }

// throttled refuses a password check past the limits of failures for the
// account or from the address within LoginWindow, even a right one.
func (a *App) throttled(ctx context.Context, email, address string) error {
	byEmail, byAddress, err := a.store.LoginFailures(ctx, email, address, time.Now().Add(-LoginWindow))
	if err != nil {
		return err
	}
	if byEmail >= maxFailuresPerEmail || byAddress >= maxFailuresPerSource {
		return ErrTooManyAttempts
	}
	return nil
}
