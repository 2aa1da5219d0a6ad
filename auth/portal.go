package auth

import (
	"crypto/rand"
	"encoding/base64"
	"math/big"
	"strings"
)

// Portal link tokens: a customer's personal link carries one. The long form
// (256 bits, URL-safe base64: 43 characters) goes in emails; the short form
// (128 bits, base62: 22 characters) in texts, where every character counts.
// Neither says anything about the account: only their sha256 is stored
// (HashSecret), so they are looked up, never decoded.
const (
	PortalTokenLen      = 43
	PortalShortTokenLen = 22
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewPortalToken returns a random link token (short: the texts' form) and
// the hash to store.
func NewPortalToken(short bool) (token string, hash []byte) {
	if !short {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		token = base64.RawURLEncoding.EncodeToString(b)
		return token, HashSecret(token)
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	n := new(big.Int).SetBytes(b)
	out := make([]byte, PortalShortTokenLen)
	sixtyTwo, digit := big.NewInt(62), new(big.Int)
	for i := len(out) - 1; i >= 0; i-- { // fixed width: 62^22 > 2^128
		n.DivMod(n, sixtyTwo, digit)
		out[i] = base62[digit.Int64()]
	}
	token = string(out)
	return token, HashSecret(token)
}

// PortalTokenShape reports whether s looks like a link token (either form),
// so that junk is refused before any lookup.
func PortalTokenShape(s string) bool {
	if len(s) != PortalTokenLen && len(s) != PortalShortTokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// PortalLinkPath is where a link token opens the portal.
const PortalLinkPath = "/portal/l/"

// PortalLinkURL is the personal link of token under the public URL.
func PortalLinkURL(publicURL, token string) string {
	return strings.TrimRight(publicURL, "/") + PortalLinkPath + token
}
