// Package auth holds how Recoup checks who is calling and what they may do:
// password hashing, session and token secrets, and the permission table.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"recoup/domain"
)

// MinPasswordLength follows NIST SP 800-63B: length matters more than character classes.
const MinPasswordLength = 12

// maxPasswordBytes is bcrypt's limit; longer passwords would be silently cut.
const maxPasswordBytes = 72

// HashPassword returns a bcrypt hash of password, refusing weak or unusable ones.
func HashPassword(password string) (string, error) {
	if err := checkPassword(password); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

// checkPassword says what is wrong with a new password, if anything.
func checkPassword(password string) error {
	switch {
	case !utf8.ValidString(password):
		return domain.FieldError("password", "is not valid UTF-8")
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return domain.FieldError("password", "must be at least %d characters", MinPasswordLength)
	case len(password) > maxPasswordBytes:
		return domain.FieldError("password", "must be at most %d bytes", maxPasswordBytes)
	}
	return nil
}

// dummyHash is compared against when the account does not exist, so a
// sign-in takes as long for an unknown email as for a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("recoup-timing-equalizer"), bcrypt.DefaultCost)

// VerifyPassword reports whether password matches hash; an empty hash (no
// password set, or no such user) never matches but costs the same time.
func VerifyPassword(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// Secret prefixes say what a leaked string is, so secret scanners can find it.
const (
	TokenPrefix   = "rcp_"
	SessionPrefix = "rcs_"
)

// NewSecret returns a random secret with prefix (256 bits) and the hash to store.
func NewSecret(prefix string) (secret string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}

// HashSecret is how a secret is looked up. A fast hash is right here: the
// secret is 256 random bits, not a password a person chose.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// ErrMalformedSecret: a presented credential is not one Recoup issues.
var ErrMalformedSecret = errors.New("malformed credential")

// CheckSecret rejects what cannot be a secret of kind prefix before any lookup.
func CheckSecret(prefix, secret string) error {
	if !strings.HasPrefix(secret, prefix) || len(secret) != len(prefix)+43 {
		return ErrMalformedSecret
	}
	return nil
}
