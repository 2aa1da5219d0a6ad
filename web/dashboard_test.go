package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// dashFixture is a small hand-computed portfolio, as of today:
//
//	FR01  C1 Alpha  (Alice, retail)     I1 1,000.00 EUR 10 days late; I2 500.00 not due (in 5 days)
//	FR01  C2 Beta   (Bob, wholesale)    I3 2,000.00 EUR 45 days late
//	DE01  C3 Gamma  (Bob, retail)       I4   300.00 EUR 100 days late
//
// Promises due in the last days: one on I1 kept, one on I3 broken. Disputes
// opened today: price on I3, quality on I4. Alice has one open task past due,
// one done today and one done yesterday; Bob one open task.
type dashFixture struct {
	b       *testBundle
	today   dunning.Date
	alice   *browser
	manager *browser
}

func eurMinor(n int64) money.Money { return money.Money{Minor: n, Currency: money.MustCurrency("EUR")} }

const insertDashTask = `
INSERT INTO tasks (key, customer_id, kind, assignee_role, assignee_id, invoice_ids, due_at, status, closed_at)
VALUES ($1, $2, 'call', 'agent', $3, '{}', $4, $5, $6)`

func setupDashboards(t *testing.T) *dashFixture {
	t.Helper()
	b := setup(t)
	ctx := context.Background()
	f := &dashFixture{b: b, today: dunning.DateOf(time.Now().UTC())}
	f.alice = b.signIn(t, "alice@example.com", domain.RoleAgent)
	f.manager = b.signIn(t, "claire@example.com", domain.RoleCreditManager)
	b.signIn(t, "bob@example.com", domain.RoleAgent)
	alice, bob := userID(t, b, "alice@example.com"), userID(t, b, "bob@example.com")
	fr := b.rows.Entity(t, storetest.Entity{Code: "FR01", Name: "France"})
	de := b.rows.Entity(t, storetest.Entity{Code: "DE01", Name: "Deutschland", Country: "DE"})
	c1 := b.rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "C1", Name: "Alpha", Category: "retail", Agent: alice})
	c2 := b.rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "C2", Name: "Beta", Category: "wholesale", Agent: bob})
	c3 := b.rows.Customer(t, storetest.Customer{Entity: de, ExternalID: "C3", Name: "Gamma", Category: "retail", Agent: bob})
	inv := func(c int64, due int, minor int64) int64 {
		return b.rows.Invoice(t, storetest.Invoice{Customer: c, IssueDate: f.today.AddDays(due - 30), DueDate: f.today.AddDays(due),
			Amount: eurMinor(minor)})
	}
	i1 := inv(c1, -10, 100000)
	inv(c1, 5, 50000)
	i3 := inv(c2, -45, 200000)
	i4 := inv(c3, -100, 30000)
	b.rows.Promise(t, storetest.Promise{Invoice: i1, Due: f.today.AddDays(-3), Status: "kept"})
	b.rows.Promise(t, storetest.Promise{Invoice: i3, Due: f.today.AddDays(-2), Status: "broken"})
	for _, d := range []struct {
		customer, invoice int64
		reason            string
	}{{c2, i3, "price"}, {c3, i4, "quality"}} {
		_, err := b.store.OpenCase(ctx, store.Everything, store.NewCase{Type: domain.CaseDispute, CustomerID: d.customer, Reason: d.reason,
			Invoices: []store.NewCaseInvoice{{InvoiceID: d.invoice}}, Source: "agent", Actor: "x"})
		require.NoError(t, err)
	}
	now := time.Now().UTC()
	for i, task := range []struct {
		customer, agent int64
		due             time.Time
		status          string
		closed          *time.Time
	}{
		{c1, alice, now.Add(-time.Hour), "open", nil},
		{c1, alice, now.Add(-2 * time.Hour), "done", &now},
		{c1, alice, now.AddDate(0, 0, -3), "done", ptr(startOfDay(now).Add(-time.Minute))}, // done yesterday
		{c2, bob, now.Add(time.Hour), "open", nil},
	} {
		_, err := b.store.Pool.Exec(ctx, insertDashTask, "dash-"+itoa(int64(i)), task.customer, task.agent, task.due, task.status, task.closed)
		require.NoError(t, err)
	}
	return f
}

// csvOf downloads a figure's CSV and reads it back.
func csvOf(t *testing.T, br *browser, path string) [][]string {
	t.Helper()
	res, err := br.client.Get(br.b.srv.URL + path)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, path)
	require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	require.Contains(t, res.Header.Get("Content-Disposition"), "attachment")
	rows, err := csv.NewReader(res.Body).ReadAll()
	require.NoError(t, err)
	return rows
}

