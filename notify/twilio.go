package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	twapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// Kinds of StatusUpdate.
const (
	KindSMS  = "sms"
	KindCall = "call"
)

// IdempotencyHeader carries the idempotency key of SendSMS and Call.
const IdempotencyHeader = "I-Twilio-Idempotency-Token"

// twilioTimeout bounds one API request; a shorter ctx deadline wins.
const twilioTimeout = 30 * time.Second

// Twilio sends SMS and places voice calls through Twilio's REST API (twilio-go). It is safe
// for concurrent use.
type Twilio struct {
	accountSID string
	authToken  string
	from       string
	apiURL     *url.URL          // nil: Twilio itself
	transport  http.RoundTripper // shared, so connections are reused across requests
}

// twilio-go refuses credentials with other characters (error 21222/21224) at request time;
// checking here turns a misconfiguration into a startup error instead.
var alphanumeric = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// NewTwilio returns a client sending from the number from (E.164).
//
// apiURL "" talks to Twilio. Otherwise every request goes to apiURL instead of
// https://api.twilio.com, keeping Twilio's path (/2010-04-01/Accounts/…) under apiURL's own
// path, so that tests and `recoup dev` can point the client at capture.TwilioAPI.
// twilio-go hard-codes its base URL (ApiService.baseURL is unexported), so the redirect is
// done by the http.RoundTripper of the client given to twilio-go.
func NewTwilio(accountSID, authToken, from, apiURL string) (*Twilio, error) {
	if !alphanumeric.MatchString(accountSID) || !alphanumeric.MatchString(authToken) {
		return nil, errors.New("notify: Twilio account SID and auth token must be set and alphanumeric")
	}
	if strings.TrimSpace(from) == "" {
		return nil, errors.New("notify: Twilio from number is not set")
	}
	t := &Twilio{accountSID: accountSID, authToken: authToken, from: from, transport: http.DefaultTransport}
	if apiURL != "" {
		u, err := url.Parse(apiURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return nil, fmt.Errorf("notify: Twilio API URL %q: want http(s)://host[:port][/path]", apiURL)
		}
		t.apiURL = u
	}
	return t, nil
}

// SendSMS sends body to the number to and returns the message SID ("SM…"). Twilio reports
// delivery to statusCallback (an absolute URL served by WebhookHandler; "" for none).
//
// idempotencyKey is sent as the I-Twilio-Idempotency-Token header. Twilio documents that
// header only on the webhooks it sends, not as deduplication of API requests, so a retry after
// a lost response may still send a second SMS; the header at least lets the stand-in and
// logs show which requests were retries of one another.
func (t *Twilio) SendSMS(ctx context.Context, to, body, statusCallback, idempotencyKey string) (sid string, err error) {
	if to == "" || body == "" {
		return "", permanent(errors.New("notify: sms: recipient and body are required"))
	}
	params := &twapi.CreateMessageParams{}
	params.SetTo(to)
	params.SetFrom(t.from)
	params.SetBody(body)
	if statusCallback != "" {
		params.SetStatusCallback(statusCallback)
	}
	ctx, cancel := context.WithTimeout(ctx, twilioTimeout)
	defer cancel()
	msg, err := t.api(ctx, idempotencyKey).CreateMessage(params)
	if err != nil {
		return "", classifyTwilio(ctx, "sms", err)
	}
	if msg.Sid == nil || *msg.Sid == "" {
		// Twilio accepted the request, so it may have sent the SMS: not a permanent failure,
		// but no SID to track either.
		return "", errors.New("notify: sms: Twilio answered without a message SID")
	}
	return *msg.Sid, nil
}

