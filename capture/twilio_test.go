package capture

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	testSID   = "AC00000000000000000000000000000001"
	testToken = "0123456789abcdef0123456789abcdef"
	testFrom  = "+15550001111"
)

// startTwilio serves a stand-in under /twilio, the way `recoup dev` may mount it.
func startTwilio(t *testing.T, mb *Mailbox) (*TwilioAPI, string) {
	t.Helper()
	tw, err := NewTwilioAPI(mb, testSID, testToken, nil)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/twilio/", tw)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		tw.Close()
		srv.Close()
	})
	return tw, srv.URL + "/twilio"
}

type twilioResp struct {
	status int
	body   map[string]any
}

// post sends a create request the way twilio-go does.
func post(t *testing.T, base, resource string, form url.Values, mutate ...func(*http.Request)) twilioResp {
	t.Helper()
	u := base + "/2010-04-01/Accounts/" + testSID + "/" + resource
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(testSID, testToken)
	for _, m := range mutate {
		m(req)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return twilioResp{resp.StatusCode, body}
}

func smsForm(to, body string) url.Values {
	return url.Values{"To": {to}, "From": {testFrom}, "Body": {body}}
}

const frenchTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response><Say language="fr-FR">Bonjour, vous devez 120 € &lt;aujourd&apos;hui&gt; &amp; merci.</Say></Response>`

func TestTwilioAPI_CapturesSMSAndCall(t *testing.T) {
	t.Parallel()
	mb, err := NewMailbox("")
	require.NoError(t, err)
	_, base := startTwilio(t, mb)

	sms := post(t, base, "Messages.json", smsForm("+33612345678", "Rappel : facture 42 à payer"), func(r *http.Request) {
		r.Header.Set("I-Twilio-Idempotency-Token", "reminder-42-sms")
	})
	require.Equal(t, http.StatusCreated, sms.status)
	require.Regexp(t, `^SM[0-9a-f]{32}$`, sms.body["sid"])
	require.Equal(t, "queued", sms.body["status"])
	require.Equal(t, testSID, sms.body["account_sid"])
	require.Equal(t, "+33612345678", sms.body["to"])
	require.Equal(t, "1", sms.body["num_segments"])

	call := post(t, base, "Calls.json", url.Values{
		"To": {"+33612345678"}, "From": {testFrom}, "Twiml": {frenchTwiML}, "StatusCallback": {"https://recoup.test/cb"},
	})
	require.Equal(t, http.StatusCreated, call.status)
	require.Regexp(t, `^CA[0-9a-f]{32}$`, call.body["sid"])
	require.Equal(t, "queued", call.body["status"])

	msgs := mb.Messages()
	require.Len(t, msgs, 2)
	gotCall, gotSMS := msgs[0], msgs[1]

	require.Equal(t, KindSMS, gotSMS.Kind)
	require.Equal(t, sms.body["sid"], gotSMS.SID)
	require.Equal(t, testFrom, gotSMS.From)
	require.Equal(t, []string{"+33612345678"}, gotSMS.To)
	require.Equal(t, "Rappel : facture 42 à payer", gotSMS.Text)
	require.Equal(t, []string{"reminder-42-sms"}, gotSMS.Header["I-Twilio-Idempotency-Token"])
	require.NotContains(t, string(gotSMS.Raw), "Authorization", "the auth token is not kept")
	require.Empty(t, gotSMS.ParseError)

	require.Equal(t, KindCall, gotCall.Kind)
	require.Equal(t, call.body["sid"], gotCall.SID)
	require.Equal(t, frenchTwiML, gotCall.TwiML)
	require.Equal(t, "Bonjour, vous devez 120 € <aujourd'hui> & merci.", gotCall.Text)
	require.Equal(t, []string{"https://recoup.test/cb"}, gotCall.Params["StatusCallback"])
	require.Empty(t, gotCall.ParseError)
}

func TestTwilioAPI_Errors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		setup    func(*TwilioAPI)
		resource string
		form     url.Values
		mutate   func(*http.Request)
		status   int
		code     float64 // JSON numbers decode as float64
	}{
		{name: "wrong auth token", resource: "Messages.json", form: smsForm("+33612345678", "x"),
			mutate: func(r *http.Request) { r.SetBasicAuth(testSID, "wrong") }, status: 401, code: 20003},
		{name: "no auth", resource: "Messages.json", form: smsForm("+33612345678", "x"),
			mutate: func(r *http.Request) { r.Header.Del("Authorization") }, status: 401, code: 20003},
		{name: "unknown resource", resource: "Faxes.json", status: 404, code: 20404},
		{name: "GET", resource: "Messages.json", mutate: func(r *http.Request) { r.Method = http.MethodGet }, status: 405, code: 20004},
		{name: "SMS without To", resource: "Messages.json", form: smsForm("", "x"), status: 400, code: 21604},
		{name: "SMS without body", resource: "Messages.json", form: smsForm("+33612345678", ""), status: 400, code: 21602},
		{name: "SMS too long", resource: "Messages.json", form: smsForm("+33612345678", strings.Repeat("x", 1601)), status: 400, code: 21617},
		{name: "not E.164", resource: "Messages.json", form: smsForm("0612345678", "x"), status: 400, code: 21211},
		{name: "magic invalid number", resource: "Messages.json", form: smsForm("+15005550001", "x"), status: 400, code: 21211},
		{name: "magic unsubscribed number", resource: "Messages.json", form: smsForm("+15005550004", "x"), status: 400, code: 21610},
		{name: "rejected number", setup: func(tw *TwilioAPI) { tw.RejectNumber("+33699999999", 21614) },
			resource: "Messages.json", form: smsForm("+33699999999", "x"), status: 400, code: 21614},
		{name: "rejected number, call", setup: func(tw *TwilioAPI) { tw.RejectNumber("+33699999999", 21211) },
			resource: "Calls.json", form: url.Values{"To": {"+33699999999"}, "From": {testFrom}, "Twiml": {"<Response/>"}}, status: 400, code: 21211},
		{name: "call without TwiML", resource: "Calls.json", form: url.Values{"To": {"+33612345678"}, "From": {testFrom}}, status: 400, code: 21205},
		{name: "outage", setup: func(tw *TwilioAPI) { tw.FailNext(1) },
			resource: "Messages.json", form: smsForm("+33612345678", "x"), status: 503, code: 20503},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mb, err := NewMailbox("")
			require.NoError(t, err)
			tw, base := startTwilio(t, mb)
			if tc.setup != nil {
				tc.setup(tw)
			}
			var mutate []func(*http.Request)
			if tc.mutate != nil {
				mutate = append(mutate, tc.mutate)
			}
			got := post(t, base, tc.resource, tc.form, mutate...)
			require.Equal(t, tc.status, got.status)
			require.Equal(t, tc.code, got.body["code"])
			require.Equal(t, float64(tc.status), got.body["status"])
			require.NotEmpty(t, got.body["message"])
			require.Zero(t, mb.Len(), "nothing captured")
		})
	}
}

func TestTwilioAPI_FailNextThenRecovers(t *testing.T) {
	t.Parallel()
	mb, err := NewMailbox("")
	require.NoError(t, err)
	tw, base := startTwilio(t, mb)
	tw.FailNext(2)
	for range 2 {
		require.Equal(t, http.StatusServiceUnavailable, post(t, base, "Messages.json", smsForm("+33612345678", "x")).status)
	}
	require.Equal(t, http.StatusCreated, post(t, base, "Messages.json", smsForm("+33612345678", "x")).status)
	require.Equal(t, 1, mb.Len())

	tw.RejectNumber("+15005550001", 0) // a magic number can be accepted after all
	require.Equal(t, http.StatusCreated, post(t, base, "Messages.json", smsForm("+15005550001", "x")).status)
}

// callbackSink records the status callbacks it receives.
type callbackSink struct {
	srv  *httptest.Server
	got  chan *http.Request
	form chan url.Values
}

func newCallbackSink(t *testing.T) *callbackSink {
	t.Helper()
	s := &callbackSink{got: make(chan *http.Request, 10), form: make(chan url.Values, 10)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		s.got <- r
		s.form <- r.PostForm
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *callbackSink) next(t *testing.T) (*http.Request, url.Values) {
	t.Helper()
	select {
	case r := <-s.got:
		return r, <-s.form
	case <-time.After(5 * time.Second):
		t.Fatal("no status callback arrived")
		return nil, nil
	}
}

func TestTwilioAPI_StatusCallbacks(t *testing.T) {
	t.Parallel()
	mb, err := NewMailbox("")
	require.NoError(t, err)
	tw, base := startTwilio(t, mb)
	sink := newCallbackSink(t)
	cbURL := sink.srv.URL + "/webhooks/twilio?tenant=7"

	// Off by default.
	require.Equal(t, http.StatusCreated, post(t, base, "Messages.json", url.Values{
		"To": {"+33612345678"}, "From": {testFrom}, "Body": {"x"}, "StatusCallback": {cbURL},
	}).status)

	tw.SetStatusCallbacks(true)
	tw.SetOutcome("+33600000000", "undelivered", "30003")
	tw.SetOutcome("+33611111111", "busy", "")

	cases := []struct {
		name, resource, to string
		extra              url.Values
		want               map[string]string
	}{
		{"SMS delivered", "Messages.json", "+33612345678", url.Values{"Body": {"x"}},
			map[string]string{"MessageStatus": "delivered", "SmsStatus": "delivered", "ErrorCode": ""}},
		{"SMS undelivered", "Messages.json", "+33600000000", url.Values{"Body": {"x"}},
			map[string]string{"MessageStatus": "undelivered", "ErrorCode": "30003"}},
		{"call completed", "Calls.json", "+33612345678", url.Values{"Twiml": {frenchTwiML}},
			map[string]string{"CallStatus": "completed", "Direction": "outbound-api", "CallDuration": "12"}},
		{"call busy", "Calls.json", "+33611111111", url.Values{"Twiml": {frenchTwiML}},
			map[string]string{"CallStatus": "busy", "CallDuration": "0"}},
	}
	for _, tc := range cases { // sequential: one sink
		form := url.Values{"To": {tc.to}, "From": {testFrom}, "StatusCallback": {cbURL}}
		for k, v := range tc.extra {
			form[k] = v
		}
		created := post(t, base, tc.resource, form)
		require.Equal(t, http.StatusCreated, created.status, tc.name)

		r, got := sink.next(t)
		require.Equal(t, "/webhooks/twilio?tenant=7", r.RequestURI, tc.name)
		require.Equal(t, TwilioSignature(testToken, cbURL, got), r.Header.Get("X-Twilio-Signature"), tc.name)
		require.NotEqual(t, TwilioSignature("other", cbURL, got), r.Header.Get("X-Twilio-Signature"))
		sidKey := "MessageSid"
		if tc.resource == "Calls.json" {
			sidKey = "CallSid"
		}
		require.Equal(t, created.body["sid"], got.Get(sidKey), tc.name)
		require.Equal(t, tc.to, got.Get("To"), tc.name)
		require.Equal(t, testSID, got.Get("AccountSid"), tc.name)
		for k, v := range tc.want {
			require.Equal(t, v, got.Get(k), "%s: %s", tc.name, k)
		}
	}

	tw.Close()
	select {
	case <-sink.got:
		t.Fatal("the callback of the SMS sent while callbacks were off arrived")
	default:
	}
}

func TestTwilioSignature_KnownVector(t *testing.T) {
	t.Parallel()
	// The vector twilio-go's RequestValidator is tested with.
	params := url.Values{
		"Digits": {"1234"}, "CallSid": {"CA1234567890ABCDE"}, "To": {"+18005551212"},
		"Caller": {"+14158675309"}, "From": {"+14158675309"},
		"ReasonConferenceEnded": {"test"}, "Reason": {"Participant"},
	}
	require.Equal(t, "vOEb5UThFn24KEfnOFLQY2AE5FY=",
		TwilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params))
}

func TestTwilioAPI_PersistsAndViewerShowsKinds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mb, err := NewMailbox(dir)
	require.NoError(t, err)
	_, base := startTwilio(t, mb)
	email, err := mb.Add("billing@recoup.test", []string{"c@example.com"}, rawMail("Invoice 42", "hello"))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, post(t, base, "Messages.json", smsForm("+33612345678", "Pay <now> & thanks")).status)
	require.Equal(t, http.StatusCreated, post(t, base, "Calls.json", url.Values{
		"To": {"+33612345678"}, "From": {testFrom}, "Twiml": {frenchTwiML},
	}).status)

	reopened, err := NewMailbox(dir)
	require.NoError(t, err)
	require.Equal(t, mb.Messages(), reopened.Messages(), "SMS and calls survive a restart, SID included")
	msgs := reopened.Messages()
	call, sms := msgs[0], msgs[1]
	require.Equal(t, KindSMS, sms.Kind)
	require.NotEmpty(t, sms.SID)

	h := reopened.Handler("/dev/mail")
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, http.StatusOK, rec.Code, path)
		return rec
	}

	list := get("/dev/mail").Body.String()
	require.Contains(t, list, `<span class="kind">sms</span>`)
	require.Contains(t, list, `<span class="kind">call</span>`)
	require.Contains(t, list, "Pay &lt;now&gt; &amp; thanks", "SMS text stands in for the subject, escaped")
	require.Contains(t, list, "Bonjour, vous devez 120 €")
	require.Contains(t, list, "Invoice 42")

	page := get("/dev/mail/" + call.ID).Body.String()
	require.Contains(t, page, "Call to &#43;33612345678") // html/template escapes +
	require.Contains(t, page, call.SID)
	require.Contains(t, page, "Bonjour, vous devez 120 € &lt;aujourd&#39;hui&gt; &amp; merci.", "spoken text")
	require.Contains(t, page, "&lt;Say language=&#34;fr-FR&#34;&gt;", "TwiML shown escaped")
	require.NotContains(t, page, "<Say")

	page = get("/dev/mail/" + sms.ID).Body.String()
	require.Contains(t, page, "SMS to &#43;33612345678")
	require.Contains(t, page, "Text message")

	raw := get("/dev/mail/" + sms.ID + "/raw")
	require.Equal(t, "message/http", raw.Header().Get("Content-Type"))
	require.Equal(t, "attachment; filename="+sms.ID+".http", raw.Header().Get("Content-Disposition"))
	require.True(t, strings.HasPrefix(raw.Body.String(), "POST /twilio/2010-04-01/Accounts/"+testSID+"/Messages.json HTTP/1.1\r\n"))

	var one Message
	require.NoError(t, json.Unmarshal(get("/dev/mail/"+call.ID+"?format=json").Body.Bytes(), &one))
	require.Equal(t, call.SID, one.SID)
	require.Equal(t, frenchTwiML, one.TwiML)

	// Email is shown as before.
	require.Contains(t, get("/dev/mail/"+email.ID).Body.String(), "download .eml")
}

func TestSpokenText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, twiml, want, err string
	}{
		{"one Say", `<Response><Say>Hello</Say></Response>`, "Hello", ""},
		{"several verbs", `<?xml version="1.0"?><Response><Say> One </Say><Pause length="1"/><Say language="de-DE">Zwei</Say></Response>`, "One\nZwei", ""},
		{"SSML inside Say", `<Response><Say>Pay <emphasis>now</emphasis>.</Say></Response>`, "Pay now.", ""},
		{"entities", `<Response><Say>A &amp; B &lt;3&gt;</Say></Response>`, "A & B <3>", ""},
		{"nothing said", `<Response><Play>https://x/a.mp3</Play></Response>`, "", ""},
		{"wrong root", `<Say>Hi</Say>`, "", "not <Response>"},
		{"not XML", `<Response><Say>Hi</Response>`, "", "element <Say> closed by </Response>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := spokenText(tc.twiml)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestSMSSegments(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body string
		want int
	}{
		{"hello", 1},
		{strings.Repeat("a", 160), 1},
		{strings.Repeat("a", 161), 2},
		{strings.Repeat("é", 70), 1},
		{strings.Repeat("é", 71), 2},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, smsSegments(tc.body), "%d runes", len([]rune(tc.body)))
	}
}

func TestNewTwilioAPI_Errors(t *testing.T) {
	t.Parallel()
	mb, err := NewMailbox("")
	require.NoError(t, err)
	_, err = NewTwilioAPI(nil, testSID, testToken, nil)
	require.Error(t, err)
	_, err = NewTwilioAPI(mb, "", testToken, nil)
	require.Error(t, err)
	_, err = NewTwilioAPI(mb, testSID, "", nil)
	require.Error(t, err)
}

// The stand-in must not leave goroutines posting after Close, even if the target hangs.
func TestTwilioAPI_CloseWaitsForCallbacks(t *testing.T) {
	t.Parallel()
	mb, err := NewMailbox("")
	require.NoError(t, err)
	tw, base := startTwilio(t, mb)
	tw.SetStatusCallbacks(true)
	arrived := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		time.Sleep(100 * time.Millisecond)
	}))
	t.Cleanup(slow.Close)
	require.Equal(t, http.StatusCreated, post(t, base, "Messages.json", url.Values{
		"To": {"+33612345678"}, "From": {testFrom}, "Body": {"x"}, "StatusCallback": {slow.URL},
	}).status)
	<-arrived
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { tw.Close(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("Close did not return")
	}
}
