package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
	"recoup/store/storetest"
)

type deskFixture struct {
	b              *testBundle
	manager, agent *browser
	c1, c2, c3     int64
	aliceID, bobID int64
}

// setupDesk: Alice has two retail accounts in FR01 and one wholesale; Bob none.
func setupDesk(t *testing.T) *deskFixture {
	t.Helper()
	f := &deskFixture{b: setup(t)}
	f.manager = f.b.signIn(t, "manager@example.com", domain.RoleCreditManager)
	f.agent = f.b.signIn(t, "alice@example.com", domain.RoleAgent)
	f.b.signIn(t, "bob@example.com", domain.RoleAgent)
	ctx := context.Background()
	require.NoError(t, f.b.store.Pool.QueryRow(ctx, `SELECT id FROM users WHERE email = 'alice@example.com'`).Scan(&f.aliceID))
	fr := f.b.rows.Entity(t, storetest.Entity{Code: "FR01"})
	f.c1 = f.b.rows.Customer(t, storetest.Customer{Entity: fr, Name: "<script>alert(1)</script>", Category: "retail", Agent: f.aliceID})
	f.c2 = f.b.rows.Customer(t, storetest.Customer{Entity: fr, Category: "retail", Agent: f.aliceID})
	f.c3 = f.b.rows.Customer(t, storetest.Customer{Entity: fr, Category: "wholesale", Agent: f.aliceID})
	return f
}

func (f *deskFixture) agentOf(t *testing.T, id int64) string {
	t.Helper()
	a, err := f.b.store.CurrentAgent(context.Background(), id)
	require.NoError(t, err)
	return a
}

func TestPortfolioPreviewThenConfirm(t *testing.T) {
	t.Parallel()
	f := setupDesk(t)

	status, body := f.manager.get("/portfolios")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `href="/portfolios"`, "in the navigation")
	require.Contains(t, body, `href="/absences"`)

	status, body = f.manager.get("/portfolios?entity=FR01&category=retail&current_agent=alice%40example.com&agent_email=bob%40example.com")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "2 accounts would move to bob@example.com.")
	require.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;", "names are escaped")
	require.NotContains(t, body, "<script>alert(1)")
	require.Contains(t, body, `data-confirm="Move 2 accounts to bob@example.com?"`)
	require.Equal(t, "alice@example.com", f.agentOf(t, f.c1), "a preview moves nothing")

	res := f.manager.post("/portfolios", url.Values{"entity": {"FR01"}, "category": {"retail"},
		"current_agent": {"alice@example.com"}, "agent_email": {"bob@example.com"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/portfolios", res.Header.Get("Location"))
	_, body = f.manager.get("/portfolios")
	require.Contains(t, body, "2 accounts moved to bob@example.com.")
	require.Equal(t, []string{"bob@example.com", "bob@example.com", "alice@example.com"},
		[]string{f.agentOf(t, f.c1), f.agentOf(t, f.c2), f.agentOf(t, f.c3)})
}

func TestPortfolioInvalidInputIsShownNextToTheField(t *testing.T) {
	t.Parallel()
	f := setupDesk(t)
	for _, tc := range []struct{ query, want string }{
		{"entity=FR01&agent_email=nobody%40example.com", "agent_email: no user nobody@example.com"},
		{"country=France&agent_email=bob%40example.com", "country: &#34;France&#34;"},
		{"agent_email=bob%40example.com", "customer_ids: say which accounts"},
	} {
		status, body := f.manager.get("/portfolios?" + tc.query)
		require.Equal(t, http.StatusBadRequest, status, tc.query)
		require.Contains(t, body, `class="field-error"`, tc.query)
		require.Contains(t, body, tc.want, tc.query)
	}
	res := f.manager.post("/portfolios", url.Values{"entity": {"FR01"}, "agent_email": {"<script>x</script>@example.com"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Equal(t, "alice@example.com", f.agentOf(t, f.c1))
}

func TestDeskPagesAreForManagersOnly(t *testing.T) {
	t.Parallel()
	f := setupDesk(t)
	_, body := f.agent.get("/")
	require.NotContains(t, body, `href="/portfolios"`)
	require.NotContains(t, body, `href="/absences"`)
	for _, path := range []string{"/portfolios", "/absences", "/portfolios?entity=FR01&agent_email=alice%40example.com"} {
		status, _ := f.agent.get(path)
		require.Equal(t, http.StatusForbidden, status, path)
	}
	for _, path := range []string{"/portfolios", "/absences", "/absences/1/end"} {
		res := f.agent.post(path, url.Values{"entity": {"FR01"}, "agent_email": {"alice@example.com"}, "delegates": {"alice@example.com"}})
		require.Equal(t, http.StatusForbidden, res.StatusCode, path)
	}
	require.Equal(t, "alice@example.com", f.agentOf(t, f.c1))
}

func TestAbsencesListStartAndEnd(t *testing.T) {
	t.Parallel()
	f := setupDesk(t)
	status, body := f.manager.get("/absences")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "No absence yet")

	back := time.Now().Add(14 * 24 * time.Hour).UTC().Truncate(time.Minute)
	ab, err := f.b.store.CreateAbsence(context.Background(), store.Absence{AgentEmail: "alice@example.com",
		Delegates: []string{"bob@example.com"}, StartsAt: time.Now().UTC(), EndsAt: &back, Reason: "<script>alert(2)</script>"}, "manager@example.com")
	require.NoError(t, err)
	_, body = f.manager.get("/absences")
	require.Contains(t, body, "&lt;script&gt;alert(2)&lt;/script&gt;")
	require.Contains(t, body, `action="/absences/`+itoa(ab.ID)+`/end"`)
	require.Contains(t, body, back.Format("2006-01-02 15:04 UTC"))

	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"agent_email": {"alice@example.com"}, "delegates": {""}}, "delegates: required"},
		{url.Values{"agent_email": {"alice@example.com"}, "delegates": {"alice@example.com"}}, "cannot cover for themselves"},
		{url.Values{"agent_email": {"alice@example.com"}, "delegates": {"bob@example.com"}, "until": {"next week"}}, "until: &#34;next week&#34;"},
		{url.Values{"agent_email": {"ghost@example.com"}, "delegates": {"bob@example.com"}}, "agent_email: no user ghost@example.com"},
	} {
		res := f.manager.post("/absences", tc.form)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, tc.want)
		require.Contains(t, readBody(t, res), tc.want)
	}
	_, err = f.b.store.RecordMove(context.Background(), ab.ID, store.MoveAccount, f.c1, "alice@example.com")
	require.NoError(t, err)
	require.NoError(t, f.b.store.ReassignAgent(context.Background(), f.c1, "bob@example.com", "test"))
	require.NoError(t, f.b.store.MarkMoved(context.Background(), ab.ID, store.MoveAccount, f.c1))
	_, body = f.manager.get("/accounts/" + itoa(f.c1))
	require.Contains(t, body, "covering for alice@example.com", "the delegate sees whom the account is covered for")
	_, body = f.manager.get("/accounts/" + itoa(f.c2))
	require.NotContains(t, body, `id="covering-for"`)

	res := f.manager.post("/absences", url.Values{"agent_email": {"bob@example.com"}, "delegates": {"alice@example.com"},
		"from": {"2099-01-01"}, "until": {"2099-01-15"}})
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode, "a valid absence needs Temporal for its handover")
	res = f.manager.post("/absences/"+itoa(ab.ID)+"/end", nil)
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	res = f.manager.post("/absences/999999/end", nil)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
}

