package capture

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// TwilioAPI stands in for the part of Twilio's REST API that Recoup uses (through twilio-go):
//
//	POST …/2010-04-01/Accounts/{AccountSid}/Messages.json   send an SMS: 201, sid "SM…", status "queued"
//	POST …/2010-04-01/Accounts/{AccountSid}/Calls.json      place a call: 201, sid "CA…", status "queued"
//
// It may be mounted under any prefix; point TWILIO_API_URL at that prefix. Requests must use
// HTTP basic auth with the account SID and auth token it was created with, like Twilio.
// Every accepted SMS or call is stored in the Mailbox (KindSMS, KindCall) and shown by the
// viewer beside email. Errors are answered in Twilio's JSON error format:
//
//   - Twilio's test-credential numbers are rejected as Twilio would: +15005550001 (21211
//     invalid number), +15005550002 (21612 not reachable), +15005550003 (21408 region not
//     permitted), +15005550004 (21610 unsubscribed), +15005550009 (21614 not a mobile
//     number); RejectNumber adds more.
//   - FailNext makes the next requests fail with 503, like a Twilio outage.
//   - With SetStatusCallbacks(true), each SMS or call with a StatusCallback URL is followed
//     by one callback with its final status (delivered / completed, or what SetOutcome
//     says), signed with X-Twilio-Signature like Twilio's, so webhook verification runs for
//     real.
//
// It is for development and tests only.
type TwilioAPI struct {
	mb         *Mailbox
	accountSID string
	authToken  string
	logger     *slog.Logger
	client     *http.Client // posts status callbacks

	mu        sync.Mutex
	rejects   map[string]int     // To number → Twilio error code answered with 400
	outcomes  map[string]outcome // To number → final status reported to the StatusCallback
	failNext  int                // requests still to be answered with 503
	callbacks bool
	closed    bool
	pending   sync.WaitGroup // status callbacks being posted; Close waits for them
}

type outcome struct{ status, errorCode string }

// twilioMagicNumbers are Twilio's documented test-credential "To" numbers that fail.
var twilioMagicNumbers = map[string]int{
	"+15005550001": 21211,
	"+15005550002": 21612,
	"+15005550003": 21408,
	"+15005550004": 21610,
	"+15005550009": 21614,
}

const (
	twilioAPIPrefix     = "/2010-04-01/Accounts/"
	twilioAPIVersion    = "2010-04-01"
	maxTwilioBody       = 64 << 10 // Twilio caps a TwiML parameter at 4000 chars and a body at 1600
	twilioCallbackLimit = 10 * time.Second
	// twilioTime is the RFC 2822 form Twilio's JSON uses for dates.
	twilioTime = "Mon, 02 Jan 2006 15:04:05 -0700"
)

// NewTwilioAPI returns a stand-in that accepts requests authenticated as accountSID with
// authToken and stores what they send in mb. A nil logger discards logs.
func NewTwilioAPI(mb *Mailbox, accountSID, authToken string, logger *slog.Logger) (*TwilioAPI, error) {
	if mb == nil {
		return nil, errors.New("capture: NewTwilioAPI needs a Mailbox")
	}
	if accountSID == "" || authToken == "" {
		return nil, errors.New("capture: NewTwilioAPI needs an account SID and an auth token")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &TwilioAPI{
		mb: mb, accountSID: accountSID, authToken: authToken, logger: logger,
		client:   &http.Client{Timeout: twilioCallbackLimit},
		rejects:  maps.Clone(twilioMagicNumbers),
		outcomes: map[string]outcome{},
	}, nil
}

// RejectNumber makes SMS and calls to number fail with HTTP 400 and the Twilio error code
// (e.g. 21211 invalid number, 21610 unsubscribed, 21614 not a mobile number). Code 0 accepts
// the number again.
func (t *TwilioAPI) RejectNumber(number string, code int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if code == 0 {
		delete(t.rejects, number)
		return
	}
	t.rejects[number] = code
}

// FailNext makes the next n API requests fail with 503 Service Unavailable.
func (t *TwilioAPI) FailNext(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failNext = n
}

// SetStatusCallbacks turns posting status callbacks on or off (off initially).
func (t *TwilioAPI) SetStatusCallbacks(on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.callbacks = on
}

// SetOutcome sets the final status that status callbacks report for number instead of
// delivered (SMS) or completed (calls), e.g. "undelivered" with error code "30003", or
// "busy" / "no-answer" for calls. An empty status restores the default.
func (t *TwilioAPI) SetOutcome(number, status, errorCode string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if status == "" {
		delete(t.outcomes, number)
		return
	}
	t.outcomes[number] = outcome{status, errorCode}
}

// Close stops posting status callbacks and waits for those in flight. The handler keeps
// answering API requests. Calling it again is a no-op.
func (t *TwilioAPI) Close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.pending.Wait()
}

