package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/money"
	"recoup/store/storetest"
)

func eurs(units int64) money.Money {
	return money.Money{Minor: units * 100, Currency: money.MustCurrency("EUR")}
}

// names are the customer names of the list page, in order.
var nameCell = regexp.MustCompile(`<td data-label="Customer"><span><a href="/accounts/\d+">([^<]*)</a>`)

func listedNames(body string) []string {
	var out []string
	for _, m := range nameCell.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestAccountListSortsFiltersAndSearches(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin@example.com", domain.RoleAdmin)
	// balance, overdue: Alpha 300/100, Bravo 500/0 (on hold), Charlie 50/50
	alpha := b.rows.Customer(t, storetest.Customer{Name: "Alpha", ExternalID: "A-1", Category: "retail"})
	b.rows.Invoice(t, storetest.Invoice{Customer: alpha, DueDate: storetest.DefaultDueDate, Amount: eurs(100)})
	b.rows.Invoice(t, storetest.Invoice{Customer: alpha, DueDate: storetest.DefaultDueDate.AddDays(3650), Amount: eurs(200)})
	bravo := b.rows.Customer(t, storetest.Customer{Name: "Bravo", ExternalID: "B-1"})
	b.rows.Invoice(t, storetest.Invoice{Customer: bravo, DueDate: storetest.DefaultDueDate.AddDays(3650), Amount: eurs(500)})
	charlie := b.rows.Customer(t, storetest.Customer{Name: "Charlie", ExternalID: "C-1", Category: "retail"})
	b.rows.Invoice(t, storetest.Invoice{Customer: charlie, DueDate: storetest.DefaultDueDate.AddDays(-10), Amount: eurs(50)})
	_, err := b.store.Pool.Exec(context.Background(), `UPDATE customers SET on_hold = true WHERE id = $1`, bravo)
	require.NoError(t, err)

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"Alpha", "Bravo", "Charlie"}},
		{"?sort=-name", []string{"Charlie", "Bravo", "Alpha"}},
		{"?sort=balance", []string{"Charlie", "Alpha", "Bravo"}},
		{"?sort=-balance", []string{"Bravo", "Alpha", "Charlie"}},
		{"?sort=-overdue", []string{"Alpha", "Charlie", "Bravo"}},
		{"?sort=-days_overdue", []string{"Charlie", "Alpha", "Bravo"}},
		{"?overdue=yes", []string{"Alpha", "Charlie"}},
		{"?overdue=no", []string{"Bravo"}},
		{"?on_hold=yes", []string{"Bravo"}},
		{"?category=retail&on_hold=no", []string{"Alpha", "Charlie"}},
		{"?q=rav", []string{"Bravo"}},
		{"?q=C-1", []string{"Charlie"}},
	} {
		status, body := admin.get("/accounts" + tc.query)
		require.Equal(t, http.StatusOK, status, tc.query)
		require.Equal(t, tc.want, listedNames(body), tc.query)
	}

	_, body := admin.get("/accounts?sort=balance&overdue=yes")
	require.Contains(t, body, `aria-sort="ascending"`, "the sorted column says so")
	require.Contains(t, body, `href="/accounts?overdue=yes&amp;sort=-balance"`, "a second click sorts descending, keeping the filters")
	require.Contains(t, body, `href="/accounts?overdue=yes&amp;sort=overdue"`)
	require.Contains(t, body, "2 customers")

	status, body := admin.get("/accounts?q=nobody")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "No customer matches these filters")
	require.Contains(t, body, `<a href="/accounts">clear the filters</a>`)

	status, _ = admin.get("/accounts?sort=bogus")
	require.Equal(t, http.StatusBadRequest, status)
}

func TestAccountListPagesAndEscapes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin@example.com", domain.RoleAdmin)
	status, body := admin.get("/accounts")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "No customers yet", "the empty state says what to do")
	require.Contains(t, body, `href="/imports"`)

	for i := range 55 {
		b.rows.Customer(t, storetest.Customer{Name: fmt.Sprintf("Customer %02d", i)})
	}
	b.rows.Customer(t, storetest.Customer{Name: "<script>alert(1)</script>"})
	_, body = admin.get("/accounts")
	require.Contains(t, body, "56 customers")
	require.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;", "sorted first by name, escaped")
	require.NotContains(t, body, "<script>alert(1)</script>")
	require.Len(t, listedNames(body), 50)
	require.Contains(t, body, "Page 1 of 2")
	require.Contains(t, body, `href="/accounts?page=2"`)
	_, body = admin.get("/accounts?page=2")
	require.Len(t, listedNames(body), 6)
}

// accountFixture is a customer of an agent and a sales rep, with an overdue invoice.
type accountFixture struct {
	b                          *testBundle
	agent, auditor, rep, other *browser
	mine, theirs               int64
}

func accountSetup(t *testing.T) accountFixture {
	t.Helper()
	b := setup(t)
	f := accountFixture{b: b}
	f.agent = b.signIn(t, "agent@example.com", domain.RoleAgent)
	f.auditor = b.signIn(t, "auditor@example.com", domain.RoleAuditor)
	f.rep = b.signIn(t, "rep@example.com", domain.RoleSalesRep)
	limit := eurs(1000)
	f.mine = b.rows.Customer(t, storetest.Customer{Name: "Mine <b>&</b>", Agent: userID(t, b, "agent@example.com"),
		SalesRep: userID(t, b, "rep@example.com"), CreditLimit: &limit, RiskClass: "B"})
	b.rows.Invoice(t, storetest.Invoice{Customer: f.mine, Number: "F-<1>", DueDate: storetest.DefaultDueDate, Amount: eurs(250)})
	f.theirs = b.rows.Customer(t, storetest.Customer{Name: "Someone else's"})
	b.rows.Invoice(t, storetest.Invoice{Customer: f.theirs, Amount: eurs(10)})
	return f
}

