package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/api"
	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

const testPassword = "correct horse battery staple"

// signIn gives email a password and role, signs in through the API and
// returns the session secret from the cookie.
func (b *testBundle) signIn(t *testing.T, u store.UserSpec) string {
	t.Helper()
	var err error
	u.PasswordHash, err = auth.HashPassword(testPassword)
	require.NoError(t, err)
	_, err = b.store.PutUser(context.Background(), u, "test")
	require.NoError(t, err)
	rec := b.login(t, u.Email, testPassword)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	for _, c := range rec.Result().Cookies() {
		if c.Name == "recoup_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func (b *testBundle) login(t *testing.T, email, password string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader(fmt.Sprintf(`{"email": %q, "password": %q}`, email, password)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	b.handler.ServeHTTP(rec, req)
	return rec
}

func (b *testBundle) journalRows(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_journal`).Scan(&n))
	return n
}

// concrete fills a route's path parameters with values that exist in setup's feed.
func concrete(path string) string {
	return strings.NewReplacer(":id", "1", ":version", "1", ":code", "FR01", ":name", "reminder_1", ":channel", "email",
		":language", "en", ":email", "alice@recoup.example").Replace(path)
}

// Every route, every role: the permission table decides, and a refusal changes nothing.
func TestEveryRouteAnswersEveryRoleAsThePermissionTableSays(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sessions := map[domain.Role]string{}
	for _, role := range domain.Roles {
		sessions[role] = b.signIn(t, store.UserSpec{Email: string(role) + "@recoup.example", Role: role, Department: "legal"})
	}
	importOnly := b.importToken(t)
	for _, rt := range api.Routes() {
		path := "/api/v1" + concrete(rt.Path)
		body, contentType := "", ""
		if rt.Method != http.MethodGet && rt.Method != http.MethodDelete {
			body, contentType = "{}", "application/json"
		}
		for _, role := range domain.Roles {
			t.Run(rt.Method+" "+rt.Path+" as "+string(role), func(t *testing.T) {
				before := b.journalRows(t)
				got := b.status(t, sessions[role], rt.Method, path, contentType, body)
				if rt.Action == "" || auth.RoleAllows(role, rt.Action) {
					require.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, got, "allowed by the table")
					return
				}
				require.Equal(t, http.StatusForbidden, got, "refused by the table")
				require.Equal(t, before, b.journalRows(t), "a refused request changes nothing")
			})
		}
		t.Run(rt.Method+" "+rt.Path+" anonymous", func(t *testing.T) {
			require.Equal(t, http.StatusUnauthorized, b.status(t, "", rt.Method, path, contentType, body))
		})
		t.Run(rt.Method+" "+rt.Path+" import-only token", func(t *testing.T) {
			got := b.status(t, importOnly, rt.Method, path, contentType, body)
			if rt.Action == auth.ImportsCreate || rt.Action == "" {
				require.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, got)
				return
			}
			require.Equal(t, http.StatusForbidden, got)
		})
	}
}

// status sends a request and returns its status, without the OpenAPI check
// (refusals are checked against the document elsewhere).
func (b *testBundle) status(t *testing.T, cred, method, path, contentType, body string) int {
	t.Helper()
	_, rec := b.serve(cred, method, path, contentType, body)
	return rec.Code
}

func (b *testBundle) importToken(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	_, err := b.store.PutUser(ctx, store.UserSpec{Email: "erp@recoup.example", Role: domain.RoleCreditManager}, "test")
	require.NoError(t, err)
	_, secret, err := auth.IssueToken(ctx, b.store, "erp@recoup.example", "nightly ERP export", "import", "30d", "test")
	require.NoError(t, err)
	return secret
}

// The perimeter is applied in the SQL: what is outside it does not exist for the caller.
func TestEachRoleSeesOnlyItsPerimeter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	ids := map[string]int64{}
	rows, err := b.store.Pool.Query(ctx, `SELECT external_id, id FROM customers`)
	require.NoError(t, err)
	for rows.Next() {
		var ext string
		var id int64
		require.NoError(t, rows.Scan(&ext, &id))
		ids[ext] = id
	}
	require.NoError(t, rows.Err())
	sam := b.tokenFor(t, store.UserSpec{Email: "sam@recoup.example", Role: domain.RoleSalesRep})
	_, err = b.store.Pool.Exec(ctx, `UPDATE customers SET sales_rep_id = (SELECT id FROM users WHERE email = 'sam@recoup.example') WHERE external_id = 'C2'`)
	require.NoError(t, err)
	_, _, err = b.store.CreateTask(ctx, store.Task{Key: "legal-c3", CustomerID: ids["C3"], Kind: domain.TaskEscalation,
		AssigneeRole: "legal", DueAt: time.Now().Add(time.Hour), Note: "disputed delivery"})
	require.NoError(t, err)
	_, _, err = b.store.CreateTask(ctx, store.Task{Key: "call-c1", CustomerID: ids["C1"], Kind: domain.TaskCall,
		AssigneeRole: "agent", DueAt: time.Now().Add(time.Hour), Note: "call"})
	require.NoError(t, err)

	jp := []string{"JP01"}
	fr := []string{"FR01"}
	tests := []struct {
		name     string
		token    string
		visible  []string
		invoices int64
		tasks    int64
	}{
		{"admin", b.admin, []string{"C1", "C2", "C3"}, 5, 2},
		{"agent: own portfolio", b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Role: domain.RoleAgent}), []string{"C1", "C3"}, 5, 2},
		{"agent limited to FR01", b.tokenFor(t, store.UserSpec{Email: "bob@recoup.example", Role: domain.RoleAgent, Entities: fr}), []string{"C2"}, 0, 0},
		{"credit manager of JP01", b.tokenFor(t, store.UserSpec{Email: "cm@recoup.example", Role: domain.RoleCreditManager, Entities: jp}), []string{"C3"}, 1, 1},
		{"sales rep: own customers", sam, []string{"C2"}, 0, 0},
		{"legal department: routed cases", b.tokenFor(t, store.UserSpec{Email: "legal@recoup.example", Role: domain.RoleDepartment, Department: "legal"}), []string{"C3"}, 1, 1},
		{"division manager of FR01", b.tokenFor(t, store.UserSpec{Email: "dm@recoup.example", Role: domain.RoleDivisionManager, Entities: fr}), []string{"C1", "C2"}, 4, 1},
		{"auditor of no entity", b.tokenFor(t, store.UserSpec{Email: "aud@recoup.example", Role: domain.RoleAuditor, Entities: []string{}}), nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list := decode[struct {
				Items []struct {
					ExternalID string `json:"external_id"`
				}
				Total int64
			}](t, b.doAs(t, tt.token, http.MethodGet, "/api/v1/customers?sort=external_id", "", "", http.StatusOK))
			var got []string
			for _, it := range list.Items {
				got = append(got, it.ExternalID)
			}
			require.Equal(t, tt.visible, got)
			require.EqualValues(t, len(tt.visible), list.Total, "the total counts only what the caller may see")
			for ext, id := range ids {
				want := http.StatusNotFound
				if slices.Contains(tt.visible, ext) {
					want = http.StatusOK
				}
				b.doAs(t, tt.token, http.MethodGet, fmt.Sprintf("/api/v1/customers/%d", id), "", "", want)
				if want == http.StatusNotFound {
					b.doAs(t, tt.token, http.MethodGet, fmt.Sprintf("/api/v1/invoices?customer=%d", id), "", "", http.StatusOK)
				}
			}
			inv := decode[struct{ Total int64 }](t, b.doAs(t, tt.token, http.MethodGet, "/api/v1/invoices", "", "", http.StatusOK))
			require.Equal(t, tt.invoices, inv.Total, "invoices")
			if auth.RoleAllows(roleOf(t, b, tt.token), auth.TasksRead) {
				tasks := decode[struct{ Total int64 }](t, b.doAs(t, tt.token, http.MethodGet, "/api/v1/tasks", "", "", http.StatusOK))
				require.Equal(t, tt.tasks, tasks.Total, "tasks")
			}
		})
	}

	// Out of the perimeter is 404 on the account's other routes too, before anything else is checked.
	alice := b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Role: domain.RoleAgent})
	for _, path := range []string{"/history", "/dunning", "/dunning/preview"} {
		b.doAs(t, alice, http.MethodGet, fmt.Sprintf("/api/v1/customers/%d%s", ids["C2"], path), "", "", http.StatusNotFound)
	}
	b.doAs(t, alice, http.MethodPost, fmt.Sprintf("/api/v1/customers/%d/dunning/pause", ids["C2"]), "application/json", `{"reason": "x"}`, http.StatusNotFound)
	var legalTask int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM tasks WHERE key = 'legal-c3'`).Scan(&legalTask))
	b.doAs(t, sam, http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/close", legalTask), "application/json", `{"resolution": "x"}`, http.StatusNotFound)
}