// twilioErrorMessages are the messages Twilio answers the codes with (numbers left out).
var twilioErrorMessages = map[int]string{
	20003: "Authenticate",
	20004: "Method not allowed",
	20404: "The requested resource was not found",
	20500: "Internal Server Error",
	20503: "Service Unavailable",
	21201: "No 'To' number is specified",
	21205: "Url parameter is required.",
	21211: "Invalid 'To' Phone Number",
	21213: "Caller phone number is required",
	21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
	21602: "Message body is required.",
	21603: "A 'From' phone number is required.",
	21604: "A 'To' phone number is required.",
	21610: "Attempt to send to unsubscribed recipient",
	21612: "The 'To' phone number is not currently reachable via SMS",
	21614: "'To' number is not a valid mobile number",
	21617: "The concatenated message body exceeds the 1600 character limit.",
}

func (t *TwilioAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := strings.Index(r.URL.Path, twilioAPIPrefix)
	if i < 0 {
		twilioError(w, http.StatusNotFound, 20404)
		return
	}
	account, resource, _ := strings.Cut(r.URL.Path[i+len(twilioAPIPrefix):], "/")
	var kind Kind
	switch resource {
	case "Messages.json":
		kind = KindSMS
	case "Calls.json":
		kind = KindCall
	default:
		twilioError(w, http.StatusNotFound, 20404)
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok || user != t.accountSID || pass != t.authToken || account != t.accountSID {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		twilioError(w, http.StatusUnauthorized, 20003)
		return
	}
	if r.Method != http.MethodPost {
		twilioError(w, http.StatusMethodNotAllowed, 20004)
		return
	}
	t.mu.Lock()
	outage := t.failNext > 0
	if outage {
		t.failNext--
	}
	t.mu.Unlock()
	if outage {
		twilioError(w, http.StatusServiceUnavailable, 20503)
		return
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTwilioBody))
	if err != nil {
		twilioError(w, http.StatusBadRequest, 0)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		twilioError(w, http.StatusBadRequest, 0)
		return
	}
	if code := t.check(kind, form); code != 0 {
		twilioError(w, http.StatusBadRequest, code)
		return
	}

	prefix := "SM"
	if kind == KindCall {
		prefix = "CA"
	}
	sid := prefix + randomHex(16)
	msg, err := t.mb.addTwilio(kind, sid, form.Get("From"), form.Get("To"), dumpRequest(r, body))
	if err != nil {
		t.logger.Error("capture: storing twilio request failed", "err", err, "kind", kind)
		twilioError(w, http.StatusInternalServerError, 20500)
		return
	}
	t.logger.Debug("capture: "+string(kind)+" received", "id", msg.ID, "sid", sid, "from", msg.From, "to", msg.To)

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(t.resource(kind, sid, msg.Received, form))
	t.scheduleCallback(kind, sid, form)
}

// e164 is what Twilio accepts as a phone number here (it also takes other forms, e.g.
// "whatsapp:", which Recoup does not send).
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// check validates a request as Twilio would and returns the error code to answer with, or 0.
func (t *TwilioAPI) check(kind Kind, form url.Values) int {
	to, from := form.Get("To"), form.Get("From")
	if kind == KindSMS {
		switch body := form.Get("Body"); {
		case to == "":
			return 21604
		case from == "":
			return 21603
		case body == "" && form.Get("MediaUrl") == "":
			return 21602
		case utf8.RuneCountInString(body) > 1600:
			return 21617
		}
	} else {
		switch {
		case to == "":
			return 21201
		case from == "":
			return 21213
		case form.Get("Twiml") == "" && form.Get("Url") == "" && form.Get("ApplicationSid") == "":
			return 21205
		}
	}
	t.mu.Lock()
	code := t.rejects[to]
	t.mu.Unlock()
	if code == 0 && !e164.MatchString(to) {
		code = 21211
	}
	return code
}

