package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/require"

	"recoup/api"
	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

type testBundle struct {
	handler http.Handler
	router  routers.Router
	store   *store.Store
	admin   string // an admin's API token, which do sends
}

// setup serves the API on a fresh database holding a small ERP feed (two
// entities, two agents, three customers, four invoices and a credit note), and
// loads the OpenAPI document every exchange is checked against.
func setup(t *testing.T) *testBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	b := &testBundle{store: st, handler: api.NewHandler(api.Options{
		App: app.New(st, nil, nil), Logger: slog.New(slog.DiscardHandler), MaxImportBytes: 64 << 10,
	})}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPISpec())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()), "the OpenAPI document itself is valid")
	doc.Servers = nil // match any host
	b.router, err = gorillamux.NewRouter(doc)
	require.NoError(t, err)
	b.admin = b.tokenFor(t, store.UserSpec{Email: "root@recoup.example", Role: domain.RoleAdmin})

	rows := storetest.NewFactory(pool)
	eur, jpy := money.MustCurrency("EUR"), money.MustCurrency("JPY")
	fr := rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France"})
	jp := rows.Entity(t, storetest.Entity{Code: "JP01", Name: "Recoup Japan", Country: "JP", Currency: jpy, TimeZone: "Asia/Tokyo", Language: "ja"})
	alice := rows.User(t, storetest.User{Email: "alice@recoup.example", Name: "Alice", Role: domain.RoleAgent})
	bob := rows.User(t, storetest.User{Email: "bob@recoup.example", Name: "Bob", Role: domain.RoleAgent})
	c1 := rows.Customer(t, storetest.Customer{ExternalID: "C1", Entity: fr, Name: "Boulangerie Martin", Category: "retail",
		Agent: alice, CreditLimit: &money.Money{Minor: 500000, Currency: eur}})
	rows.Customer(t, storetest.Customer{ExternalID: "C2", Entity: fr, Name: "Atelier Durand", Category: "wholesale", Agent: bob})
	c3 := rows.Customer(t, storetest.Customer{ExternalID: "C3", Entity: jp, Name: "Yamada Shoji", Category: "wholesale",
		Agent: alice, CreditLimit: &money.Money{Minor: 1000000, Currency: jpy}})
	issued, due := dunning.NewDate(2020, time.January, 1), dunning.NewDate(2020, time.February, 1)
	euros := func(minor int64) money.Money { return money.Money{Minor: minor, Currency: eur} }
	for _, in := range []storetest.Invoice{
		{ExternalID: "I1", Customer: c1, Number: "F-1", DueDate: due, Amount: euros(10000)},
		{ExternalID: "I2", Customer: c1, Number: "F-2", DueDate: dunning.NewDate(2099, time.February, 1), Amount: euros(5025)},
		{ExternalID: "I3", Customer: c1, Number: "F-3", DueDate: due, Amount: euros(1000), Open: euros(0)},
		{ExternalID: "CN1", Customer: c1, Number: "A-1", Type: domain.TypeCreditNote, DueDate: issued, Amount: euros(2000)},
		{ExternalID: "I4", Customer: c3, Number: "J-1", DueDate: due, Amount: money.Money{Minor: 120000, Currency: jpy}},
	} {
		in.IssueDate = issued
		rows.Invoice(t, in)
	}
	return b
}

// tokenFor creates (or updates) the user u and returns a new API token of theirs.
func (b *testBundle) tokenFor(t *testing.T, u store.UserSpec) string {
	t.Helper()
	ctx := context.Background()
	_, err := b.store.PutUser(ctx, u, "test")
	require.NoError(t, err)
	_, secret, err := auth.IssueToken(ctx, b.store, u.Email, "test", "", "", "test")
	require.NoError(t, err)
	return secret
}

// do sends one request as the admin, checks the status, and checks request and response against the OpenAPI document.
func (b *testBundle) do(t *testing.T, method, path, contentType, body string, wantStatus int) []byte {
	t.Helper()
	return b.doAs(t, b.admin, method, path, contentType, body, wantStatus)
}

// serve sends one request with credentials cred: an API token (rcp_…), a
// session cookie (rcs_…), or "" for none.
func (b *testBundle) serve(cred, method, path, contentType, body string) (*http.Request, *httptest.ResponseRecorder) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	switch {
	case strings.HasPrefix(cred, auth.SessionPrefix):
		req.AddCookie(&http.Cookie{Name: "recoup_session", Value: cred})
	case cred != "":
		req.Header.Set("Authorization", "Bearer "+cred)
	}
	rec := httptest.NewRecorder()
	b.handler.ServeHTTP(rec, req)
	return req, rec
}

