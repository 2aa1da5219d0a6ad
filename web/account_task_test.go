package web

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store/storetest"
)

// An agent asks the customer's sales rep for a purchase order from the
// account page; the rep's home page (their phone-sized view) lists it, and
// not the agent's own calls.
func TestAccountTaskFormAndTheSalesRepsHome(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	rep := b.signIn(t, "marc@example.com", domain.RoleSalesRep)
	customer := b.rows.Customer(t, storetest.Customer{Name: "Orders Ltd", TimeZone: "Europe/Paris",
		Agent: userID(t, b, "alice@example.com"), SalesRep: userID(t, b, "marc@example.com")})

	_, body := agent.get("/accounts/" + itoa(customer))
	require.Contains(t, body, `action="/accounts/`+itoa(customer)+`/tasks"`)
	require.Contains(t, body, "Due (customer&#39;s time, Europe/Paris; empty: now)")

	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"no note", url.Values{"kind": {"purchase_order"}, "assignee_role": {"sales_rep"}}, "note: required"},
		{"a kind nobody may create", url.Values{"kind": {"escalation"}, "assignee_role": {"sales_rep"}, "note": {"x"}}, "kind: &#34;escalation&#34;"},
		{"an unknown person", url.Values{"kind": {"call"}, "assignee_email": {"ghost@example.com"}, "note": {"x"}}, "assignee_email"},
		{"a nonsense due time", url.Values{"kind": {"call"}, "assignee_role": {"agent"}, "note": {"x"}, "due_at": {"soon"}}, "Give a date and time such as"},
	}
	for _, tt := range tests {
		res := agent.post("/accounts/"+itoa(customer)+"/tasks", tt.form)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, tt.name)
		require.Contains(t, readBody(t, res), tt.want, tt.name)
	}

	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	y, m, d := time.Now().AddDate(0, 1, 0).In(paris).Date()
	due := time.Date(y, m, d, 9, 30, 0, 0, paris)
	res := agent.post("/accounts/"+itoa(customer)+"/tasks", url.Values{"kind": {"purchase_order"}, "assignee_role": {"sales_rep"},
		"due_at": {due.Format("2006-01-02T15:04")}, "note": {"ask for the <b>PO</b> of March"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	res = agent.post("/accounts/"+itoa(customer)+"/tasks", url.Values{"kind": {"call"}, "assignee_role": {"agent"}, "note": {"the agent's own call"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = agent.get("/accounts/" + itoa(customer))
	require.Contains(t, body, "created.")

	_, body = rep.get("/")
	require.Contains(t, body, "ask for the &lt;b&gt;PO&lt;/b&gt; of March", "the rep's own task, escaped")
	require.Contains(t, body, due.UTC().Format("2006-01-02 15:04 UTC"), "09:30 in Paris")
	require.NotContains(t, body, "the agent&#39;s own call", "not the agent's tasks")

	auditor := b.signIn(t, "ingrid@example.com", domain.RoleAuditor)
	_, body = auditor.get("/accounts/" + itoa(customer))
	require.NotContains(t, body, `/tasks"`, "an auditor creates no task")
	res = auditor.post("/accounts/"+itoa(customer)+"/tasks", url.Values{"kind": {"call"}, "assignee_role": {"agent"}, "note": {"x"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode)
}
