package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"recoup/api"
	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/risk"
	"recoup/store"
)

// The hostile values sent everywhere: SQL that would do harm if it were ever
// spliced into a statement, numbers no column can hold, and bytes no text
// column can hold.
const (
	sqlDrop  = `'; DROP TABLE customers; --`
	sqlOr    = `1 OR 1=1`
	sqlQuote = `" OR ""="`
)

var hostileSQL = []struct{ name, value string }{{"sql-drop", sqlDrop}, {"sql-or", sqlOr}, {"sql-quote", sqlQuote}}

// hostileNumbers are JSON numbers beyond float64 or int64.
var hostileNumbers = []namedRaw{
	{"1e400", "1e400"},
	{"99999999999999999999999", "99999999999999999999999"},
	{"-9223372036854775809", "-9223372036854775809"},
	{"9223372036854775808", "9223372036854775808"},
}

// hostilePathValues replace a path parameter, already escaped for the URL.
var hostilePathValues = []struct {
	name, escaped string
	numeric       bool
}{
	{"sql-drop", url.PathEscape(sqlDrop), false},
	{"sql-or", url.PathEscape(sqlOr), false},
	{"sql-quote", url.PathEscape(sqlQuote), false},
	{"invalid-utf8", "%FF%FE", false},
	{"nul", "a%00b", false},
	{"1e400", "1e400", true},
	{"99999999999999999999999", "99999999999999999999999", true},
	{"-9223372036854775809", "-9223372036854775809", true},
}

// hostileQueries are added to a request's URL.
var hostileQueries = []struct{ name, query string }{
	{"sql-drop-value", "q=" + url.QueryEscape(sqlDrop)},
	{"sql-or-value", "id=" + url.QueryEscape(sqlOr)},
	{"sql-quote-value", "name=" + url.QueryEscape(sqlQuote)},
	{"sql-drop-name", url.QueryEscape(sqlDrop) + "=1"},
	{"huge-limit", "limit=99999999999999999999999"},
	{"invalid-utf8", "x=%FF%FE"},
	{"nul", "x=a%00b"},
}

// jobj is a JSON object kept in order, so that a case can replace one member
// (or repeat it) and leave the rest valid: the hostile part is the only problem.
type jobj []struct{ key, raw string }

func newJObj(pairs ...string) jobj {
	o := jobj{} // not nil: newJObj() is an empty body, not none
	for i := 0; i+1 < len(pairs); i += 2 {
		o = o.plus(pairs[i], pairs[i+1])
	}
	return o
}

