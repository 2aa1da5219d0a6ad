package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/templates"
)

type templateItem struct {
	Name, Channel, Language, Subject, Text, HTML, Source string
	UpdatedBy                                            string `json:"updated_by"`
}

type apiError struct {
	Error struct{ Code, Message, Field string }
}

// journaled counts the journal's rows for an action on a target.
func journaled(t *testing.T, b *testBundle, action, target string) int {
	t.Helper()
	var n int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM audit_journal WHERE action = $1 AND target = $2`, action, target).Scan(&n))
	return n
}

func TestTemplatesListTheDefaultsWithOverrides(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const path = "/api/v1/templates/reminder_1/sms/fr"

	all := decode[struct{ Items []templateItem }](t, b.do(t, http.MethodGet, "/api/v1/templates", "", "", http.StatusOK))
	require.Len(t, all.Items, len(templates.Defaults()))
	for _, it := range all.Items {
		require.Equal(t, "default", it.Source)
	}
	filtered := []struct {
		query string
		want  int
	}{
		{"?name=reminder_1&channel=sms", len(templates.DefaultLanguages())},
		{"?channel=email&language=fr", 8}, // five reminders, the plan confirmation, the promise reminder, the dispute rejection
		{"?name=nothing", 0},
		{"?source=custom", 0},
	}
	for _, tt := range filtered {
		got := decode[struct{ Items []templateItem }](t, b.do(t, http.MethodGet, "/api/v1/templates"+tt.query, "", "", http.StatusOK))
		require.Len(t, got.Items, tt.want, tt.query)
	}

	def := decode[templateItem](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK))
	require.Equal(t, "default", def.Source)
	require.NotEmpty(t, def.Text)

	saved := decode[templateItem](t, b.do(t, http.MethodPut, path, "application/json", `{"text": "{{.Entity.Name}} : merci de régler {{moneyList .Totals}}."}`, http.StatusOK))
	require.Equal(t, []string{"custom", "root@recoup.example (token 1)"}, []string{saved.Source, saved.UpdatedBy}, "the journal and the template name who changed it")
	got := decode[templateItem](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK))
	require.Equal(t, "custom", got.Source)
	require.Contains(t, got.Text, "merci de régler")
	b.do(t, http.MethodPut, path, "application/json", `{"text": "{{.Entity.Name}} : veuillez régler {{moneyList .Totals}}."}`, http.StatusOK)
	require.Equal(t, 2, journaled(t, b, "template.put", "template/reminder_1/sms/fr"))

	custom := decode[struct{ Items []templateItem }](t, b.do(t, http.MethodGet, "/api/v1/templates?source=custom", "", "", http.StatusOK))
	require.Len(t, custom.Items, 1)
	require.Contains(t, custom.Items[0].Text, "veuillez")
	all = decode[struct{ Items []templateItem }](t, b.do(t, http.MethodGet, "/api/v1/templates", "", "", http.StatusOK))
	require.Len(t, all.Items, len(templates.Defaults()), "an override replaces its default")

	// A template of a new name is added.
	email := `{"subject": "Note {{.Customer.Name}}", "text": "Hello {{.Customer.Name}}", "html": "<p>Hello {{.Customer.Name}}</p>"}`
	b.do(t, http.MethodPut, "/api/v1/templates/final_notice/email/en", "application/json", email, http.StatusOK)
	all = decode[struct{ Items []templateItem }](t, b.do(t, http.MethodGet, "/api/v1/templates", "", "", http.StatusOK))
	require.Len(t, all.Items, len(templates.Defaults())+1)

	// Deleting brings the default back; deleting again finds nothing.
	b.do(t, http.MethodDelete, path, "", "", http.StatusNoContent)
	require.Equal(t, def, decode[templateItem](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK)))
	b.do(t, http.MethodDelete, path, "", "", http.StatusNotFound)
	b.do(t, http.MethodDelete, "/api/v1/templates/reminder_2/email/en", "", "", http.StatusNotFound)
	require.Equal(t, 1, journaled(t, b, "template.delete", "template/reminder_1/sms/fr"))
	b.do(t, http.MethodDelete, "/api/v1/templates/final_notice/email/en", "", "", http.StatusNoContent)
	b.do(t, http.MethodGet, "/api/v1/templates/final_notice/email/en", "", "", http.StatusNotFound)
	b.do(t, http.MethodGet, "/api/v1/templates/reminder_1/sms/sv", "", "", http.StatusNotFound)
}

func TestTemplateThatDoesNotRenderIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name, path, body, field, message string
	}{
		{"parse error with its line", "/api/v1/templates/reminder_1/sms/en", `{"text": "Hello\n{{.Customer.Name"}`, "text", "line 2"},
		{"unknown data field", "/api/v1/templates/reminder_1/sms/en", `{"text": "Hello {{.Customer.Nickname}}"}`, "text", "Nickname"},
		{"unknown function", "/api/v1/templates/reminder_1/voice/en", `{"text": "Owed: {{euros .Totals}}"}`, "text", "euros"},
		{"empty text", "/api/v1/templates/reminder_1/sms/en", `{"text": "  "}`, "text", "empty"},
		{"email without subject", "/api/v1/templates/reminder_1/email/en", `{"text": "Hi", "html": "<p>Hi</p>"}`, "subject", "empty"},
		{"broken html", "/api/v1/templates/reminder_1/email/en", `{"subject": "Hi", "text": "Hi", "html": "<p>{{if .PortalURL}}x</p>"}`, "html", "html"},
		{"html in an sms", "/api/v1/templates/reminder_1/sms/en", `{"text": "Hi", "html": "<p>Hi</p>"}`, "html", "only email"},
		{"unknown channel", "/api/v1/templates/reminder_1/fax/en", `{"text": "Hi"}`, "channel", "fax"},
		{"not a base language", "/api/v1/templates/reminder_1/sms/fr-CA", `{"text": "Hi"}`, "language", `"fr"`},
		{"no language", "/api/v1/templates/reminder_1/sms/zz-zz-zz-zz", `{"text": "Hi"}`, "language", "zz"},
		{"bad name", "/api/v1/templates/Reminder%20One/sms/en", `{"text": "Hi"}`, "name", "lower-case"},
		{"unknown body field", "/api/v1/templates/reminder_1/sms/en", `{"body": "Hi"}`, "body", "unknown field"},
	}
	for _, tt := range tests {
		e := decode[apiError](t, b.do(t, http.MethodPut, tt.path, "application/json", tt.body, http.StatusBadRequest))
		require.Equal(t, "invalid", e.Error.Code, tt.name)
		require.Equal(t, tt.field, e.Error.Field, tt.name)
		require.Contains(t, e.Error.Message, tt.message, tt.name)
	}
	var n int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM message_templates`).Scan(&n))
	require.Zero(t, n, "nothing saved")
	b.do(t, http.MethodGet, "/api/v1/templates?channel=fax", "", "", http.StatusBadRequest)
	b.do(t, http.MethodGet, "/api/v1/templates?lang=fr", "", "", http.StatusBadRequest)
}