func roleOf(t *testing.T, b *testBundle, token string) domain.Role {
	t.Helper()
	return decode[struct{ Role domain.Role }](t, b.doAs(t, token, http.MethodGet, "/api/v1/auth/me", "", "", http.StatusOK)).Role
}

func TestSignInSetsASafeCookieAndSignOutEndsIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	session := b.signIn(t, store.UserSpec{Email: "claire@recoup.example", Role: domain.RoleCreditManager, Entities: []string{"FR01"}})
	rec := b.login(t, "claire@recoup.example", testPassword)
	require.Equal(t, http.StatusOK, rec.Code)
	cookie := rec.Result().Cookies()[0]
	require.Equal(t, "recoup_session", cookie.Name)
	require.True(t, cookie.Secure)
	require.True(t, cookie.HttpOnly)
	require.Equal(t, http.SameSiteStrictMode, cookie.SameSite)

	me := decode[struct {
		Email       string
		Role        string
		Entities    []string
		Permissions []string
	}](t, b.doAs(t, session, http.MethodGet, "/api/v1/auth/me", "", "", http.StatusOK))
	require.Equal(t, "claire@recoup.example", me.Email)
	require.Equal(t, []string{"FR01"}, me.Entities)
	require.Contains(t, me.Permissions, "scenarios.write")
	require.NotContains(t, me.Permissions, "users.manage")

	var stored int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM sessions WHERE token_hash = $1`, auth.HashSecret(session)).Scan(&stored))
	require.Equal(t, 1, stored, "the session is stored by the hash of its secret")

	// A state change from another site is refused even with the cookie.
	req := httptest.NewRequest(http.MethodPut, "/api/v1/entities/FR01/contact-window", strings.NewReader(`{"start": "09:00", "end": "17:00"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	req.AddCookie(&http.Cookie{Name: "recoup_session", Value: session})
	cross := httptest.NewRecorder()
	b.handler.ServeHTTP(cross, req)
	require.Equal(t, http.StatusForbidden, cross.Code)

	req = httptest.NewRequest(http.MethodPost, "/api/v1/auth/logout", nil)
	req.AddCookie(&http.Cookie{Name: "recoup_session", Value: session})
	out := httptest.NewRecorder()
	b.handler.ServeHTTP(out, req)
	require.Equal(t, http.StatusNoContent, out.Code)
	b.doAs(t, session, http.MethodGet, "/api/v1/auth/me", "", "", http.StatusUnauthorized)

	var journaled int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM audit_journal WHERE action = 'user.sign_in' AND actor = 'claire@recoup.example'`).Scan(&journaled))
	require.Equal(t, 2, journaled, "each sign-in is journaled")
}

func TestSignInFailuresAreRateLimitedPerAccountAndPerAddress(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.signIn(t, store.UserSpec{Email: "dan@recoup.example", Role: domain.RoleAgent})
	b.signIn(t, store.UserSpec{Email: "eve@recoup.example", Role: domain.RoleAgent})

	require.Equal(t, http.StatusUnauthorized, b.login(t, "nobody@recoup.example", testPassword).Code, "unknown account: the same answer")
	for range 5 {
		rec := b.login(t, "dan@recoup.example", "wrong password!!")
		require.Equal(t, http.StatusUnauthorized, rec.Code)
		require.Contains(t, rec.Body.String(), "wrong email or password")
	}
	limited := b.login(t, "dan@recoup.example", testPassword)
	require.Equal(t, http.StatusTooManyRequests, limited.Code, "past the account's limit even the right password waits")
	require.Equal(t, "900", limited.Header().Get("Retry-After"))
	require.Equal(t, http.StatusOK, b.login(t, "eve@recoup.example", testPassword).Code, "another account is not locked out")

	for i := range 14 { // 6 failures so far from this address
		require.Equal(t, http.StatusUnauthorized, b.login(t, fmt.Sprintf("guess%d@recoup.example", i), "wrong password!!").Code)
	}
	require.Equal(t, http.StatusTooManyRequests, b.login(t, "eve@recoup.example", testPassword).Code, "past the address's limit")
}

func TestAPITokensAreShownOnceStoredHashedRevocableAndExpire(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	session := b.signIn(t, store.UserSpec{Email: "frank@recoup.example", Role: domain.RoleAuditor})
	created := decode[struct {
		ID    int64
		Token string
		Scope string
	}](t, b.doAs(t, session, http.MethodPost, "/api/v1/tokens", "application/json", `{"name": "quarterly review", "expires": "30d"}`, http.StatusCreated))
	require.True(t, strings.HasPrefix(created.Token, auth.TokenPrefix))
	require.Equal(t, "full", created.Scope)

	list := b.doAs(t, session, http.MethodGet, "/api/v1/tokens", "", "", http.StatusOK)
	require.NotContains(t, string(list), created.Token, "the secret is shown only once")
	var leaked int
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT count(*) FROM api_tokens WHERE token_hash = $1::bytea OR encode(token_hash, 'escape') LIKE '%' || $2 || '%'`,
		[]byte(created.Token), created.Token).Scan(&leaked))
	require.Zero(t, leaked, "only the hash is stored")
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_journal WHERE after::text LIKE '%' || $1 || '%'`, created.Token).Scan(&leaked))
	require.Zero(t, leaked, "nor journaled")

	b.doAs(t, created.Token, http.MethodGet, "/api/v1/customers", "", "", http.StatusOK)
	b.doAs(t, created.Token, http.MethodPost, "/api/v1/tokens", "application/json", `{"name": "child"}`, http.StatusForbidden)
	b.doAs(t, created.Token, http.MethodPut, "/api/v1/entities/FR01/contact-window", "application/json", `{"start": "09:00", "end": "17:00"}`, http.StatusForbidden)

	for _, bad := range []string{`{"name": ""}`, `{"name": "x", "expires": "3y"}`, `{"name": "x", "expires": "2001-01-01"}`,
		`{"name": "x", "expires": "1000d"}`, `{"name": "x", "scope": "root"}`} {
		b.doAs(t, session, http.MethodPost, "/api/v1/tokens", "application/json", bad, http.StatusBadRequest)
	}

	b.doAs(t, session, http.MethodDelete, fmt.Sprintf("/api/v1/tokens/%d", created.ID), "", "", http.StatusNoContent)
	b.doAs(t, created.Token, http.MethodGet, "/api/v1/customers", "", "", http.StatusUnauthorized)

	other := b.tokenFor(t, store.UserSpec{Email: "gina@recoup.example", Role: domain.RoleAgent})
	b.doAs(t, other, http.MethodGet, "/api/v1/auth/me", "", "", http.StatusOK)
	_, err := b.store.Pool.Exec(ctx, `UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, auth.HashSecret(other))
	require.NoError(t, err)
	b.doAs(t, other, http.MethodGet, "/api/v1/auth/me", "", "", http.StatusUnauthorized)

	for _, malformed := range []string{"Basic abc", "Bearer", "Bearer rcp_short", "Bearer " + created.Token + "x"} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/customers", nil)
		req.Header.Set("Authorization", malformed)
		rec := httptest.NewRecorder()
		b.handler.ServeHTTP(rec, req)
		require.Equal(t, http.StatusUnauthorized, rec.Code, malformed)
		require.Equal(t, `Bearer realm="recoup"`, rec.Header().Get("WWW-Authenticate"))
	}
}

