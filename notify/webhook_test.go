package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/notify"
)

// sign computes X-Twilio-Signature from Twilio's documented algorithm, independently of both
// twilio-go and the capture stand-in: base64(HMAC-SHA1(token, URL + sorted name+value pairs)).
func sign(token, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := fullURL
	for _, k := range keys {
		s += k + form.Get(k)
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

const publicBase = "https://recoup.example.com"

func smsDelivered() url.Values {
	return url.Values{
		"AccountSid": {twilioSID}, "ApiVersion": {"2010-04-01"}, "From": {twilioFrom}, "To": {customer},
		"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "SmsSid": {"SM0123456789abcdef0123456789abcdef"},
		"MessageStatus": {"delivered"}, "SmsStatus": {"delivered"},
	}
}

func TestWebhookHandler(t *testing.T) {
	t.Parallel()
	const path = "/webhooks/twilio?reminder=42"
	callNoAnswer := url.Values{
		"AccountSid": {twilioSID}, "CallSid": {"CA0123456789abcdef0123456789abcdef"}, "CallStatus": {"no-answer"},
		"To": {customer}, "From": {twilioFrom}, "Direction": {"outbound-api"},
	}
	undelivered := smsDelivered()
	undelivered.Set("MessageStatus", "undelivered")
	undelivered.Set("ErrorCode", "30003")

	cases := []struct {
		name     string
		method   string
		form     url.Values
		body     string // instead of form
		sig      func(form url.Values) string
		onStatus error
		status   int
		want     *notify.StatusUpdate
	}{
		{name: "signed SMS status", form: smsDelivered(), status: http.StatusNoContent,
			want: &notify.StatusUpdate{SID: "SM0123456789abcdef0123456789abcdef", Kind: notify.KindSMS, Status: "delivered", To: customer}},
		{name: "signed SMS failure with error code", form: undelivered, status: http.StatusNoContent,
			want: &notify.StatusUpdate{SID: "SM0123456789abcdef0123456789abcdef", Kind: notify.KindSMS, Status: "undelivered", To: customer, ErrorCode: "30003"}},
		{name: "signed call status", form: callNoAnswer, status: http.StatusNoContent,
			want: &notify.StatusUpdate{SID: "CA0123456789abcdef0123456789abcdef", Kind: notify.KindCall, Status: "no-answer", To: customer}},
		{name: "tampered parameter", form: smsDelivered(), status: http.StatusForbidden,
			sig: func(f url.Values) string {
				orig := sign(twilioToken, publicBase+path, f)
				f.Set("MessageStatus", "failed") // changed after signing
				return orig
			}},
		{name: "signed with another token", form: smsDelivered(), status: http.StatusForbidden,
			sig: func(f url.Values) string { return sign("another", publicBase+path, f) }},
		{name: "signed for another URL", form: smsDelivered(), status: http.StatusForbidden,
			sig: func(f url.Values) string { return sign(twilioToken, publicBase+"/webhooks/twilio?reminder=43", f) }},
		{name: "missing signature", form: smsDelivered(), status: http.StatusForbidden,
			sig: func(url.Values) string { return "" }},
		{name: "signed, but not a status callback", form: url.Values{"Foo": {"bar"}}, status: http.StatusBadRequest},
		{name: "signed, but no status", form: url.Values{"MessageSid": {"SM1"}}, status: http.StatusBadRequest},
		{name: "malformed form", body: "MessageSid=%zz", status: http.StatusBadRequest,
			sig: func(url.Values) string { return "c29tZXRoaW5n" }},
		{name: "GET", method: http.MethodGet, form: smsDelivered(), status: http.StatusMethodNotAllowed},
		{name: "onStatus fails", form: smsDelivered(), onStatus: errors.New("db down"), status: http.StatusInternalServerError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []notify.StatusUpdate
			h := notify.WebhookHandler(twilioToken, publicBase+"/", func(_ context.Context, u notify.StatusUpdate) error {
				got = append(got, u)
				return tc.onStatus
			})
			form := tc.form
			sig := sign(twilioToken, publicBase+path, form)
			if tc.sig != nil {
				sig = tc.sig(form)
			}
			body := form.Encode()
			if tc.body != "" {
				body = tc.body
			}
			method := http.MethodPost
			if tc.method != "" {
				method = tc.method
			}
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if sig != "" {
				req.Header.Set("X-Twilio-Signature", sig)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.want != nil {
				require.Equal(t, []notify.StatusUpdate{*tc.want}, got)
			} else if tc.onStatus == nil {
				require.Empty(t, got, "nothing unverified reaches onStatus")
			}
		})
	}
}

func TestWebhookHandler_EmptyTokenRejectsEverything(t *testing.T) {
	t.Parallel()
	h := notify.WebhookHandler("", publicBase, func(context.Context, notify.StatusUpdate) error {
		t.Error("onStatus called")
		return nil
	})
	form := smsDelivered()
	req := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(form.Encode()))
	req.Header.Set("X-Twilio-Signature", sign("", publicBase+"/cb", form)) // anyone can compute this
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusForbidden, rec.Code)
}

