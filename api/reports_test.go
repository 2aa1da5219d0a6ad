package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

type reportBody struct {
	ID            int64    `json:"id"`
	Name          string   `json:"name"`
	Currency      string   `json:"currency"`
	GroupBy       string   `json:"group_by"`
	Recipients    []string `json:"recipients"`
	Language      string   `json:"language"`
	Weekday       int      `json:"weekday"`
	Hour          int      `json:"hour"`
	Active        bool     `json:"active"`
	CreatedBy     string   `json:"created_by"`
	ScheduleID    string   `json:"schedule_id"`
	ScheduleError string   `json:"schedule_error"`
}

func TestWeeklyReportsThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const js = "application/json"

	type apiError struct {
		Error struct {
			Code    string `json:"code"`
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"error"`
	}
	for _, tc := range []struct {
		name, body, field, message string
	}{
		{"no name", `{"name": " ", "recipients": ["a@example.com"], "weekday": 1, "hour": 7}`, "name", "name: required"},
		{"no recipient", `{"name": "x", "recipients": [], "weekday": 1, "hour": 7}`, "recipients", "at least one"},
		{"a bad email", `{"name": "x", "recipients": ["a@example.com", "not an address"], "weekday": 1, "hour": 7}`, "recipients[1]", `"not an address" is not an email address`},
		{"a bad weekday", `{"name": "x", "recipients": ["a@example.com"], "weekday": 7, "hour": 7}`, "weekday", "7: want 0 (Sunday) to 6 (Saturday)"},
		{"no weekday", `{"name": "x", "recipients": ["a@example.com"], "hour": 7}`, "weekday", "weekday: required"},
		{"a bad hour", `{"name": "x", "recipients": ["a@example.com"], "weekday": 1, "hour": 24}`, "hour", "24: want 0 to 23"},
		{"a bad currency", `{"name": "x", "recipients": ["a@example.com"], "weekday": 1, "hour": 7, "currency": "EURO"}`, "currency", "currency:"},
		{"a bad grouping", `{"name": "x", "recipients": ["a@example.com"], "weekday": 1, "hour": 7, "group_by": "region"}`, "group_by", "region"},
		{"a language not shipped", `{"name": "x", "recipients": ["a@example.com"], "weekday": 1, "hour": 7, "language": "de"}`, "language", `"de": want one of [en fr]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := decode[apiError](t, b.do(t, http.MethodPost, "/api/v1/reports", js, tc.body, http.StatusBadRequest))
			require.Equal(t, "invalid", e.Error.Code)
			require.Equal(t, tc.field, e.Error.Field)
			require.Contains(t, e.Error.Message, tc.message)
		})
	}
	both := decode[apiError](t, b.do(t, http.MethodPost, "/api/v1/reports", js, `{"name": "x", "recipients": ["@"], "weekday": -1, "hour": 7}`, http.StatusBadRequest))
	require.Contains(t, both.Error.Message, "recipients[0]", "every problem is told at once")
	require.Contains(t, both.Error.Message, "weekday: -1")
	require.Equal(t, 0, b.count(t, `SELECT count(*) FROM reports`), "nothing saved")

	saved := decode[reportBody](t, b.do(t, http.MethodPost, "/api/v1/reports", js,
		`{"name": "Delinquency committee FR", "entity": "FR01", "recipients": ["Claire <claire@example.com>", "claire@example.com", "cfo@example.com"],
		  "language": "fr", "weekday": 1, "hour": 7}`, http.StatusCreated))
	require.Equal(t, "EUR", saved.Currency, "the deployment's reporting currency, stored")
	require.Equal(t, "entity", saved.GroupBy)
	require.Equal(t, []string{"claire@example.com", "cfo@example.com"}, saved.Recipients, "addresses only, once each")
	require.True(t, saved.Active)
	require.Equal(t, "root@recoup.example", saved.CreatedBy)
	require.Equal(t, fmt.Sprintf("report/%d", saved.ID), saved.ScheduleID)
	require.Contains(t, saved.ScheduleError, "no Temporal connection", "no Temporal in this harness: the schedule is owed")
	require.Equal(t, 1, b.count(t, fmt.Sprintf(`SELECT count(*) FROM temporal_outbox WHERE kind = 'report.schedule' AND ref = %d AND round = 1 AND done_at IS NULL`, saved.ID)))

	path := fmt.Sprintf("/api/v1/reports/%d", saved.ID)
	b.do(t, http.MethodPut, path, js, `{"name": "x", "recipients": ["a@example.com"], "weekday": 9, "hour": 7}`, http.StatusBadRequest)
	updated := decode[reportBody](t, b.do(t, http.MethodPut, path, js,
		`{"name": "Delinquency committee FR", "entity": "FR01", "recipients": ["cfo@example.com"], "weekday": 5, "hour": 16, "active": false}`, http.StatusOK))
	require.Equal(t, 5, updated.Weekday)
	require.False(t, updated.Active)
	require.Equal(t, "en", updated.Language, "the admin's language by default, else English")
	require.Equal(t, 1, b.count(t, fmt.Sprintf(`SELECT count(*) FROM temporal_outbox WHERE kind = 'report.schedule' AND ref = %d AND round = 2`, saved.ID)),
		"each change owes its own sync")

	list := decode[struct {
		Items []reportBody `json:"items"`
	}](t, b.do(t, http.MethodGet, "/api/v1/reports", "", "", http.StatusOK))
	require.Len(t, list.Items, 1)
	require.Equal(t, []string{"cfo@example.com"}, list.Items[0].Recipients)

	b.do(t, http.MethodPost, path+"/send", js, "", http.StatusServiceUnavailable) // the worker sends: no Temporal here
	b.do(t, http.MethodPost, "/api/v1/reports/999/send", js, "", http.StatusNotFound)
	b.do(t, http.MethodDelete, path, "", "", http.StatusNoContent)
	b.do(t, http.MethodDelete, path, "", "", http.StatusNotFound)
	require.Equal(t, 1, b.count(t, fmt.Sprintf(`SELECT count(*) FROM temporal_outbox WHERE kind = 'report.schedule' AND ref = %d AND round = 3`, saved.ID)),
		"the deletion owes the schedule's deletion")
	require.Equal(t, 3, b.count(t, fmt.Sprintf(`SELECT count(*) FROM audit_journal WHERE target = 'report/%d' AND action IN ('report.create', 'report.update', 'report.delete')`, saved.ID)))
}

func (b *testBundle) count(t *testing.T, query string) int {
	t.Helper()
	var n int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), query).Scan(&n))
	return n
}
