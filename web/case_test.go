package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store/storetest"
)

// caseFixture is a customer with two EUR invoices, its agent and sales rep,
// a credit manager, and users of the logistics and sales departments.
type caseFixture struct {
	b                              *testBundle
	agent, rep, manager, logistics *browser
	sales                          *browser
	customer, first, second        int64
	account                        string // the customer's page
}

func caseSetup(t *testing.T) caseFixture {
	t.Helper()
	b := setup(t)
	f := caseFixture{b: b}
	f.agent = b.signIn(t, "agent@example.com", domain.RoleAgent)
	f.rep = b.signIn(t, "rep@example.com", domain.RoleSalesRep)
	f.manager = b.signIn(t, "manager@example.com", domain.RoleCreditManager)
	f.logistics = b.signInWith(t, "dock@example.com", domain.RoleDepartment, "logistics")
	f.sales = b.signInWith(t, "seller@example.com", domain.RoleDepartment, "sales")
	f.customer = b.rows.Customer(t, storetest.Customer{Name: "Acme <Ltd>", Agent: userID(t, b, "agent@example.com"),
		SalesRep: userID(t, b, "rep@example.com")})
	f.first = b.rows.Invoice(t, storetest.Invoice{Customer: f.customer, Number: "F-1", DueDate: storetest.DefaultDueDate, Amount: eurs(250)})
	f.second = b.rows.Invoice(t, storetest.Invoice{Customer: f.customer, Number: "F-2", DueDate: storetest.DefaultDueDate, Amount: eurs(80)})
	f.account = "/accounts/" + itoa(f.customer)
	return f
}

