package web

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store/storetest"
)

// The editor's impact button shows what the edited steps would change,
// saving nothing; an agent may not ask.
func TestScenarioImpactInTheEditor(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)
	form := url.Values{"name": {"Firm"}, "do": {"save"},
		"steps[0].channel": {"email"}, "steps[0].offset_days": {"0"}, "steps[0].template": {"reminder_due"}}
	res := cm.post("/scenarios/new", form)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	where := res.Header.Get("Location")
	id, err := strconv.ParseInt(where[len("/scenarios/"):], 10, 64)
	require.NoError(t, err)
	c := b.rows.Customer(t, storetest.Customer{Name: "Pinned"})
	b.rows.Invoice(t, storetest.Invoice{Customer: c, DueDate: storetest.DefaultDueDate, Amount: eurs(10)})
	_, err = b.store.Pool.Exec(t.Context(), `UPDATE customers SET scenario_id = $1 WHERE id = $2`, id, c)
	require.NoError(t, err)

	form.Set("do", "impact")
	form.Set("steps[0].offset_days", "7")
	form.Set("steps[0].template", "reminder_1")
	res = cm.post(where, form)
	require.Equal(t, http.StatusOK, res.StatusCode)
	body := readBody(t, res)
	require.Contains(t, body, "What saving would change in the next 14 days")
	require.Contains(t, body, "1 running accounts (1 open invoices) use this scenario")
	_, body = cm.get(where)
	require.NotContains(t, body, `value="reminder_1" selected`, "nothing saved")

	agent := b.signIn(t, "agent@example.com", domain.RoleAgent)
	res = agent.post(where, form)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
}