func (o jobj) String() string {
	parts := make([]string, len(o))
	for i, m := range o {
		k, _ := json.Marshal(m.key)
		parts[i] = string(k) + ":" + m.raw
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// with replaces key's value (or adds the member).
func (o jobj) with(key, raw string) jobj {
	out := append(jobj{}, o...)
	for i := range out {
		if out[i].key == key {
			out[i].raw = raw
			return out
		}
	}
	return out.plus(key, raw)
}

// plus appends a member, even one already there (a duplicate key).
func (o jobj) plus(key, raw string) jobj {
	return append(append(jobj{}, o...), struct{ key, raw string }{key, raw})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// fieldKind says which hostile values a JSON member gets.
type fieldKind int

const (
	// A string with a format (an email, a code, a time): SQL fragments,
	// invalid UTF-8 and NUL are all invalid there.
	kindFormatted fieldKind = iota
	// Free text, where any text is valid (and an SQL fragment is stored as
	// text, which TestHostileSQLFragmentsAreStoredAsText checks): only NUL, which no
	// Postgres text can hold, and wrong types.
	kindFreeText
	// Free text where even NUL is a valid input (a password, which is only hashed): wrong types only.
	kindAnyText
	kindNumber
	kindBool
	kindStringList
)

// namedRaw is a named raw JSON value.
type namedRaw struct{ name, raw string }

type hostileField struct {
	key  string
	kind fieldKind
	// extra invalid raw values for this field, by name
	extra []namedRaw
}

// hostileEndpoint is one write endpoint with a request it would accept.
type hostileEndpoint struct {
	method, route string // route as in api.Routes() (with /auth/login and /imports spelt the same way)
	args          map[string]string
	body          jobj // nil: the endpoint takes no body
	fields        []hostileField
	cookie        bool // send the admin's session cookie instead of the token
	login         bool // a well-formed failed sign-in is recorded in login_attempts
	// checksQuery: the handler refuses unknown query parameters, so a hostile
	// query on an otherwise valid request is the only problem. Other write
	// handlers ignore the query, so it is sent with queryArgs (a path that is
	// refused on its own) or else an empty body: the query must not make such a
	// request succeed or change anything.
	checksQuery bool
	queryArgs   map[string]string
	// dupKey and dupRaw repeat a member with an invalid value after the valid
	// one (encoding/json keeps the last of duplicate keys).
	dupKey, dupRaw string
	// unique makes the n-th copy of a valid body distinct, for endpoints that refuse a second one alike.
	unique func(o jobj, n int) jobj
}

func (e hostileEndpoint) path(args map[string]string) string {
	p := e.route
	for k, v := range args {
		p = strings.Replace(p, ":"+k, v, 1)
	}
	return "/api/v1" + p
}

type hostileCase struct {
	name         string
	route        string // "METHOD /route", for the check that every write route is covered
	method, path string
	contentType  string
	body         string
	cookie       bool
	want         int // 0: any 4xx
	login        bool
	// rowLevel: an import file the importer can read, whose every row is bad.
	// The importer rejects bad rows one by one and answers 200 with the
	// rejections (that is its contract: one bad row does not sink a file of a
	// million), recording the run in imports, import_rejections and the
	// audit journal. Such a case passes with a 4xx and nothing changed, or a
	// 200 with nothing inserted or updated and no other table changed.
	rowLevel bool
}

// TestHostileInputIsRefusedAndChangesNothing sends hostile input to every
// write endpoint, each time with everything else valid, and requires a 4xx
// JSON error and a database exactly as before.
//
// What "unchanged" means: every table of the public schema, hashed row by
// row, is equal before and after each request, with two exceptions, both
// legitimate side effects of a refused request:
//   - api_tokens.last_used_at: authenticating stamps the token's last use (at
//     most once a minute); it is left out of the hash.
//   - login_attempts: a well-formed but failed sign-in (an SQL fragment as the
//     email, a wrong password) must be recorded, for the rate limit. For the
//     login cases only, the table may gain rows, and only failed ones.
//
// The login cases start from an empty login_attempts, so that the rate limit
// (429) does not answer before the input is looked at. Sequences are not
// compared: a refused INSERT may consume an id.
//
// The Temporal endpoints (dunning pause, resume, reassign) check their input
// before they need Temporal, so a bad body is a 4xx even in this harness,
// which has none.
func TestHostileInputIsRefusedAndChangesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	fx := newHostileFixture(t, b)
	cases := hostileCases(fx)
	tables := fingerprintTables(dbFingerprint(t, b))

	// Every write route has cases, so a new one cannot be forgotten.
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.route] = true
	}
	for _, rt := range api.Routes() {
		if rt.Method == http.MethodGet {
			continue
		}
		require.True(t, covered[rt.Method+" "+rt.Path], "no hostile cases for %s %s: add its endpoint to hostileEndpoints", rt.Method, rt.Path)
	}
	require.True(t, covered["POST /auth/login"])

	names := map[string]bool{}
	for _, c := range cases {
		require.False(t, names[c.name], "duplicate case name %s", c.name)
		names[c.name] = true
		t.Run(c.name, func(t *testing.T) { runHostileCase(t, b, fx, c) })
	}
	require.Equal(t, tables, fingerprintTables(dbFingerprint(t, b)), "every table is still there")
	var customers int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM customers`).Scan(&customers))
	require.GreaterOrEqual(t, customers, 3, "no customer was deleted")

	t.Logf("%d cases", len(cases))
}

func fingerprintTables(fp map[string]string) []string { return slices.Sorted(maps.Keys(fp)) }

func runHostileCase(t *testing.T, b *testBundle, fx *hostileFixture, c hostileCase) {
	if c.login { // earlier failures would have the rate limit answer 429 before the input is looked at
		_, err := b.store.Pool.Exec(context.Background(), `DELETE FROM login_attempts`)
		require.NoError(t, err)
	}
	before := dbFingerprint(t, b)
	var lastEvent int64
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT coalesce(max(last_id), 0) FROM event_commits`).Scan(&lastEvent))
	okLoginsBefore := successfulLogins(t, b)
	status, header, body := fx.send(t, c.method, c.path, c.contentType, c.body, c.cookie)
	after := dbFingerprint(t, b)
	if c.login {
		delete(before, "login_attempts")
		delete(after, "login_attempts")
		require.Equal(t, okLoginsBefore, successfulLogins(t, b), "a refused sign-in is recorded as failed, never as a success")
	}

	refused := status >= 400 && status < 500
	if c.want != 0 {
		refused = status == c.want
	}
	if c.rowLevel && status == http.StatusOK {
		var res struct{ Inserted, Updated, Rejected int64 }
		require.NoError(t, json.Unmarshal(body, &res))
		require.Zero(t, res.Inserted+res.Updated, "no bad row is imported: %s", clipBody(body, 300))
		require.Positive(t, res.Rejected, clipBody(body, 300))
		var other int
		require.NoError(t, b.store.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM events e JOIN event_commits k USING (xid) WHERE k.first_id > $1 AND e.type <> 'import.completed'`, lastEvent).Scan(&other))
		require.Zero(t, other, "the run's only event is import.completed")
		for _, bookkeeping := range []string{"imports", "import_rejections", "audit_journal", "events", "event_commits", "event_counter"} {
			delete(before, bookkeeping)
			delete(after, bookkeeping)
		}
		require.Equal(t, before, after, "a file of rejected rows changes no data")
		return
	}
	require.True(t, refused, "%s %s answered %d: %s", c.method, c.path, status, clipBody(body, 300))

	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	require.Equal(t, "application/json", mt, "an error is JSON: %s", clipBody(body, 300))
	var e struct {
		Error struct{ Code, Message string }
	}
	require.NoError(t, json.Unmarshal(body, &e), clipBody(body, 300))
	require.NotEmpty(t, e.Error.Code, string(body))
	require.NotEmpty(t, e.Error.Message, string(body))
	require.Equal(t, before, after, "a refused request changes nothing")
}

func clipBody(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// hostileFixture holds the valid ids the cases aim at.
type hostileFixture struct {
	b                   *testBundle
	scenarioTaken       string // the name of another scenario
	session             string // the admin's session cookie (POST /tokens refuses tokens)
	password            string
	customer            string
	scenario, rule      string
	task, token         string
	promise, plan       string
	tmplSubject, tmplTx string
	tmplHTML            string
	absence             string // an absence of Alice's, covered by Bob
	invoice             string // an open invoice of the customer
	dispute             string // an open dispute of the customer (on another invoice)
	column              string // a user-defined column
	report              string // a weekly report
	webhook             string // a subscription to a public address (nothing listens there)
	riskSignal          string // a signal in the unmatched queue
	riskProvider        string // a declared risk provider
	riskRule            string // a risk rule of FR01
}

func newHostileFixture(t *testing.T, b *testBundle) *hostileFixture {
	t.Helper()
	ctx := context.Background()
	fx := &hostileFixture{b: b, password: "correct horse battery staple", scenarioTaken: "Taken"}

	hash, err := auth.HashPassword(fx.password)
	require.NoError(t, err)
	_, err = b.store.PutUser(ctx, store.UserSpec{Email: "root@recoup.example", Role: domain.RoleAdmin, PasswordHash: hash}, "test")
	require.NoError(t, err)
	status, header, body := fx.send(t, http.MethodPost, "/api/v1/auth/login", "application/json",
		newJObj("email", jsonString("root@recoup.example"), "password", jsonString(fx.password)).String(), false)
	require.Equal(t, http.StatusOK, status, string(body))
	for _, c := range (&http.Response{Header: header}).Cookies() {
		if c.Name == "recoup_session" {
			fx.session = c.Value
		}
	}
	require.NotEmpty(t, fx.session)

	var c1 int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'C1'`).Scan(&c1))
	fx.customer = itoa64(c1)
	var inv int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT min(id) FROM invoices WHERE customer_id = $1 AND type = 'invoice'`, c1).Scan(&inv))
	fx.invoice = itoa64(inv)

	fx.scenario = itoa64(decode[struct{ ID int64 }](t, b.do(t, http.MethodPost, "/api/v1/scenarios", "application/json",
		hostileScenario("Fixture").String(), http.StatusCreated)).ID)
	b.do(t, http.MethodPost, "/api/v1/scenarios", "application/json", hostileScenario(fx.scenarioTaken).String(), http.StatusCreated)
	fx.rule = itoa64(decode[struct{ ID int64 }](t, b.do(t, http.MethodPost, "/api/v1/scenario-rules", "application/json",
		fmt.Sprintf(`{"position": 10, "scenario_id": %s}`, fx.scenario), http.StatusCreated)).ID)
	fx.riskRule = itoa64(decode[struct{ ID int64 }](t, b.do(t, http.MethodPost, "/api/v1/risk/rules", "application/json",
		`{"entity": "FR01", "name": "Fixture", "kind": "legal_status_change", "notify": true}`, http.StatusCreated)).ID)
	fx.report = itoa64(decode[struct{ ID int64 }](t, b.do(t, http.MethodPost, "/api/v1/reports", "application/json",
		`{"name": "Committee", "recipients": ["cfo@example.com"], "weekday": 1, "hour": 7}`, http.StatusCreated)).ID)

	_, created, err := b.store.CreateTask(ctx, store.Task{Key: "hostile-call", CustomerID: c1, Kind: domain.TaskCall,
		AssigneeRole: "agent", DueAt: time.Now().Add(48 * time.Hour), Note: "call"})
	require.NoError(t, err)
	require.True(t, created)
	var task int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM tasks WHERE key = 'hostile-call'`).Scan(&task))
	fx.task = itoa64(task)
	promise, err := b.store.CreatePromise(ctx, store.NewPromise{CustomerID: c1, Amount: money.Money{Minor: 1000, Currency: money.MustCurrency("EUR")},
		Date: dunning.DateOf(time.Now()).AddDays(7), Source: "call", Actor: "test"})
	require.NoError(t, err)
	fx.promise = itoa64(promise.ID)
	plan, err := b.store.CreatePlan(ctx, store.NewPlan{CustomerID: c1, Currency: money.MustCurrency("EUR"), Actor: "test",
		Instalments: []store.Instalment{{Date: dunning.DateOf(time.Now()).AddDays(30), Amount: 5025}}})
	require.NoError(t, err)
	fx.plan = itoa64(plan.ID)

	ab, err := b.store.CreateAbsence(ctx, store.Absence{AgentEmail: "alice@recoup.example", Delegates: []string{"bob@recoup.example"},
		StartsAt: time.Now().UTC()}, "test")
	require.NoError(t, err)
	fx.absence = itoa64(ab.ID)
	hook, err := b.store.CreateWebhook(ctx, store.Webhook{URL: "https://203.0.113.10/hook", Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "test")
	require.NoError(t, err)
	fx.webhook = itoa64(hook.ID)
	fx.riskProvider = "acme"
	_, err = b.store.CreateRiskProvider(ctx, store.RiskProvider{Name: fx.riskProvider, Adapter: "generic", Secret: "rsk_fixture", Active: true}, "test")
	require.NoError(t, err)
	score := 40
	_, err = b.store.IngestRiskSignals(ctx, store.RiskIngest{Provider: fx.riskProvider, Source: "webhook", Actor: "test",
		Signals: []risk.Signal{{EventID: "e-1", CompanyID: "999999999", CompanyIDKind: risk.IDRegistration, ObservedAt: time.Now(), Score: &score}}})
	require.NoError(t, err)
	var signal int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM risk_signals WHERE event_id = 'e-1'`).Scan(&signal))
	fx.riskSignal = itoa64(signal)

	var other int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT max(id) FROM invoices WHERE customer_id = $1 AND type = 'invoice' AND status = 'open'`, c1).Scan(&other))
	dispute, err := b.store.OpenCase(ctx, store.Everything, store.NewCase{Type: domain.CaseDispute, CustomerID: c1, Reason: "price",
		Invoices: []store.NewCaseInvoice{{InvoiceID: other}}, Source: "agent", Actor: "test"})
	require.NoError(t, err)
	fx.dispute = itoa64(dispute.ID)

	fx.column = itoa64(decode[struct{ ID int64 }](t, b.do(t, http.MethodPost, "/api/v1/columns", "application/json",
		`{"name": "fixture", "label": "Fixture", "formula": "outstanding > 0"}`, http.StatusCreated)).ID)

	tok, _, err := auth.IssueToken(ctx, b.store, "alice@recoup.example", "spare", "", "", "test")
	require.NoError(t, err)
	fx.token = itoa64(tok.ID)

	// A saved template, so that DELETE has something to delete; its parts are a valid PUT body.
	tmpl := decode[struct{ Subject, Text, HTML string }](t, b.do(t, http.MethodGet, "/api/v1/templates/reminder_1/email/en", "", "", http.StatusOK))
	fx.tmplSubject, fx.tmplTx, fx.tmplHTML = tmpl.Subject, tmpl.Text, tmpl.HTML
	b.do(t, http.MethodPut, "/api/v1/templates/reminder_1/email/en", "application/json", fx.templateBody().String(), http.StatusOK)
	return fx
}

func (fx *hostileFixture) templateBody() jobj {
	return newJObj("subject", jsonString(fx.tmplSubject), "text", jsonString(fx.tmplTx), "html", jsonString(fx.tmplHTML))
}

func hostileScenario(name string) jobj {
	return newJObj("name", jsonString(name), "steps", `[{"offset_days": -3, "channel": "email", "template": "reminder_courtesy"},`+
		`{"offset_days": 30, "channel": "escalation", "assignee_role": "credit_manager", "task_due_hours": 48}]`)
}

