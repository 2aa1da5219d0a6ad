package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

type senderItem struct {
	SenderName     string `json:"sender_name"`
	SenderAddress  string `json:"sender_address"`
	ReplyTo        string `json:"reply_to"`
	SignatureName  string `json:"signature_name"`
	SignaturePhone string `json:"signature_phone"`
	ReplyDomain    string `json:"reply_domain"`
	ReplyLocal     string `json:"reply_local"`
	ReplyPauseDays int    `json:"reply_pause_days"`
}

func TestEntitySenderIsValidatedAndJournaled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const path = "/api/v1/entities/FR01/sender"
	require.Equal(t, senderItem{ReplyPauseDays: 3}, decode[senderItem](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK)),
		"empty: the defaults apply")

	tests := []struct {
		name, body string
		want       senderItem
	}{
		{"everything, trimmed",
			`{"sender_name": " Recoup France ", "sender_address": "ar@recoup.example", "reply_to": "Compta <compta@recoup.example>",
			  "signature_name": "Claire Dubois, Credit Manager", "signature_phone": "+33 1 23 45 67 89",
			  "reply_domain": " Replies.Recoup.Example ", "reply_local": "AR", "reply_pause_days": 0}`,
			senderItem{"Recoup France", "ar@recoup.example", "Compta <compta@recoup.example>", "Claire Dubois, Credit Manager", "+33 1 23 45 67 89",
				"replies.recoup.example", "ar", 0}},
		{"absent fields go back to their defaults", `{"reply_to": "compta@recoup.example"}`,
			senderItem{ReplyTo: "compta@recoup.example", ReplyPauseDays: 3}},
	}
	for _, tt := range tests {
		got := decode[senderItem](t, b.do(t, http.MethodPut, path, "application/json", tt.body, http.StatusOK))
		require.Equal(t, tt.want, got, tt.name)
		require.Equal(t, tt.want, decode[senderItem](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK)), tt.name)
	}
	require.Equal(t, len(tests), journaled(t, b, "entity.sender", "entity/FR01"))

	invalid := []struct {
		name, body, field, message string
	}{
		{"address with a name", `{"sender_address": "Recoup <ar@recoup.example>"}`, "sender_address", "email address"},
		{"not an address", `{"sender_address": "ar-at-recoup"}`, "sender_address", "email address"},
		{"bad reply-to", `{"reply_to": "compta@"}`, "reply_to", "email address"},
		{"line break in the name", `{"sender_name": "Recoup\nBcc: x@evil.example"}`, "sender_name", "line breaks"},
		{"letters in the phone", `{"signature_phone": "call us"}`, "signature_phone", "phone number"},
		{"not a domain", `{"reply_domain": "replies@recoup"}`, "reply_domain", "mail domain"},
		{"a plus in the local part", `{"reply_local": "ar+x"}`, "reply_local", "no +"},
		{"pause too long", `{"reply_pause_days": 31}`, "reply_pause_days", "0 (no pause) to 30"},
		{"unknown field", `{"from": "ar@recoup.example"}`, "from", "unknown field"},
	}
	for _, tt := range invalid {
		e := decode[apiError](t, b.do(t, http.MethodPut, path, "application/json", tt.body, http.StatusBadRequest))
		require.Equal(t, "invalid", e.Error.Code, tt.name)
		require.Equal(t, tt.field, e.Error.Field, tt.name)
		require.Contains(t, e.Error.Message, tt.message, tt.name)
	}
	require.Equal(t, len(tests), journaled(t, b, "entity.sender", "entity/FR01"), "refused changes are not journaled")

	b.do(t, http.MethodGet, "/api/v1/entities/DE01/sender", "", "", http.StatusNotFound)
	b.do(t, http.MethodPut, "/api/v1/entities/DE01/sender", "application/json", `{}`, http.StatusNotFound)
	b.do(t, http.MethodGet, path+"?x=1", "", "", http.StatusBadRequest)
}
