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

type worklistPage struct {
	Items []struct {
		ID               int64
		CustomerName     string `json:"customer_name"`
		Score            float64
		Reason           string
		OverdueReporting *struct{ Amount, Currency string } `json:"overdue_reporting"`
	}
	Total int64
}

// The worklist ranks the open tasks, an agent claims one and completes it
// with a typed outcome; every answer matches the OpenAPI document.
func TestWorklistClaimAndComplete(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	alice := b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Name: "Alice", Role: domain.RoleAgent})
	var c1, c3 int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'C1'`).Scan(&c1))
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'C3'`).Scan(&c3))
	_, err := b.store.Pool.Exec(ctx, `INSERT INTO exchange_rates VALUES (current_date - 1, 'JPY', 'EUR', 0.0061)`)
	require.NoError(t, err)
	for _, tk := range []store.Task{
		{Key: "k1", CustomerID: c1, Kind: domain.TaskCall, AssigneeRole: "agent", DueAt: time.Now(), Note: "call"},
		{Key: "k3", CustomerID: c3, Kind: domain.TaskCall, AssigneeRole: "agent", DueAt: time.Now(), Note: "call"},
	} {
		_, _, err := b.store.CreateTask(ctx, tk)
		require.NoError(t, err)
	}

	list := decode[worklistPage](t, b.doAs(t, alice, http.MethodGet, "/api/v1/worklist", "", "", http.StatusOK))
	require.EqualValues(t, 2, list.Total)
	require.Equal(t, "Yamada Shoji", list.Items[0].CustomerName, "120,000 JPY (732 EUR) overdue ranks above 100 EUR")
	require.Equal(t, "732.00", list.Items[0].OverdueReporting.Amount)
	require.Contains(t, list.Items[0].Reason, "120000 JPY overdue (732.00 EUR at the rate of")
	yamada := "/api/v1/tasks/" + itoa64(list.Items[0].ID)
	list.Items = list.Items[1:]
	b.doAs(t, alice, http.MethodGet, "/api/v1/worklist?agent=bob@recoup.example", "", "", http.StatusBadRequest)
	team := decode[worklistPage](t, b.do(t, http.MethodGet, "/api/v1/worklist?team=true&kind=call", "", "", http.StatusOK))
	require.EqualValues(t, 2, team.Total)

	task := "/api/v1/tasks/" + itoa64(list.Items[0].ID)
	claimed := decode[struct {
		AssigneeEmail string `json:"assignee_email"`
	}](t, b.doAs(t, alice, http.MethodPost, task+"/claim", "", "", http.StatusOK))
	require.Equal(t, "alice@recoup.example", claimed.AssigneeEmail)

	b.doAs(t, alice, http.MethodPost, task+"/complete", "application/json", `{"outcome": "callback"}`, http.StatusBadRequest)
	b.doAs(t, alice, http.MethodPost, task+"/complete", "application/json", `{"outcome": "promise"}`, http.StatusBadRequest)
	at := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
	done := decode[struct {
		Outcome   string
		FollowUps []int64 `json:"follow_up_task_ids"`
	}](t, b.doAs(t, alice, http.MethodPost, task+"/complete", "application/json", `{"outcome": "callback", "callback_at": "`+at+`"}`, http.StatusOK))
	require.Equal(t, "callback", done.Outcome)
	require.Len(t, done.FollowUps, 1)
	b.doAs(t, alice, http.MethodPost, task+"/complete", "application/json", `{"outcome": "other", "note": "x"}`, http.StatusConflict)

	promiseDate := time.Now().UTC().AddDate(0, 0, 5).Format(time.DateOnly)
	e := decode[apiError](t, b.doAs(t, alice, http.MethodPost, yamada+"/complete", "application/json",
		`{"outcome": "promise", "promise": {"amount_minor": 999999999, "date": "`+promiseDate+`", "oldest_first": true}}`, http.StatusBadRequest))
	require.Equal(t, "amount_minor", e.Error.Field, "more than is owed")
	promised := decode[struct {
		Outcome   string
		PromiseID *int64 `json:"promise_id"`
	}](t, b.doAs(t, alice, http.MethodPost, yamada+"/complete", "application/json",
		`{"outcome": "promise", "note": "after the audit", "promise": {"amount_minor": 50000, "date": "`+promiseDate+`", "oldest_first": true}}`, http.StatusOK))
	require.Equal(t, "promise", promised.Outcome)
	require.NotNil(t, promised.PromiseID)
	promises := decode[struct {
		Items []struct {
			ID     int64
			Source string
			Note   string
		}
	}](t, b.doAs(t, alice, http.MethodGet, "/api/v1/customers/"+itoa64(c3)+"/promises", "", "", http.StatusOK))
	require.Len(t, promises.Items, 1)
	require.Equal(t, *promised.PromiseID, promises.Items[0].ID)
	require.Equal(t, "call", promises.Items[0].Source)
	require.Equal(t, "after the audit", promises.Items[0].Note)

	created := decode[struct{ ID int64 }](t, b.doAs(t, alice, http.MethodPost, "/api/v1/tasks", "application/json",
		`{"customer_id": `+itoa64(c1)+`, "kind": "purchase_order", "assignee_role": "sales_rep", "note": "ask for the PO"}`, http.StatusCreated))
	require.NotZero(t, created.ID)
	b.doAs(t, alice, http.MethodPost, "/api/v1/tasks", "application/json", `{"customer_id": `+itoa64(c1)+`, "kind": "purchase_order"}`, http.StatusBadRequest)
}