// section is the part of a dashboard page for one figure (its id).
func section(t *testing.T, body, id string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `id="`+id+`"`)
	require.True(t, ok, "the page has the figure %s", id)
	s, _, _ := strings.Cut(rest, "</section>")
	return s
}

func TestDashboardAgentPortfolio(t *testing.T) {
	t.Parallel()
	f := setupDashboards(t)
	status, body := f.alice.get("/dashboard")
	require.Equal(t, http.StatusSeeOther, status, "the dashboard of the agent's role")
	status, body = f.alice.get("/dashboard/portfolio")
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, `href="/dashboard" aria-current="page"`, "in the navigation")

	today := section(t, body, "dash-today")
	require.Regexp(t, `Open tasks</dt><dd><a href="/worklist">1</a>`, today)
	require.Regexp(t, `Open tasks past due</dt><dd><a href="/worklist">1</a>`, today)
	require.Regexp(t, `Tasks done today</dt><dd>1<`, today)

	aging := section(t, body, "aging")
	require.Contains(t, aging, `<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bars"`)
	require.Contains(t, aging, `role="img" aria-label="Aging of my accounts"`)
	require.Contains(t, aging, "€500.00")
	require.Contains(t, aging, "€1,000.00")
	require.Contains(t, aging, "€1,500.00", "the total")
	require.NotContains(t, aging, "2,000.00", "Bob's accounts are not hers")

	require.Equal(t, [][]string{{"bucket", "amount", "currency"},
		{"not_due", "500.00", "EUR"}, {"1_30", "1000.00", "EUR"}, {"31_60", "0.00", "EUR"}, {"61_90", "0.00", "EUR"},
		{"91_120", "0.00", "EUR"}, {"over_120", "0.00", "EUR"}, {"credits", "0.00", "EUR"}, {"total", "1500.00", "EUR"}},
		csvOf(t, f.alice, "/dashboard/csv/aging?as_of="+f.today.String()))

	top := section(t, body, "top-overdue")
	require.Contains(t, top, "Alpha")
	require.NotContains(t, body, "Beta", "only her portfolio, anywhere on the page")
	require.NotContains(t, body, "Gamma")

	from := f.today.AddDays(-29).String()
	require.Contains(t, section(t, body, "promises"), "/dashboard/csv/promises?as_of="+f.today.String()+"&amp;from="+from)
	require.Equal(t, [][]string{{"outcome", "count", "rate"}, {"kept", "1", "100.00"}, {"partly_kept", "0", "0.00"},
		{"broken", "0", "0.00"}, {"cancelled", "0", ""}, {"pending", "0", ""}, {"due", "1", ""}},
		csvOf(t, f.alice, "/dashboard/csv/promises?as_of="+f.today.String()+"&from="+from), "her promise only: Bob's broken one is not hers")

	require.Contains(t, section(t, body, "team"), "My results")
	require.Equal(t, [][]string{
		{"agent", "name", "emails_sent", "texts_sent", "calls_placed", "calls", "tasks_closed", "promises", "collected", "accounts", "open", "complete"},
		{"alice@example.com", "alice", "0", "0", "0", "0", "0", "0", "0.00", "1", "1500.00", "true"},
	}, csvOf(t, f.alice, "/dashboard/csv/team?as_of="+f.today.String()), "her own row: her one account with its 1,500.00 open")
	status, _ = f.alice.get("/dashboard/team")
	require.Equal(t, http.StatusForbidden, status, "not an agent's dashboard")
}

