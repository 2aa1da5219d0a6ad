package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
)

// The staff side of the portal: an entity's settings (checked, journaled),
// a link for an agent to hand over, and revoking every link of an account;
// an agent reaches only the accounts of their portfolio.
func TestPortalSettingsLinksAndRevocation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	got := decode[store.PortalSettings](t, b.do(t, "GET", "/api/v1/entities/FR01/portal", "", "", http.StatusOK))
	require.Equal(t, store.PortalSettings{Code: "FR01", LinkDays: 60, PromiseMaxDays: 30}, got, "the defaults")
	body := b.do(t, "PUT", "/api/v1/entities/FR01/portal", "application/json",
		`{"link_days": 0, "pay_url": "ftp://x/{amount}", "color": "blue", "logo_url": "http://logo.example/a.png"}`, http.StatusBadRequest)
	for _, field := range []string{"link_days", "pay_url", "color", "logo_url"} {
		require.Contains(t, string(body), field)
	}
	got = decode[store.PortalSettings](t, b.do(t, "PUT", "/api/v1/entities/FR01/portal", "application/json",
		`{"link_days": 30, "pay_url": "https://pay.example/?a={amount}&c={currency}", "color": "#AA3300"}`, http.StatusOK))
	require.Equal(t, store.PortalSettings{Code: "FR01", LinkDays: 30, PromiseMaxDays: 30, PayURL: "https://pay.example/?a={amount}&c={currency}",
		Color: "#aa3300"}, got)

	var c1, c2 int64
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT id FROM customers WHERE external_id = 'C1'`).Scan(&c1))
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT id FROM customers WHERE external_id = 'C2'`).Scan(&c2))
	link := decode[struct {
		URL string `json:"url"`
	}](t, b.do(t, "POST", "/api/v1/customers/"+itoa64(c1)+"/portal-links", "", "", http.StatusCreated))
	require.Regexp(t, `^http://localhost:8080/portal/l/[A-Za-z0-9_-]{43}$|^/portal/l/[A-Za-z0-9_-]{43}$`, link.URL)
	require.NotContains(t, link.URL, itoa64(c1)+"/", "no internal id in the link")
	var days int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(),
		`SELECT round(extract(epoch FROM expires_at - created_at) / 86400) FROM portal_links WHERE customer_id = $1`, c1).Scan(&days))
	require.Equal(t, 30, days, "the entity's lifetime")

	alice := b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Name: "Alice", Role: domain.RoleAgent})
	b.doAs(t, alice, "POST", "/api/v1/customers/"+itoa64(c2)+"/portal-links/revoke", "application/json", `{"reason": "x"}`, http.StatusNotFound)
	out := decode[map[string]int64](t, b.doAs(t, alice, "POST", "/api/v1/customers/"+itoa64(c1)+"/portal-links/revoke", "application/json",
		`{"reason": "the contact left"}`, http.StatusOK))
	require.Equal(t, int64(1), out["revoked"])
	var journaled int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM audit_journal WHERE action = 'portal.revoke' AND target = $1 AND actor LIKE 'alice@recoup.example%'`, "customer/"+itoa64(c1)).Scan(&journaled))
	require.Equal(t, 1, journaled)
	require.True(t, strings.HasPrefix(string(b.do(t, "GET", "/api/v1/entities/NOPE/portal", "", "", http.StatusNotFound)), "{"))
}
