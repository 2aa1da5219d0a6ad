package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/store"
	"recoup/store/storetest"
)

// A manager adds, orders and deletes the rules that give an agent to the
// customers the ERP sends without one; a rule applies at once.
func TestAgentRulesPage(t *testing.T) {
	t.Parallel()
	f := setupDesk(t)
	ctx := context.Background()
	status, body := f.manager.get("/agent-rules")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "No rule yet")
	_, body = f.manager.get("/portfolios")
	require.Contains(t, body, `href="/agent-rules"`)

	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"no agent", url.Values{"country": {"FR"}}, "agent_email: required"},
		{"no such agent", url.Values{"agent_email": {"ghost@example.com"}}, "no user ghost@example.com"},
		{"a country that is no code", url.Values{"agent_email": {"bob@example.com"}, "country": {"France"}}, "two-letter ISO country code"},
		{"no such entity", url.Values{"agent_email": {"bob@example.com"}, "entity": {"XX99"}}, "no entity XX99"},
	}
	for _, tt := range tests {
		res := f.manager.post("/agent-rules", tt.form)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, tt.name)
		page := readBody(t, res)
		require.Contains(t, page, `<p class="field-error">`, tt.name)
		require.Contains(t, page, tt.want, tt.name)
	}

	orphan := f.b.rows.Customer(t, storetest.Customer{Country: "BE", Category: "retail"})
	for _, form := range []url.Values{
		{"country": {"BE"}, "agent_email": {"bob@example.com"}},
		{"category": {"retail"}, "agent_email": {"alice@example.com"}},
	} {
		res := f.manager.post("/agent-rules", form)
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
	}
	require.Equal(t, "bob@example.com", f.agentOf(t, orphan), "the first rule it matches, at once")
	rules := func() []store.AgentRule {
		list, err := f.b.store.AgentRules(ctx)
		require.NoError(t, err)
		return list
	}
	require.Equal(t, []string{"bob@example.com", "alice@example.com"}, []string{rules()[0].AgentEmail, rules()[1].AgentEmail})

	_, body = f.manager.get("/agent-rules")
	require.Less(t, strings.Index(body, "bob@example.com</td>"), strings.Index(body, "alice@example.com</td>"))
	res := f.manager.post("/agent-rules/2/move", url.Values{"direction": {"up"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "alice@example.com", rules()[0].AgentEmail, "moved up: tried first")
	res = f.manager.post("/agent-rules/1/move", url.Values{"direction": {"up"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "the first cannot go higher")
	res = f.manager.post("/agent-rules/1/delete", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Len(t, rules(), 1)
	require.Equal(t, "bob@example.com", rules()[0].AgentEmail)
	res = f.manager.post("/agent-rules/7/delete", nil)
	require.Equal(t, http.StatusNotFound, res.StatusCode)

	_, body = f.agent.get("/agent-rules")
	require.NotContains(t, body, `action="/agent-rules"`, "an agent sees no form")
	res = f.agent.post("/agent-rules", url.Values{"agent_email": {"alice@example.com"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Len(t, rules(), 1)
}
