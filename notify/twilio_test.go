package notify_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/capture"
	"recoup/notify"
)

const (
	twilioSID   = "AC0123456789abcdef0123456789abcdef"
	twilioToken = "fedcba9876543210fedcba9876543210"
	twilioFrom  = "+15557654321"
	customer    = "+33612345678"
)

// twilioStandIn serves capture.TwilioAPI under /twilio (so the base URL override has a path
// to keep) and returns a notify.Twilio pointed at it, as TWILIO_API_URL does.
func twilioStandIn(t *testing.T) (*notify.Twilio, *capture.TwilioAPI, *capture.Mailbox) {
	t.Helper()
	mb, err := capture.NewMailbox("")
	require.NoError(t, err)
	api, err := capture.NewTwilioAPI(mb, twilioSID, twilioToken, nil)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/twilio/", api)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		api.Close()
		srv.Close()
	})
	tw, err := notify.NewTwilio(twilioSID, twilioToken, twilioFrom, srv.URL+"/twilio/")
	require.NoError(t, err)
	return tw, api, mb
}

func TestTwilio_SMSAndCallReachStandIn(t *testing.T) {
	t.Parallel()
	tw, _, mb := twilioStandIn(t)

	smsSID, err := tw.SendSMS(t.Context(), customer, "Rappel : facture 42, 120 € à régler.", "", "wf-42/sms-1")
	require.NoError(t, err)
	require.Regexp(t, `^SM[0-9a-f]{32}$`, smsSID)

	said := `Bonjour. Vous devez 120 € <avant> lundi & merci.`
	callSID, err := tw.Call(t.Context(), customer, notify.SayTwiML(said, "fr"), "https://recoup.test/webhooks/twilio", "wf-42/call-1")
	require.NoError(t, err)
	require.Regexp(t, `^CA[0-9a-f]{32}$`, callSID)

	msgs := mb.Messages()
	require.Len(t, msgs, 2)
	call, sms := msgs[0], msgs[1]

	require.Equal(t, capture.KindSMS, sms.Kind)
	require.Equal(t, smsSID, sms.SID)
	require.Equal(t, twilioFrom, sms.From)
	require.Equal(t, []string{customer}, sms.To)
	require.Equal(t, "Rappel : facture 42, 120 € à régler.", sms.Text)
	require.Equal(t, []string{"wf-42/sms-1"}, sms.Header[notify.IdempotencyHeader])
	require.Contains(t, sms.Header["User-Agent"][0], "twilio-go")
	require.True(t, strings.HasPrefix(string(sms.Raw), "POST /twilio/2010-04-01/Accounts/"+twilioSID+"/Messages.json "),
		"the API path is kept under the override's path")

	require.Equal(t, capture.KindCall, call.Kind)
	require.Equal(t, callSID, call.SID)
	require.Equal(t, said, call.Text, "the stand-in decodes what the call would say")
	require.Contains(t, call.TwiML, `<Say language="fr-FR">`)
	require.Equal(t, []string{"https://recoup.test/webhooks/twilio"}, call.Params["StatusCallback"])
	require.Equal(t, []string{"completed"}, call.Params["StatusCallbackEvent"])
	require.Equal(t, []string{"wf-42/call-1"}, call.Header[notify.IdempotencyHeader])
}

func TestTwilio_ErrorClassification(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		setup     func(*capture.TwilioAPI)
		to        string
		permanent bool
		contains  string
	}{
		{name: "invalid number (21211)", to: "+15005550001", permanent: true, contains: "21211"},
		{name: "not E.164 (21211)", to: "06 12 34 56 78", permanent: true, contains: "21211"},
		{name: "unsubscribed (21610)", to: "+15005550004", permanent: true, contains: "21610"},
		{name: "not a mobile (21614)", setup: func(a *capture.TwilioAPI) { a.RejectNumber(customer, 21614) },
			to: customer, permanent: true, contains: "21614"},
		{name: "outage (503)", setup: func(a *capture.TwilioAPI) { a.FailNext(1) }, to: customer, permanent: false, contains: "503"},
	}
	for _, tc := range cases {
		for _, kind := range []string{"sms", "call"} {
			t.Run(tc.name+" "+kind, func(t *testing.T) {
				t.Parallel()
				tw, api, mb := twilioStandIn(t)
				if tc.setup != nil {
					tc.setup(api)
				}
				var err error
				if kind == "sms" {
					_, err = tw.SendSMS(t.Context(), tc.to, "x", "", "k")
				} else {
					_, err = tw.Call(t.Context(), tc.to, notify.SayTwiML("x", "en"), "", "k")
				}
				require.Error(t, err)
				require.Equal(t, tc.permanent, notify.IsPermanent(err), "%v", err)
				require.ErrorContains(t, err, tc.contains)
				require.Zero(t, mb.Len())
			})
		}
	}
}

func TestTwilio_RetryAfterOutageSucceeds(t *testing.T) {
	t.Parallel()
	tw, api, mb := twilioStandIn(t)
	api.FailNext(2)
	for range 2 {
		_, err := tw.SendSMS(t.Context(), customer, "x", "", "same-key")
		require.Error(t, err)
		require.False(t, notify.IsPermanent(err))
	}
	sid, err := tw.SendSMS(t.Context(), customer, "x", "", "same-key")
	require.NoError(t, err)
	require.Equal(t, 1, mb.Len())
	require.Equal(t, sid, mb.Messages()[0].SID)
}

