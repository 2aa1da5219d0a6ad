package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/notify"
)

func TestInboundHandlerReadsOptKeywordsBehindTheSignature(t *testing.T) {
	t.Parallel()
	const path = "/webhooks/twilio/inbound"
	var got []notify.InboundSMS
	h := notify.InboundHandler(twilioToken, publicBase, func(_ context.Context, m notify.InboundSMS) error {
		got = append(got, m)
		return nil
	})
	inbound := func(body, optOutType string) url.Values {
		f := url.Values{"AccountSid": {twilioSID}, "MessageSid": {"SM1"}, "From": {customer}, "To": {twilioFrom}, "Body": {body}}
		if optOutType != "" {
			f.Set("OptOutType", optOutType)
		}
		return f
	}
	post := func(form url.Values, sig string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if sig != "" {
			req.Header.Set("X-Twilio-Signature", sig)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	tests := []struct {
		body, optOutType, want string
	}{
		{" stop ", "", notify.KeywordStop},
		{"Unsubscribe", "", notify.KeywordStop},
		{"please stop texting me", "", ""}, // not a keyword alone: a person reads it
		{"Arrêtez", "STOP", notify.KeywordStop},
		{"start", "", notify.KeywordStart},
		{"HELP", "HELP", ""},
	}
	for _, tt := range tests {
		form := inbound(tt.body, tt.optOutType)
		rec := post(form, sign(twilioToken, publicBase+path, form))
		require.Equal(t, http.StatusOK, rec.Code, tt.body)
		require.Contains(t, rec.Body.String(), "<Response></Response>")
		require.Equal(t, tt.want, got[len(got)-1].Keyword, tt.body)
		require.Equal(t, customer, got[len(got)-1].From)
	}
	n := len(got)
	form := inbound("STOP", "")
	require.Equal(t, http.StatusForbidden, post(form, "").Code, "no signature")
	require.Equal(t, http.StatusForbidden, post(form, sign("other", publicBase+path, form)).Code, "wrong key")
	require.Equal(t, n, len(got), "nothing unsigned reaches the handler")
	noSID := url.Values{"From": {customer}, "Body": {"STOP"}}
	require.Equal(t, http.StatusBadRequest, post(noSID, sign(twilioToken, publicBase+path, noSID)).Code)
}