// doAs is do with other credentials: an API token (rcp_…), a session cookie
// (rcs_…), or "" for none.
func (b *testBundle) doAs(t *testing.T, token, method, path, contentType, body string, wantStatus int) []byte {
	t.Helper()
	req, rec := b.serve(token, method, path, contentType, body)
	require.Equal(t, wantStatus, rec.Code, "%s %s: %s", method, path, rec.Body.String())

	route, params, err := b.router.FindRoute(httptest.NewRequest(method, path, strings.NewReader(body)))
	if err != nil {
		return rec.Body.Bytes() // not a documented route: only 404/405 answers reach here
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{ExcludeRequestBody: true, ExcludeRequestQueryParams: wantStatus >= 400}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
		Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	require.NoError(t, openapi3filter.ValidateResponse(context.Background(), out), "%s %s answers as documented: %s", method, path, rec.Body.String())
	return rec.Body.Bytes()
}

type page struct {
	Items []map[string]any `json:"items"`
	Total int64            `json:"total"`
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(body, &v), string(body))
	return v
}

func TestListCustomersFiltersSortsAndPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		query string
		want  []string
		total int64
	}{
		{"", []string{"Atelier Durand", "Boulangerie Martin", "Yamada Shoji"}, 3},
		{"?sort=-name", []string{"Yamada Shoji", "Boulangerie Martin", "Atelier Durand"}, 3},
		{"?entity=JP01", []string{"Yamada Shoji"}, 1},
		{"?agent=alice@recoup.example", []string{"Boulangerie Martin", "Yamada Shoji"}, 2},
		{"?category=wholesale&sort=external_id", []string{"Atelier Durand", "Yamada Shoji"}, 2},
		{"?q=martin", []string{"Boulangerie Martin"}, 1},
		{"?limit=1&offset=1", []string{"Boulangerie Martin"}, 3},
		{"?sort=balance", []string{"Atelier Durand", "Boulangerie Martin", "Yamada Shoji"}, 3},
		{"?sort=-overdue", []string{"Yamada Shoji", "Boulangerie Martin", "Atelier Durand"}, 3},
		{"?sort=-days_overdue", []string{"Boulangerie Martin", "Yamada Shoji", "Atelier Durand"}, 3}, // same due date: by id
		{"?sort=-last_contact", []string{"Yamada Shoji", "Atelier Durand", "Boulangerie Martin"}, 3}, // none contacted: by id, descending
		{"?overdue=true", []string{"Boulangerie Martin", "Yamada Shoji"}, 2},
		{"?overdue=false", []string{"Atelier Durand"}, 1},
		{"?on_hold=true", nil, 0},
		{"?on_hold=false&sort=-balance", []string{"Yamada Shoji", "Boulangerie Martin", "Atelier Durand"}, 3},
	}
	for _, tt := range tests {
		p := decode[page](t, b.do(t, http.MethodGet, "/api/v1/customers"+tt.query, "", "", http.StatusOK))
		var names []string
		for _, it := range p.Items {
			names = append(names, it["name"].(string))
		}
		require.Equal(t, tt.want, names, tt.query)
		require.Equal(t, tt.total, p.Total, tt.query)
	}
}

func TestListCustomersRejectsBadParameters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, q := range []string{"?limit=0", "?limit=501", "?offset=-1", "?sort=amount", "?sort=-", "?overdue=maybe", "?on_hold=2", "?entitty=FR01", "?limit=abc"} {
		body := b.do(t, http.MethodGet, "/api/v1/customers"+q, "", "", http.StatusBadRequest)
		e := decode[struct {
			Error struct{ Code, Message, Field string }
		}](t, body)
		require.Equal(t, "invalid", e.Error.Code, q)
		require.NotEmpty(t, e.Error.Field, q)
	}
}

