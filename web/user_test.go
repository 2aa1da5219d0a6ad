package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store/storetest"
)

// An admin adds a user with a hostile name, edits their perimeter, and
// invalid input comes back beside its field.
func TestAdminAddsAndEditsAUser(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.rows.Entity(t, storetest.Entity{Code: "FR01"})
	admin := b.signIn(t, "admin@example.com", domain.RoleAdmin)

	status, body := admin.get("/users/new")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `<option value="credit_manager">Credit manager</option>`)

	res := admin.post("/users", url.Values{"email": {"New@Example.com"}, "name": {xss}, "role": {"agent"}, "entities": {"FR01"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	edit := res.Header.Get("Location")
	require.Regexp(t, `^/users/\d+$`, edit)

	status, body = admin.get("/users")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `<a href="`+edit+`">new@example.com</a>`)
	require.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	require.NotContains(t, body, xss)
	require.Contains(t, body, `<td data-label="Entities">FR01</td>`)

	status, body = admin.get(edit)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `value="new@example.com" readonly`)
	require.Contains(t, body, "No password yet")

	id := strings.TrimPrefix(edit, "/users/")
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string
	}{
		{"department role without department", url.Values{"role": {"department"}, "all_entities": {"on"}}, "department"},
		{"unknown entity", url.Values{"role": {"agent"}, "entities": {"FR01, XX99"}}, "entities"},
		{"short password", url.Values{"role": {"agent"}, "all_entities": {"on"}, "password": {"short"}}, "password"},
		{"unknown role", url.Values{"role": {"boss"}, "all_entities": {"on"}}, "role"},
	} {
		tc.form.Set("id", id)
		tc.form.Set("email", "new@example.com")
		res := admin.post("/users", tc.form)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, tc.name)
		body := readBody(t, res)
		require.Regexp(t, regexp.MustCompile(`(?s)name="`+tc.field+`".*?<p class="field-error"[^>]*>`+tc.field+`: `), body, tc.name)
	}

	res = admin.post("/users", url.Values{"id": {id}, "email": {"new@example.com"}, "role": {"credit_manager"},
		"all_entities": {"on"}, "password": {"a long enough password"}, "disabled": {"on"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	users, err := b.store.ListUsers(context.Background())
	require.NoError(t, err)
	var found bool
	for _, u := range users {
		if u.Email == "new@example.com" {
			found = true
			require.Equal(t, domain.RoleCreditManager, u.Role)
			require.True(t, u.AllEntities)
			require.True(t, u.CanSignIn)
			require.True(t, u.Disabled)
			require.Equal(t, xss, u.Name, "a blank name keeps the current one")
		}
	}
	require.True(t, found)
}

// An admin makes an import-only token for the ERP's account: its secret is
// shown once, then only its name; revoking it stops it.
func TestAdminMakesATokenForAnotherUser(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin@example.com", domain.RoleAdmin)
	res := admin.post("/users", url.Values{"email": {"erp@example.com"}, "name": {"ERP"}, "role": {"credit_manager"}, "all_entities": {"on"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	edit := res.Header.Get("Location")

	res = admin.post(edit+"/tokens", url.Values{"name": {"nightly export"}, "scope": {"import"}, "expires": {"never"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), `id="token-expires-error">expires: `)

	res = admin.post(edit+"/tokens", url.Values{"name": {"nightly export"}, "scope": {"import"}, "expires": {"30d"}})
	require.Equal(t, http.StatusOK, res.StatusCode, "the secret is the answer to the post")
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	secret := tokenSecret(t, readBody(t, res))

	status, body := admin.get(edit)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "nightly export")
	require.Contains(t, body, "Imports only")
	require.NotContains(t, body, secret, "never shown again")
	status, _ = admin.get("/users")
	require.Equal(t, http.StatusOK, status)

	api := func() int {
		req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/api/v1/imports?kind=users", strings.NewReader("email,name,role\n"))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "text/csv")
		res, err := b.srv.Client().Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	require.Equal(t, http.StatusOK, api(), "the token works")

	tokenID := regexp.MustCompile(`action="` + edit + `/tokens/(\d+)/revoke"`).FindStringSubmatch(body)
	require.NotNil(t, tokenID, "a revoke button")
	res = admin.post(edit+"/tokens/"+tokenID[1]+"/revoke", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, http.StatusUnauthorized, api(), "revoked: it stops at once")
}

// tokenSecret reads the secret from the page that shows it once.
func tokenSecret(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`id="secret" class="secret" readonly value="(rcp_[A-Za-z0-9_-]+)"`).FindStringSubmatch(body)
	require.NotNil(t, m, "the secret is shown")
	return m[1]
}