func TestTwilio_TemporaryFailures(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())

	cases := []struct {
		name string
		tw   func(t *testing.T) *notify.Twilio
		ctx  func(t *testing.T) context.Context
	}{
		{"connection refused", func(t *testing.T) *notify.Twilio {
			tw, err := notify.NewTwilio(twilioSID, twilioToken, twilioFrom, refused)
			require.NoError(t, err)
			return tw
		}, nil},
		{"wrong auth token (401) is configuration, not the recipient", func(t *testing.T) *notify.Twilio {
			mb, err := capture.NewMailbox("")
			require.NoError(t, err)
			api, err := capture.NewTwilioAPI(mb, twilioSID, "othertoken", nil)
			require.NoError(t, err)
			srv := httptest.NewServer(api)
			t.Cleanup(srv.Close)
			tw, err := notify.NewTwilio(twilioSID, twilioToken, twilioFrom, srv.URL)
			require.NoError(t, err)
			return tw
		}, nil},
		{"context cancelled", func(t *testing.T) *notify.Twilio {
			tw, _, _ := twilioStandIn(t)
			return tw
		}, func(t *testing.T) context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			return ctx
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			if tc.ctx != nil {
				ctx = tc.ctx(t)
			}
			_, err := tc.tw(t).SendSMS(ctx, customer, "x", "", "")
			require.Error(t, err)
			require.False(t, notify.IsPermanent(err), "%v", err)
		})
	}
}

func TestTwilio_InvalidInputIsPermanent(t *testing.T) {
	t.Parallel()
	tw, _, _ := twilioStandIn(t)
	_, err := tw.SendSMS(t.Context(), "", "x", "", "")
	require.True(t, notify.IsPermanent(err))
	_, err = tw.SendSMS(t.Context(), customer, "", "", "")
	require.True(t, notify.IsPermanent(err))
	_, err = tw.Call(t.Context(), customer, "", "", "")
	require.True(t, notify.IsPermanent(err))
}

func TestNewTwilio_Errors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, sid, token, from, apiURL string
	}{
		{"no SID", "", twilioToken, twilioFrom, ""},
		{"no token", twilioSID, "", twilioFrom, ""},
		{"token with symbols", twilioSID, "abc-def", twilioFrom, ""},
		{"no from", twilioSID, twilioToken, " ", ""},
		{"API URL without scheme", twilioSID, twilioToken, twilioFrom, "localhost:8080"},
		{"API URL with query", twilioSID, twilioToken, twilioFrom, "http://localhost:8080?x=1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := notify.NewTwilio(tc.sid, tc.token, tc.from, tc.apiURL)
			require.Error(t, err)
		})
	}
	_, err := notify.NewTwilio(twilioSID, twilioToken, twilioFrom, "")
	require.NoError(t, err, "empty API URL: Twilio itself")
}

func TestSayTwiML(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text, language, want string
	}{
		{"escapes XML", `Pay <100 €> & "thanks"`, "en",
			`<?xml version="1.0" encoding="UTF-8"?><Response><Say language="en-US">Pay &lt;100 €&gt; &amp; &#34;thanks&#34;</Say></Response>`},
		{"French", "Bonjour", "fr", `<?xml version="1.0" encoding="UTF-8"?><Response><Say language="fr-FR">Bonjour</Say></Response>`},
		{"cannot inject markup", `</Say><Play>http://evil</Play><Say>`, "de",
			`<?xml version="1.0" encoding="UTF-8"?><Response><Say language="de-DE">&lt;/Say&gt;&lt;Play&gt;http://evil&lt;/Play&gt;&lt;Say&gt;</Say></Response>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, notify.SayTwiML(tc.text, tc.language))
		})
	}
}

func TestSayLanguage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"en", "en-US", true},
		{"en-GB", "en-GB", true},
		{"fr", "fr-FR", true},
		{"fr-CA", "fr-CA", true},
		{"fr-BE", "fr-FR", true}, // no Belgian French voice: the language's main locale
		{"de", "de-DE", true},
		{"de-CH", "de-DE", true},
		{"es", "es-ES", true},
		{"es-MX", "es-MX", true},
		{"it", "it-IT", true},
		{"nl", "nl-NL", true},
		{"ja", "ja-JP", true},
		{"ar", "arb", true},
		{"ar-SA", "arb", true},
		{"pt", "pt-PT", true}, // the shipped Portuguese templates are European
		{"pl", "pl-PL", true},
		{"ar-KW", "arb", true},
		{"pt_PT", "pt-PT", true},
		{"PT-br", "pt-BR", true},
		{"zh-Hant-TW", "zh-TW", true},
		{"nb", "nb-NO", true},
		{"no", "nb-NO", true},
		{"xx", "en-US", false},
		{"", "en-US", false},
	}
	for _, tc := range cases {
		got, ok := notify.SayLanguage(tc.in)
		require.Equal(t, tc.want, got, tc.in)
		require.Equal(t, tc.ok, ok, tc.in)
	}
}
