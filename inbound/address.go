package inbound

import (
	"crypto/rand"
	"strings"
)

// NewReplyToken is an account's reply token: 26 lower-case base32
// characters, 130 random bits. It names the account in its reply address
// without exposing any id.
func NewReplyToken() string { return strings.ToLower(rand.Text()) }

// ReplyAddress is the plus-address replies to an account's reminders go to:
// "<local>+<token>@<domain>" (local "reply" when empty).
func ReplyAddress(local, token, domain string) string {
	if local == "" {
		local = DefaultReplyLocal
	}
	return local + "+" + token + "@" + domain
}

// DefaultReplyLocal is the local part of reply addresses when the entity
// names none.
const DefaultReplyLocal = "reply"

// SplitReplyAddress reads a reply address: its token (lower case, "" when
// the local part has no "+token") and its domain (lower case). ok is false
// for something that is not an address.
func SplitReplyAddress(addr string) (token, domain string, ok bool) {
	addr = strings.Trim(strings.TrimSpace(addr), "<>")
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "", "", false
	}
	local, domain := addr[:at], strings.ToLower(addr[at+1:])
	if plus := strings.LastIndexByte(local, '+'); plus >= 0 {
		token = strings.ToLower(local[plus+1:])
	}
	return token, domain, true
}
