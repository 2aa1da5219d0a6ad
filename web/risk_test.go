package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/money"
	"recoup/risk"
	"recoup/store"
	"recoup/store/storetest"
)

// riskFixture: Dupont (SIREN 303265045) with two signals, and one signal no customer matches.
func riskFixture(t *testing.T, b *testBundle, agent int64) (dupont, unmatched int64) {
	t.Helper()
	ctx := context.Background()
	dupont = b.rows.Customer(t, storetest.Customer{ExternalID: "C-DUPONT", Name: "Dupont SARL", Agent: agent})
	b.rows.Customer(t, storetest.Customer{ExternalID: "C-OTHER", Name: "Not the agent's"})
	_, err := b.store.Pool.Exec(ctx, `UPDATE customers SET registration_number = '303265045' WHERE id = $1`, dupont)
	require.NoError(t, err)
	score, low := 72, 31
	eur := money.MustCurrency("EUR")
	_, err = b.store.IngestRiskSignals(ctx, store.RiskIngest{Provider: "acme", Source: "webhook", Actor: "test", Signals: []risk.Signal{
		{EventID: "e-1", CompanyID: "303265045", CompanyIDKind: risk.IDRegistration, ObservedAt: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), Score: &score},
		{EventID: "e-2", CompanyID: "303265045", CompanyIDKind: risk.IDRegistration, ObservedAt: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC),
			Score: &low, Rating: "D", Limit: &money.Money{Minor: 1_500_000, Currency: eur}, LegalStatus: domain.LegalReceivership},
		{EventID: "e-3", CompanyID: "FR00999999999", CompanyIDKind: risk.IDVAT, CompanyName: "Durand <Industries>",
			ObservedAt: time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC), Score: &low},
	}})
	require.NoError(t, err)
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT id FROM risk_signals WHERE event_id = 'e-3'`).Scan(&unmatched))
	return dupont, unmatched
}

func TestRiskPanelAndHistory(t *testing.T) {
	t.Parallel()
	b := setup(t)
	manager := b.signIn(t, "cm@example.com", domain.RoleCreditManager)
	dupont, _ := riskFixture(t, b, 0)
	account := "/accounts/" + strconv.FormatInt(dupont, 10)

	status, body := manager.get(account)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `id="risk-latest"`)
	require.Contains(t, body, "31 / 100")
	require.Contains(t, body, "Receivership")
	require.Contains(t, body, "acme")
	require.Contains(t, body, `href="`+account+`/risk"`)

	status, body = manager.get(account + "/risk")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "2 signals")
	require.Contains(t, body, "72")

	// In French, every word from the catalogue.
	fr := b.signIn(t, "fr@example.com", domain.RoleCreditManager)
	_, err := b.store.Pool.Exec(context.Background(), `UPDATE users SET language = 'fr' WHERE email = 'fr@example.com'`)
	require.NoError(t, err)
	_, body = fr.get(account)
	require.Contains(t, body, "Redressement judiciaire")
	require.Contains(t, body, "Encours conseillé")

	// A department sees the account (a task of theirs) but not its risk.
	dept := b.signIn(t, "legal@example.com", domain.RoleDepartment)
	status, _ = dept.get(account + "/risk")
	require.Equal(t, http.StatusForbidden, status)
}

func TestRiskUnmatchedQueuePage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "agent@example.com", domain.RoleAgent)
	var agentID int64
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT id FROM users WHERE email = 'agent@example.com'`).Scan(&agentID))
	dupont, unmatched := riskFixture(t, b, agentID)
	sid := strconv.FormatInt(unmatched, 10)

	status, body := agent.get("/risk/unmatched")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "1 waiting")
	require.Contains(t, body, "Durand &lt;Industries&gt;", "escaped")
	require.Contains(t, body, `action="/risk/unmatched/`+sid+`/match"`)
	require.NotContains(t, body, `href="/risk/providers"`, "an agent does not manage providers")

	// Outside the agent's perimeter, the customer does not exist: the form again, with the message.
	res := agent.post("/risk/unmatched/"+sid+"/match", url.Values{"customer_external_id": {"C-OTHER"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	page, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Contains(t, string(page), "no customer &#34;C-OTHER&#34;")
	require.Contains(t, string(page), "The signal was not matched")

	res = agent.post("/risk/unmatched/"+sid+"/match", url.Values{"customer_external_id": {"C-DUPONT"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = agent.get("/risk/unmatched")
	require.Contains(t, body, "matched to customer C-DUPONT")
	require.Contains(t, body, "Every signal is matched")
	var owner int64
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT customer_id FROM risk_signals WHERE id = $1`, unmatched).Scan(&owner))
	require.Equal(t, dupont, owner)

	rep := b.signIn(t, "rep@example.com", domain.RoleSalesRep)
	status, _ = rep.get("/risk/unmatched")
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, http.StatusForbidden, rep.post("/risk/unmatched/"+sid+"/dismiss", url.Values{}).StatusCode)
	_, home := rep.get("/")
	require.NotContains(t, home, `href="/risk/unmatched"`)
}

func TestRiskProvidersPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	manager := b.signIn(t, "cm@example.com", domain.RoleCreditManager)
	status, body := manager.get("/risk/providers")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "No provider yet")

	res := manager.post("/risk/providers", url.Values{"name": {"Bad Name"}, "adapter": {"generic"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)

	res = manager.post("/risk/providers", url.Values{"name": {"bodacc"}, "adapter": {"bodacc"}})
	require.Equal(t, http.StatusOK, res.StatusCode)
	shown, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var secret string
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT secret FROM risk_providers WHERE name = 'bodacc'`).Scan(&secret))
	require.True(t, strings.HasPrefix(secret, risk.SecretPrefix))
	require.Contains(t, string(shown), secret, "shown once, in the answer to the post")
	require.Contains(t, string(shown), "/webhooks/risk/bodacc")

	_, body = manager.get("/risk/providers")
	require.NotContains(t, body, secret, "never again")
	require.Contains(t, body, "BODACC")

	require.Equal(t, http.StatusSeeOther, manager.post("/risk/providers/bodacc", url.Values{"adapter": {"bodacc"}, "active": {"false"}}).StatusCode)
	_, body = manager.get("/risk/providers")
	require.Contains(t, body, "bodacc is off")

	res = manager.post("/risk/providers/bodacc/rotate", url.Values{})
	require.Equal(t, http.StatusOK, res.StatusCode)
	var rotated string
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT secret FROM risk_providers WHERE name = 'bodacc'`).Scan(&rotated))
	require.NotEqual(t, secret, rotated)

	agent := b.signIn(t, "agent@example.com", domain.RoleAgent)
	status, _ = agent.get("/risk/providers")
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, http.StatusForbidden, agent.post("/risk/providers", url.Values{"name": {"x"}, "adapter": {"generic"}}).StatusCode)
}