func twilioError(w http.ResponseWriter, status, code int) {
	msg, ok := twilioErrorMessages[code]
	if !ok {
		msg = http.StatusText(status)
	}
	body := map[string]any{"code": code, "message": msg, "more_info": "", "status": status}
	if code != 0 {
		body["more_info"] = "https://www.twilio.com/docs/errors/" + strconv.Itoa(code)
	} else {
		body["code"] = nil
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// resource is the JSON Twilio answers a create with (the fields twilio-go's models know).
func (t *TwilioAPI) resource(kind Kind, sid string, created time.Time, form url.Values) map[string]any {
	date := created.Format(twilioTime)
	collection := "Messages"
	if kind == KindCall {
		collection = "Calls"
	}
	uri := twilioAPIPrefix + t.accountSID + "/" + collection + "/" + sid
	res := map[string]any{
		"account_sid": t.accountSID, "api_version": twilioAPIVersion, "sid": sid, "status": "queued",
		"from": form.Get("From"), "to": form.Get("To"), "direction": "outbound-api",
		"date_created": date, "date_updated": date, "price": nil, "price_unit": "USD", "uri": uri + ".json",
	}
	if kind == KindSMS {
		maps.Copy(res, map[string]any{
			"body": form.Get("Body"), "num_segments": strconv.Itoa(smsSegments(form.Get("Body"))), "num_media": "0",
			"date_sent": nil, "error_code": nil, "error_message": nil, "messaging_service_sid": nil,
			"subresource_uris": map[string]string{"media": uri + "/Media.json", "feedback": uri + "/Feedback.json"},
		})
	} else {
		maps.Copy(res, map[string]any{
			"from_formatted": form.Get("From"), "to_formatted": form.Get("To"), "parent_call_sid": nil,
			"phone_number_sid": nil, "start_time": nil, "end_time": nil, "duration": nil, "answered_by": nil,
			"caller_name": nil, "forwarded_from": nil, "group_sid": nil, "queue_time": "0", "trunk_sid": nil,
			"subresource_uris": map[string]string{
				"notifications": uri + "/Notifications.json", "recordings": uri + "/Recordings.json",
				"events": uri + "/Events.json",
			},
		})
	}
	return res
}

// smsSegments counts the parts an SMS is split into: 160/153 characters when it fits GSM-7
// (approximated as ASCII), 70/67 otherwise.
func smsSegments(body string) int {
	single, multi := 160, 153
	for _, r := range body {
		if r >= 0x80 {
			single, multi = 70, 67
			break
		}
	}
	n := utf8.RuneCountInString(body)
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// dumpRequest renders the request as HTTP/1.1 text without the Authorization header, which
// carries the auth token. It is what the viewer offers as the raw message.
func dumpRequest(r *http.Request, body []byte) []byte {
	uri := r.RequestURI
	if !strings.HasPrefix(uri, "/") {
		uri = r.URL.RequestURI()
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", r.Method, uri, r.Host)
	_ = r.Header.WriteSubset(&b, map[string]bool{"Authorization": true, "Content-Length": true, "Host": true})
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.Write(body)
	return b.Bytes()
}

// addTwilio captures one SMS or call; raw is the HTTP request as dumpRequest renders it.
func (m *Mailbox) addTwilio(kind Kind, sid, from, to string, raw []byte) (Message, error) {
	msg := Message{
		Kind:     kind,
		Received: time.Now().UTC(),
		From:     from,
		To:       []string{to},
		SID:      sid,
		Raw:      bytes.Clone(raw),
	}
	parseTwilio(&msg)
	return m.insert(msg, msg.Raw)
}

// parseTwilio fills the decoded fields of an SMS or call from m.Raw. Like parseEmail it never
// fails: problems end up in m.ParseError.
func parseTwilio(m *Message) {
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(m.Raw)))
	if err != nil {
		m.ParseError = "reading request: " + err.Error()
		m.Text = toUTF8(m.Raw, "")
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		m.ParseError = "reading request body: " + err.Error()
	}
	m.Header = req.Header
	form, err := url.ParseQuery(string(body))
	if err != nil {
		m.ParseError = "parsing form: " + err.Error()
	}
	m.Params = form
	if m.Kind == KindSMS {
		m.Text = form.Get("Body")
		return
	}
	m.TwiML = form.Get("Twiml")
	if m.TwiML == "" {
		if u := form.Get("Url"); u != "" {
			m.Text = "(TwiML fetched from " + u + " when the call is answered)"
		}
		return
	}
	m.Text, err = spokenText(m.TwiML)
	if err != nil {
		m.ParseError = "TwiML: " + err.Error()
	}
}

// spokenText returns the text of the TwiML's <Say> verbs, one per line.
func spokenText(twiml string) (string, error) {
	dec := xml.NewDecoder(strings.NewReader(twiml))
	var said []string
	var cur strings.Builder
	depth, inSay := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return strings.Join(said, "\n"), err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 && tok.Name.Local != "Response" {
				return "", fmt.Errorf("root element is <%s>, not <Response>", tok.Name.Local)
			}
			depth++
			if tok.Name.Local == "Say" {
				inSay++
			}
		case xml.EndElement:
			depth--
			if tok.Name.Local == "Say" && inSay > 0 {
				inSay--
				if inSay == 0 {
					said = append(said, strings.TrimSpace(cur.String()))
					cur.Reset()
				}
			}
		case xml.CharData:
			if inSay > 0 { // includes the text inside SSML tags such as <emphasis>
				cur.Write(tok)
			}
		}
	}
	return strings.Join(said, "\n"), nil
}

