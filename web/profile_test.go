package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
)

// A user chooses French: the confirmation and the next pages are in French;
// choosing the browser's language follows Accept-Language again.
func TestAUserChangesTheirLanguage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	status, body := agent.get("/profile")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `<option value="" selected>As my browser</option>`)

	res := agent.post("/profile/language", url.Values{"language": {"fr"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	status, body = agent.get("/profile")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `<html lang="fr">`)
	require.Contains(t, body, "Langue enregistrée.")
	require.Contains(t, body, `<option value="fr" selected>`)
	_, body = agent.get("/worklist")
	require.Contains(t, body, `<html lang="fr">`, "every page")

	res = agent.post("/profile/language", url.Values{"language": {"de"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), `id="language-error">language: `)

	res = agent.post("/profile/language", url.Values{"language": {""}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = agent.get("/profile")
	require.Contains(t, body, `<html lang="en">`, "the browser's (none: English)")
}

// Changing one's password needs the current one; the new one follows the
// rule and is typed twice; then it signs in, and the old one does not.
func TestPasswordChange(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	const next = "a brand new passphrase"
	for _, tc := range []struct {
		name                string
		current, new, again string
		field               string
	}{
		{"wrong current password", "not my password at all", next, next, "current_password"},
		{"no current password", "", next, next, "current_password"},
		{"too short", testPassword, "short", "short", "new_password"},
		{"typed differently", testPassword, next, next + "!", "new_password_again"},
	} {
		res := agent.post("/profile/password", url.Values{"current_password": {tc.current}, "new_password": {tc.new},
			"new_password_again": {tc.again}})
		require.Equal(t, http.StatusBadRequest, res.StatusCode, tc.name)
		body := readBody(t, res)
		require.Contains(t, body, `name="`+tc.field+`" type="password"`, tc.name)
		require.Regexp(t, `<input id="`+tc.field+`"[^>]*aria-invalid="true"`, body, tc.name)
	}
	other := b.anonymous(t)
	res := other.postForm("/login", url.Values{"email": {"alice@example.com"}, "password": {testPassword}, "csrf": {other.loginToken()}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "the password is unchanged")
	status, _ := other.get("/")
	require.Equal(t, http.StatusOK, status)

	res = agent.post("/profile/password", url.Values{"current_password": {testPassword}, "new_password": {next}, "new_password_again": {next}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	status, body := agent.get("/profile")
	require.Equal(t, http.StatusOK, status, "this session stays")
	require.Contains(t, body, "Password changed.")
	status, _ = other.get("/")
	require.Equal(t, http.StatusSeeOther, status, "the other session has ended")

	fresh := b.anonymous(t)
	res = fresh.postForm("/login", url.Values{"email": {"alice@example.com"}, "password": {testPassword}, "csrf": {fresh.loginToken()}})
	require.Equal(t, http.StatusUnauthorized, res.StatusCode, "the old password no longer signs in")
	res = fresh.postForm("/login", url.Values{"email": {"alice@example.com"}, "password": {next}, "csrf": {fresh.loginToken()}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "the new one does")
}

// A personal token's secret appears once, on the answer to the post; the
// profile lists it by its (escaped) name; its owner revokes it.
func TestAPersonalTokenSecretAppearsOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rep := b.signIn(t, "sam@example.com", domain.RoleSalesRep)
	res := rep.post("/profile/tokens", url.Values{"name": {xss}, "scope": {"full"}})
	require.Equal(t, http.StatusOK, res.StatusCode)
	body := readBody(t, res)
	secret := tokenSecret(t, body)
	require.Contains(t, body, "shown this once")
	require.NotContains(t, body, xss)

	status, body := rep.get("/profile")
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, body, secret)
	require.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	require.NotContains(t, body, xss)

	res = rep.post("/profile/tokens", url.Values{"name": {""}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), `id="token-name-error">name: `)

	other := b.signIn(t, "other@example.com", domain.RoleSalesRep)
	tokens, err := b.store.ListTokens(t.Context(), nil)
	require.NoError(t, err)
	require.Len(t, tokens, 1)
	id := tokens[0].ID
	res = other.post("/profile/tokens/"+itoa(id)+"/revoke", nil)
	require.Equal(t, http.StatusNotFound, res.StatusCode, "someone else's token is not theirs to revoke")
	res = rep.post("/profile/tokens/"+itoa(id)+"/revoke", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = rep.get("/profile")
	require.Contains(t, body, "Revoked ")
}