func TestDashboardTeam(t *testing.T) {
	t.Parallel()
	f := setupDashboards(t)
	status, body := f.manager.get("/dashboard/team")
	require.Equal(t, http.StatusOK, status, body)
	for _, id := range []string{"aging-agent", "promises", "disputes", "dso-trend"} {
		require.Contains(t, section(t, body, id), `role="img"`, "%s has its chart", id)
	}
	for _, id := range []string{"team", "forecast"} {
		require.Contains(t, section(t, body, id), `role="img"`, "%s has its chart", id)
	}

	q := "?as_of=" + f.today.String()
	byAgent := csvOf(t, f.manager, "/dashboard/csv/aging"+q+"&group_by=agent")
	require.Equal(t, []string{"key", "name", "not_due", "1_30", "31_60", "61_90", "91_120", "over_120", "credits", "total", "currency", "complete"}, byAgent[0])
	require.Equal(t, [][]string{
		{"alice@example.com", "alice", "500.00", "1000.00", "0.00", "0.00", "0.00", "0.00", "0.00", "1500.00", "EUR", "true"},
		{"bob@example.com", "bob", "0.00", "0.00", "2000.00", "0.00", "300.00", "0.00", "0.00", "2300.00", "EUR", "true"},
		{"total", "", "500.00", "1000.00", "2000.00", "0.00", "300.00", "0.00", "0.00", "3800.00", "EUR", "true"},
	}, byAgent[1:])
	require.Contains(t, section(t, body, "aging-agent"), "€2,300.00")

	require.Equal(t, []string{"kept", "1", "50.00"}, csvOf(t, f.manager, "/dashboard/csv/promises"+q)[1], "one kept of two settled")

	disputes := csvOf(t, f.manager, "/dashboard/csv/disputes"+q)
	require.Equal(t, []string{"all", "", "2", "0", "0", "0", "0", "0", "", ""}, disputes[1])
	require.Len(t, disputes, 4)
	reasons := section(t, body, "disputes")
	require.Contains(t, reasons, "Price")
	require.Contains(t, reasons, "Quality")

	// The trend: 12 months, the last one to the as-of date, each the app's DSO of the 90 days to its end.
	trend := csvOf(t, f.manager, "/dashboard/csv/dso-trend"+q)
	require.Len(t, trend, 13)
	last := trend[12]
	require.Equal(t, f.today.String(), last[0])
	cm := domain.Principal{Role: domain.RoleCreditManager, Email: "claire@example.com", AllEntities: true, UserID: userID(t, f.b, "claire@example.com")}
	dso, err := app.New(f.b.store, nil, nil).DSO(context.Background(), cm, app.KPIQuery{To: f.today.String()})
	require.NoError(t, err)
	require.NotNil(t, dso.Standard)
	require.Equal(t, app.Hundredths(dso.Standard), last[2])
	require.Equal(t, "3800.00", last[7], "the receivables")
	// Issued 30 days before their due dates, I1 (−40), I2 (−25) and I3 (−75) are sales of the 90 days, I4 (−130)
	// is not: S = 3,500, AR = 3,800, DSO = 3,800 ÷ 3,500 × 90 = 97.71.
	require.Equal(t, "97.71", last[2])
	require.Equal(t, "3500.00", last[8])
	require.Equal(t, "", trend[1][2], "no sales, no DSO: left blank, never a made-up zero")
	require.Equal(t, app.TrendEnds(f.today)[10].String(), trend[11][0], "the month before ends at its last day")

	// The forecast: no payment history, so every invoice is expected at its due date (the last fallback); I1,
	// overdue, in week 1; I2 (due in 5 days) in its week; I3 and I4 are disputed: apart, never forecast.
	fc := csvOf(t, f.manager, "/dashboard/csv/forecast"+q)
	require.Equal(t, []string{"week", "start", "end", "expected", "low", "high", "complete"}, fc[0])
	require.Len(t, fc, 1+13+2)
	monday := f.today.AddDays(1)
	for monday.Weekday() != time.Monday {
		monday = monday.AddDays(-1)
	}
	i2Week := 1 + daysFrom(monday, f.today.AddDays(5))/7
	for w := 1; w <= 13; w++ {
		want := 0
		if w == 1 {
			want += 100000
		}
		if w == i2Week {
			want += 50000
		}
		require.Equal(t, money.FormatMinor(int64(want), money.MustCurrency("EUR")), fc[w][3], "week %d", w)
		require.Equal(t, monday.AddDays(7*(w-1)).String(), fc[w][1])
	}
	require.Equal(t, []string{"later", "", "", "0.00", "", "", "true"}, fc[14])
	require.Equal(t, []string{"disputed", "", "", "2300.00", "", "", "true"}, fc[15])
	require.Contains(t, section(t, body, "forecast"), "No error band", "the forecast made 13 weeks ago had nothing received to compare with")
	team := csvOf(t, f.manager, "/dashboard/csv/team"+q)
	require.Equal(t, []string{"total", "", "0", "0", "0", "0", "0", "0", "0.00", "3", "3800.00", "true"}, team[len(team)-1])
}

// daysFrom is the days from a to b.
func daysFrom(a, b dunning.Date) int {
	return int(b.In(time.UTC).Sub(a.In(time.UTC)).Hours() / 24)
}

