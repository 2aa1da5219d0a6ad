package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/store"
)

type assigned struct {
	DryRun   bool `json:"dry_run"`
	Matched  int64
	Moved    int
	Failed   []map[string]any
	Accounts []struct {
		ID         int64
		ExternalID string `json:"external_id"`
		AgentEmail string `json:"agent_email"`
	}
}

func agentOf(t *testing.T, b *testBundle, externalID string) string {
	t.Helper()
	var email string
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT coalesce(u.email, '') FROM customers c
		LEFT JOIN users u ON u.id = c.agent_id WHERE c.external_id = $1`, externalID).Scan(&email))
	return email
}

func TestBulkAssignmentPreviewsThenMoves(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const path = "/api/v1/portfolios/assign"

	dry := decode[assigned](t, b.do(t, http.MethodPost, path, "application/json",
		`{"current_agent": "alice@recoup.example", "agent_email": "bob@recoup.example", "dry_run": true}`, http.StatusOK))
	require.True(t, dry.DryRun)
	require.EqualValues(t, 2, dry.Matched, "Alice's two accounts")
	require.Len(t, dry.Accounts, 2)
	require.Equal(t, "alice@recoup.example", agentOf(t, b, "C1"), "a dry run moves nothing")

	done := decode[assigned](t, b.do(t, http.MethodPost, path, "application/json",
		`{"entity": "FR01", "category": "retail", "agent_email": "bob@recoup.example"}`, http.StatusOK))
	require.Equal(t, 1, done.Moved)
	require.Equal(t, []string{"bob@recoup.example", "bob@recoup.example", "alice@recoup.example"},
		[]string{agentOf(t, b, "C1"), agentOf(t, b, "C2"), agentOf(t, b, "C3")})

	again := decode[assigned](t, b.do(t, http.MethodPost, path, "application/json",
		`{"entity": "FR01", "agent_email": "bob@recoup.example"}`, http.StatusOK))
	require.Zero(t, again.Matched, "accounts already Bob's are not picked")

	for body, field := range map[string]string{
		`{"agent_email": "bob@recoup.example"}`:                                     "customer_ids",
		`{"customer_ids": [], "agent_email": "bob@recoup.example"}`:                 "customer_ids",
		`{"entity": "XX99", "agent_email": "bob@recoup.example"}`:                   "entity",
		`{"entity": "FR01", "agent_email": "nobody@recoup.example"}`:                "agent_email",
		`{"country": "France", "agent_email": "bob@recoup.example"}`:                "country",
		`{"current_agent": "ghost@x.example", "agent_email": "bob@recoup.example"}`: "current_agent",
	} {
		e := decode[apiError](t, b.do(t, http.MethodPost, path, "application/json", body, http.StatusBadRequest))
		require.Equal(t, field, e.Error.Field, body)
	}
	var journaled int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM audit_journal WHERE action = 'customer.reassign' AND actor = 'root@recoup.example (token 1)'`).Scan(&journaled))
	require.Equal(t, 1, journaled, "the move is journaled in the name of who asked")
}

func TestAgentRulesAssignCustomersTheERPSendsWithoutAnAgent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const rules = "/api/v1/agent-rules"
	got := decode[struct{ Items []map[string]any }](t, b.do(t, http.MethodPut, rules, "application/json",
		`{"items": [{"entity": "FR01", "category": "retail", "agent_email": "bob@recoup.example"},
		            {"country": "fr", "agent_email": "Alice@recoup.example"}]}`, http.StatusOK))
	require.Len(t, got.Items, 2)
	require.EqualValues(t, 2, got.Items[1]["position"])
	require.Equal(t, "FR", got.Items[1]["country"])
	e := decode[apiError](t, b.do(t, http.MethodPut, rules, "application/json", `{"items": [{"agent_email": "ghost@recoup.example"}]}`, http.StatusBadRequest))
	require.Equal(t, "rules[0].agent_email", e.Error.Field)

	b.do(t, http.MethodPost, "/api/v1/imports?kind=customers", "text/csv",
		"external_id,entity,name,category,currency,agent_email\nN1,FR01,Nouveau,retail,EUR,\nN2,FR01,Autre,wholesale,EUR,\nN3,JP01,Tanaka,retail,JPY,\nN4,FR01,Choisi,retail,EUR,alice@recoup.example\n",
		http.StatusOK)
	require.Equal(t, []string{"bob@recoup.example", "alice@recoup.example", "", "alice@recoup.example"},
		[]string{agentOf(t, b, "N1"), agentOf(t, b, "N2"), agentOf(t, b, "N3"), agentOf(t, b, "N4")},
		"the first matching rule; no rule for Japan; the ERP's own agent wins")
	listed := decode[struct{ Items []map[string]any }](t, b.do(t, http.MethodGet, rules, "", "", http.StatusOK))
	require.Len(t, listed.Items, 2)
}

