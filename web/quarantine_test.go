package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
	"recoup/store/storetest"
)

func TestQuarantinePage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	agent := b.signIn(t, "agent@example.com", domain.RoleAgent)
	var agentID int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM users WHERE email = 'agent@example.com'`).Scan(&agentID))
	customer := b.rows.Customer(t, storetest.Customer{Name: "Dupont SARL", Email: "ap@dupont.example", Agent: agentID})
	outside := b.rows.Customer(t, storetest.Customer{Name: "Not mine"})
	quarantine := func(id, from string, customer int64) int64 {
		e, fresh, err := b.store.RecordInbound(ctx, store.InboundEmail{MessageID: id, CustomerID: customer, Kind: store.InboundReply,
			Status: store.InboundQuarantined, From: from, Subject: "Re: reminder", Body: "Is this <b>real</b>?",
			Attachments: []store.InboundAttachment{{Name: "proof.pdf", ContentType: "application/pdf", Size: 9}}})
		require.NoError(t, err)
		require.True(t, fresh)
		return e.ID
	}
	first := quarantine("q1@example.org", "stranger@example.org", customer)
	second := quarantine("q2@example.org", "spam@example.org", customer)
	other := quarantine("q3@example.org", "someone@example.org", outside)

	status, body := agent.get("/quarantine")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "2 waiting")
	require.Contains(t, body, "stranger@example.org")
	require.Contains(t, body, "Is this &lt;b&gt;real&lt;/b&gt;?", "the text is shown as text")
	require.Contains(t, body, "proof.pdf")
	require.NotContains(t, body, "someone@example.org", "only the agent's perimeter")
	require.Equal(t, http.StatusNotFound, agent.post("/quarantine/"+strconv.FormatInt(other, 10), url.Values{"decision": {"discard"}}).StatusCode)
	_, cases := agent.get("/cases")
	require.Contains(t, cases, `href="/quarantine"`, "the cases board links to it")

	res := agent.post("/quarantine/"+strconv.FormatInt(first, 10), url.Values{"decision": {"confirm"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	res = agent.post("/quarantine/"+strconv.FormatInt(second, 10), url.Values{"decision": {"discard"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = agent.get("/quarantine")
	require.Contains(t, body, "Reply discarded.")
	require.Contains(t, body, "No reply waits for a decision.")
	list, total, err := b.store.ListCases(ctx, store.Everything, store.CaseFilter{CustomerID: &customer, Page: domain.Page{Limit: 10}})
	require.NoError(t, err)
	require.Equal(t, int64(1), total, "the confirmed reply opened a case")
	require.Equal(t, domain.CaseCustomerMessage, list[0].Type)

	auditor := b.signIn(t, "audit@example.com", domain.RoleAuditor)
	require.Equal(t, http.StatusForbidden, auditor.post("/quarantine/"+strconv.FormatInt(first, 10), url.Values{"decision": {"discard"}}).StatusCode)
}
