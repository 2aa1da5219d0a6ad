package integration

// The crash and outage tests (README "Crash and outage tests"): a batch of
// accounts whose first reminder is due now goes out while a dependency is
// killed or taken away; afterwards every reminder reached the provider
// exactly once (but for the documented window), and no workflow failed.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"recoup/capture"
	"recoup/importer"
	"recoup/notify"
	"recoup/store"
)

// crashBatch is the number of accounts (one reminder each) of a crash test's
// batch: RECOUP_CRASH_BATCH, else def (sized so that the tests together stay
// within a few minutes of `make test` on 2 cores).
func crashBatch(tb testing.TB, def int) int {
	tb.Helper()
	if s := os.Getenv("RECOUP_CRASH_BATCH"); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(tb, err, "RECOUP_CRASH_BATCH")
		require.Positive(tb, n, "RECOUP_CRASH_BATCH")
		return n
	}
	return def
}

// loadBatch imports, into st, one entity whose local date today is a
// business day and n accounts with one invoice due 7 days ago each, so that
// each account's first action is one reminder_1. With phones the customers
// have a mobile number (and consent to texts) but no email address: the
// reminder falls back to a text. The returned rig has no Temporal client yet.
func loadBatch(tb testing.TB, ctx context.Context, st *store.Store, n int, phones bool) *dunningRig {
	tb.Helper()
	r := &dunningRig{st: st, im: importer.New(st.Pool)}
	country, zone, today := dueZone(tb, 15*time.Minute)
	r.zone, r.due, r.issue = zone, today.AddDays(-7), today.AddDays(-37)
	r.load(tb, ctx, importer.Entities, fmt.Sprintf("code,name,country,currency,timezone,language\nDN01,Dunning Test SA,%s,EUR,%s,en\n", country, zone))
	_, err := st.Pool.Exec(ctx, `UPDATE entities SET contact_any_time = true`) // not depend on the hour the test runs
	require.NoError(tb, err)
	if !phones {
		r.ids = r.addAccounts(tb, ctx, n)
		return r
	}
	var customers, invoices bytes.Buffer
	customers.WriteString("external_id,entity,name,currency,email,phone,language,sms_consent\n")
	invoices.WriteString("external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n")
	for i := range n {
		fmt.Fprintf(&customers, "C%06d,DN01,Customer %d SA,EUR,,%s,en,true\n", i, i, rigPhone(i))
		fmt.Fprintf(&invoices, "INV%06d,C%06d,F-%06d,invoice,%s,%s,EUR,%d.00,%d.00\n", i, i, i, r.issue, r.due, 100+i%900, 100+i%900)
	}
	r.load(tb, ctx, importer.Customers, customers.String())
	r.load(tb, ctx, importer.Invoices, invoices.String())
	r.accounts = n
	rows, err := st.Pool.Query(ctx, rigAccountIDs, "C000000", fmt.Sprintf("C%06d", n-1))
	require.NoError(tb, err)
	r.ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(tb, err)
	require.Len(tb, r.ids, n)
	return r
}

func rigPhone(i int) string { return fmt.Sprintf("+336%08d", i) }

// messageKeys reads the message log: each key and its status.
func messageKeys(tb testing.TB, ctx context.Context, st *store.Store) map[string]string {
	tb.Helper()
	rows, err := st.Pool.Query(ctx, `SELECT key, status FROM message_log`)
	require.NoError(tb, err)
	out := map[string]string{}
	for rows.Next() {
		var k, s string
		require.NoError(tb, rows.Scan(&k, &s))
		out[k] = s
	}
	require.NoError(tb, rows.Err())
	return out
}

// requireEachOnce checks the end of a batch of n accounts: the message log
// has one finished row per account, with status want, and the provider
// received each key exactly once (received maps the key's provider-side
// identity to a count), except the keys in window, which it may have
// received twice. It returns the number of keys received twice.
func requireEachOnce(tb testing.TB, ctx context.Context, st *store.Store, n int, want string, received map[string]int, ident func(key string) string, window map[string]bool) int {
	tb.Helper()
	keys := messageKeys(tb, ctx, st)
	require.Len(tb, keys, n, "one message log row per account")
	var dups, lost, beyond []string
	for k, status := range keys {
		require.Equal(tb, want, status, k)
		switch c := received[ident(k)]; {
		case c == 0:
			lost = append(lost, k)
		case c == 2 && window[k]:
			dups = append(dups, k)
		case c > 1:
			beyond = append(beyond, fmt.Sprintf("%s×%d", k, c))
		}
	}
	require.Empty(tb, lost, "reminders recorded but never received")
	require.Empty(tb, beyond, "reminders received more than once outside the documented window")
	total := 0
	for _, c := range received {
		total += c
	}
	require.Equal(tb, n+len(dups), total, "nothing received that is not a key of the message log")
	return len(dups)
}

// requireNoWorkflowFailed checks, in Temporal's visibility, that no workflow
// of the namespace failed, timed out or was terminated.
func requireNoWorkflowFailed(tb testing.TB, ctx context.Context, tc client.Client) {
	tb.Helper()
	count := func(status string) int64 {
		resp, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: fmt.Sprintf("ExecutionStatus = %q", status)})
		require.NoError(tb, err)
		return resp.GetCount()
	}
	require.Positive(tb, count("Running"), "the accounts' workflows wait for their next step") // the query works
	for _, status := range []string{"Failed", "TimedOut", "Terminated"} {
		require.Zero(tb, count(status), "workflows %s", status)
	}
}

