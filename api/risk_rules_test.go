package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
)

// The risk rule endpoints answer as the OpenAPI document says: created,
// refused with the field in error, read, replaced, deleted; the alerts are
// listed by state and acknowledged once.
func TestRiskRuleAndAlertEndpoints(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	body := `{"entity": "FR01", "name": "Score drop", "kind": "score_drop", "points": 20, "days": 30, "notify": true, "task_kind": "call"}`
	r := decode[struct {
		ID          int64  `json:"id"`
		Consecutive int    `json:"consecutive"`
		TaskKind    string `json:"task_kind"`
		Active      bool   `json:"active"`
	}](t, b.do(t, http.MethodPost, "/api/v1/risk/rules", "application/json", body, http.StatusCreated))
	require.Equal(t, 1, r.Consecutive)
	require.Equal(t, "call", r.TaskKind)
	require.True(t, r.Active)

	bad := decode[struct {
		Error struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"error"`
	}](t, b.do(t, http.MethodPost, "/api/v1/risk/rules", "application/json",
		`{"entity": "FR01", "name": "x", "kind": "score_drop", "days": 30, "notify": true}`, http.StatusBadRequest))
	require.Equal(t, "points", bad.Error.Field, bad.Error.Message)
	b.do(t, http.MethodPost, "/api/v1/risk/rules", "application/json", body, http.StatusBadRequest) // the name is taken

	path := "/api/v1/risk/rules/" + itoa64(r.ID)
	b.do(t, http.MethodGet, path, "", "", http.StatusOK)
	b.do(t, http.MethodPut, path, "application/json",
		`{"entity": "FR01", "name": "Rating", "kind": "rating_worse", "scale": ["A", "B", "C"], "consecutive": 2, "email": true}`, http.StatusOK)
	list := decode[page](t, b.do(t, http.MethodGet, "/api/v1/risk/rules?entity=FR01", "", "", http.StatusOK))
	require.Len(t, list.Items, 1)
	require.Equal(t, "rating_worse", list.Items[0]["kind"])
	require.Nil(t, list.Items[0]["points"])

	agent := b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Role: domain.RoleAgent})
	b.doAs(t, agent, http.MethodDelete, path, "", "", http.StatusForbidden)
	b.do(t, http.MethodDelete, path, "", "", http.StatusNoContent)
	b.do(t, http.MethodGet, path, "", "", http.StatusNotFound)

	var alert int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `
INSERT INTO risk_alerts (customer_id, kind, dedupe_key, detail)
SELECT id, 'insolvency', 'test/1', '{"legal_status": "receivership"}' FROM customers WHERE external_id = 'C1' RETURNING id`).Scan(&alert))
	open := decode[page](t, b.do(t, http.MethodGet, "/api/v1/risk/alerts?state=open", "", "", http.StatusOK))
	require.EqualValues(t, 1, open.Total)
	require.Equal(t, "Boulangerie Martin", open.Items[0]["customer_name"])
	b.do(t, http.MethodGet, "/api/v1/risk/alerts?state=closed", "", "", http.StatusBadRequest)
	ack := "/api/v1/risk/alerts/" + itoa64(alert) + "/acknowledge"
	b.doAs(t, agent, http.MethodPost, ack, "", "", http.StatusNoContent) // alice is C1's agent
	b.do(t, http.MethodPost, ack, "", "", http.StatusConflict)
	done := decode[page](t, b.do(t, http.MethodGet, "/api/v1/risk/alerts?state=acknowledged", "", "", http.StatusOK))
	require.Equal(t, "alice@recoup.example (token 2)", done.Items[0]["acknowledged_by"], "the actor, as the journal names it")
}
