package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
	"recoup/store/storetest"
)

func TestEntitySenderSection(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.rows.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France"})
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)
	status, body := cm.get("/entities/FR01")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `action="/entities/FR01/sender"`)
	require.Contains(t, body, "Sender and signature of reminder emails")

	require.Contains(t, body, `name="reply_domain"`)
	require.Contains(t, body, `name="reply_pause_days" type="number" min="0" max="30" value="3"`, "3 business days by default")

	res := cm.post("/entities/FR01/sender", url.Values{"sender_address": {"not-an-address"}, "signature_name": {"Claire <b>Dubois</b>"},
		"reply_domain": {"replies@recoup"}, "reply_pause_days": {"three"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	body = readBody(t, res)
	require.Contains(t, fieldHTML(t, body, "sender_address"), "sender_address: &#34;not-an-address&#34;: want an email address")
	require.Contains(t, fieldHTML(t, body, "reply_domain"), "want a mail domain")
	require.Contains(t, fieldHTML(t, body, "reply_pause_days"), "want 0 (no pause) to 30")
	require.Contains(t, body, `value="Claire &lt;b&gt;Dubois&lt;/b&gt;"`, "what was typed is shown again, escaped")

	res = cm.post("/entities/FR01/sender", url.Values{"sender_name": {"Recoup France AR"}, "sender_address": {"ar@recoup.example"},
		"reply_to": {"Compta <compta@recoup.example>"}, "signature_name": {"Claire Dubois"}, "signature_phone": {"+33 1 23 45 67 89"},
		"reply_domain": {"replies.recoup.example"}, "reply_local": {"ar"}, "reply_pause_days": {"5"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = cm.get("/entities")
	require.Contains(t, body, "Sender and signature of Recoup France saved.")
	got, err := b.store.EntitySender(context.Background(), "FR01")
	require.NoError(t, err)
	require.Equal(t, store.EntitySender{SenderName: "Recoup France AR", SenderAddress: "ar@recoup.example",
		ReplyTo: "Compta <compta@recoup.example>", SignatureName: "Claire Dubois", SignaturePhone: "+33 1 23 45 67 89",
		ReplyDomain: "replies.recoup.example", ReplyLocal: "ar", ReplyPauseDays: 5}, got)

	agent := b.signIn(t, "agent@example.com", domain.RoleAgent)
	require.Equal(t, http.StatusForbidden, agent.post("/entities/FR01/sender", url.Values{"sender_name": {"x"}}).StatusCode)
	require.Equal(t, http.StatusNotFound, cm.post("/entities/XX99/sender", url.Values{}).StatusCode)
}
