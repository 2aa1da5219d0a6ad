package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"recoup/capture"
	"recoup/notify"
)

const mailFrom = "Recoup Billing <billing@recoup.test>"

func reminder() notify.Email {
	return notify.Email{
		To:        []string{"Jana Müller <jana@example.com>"},
		Subject:   "Zahlungserinnerung: Rechnung 42 – 1.234,56 €",
		Text:      "Guten Tag Frau Müller,\nbitte zahlen Sie 1.234,56 €.",
		HTML:      `<p>Guten Tag Frau Müller,</p><p>bitte zahlen Sie <b>1.234,56 €</b>.</p>`,
		MessageID: notify.MessageID("wf-42/reminder-1"),
		Language:  "de",
		Headers:   map[string]string{"X-Recoup-Invoice": "42", "List-Unsubscribe": "<mailto:stop@recoup.test>"},
	}
}

// captureSMTP starts a capture SMTP server for the test: its mailbox and address.
func captureSMTP(t *testing.T) (*capture.Mailbox, string) {
	t.Helper()
	mb, err := capture.NewMailbox("")
	require.NoError(t, err)
	srv, err := capture.ListenSMTP("127.0.0.1:0", mb, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	return mb, srv.Addr()
}

func TestMailer_DeliversToCapture(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		url  func(addr string) string
	}{
		{"no auth", func(addr string) string { return "smtp://" + addr }},
		{"user:pass, localhost without TLS", func(addr string) string { return "smtp://dev:s3cr%40t@" + addr }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mb, addr := captureSMTP(t)
			m, err := notify.NewMailer(tc.url(addr), mailFrom)
			require.NoError(t, err)
			e := reminder()
			require.NoError(t, m.Send(t.Context(), e))

			got := mb.Messages()
			require.Len(t, got, 1)
			msg := got[0]
			require.Equal(t, "billing@recoup.test", msg.From)
			require.Equal(t, []string{"jana@example.com"}, msg.To)
			require.Equal(t, e.Subject, msg.Subject)
			require.Equal(t, "<wf-42/reminder-1@recoup>", msg.MessageID)
			require.Equal(t, e.Text, strings.TrimRight(msg.Text, "\n"))
			require.Equal(t, e.HTML, strings.TrimRight(msg.HTML, "\n"))
			require.Contains(t, msg.Header["Content-Type"][0], "multipart/alternative")
			require.Equal(t, []string{"de"}, msg.Header["Content-Language"])
			require.Equal(t, []string{"42"}, msg.Header["X-Recoup-Invoice"])
			require.Equal(t, []string{"<mailto:stop@recoup.test>"}, msg.Header["List-Unsubscribe"])
			require.Empty(t, msg.ParseError)
		})
	}
}

func TestMailer_SingleBodies(t *testing.T) {
	t.Parallel()
	mb, addr := captureSMTP(t)
	m, err := notify.NewMailer("smtp://"+addr, mailFrom)
	require.NoError(t, err)

	require.NoError(t, m.Send(t.Context(), notify.Email{To: []string{"a@example.com"}, Subject: "t", Text: "only text"}))
	require.NoError(t, m.Send(t.Context(), notify.Email{To: []string{"a@example.com"}, Subject: "h", HTML: "<p>only html</p>"}))
	got := mb.Messages()
	require.Len(t, got, 2)
	require.Equal(t, "<p>only html</p>", strings.TrimSpace(got[0].HTML))
	require.Empty(t, got[0].Text)
	require.Equal(t, "only text", strings.TrimSpace(got[1].Text))
	require.Empty(t, got[1].HTML)
	require.NotEmpty(t, got[1].MessageID, "a random Message-ID without an idempotency key")
}

// testSMTP is a go-smtp server whose answers a test controls, recording what it saw.
type testSMTP struct {
	addr       string
	rejectRcpt map[string]*smtp.SMTPError
	rejectMail *smtp.SMTPError
	rejectData *smtp.SMTPError
	stall      chan struct{} // when set, DATA blocks until it is closed

	mu    sync.Mutex
	auths []string // "mech user pass"
	tls   []bool   // per MAIL FROM: was the connection encrypted
	rcpts []string // accepted
}

type smtpMode int

const (
	plainSMTP smtpMode = iota
	startTLS           // offers STARTTLS and AUTH only after it
	implicitTLS
)

func startTestSMTP(t *testing.T, host string, mode smtpMode, ts *testSMTP) *testSMTP {
	t.Helper()
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &testSession{ts: ts, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.AllowInsecureAuth = mode == plainSMTP
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Skipf("cannot listen on %s: %v", host, err)
	}
	switch mode {
	case startTLS:
		s.TLSConfig = serverTLS(t)
	case implicitTLS:
		ln = tls.NewListener(ln, serverTLS(t))
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close() })
	ts.addr = ln.Addr().String()
	return ts
}

