package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
)

func TestTasksAreListedAndClosed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	var c1 int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'C1'`).Scan(&c1))
	for _, tk := range []store.Task{
		{Key: "k-call", CustomerID: c1, Kind: domain.TaskCall, AssigneeRole: "agent", DueAt: time.Now().Add(48 * time.Hour), Note: "call the customer"},
		{Key: "k-esc", CustomerID: c1, Kind: domain.TaskEscalation, AssigneeRole: "credit_manager", DueAt: time.Now().Add(24 * time.Hour), Note: "escalation"},
	} {
		_, created, err := b.store.CreateTask(ctx, tk)
		require.NoError(t, err)
		require.True(t, created)
	}
	mine := decode[struct {
		Items []struct {
			ID         int64
			Kind, Note string
		}
		Total int64
	}](t, b.do(t, http.MethodGet, "/api/v1/tasks?assignee=alice@recoup.example&status=open", "", "", http.StatusOK))
	require.EqualValues(t, 1, mine.Total, "the call task goes to the customer's agent")
	require.Equal(t, "call the customer", mine.Items[0].Note)

	esc := decode[struct{ Items []struct{ ID int64 } }](t, b.do(t, http.MethodGet, "/api/v1/tasks?kind=escalation", "", "", http.StatusOK))
	require.Len(t, esc.Items, 1)
	path := "/api/v1/tasks/" + itoa64(esc.Items[0].ID) + "/close"
	b.do(t, http.MethodPost, path, "application/json", `{}`, http.StatusBadRequest)
	closed := decode[struct {
		Status       string
		AccountWoken bool `json:"account_woken"`
	}](t, b.do(t, http.MethodPost, path, "application/json", `{"resolution": "customer promised to pay on the 30th: resume"}`, http.StatusOK))
	require.Equal(t, "done", closed.Status)
	require.False(t, closed.AccountWoken, "this API has no Temporal connection")
	b.do(t, http.MethodPost, path, "application/json", `{"resolution": "again"}`, http.StatusConflict)
	b.do(t, http.MethodPost, "/api/v1/tasks/999/close", "application/json", `{"resolution": "x"}`, http.StatusNotFound)
	for _, q := range []string{"status=later", "kind=open", "status=call", "role=boss"} {
		b.do(t, http.MethodGet, "/api/v1/tasks?"+q, "", "", http.StatusBadRequest)
	}

	var journaled int
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_journal WHERE action = 'task.close'`).Scan(&journaled))
	require.Equal(t, 1, journaled)
}