// send makes one request as the admin (token, or session cookie) and, when
// the route is documented, checks the answer against the OpenAPI document.
func (fx *hostileFixture) send(t *testing.T, method, path, contentType, body string, cookie bool) (int, http.Header, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	u, err := url.Parse(path) // httptest.NewRequest panics on some of these paths
	require.NoError(t, err)
	req.URL, req.RequestURI = u, path
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if cookie {
		req.AddCookie(&http.Cookie{Name: "recoup_session", Value: fx.session})
	} else if !strings.HasPrefix(path, "/api/v1/auth/") {
		req.Header.Set("Authorization", "Bearer "+fx.b.admin)
	}
	rec := httptest.NewRecorder()
	fx.b.handler.ServeHTTP(rec, req)

	route, params, err := fx.b.router.FindRoute(req)
	if err == nil && rec.Code < 500 { // a 5xx is a failure of its own
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{ExcludeRequestBody: true, ExcludeRequestQueryParams: true}}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
			Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s %s answers %d, not as documented: %v", method, path, rec.Code, err)
		}
	}
	return rec.Code, rec.Header(), rec.Body.Bytes()
}

func (fx *hostileFixture) endpoints() []hostileEndpoint {
	tokenFields := []hostileField{
		{key: "name", kind: kindFreeText},
		{key: "scope", kind: kindFormatted},
		{key: "expires", kind: kindFormatted, extra: []namedRaw{
			{"days-huge", jsonString("99999999999999999999999d")},
			{"hours-huge", jsonString("9223372036854775807h")},
			{"days-below-zero", jsonString("-9223372036854775809d")},
			{"days-overflow", jsonString("2562048d")},
		}},
	}
	tokenBody := newJObj("name", jsonString("ci"), "scope", jsonString("import"), "expires", jsonString("30d"))
	scenarioFields := []hostileField{{key: "name", kind: kindFreeText}, {key: "steps", kind: kindNumber, extra: hostileStepValues()},
		{key: "default", kind: kindBool}}
	amount := []namedRaw{
		{"string-1e400", jsonString("1e400")}, {"string-99999999999999999999999", jsonString("99999999999999999999999")},
		{"string-below-int64", jsonString("-9223372036854775809")}, {"string-negative", jsonString("-1")},
	}
	ruleFields := []hostileField{
		{key: "position", kind: kindNumber, extra: []namedRaw{{"negative", "-1"}, {"fraction", "1.5"}, {"int4-overflow", "2147483648"}}},
		{key: "scenario_id", kind: kindNumber},
		{key: "entity", kind: kindFormatted},
		{key: "country", kind: kindFormatted},
		{key: "category", kind: kindFreeText},
		{key: "risk_class", kind: kindFreeText},
		{key: "currency", kind: kindFormatted},
		{key: "min_amount", kind: kindFormatted, extra: amount},
		{key: "max_amount", kind: kindFormatted, extra: amount},
	}
	columnFields := []hostileField{{key: "name", kind: kindFormatted}, {key: "label", kind: kindFreeText},
		{key: "formula", kind: kindFormatted}, {key: "entity", kind: kindFormatted}}
	columnBody := newJObj("entity", jsonString("FR01"), "name", jsonString("late_share"), "label", jsonString("Late share"),
		"formula", jsonString("overdue / outstanding"))
	ruleBody := newJObj("position", "50", "scenario_id", fx.scenario, "entity", jsonString("FR01"), "country", jsonString("FR"), "category", jsonString("retail"),
		"risk_class", jsonString("low"), "currency", jsonString("EUR"), "min_amount", jsonString("10"), "max_amount", jsonString("20"))
	riskRuleFields := []hostileField{{key: "entity", kind: kindFormatted}, {key: "name", kind: kindFreeText}, {key: "kind", kind: kindFormatted},
		{key: "points", kind: kindNumber, extra: []namedRaw{{"zero", "0"}, {"above-100", "101"}}}, {key: "days", kind: kindNumber},
		{key: "scale", kind: kindStringList}, {key: "consecutive", kind: kindNumber, extra: []namedRaw{{"six", "6"}}},
		{key: "notify", kind: kindBool}, {key: "email", kind: kindBool}, {key: "scenario_id", kind: kindNumber},
		{key: "credit_hold", kind: kindBool}, {key: "task_kind", kind: kindFormatted}, {key: "active", kind: kindBool}}
	riskRuleBody := newJObj("entity", jsonString("FR01"), "name", jsonString("Score drop"), "kind", jsonString("score_drop"),
		"points", "20", "days", "30", "notify", "true")
	tmplArgs := map[string]string{"name": "reminder_1", "channel": "email", "language": "en"}
	caseArgs := map[string]string{"id": fx.dispute}
	tmplFields := []hostileField{{key: "subject", kind: kindFreeText}, {key: "text", kind: kindFreeText}, {key: "html", kind: kindFreeText}}
	webhookBody := newJObj("url", jsonString("https://203.0.113.20/recoup"), "event_types", `["invoice.paid"]`,
		"description", jsonString("ERP"), "active", "true")
	webhookFields := []hostileField{
		{key: "url", kind: kindFormatted, extra: []namedRaw{{"loopback", jsonString("http://127.0.0.1:8080/x")},
			{"metadata", jsonString("http://169.254.169.254/latest/meta-data")}, {"private", jsonString("http://10.1.2.3/")},
			{"ipv6-loopback", jsonString("http://[::1]/")}, {"mapped-loopback", jsonString("http://[::ffff:127.0.0.1]/")},
			{"file", jsonString("file:///etc/passwd")}}},
		{key: "event_types", kind: kindStringList, extra: []namedRaw{{"unknown-type", `["invoice.eaten"]`}}},
		{key: "description", kind: kindFreeText},
		{key: "active", kind: kindBool},
	}

	reportBody := newJObj("name", jsonString("Committee"), "entity", jsonString("FR01"), "group_by", jsonString("agent"),
		"currency", jsonString("EUR"), "recipients", `["cfo@example.com"]`, "language", jsonString("fr"), "weekday", "1", "hour", "7",
		"active", "true")
	reportFields := []hostileField{{key: "name", kind: kindFreeText}, {key: "entity", kind: kindFormatted},
		{key: "group_by", kind: kindFormatted}, {key: "currency", kind: kindFormatted},
		{key: "recipients", kind: kindStringList, extra: []namedRaw{{"empty", "[]"}}}, {key: "language", kind: kindFormatted},
		{key: "weekday", kind: kindNumber, extra: []namedRaw{{"seven", "7"}, {"negative", "-1"}, {"fraction", "1.5"}}},
		{key: "hour", kind: kindNumber, extra: []namedRaw{{"twenty-four", "24"}}}, {key: "active", kind: kindBool}}
	return []hostileEndpoint{
		{method: "POST", route: "/auth/login", login: true,
			body:   newJObj("email", jsonString("root@recoup.example"), "password", jsonString("not the password")),
			fields: []hostileField{{key: "email", kind: kindFormatted}, {key: "password", kind: kindFormatted}},
			dupKey: "password", dupRaw: jsonString("still not it")},
		{method: "POST", route: "/tokens", cookie: true, body: tokenBody, fields: tokenFields, dupKey: "scope", dupRaw: jsonString(sqlDrop)},
		{method: "DELETE", route: "/tokens/:id", args: map[string]string{"id": fx.token}, checksQuery: true},
		{method: "PUT", route: "/profile/digest", body: newJObj("digest", "true"),
			fields: []hostileField{{key: "digest", kind: kindBool}}, dupKey: "digest", dupRaw: jsonString(sqlOr)},
		{method: "PUT", route: "/profile/notification-digest", body: newJObj("notification_digest", "true"),
			fields: []hostileField{{key: "notification_digest", kind: kindBool}}, dupKey: "notification_digest", dupRaw: jsonString(sqlOr)},
		{method: "PUT", route: "/users",
			body: newJObj("email", jsonString("eve@recoup.example"), "name", jsonString("Eve"), "role", jsonString("agent"), "entities", `["FR01"]`,
				"department", jsonString(""), "disabled", "false"),
			fields: []hostileField{{key: "email", kind: kindFormatted}, {key: "name", kind: kindFreeText}, {key: "role", kind: kindFormatted},
				{key: "entities", kind: kindStringList}, {key: "department", kind: kindFreeText}, {key: "password", kind: kindAnyText},
				{key: "disabled", kind: kindBool}},
			dupKey: "role", dupRaw: jsonString(sqlOr)},
		{method: "POST", route: "/users/:email/tokens", args: map[string]string{"email": "alice@recoup.example"},
			queryArgs: map[string]string{"email": "nobody@recoup.example"}, body: tokenBody, fields: tokenFields, dupKey: "scope", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/scenarios", body: hostileScenario("Hostile"), fields: scenarioFields, dupKey: "steps", dupRaw: jsonString(sqlDrop),
			unique: func(o jobj, n int) jobj { return o.with("name", jsonString(fmt.Sprintf("Hostile %d", n))) }},
		{method: "PUT", route: "/scenarios/:id", args: map[string]string{"id": fx.scenario}, body: hostileScenario("Fixture"),
			fields: scenarioFields, dupKey: "steps", dupRaw: jsonString(sqlDrop)},
		{method: "DELETE", route: "/scenarios/:id", args: map[string]string{"id": fx.scenario}, queryArgs: map[string]string{"id": "999999"}},
		{method: "POST", route: "/tasks/:id/close", args: map[string]string{"id": fx.task}, body: newJObj("resolution", jsonString("paid")),
			fields: []hostileField{{key: "resolution", kind: kindFreeText}}, dupKey: "resolution", dupRaw: "1"},
		{method: "POST", route: "/tasks/:id/claim", args: map[string]string{"id": fx.task}, checksQuery: true}, // takes no body
		{method: "POST", route: "/tasks/:id/complete", args: map[string]string{"id": fx.task},
			body: newJObj("outcome", jsonString("paid_claimed"), "paid_on", jsonString("2026-01-05"), "reference", jsonString("VIR-1"), "note", jsonString("said so")),
			fields: []hostileField{{key: "outcome", kind: kindFormatted}, {key: "paid_on", kind: kindFormatted},
				{key: "reference", kind: kindFreeText}, {key: "note", kind: kindFreeText}},
			dupKey: "outcome", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/tasks", body: newJObj("customer_id", fx.customer, "kind", jsonString("call"), "assignee_role", jsonString("agent"),
			"due_at", jsonString("2099-01-01T00:00:00Z"), "note", jsonString("call them")),
			fields: []hostileField{{key: "customer_id", kind: kindNumber, extra: []namedRaw{{"zero", "0"}, {"negative", "-1"}}},
				{key: "kind", kind: kindFormatted}, {key: "assignee_role", kind: kindFormatted}, {key: "due_at", kind: kindFormatted},
				{key: "note", kind: kindFreeText}},
			dupKey: "kind", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/customers/:id/promises", args: map[string]string{"id": fx.customer},
			body: newJObj("amount_minor", "100", "currency", jsonString("EUR"), "date", jsonString("2099-01-01"), "oldest_first", "true",
				"note", jsonString("will pay"), "source", jsonString("call")),
			fields: []hostileField{{key: "amount_minor", kind: kindNumber, extra: []namedRaw{{"zero", "0"}, {"negative", "-1"}}},
				{key: "currency", kind: kindFormatted}, {key: "date", kind: kindFormatted, extra: []namedRaw{{"past", jsonString("2001-01-01")}}},
				{key: "oldest_first", kind: kindBool}, {key: "note", kind: kindFreeText}, {key: "source", kind: kindFormatted}},
			dupKey: "amount_minor", dupRaw: "-1"},
		{method: "POST", route: "/customers/:id/payment-plans", args: map[string]string{"id": fx.customer},
			body: newJObj("currency", jsonString("EUR"), "instalments", `[{"date": "2099-01-01", "amount_minor": 5025}]`,
				"note", jsonString("in two parts")),
			fields: []hostileField{{key: "currency", kind: kindFormatted}, {key: "note", kind: kindFreeText},
				{key: "instalments", kind: kindFormatted, extra: []namedRaw{{"past", `[{"date": "2001-01-01", "amount_minor": 5025}]`},
					{"zero", `[{"date": "2099-01-01", "amount_minor": 0}]`}, {"sum-short", `[{"date": "2099-01-01", "amount_minor": 1}]`},
					{"dates-backwards", `[{"date": "2099-01-02", "amount_minor": 25}, {"date": "2099-01-01", "amount_minor": 5000}]`},
					{"unknown-member", `[{"date": "2099-01-01", "amount_minor": 5025, "zzz": 1}]`}}}},
			dupKey: "currency", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/payment-plans/:id/cancel", args: map[string]string{"id": fx.plan}, body: newJObj("reason", jsonString("paid")),
			fields: []hostileField{{key: "reason", kind: kindFreeText}}, dupKey: "reason", dupRaw: "1"},
		{method: "POST", route: "/promises/:id/cancel", args: map[string]string{"id": fx.promise}, body: newJObj("reason", jsonString("paid")),
			fields: []hostileField{{key: "reason", kind: kindFreeText}}, dupKey: "reason", dupRaw: "1"},
		{method: "POST", route: "/customers/:id/dunning/pause", args: map[string]string{"id": fx.customer},
			body:   newJObj("until", jsonString("2099-01-01T00:00:00Z"), "reason", jsonString("holiday")),
			fields: []hostileField{{key: "until", kind: kindFormatted}, {key: "reason", kind: kindFreeText}}, dupKey: "until", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/customers/:id/dunning/resume", args: map[string]string{"id": fx.customer}}, // takes no body
		{method: "POST", route: "/customers/:id/dunning/reassign", args: map[string]string{"id": fx.customer},
			body: newJObj("agent_email", jsonString("bob@recoup.example")), fields: []hostileField{{key: "agent_email", kind: kindFormatted}},
			dupKey: "agent_email", dupRaw: jsonString(sqlDrop)},
		{method: "PUT", route: "/customers/:id/scenario", args: map[string]string{"id": fx.customer}, body: newJObj("scenario_id", fx.scenario),
			fields: []hostileField{{key: "scenario_id", kind: kindNumber, extra: []namedRaw{{"zero", "0"}, {"negative", "-1"}}}},
			dupKey: "scenario_id", dupRaw: jsonString(sqlOr)},
		{method: "PUT", route: "/templates/:name/:channel/:language", args: tmplArgs, body: fx.templateBody(), fields: tmplFields,
			dupKey: "text", dupRaw: "{}"},
		{method: "DELETE", route: "/templates/:name/:channel/:language", args: tmplArgs,
			queryArgs: map[string]string{"name": "reminder_1", "channel": "sms", "language": "en"}},
		{method: "POST", route: "/scenario-rules", body: ruleBody, fields: ruleFields, dupKey: "country", dupRaw: jsonString(sqlDrop),
			unique: func(o jobj, n int) jobj { return o.with("position", fmt.Sprint(100+n)) }},
		{method: "PUT", route: "/scenario-rules/:id", args: map[string]string{"id": fx.rule}, body: ruleBody, fields: ruleFields,
			dupKey: "currency", dupRaw: jsonString(sqlQuote)},
		{method: "DELETE", route: "/scenario-rules/:id", args: map[string]string{"id": fx.rule}, queryArgs: map[string]string{"id": "999999"}},
		{method: "POST", route: "/risk/rules", body: riskRuleBody, fields: riskRuleFields, dupKey: "kind", dupRaw: jsonString(sqlDrop),
			unique: func(o jobj, n int) jobj { return o.with("name", jsonString(fmt.Sprintf("Score drop %d", n))) }},
		{method: "PUT", route: "/risk/rules/:id", args: map[string]string{"id": fx.riskRule}, body: riskRuleBody, fields: riskRuleFields,
			checksQuery: true},
		{method: "DELETE", route: "/risk/rules/:id", args: map[string]string{"id": fx.riskRule}, checksQuery: true},
		{method: "POST", route: "/risk/alerts/:id/acknowledge", args: map[string]string{"id": "1"}, checksQuery: true}, // takes no body
		{method: "POST", route: "/portfolios/assign",
			body: newJObj("agent_email", jsonString("bob@recoup.example"), "entity", jsonString("FR01"), "country", jsonString("FR"),
				"category", jsonString("retail"), "current_agent", jsonString("alice@recoup.example"), "dry_run", "true"),
			fields: []hostileField{{key: "agent_email", kind: kindFormatted}, {key: "entity", kind: kindFormatted},
				{key: "country", kind: kindFormatted}, {key: "category", kind: kindFreeText}, {key: "current_agent", kind: kindFormatted},
				{key: "dry_run", kind: kindBool}, {key: "customer_ids", kind: kindStringList}},
			dupKey: "agent_email", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/columns", body: columnBody, fields: columnFields, dupKey: "formula", dupRaw: jsonString(sqlDrop),
			unique: func(o jobj, n int) jobj { return o.with("name", jsonString(fmt.Sprintf("hostile_%d", n))) }},
		{method: "PUT", route: "/columns/:id", args: map[string]string{"id": fx.column}, body: columnBody, fields: columnFields,
			dupKey: "name", dupRaw: jsonString(sqlQuote)},
		{method: "DELETE", route: "/columns/:id", args: map[string]string{"id": fx.column}, queryArgs: map[string]string{"id": "999999"}},
		{method: "PUT", route: "/agent-rules", body: newJObj("items", `[{"agent_email": "bob@recoup.example", "country": "FR"}]`),
			fields: []hostileField{{key: "items", kind: kindStringList}}, dupKey: "items", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/absences",
			body: newJObj("agent_email", jsonString("alice@recoup.example"), "delegates", `["bob@recoup.example"]`,
				"until", jsonString("2099-01-01T00:00:00Z"), "reason", jsonString("holiday")),
			fields: []hostileField{{key: "agent_email", kind: kindFormatted}, {key: "delegates", kind: kindStringList},
				{key: "until", kind: kindFormatted}, {key: "reason", kind: kindFreeText}},
			dupKey: "until", dupRaw: jsonString(sqlDrop)},
		{method: "PUT", route: "/absences/:id", args: map[string]string{"id": fx.absence},
			body: newJObj("until", jsonString("2099-01-01T00:00:00Z")), fields: []hostileField{{key: "until", kind: kindFormatted}},
			dupKey: "until", dupRaw: jsonString(sqlDrop)},
		{method: "PATCH", route: "/absences/:id", args: map[string]string{"id": fx.absence},
			body: newJObj("until", jsonString("2099-01-01T00:00:00Z")), fields: []hostileField{{key: "until", kind: kindFormatted}},
			dupKey: "until", dupRaw: jsonString(sqlDrop)},
		{method: "DELETE", route: "/absences/:id", args: map[string]string{"id": fx.absence}, checksQuery: true},
		{method: "PUT", route: "/entities/:code/contact-window", args: map[string]string{"code": "FR01"},
			body: newJObj("start", jsonString("08:00"), "end", jsonString("17:00"), "any_time", "false"),
			fields: []hostileField{{key: "start", kind: kindFormatted, extra: []namedRaw{{"25h", jsonString("25:00")}}},
				{key: "end", kind: kindFormatted}, {key: "any_time", kind: kindBool}},
			dupKey: "end", dupRaw: jsonString(sqlOr)},
		{method: "PUT", route: "/entities/:code/sender", args: map[string]string{"code": "FR01"},
			body: newJObj("sender_name", jsonString("Recoup France"), "sender_address", jsonString("ar@recoup.example"),
				"reply_to", jsonString("compta@recoup.example"), "signature_name", jsonString("Claire Dubois"),
				"signature_phone", jsonString("+33 1 23 45 67 89")),
			fields: []hostileField{{key: "sender_name", kind: kindFreeText}, {key: "sender_address", kind: kindFormatted},
				{key: "reply_to", kind: kindFormatted}, {key: "signature_name", kind: kindFreeText},
				{key: "signature_phone", kind: kindFormatted}, {key: "reply_domain", kind: kindFormatted},
				{key: "reply_local", kind: kindFormatted}, {key: "reply_pause_days", kind: kindNumber, extra: []namedRaw{{"negative", "-1"}, {"above-30", "31"}}}},
			dupKey: "reply_to", dupRaw: jsonString(sqlOr)},
		{method: "PUT", route: "/entities/:code/settings", args: map[string]string{"code": "FR01"},
			body: newJObj("sending", jsonString("test"), "test_address", jsonString("ar@recoup.example"),
				"max_data_age", jsonString("24h"), "min_amount_to_chase", jsonString("25.00"),
				"sms_consent_default", "false", "voice_consent_default", "false"),
			fields: []hostileField{{key: "sending", kind: kindFormatted}, {key: "test_address", kind: kindFormatted},
				{key: "max_data_age", kind: kindFormatted}, {key: "min_amount_to_chase", kind: kindFormatted},
				{key: "sms_consent_default", kind: kindBool}, {key: "voice_consent_default", kind: kindBool}},
			dupKey: "sending", dupRaw: jsonString(sqlOr)},
		{method: "POST", route: "/invoices/:id/hold", args: map[string]string{"id": fx.invoice},
			body: newJObj("until", jsonString("2099-01-01"), "reason", jsonString("checking the delivery")),
			fields: []hostileField{{key: "until", kind: kindFormatted, extra: []namedRaw{{"past", jsonString("2001-01-01")}}},
				{key: "reason", kind: kindFreeText}},
			dupKey: "until", dupRaw: jsonString(sqlDrop)},
		{method: "DELETE", route: "/invoices/:id/hold", args: map[string]string{"id": fx.invoice}, checksQuery: true},
		{method: "PUT", route: "/entities/:code/portal", args: map[string]string{"code": "FR01"},
			body: newJObj("link_days", "30", "promise_max_days", "20", "pay_url", jsonString("https://pay.example/?a={amount}"),
				"document_url", jsonString("https://erp.example/{invoice}.pdf"), "logo_url", jsonString("https://cdn.example/logo.png"),
				"color", jsonString("#1f4e79")),
			fields: []hostileField{{key: "link_days", kind: kindNumber, extra: []namedRaw{{"zero", "0"}, {"too-long", "367"}}},
				{key: "promise_max_days", kind: kindNumber, extra: []namedRaw{{"negative", "-1"}}},
				{key: "pay_url", kind: kindFormatted, extra: []namedRaw{{"script", jsonString("javascript:alert(1)")}, {"unknown-placeholder", jsonString("https://x.example/{secret}")}}},
				{key: "document_url", kind: kindFormatted}, {key: "logo_url", kind: kindFormatted, extra: []namedRaw{{"http", jsonString("http://x.example/a.png")}}},
				{key: "color", kind: kindFormatted, extra: []namedRaw{{"css", jsonString("red;}body{display:none")}}}},
			dupKey: "color", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/customers/:id/portal-links", args: map[string]string{"id": fx.customer}}, // takes no body
		{method: "POST", route: "/customers/:id/portal-links/revoke", args: map[string]string{"id": fx.customer},
			body: newJObj("reason", jsonString("sent to the wrong address")), fields: []hostileField{{key: "reason", kind: kindFreeText}},
			dupKey: "reason", dupRaw: "1"},
		{method: "POST", route: "/customers/:id/credit-hold", args: map[string]string{"id": fx.customer},
			body: newJObj("reason", jsonString("unpaid")), fields: []hostileField{{key: "reason", kind: kindFreeText}}, dupKey: "reason", dupRaw: "1"},
		{method: "POST", route: "/customers/:id/credit-hold/release", args: map[string]string{"id": fx.customer},
			body: newJObj("reason", jsonString("paid")), fields: []hostileField{{key: "reason", kind: kindFreeText}}, dupKey: "reason", dupRaw: "1"},
		{method: "POST", route: "/customers/:id/proceedings/release", args: map[string]string{"id": fx.customer},
			body: newJObj("reason", jsonString("plan adopted")), fields: []hostileField{{key: "reason", kind: kindFreeText}}, dupKey: "reason", dupRaw: "1"},
		{method: "PUT", route: "/entities/:code/holidays", args: map[string]string{"code": "FR01"},
			body: newJObj("holidays", `[{"date": "2026-06-10", "name": "Dia de Portugal"}]`),
			fields: []hostileField{{key: "holidays", kind: kindStringList, extra: []namedRaw{
				{"no-name", `[{"date": "2026-06-10", "name": ""}]`}, {"no-date", `[{"name": "x"}]`},
				{"twice", `[{"date": "2026-06-10", "name": "a"}, {"date": "2026-06-10", "name": "b"}]`},
				{"unknown-member", `[{"date": "2026-06-10", "name": "a", "zzz": 1}]`}}}},
			dupKey: "holidays", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/scenarios/:id/impact", args: map[string]string{"id": fx.scenario}, body: hostileScenario("Fixture"),
			fields: scenarioFields, dupKey: "steps", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/cases", checksQuery: true,
			body: newJObj("type", jsonString("customer_message"), "customer_id", fx.customer, "description", jsonString("where is my credit note?"),
				"source", jsonString("api")),
			fields: []hostileField{{key: "type", kind: kindFormatted}, {key: "customer_id", kind: kindNumber, extra: []namedRaw{{"zero", "0"}, {"negative", "-1"}}},
				{key: "description", kind: kindFreeText, extra: []namedRaw{{"empty", jsonString(" ")}}}, {key: "source", kind: kindFormatted},
				{key: "invoices", kind: kindStringList}},
			dupKey: "type", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/cases/:id/comments", args: caseArgs, checksQuery: true,
			body:   newJObj("text", jsonString("please check"), "mentions", `["alice@recoup.example"]`),
			fields: []hostileField{{key: "text", kind: kindFreeText}, {key: "mentions", kind: kindStringList}},
			dupKey: "mentions", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/cases/:id/route", args: caseArgs, checksQuery: true,
			body: newJObj("department", jsonString("logistics"), "owner_email", jsonString("bob@recoup.example"), "reason", jsonString("a delivery matter")),
			fields: []hostileField{{key: "department", kind: kindFormatted}, {key: "owner_email", kind: kindFormatted},
				{key: "reason", kind: kindFreeText}},
			dupKey: "department", dupRaw: jsonString(sqlOr)},
		{method: "POST", route: "/cases/:id/decide", args: caseArgs, checksQuery: true,
			body: newJObj("decision", jsonString("rejected"), "reason", jsonString("the price list applies")),
			fields: []hostileField{{key: "decision", kind: kindFormatted}, {key: "reason", kind: kindFreeText},
				{key: "credit_notes", kind: kindStringList}},
			dupKey: "decision", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/cases/:id/status", args: caseArgs, checksQuery: true,
			body:   newJObj("status", jsonString("waiting_customer"), "reason", jsonString("asked for the order")),
			fields: []hostileField{{key: "status", kind: kindFormatted}, {key: "reason", kind: kindFreeText}},
			dupKey: "status", dupRaw: jsonString(sqlDrop)},
		{method: "POST", route: "/cases/:id/accept-plan", args: caseArgs, checksQuery: true, body: newJObj("note", jsonString("agreed")),
			fields: []hostileField{{key: "note", kind: kindFreeText}}, dupKey: "note", dupRaw: "1"},
		{method: "POST", route: "/cases/:id/reopen", args: caseArgs, checksQuery: true, body: newJObj("reason", jsonString("new facts")),
			fields: []hostileField{{key: "reason", kind: kindFreeText}}, dupKey: "reason", dupRaw: "1"},
		{method: "POST", route: "/inbound/quarantine/:id/decide", args: map[string]string{"id": "1"}, checksQuery: true,
			body:   newJObj("decision", jsonString("discard")),
			fields: []hostileField{{key: "decision", kind: kindFormatted}}},
		{method: "POST", route: "/notifications/:id/read", args: map[string]string{"id": "1"}, checksQuery: true}, // takes no body
		{method: "POST", route: "/notifications/read-all", checksQuery: true},
		{method: "POST", route: "/reports", checksQuery: true, body: reportBody, fields: reportFields, dupKey: "weekday", dupRaw: "7"},
		{method: "PUT", route: "/reports/:id", args: map[string]string{"id": fx.report}, checksQuery: true, body: reportBody,
			fields: reportFields, dupKey: "recipients", dupRaw: jsonString(sqlDrop)},
		{method: "DELETE", route: "/reports/:id", args: map[string]string{"id": fx.report}, checksQuery: true},
		{method: "POST", route: "/reports/:id/send", args: map[string]string{"id": fx.report}, checksQuery: true}, // takes no body
		{method: "POST", route: "/webhooks", checksQuery: true, body: webhookBody, fields: webhookFields,
			dupKey: "url", dupRaw: jsonString(sqlDrop)},
		{method: "PUT", route: "/webhooks/:id", args: map[string]string{"id": fx.webhook}, checksQuery: true, body: webhookBody,
			fields: webhookFields, dupKey: "url", dupRaw: jsonString(sqlOr)},
		{method: "DELETE", route: "/webhooks/:id", args: map[string]string{"id": fx.webhook}, checksQuery: true},
		{method: "POST", route: "/webhooks/:id/test", args: map[string]string{"id": fx.webhook}, checksQuery: true},
		{method: "POST", route: "/webhooks/:id/redeliver", args: map[string]string{"id": fx.webhook}, checksQuery: true,
			body: newJObj("from", "1"), fields: []hostileField{{key: "from", kind: kindNumber, extra: []namedRaw{{"zero", "0"}, {"negative", "-5"}}}},
			dupKey: "from", dupRaw: "-1"},
		{method: "POST", route: "/risk/unmatched/:id/match", args: map[string]string{"id": fx.riskSignal}, checksQuery: true,
			body: newJObj("customer_id", fx.customer),
			fields: []hostileField{{key: "customer_id", kind: kindNumber, extra: []namedRaw{{"zero", "0"}, {"negative", "-1"}}},
				{key: "customer_external_id", kind: kindFormatted}},
			dupKey: "customer_id", dupRaw: jsonString(sqlOr)},
		{method: "POST", route: "/risk/unmatched/:id/dismiss", args: map[string]string{"id": fx.riskSignal}, checksQuery: true},
		{method: "POST", route: "/risk/providers", checksQuery: true, body: newJObj("name", jsonString("hostile"), "adapter", jsonString("generic")),
			fields: []hostileField{{key: "name", kind: kindFormatted, extra: []namedRaw{{"upper", jsonString("Acme")}, {"empty", jsonString("")}}},
				{key: "adapter", kind: kindFormatted, extra: []namedRaw{{"unknown", jsonString("creditsafe")}}}, {key: "active", kind: kindBool}},
			dupKey: "name", dupRaw: jsonString(sqlDrop),
			unique: func(o jobj, n int) jobj { return o.with("name", jsonString(fmt.Sprintf("hostile-%d", n))) }},
		{method: "PUT", route: "/risk/providers/:name", args: map[string]string{"name": fx.riskProvider}, checksQuery: true,
			body: newJObj("adapter", jsonString("generic"), "active", "true"),
			fields: []hostileField{{key: "adapter", kind: kindFormatted}, {key: "active", kind: kindBool},
				{key: "name", kind: kindFormatted, extra: []namedRaw{{"other", jsonString("other")}}}},
			dupKey: "adapter", dupRaw: jsonString(sqlDrop)},
		{method: "DELETE", route: "/risk/providers/:name", args: map[string]string{"name": fx.riskProvider}, checksQuery: true},
		{method: "POST", route: "/risk/providers/:name/rotate-secret", args: map[string]string{"name": fx.riskProvider}, checksQuery: true},
		{method: "PUT", route: "/case-routing", checksQuery: true,
			body: newJObj("rules", `[{"type": "dispute", "reason": "", "entity_code": "", "department": "sales", "owner_email": ""}]`,
				"departments", `[]`),
			fields: []hostileField{{key: "rules", kind: kindStringList, extra: []namedRaw{
				{"unknown-type", `[{"type": "complaint", "department": "sales"}]`},
				{"unknown-entity", `[{"type": "dispute", "entity_code": "XX99", "department": "sales"}]`},
				{"unknown-owner", `[{"type": "dispute", "owner_email": "ghost@recoup.example", "department": "sales"}]`},
				{"twice", `[{"type": "dispute", "department": "sales"}, {"type": "dispute", "department": "legal"}]`},
				{"unknown-member", `[{"type": "dispute", "department": "sales", "zzz": 1}]`}}},
				{key: "departments", kind: kindStringList, extra: []namedRaw{
					{"unknown-manager", `[{"department": "legal", "manager_email": "ghost@recoup.example"}]`}}}},
			dupKey: "rules", dupRaw: jsonString(sqlDrop)},
	}
}

// hostileStepValues are invalid "steps" arrays: hostile values inside a step.
func hostileStepValues() []namedRaw {
	step := func(members string) string {
		return `[{` + members + `}, {"offset_days": 30, "channel": "escalation", "assignee_role": "credit_manager", "task_due_hours": 48}]`
	}
	var out []namedRaw
	for _, n := range hostileNumbers {
		out = append(out,
			namedRaw{"offset_days-" + n.name, step(`"offset_days": ` + n.raw + `, "channel": "email", "template": "reminder_courtesy"`)},
			namedRaw{"min_overdue_minor-" + n.name, step(`"offset_days": -3, "channel": "email", "template": "reminder_courtesy", "min_overdue_minor": ` + n.raw)})
	}
	for _, f := range hostileSQL {
		out = append(out,
			namedRaw{"channel-" + f.name, step(`"offset_days": -3, "channel": ` + jsonString(f.value) + `, "template": "reminder_courtesy"`)},
			namedRaw{"template-" + f.name, step(`"offset_days": -3, "channel": "email", "template": ` + jsonString(f.value))},
			namedRaw{"offset_days-" + f.name, step(`"offset_days": ` + jsonString(f.value) + `, "channel": "email", "template": "reminder_courtesy"`)})
	}
	out = append(out,
		namedRaw{"offset_days-max-int64", step(`"offset_days": 9223372036854775807, "channel": "email", "template": "reminder_courtesy"`)},
		namedRaw{"repeat_every_days-max-int64", step(`"offset_days": -3, "channel": "email", "template": "reminder_courtesy", "repeat_every_days": 9223372036854775807, "max_repeats": 9223372036854775807`)},
		namedRaw{"task_due_hours-max-int64", `[{"offset_days": 30, "channel": "escalation", "assignee_role": "credit_manager", "task_due_hours": 9223372036854775807}]`},
		namedRaw{"channel-nul", step(`"offset_days": -3, "channel": "email\u0000", "template": "reminder_courtesy"`)},
		namedRaw{"step-unknown-field", step(`"offset_days": -3, "channel": "email", "template": "reminder_courtesy", "zzz": 1`)},
		namedRaw{"step-is-array", `[[-3, "email"]]`},
		namedRaw{"steps-is-object", `{"offset_days": -3}`},
	)
	return out
}

func hostileCases(fx *hostileFixture) []hostileCase {
	var cases []hostileCase
	for _, e := range fx.endpoints() {
		cases = append(cases, hostileEndpointCases(e)...)
	}
	cases = append(cases, hostileImportCases()...)
	cases = append(cases, hostileAttachmentCases(fx.dispute)...)
	cases = append(cases, hostileCase{name: "PUT_scenarios_id/name-taken", route: "PUT /scenarios/:id", method: http.MethodPut,
		path: "/api/v1/scenarios/" + fx.scenario, contentType: "application/json", body: hostileScenario(fx.scenarioTaken).String()})
	return cases
}

func hostileEndpointCases(e hostileEndpoint) []hostileCase {
	route := e.method + " " + e.route
	slug := strings.NewReplacer("/", "_", ":", "").Replace(strings.TrimPrefix(e.route, "/"))
	var cases []hostileCase
	add := func(input, path, body string) *hostileCase {
		ct := ""
		if e.body != nil {
			ct = "application/json"
		}
		cases = append(cases, hostileCase{name: e.method + "_" + slug + "/" + input, route: route, method: e.method, path: path,
			contentType: ct, body: body, cookie: e.cookie, login: e.login})
		return &cases[len(cases)-1]
	}
	// own is the valid body, made distinct per case where the endpoint
	// refuses a second one alike (so that an input accepted by a known bug
	// does not turn the next case into a 409 for another reason).
	n := 0
	own := func() jobj {
		n++
		if e.unique != nil {
			return e.unique(e.body, n)
		}
		return e.body
	}
	valid := func() string {
		if e.body == nil {
			return ""
		}
		return own().String()
	}
	path := e.path(e.args)

	// Path parameters, one at a time, the rest of the request valid.
	for _, name := range slices.Sorted(maps.Keys(e.args)) {
		for _, v := range hostilePathValues {
			if v.numeric && name != "id" {
				continue // a number is a valid name or code
			}
			args := map[string]string{}
			for k, a := range e.args {
				args[k] = a
			}
			args[name] = v.escaped
			add("path-"+name+"-"+v.name, e.path(args), valid())
		}
		if name == "email" { // an address that is valid as an address and as an SQL fragment
			args := map[string]string{name: url.PathEscape(`'or'1'='1@recoup.example`)}
			add("path-email-sql-in-address", e.path(args), valid())
		}
	}

	// Query parameters: alone when the handler checks them, else with a request refused on its own.
	for _, q := range hostileQueries {
		switch {
		case e.checksQuery:
			add("query-"+q.name, path+"?"+q.query, valid())
		case e.queryArgs != nil:
			add("query-"+q.name, e.path(e.queryArgs)+"?"+q.query, valid())
		default:
			add("query-"+q.name, path+"?"+q.query, "")
		}
	}
	if e.body == nil {
		return cases
	}

	// The body as a whole.
	add("body-empty", path, "")
	add("body-json-string", path, jsonString(sqlDrop))
	add("body-number-1e400", path, "1e400")
	add("body-array-not-object", path, "["+valid()+"]")
	add("body-nested-arrays", path, strings.Repeat("[", 100000)+strings.Repeat("]", 100000))
	add("body-nested-objects", path, strings.Repeat(`{"a":`, 100000)+"1"+strings.Repeat("}", 100000))
	if len(e.body) > 0 {
		big := own().with(e.body[0].key, `"`+strings.Repeat("x", 1<<20+1)+`"`).String()
		add("body-over-1MiB", path, big).want = http.StatusRequestEntityTooLarge
	} else {
		add("body-over-1MiB", path, `{"a":"`+strings.Repeat("x", 1<<20+1)+`"}`).want = http.StatusRequestEntityTooLarge
	}
	add("body-unknown-field", path, own().plus("zzz", "1").String())
	add("body-unknown-field-sql", path, own().plus(sqlDrop, jsonString(sqlDrop)).String())
	add("body-trailing-garbage", path, valid()+" xyz")
	add("body-trailing-object", path, valid()+" {}")
	add("body-trailing-sql", path, valid()+"; DROP TABLE customers; --")
	add("body-raw-nul-outside-string", path, "{\x00"+strings.TrimPrefix(valid(), "{"))
	add("body-invalid-utf8-outside-string", path, "\xff\xfe"+valid())
	add("body-single-quotes", path, strings.ReplaceAll(valid(), `"`, `'`))
	if len(e.body) > 0 {
		k := e.body[0].key
		add("body-raw-nul-in-string", path, own().with(k, "\"a\x00b\"").String())
		add("body-unterminated", path, strings.TrimSuffix(valid(), "}"))
	}
	if e.dupKey != "" {
		add("body-duplicate-key-last-invalid", path, own().plus(e.dupKey, e.dupRaw).String())
	}
	// A stray closing bracket after the object must not pass for its end.
	add("body-trailing-close-brace", path, valid()+"}")
	add("body-trailing-close-bracket", path, valid()+"]")

	// Members, one at a time.
	for _, f := range e.fields {
		mutate := func(input, raw string) *hostileCase {
			return add(f.key+"-"+input, path, own().with(f.key, raw).String())
		}
		switch f.kind {
		case kindFormatted:
			for _, s := range hostileSQL {
				mutate(s.name, jsonString(s.value))
			}
			mutate("invalid-utf8", "\"\xff\xfe\"")
			mutate("invalid-utf8-escaped-surrogate", `"\udc00"`)
			mutate("nul", `"a\u0000b"`)
		case kindFreeText:
			mutate("nul", `"a\u0000b"`)
		case kindStringList:
			for _, s := range hostileSQL {
				mutate(s.name, "["+jsonString(s.value)+"]")
			}
			mutate("nul", `["FR01\u0000"]`)
			mutate("invalid-utf8", "[\"\xff\xfe\"]")
			mutate("string-not-array", jsonString("FR01"))
			mutate("numbers", "[1e400]")
			mutate("nested-array", "[[]]")
		case kindNumber:
			for _, n := range hostileNumbers {
				mutate(n.name, n.raw)
			}
			for _, s := range hostileSQL {
				mutate(s.name, jsonString(s.value))
			}
			mutate("string-number", jsonString("1"))
			mutate("max-int64", "9223372036854775807")
		case kindBool:
			mutate("string", jsonString("true"))
			mutate("sql-or", jsonString(sqlOr))
			mutate("number", "1")
		}
		if f.kind != kindNumber && f.kind != kindBool {
			for _, n := range hostileNumbers[:2] {
				mutate("number-"+n.name, n.raw)
			}
		}
		if f.kind != kindStringList { // [] is a valid list
			mutate("array", "[]")
		}
		mutate("object", "{}")
		for _, x := range f.extra {
			mutate(x.name, x.raw)
		}
	}
	return cases
}

const (
	hostileCustomersHeader = "external_id,entity,name,category,currency,agent_email,credit_limit\n"
	hostileCustomersRow    = "C9,FR01,Nouveau Client,retail,EUR,alice@recoup.example,100\n"
	hostileCustomersJSON   = `[{"external_id":"C9","entity":"FR01","name":"Nouveau Client","category":"retail","currency":"EUR","agent_email":"alice@recoup.example","credit_limit":"100"}]`
)

// hostileImportCases refuse whole files: a file the importer reads is imported, its
// bad rows rejected one by one, so the hostile part here is always the file,
// the query or the request.
func hostileImportCases() []hostileCase {
	const route = "POST /imports"
	var cases []hostileCase
	add := func(name, query, contentType, body string) *hostileCase {
		cases = append(cases, hostileCase{name: "POST_imports/" + name, route: route, method: "POST",
			path: "/api/v1/imports" + query, contentType: contentType, body: body})
		return &cases[len(cases)-1]
	}
	validCSV := hostileCustomersHeader + hostileCustomersRow
	for _, s := range hostileSQL {
		add("query-kind-"+s.name, "?kind="+url.QueryEscape(s.value), "text/csv", validCSV)
		add("query-format-"+s.name, "?kind=customers&format="+url.QueryEscape(s.value), "text/csv", validCSV)
		add("query-name-"+s.name, "?kind=customers&"+url.QueryEscape(s.value)+"=1", "text/csv", validCSV)
		add("csv-header-"+s.name, "?kind=customers", "text/csv", strings.Replace(validCSV, "category", s.value, 1))
		add("json-not-array-"+s.name, "?kind=customers", "application/json", jsonString(s.value))
	}
	add("query-kind-nul", "?kind=customers%00", "text/csv", validCSV)
	add("query-kind-invalid-utf8", "?kind=%FF", "text/csv", validCSV)
	add("content-type-sql", "?kind=customers", "application/x-"+url.QueryEscape(sqlOr), validCSV)

	add("csv-empty", "?kind=customers", "text/csv", "")
	add("csv-header-invalid-utf8", "?kind=customers", "text/csv", strings.Replace(validCSV, "category", "categ\xff\xfeory", 1))
	add("csv-header-nul", "?kind=customers", "text/csv", strings.Replace(validCSV, "category", "category\x00", 1))
	add("csv-header-bare-quote", "?kind=customers", "text/csv", `external_id,"entity`+"\n"+hostileCustomersRow)
	add("csv-header-duplicate-column", "?kind=customers", "text/csv", strings.Replace(validCSV, "category", "name", 1))
	add("csv-header-missing-column", "?kind=customers", "text/csv", strings.Replace(validCSV, "external_id,", "", 1))
	add("csv-as-json", "?kind=customers", "application/json", validCSV)
	add("csv-too-large", "?kind=customers", "text/csv", hostileCustomersHeader+strings.Repeat(hostileCustomersRow, (70<<10)/len(hostileCustomersRow))).want = http.StatusRequestEntityTooLarge
	add("csv-hostile-cells-then-too-large", "?kind=customers", "text/csv", hostileCustomersHeader+
		"C10,FR01,"+sqlDrop+",retail,EUR,alice@recoup.example,99999999999999999999999\n"+
		"C11,FR01,N\xff\xfe,retail,EUR,alice@recoup.example,1e400\n"+
		"C12,FR01,N\x00,retail,EUR,alice@recoup.example,-9223372036854775809\n"+
		strings.Repeat(hostileCustomersRow, (70<<10)/len(hostileCustomersRow))).want = http.StatusRequestEntityTooLarge

	add("json-empty", "?kind=customers", "application/json", "")
	add("json-object-not-array", "?kind=customers", "application/json", strings.Trim(hostileCustomersJSON, "[]"))
	add("json-array-of-numbers", "?kind=customers", "application/json", "[1e400, 99999999999999999999999]")
	add("json-nested-arrays", "?kind=customers", "application/json", strings.Repeat("[", 100000)+strings.Repeat("]", 100000))
	add("json-nested-objects", "?kind=customers", "application/json", "["+strings.Repeat(`{"a":`, 100000)+"1"+strings.Repeat("}", 100000)+"]")
	add("json-raw-nul", "?kind=customers", "application/json", strings.Replace(hostileCustomersJSON, "Nouveau", "Nou\x00veau", 1))
	add("json-invalid-utf8-outside-string", "?kind=customers", "application/json", "\xff"+hostileCustomersJSON)
	add("json-unterminated", "?kind=customers", "application/json", strings.TrimSuffix(hostileCustomersJSON, "]"))
	// Hostile cells in a file that then turns out to be broken: the whole import is refused.
	broken := func(row string) string { return "[" + row + ", {" }
	for _, s := range hostileSQL {
		add("json-cell-"+s.name+"-then-broken", "?kind=customers", "application/json",
			broken(strings.Replace(strings.Trim(hostileCustomersJSON, "[]"), "Nouveau Client", strings.ReplaceAll(jsonString(s.value), `"`, `\"`), 1)))
	}
	for _, n := range hostileNumbers {
		add("json-cell-"+n.name+"-then-broken", "?kind=customers", "application/json",
			broken(strings.Replace(strings.Trim(hostileCustomersJSON, "[]"), `"100"`, n.raw, 1)))
	}
	add("json-cell-invalid-utf8-then-broken", "?kind=customers", "application/json",
		broken(strings.Replace(strings.Trim(hostileCustomersJSON, "[]"), "Nouveau", "Nou\xff\xfeveau", 1)))
	add("json-cell-nul-then-broken", "?kind=customers", "application/json",
		broken(strings.Replace(strings.Trim(hostileCustomersJSON, "[]"), "Nouveau", `Nou\u0000veau`, 1)))
	add("json-trailing-garbage", "?kind=customers", "application/json", hostileCustomersJSON+" xyz")

	// Files the importer reads, whose every row is bad (see hostileCase.rowLevel).
	rows := func(name, contentType, body string) { add(name, "?kind=customers", contentType, body).rowLevel = true }
	csvRow := func(entity, name, currency, agent, limit string) string {
		return hostileCustomersHeader + "C30," + entity + "," + name + ",retail," + currency + "," + agent + "," + limit + "\n"
	}
	jsonRow := func(entity, name, limit string) string {
		return `[{"external_id":"C30","entity":` + entity + `,"name":` + name + `,"category":"retail","currency":"EUR","agent_email":"alice@recoup.example","credit_limit":` + limit + `}]`
	}
	for _, s := range hostileSQL {
		cell := `"` + strings.ReplaceAll(s.value, `"`, `""`) + `"`
		rows("csv-cell-entity-"+s.name, "text/csv", csvRow(cell, "N", "EUR", "alice@recoup.example", "1"))
		rows("csv-cell-currency-"+s.name, "text/csv", csvRow("FR01", "N", cell, "alice@recoup.example", "1"))
		rows("csv-cell-agent-"+s.name, "text/csv", csvRow("FR01", "N", "EUR", cell, "1"))
		rows("csv-cell-credit_limit-"+s.name, "text/csv", csvRow("FR01", "N", "EUR", "alice@recoup.example", cell))
		rows("json-cell-entity-"+s.name, "application/json", jsonRow(jsonString(s.value), `"N"`, `"1"`))
		rows("json-cell-credit_limit-"+s.name, "application/json", jsonRow(`"FR01"`, `"N"`, jsonString(s.value)))
	}
	for _, n := range hostileNumbers {
		rows("csv-cell-credit_limit-"+n.name, "text/csv", csvRow("FR01", "N", "EUR", "alice@recoup.example", n.raw))
		rows("json-cell-credit_limit-"+n.name, "application/json", jsonRow(`"FR01"`, `"N"`, n.raw))
	}
	rows("json-cell-wrong-type", "application/json", jsonRow(`["FR01"]`, `"N"`, `"1"`))
	rows("json-cell-unknown-field", "application/json", strings.Replace(jsonRow(`"FR01"`, `"N"`, `"1"`), `"name"`, `"`+sqlDrop+`"`, 1))
	// Invalid UTF-8 in a JSON string is replaced by U+FFFD by the decoder; in a code it makes the code unknown.
	rows("json-cell-entity-invalid-utf8", "application/json", jsonRow("\"FR\xff\xfe\"", `"N"`, `"1"`))
	rows("json-cell-name-nul-bad-entity", "application/json", jsonRow(`"XX99"`, `"N\u0000"`, `"1"`))
	rows("json-cell-name-nul", "application/json", jsonRow(`"FR01"`, `"N\u0000"`, `"1"`))
	rows("csv-cell-name-nul", "text/csv", csvRow("FR01", "N\x00", "EUR", "alice@recoup.example", "1"))
	rows("csv-cell-name-invalid-utf8", "text/csv", csvRow("FR01", "N\xff\xfe", "EUR", "alice@recoup.example", "1"))
	rows("csv-cell-entity-nul", "text/csv", csvRow("FR\x00", "N", "EUR", "alice@recoup.example", "1"))
	rows("csv-cell-entity-invalid-utf8", "text/csv", csvRow("FR\xff", "N", "EUR", "alice@recoup.example", "1"))
	rows("csv-row-too-many-fields", "text/csv", hostileCustomersHeader+"C30,FR01,N,retail,EUR,alice@recoup.example,1,"+sqlDrop+"\n")
	rows("csv-row-bare-quote", "text/csv", hostileCustomersHeader+`C30,FR01,"N,retail,EUR,alice@recoup.example,1`+"\n")

	add("multipart-no-file", "?kind=customers", "multipart/form-data; boundary=X", "--X\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\n"+validCSV+"\r\n--X--\r\n")
	add("multipart-broken", "?kind=customers", "multipart/form-data; boundary=X", "--Y\r\n"+validCSV)
	return cases
}

// fingerprintSkipsColumns change when a refused request is merely authenticated.
var fingerprintSkipsColumns = []string{"last_used_at"}

// dbFingerprint hashes every table of the public schema, row by row.
func dbFingerprint(t *testing.T, b *testBundle) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := b.store.Pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.NotEmpty(t, tables)
	batch := &pgx.Batch{}
	for _, name := range tables {
		// to_jsonb(t) rather than t::text, so that a column can be left out by name.
		batch.Queue(`SELECT count(*), coalesce(md5(string_agg(r, ',' ORDER BY r)), '') FROM (SELECT (to_jsonb(t) - $1::text[])::text AS r FROM `+
			pgx.Identifier{name}.Sanitize()+` t) s`, fingerprintSkipsColumns)
	}
	br := b.store.Pool.SendBatch(ctx, batch)
	defer br.Close()
	out := make(map[string]string, len(tables))
	for _, name := range tables {
		var n int64
		var sum string
		require.NoError(t, br.QueryRow().Scan(&n, &sum), name)
		out[name] = fmt.Sprintf("%d rows, md5 %s", n, sum)
	}
	return out
}