type testSession struct {
	ts   *testSMTP
	conn *smtp.Conn
}

func (s *testSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *testSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.ts.mu.Lock()
		defer s.ts.mu.Unlock()
		s.ts.auths = append(s.ts.auths, mech+" "+user+" "+pass)
		if pass == "wrong" {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication failed"}
		}
		return nil
	}), nil
}

func (s *testSession) Mail(string, *smtp.MailOptions) error {
	_, encrypted := s.conn.TLSConnectionState()
	s.ts.mu.Lock()
	s.ts.tls = append(s.ts.tls, encrypted)
	s.ts.mu.Unlock()
	if s.ts.rejectMail != nil {
		return s.ts.rejectMail
	}
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := s.ts.rejectRcpt[to]; err != nil {
		return err
	}
	s.ts.mu.Lock()
	s.ts.rcpts = append(s.ts.rcpts, to)
	s.ts.mu.Unlock()
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	if s.ts.stall != nil {
		<-s.ts.stall
	}
	if s.ts.rejectData != nil {
		return s.ts.rejectData
	}
	return nil
}

func (s *testSession) Reset()        {}
func (s *testSession) Logout() error { return nil }

var (
	certOnce sync.Once
	certPEM  tls.Certificate
	certPool *x509.CertPool
)

// serverTLS is a self-signed certificate for the loopback names.
func serverTLS(t *testing.T) *tls.Config {
	t.Helper()
	certOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "recoup test"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("127.0.0.2")},
			KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		require.NoError(t, err)
		cert, err := x509.ParseCertificate(der)
		require.NoError(t, err)
		certPEM = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
		certPool = x509.NewCertPool()
		certPool.AddCert(cert)
	})
	return &tls.Config{Certificates: []tls.Certificate{certPEM}}
}

func trustTestCA(t *testing.T) notify.MailerOption {
	serverTLS(t)
	return notify.WithTLSConfig(&tls.Config{RootCAs: certPool})
}

func TestMailer_TLSAndAuth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		host    string
		mode    smtpMode
		scheme  string
		wantTLS bool
	}{
		{"smtp:// upgrades with STARTTLS when offered", "127.0.0.1", startTLS, "smtp", true},
		{"smtps:// is implicit TLS", "127.0.0.1", implicitTLS, "smtps", true},
		{"smtp:// to localhost without STARTTLS", "127.0.0.1", plainSMTP, "smtp", false},
		// go-mail's PLAIN refuses a non-localhost host without TLS; PLAIN-NOENC is chosen.
		{"smtp:// to another host without STARTTLS", "127.0.0.2", plainSMTP, "smtp", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := startTestSMTP(t, tc.host, tc.mode, &testSMTP{})
			m, err := notify.NewMailer(tc.scheme+"://mailer:p%40ss@"+ts.addr, mailFrom, trustTestCA(t))
			require.NoError(t, err)
			require.NoError(t, m.Send(t.Context(), reminder()))
			ts.mu.Lock()
			defer ts.mu.Unlock()
			require.Equal(t, []string{"PLAIN mailer p@ss"}, ts.auths)
			require.Equal(t, []bool{tc.wantTLS}, ts.tls)
			require.Equal(t, []string{"jana@example.com"}, ts.rcpts)
		})
	}

	t.Run("untrusted certificate is an error, not a silent downgrade", func(t *testing.T) {
		t.Parallel()
		ts := startTestSMTP(t, "127.0.0.1", startTLS, &testSMTP{})
		m, err := notify.NewMailer("smtp://u:p@"+ts.addr, mailFrom)
		require.NoError(t, err)
		err = m.Send(t.Context(), reminder())
		require.ErrorContains(t, err, "certificate")
		require.False(t, notify.IsPermanent(err))
	})
}

