package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
)

// A credit manager turns the daily digest on and off on the profile page; an
// agent has no such setting and cannot turn it on.
func TestACreditManagerTurnsTheDigestOn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)
	_, body := cm.get("/profile")
	require.Contains(t, body, `<input type="checkbox" name="digest" value="on" aria-describedby="digest-help">`, "off by default")

	res := cm.post("/profile/digest", url.Values{"digest": {"on"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = cm.get("/profile")
	require.Contains(t, body, "Daily digest setting saved.")
	require.Contains(t, body, `value="on" checked`)

	res = cm.post("/profile/digest", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = cm.get("/profile")
	require.NotContains(t, body, `value="on" checked`)

	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	_, body = agent.get("/profile")
	require.NotContains(t, body, `name="digest"`)
	res = agent.post("/profile/digest", url.Values{"digest": {"on"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
}

// Anyone with notifications turns their email on and off on the profile page.
func TestAnAgentTurnsTheNotificationEmailOn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	const box = `<input type="checkbox" name="notification_digest" value="on"`
	_, body := agent.get("/profile")
	require.Contains(t, body, box+` aria-describedby="notification-digest-help">`, "off by default")

	res := agent.post("/profile/notification-digest", url.Values{"notification_digest": {"on"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = agent.get("/profile")
	require.Contains(t, body, "Notification email setting saved.")
	require.Contains(t, body, box+" checked")

	res = agent.post("/profile/notification-digest", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = agent.get("/profile")
	require.NotContains(t, body, box+" checked")
}
