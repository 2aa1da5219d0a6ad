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

func TestWorklistShowsTasksAndClosesThem(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	customer := b.rows.Customer(t, storetest.Customer{Name: "<script>alert(1)</script> SARL", Agent: userID(t, b, "alice@example.com")})
	ctx := context.Background()
	late, _, err := b.store.CreateTask(ctx, store.Task{Key: "late", CustomerID: customer, Kind: domain.TaskCall, AssigneeRole: "agent",
		DueAt: time.Now().Add(-time.Hour), Note: "call <b>them</b>", Actor: "test"})
	require.NoError(t, err)
	_, _, err = b.store.CreateTask(ctx, store.Task{Key: "later", CustomerID: customer, Kind: domain.TaskCall, AssigneeRole: "agent",
		DueAt: time.Now().Add(48 * time.Hour), Note: "call again", Actor: "test"})
	require.NoError(t, err)

	status, body := agent.get("/worklist")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "2 tasks")
	require.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt; SARL", "names are escaped")
	require.Contains(t, body, "call &lt;b&gt;them&lt;/b&gt;", "notes are escaped")
	require.NotContains(t, body, "<script>alert(1)")

	_, body = agent.get("/worklist?overdue=1")
	require.Contains(t, body, "1 tasks")
	require.Contains(t, body, "call &lt;b&gt;them")
	require.NotContains(t, body, "call again")

	res := agent.post("/tasks/"+itoa(late)+"/close", url.Values{"resolution": {"promised to pay Friday"}, "back": {"/worklist"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/worklist", res.Header.Get("Location"))
	_, body = agent.get("/worklist")
	require.Contains(t, body, "Task "+itoa(late)+" closed.", "the confirmation shows once")
	require.Contains(t, body, "1 tasks")
	_, body = agent.get("/worklist?status=done")
	require.Contains(t, body, "promised to pay Friday")

	res = agent.post("/tasks/"+itoa(late)+"/close", url.Values{"resolution": {"again"}})
	require.Equal(t, http.StatusConflict, res.StatusCode, "a closed task cannot be closed again")
}

func TestWorklistRefusesWhatTheRoleMayNotDo(t *testing.T) {
	t.Parallel()
	b := setup(t)
	customer := b.rows.Customer(t, storetest.Customer{})
	id, _, err := b.store.CreateTask(context.Background(), store.Task{Key: "k", CustomerID: customer, Kind: domain.TaskCall,
		AssigneeRole: "agent", DueAt: time.Now(), Note: "n", Actor: "test"})
	require.NoError(t, err)
	auditor := b.signIn(t, "ingrid@example.com", domain.RoleAuditor)
	status, body := auditor.get("/worklist?scope=team")
	require.Equal(t, http.StatusOK, status, "an auditor reads work lists")
	require.NotContains(t, body, `action="/tasks/`, "but sees no close button")
	res := auditor.post("/tasks/"+itoa(id)+"/close", url.Values{"resolution": {"x"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode, "and the server refuses it anyway")

	rep := b.signIn(t, "marc@example.com", domain.RoleSalesRep)
	res = rep.post("/tasks/"+itoa(id)+"/close", url.Values{"resolution": {"x"}})
	require.Equal(t, http.StatusNotFound, res.StatusCode, "a task outside the sales rep's customers is not found")
}