func TestMailer_ErrorClassification(t *testing.T) {
	t.Parallel()
	rcpt550 := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	rcpt450 := &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "Mailbox busy, try later"}

	cases := []struct {
		name      string
		server    *testSMTP
		password  string
		mutate    func(*notify.Email)
		permanent bool
		contains  string
	}{
		{name: "unknown mailbox (550 at RCPT)", server: &testSMTP{rejectRcpt: map[string]*smtp.SMTPError{"nobody@example.com": rcpt550}},
			mutate: func(e *notify.Email) { e.To = []string{"nobody@example.com"} }, permanent: true, contains: "No such user"},
		{name: "one of two recipients unknown", server: &testSMTP{rejectRcpt: map[string]*smtp.SMTPError{"nobody@example.com": rcpt550}},
			mutate: func(e *notify.Email) { e.To = []string{"jana@example.com", "nobody@example.com"} }, permanent: true},
		{name: "mailbox busy (450 at RCPT)", server: &testSMTP{rejectRcpt: map[string]*smtp.SMTPError{"busy@example.com": rcpt450}},
			mutate: func(e *notify.Email) { e.To = []string{"busy@example.com"} }, permanent: false, contains: "try later"},
		{name: "content rejected (554 after DATA)", server: &testSMTP{rejectData: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Rejected as spam"}},
			permanent: true, contains: "spam"},
		{name: "greylisted (451 after DATA)", server: &testSMTP{rejectData: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "Greylisted"}},
			permanent: false},
		{name: "sender refused (550 at MAIL FROM) is our configuration", server: &testSMTP{rejectMail: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Sender not allowed"}},
			permanent: false},
		{name: "wrong password", server: &testSMTP{}, password: "wrong", permanent: false, contains: "AUTH"},
		{name: "invalid address", server: &testSMTP{}, mutate: func(e *notify.Email) { e.To = []string{"not an address"} }, permanent: true},
		{name: "no recipient", server: &testSMTP{}, mutate: func(e *notify.Email) { e.To = nil }, permanent: true},
		{name: "no body", server: &testSMTP{}, mutate: func(e *notify.Email) { e.Text, e.HTML = "", "" }, permanent: true},
		{name: "reserved header", server: &testSMTP{}, mutate: func(e *notify.Email) { e.Headers = map[string]string{"message-id": "<x@y>"} }, permanent: true},
		{name: "header injection", server: &testSMTP{}, mutate: func(e *notify.Email) { e.Headers = map[string]string{"X-A": "a\r\nBcc: evil@example.com"} }, permanent: true},
		{name: "bad Message-ID", server: &testSMTP{}, mutate: func(e *notify.Email) { e.MessageID = "no at sign" }, permanent: true},
		{name: "bad language", server: &testSMTP{}, mutate: func(e *notify.Email) { e.Language = "de\r\nX: y" }, permanent: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := startTestSMTP(t, "127.0.0.1", plainSMTP, tc.server)
			pass := "secret"
			if tc.password != "" {
				pass = tc.password
			}
			m, err := notify.NewMailer("smtp://user:"+pass+"@"+ts.addr, mailFrom)
			require.NoError(t, err)
			e := reminder()
			if tc.mutate != nil {
				tc.mutate(&e)
			}
			err = m.Send(t.Context(), e)
			require.Error(t, err)
			require.Equal(t, tc.permanent, notify.IsPermanent(err), "%v", err)
			if tc.contains != "" {
				require.ErrorContains(t, err, tc.contains)
			}
			ts.mu.Lock()
			defer ts.mu.Unlock()
			if tc.name == "one of two recipients unknown" {
				require.Equal(t, []string{"jana@example.com"}, ts.rcpts, "accepted at RCPT, but no DATA followed")
			}
		})
	}
}

func TestMailer_ConnectionFailuresAreTemporary(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now

	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		m, err := notify.NewMailer("smtp://"+refused, mailFrom)
		require.NoError(t, err)
		err = m.Send(t.Context(), reminder())
		require.Error(t, err)
		require.False(t, notify.IsPermanent(err))
		require.ErrorContains(t, err, "refused")
	})

	t.Run("server stalls until the context is cancelled", func(t *testing.T) {
		t.Parallel()
		stall := make(chan struct{})
		t.Cleanup(func() { close(stall) })
		ts := startTestSMTP(t, "127.0.0.1", plainSMTP, &testSMTP{stall: stall})
		m, err := notify.NewMailer("smtp://"+ts.addr, mailFrom)
		require.NoError(t, err)
		// Cancelled without a deadline (an activity being cancelled): only closing the
		// connection stops go-mail, which watches ctx only while dialing.
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		time.AfterFunc(300*time.Millisecond, cancel)
		start := time.Now()
		err = m.Send(ctx, reminder())
		require.ErrorIs(t, err, context.Canceled)
		require.False(t, notify.IsPermanent(err))
		require.Less(t, time.Since(start), 5*time.Second, "gives up with the context, not after the SMTP timeout")
	})

	t.Run("context already cancelled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		m, err := notify.NewMailer("smtp://"+refused, mailFrom)
		require.NoError(t, err)
		err = m.Send(ctx, reminder())
		require.ErrorIs(t, err, context.Canceled)
		require.False(t, notify.IsPermanent(err))
	})
}

