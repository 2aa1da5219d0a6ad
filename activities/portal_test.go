package activities_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/auth"
	"recoup/domain"
)

var (
	longLink  = regexp.MustCompile(`https://ar\.example/portal/l/([A-Za-z0-9_-]{43})\b`)
	shortLink = regexp.MustCompile(`https://ar\.example/portal/l/([A-Za-z0-9]{22})\b`)
)

// Every reminder carries the customer's personal portal link (a short one in
// a text): only its hash is stored, it lives the entity's link days, and
// each new reminder renews the account's other live links.
func TestRemindersCarryAPersonalPortalLink(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.d.PublicURL = "https://ar.example/"
	ctx := context.Background()
	_, err := f.st.Pool.Exec(ctx, `UPDATE entities SET portal_link_days = 20`)
	require.NoError(t, err)

	f.run(t, f.action("k-portal-1", domain.ChannelEmail, "C1", "I1"))
	msgs := f.mail.Messages()
	require.Len(t, msgs, 1)
	m := longLink.FindStringSubmatch(msgs[0].Text)
	require.NotNil(t, m, msgs[0].Text)
	require.Contains(t, msgs[0].HTML, m[0])
	token := m[1]
	var customer int64
	var expires, created time.Time
	require.NoError(t, f.st.Pool.QueryRow(ctx, `SELECT customer_id, expires_at, created_at FROM portal_links WHERE token_hash = $1`,
		auth.HashSecret(token)).Scan(&customer, &expires, &created))
	require.Equal(t, f.ids["C1"], customer)
	require.InDelta(t, (20 * 24 * time.Hour).Seconds(), expires.Sub(created).Seconds(), 5)
	var stored int
	require.NoError(t, f.st.Pool.QueryRow(ctx, `SELECT count(*) FROM portal_links WHERE position($1::bytea IN token_hash) > 0`, []byte(token)).Scan(&stored))
	require.Zero(t, stored, "the token itself is not stored")

	// A week later the next reminder renews the first link.
	_, err = f.st.Pool.Exec(ctx, `UPDATE portal_links SET expires_at = expires_at - interval '7 days'`)
	require.NoError(t, err)
	f.run(t, f.action("k-portal-2", domain.ChannelSMS, "C1", "I2"))
	sms := f.phone.Messages()
	require.Len(t, sms, 1)
	require.Regexp(t, shortLink, sms[0].Text)
	var renewed time.Time
	require.NoError(t, f.st.Pool.QueryRow(ctx, `SELECT expires_at FROM portal_links WHERE token_hash = $1`, auth.HashSecret(token)).Scan(&renewed))
	require.InDelta(t, time.Until(renewed).Seconds(), (20 * 24 * time.Hour).Seconds(), 60)
	var links int
	require.NoError(t, f.st.Pool.QueryRow(ctx, `SELECT count(*) FROM portal_links WHERE customer_id = $1`, f.ids["C1"]).Scan(&links))
	require.Equal(t, 2, links, "one per reminder")
}