// faultySMTP is an SMTP server (go-smtp) that records the Message-ID of each
// message it accepts, and that a test can take down (connections refused),
// make answer 451 to every DATA (the message transferred, then refused: a
// temporary failure), and bring back, on the same address.
type faultySMTP struct {
	addr string
	log  *slog.Logger

	mu       sync.Mutex
	srv      *smtp.Server // nil while down
	tempFail bool
	got      map[string]int // Message-ID → times accepted
	// answerAfter delays the 250 that follows an accepted DATA, as a busy
	// server does: a message stored but not yet confirmed is the window
	// "provider accepted, record not yet written" of a crash.
	answerAfter time.Duration
	refused     int // DATA answered 451
	inData      int // DATA transactions being read
}

func startFaultySMTP(tb testing.TB) *faultySMTP {
	tb.Helper()
	s := &faultySMTP{got: map[string]int{}, log: slog.New(slog.DiscardHandler)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	s.addr = ln.Addr().String()
	s.serve(ln)
	tb.Cleanup(s.down)
	return s
}

func (s *faultySMTP) serve(ln net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &faultySession{s: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	srv.ErrorLog = stdlog.New(io.Discard, "", 0) // a killed client's reset connection is expected here
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// down closes the listener and every connection: clients get "connection refused".
func (s *faultySMTP) down() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// up listens again on the same address; tempFail makes it answer 451 to each DATA.
func (s *faultySMTP) up(tb testing.TB, tempFail bool) {
	tb.Helper()
	s.mu.Lock()
	s.tempFail = tempFail
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		return
	}
	var ln net.Listener
	require.Eventually(tb, func() bool {
		var err error
		ln, err = net.Listen("tcp", s.addr)
		return err == nil
	}, 10*time.Second, 50*time.Millisecond, "listen again on %s", s.addr)
	s.serve(ln)
}

// received returns, per Message-ID, how often a message was accepted.
func (s *faultySMTP) received() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.got))
	for k, v := range s.got {
		out[k] = v
	}
	return out
}

// counts returns the messages accepted, the DATA refused with 451, and the DATA being read now.
func (s *faultySMTP) counts() (accepted, refused, inData int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.got {
		accepted += c
	}
	return accepted, s.refused, s.inData
}

type faultySession struct{ s *faultySMTP }

func (f *faultySession) Mail(string, *smtp.MailOptions) error { return nil }
func (f *faultySession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (f *faultySession) Reset()                               {}
func (f *faultySession) Logout() error                        { return nil }

func (f *faultySession) Data(r io.Reader) error {
	s := f.s
	s.mu.Lock()
	s.inData++
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.inData--; s.mu.Unlock() }()
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, msg.Body); err != nil {
		return err
	}
	s.mu.Lock()
	if s.tempFail {
		s.refused++
		s.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.got[msg.Header.Get("Message-Id")]++
	delay := s.answerAfter
	s.mu.Unlock()
	time.Sleep(delay)
	return nil
}

// emailIdent is the Message-ID an email reminder of key carries.
func emailIdent(key string) string { return notify.MessageID(key) }

// twilioIdent is the idempotency header a text of key carries.
func twilioIdent(key string) string { return key }

// faultyTwilio is the capture package's Twilio stand-in on a listener that a
// test can close (connections refused) and open again on the same address.
type faultyTwilio struct {
	api  *capture.TwilioAPI
	mb   *capture.Mailbox
	addr string
	mu   sync.Mutex
	srv  *http.Server // nil while down
}

const (
	crashTwilioSID   = "ACcrash0000000000000000000000000000"
	crashTwilioToken = "crashtoken"
	crashTwilioFrom  = "+15005550006"
)

func startFaultyTwilio(tb testing.TB) *faultyTwilio {
	tb.Helper()
	mb, err := capture.NewMailbox("", capture.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(tb, err)
	api, err := capture.NewTwilioAPI(mb, crashTwilioSID, crashTwilioToken, nil)
	require.NoError(tb, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	f := &faultyTwilio{api: api, mb: mb, addr: ln.Addr().String()}
	f.serve(ln)
	tb.Cleanup(f.down)
	tb.Cleanup(api.Close)
	return f
}

func (f *faultyTwilio) serve(ln net.Listener) {
	srv := &http.Server{Handler: f.api, ReadHeaderTimeout: 10 * time.Second}
	f.mu.Lock()
	f.srv = srv
	f.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

func (f *faultyTwilio) down() {
	f.mu.Lock()
	srv := f.srv
	f.srv = nil
	f.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

func (f *faultyTwilio) up(tb testing.TB) {
	tb.Helper()
	var ln net.Listener
	require.Eventually(tb, func() bool {
		var err error
		ln, err = net.Listen("tcp", f.addr)
		return err == nil
	}, 10*time.Second, 50*time.Millisecond, "listen again on %s", f.addr)
	f.serve(ln)
}

// received returns, per idempotency key, how many texts the stand-in accepted.
func (f *faultyTwilio) received() map[string]int {
	out := map[string]int{}
	for _, m := range f.mb.Messages() {
		out[http.Header(m.Header).Get(notify.IdempotencyHeader)]++
	}
	return out
}

// within waits for cond, checking every 100 ms, at most d; it fails the test
// with what (and the last progress line) if cond never holds.
func within(tb testing.TB, d time.Duration, what string, cond func() bool, progress func() string) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %v (%s)", what, d, progress())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
