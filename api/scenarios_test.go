package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const firmScenario = `{"name": "Firm", "steps": [
  {"offset_days": -3, "channel": "email", "template": "reminder_courtesy"},
  {"offset_days": 10, "channel": "sms", "template": "reminder_1", "repeat_every_days": 7, "max_repeats": 3},
  {"offset_days": 30, "channel": "escalation", "assignee_role": "credit_manager", "task_due_hours": 48}
]}`

func TestScenariosAreVersionedOnEveryEdit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	created := decode[struct {
		ID      int64
		Version int
	}](t, b.do(t, http.MethodPost, "/api/v1/scenarios", "application/json", firmScenario, http.StatusCreated))
	require.Equal(t, 1, created.Version)
	path := "/api/v1/scenarios/" + itoa64(created.ID)

	edited := strings.Replace(firmScenario, `"offset_days": 10`, `"offset_days": 12`, 1)
	v2 := decode[struct{ Version int }](t, b.do(t, http.MethodPut, path, "application/json", edited, http.StatusOK))
	require.Equal(t, 2, v2.Version)

	v1 := decode[struct {
		Version int
		Steps   []struct {
			OffsetDays int `json:"offset_days"`
		}
	}](t, b.do(t, http.MethodGet, path+"/versions/1", "", "", http.StatusOK))
	require.Equal(t, 10, v1.Steps[1].OffsetDays, "the old version stays readable")
	versions := decode[struct{ Items []struct{ Version int } }](t, b.do(t, http.MethodGet, path+"/versions", "", "", http.StatusOK))
	require.Len(t, versions.Items, 2)
	list := decode[struct{ Items []struct{ Name string } }](t, b.do(t, http.MethodGet, "/api/v1/scenarios", "", "", http.StatusOK))
	require.Equal(t, "Firm", list.Items[0].Name)

	b.do(t, http.MethodDelete, path, "", "", http.StatusNoContent)
	b.do(t, http.MethodDelete, path, "", "", http.StatusConflict)
	b.do(t, http.MethodGet, "/api/v1/scenarios/999", "", "", http.StatusNotFound)
	b.do(t, http.MethodPost, "/api/v1/scenarios", "application/json", strings.Replace(firmScenario, "Firm", "Other", 1), http.StatusCreated)
	b.do(t, http.MethodPost, "/api/v1/scenarios", "application/json", strings.Replace(firmScenario, "Firm", "Other", 1), http.StatusConflict)
}

func TestScenarioValidationNamesTheField(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name, body, field, message string
	}{
		{"steps out of order", `{"name": "x", "steps": [{"offset_days": 7, "channel": "email", "template": "a"}, {"offset_days": -3, "channel": "email", "template": "b"}]}`,
			"steps[1].offset_days", "steps must be in order"},
		{"unknown channel", `{"name": "x", "steps": [{"offset_days": 0, "channel": "fax"}]}`, "steps[0].channel", "unknown"},
		{"missing template", `{"name": "x", "steps": [{"offset_days": 0, "channel": "sms"}]}`, "steps[0].template", "required"},
		{"unknown template", `{"name": "x", "steps": [{"offset_days": 0, "channel": "email", "template": "nope"}]}`, "steps[0].template", `no template "nope"`},
		{"unknown field", `{"name": "x", "stepz": []}`, "stepz", "unknown field"},
		{"wrong type", `{"name": "x", "steps": [{"offset_days": "ten", "channel": "email"}]}`, "steps.offset_days", "want int"},
		{"broken JSON", `{"name": `, "body", "JSON"},
		{"trailing data", `{"name": "x", "steps": []} {}`, "body", "after the JSON object"},
	}
	for _, tt := range tests {
		body := b.do(t, http.MethodPost, "/api/v1/scenarios", "application/json", tt.body, http.StatusBadRequest)
		e := decode[struct {
			Error struct{ Code, Message, Field string }
		}](t, body)
		require.Equal(t, "invalid", e.Error.Code, tt.name)
		require.Equal(t, tt.field, e.Error.Field, tt.name)
		require.Contains(t, e.Error.Message, tt.message, tt.name)
	}
	b.do(t, http.MethodPost, "/api/v1/scenarios", "application/json", `{"name": "`+strings.Repeat("x", 2<<20)+`", "steps": []}`, http.StatusRequestEntityTooLarge)
}

func TestScenarioSettingsAndStepIDsSurviveEdits(t *testing.T) {
	t.Parallel()
	b := setup(t)
	type view struct {
		ID       int64
		Version  int
		Settings struct {
			MinDaysBetween    map[string]int `json:"min_days_between"`
			ReleaseCreditHold bool           `json:"release_credit_hold"`
		}
		Steps []struct {
			ID         string `json:"id"`
			OffsetDays int    `json:"offset_days"`
		}
	}
	body := strings.Replace(firmScenario, `"name": "Firm",`, `"name": "Firm", "settings": {"min_days_between": {"email": 5}, "release_credit_hold": true},`, 1)
	created := decode[view](t, b.do(t, http.MethodPost, "/api/v1/scenarios", "application/json", body, http.StatusCreated))
	require.Equal(t, map[string]int{"email": 5}, created.Settings.MinDaysBetween)
	require.True(t, created.Settings.ReleaseCreditHold)
	require.Equal(t, []string{"email-m3", "sms-10", "escalation-30"},
		[]string{created.Steps[0].ID, created.Steps[1].ID, created.Steps[2].ID}, "every step gets an id when first saved")

	// A client that does not send ids keeps them for unchanged steps; one that
	// sends the id of a moved step keeps it too.
	path := "/api/v1/scenarios/" + itoa64(created.ID)
	moved := strings.Replace(firmScenario, `{"offset_days": 10,`, `{"id": "sms-10", "offset_days": 12,`, 1)
	v2 := decode[view](t, b.do(t, http.MethodPut, path, "application/json", moved, http.StatusOK))
	require.Equal(t, []string{"email-m3", "sms-10", "escalation-30"}, []string{v2.Steps[0].ID, v2.Steps[1].ID, v2.Steps[2].ID})
	require.Equal(t, 12, v2.Steps[1].OffsetDays)
	require.Empty(t, v2.Settings.MinDaysBetween, "settings are part of each version")

	for _, tt := range []struct{ settings, field, message string }{
		{`{"min_days_between": {"email": 400}}`, "settings.min_days_between.email", "out of range"},
		{`{"min_days_between": {"sms": -1}}`, "settings.min_days_between.sms", "out of range"},
		{`{"min_days_between": {"fax": 3}}`, "settings.min_days_between.fax", "not a reminder channel"},
		{`{"min_days_between": {"task": 3}}`, "settings.min_days_between.task", "not a reminder channel"},
	} {
		bad := strings.Replace(firmScenario, `"name": "Firm",`, `"name": "Bad", "settings": `+tt.settings+`,`, 1)
		e := decode[struct {
			Error struct{ Code, Message, Field string }
		}](t, b.do(t, http.MethodPost, "/api/v1/scenarios", "application/json", bad, http.StatusBadRequest))
		require.Equal(t, tt.field, e.Error.Field, tt.settings)
		require.Contains(t, e.Error.Message, tt.message, tt.settings)
	}
}