func TestAnImportOnlyTokenLoadsFilesAndNothingElse(t *testing.T) {
	t.Parallel()
	b := setup(t)
	erp := b.importToken(t)
	b.doAs(t, erp, http.MethodPost, "/api/v1/imports?kind=users", "text/csv", "email,name,role\nhal@recoup.example,Hal,agent\n", http.StatusOK)
	b.doAs(t, erp, http.MethodGet, "/api/v1/customers", "", "", http.StatusForbidden)
	b.doAs(t, erp, http.MethodPost, "/api/v1/scenarios", "application/json", `{"name": "x", "steps": []}`, http.StatusForbidden)

	// A file cannot change the role of someone who signs in to Recoup.
	b.signIn(t, store.UserSpec{Email: "ivy@recoup.example", Role: domain.RoleAgent})
	res := decode[struct {
		Rejected   int64
		Rejections []struct{ Field, Reason string }
	}](t, b.doAs(t, erp, http.MethodPost, "/api/v1/imports?kind=users", "text/csv", "email,name,role\nivy@recoup.example,Ivy,admin\n", http.StatusOK))
	require.EqualValues(t, 1, res.Rejected)
	require.Equal(t, "role", res.Rejections[0].Field)
	require.Contains(t, res.Rejections[0].Reason, "recoup user add")
	var role string
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT role FROM users WHERE email = 'ivy@recoup.example'`).Scan(&role))
	require.Equal(t, "agent", role)
}

func TestAdminsManageUsersAndTheirTokens(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := decode[struct {
		Email       string
		Role        string
		AllEntities bool `json:"all_entities"`
		Entities    []string
		CanSignIn   bool `json:"can_sign_in"`
	}](t, b.do(t, http.MethodPut, "/api/v1/users", "application/json",
		`{"email": "Jo@Recoup.example", "name": "Jo", "role": "credit_manager", "entities": ["JP01"], "password": "`+testPassword+`"}`, http.StatusOK))
	require.Equal(t, "jo@recoup.example", u.Email)
	require.Equal(t, []string{"JP01"}, u.Entities)
	require.False(t, u.AllEntities)
	require.True(t, u.CanSignIn)
	require.Equal(t, http.StatusOK, b.login(t, "jo@recoup.example", testPassword).Code)

	var after string
	require.NoError(t, b.store.Pool.QueryRow(context.Background(),
		`SELECT after::text FROM audit_journal WHERE action = 'user.put' ORDER BY seq DESC LIMIT 1`).Scan(&after))
	require.NotContains(t, after, "$2a$", "no password hash in the journal")
	require.Contains(t, after, `"password_changed": true`)

	tests := []struct{ body, field string }{
		{`{"email": "x@recoup.example", "role": "boss"}`, "role"},
		{`{"email": "not an email", "role": "agent"}`, "email"},
		{`{"email": "x@recoup.example", "role": "agent", "entities": ["XX99"]}`, "entities"},
		{`{"email": "x@recoup.example", "role": "agent", "password": "short"}`, "password"},
		{`{"email": "x@recoup.example", "role": "department"}`, "department"},
		{`{"email": "x@recoup.example", "role": "agent", "superuser": true}`, "superuser"},
	}
	for _, tt := range tests {
		e := decode[struct{ Error struct{ Field string } }](t, b.do(t, http.MethodPut, "/api/v1/users", "application/json", tt.body, http.StatusBadRequest))
		require.Equal(t, tt.field, e.Error.Field, tt.body)
	}

	tok := decode[struct{ Token string }](t, b.do(t, http.MethodPost, "/api/v1/users/jo@recoup.example/tokens", "application/json",
		`{"name": "ERP export", "scope": "import", "expires": "2h"}`, http.StatusCreated))
	me := decode[struct{ Scope string }](t, b.doAs(t, tok.Token, http.MethodGet, "/api/v1/auth/me", "", "", http.StatusOK))
	require.Equal(t, "import", me.Scope)
	b.do(t, http.MethodPost, "/api/v1/users/nobody@recoup.example/tokens", "application/json", `{"name": "x"}`, http.StatusNotFound)

	// Disabling a user stops their sign-in and their tokens at once.
	b.do(t, http.MethodPut, "/api/v1/users", "application/json", `{"email": "jo@recoup.example", "role": "credit_manager", "entities": ["JP01"], "disabled": true}`, http.StatusOK)
	b.doAs(t, tok.Token, http.MethodGet, "/api/v1/auth/me", "", "", http.StatusUnauthorized)
	require.Equal(t, http.StatusUnauthorized, b.login(t, "jo@recoup.example", testPassword).Code)
}

// Without Temporal the journal alone answers, and reading it is journaled.
func TestCustomerHistoryMergesTheJournalAndJournalsWhoLooked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	var c1 int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'C1'`).Scan(&c1))
	_, _, err := b.store.CreateTask(ctx, store.Task{Key: "call-c1", CustomerID: c1, Kind: domain.TaskCall,
		AssigneeRole: "agent", DueAt: time.Now().Add(time.Hour), Note: "call", Actor: "dunning/1"})
	require.NoError(t, err)
	auditor := b.tokenFor(t, store.UserSpec{Email: "kim@recoup.example", Role: domain.RoleAuditor})
	path := fmt.Sprintf("/api/v1/customers/%d/history", c1)

	h := decode[struct {
		CustomerID int64  `json:"customer_id"`
		Workflow   string `json:"workflow_history"`
		Entries    []struct {
			Source, Kind, Actor, Action string
			At                          time.Time
		}
	}](t, b.doAs(t, auditor, http.MethodGet, path, "", "", http.StatusOK))
	require.Equal(t, c1, h.CustomerID)
	require.Contains(t, h.Workflow, "unavailable")
	require.Len(t, h.Entries, 2)
	require.Equal(t, []string{"dunning/1", "task.create"}, []string{h.Entries[0].Actor, h.Entries[0].Action})
	require.Equal(t, []string{"kim@recoup.example (token 2)", "customer.history.view"}, []string{h.Entries[1].Actor, h.Entries[1].Action},
		"the read itself is journaled before the answer")

	only := decode[struct{ Entries []struct{ Action string } }](t, b.doAs(t, auditor, http.MethodGet,
		path+"?kind=journal&from="+h.Entries[0].At.Format(time.RFC3339Nano)+"&to="+h.Entries[1].At.Format(time.RFC3339Nano), "", "", http.StatusOK))
	require.Equal(t, []struct{ Action string }{{"task.create"}}, only.Entries)

	req := httptest.NewRequest(http.MethodGet, path+"?format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+auditor)
	rec := httptest.NewRecorder()
	b.handler.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "text/csv; charset=utf-8", rec.Header().Get("Content-Type"))
	lines := strings.Split(strings.TrimSpace(rec.Body.String()), "\n")
	require.Equal(t, "at,source,kind,run_id,event_id,actor,action,summary,detail", lines[0])
	require.Len(t, lines, 5, "header, the task, and three reads (this one included)")

	for _, q := range []string{"?kind=gossip", "?from=yesterday", "?from=2026-02-01&to=2026-01-01", "?format=xml", "?limit=5"} {
		b.doAs(t, auditor, http.MethodGet, path+q, "", "", http.StatusBadRequest)
	}
	var views int
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_journal WHERE action = 'customer.history.view'`).Scan(&views))
	require.Equal(t, 3, views, "every successful read, and only those")
}