func TestGetCustomerShowsBalanceAndOpenItems(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := decode[page](t, b.do(t, http.MethodGet, "/api/v1/customers?q=C1", "", "", http.StatusOK))
	require.Len(t, p.Items, 1)
	id := int64(p.Items[0]["id"].(float64))
	body := b.do(t, http.MethodGet, "/api/v1/customers/"+strconv.FormatInt(id, 10), "", "", http.StatusOK)
	c := decode[struct {
		Balance   struct{ Amount, Currency string }
		Overdue   struct{ Amount string }
		OpenItems []struct {
			Number      string
			DaysOverdue int `json:"days_overdue"`
		} `json:"open_items"`
		CreditLimit struct{ Amount string } `json:"credit_limit"`
	}](t, body)
	require.Equal(t, "130.25", c.Balance.Amount, "100 + 50.25 open, less the 20 credit note")
	require.Equal(t, "EUR", c.Balance.Currency)
	require.Equal(t, "100.00", c.Overdue.Amount)
	require.Equal(t, "5000.00", c.CreditLimit.Amount)
	require.Len(t, c.OpenItems, 3, "two open invoices and the credit note; the paid one is gone")
	require.Equal(t, "A-1", c.OpenItems[0].Number)

	b.do(t, http.MethodGet, "/api/v1/customers/999999", "", "", http.StatusNotFound)
	b.do(t, http.MethodGet, "/api/v1/customers/abc", "", "", http.StatusBadRequest)
}

func TestListInvoicesFilters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		query string
		want  []string
	}{
		{"?overdue=true", []string{"F-1", "J-1"}},
		{"?status=paid", []string{"F-3"}},
		{"?status=open&overdue=false", []string{"A-1", "F-2"}},
	}
	for _, tt := range tests {
		p := decode[page](t, b.do(t, http.MethodGet, "/api/v1/invoices"+tt.query, "", "", http.StatusOK))
		var numbers []string
		for _, it := range p.Items {
			numbers = append(numbers, it["number"].(string))
		}
		require.ElementsMatch(t, tt.want, numbers, tt.query)
		require.EqualValues(t, len(tt.want), p.Total, tt.query)
	}
	p := decode[struct {
		Total      int64 `json:"total"`
		TotalExact bool  `json:"total_exact"`
	}](t, b.do(t, http.MethodGet, "/api/v1/invoices?limit=1&offset=1", "", "", http.StatusOK))
	require.Equal(t, int64(5), p.Total, "every invoice, counted past the page")
	require.True(t, p.TotalExact, "well under the counting cap")
	b.do(t, http.MethodGet, "/api/v1/invoices?status=late", "", "", http.StatusBadRequest)
	b.do(t, http.MethodGet, "/api/v1/invoices?customer=0", "", "", http.StatusBadRequest)
}

func TestImportAnswersCountsAndRejections(t *testing.T) {
	t.Parallel()
	b := setup(t)
	csv := "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n" +
		"I1,C1,F-1,invoice,2020-01-01,2020-02-01,EUR,100.00,60.00\n" +
		"I9,C9,F-9,invoice,2020-01-01,2020-02-01,EUR,1.00,1.00\n" +
		"I2,C1,F-2,invoice,2020-01-01,2099-02-01,EUR,50.25,50.25\n"
	res := decode[struct {
		Inserted, Updated, Unchanged, Rejected int64
		Rejections                             []struct {
			Line   int64
			Field  string
			Reason string
		}
	}](t, b.do(t, http.MethodPost, "/api/v1/imports?kind=invoices", "text/csv", csv, http.StatusOK))
	require.Equal(t, []int64{0, 1, 1, 1}, []int64{res.Inserted, res.Updated, res.Unchanged, res.Rejected})
	require.Equal(t, int64(3), res.Rejections[0].Line)
	require.Equal(t, "customer_external_id", res.Rejections[0].Field)

	jsonBody := `[{"external_id":"I5","customer_external_id":"C2","number":"D-1","type":"invoice","issue_date":"2026-01-01","due_date":"2026-02-01","currency":"EUR","amount":"10","open_amount":"10"}]`
	b.do(t, http.MethodPost, "/api/v1/imports?kind=invoices", "application/json", jsonBody, http.StatusOK)

	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("file", "more.json")
	require.NoError(t, err)
	_, _ = fw.Write([]byte(strings.ReplaceAll(jsonBody, "I5", "I6")))
	require.NoError(t, mw.Close())
	res2 := decode[struct{ Inserted int64 }](t, b.do(t, http.MethodPost, "/api/v1/imports?kind=invoices", mw.FormDataContentType(), form.String(), http.StatusOK))
	require.Equal(t, int64(0), res2.Inserted, "I6 reuses number D-1 of the same customer")
}

