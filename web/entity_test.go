package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store/storetest"
)

func TestEntityContactWindow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup <script>alert(1)</script>"})
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)
	status, body := cm.get("/entities")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Recoup &lt;script&gt;alert(1)&lt;/script&gt;")
	require.Contains(t, body, `href="/entities/FR01"`)
	status, body = cm.get("/entities/FR01")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Europe/Paris")

	for _, tc := range []struct {
		name    string
		form    url.Values
		field   string
		message string
	}{
		{"no start", url.Values{"end": {"18:00"}}, "start", "start: required"},
		{"not a time", url.Values{"start": {"9h"}, "end": {"18:00"}}, "start", "start: &#34;9h&#34;: want a local time HH:MM"},
		{"past midnight", url.Values{"start": {"09:00"}, "end": {"24:30"}}, "end", "end: &#34;24:30&#34;: want a local time"},
		{"end before start", url.Values{"start": {"18:00"}, "end": {"09:00"}}, "end", "end: 09:00: must be after start (18:00)"},
	} {
		res := cm.post("/entities/FR01", tc.form)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, tc.name)
		body := readBody(t, res)
		require.Contains(t, fieldHTML(t, body, tc.field), tc.message, tc.name)
		summary, _, _ := strings.Cut(body, `<form method="post" action="/entities/FR01"`)
		require.Contains(t, summary, tc.message, "%s: in the summary", tc.name)
	}

	res := cm.post("/entities/FR01", url.Values{"start": {"08:30"}, "end": {"19:00"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	status, body = cm.get("/entities")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Contact window of Recoup &lt;script&gt;alert(1)&lt;/script&gt;: 08:30 to 19:00.")
	require.Contains(t, body, "08:30 to 19:00</td>")
	res = cm.post("/entities/FR01", url.Values{"start": {"18:00"}, "end": {"09:00"}, "any_time": {"on"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "any time: the order does not matter")
	w, err := b.store.EntityContactWindow(context.Background(), "FR01")
	require.NoError(t, err)
	require.True(t, w.AnyTime)

	status, _ = cm.get("/entities/XX99")
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, http.StatusNotFound, cm.post("/entities/XX99", url.Values{"start": {"09:00"}, "end": {"18:00"}}).StatusCode)
}

// Everyone may read the entities; only managers change a window.
func TestEntitiesByRole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.rows.Entity(t, storetest.Entity{Code: "FR01"})
	for _, tc := range []struct {
		role  domain.Role
		write bool
	}{
		{domain.RoleAdmin, true},
		{domain.RoleCreditManager, true},
		{domain.RoleAgent, false},
		{domain.RoleSalesRep, false},
		{domain.RoleAuditor, false},
	} {
		br := b.signIn(t, string(tc.role)+"@example.com", tc.role)
		status, body := br.get("/entities")
		require.Equal(t, http.StatusOK, status, tc.role)
		require.Contains(t, body, "FR01", tc.role)
		require.Equal(t, tc.write, strings.Contains(body, `href="/entities/FR01"`), "%s: edit link", tc.role)
		if tc.write {
			continue
		}
		status, _ = br.get("/entities/FR01")
		require.Equal(t, http.StatusForbidden, status, tc.role)
		res := br.post("/entities/FR01", url.Values{"start": {"00:00"}, "end": {"23:59"}})
		require.Equal(t, http.StatusForbidden, res.StatusCode, tc.role)
	}
	w, err := b.store.EntityContactWindow(context.Background(), "FR01")
	require.NoError(t, err)
	require.NotEqual(t, "00:00", w.Start, "no reader changed it")
}

func TestEntitySendingSettings(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France"})
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)
	status, body := cm.get("/entities/FR01")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `action="/entities/FR01/settings"`)
	require.Contains(t, body, `<option value="live" selected>`)
	require.Contains(t, body, `value="1d"`)

	res := cm.post("/entities/FR01/settings", url.Values{"sending": {"test"}, "max_data_age": {"1d"}, "min_amount_to_chase": {"0"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, fieldHTML(t, readBody(t, res), "test_address"), "required when sending is test")

	res = cm.post("/entities/FR01/settings", url.Values{"sending": {"test"}, "test_address": {"ar@recoup.example"},
		"max_data_age": {"36h"}, "min_amount_to_chase": {"25.00"}, "sms_consent_default": {"on"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	s, err := b.store.EntitySettings(context.Background(), "FR01")
	require.NoError(t, err)
	require.Equal(t, []any{"test", "ar@recoup.example", int64(2500), true, false},
		[]any{string(s.Sending), s.TestAddress, s.MinChaseMinor, s.SMSConsentDefault, s.VoiceConsentDefault})
	status, body = cm.get("/entities")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Sending settings of Recoup France saved: Test: to the test address.")

	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	require.Equal(t, http.StatusForbidden, agent.post("/entities/FR01/settings", url.Values{"sending": {"off"}}).StatusCode)
}