// scheduleCallback posts the final status of an accepted SMS or call to its StatusCallback,
// asynchronously like Twilio.
func (t *TwilioAPI) scheduleCallback(kind Kind, sid string, form url.Values) {
	target := form.Get("StatusCallback")
	if target == "" {
		return
	}
	to := form.Get("To")
	t.mu.Lock()
	if !t.callbacks || t.closed {
		t.mu.Unlock()
		return
	}
	out, ok := t.outcomes[to]
	t.pending.Add(1) // under mu, so Close cannot be waiting already
	t.mu.Unlock()

	params := url.Values{
		"AccountSid": {t.accountSID}, "ApiVersion": {twilioAPIVersion},
		"From": {form.Get("From")}, "To": {to},
	}
	if kind == KindSMS {
		if !ok {
			out = outcome{status: "delivered"}
		}
		params.Set("MessageSid", sid)
		params.Set("SmsSid", sid)
		params.Set("MessageStatus", out.status)
		params.Set("SmsStatus", out.status)
	} else {
		if !ok {
			out = outcome{status: "completed"}
		}
		duration := "0"
		if out.status == "completed" {
			duration = "12"
		}
		params.Set("CallSid", sid)
		params.Set("CallStatus", out.status)
		params.Set("Called", to)
		params.Set("Caller", form.Get("From"))
		params.Set("Direction", "outbound-api")
		params.Set("CallDuration", duration)
		params.Set("Duration", duration)
		params.Set("SequenceNumber", "0")
		params.Set("CallbackSource", "call-progress-events")
		params.Set("Timestamp", time.Now().UTC().Format(twilioTime))
	}
	if out.errorCode != "" {
		params.Set("ErrorCode", out.errorCode)
	}
	go func() {
		defer t.pending.Done()
		t.postCallback(target, params)
	}()
}

func (t *TwilioAPI) postCallback(target string, params url.Values) {
	ctx, cancel := context.WithTimeout(context.Background(), twilioCallbackLimit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(params.Encode()))
	if err != nil {
		t.logger.Warn("capture: twilio status callback: bad URL", "url", target, "err", err)
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", TwilioSignature(t.authToken, target, params))
	req.Header.Set("I-Twilio-Idempotency-Token", randomHex(16))
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	resp, err := t.client.Do(req)
	if err != nil {
		t.logger.Warn("capture: twilio status callback failed", "url", target, "err", err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.logger.Warn("capture: twilio status callback rejected", "url", target, "status", resp.StatusCode)
	}
}

// TwilioSignature computes X-Twilio-Signature as Twilio does for a form POST to target:
// base64(HMAC-SHA1(authToken, target + each parameter name and value, sorted by name)).
func TwilioSignature(authToken, target string, params url.Values) string {
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(target))
	for _, k := range slices.Sorted(maps.Keys(params)) {
		for _, v := range params[k] {
			mac.Write([]byte(k + v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