func TestAccountPageShowsTheAccountByRole(t *testing.T) {
	t.Parallel()
	f := accountSetup(t)
	page := "/accounts/" + strconv.FormatInt(f.mine, 10)

	status, body := f.agent.get(page)
	require.Equal(t, http.StatusOK, status)
	for _, want := range []string{
		"Mine &lt;b&gt;&amp;&lt;/b&gt;", "F-&lt;1&gt;", `<dl class="facts">`, "25.00% used", "rep@example.com",
		"The dunning engine (Temporal) does not answer right now", // Temporal is absent: said calmly
		`action="` + page + `/pause"`, `action="` + page + `/resume"`, `data-confirm=`, `name="reason"`,
		`data-label="Due"`, "Timeline", page + "/history.csv",
	} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, `action="`+page+`/reassign"`, "an agent may not reassign")
	require.NotContains(t, body, "<b>&</b>")

	for _, br := range []*browser{f.auditor, f.rep} {
		status, body := br.get(page)
		require.Equal(t, http.StatusOK, status)
		// A sales rep may ask someone for a task (tasks.create), nothing else.
		body = strings.Replace(body, `method="post" action="`+page+`/tasks"`, "", 1)
		if br == f.rep { // and open a dispute or a request on their customer (cases.open)
			body = strings.ReplaceAll(body, `method="post" action="`+page+`/cases"`, "")
		}
		require.NotContains(t, body, `method="post" action="`+page, "no action buttons")
	}
	_, body = f.rep.get(page)
	require.NotContains(t, body, "history.csv", "a sales rep does not read the timeline")
	_, body = f.auditor.get(page + "?kind=bogus")
	require.Contains(t, body, `class="field-error"`, "a bad timeline filter shows next to its field")
}

func TestAccountPageIsNotFoundOutsideThePerimeter(t *testing.T) {
	t.Parallel()
	f := accountSetup(t)
	theirs := "/accounts/" + strconv.FormatInt(f.theirs, 10)
	for name, br := range map[string]*browser{"sales rep": f.rep, "agent": f.agent} {
		status, _ := br.get(theirs)
		require.Equal(t, http.StatusNotFound, status, name)
		status, _ = br.get("/accounts/999999")
		require.Equal(t, http.StatusNotFound, status, name)
		_, body := br.get("/accounts")
		require.NotContains(t, body, "Someone else", name)
	}
	res := f.agent.post(theirs+"/pause", url.Values{"reason": {"holiday"}})
	require.Equal(t, http.StatusNotFound, res.StatusCode)
}

func TestAccountActions(t *testing.T) {
	t.Parallel()
	f := accountSetup(t)
	page := "/accounts/" + strconv.FormatInt(f.mine, 10)

	res := f.agent.post(page+"/pause", url.Values{"reason": {"customer on holiday"}, "until": {"2099-01-10"}})
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode, "pausing needs Temporal: the 503 page")

	res = f.agent.post(page+"/pause", url.Values{"until": {"2099-01-10"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	body := readBody(t, res)
	require.Contains(t, body, "say why the reminders stop")
	require.Contains(t, body, `value="2099-01-10"`, "the form keeps what was typed")

	res = f.agent.post(page+"/pause", url.Values{"reason": {"x"}, "until": {"next week"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), "want a date")

	for _, tc := range []struct {
		who  *browser
		path string
	}{
		{f.auditor, "/pause"}, {f.auditor, "/resume"}, {f.rep, "/pause"}, {f.agent, "/reassign"}, {f.agent, "/scenario"},
	} {
		res := tc.who.post(page+tc.path, url.Values{"reason": {"x"}, "agent_email": {"agent@example.com"}})
		require.Equal(t, http.StatusForbidden, res.StatusCode, tc.path)
	}

	manager := f.b.signIn(t, "manager@example.com", domain.RoleCreditManager)
	_, body = manager.get(page)
	require.Contains(t, body, `action="`+page+`/reassign"`)
	require.Contains(t, body, `action="`+page+`/scenario"`)
	res = manager.post(page+"/reassign", url.Values{"agent_email": {"nobody@example.com"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), "no user nobody@example.com")
	res = manager.post(page+"/scenario", url.Values{"scenario_id": {"none"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, page, res.Header.Get("Location"))
	_, body = manager.get(page)
	require.Contains(t, body, "Scenario unpinned")
}

func TestAccountHistoryCSV(t *testing.T) {
	t.Parallel()
	f := accountSetup(t)
	path := "/accounts/" + strconv.FormatInt(f.mine, 10) + "/history.csv?kind=journal"
	res, err := f.auditor.client.Get(f.b.srv.URL + path)
	require.NoError(t, err)
	body := readBody(t, res)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, fmt.Sprintf(`attachment; filename="customer-%d-history.csv"`, f.mine), res.Header.Get("Content-Disposition"))
	require.True(t, strings.HasPrefix(body, "at,"), body)

	status, _ := f.rep.get(path)
	require.Equal(t, http.StatusForbidden, status, "a sales rep may not read the timeline")
	status, _ = f.auditor.get("/accounts/" + strconv.FormatInt(f.mine, 10) + "/history.csv?from=yesterday")
	require.Equal(t, http.StatusBadRequest, status)
}