func successfulLogins(t *testing.T, b *testBundle) int {
	t.Helper()
	var n int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM login_attempts WHERE ok`).Scan(&n))
	return n
}

// TestHostileSQLFragmentsAreStoredAsText stores SQL fragments where any text is
// valid and reads them back verbatim: they are parameters, never SQL.
func TestHostileSQLFragmentsAreStoredAsText(t *testing.T) {
	t.Parallel()
	b := setup(t)
	before := dbFingerprint(t, b)
	for i, s := range hostileSQL {
		name := s.value + fmt.Sprintf(" #%d", i)
		created := decode[struct {
			ID   int64
			Name string
		}](t, b.do(t, http.MethodPost, "/api/v1/scenarios", "application/json", hostileScenario(name).String(), http.StatusCreated))
		require.Equal(t, name, created.Name)
		got := decode[struct{ Name string }](t, b.do(t, http.MethodGet, "/api/v1/scenarios/"+itoa64(created.ID), "", "", http.StatusOK))
		require.Equal(t, name, got.Name, "read back verbatim")

		tmpl := decode[struct{ Subject, Text, HTML string }](t, b.do(t, http.MethodGet, "/api/v1/templates/reminder_1/sms/en", "", "", http.StatusOK))
		text := tmpl.Text + "\n" + s.value
		b.do(t, http.MethodPut, "/api/v1/templates/reminder_1/sms/en", "application/json", newJObj("text", jsonString(text)).String(), http.StatusOK)
		saved := decode[struct{ Text, Source string }](t, b.do(t, http.MethodGet, "/api/v1/templates/reminder_1/sms/en", "", "", http.StatusOK))
		require.Equal(t, "custom", saved.Source)
		require.Equal(t, text, saved.Text, "read back verbatim")
		b.do(t, http.MethodDelete, "/api/v1/templates/reminder_1/sms/en", "", "", http.StatusNoContent)
	}
	// The same fragments as search text and filters match nothing and break nothing.
	for _, s := range hostileSQL {
		for _, q := range []string{"q", "entity", "agent", "category"} {
			p := decode[page](t, b.do(t, http.MethodGet, "/api/v1/customers?"+q+"="+url.QueryEscape(s.value), "", "", http.StatusOK))
			require.Zero(t, p.Total, "%s=%s", q, s.value)
		}
	}
	require.Equal(t, fingerprintTables(before), fingerprintTables(dbFingerprint(t, b)), "every table is still there")
	var customers int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM customers`).Scan(&customers))
	require.Equal(t, 3, customers)
	var scenarios int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM scenarios WHERE name = ANY ($1)`,
		[]string{sqlDrop + " #0", sqlOr + " #1", sqlQuote + " #2"}).Scan(&scenarios))
	require.Equal(t, 3, scenarios)
}
