package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
)

func TestSignInSignOut(t *testing.T) {
	t.Parallel()
	b := setup(t)
	anon := b.anonymous(t)
	res, err := anon.client.Get(b.srv.URL + "/worklist")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "signed out: to the sign-in page")
	require.Equal(t, "/login?next=%2Fworklist", res.Header.Get("Location"))

	res = anon.postForm("/login", url.Values{"email": {"nobody@example.com"}, "password": {"wrong password here"}, "csrf": {anon.loginToken()}})
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)

	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	status, body := agent.get("/")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Hello, alice")
	res = agent.post("/logout", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	status, _ = agent.get("/")
	require.Equal(t, http.StatusSeeOther, status, "signed out")
}

func TestSignInFormRefusesAForgedPost(t *testing.T) {
	t.Parallel()
	b := setup(t)
	anon := b.anonymous(t)
	res := anon.postForm("/login", url.Values{"email": {"a@example.com"}, "password": {"whatever it is"}, "csrf": {"forged"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode)
}

// Every form post needs the session's token and our origin; without either
// nothing changes.
func TestFormsNeedTheSessionTokenAndOurOrigin(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	res := agent.postForm("/logout", url.Values{"csrf": {"not-the-token"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/logout", strings.NewReader(url.Values{"csrf": {agent.csrf}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	res, err = agent.client.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	status, _ := agent.get("/")
	require.Equal(t, http.StatusOK, status, "still signed in: the forged posts did nothing")
}

func TestEveryPageCarriesTheSecurityHeaders(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	for _, path := range []string{"/login", "/", "/worklist", "/assets/app.css"} {
		res, err := agent.client.Get(b.srv.URL + path)
		require.NoError(t, err)
		res.Body.Close()
		csp := res.Header.Get("Content-Security-Policy")
		require.Contains(t, csp, "script-src 'self'", path)
		require.NotContains(t, csp, "unsafe-inline", path)
		require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), path)
		require.Equal(t, "DENY", res.Header.Get("X-Frame-Options"), path)
	}
}

// The navigation shows each role only what the permission table lets it use.
func TestNavigationByRole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, tc := range []struct {
		role     domain.Role
		shown    []string
		notShown []string
	}{
		{domain.RoleAdmin, []string{`href="/users"`, `href="/imports"`, `href="/scenarios"`}, nil},
		{domain.RoleCreditManager, []string{`href="/imports"`, `href="/scenarios"`, `href="/worklist"`}, []string{`href="/users"`}},
		{domain.RoleAgent, []string{`href="/accounts"`, `href="/worklist"`, `href="/scenarios"`}, []string{`href="/users"`, `href="/imports"`}},
		{domain.RoleSalesRep, []string{`href="/accounts"`}, []string{`href="/scenarios"`, `href="/imports"`, `href="/templates"`}},
		{domain.RoleAuditor, []string{`href="/accounts"`, `href="/scenarios"`}, []string{`href="/imports"`, `href="/users"`}},
	} {
		br := b.signIn(t, string(tc.role)+"@example.com", tc.role)
		status, body := br.get("/")
		require.Equal(t, http.StatusOK, status)
		for _, s := range tc.shown {
			require.Contains(t, body, s, "%s sees %s", tc.role, s)
		}
		for _, s := range tc.notShown {
			require.NotContains(t, body, s, "%s does not see %s", tc.role, s)
		}
	}
}

func TestLanguageFollowsTheBrowserThenTheProfile(t *testing.T) {
	t.Parallel()
	b := setup(t)
	anon := b.anonymous(t)
	req, err := http.NewRequest(http.MethodGet, b.srv.URL+"/login", nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Language", "fr-CA,fr;q=0.9,en;q=0.5")
	res, err := anon.client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	buf := new(strings.Builder)
	_, _ = io.Copy(buf, res.Body)
	require.Contains(t, buf.String(), `<html lang="fr">`)
	require.Contains(t, buf.String(), "Connexion")
}

// Only the template editor lets inline styles through (the email preview's
// own, in a sandboxed frame); no page allows an inline script.
func TestTheTemplateEditorAllowsInlineStylesOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cm := b.signIn(t, "claire@example.com", domain.RoleCreditManager)
	res, err := cm.client.Get(b.srv.URL + "/templates/reminder_1/email/en")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	csp := res.Header.Get("Content-Security-Policy")
	require.Contains(t, csp, "style-src 'self' 'unsafe-inline'")
	require.Contains(t, csp, "script-src 'self';")
	res, err = cm.client.Get(b.srv.URL + "/templates")
	require.NoError(t, err)
	res.Body.Close()
	require.NotContains(t, res.Header.Get("Content-Security-Policy"), "unsafe-inline")
}

// A form post is bounded: a body past the limit is refused, not read.
func TestAFormPostIsBounded(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	res := agent.post("/logout", url.Values{"padding": {strings.Repeat("x", maxFormBody+1)}})
	require.GreaterOrEqual(t, res.StatusCode, 400)
	status, _ := agent.get("/")
	require.Equal(t, http.StatusOK, status, "still signed in: the post did nothing")
}