func TestImportRefusesBadRequests(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name, path, contentType, body string
		status                        int
		code                          string
	}{
		{"unknown kind", "/api/v1/imports?kind=orders", "text/csv", "a\n", 400, "invalid"},
		{"no kind", "/api/v1/imports", "text/csv", "a\n", 400, "invalid"},
		{"bad header", "/api/v1/imports?kind=users", "text/csv", "mail,name\n", 400, "invalid_file"},
		{"bad format", "/api/v1/imports?kind=users&format=xml", "text/csv", "", 400, "invalid"},
		{"unknown content type", "/api/v1/imports?kind=users", "application/xml", "<a/>", 400, "invalid"},
		{"too large", "/api/v1/imports?kind=users", "text/csv", "email,name,role\n" + strings.Repeat("x", 70<<10), 413, "too_large"},
	}
	for _, tt := range tests {
		body := b.do(t, http.MethodPost, tt.path, tt.contentType, tt.body, tt.status)
		e := decode[struct {
			Error struct{ Code, Message string }
		}](t, body)
		require.Equal(t, tt.code, e.Error.Code, tt.name)
		require.NotEmpty(t, e.Error.Message, tt.name)
	}
	var users int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM users`).Scan(&users))
	require.Equal(t, 3, users, "nothing written by refused imports (the admin and the two users of the feed)")
}

func TestErrorsAreJSON(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := b.do(t, http.MethodGet, "/api/v1/nowhere", "", "", http.StatusNotFound)
	require.Contains(t, string(body), `"code":"not_found"`)
	body = b.do(t, http.MethodDelete, "/api/v1/customers", "", "", http.StatusMethodNotAllowed)
	require.Contains(t, string(body), `"code":"method_not_allowed"`)
	b.do(t, http.MethodGet, "/api/v1/system/check", "", "", http.StatusServiceUnavailable)
	_, rec := b.serve(b.admin, http.MethodGet, "/api/v1/system/check", "", "")
	require.Equal(t, "30", rec.Header().Get("Retry-After"), "a refusal for want of Temporal says when to try again")
	b.do(t, http.MethodGet, "/healthz", "", "", http.StatusOK)
}

// Readiness lists each dependency: Postgres answers here, this process has
// no Temporal, so it serves what is stored and says it is degraded.
func TestReadinessSaysWhatAnswers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var got struct {
		Status       string `json:"status"`
		Dependencies []struct {
			Name      string   `json:"name"`
			Up        bool     `json:"up"`
			LatencyMS *float64 `json:"latency_ms"`
			LastError string   `json:"last_error"`
		} `json:"dependencies"`
	}
	require.NoError(t, json.Unmarshal(b.doAs(t, "", http.MethodGet, "/readyz", "", "", http.StatusOK), &got))
	require.Equal(t, "degraded", got.Status)
	require.Len(t, got.Dependencies, 2)
	require.Equal(t, "postgres", got.Dependencies[0].Name)
	require.True(t, got.Dependencies[0].Up)
	require.NotNil(t, got.Dependencies[0].LatencyMS)
	require.Equal(t, "temporal", got.Dependencies[1].Name)
	require.False(t, got.Dependencies[1].Up)
	require.Contains(t, got.Dependencies[1].LastError, "no Temporal connection")

	b.store.Pool.Close()
	require.NoError(t, json.Unmarshal(b.doAs(t, "", http.MethodGet, "/readyz", "", "", http.StatusServiceUnavailable), &got))
	require.Equal(t, "unavailable", got.Status)
	require.False(t, got.Dependencies[0].Up)
	require.NotEmpty(t, got.Dependencies[0].LastError)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// The client's address is the connection's peer unless the request came
// through a proxy named in RECOUP_TRUSTED_PROXIES: nobody picks theirs with
// an X-Forwarded-For header (sign-in throttling and records count by it).
func TestClientAddressTrustsOnlyNamedProxies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		proxies []string
		want    string
	}{
		{"no proxy trusted", nil, "192.0.2.7"},
		{"the load balancer trusted", []string{"192.0.2.0/24"}, "203.0.113.9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := storetest.NewPool(t)
			st := &store.Store{Pool: pool}
			h := api.NewHandler(api.Options{App: app.New(st, nil, nil), Logger: slog.New(slog.DiscardHandler), TrustedProxies: tc.proxies})
			req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader(`{"email":"x@recoup.example","password":"wrong"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			req.RemoteAddr = "192.0.2.7:5555"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, http.StatusUnauthorized, rec.Code, rec.Body.String())
			var got string
			require.NoError(t, pool.QueryRow(context.Background(), `SELECT address FROM login_attempts`).Scan(&got))
			require.Equal(t, tc.want, got)
		})
	}
	_, err := api.ParseTrustedProxies("10.0.0.0/8, 192.0.2.1")
	require.NoError(t, err)
	_, err = api.ParseTrustedProxies("10.0.0.0/8,lb.internal")
	require.ErrorContains(t, err, `"lb.internal" is neither an address nor a CIDR`)
}