// Each current absence has a form to change its dates; the use case's
// refusals show under that absence's form, and a valid change needs Temporal.
func TestAbsenceDatesForm(t *testing.T) {
	t.Parallel()
	f := setupDesk(t)
	ctx := context.Background()
	now := time.Now().UTC()
	back := now.Add(14 * 24 * time.Hour).Truncate(time.Minute)
	begun, err := f.b.store.CreateAbsence(ctx, store.Absence{AgentEmail: "alice@example.com", Delegates: []string{"bob@example.com"},
		StartsAt: now.Add(-time.Hour), EndsAt: &back}, "manager@example.com")
	require.NoError(t, err)
	later := now.Add(30 * 24 * time.Hour)
	planned, err := f.b.store.CreateAbsence(ctx, store.Absence{AgentEmail: "bob@example.com", Delegates: []string{"alice@example.com"},
		StartsAt: later}, "manager@example.com")
	require.NoError(t, err)
	gone, err := f.b.store.CreateAbsence(ctx, store.Absence{AgentEmail: "manager@example.com", Delegates: []string{"bob@example.com"},
		StartsAt: now.Add(-time.Hour)}, "manager@example.com")
	require.NoError(t, err)

	_, body := f.manager.get("/absences")
	require.Contains(t, body, `action="/absences/`+itoa(begun.ID)+`/dates"`)
	require.NotContains(t, body, `id="from-`+itoa(begun.ID)+`"`, "a begun absence keeps its start")
	require.Contains(t, body, `id="from-`+itoa(planned.ID)+`" name="from" type="date" value="`+later.Format(time.DateOnly)+`"`)
	require.NotContains(t, body, `action="/absences/`+itoa(gone.ID)+`/dates"`, "an agent gone for good whose accounts moved has no dates to change")

	tests := []struct {
		name string
		id   int64
		form url.Values
		code int
		want string
	}{
		{"a begun absence needs an end", begun.ID, url.Values{"until": {""}}, http.StatusBadRequest, "until: required once the absence has begun"},
		{"an end in the past", begun.ID, url.Values{"until": {now.AddDate(0, 0, -2).Format(time.DateOnly)}}, http.StatusBadRequest, "is not after the start and now"},
		{"a date that is no date", planned.ID, url.Values{"from": {"soon"}}, http.StatusBadRequest, "from: &#34;soon&#34;"},
		{"an end before the new start", planned.ID, url.Values{"from": {later.Format(time.DateOnly)}, "until": {later.AddDate(0, 0, -3).Format(time.DateOnly)}}, http.StatusBadRequest, "is not after the start"},
		{"gone for good", gone.ID, url.Values{"until": {later.Format(time.DateOnly)}}, http.StatusConflict, ""},
		{"valid, but no Temporal to tell", begun.ID, url.Values{"until": {later.Format(time.DateOnly)}}, http.StatusServiceUnavailable, ""},
	}
	for _, tt := range tests {
		res := f.manager.post("/absences/"+itoa(tt.id)+"/dates", tt.form)
		require.Equal(t, tt.code, res.StatusCode, tt.name)
		page := readBody(t, res)
		if tt.want != "" {
			require.Contains(t, page, tt.want, tt.name)
			require.Contains(t, page, "The dates of absence "+itoa(tt.id)+" were not changed", tt.name)
		}
	}
	ab, err := f.b.store.GetAbsence(ctx, begun.ID)
	require.NoError(t, err)
	require.True(t, back.Equal(*ab.EndsAt), "nothing written when the handover cannot be told")
	res := f.agent.post("/absences/"+itoa(begun.ID)+"/dates", url.Values{"until": {later.Format(time.DateOnly)}})
	require.Equal(t, http.StatusForbidden, res.StatusCode, "an agent does not change absences")
}