// signInDivision signs in a division manager of the given entities.
func signInDivision(t *testing.T, b *testBundle, email string, entities ...string) *browser {
	t.Helper()
	spec, err := auth.UserSpec(email, "Diane", string(domain.RoleDivisionManager), "", testPassword, &entities)
	require.NoError(t, err)
	_, err = b.store.PutUser(context.Background(), spec, "test")
	require.NoError(t, err)
	br := b.anonymous(t)
	res := br.postForm("/login", url.Values{"email": {email}, "password": {testPassword}, "csrf": {br.loginToken()}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	return br
}

func TestDashboardEntitiesDrillDown(t *testing.T) {
	t.Parallel()
	f := setupDashboards(t)
	dm := signInDivision(t, f.b, "diane@example.com", "FR01")
	status, body := dm.get("/dashboard")
	require.Equal(t, http.StatusSeeOther, status)
	status, body = dm.get("/dashboard/entities")
	require.Equal(t, http.StatusOK, status, body)
	q := "?as_of=" + f.today.String()
	byEntity := csvOf(t, dm, "/dashboard/csv/aging"+q+"&group_by=entity")
	require.Equal(t, [][]string{
		{"FR01", "France", "500.00", "1000.00", "2000.00", "0.00", "0.00", "0.00", "0.00", "3500.00", "EUR", "true"},
		{"total", "", "500.00", "1000.00", "2000.00", "0.00", "0.00", "0.00", "0.00", "3500.00", "EUR", "true"},
	}, byEntity[1:], "her entity only: DE01 is outside her perimeter")
	aging := section(t, body, "aging-entity")
	require.NotContains(t, aging, "DE01")
	drill := "/dashboard/entities?as_of=" + f.today.String() + "&amp;entity=FR01"
	require.Contains(t, aging, `<a href="`+drill+`">`, "the entity's bar and row lead to it")

	status, body = dm.get("/dashboard/entities" + q + "&entity=FR01")
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, "Entity FR01 only.")
	require.Contains(t, section(t, body, "aging-agent"), "alice@example.com")
	require.Equal(t, [][]string{
		{"retail", "", "500.00", "1000.00", "0.00", "0.00", "0.00", "0.00", "0.00", "1500.00", "EUR", "true"},
		{"wholesale", "", "0.00", "0.00", "2000.00", "0.00", "0.00", "0.00", "0.00", "2000.00", "EUR", "true"},
	}, csvOf(t, dm, "/dashboard/csv/aging"+q+"&entity=FR01&group_by=category")[1:3])

	// A credit manager has it too, over every entity, beside the team's.
	_, body = f.manager.get("/dashboard/entities" + q)
	require.Contains(t, section(t, body, "aging-entity"), "DE01")
	require.Contains(t, body, `<a href="/dashboard/team?as_of=`)
}

func TestDashboardWhoHasOne(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rep := b.signIn(t, "sam@example.com", domain.RoleSalesRep)
	status, body := rep.get("/")
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, body, `href="/dashboard"`, "no dashboard in a sales rep's navigation")
	for _, path := range []string{"/dashboard", "/dashboard/portfolio", "/dashboard/team", "/dashboard/entities", "/dashboard/csv/aging"} {
		status, _ = rep.get(path)
		require.Equal(t, http.StatusForbidden, status, path)
	}
	anon := b.anonymous(t)
	status, _ = anon.get("/dashboard/csv/aging")
	require.Equal(t, http.StatusSeeOther, status, "signed out: to the sign-in page")
	manager := b.signIn(t, "claire@example.com", domain.RoleCreditManager)
	status, body = manager.get("/dashboard/team?as_of=31-12-2025")
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, "as_of")
	status, _ = manager.get("/dashboard/csv/nothing")
	require.Equal(t, http.StatusNotFound, status)
}

func TestDashboardInFrench(t *testing.T) {
	t.Parallel()
	f := setupDashboards(t)
	_, err := f.b.store.Pool.Exec(context.Background(), `UPDATE users SET language = 'fr' WHERE email = 'claire@example.com'`)
	require.NoError(t, err)
	_, body := f.manager.get("/dashboard/team?as_of=" + f.today.String())
	require.Contains(t, body, "Balance âgée par agent")
	require.Contains(t, body, "Litiges par motif")
	require.Contains(t, body, "2\u00a0300,00\u00a0€", "amounts in French")
	require.Contains(t, section(t, body, "promises"), ">50,00<", "ratios with a decimal comma")
	require.Contains(t, body, "Prévision d&#39;encaissements")
	// The CSV stays machine-readable whatever the language.
	require.Equal(t, []string{"kept", "1", "50.00"}, csvOf(t, f.manager, "/dashboard/csv/promises?as_of="+f.today.String())[1])
}

func ptr[T any](v T) *T { return &v }
