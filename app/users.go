package app

import (
	"context"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// UserRequest creates or updates a user.
type UserRequest struct {
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	Role       string    `json:"role"`
	Entities   *[]string `json:"entities"` // absent or null: every entity
	Department string    `json:"department"`
	Password   string    `json:"password"` // absent: keep the current one
	Disabled   *bool     `json:"disabled"`
}

// Users lists every user with role and perimeter.
func (a *App) Users(ctx context.Context, who domain.Principal) ([]store.User, error) {
	if err := allow(who, auth.UsersManage); err != nil {
		return nil, err
	}
	return a.store.ListUsers(ctx)
}

// PutUser creates or updates a user: role, perimeter, password, disabling
// (which ends their sessions and tokens at once).
func (a *App) PutUser(ctx context.Context, who domain.Principal, req UserRequest) (store.User, error) {
	if err := allow(who, auth.UsersManage); err != nil {
		return store.User{}, err
	}
	spec, err := auth.UserSpec(req.Email, req.Name, req.Role, req.Department, req.Password, req.Entities)
	if err != nil {
		return store.User{}, err
	}
	spec.Disabled = req.Disabled
	return a.store.PutUser(ctx, spec, who.Actor())
}

// TokenRequest asks for a personal API token.
type TokenRequest struct {
	Name    string `json:"name"`
	Scope   string `json:"scope"`   // full (default) or import
	Expires string `json:"expires"` // 90d (default), 12h, 2027-06-30 or an RFC 3339 time
}

// NewToken is a token just made and its secret: the only time it is shown.
type NewToken struct {
	store.Token
	Secret string
}

// Tokens lists who's own tokens (never their secrets).
func (a *App) Tokens(ctx context.Context, who domain.Principal) ([]store.Token, error) {
	if err := allow(who, auth.TokensOwn); err != nil {
		return nil, err
	}
	return a.store.ListTokens(ctx, &who.UserID)
}

// CreateToken makes a token for who; a token cannot mint tokens, so a leaked
// one cannot outlive its own revocation.
func (a *App) CreateToken(ctx context.Context, who domain.Principal, req TokenRequest) (NewToken, error) {
	if err := allow(who, auth.TokensOwn); err != nil {
		return NewToken{}, err
	}
	if who.TokenID != 0 {
		return NewToken{}, domain.Errorf(domain.CodeForbidden, "sign in with a password to create tokens; a token cannot create tokens")
	}
	return a.issue(ctx, who, who.Email, req)
}

// CreateUserToken is for admins: a token for another user, e.g. the ERP's
// import-only service account.
func (a *App) CreateUserToken(ctx context.Context, who domain.Principal, email string, req TokenRequest) (NewToken, error) {
	if err := allow(who, auth.UsersManage); err != nil {
		return NewToken{}, err
	}
	email, err := store.NormalizeEmail("email", email)
	if err != nil {
		return NewToken{}, err
	}
	return a.issue(ctx, who, email, req)
}

func (a *App) issue(ctx context.Context, who domain.Principal, email string, req TokenRequest) (NewToken, error) {
	tok, secret, err := auth.IssueToken(ctx, a.store, email, req.Name, req.Scope, req.Expires, who.Actor())
	return NewToken{Token: tok, Secret: secret}, err
}

// RevokeToken revokes one of who's tokens; admins may revoke anyone's.
func (a *App) RevokeToken(ctx context.Context, who domain.Principal, id int64) error {
	if err := allow(who, auth.TokensOwn); err != nil {
		return err
	}
	owner := &who.UserID
	if auth.Allows(who, auth.UsersManage) {
		owner = nil
	}
	return a.store.RevokeToken(ctx, id, owner, who.Actor())
}

// User is one user, for an admin.
func (a *App) User(ctx context.Context, who domain.Principal, id int64) (store.User, error) {
	if err := allow(who, auth.UsersManage); err != nil {
		return store.User{}, err
	}
	return a.store.User(ctx, id)
}

// UserTokens lists the tokens of one user, for an admin (never their secrets).
func (a *App) UserTokens(ctx context.Context, who domain.Principal, userID int64) ([]store.Token, error) {
	if err := allow(who, auth.UsersManage); err != nil {
		return nil, err
	}
	return a.store.ListTokens(ctx, &userID)
}