func TestWebhookHandler_BehindStripPrefix(t *testing.T) {
	t.Parallel()
	updates := make(chan notify.StatusUpdate, 1)
	h := http.StripPrefix("/webhooks", notify.WebhookHandler(twilioToken, publicBase, func(_ context.Context, u notify.StatusUpdate) error {
		updates <- u
		return nil
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	form := smsDelivered()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/webhooks/twilio", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sign(twilioToken, publicBase+"/webhooks/twilio", form))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusNoContent, resp.StatusCode, "the signed URL is the one the client used, not the stripped path")
	require.Equal(t, "delivered", (<-updates).Status)
}

// End to end: notify.Twilio → capture stand-in → signed status callback → WebhookHandler.
func TestStatusCallbacks_EndToEnd(t *testing.T) {
	t.Parallel()
	tw, api, _ := twilioStandIn(t)
	api.SetStatusCallbacks(true)
	api.SetOutcome("+33700000000", "undelivered", "30005")

	updates := make(chan notify.StatusUpdate, 10)
	mux := http.NewServeMux()
	hook := httptest.NewServer(mux)
	t.Cleanup(hook.Close)
	// In production publicBaseURL is the public https address; here the test server is it.
	mux.Handle("/webhooks/twilio", notify.WebhookHandler(twilioToken, hook.URL, func(_ context.Context, u notify.StatusUpdate) error {
		updates <- u
		return nil
	}))
	callback := hook.URL + "/webhooks/twilio?tenant=acme"

	next := func() notify.StatusUpdate {
		t.Helper()
		select {
		case u := <-updates:
			return u
		case <-time.After(5 * time.Second):
			t.Fatal("no verified status update arrived")
			return notify.StatusUpdate{}
		}
	}

	smsSID, err := tw.SendSMS(t.Context(), customer, "Rappel", callback, "k1")
	require.NoError(t, err)
	require.Equal(t, notify.StatusUpdate{SID: smsSID, Kind: notify.KindSMS, Status: "delivered", To: customer}, next())

	callSID, err := tw.Call(t.Context(), customer, notify.SayTwiML("Bonjour", "fr"), callback, "k2")
	require.NoError(t, err)
	require.Equal(t, notify.StatusUpdate{SID: callSID, Kind: notify.KindCall, Status: "completed", To: customer}, next())

	failedSID, err := tw.SendSMS(t.Context(), "+33700000000", "Rappel", callback, "k3")
	require.NoError(t, err)
	require.Equal(t, notify.StatusUpdate{SID: failedSID, Kind: notify.KindSMS, Status: "undelivered", To: "+33700000000", ErrorCode: "30005"}, next())

	// A stand-in with another auth token signs differently: the webhook refuses it.
	other := notify.WebhookHandler("0000000000000000000000000000000a", hook.URL, func(context.Context, notify.StatusUpdate) error {
		t.Error("accepted a callback signed with another token")
		return nil
	})
	var hits, refused atomic.Int32
	mux.Handle("/webhooks/other", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		rec := httptest.NewRecorder()
		other.ServeHTTP(rec, r)
		if rec.Code == http.StatusForbidden {
			refused.Add(1)
		}
		w.WriteHeader(rec.Code)
	}))
	_, err = tw.SendSMS(t.Context(), customer, "Rappel", hook.URL+"/webhooks/other", "k4")
	require.NoError(t, err)
	api.Close() // waits until that callback has been answered
	require.Equal(t, int32(1), hits.Load(), "the callback was posted")
	require.Equal(t, int32(1), refused.Load(), "and refused with 403")
	require.Empty(t, updates)
}
