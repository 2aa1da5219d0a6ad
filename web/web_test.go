package web

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/api"
	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/store"
	"recoup/store/storetest"
)

// testBundle is the web app on a fresh database (no Temporal: what needs it
// is covered by the browser tests), with a row factory.
type testBundle struct {
	srv   *httptest.Server
	store *store.Store
	rows  *storetest.Factory
}

// setup serves the API and the web app as `recoup api` does, over TLS (the
// session cookie is Secure).
func setup(t *testing.T) *testBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	uses := app.New(st, nil, nil)
	pages, err := New(Options{App: uses, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	srv := httptest.NewTLSServer(api.NewHandler(api.Options{App: uses, Logger: slog.New(slog.DiscardHandler), Mount: pages.Mount}))
	t.Cleanup(srv.Close)
	return &testBundle{srv: srv, store: st, rows: storetest.NewFactory(pool)}
}

// browser is one person's session: a cookie jar, no redirects followed.
type browser struct {
	t      *testing.T
	b      *testBundle
	client *http.Client
	csrf   string // the session's form token
}

const testPassword = "correct horse battery"

// signIn creates a user with role (and department, for that role) and signs them in through the form.
func (b *testBundle) signIn(t *testing.T, email string, role domain.Role) *browser {
	t.Helper()
	return b.signInWith(t, email, role, departmentOf(role))
}

// signInWith signs in a new user of role and department ("" but for the department role).
func (b *testBundle) signInWith(t *testing.T, email string, role domain.Role, department string) *browser {
	t.Helper()
	spec, err := auth.UserSpec(email, strings.Split(email, "@")[0], string(role), department, testPassword, nil)
	require.NoError(t, err)
	_, err = b.store.PutUser(context.Background(), spec, "test")
	require.NoError(t, err)
	br := b.anonymous(t)
	res := br.postForm("/login", url.Values{"email": {email}, "password": {testPassword}, "csrf": {br.loginToken()}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "sign-in redirects")
	u, _ := url.Parse(b.srv.URL)
	for _, c := range br.client.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			br.csrf = csrfToken(c.Value)
		}
	}
	require.NotEmpty(t, br.csrf, "signed in")
	return br
}

func departmentOf(role domain.Role) string {
	if role == domain.RoleDepartment {
		return "legal"
	}
	return ""
}

// anonymous is a browser that has not signed in.
func (b *testBundle) anonymous(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := *b.srv.Client() // a copy: the server's client is shared, and each browser has its own cookies
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, b: b, client: &c}
}

// get fetches path and returns the status and the body.
func (br *browser) get(path string) (int, string) {
	br.t.Helper()
	res, err := br.client.Get(br.b.srv.URL + path)
	require.NoError(br.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(br.t, err)
	return res.StatusCode, string(body)
}

// post sends a form with the session's token added.
func (br *browser) post(path string, form url.Values) *http.Response {
	br.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", br.csrf)
	}
	return br.postForm(path, form)
}

// postForm sends a form as it is, from our own origin.
func (br *browser) postForm(path string, form url.Values) *http.Response {
	br.t.Helper()
	req, err := http.NewRequest(http.MethodPost, br.b.srv.URL+path, strings.NewReader(form.Encode()))
	require.NoError(br.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", br.b.srv.URL)
	res, err := br.client.Do(req)
	require.NoError(br.t, err)
	br.t.Cleanup(func() { res.Body.Close() })
	return res
}

// loginToken loads the sign-in form and returns its token.
func (br *browser) loginToken() string {
	br.t.Helper()
	status, body := br.get("/login")
	require.Equal(br.t, http.StatusOK, status)
	_, rest, ok := strings.Cut(body, `name="csrf" value="`)
	require.True(br.t, ok, "the sign-in form carries a token")
	token, _, _ := strings.Cut(rest, `"`)
	return token
}

// osDir reads this package's source files, for the tests that check them.
func osDir(dir string) fs.FS { return os.DirFS(dir) }

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// userID is the id of the user with email.
func userID(t *testing.T, b *testBundle, email string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT id FROM users WHERE email = $1`, email).Scan(&id))
	return id
}

// readBody is the whole body of res.
func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}
