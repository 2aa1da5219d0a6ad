package auth

import (
	"context"
	"time"

	"recoup/domain"
	"recoup/store"
)

// UserSpec checks what an admin typed (CLI or API) and hashes the password.
// entities nil means every entity.
func UserSpec(email, name, role, department, password string, entities *[]string) (store.UserSpec, error) {
	r, err := domain.ParseRole(role)
	if err != nil {
		return store.UserSpec{}, err
	}
	spec := store.UserSpec{Email: email, Name: name, Role: r, Department: domain.Department(department)}
	if entities != nil {
		spec.Entities = append([]string{}, *entities...)
	}
	if password != "" {
		if spec.PasswordHash, err = HashPassword(password); err != nil {
			return spec, err
		}
	}
	return spec, nil
}

// IssueToken creates a personal API token for email and returns its secret,
// the only time it exists outside the caller: it is stored as a hash.
func IssueToken(ctx context.Context, st *store.Store, email, name, scope, expires, actor string) (store.Token, string, error) {
	sc, err := domain.ParseTokenScope(scope)
	if err != nil {
		return store.Token{}, "", err
	}
	at, err := ParseExpiry("expires", expires, time.Now())
	if err != nil {
		return store.Token{}, "", err
	}
	secret, hash := NewSecret(TokenPrefix)
	tok, err := st.CreateToken(ctx, email, name, sc, hash, &at, actor)
	return tok, secret, err
}