func TestNewMailer_Errors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, url, from, want string
	}{
		{"unknown scheme", "http://mail.example.com", mailFrom, "scheme"},
		{"no host", "smtp://", mailFrom, "no host"},
		{"bad port", "smtp://mail.example.com:99999", mailFrom, "port"},
		{"query", "smtp://mail.example.com?starttls=required", mailFrom, "only scheme"},
		{"unparseable, password not echoed", "smtp://user:hunter2@mail.example.com:port", mailFrom, "SMTP URL"},
		{"bad from", "smtp://mail.example.com", "not an address", "mail from"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := notify.NewMailer(tc.url, tc.from)
			require.ErrorContains(t, err, tc.want)
			require.NotContains(t, err.Error(), "hunter2")
		})
	}
}

func TestMessageID(t *testing.T) {
	t.Parallel()
	cases := []struct{ key, want string }{
		{"", ""},
		{"wf-42/reminder-1", "<wf-42/reminder-1@recoup>"},
		{"invoice.42.sms", "<invoice.42.sms@recoup>"},
		{"invoice:42 <x>@y", "<invoice%3A42%20%3Cx%3E%40y@recoup>"},
		{".a..b.", "<%2Ea.%2Eb%2E@recoup>"},
		{"100%", "<100%25@recoup>"},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, notify.MessageID(tc.key), tc.key)
	}
}

func TestPermanentErrorWraps(t *testing.T) {
	t.Parallel()
	base := errors.New("boom")
	err := &notify.PermanentError{Err: base}
	require.ErrorIs(t, err, base)
	require.True(t, notify.IsPermanent(err))
	require.False(t, notify.IsPermanent(base))
	require.False(t, notify.IsPermanent(nil))
}

// An entity's sender identity replaces RECOUP_MAIL_FROM's name and address, and
// Reply-To sends answers to the account's agent.
func TestMailer_SenderIdentityAndReplyTo(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name               string
		fromName, fromAddr string
		replyTo            string
		wantEnvelope       string
		wantFrom           string
		wantReplyTo        []string
	}{
		{"defaults, no reply-to", "", "", "", "billing@recoup.test", `"Recoup Billing" <billing@recoup.test>`, nil},
		{"entity name only", "Acme Distribution SAS", "", "", "billing@recoup.test", `"Acme Distribution SAS" <billing@recoup.test>`, nil},
		{"entity name, address and reply-to", "Acme Co.", "ar@acme.example", "Claire Dubois <claire@acme.example>",
			"ar@acme.example", `"Acme Co." <ar@acme.example>`, []string{`"Claire Dubois" <claire@acme.example>`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mb, addr := captureSMTP(t)
			m, err := notify.NewMailer("smtp://"+addr, mailFrom)
			require.NoError(t, err)
			e := reminder()
			e.FromName, e.FromAddress, e.ReplyTo = tc.fromName, tc.fromAddr, tc.replyTo
			require.NoError(t, m.Send(t.Context(), e))
			got := mb.Messages()
			require.Len(t, got, 1)
			require.Equal(t, tc.wantEnvelope, got[0].From)
			require.Equal(t, []string{tc.wantFrom}, got[0].Header["From"])
			require.Equal(t, tc.wantReplyTo, got[0].Header["Reply-To"])
		})
	}
}

func TestMailer_RefusesBadSenderAddress(t *testing.T) {
	t.Parallel()
	m, err := notify.NewMailer("smtp://127.0.0.1:1", mailFrom)
	require.NoError(t, err)
	for _, e := range []notify.Email{
		func() notify.Email { e := reminder(); e.FromAddress = "not an address"; return e }(),
		func() notify.Email { e := reminder(); e.ReplyTo = "nobody@"; return e }(),
	} {
		err := m.Send(t.Context(), e)
		require.Error(t, err)
		require.True(t, notify.IsPermanent(err))
	}
}

func TestMailer_Attachments(t *testing.T) {
	t.Parallel()
	mb, addr := captureSMTP(t)
	m, err := notify.NewMailer("smtp://"+addr, mailFrom)
	require.NoError(t, err)
	e := reminder()
	e.Attachments = []notify.Attachment{{Filename: "report.xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		Data: []byte("PK\x03\x04 not really a zip")}}
	require.NoError(t, m.Send(t.Context(), e))
	got := mb.Messages()
	require.Len(t, got, 1)
	require.Equal(t, e.Text, strings.TrimRight(got[0].Text, "\n"), "the bodies are still there")
	require.Equal(t, e.HTML, strings.TrimRight(got[0].HTML, "\n"))
	require.Len(t, got[0].Attachments, 1)
	require.Equal(t, "report.xlsx", got[0].Attachments[0].Filename)
	require.Equal(t, e.Attachments[0].ContentType, got[0].Attachments[0].ContentType)
	require.Equal(t, e.Attachments[0].Data, got[0].Attachments[0].Data)

	e.Attachments[0].Filename = "a\r\nBcc: x@example.com"
	require.True(t, notify.IsPermanent(m.Send(t.Context(), e)))
}