func TestAbsencesNeedTemporalAfterTheirInputIsChecked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const path = "/api/v1/absences"
	for body, field := range map[string]string{
		`{"agent_email": "alice@recoup.example", "delegates": []}`:                                                      "delegates",
		`{"agent_email": "alice@recoup.example", "delegates": ["alice@recoup.example"]}`:                                "delegates",
		`{"agent_email": "alice@recoup.example", "delegates": ["ghost@recoup.example"]}`:                                "delegates",
		`{"agent_email": "alice@recoup.example", "delegates": ["bob@recoup.example"], "until": "2001-01-01T00:00:00Z"}`: "until",
	} {
		e := decode[apiError](t, b.do(t, http.MethodPost, path, "application/json", body, http.StatusBadRequest))
		require.Equal(t, field, e.Error.Field, body)
	}
	b.do(t, http.MethodPost, path, "application/json",
		`{"agent_email": "alice@recoup.example", "delegates": ["bob@recoup.example"], "reason": "holiday"}`, http.StatusServiceUnavailable)
	list := decode[page](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK))
	require.Empty(t, list.Items, "no absence without its handover")
	b.do(t, http.MethodDelete, path+"/999", "", "", http.StatusNotFound)

	ctx := context.Background()
	later := time.Now().Add(72 * time.Hour).UTC()
	future, err := b.store.CreateAbsence(ctx, store.Absence{AgentEmail: "alice@recoup.example", Delegates: []string{"bob@recoup.example"},
		StartsAt: later}, "test")
	require.NoError(t, err)
	leaver, err := b.store.CreateAbsence(ctx, store.Absence{AgentEmail: "bob@recoup.example", Delegates: []string{"alice@recoup.example"},
		StartsAt: time.Now().UTC()}, "test")
	require.NoError(t, err)
	e := decode[apiError](t, b.do(t, http.MethodPut, path+"/"+itoa64(future.ID), "application/json",
		`{"until": "2001-01-01T00:00:00Z"}`, http.StatusBadRequest))
	require.Equal(t, "until", e.Error.Field)
	b.do(t, http.MethodPut, path+"/"+itoa64(leaver.ID), "application/json", `{"until": "2099-01-01T00:00:00Z"}`, http.StatusConflict)
	b.do(t, http.MethodPut, path+"/"+itoa64(future.ID), "application/json", `{"until": "2099-01-01T00:00:00Z"}`, http.StatusServiceUnavailable)
	e = decode[apiError](t, b.do(t, http.MethodPatch, path+"/"+itoa64(future.ID), "application/json",
		`{"from": "2099-02-01T00:00:00Z", "until": "2099-01-01T00:00:00Z"}`, http.StatusBadRequest))
	require.Equal(t, "until", e.Error.Field, "PATCH is PUT: the end must follow the new start")
	b.do(t, http.MethodPatch, path+"/"+itoa64(future.ID), "application/json", `{"until": "2099-01-01T00:00:00Z"}`, http.StatusServiceUnavailable)
	got := decode[map[string]any](t, b.do(t, http.MethodGet, path+"/"+itoa64(future.ID), "", "", http.StatusOK))
	require.Nil(t, got["until"], "unchanged without Temporal")
}