// Call places a call to the number to that executes twiml (see SayTwiML) when answered, and
// returns the call SID ("CA…"). Twilio reports the call's outcome (completed, busy,
// no-answer, failed) to statusCallback. idempotencyKey is handled as for SendSMS.
func (t *Twilio) Call(ctx context.Context, to, twiml, statusCallback, idempotencyKey string) (sid string, err error) {
	if to == "" || twiml == "" {
		return "", permanent(errors.New("notify: call: recipient and TwiML are required"))
	}
	params := &twapi.CreateCallParams{}
	params.SetTo(to)
	params.SetFrom(t.from)
	params.SetTwiml(twiml)
	if statusCallback != "" {
		params.SetStatusCallback(statusCallback)
		params.SetStatusCallbackMethod(http.MethodPost)
		params.SetStatusCallbackEvent([]string{"completed"}) // only the outcome, not ringing etc.
	}
	ctx, cancel := context.WithTimeout(ctx, twilioTimeout)
	defer cancel()
	call, err := t.api(ctx, idempotencyKey).CreateCall(params)
	if err != nil {
		return "", classifyTwilio(ctx, "call", err)
	}
	if call.Sid == nil || *call.Sid == "" {
		return "", errors.New("notify: call: Twilio answered without a call SID")
	}
	return *call.Sid, nil
}

// api returns a twilio-go service for one request. twilio-go builds its requests with
// context.Background() and has no per-request headers, so ctx, the idempotency header and the
// base URL override are all applied by the transport; a fresh client per request is cheap
// (the transport underneath, with its connections, is shared).
func (t *Twilio) api(ctx context.Context, idempotencyKey string) *twapi.ApiService {
	c := &twclient.Client{
		Credentials: twclient.NewCredentials(t.accountSID, t.authToken),
		HTTPClient: &http.Client{
			Transport: &twilioTransport{ctx: ctx, base: t.apiURL, idempotencyKey: idempotencyKey, next: t.transport},
			// As twilio-go's default client: hand redirects back instead of following them.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		UserAgentExtensions: []string{"recoup"},
	}
	c.SetAccountSid(t.accountSID)
	return twapi.NewApiServiceWithClient(c)
}

type twilioTransport struct {
	ctx            context.Context
	base           *url.URL
	idempotencyKey string
	next           http.RoundTripper
}

func (tt *twilioTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(tt.ctx) // RoundTrippers must not modify the request they are given
	if tt.base != nil {
		r.URL.Scheme = tt.base.Scheme
		r.URL.Host = tt.base.Host
		r.URL.Path = strings.TrimSuffix(tt.base.Path, "/") + req.URL.Path
		r.URL.RawPath = ""
		r.Host = ""
	}
	if tt.idempotencyKey != "" {
		r.Header.Set(IdempotencyHeader, tt.idempotencyKey)
	}
	return tt.next.RoundTrip(r)
}

// permanentTwilioCodes are the Twilio error codes that reject this recipient or this request
// for good (https://www.twilio.com/docs/api/errors). Other 4xx codes (authentication, account
// or from-number problems, rate limits) are left temporary: an operator can fix them, and
// marking every customer's reminder as undeliverable meanwhile would be wrong.
var permanentTwilioCodes = map[int]string{
	21211: "invalid 'To' phone number",
	21214: "'To' phone number cannot be reached",
	21215: "calls to this region are not permitted (geo permissions)",
	21216: "call blocked by Twilio's block list",
	21217: "phone number not verified (trial account)",
	21401: "invalid phone number",
	21407: "phone number type does not support SMS",
	21408: "SMS to this region is not permitted (geo permissions)",
	21421: "phone number is invalid",
	21602: "message body is required",
	21604: "'To' phone number is required",
	21610: "recipient has unsubscribed (replied STOP)",
	21612: "'To' phone number is not reachable via SMS",
	21614: "'To' number is not a valid mobile number",
	21617: "message body exceeds the 1600 character limit",
}

func classifyTwilio(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("notify: %s: %w (%v)", what, ctx.Err(), err)
	}
	wrapped := fmt.Errorf("notify: %s: %w", what, err)
	var status, code int
	var rest *twclient.TwilioRestError
	var restV1 *twclient.RestErrorV1
	switch {
	case errors.As(err, &rest):
		status, code = rest.Status, rest.Code
	case errors.As(err, &restV1):
		status, code = restV1.HttpStatusCode, restV1.Code
	}
	if _, ok := permanentTwilioCodes[code]; ok && status >= 400 && status < 500 {
		return permanent(wrapped)
	}
	return wrapped
}