// openDispute opens a dispute on invoice with reason through the account page's form and returns the case's page.
func (f caseFixture) openDispute(t *testing.T, br *browser, invoice int64, reason, disputed string) string {
	t.Helper()
	res := br.post(f.account+"/cases", url.Values{"type": {"dispute"}, "invoice_ids": {itoa(invoice)},
		"disputed_" + itoa(invoice): {disputed}, "reason": {reason}, "description": {"wrong count"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	page := res.Header.Get("Location")
	require.Regexp(t, `^/cases/\d+$`, page)
	return page
}

// cases is how many cases the database holds.
func (f caseFixture) cases(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, f.b.store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM cases`).Scan(&n))
	return n
}

func TestADisputeIsOpenedFromAnInvoiceOfTheAccountPage(t *testing.T) {
	t.Parallel()
	f := caseSetup(t)

	_, body := f.agent.get(f.account)
	require.Contains(t, body, `href="`+f.account+`?dispute=`+itoa(f.first)+`#open-dispute"`, "each invoice row offers a dispute")
	_, body = f.agent.get(f.account + "?dispute=" + itoa(f.first))
	require.Contains(t, body, `name="invoice_ids" value="`+itoa(f.first)+`" checked`, "the invoice's link ticks it")
	require.NotContains(t, body, `name="invoice_ids" value="`+itoa(f.second)+`" checked`)

	page := f.openDispute(t, f.agent, f.first, "quantity", "100,50")
	status, body := f.agent.get(page)
	require.Equal(t, http.StatusOK, status)
	for _, want := range []string{"Case " + page[len("/cases/"):] + " opened and routed to Logistics", "Dispute", "Acme &lt;Ltd&gt;",
		`href="` + f.account + `"`, "F-1", "€100.50", "Quantity", "Logistics", "the department&#39;s queue", "On time", "wrong count"} {
		require.Contains(t, body, want)
	}
	_, body = f.agent.get(f.account)
	require.NotContains(t, body, `?dispute=`+itoa(f.first)+`#`, "a disputed invoice is not offered again")
	require.Contains(t, body, "Disputes and requests (1)", "the account lists its cases")
	require.Contains(t, body, `<a href="`+page+`">`)
	_, body = f.logistics.get(f.account)
	require.Contains(t, body, `<a href="`+page+`">`, "a department reads the account behind its case")
}

func TestTheDisputeFormRefusesBadInputAndWritesNothing(t *testing.T) {
	t.Parallel()
	f := caseSetup(t)
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no invoice", url.Values{"reason": {"price"}}, "invoices: required"},
		{"no reason", url.Values{"invoice_ids": {itoa(f.first)}}, "reason: required"},
		{"not an amount", url.Values{"invoice_ids": {itoa(f.first)}, "disputed_" + itoa(f.first): {"lots"}, "reason": {"price"}},
			"enter an amount disputed in EUR"},
		{"a third decimal", url.Values{"invoice_ids": {itoa(f.first)}, "disputed_" + itoa(f.first): {"1.005"}, "reason": {"price"}},
			"enter an amount disputed in EUR"},
		{"an unknown reason", url.Values{"invoice_ids": {itoa(f.first)}, "reason": {"mood"}}, "reason: &#34;mood&#34;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("type", "dispute")
			res := f.agent.post(f.account+"/cases", tc.form)
			require.Equal(t, http.StatusBadRequest, res.StatusCode)
			body := readBody(t, res)
			require.Contains(t, body, `class="field-error"`)
			require.Contains(t, body, tc.want)
			require.Contains(t, body, `role="alert"`, "a summary at the top")
		})
	}
	res := f.agent.post(f.account+"/cases", url.Values{"type": {"credit_limit_request"}, "new_limit": {"50000"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), "justification: required")
	require.Zero(t, f.cases(t), "nothing written")

	res = f.agent.post(f.account+"/cases", url.Values{"type": {"credit_limit_request"}, "new_limit": {"50 000,00"},
		"justification": {"growing orders"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	_, body := f.manager.get(res.Header.Get("Location"))
	require.Contains(t, body, "€50,000.00")
	require.Contains(t, body, "growing orders")
	require.Contains(t, body, `<option value="approved">Approved</option>`)
	_, body = f.agent.get(res.Header.Get("Location"))
	require.NotContains(t, body, `/decide"`, "an agent does not decide a credit limit")
	require.Contains(t, body, "A credit limit request is decided by a credit manager.")
	res = f.agent.post(res.Header.Get("Location")+"/decide", url.Values{"decision": {"approved"}, "reason": {"fine"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode, "and the server refuses anyway")
}

func TestTheCasesBoardShowsEachPersonTheirCases(t *testing.T) {
	t.Parallel()
	f := caseSetup(t)
	logisticsCase := f.openDispute(t, f.agent, f.first, "quantity", "")
	salesCase := f.openDispute(t, f.agent, f.second, "price", "")

	status, body := f.agent.get("/cases")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `href="/cases"`, "the navigation has the board")
	require.Contains(t, body, "2 cases")
	require.Contains(t, body, `href="`+logisticsCase+`"`)
	require.Contains(t, body, `href="`+salesCase+`"`)
	require.Contains(t, body, `data-label="SLA"><span class="badge ok">On time</span>`)

	require.Contains(t, body, `<a href="/cases?format=xlsx" download>XLSX</a>`)

	// The download holds what the board shows: a department's, only theirs.
	status, body = f.agent.get("/cases?type=dispute&format=csv")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, 3, strings.Count(body, "\n"), "the header and the two disputes: %s", body)
	require.Contains(t, body, ",quantity,logistics,")
	_, body = f.logistics.get("/cases?type=dispute&format=csv")
	require.Equal(t, 2, strings.Count(body, "\n"), body)
	require.NotContains(t, body, ",price,sales,")

	_, body = f.logistics.get("/cases")
	require.Contains(t, body, "1 cases")
	require.Contains(t, body, `href="`+logisticsCase+`"`)
	require.NotContains(t, body, `href="`+salesCase+`"`, "a department sees the cases routed to it")
	require.Contains(t, body, "My department&#39;s")
	status, _ = f.logistics.get(salesCase)
	require.Equal(t, http.StatusNotFound, status, "nor another department's case")

	_, body = f.agent.get("/cases?department=sales")
	require.Contains(t, body, "1 cases")
	require.Contains(t, body, `href="`+salesCase+`"`)
	_, body = f.agent.get("/cases?customer=" + itoa(f.customer))
	require.Contains(t, body, "2 cases")
	require.Contains(t, body, `name="customer" value="`+itoa(f.customer)+`"`, "the filters keep the customer")
	other := f.b.rows.Customer(t, storetest.Customer{Name: "Other"})
	_, body = f.agent.get("/cases?customer=" + itoa(other))
	require.Contains(t, body, "0 cases")
	_, body = f.agent.get("/cases?scope=mine")
	require.Contains(t, body, "No case matches these filters", "cases in a department's queue are no one's")
	_, body = f.agent.get("/cases?sla=breached")
	require.Contains(t, body, "0 cases")

	status, body = f.agent.get("/cases?sla=late&type=riddle")
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, `class="error" role="alert"`)
	require.Contains(t, body, `id="sla" name="sla" aria-invalid="true"`)
}

func TestADepartmentCommentsAndDecidesAndASalesRepOnlyComments(t *testing.T) {
	t.Parallel()
	f := caseSetup(t)
	page := f.openDispute(t, f.agent, f.first, "quantity", "")

	res := f.logistics.post(page+"/comments", url.Values{"text": {"Counted again <script>alert(1)</script> @agent@example.com"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	_, body := f.logistics.get(page)
	require.Contains(t, body, "Comment added.")
	_, body = f.agent.get(page)
	require.Contains(t, body, "Counted again &lt;script&gt;alert(1)&lt;/script&gt; @agent@example.com", "escaped, mentions as text")
	require.NotContains(t, body, "<script>alert(1)")
	require.Contains(t, body, "Mentioned: @agent@example.com")
	require.Contains(t, body, "dock@example.com")

	res = f.logistics.post(page+"/comments", url.Values{"text": {"  "}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), `<p class="field-error">text: required</p>`)

	status, body := f.rep.get(page)
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, body, `id="history-h"`, "the case's history is for those who read timelines")
	require.Contains(t, body, `action="`+page+`/comments"`, "a sales rep comments")
	require.NotContains(t, body, `action="`+page+`/decide"`, "but has no decision form")
	res = f.rep.post(page+"/comments", url.Values{"text": {"The customer called me"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	res = f.rep.post(page+"/decide", url.Values{"decision": {"rejected"}, "reason": {"no"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode, "and the server refuses the decision anyway")

	auditor := f.b.signIn(t, "auditor@example.com", domain.RoleAuditor)
	status, body = auditor.get(page)
	require.Equal(t, http.StatusOK, status, "an auditor reads every case of the perimeter")
	require.NotContains(t, body, `method="post" action="`+page, "and has no form")
	require.Contains(t, body, `id="history-h"`, "but the history")
	res = auditor.post(page+"/comments", url.Values{"text": {"audit note"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode)

	res = f.logistics.post(page+"/comments", url.Values{"text": {"forged"}, "csrf": {"0000"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode, "a form without the session's token")
	_, body = f.agent.get(page)
	require.NotContains(t, body, "forged")
	require.Contains(t, body, "Discussion (2)")

	res = f.logistics.post(page+"/status", url.Values{"status": {"waiting_customer"}, "reason": {"asked for photos"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	_, body = f.logistics.get(page)
	require.Contains(t, body, "Case is now: Waiting for the customer.")
	require.Contains(t, body, `name="status" value="open"`, "the way back is offered")

	res = f.logistics.post(page+"/route", url.Values{"department": {"sales"}, "reason": {""}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), `id="route-reason" name="reason"`)
	res = f.logistics.post(page+"/route", url.Values{"department": {"sales"}, "reason": {"a price question after all"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	require.Equal(t, "/cases", res.Header.Get("Location"), "out of the sender's sight: back to their board")
	_, body = f.logistics.get("/cases")
	require.Contains(t, body, "Case sent to Sales.")
	require.Contains(t, body, "0 cases")
	status, _ = f.logistics.get(page)
	require.Equal(t, http.StatusNotFound, status, "re-routed: no longer logistics'")
	status, _ = f.sales.get(page)
	require.Equal(t, http.StatusOK, status, "now the sales department's")
	_, body = f.agent.get(page)
	require.Contains(t, body, "dock@example.com: case.route on case/", "the history says who re-routed it")
}

func TestADisputeIsPartlyAcceptedInExactMinorUnitsAndReopened(t *testing.T) {
	t.Parallel()
	f := caseSetup(t)
	page := f.openDispute(t, f.agent, f.first, "quantity", "100")
	field := "credit_note_" + itoa(f.first)

	for _, tc := range []struct{ amount, want string }{
		{"", "enter the credit note as an amount in EUR"},
		{"12.345", "enter the credit note as an amount in EUR"},
		{"100.01", "between 0 and the disputed"},
	} {
		res := f.logistics.post(page+"/decide", url.Values{"decision": {"partly_accepted"}, field: {tc.amount}, "reason": {"half missing"}})
		require.Equal(t, http.StatusBadRequest, res.StatusCode, tc.amount)
		body := readBody(t, res)
		require.Contains(t, body, tc.want)
		require.Contains(t, body, `class="field-error"`)
	}
	_, body := f.logistics.get(page)
	require.Contains(t, body, ">Open</span>", "nothing decided")

	res := f.logistics.post(page+"/decide", url.Values{"decision": {"partly_accepted"}, field: {"60,25"}, "reason": {"half missing"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	_, body = f.logistics.get(page)
	for _, want := range []string{"Decision recorded: Partly accepted.", ">Decided</span>", "€60.25", "half missing", `action="` + page + `/reopen"`} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, `action="`+page+`/decide"`, "decided: no decision form")
	var minor int64
	require.NoError(t, f.b.store.Pool.QueryRow(context.Background(),
		`SELECT credit_note_minor FROM case_invoices WHERE invoice_id = $1`, f.first).Scan(&minor))
	require.Equal(t, int64(6025), minor)

	res = f.logistics.post(page+"/reopen", url.Values{"reason": {""}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	res = f.logistics.post(page+"/reopen", url.Values{"reason": {"the customer found the rest"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	_, body = f.logistics.get(page)
	require.Contains(t, body, "Case reopened.")
	require.Contains(t, body, `action="`+page+`/decide"`)

	res = f.logistics.post(page+"/decide", url.Values{"decision": {"rejected"}, "reason": {"the goods were delivered"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	_, body = f.logistics.get(page)
	require.Contains(t, body, "Decision recorded: Rejected. The customer could not be emailed: tell them the reason.")
	require.Contains(t, body, "the goods were delivered")
}

func TestTheCasePageInFrench(t *testing.T) {
	t.Parallel()
	f := caseSetup(t)
	page := f.openDispute(t, f.agent, f.first, "quantity", "")
	res := f.logistics.post("/profile/language", url.Values{"language": {"fr"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body := f.logistics.get(page)
	for _, want := range []string{`<html lang="fr">`, "Dossier " + page[len("/cases/"):] + " : Litige", "Logistique", "Discussion (0)",
		"Enregistrer la décision", "Accepté en partie", "Dans les temps"} {
		require.Contains(t, body, want)
	}
	_, body = f.logistics.get("/cases")
	require.Contains(t, body, "1 dossiers")
	require.Contains(t, body, `<a href="/cases" aria-current="page">Dossiers</a>`)
}
