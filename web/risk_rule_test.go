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

// A credit manager writes a risk rule through the form (refused input
// comes back beside its field), sees it listed; an agent sees the rules but
// not the form, and the server refuses the agent's post anyway. The alerts
// page and the account page show an open alert, which is acknowledged once.
func TestRiskRulePagesAndAlerts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France"})
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)

	status, body := cm.get("/risk/rules")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "No risk rule yet")
	status, _ = cm.get("/risk/rules/new")
	require.Equal(t, http.StatusOK, status)

	res := cm.post("/risk/rules/new", url.Values{"entity": {"FR01"}, "name": {"Drop"}, "kind": {"score_drop"}, "days": {"30"},
		"notify": {"on"}, "active": {"on"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	body = readBody(t, res)
	require.Contains(t, fieldHTML(t, body, "points"), "field-error", "the missing points are marked on their field")

	res = cm.post("/risk/rules/new", url.Values{"entity": {"FR01"}, "name": {"Drop <b>20</b>"}, "kind": {"score_drop"}, "points": {"20"},
		"days": {"30"}, "consecutive": {"2"}, "notify": {"on"}, "task_kind": {"call"}, "active": {"on"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	status, body = cm.get("/risk/rules")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Drop &lt;b&gt;20&lt;/b&gt;")
	require.Contains(t, body, "20 points in 30 days")
	require.Contains(t, body, "task: call")

	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	status, body = agent.get("/risk/rules")
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, body, `href="/risk/rules/new"`)
	status, _ = agent.get("/risk/rules/new")
	require.Equal(t, http.StatusForbidden, status)
	res = agent.post("/risk/rules/new", url.Values{"entity": {"FR01"}, "name": {"x"}, "kind": {"legal_status_change"}, "notify": {"on"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode)

	customer := b.rows.Customer(t, storetest.Customer{Name: "Dupont SA", Agent: userID(t, b, "alice@example.com")})
	var alert int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `
INSERT INTO risk_alerts (customer_id, kind, dedupe_key) VALUES ($1, 'insolvency', 'web-test') RETURNING id`, customer).Scan(&alert))
	status, body = agent.get("/risk/alerts")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Insolvency proceedings")
	require.Contains(t, body, "Dupont SA")
	status, body = agent.get("/accounts/" + itoa(customer))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `id="risk-alert-`+itoa(alert)+`"`)

	res = agent.post("/risk/alerts/"+itoa(alert)+"/acknowledge", url.Values{"customer": {itoa(customer)}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/accounts/"+itoa(customer), res.Header.Get("Location"))
	status, body = agent.get("/accounts/" + itoa(customer))
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, body, `id="risk-alert-`+itoa(alert)+`"`, "an acknowledged alert leaves the account page")
	res = agent.post("/risk/alerts/"+itoa(alert)+"/acknowledge", nil)
	require.Equal(t, http.StatusConflict, res.StatusCode)

	sales := b.signIn(t, "sam@example.com", domain.RoleSalesRep)
	res = sales.post("/risk/alerts/"+itoa(alert)+"/acknowledge", nil)
	require.Equal(t, http.StatusForbidden, res.StatusCode)

	// An invoice declared in proceedings: shown, and put back into dunning by a person.
	inv := b.rows.Invoice(t, storetest.Invoice{Customer: customer})
	_, err := b.store.Pool.Exec(ctx, `UPDATE invoices SET in_proceedings = true WHERE id = $1`, inv)
	require.NoError(t, err)
	status, body = agent.get("/accounts/" + itoa(customer))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "1 open invoices are declared in insolvency proceedings")
	res = agent.post("/accounts/"+itoa(customer)+"/proceedings/release", url.Values{"reason": {"plan adopted"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	status, body = agent.get("/accounts/" + itoa(customer))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "1 invoices are dunned again.")
	require.NotContains(t, body, "declared in insolvency proceedings")
}
