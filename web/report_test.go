package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store/storetest"
)

func TestCreditManagerManagesTheWeeklyReports(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France"})
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)

	status, body := cm.get("/reports")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `href="/reports"`, "the navigation has the reports")
	require.Contains(t, body, "No report yet")

	form := url.Values{"name": {"Committee FR"}, "entity": {"FR01"}, "group_by": {"agent"}, "recipients": {"cfo@example.com\nnot an address"},
		"language": {"fr"}, "weekday": {"1"}, "hour": {"7"}, "active": {"on"}}
	res := cm.post("/reports", form)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	body = readBody(t, res)
	require.Contains(t, body, `class="error" role="alert"`)
	require.Contains(t, body, `&#34;not an address&#34; is not an email address`)
	require.Contains(t, body, `id="recipients" name="recipients" rows="3" required aria-describedby="recipients-help" aria-invalid="true"`)
	require.Contains(t, body, "cfo@example.com\nnot an address</textarea>", "the form comes back as sent")

	form.Set("recipients", "cfo@example.com, dso@example.com")
	res = cm.post("/reports", form)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	status, body = cm.get("/reports")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Report Committee FR saved. Its schedule is made as soon as the workflow engine answers.", "no Temporal in this harness")
	require.Contains(t, body, "cfo@example.com, dso@example.com")
	require.Contains(t, body, "Monday 07:00 UTC")
	require.Contains(t, body, "French")

	var id int64
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT id FROM reports`).Scan(&id))
	status, body = cm.get("/reports/" + itoa(id))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `<option value="5">Friday</option>`)
	form.Set("weekday", "5")
	form.Del("active")
	res = cm.post("/reports/"+itoa(id), form)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	_, body = cm.get("/reports")
	require.Contains(t, body, "Friday 07:00 UTC")
	require.Contains(t, body, "Paused")

	res = cm.post("/reports/"+itoa(id)+"/send", nil)
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode, "the worker sends it: without Temporal it cannot")

	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	status, body = agent.get("/")
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, body, `href="/reports"`, "an agent does not see reports")
	status, _ = agent.get("/reports")
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, http.StatusForbidden, agent.post("/reports/"+itoa(id)+"/delete", nil).StatusCode, "and the server refuses anyway")

	res = cm.post("/reports/"+itoa(id)+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = cm.get("/reports")
	require.Contains(t, body, "Report Committee FR deleted.")
	require.Contains(t, body, "No report yet")
}
