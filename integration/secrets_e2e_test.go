package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/capture"
	"recoup/devenv"
	"recoup/domain"
	"recoup/logs"
	"recoup/store/storetest"
)

// syncBuffer is the log sink: every goroutine of the stack writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// quietServer keeps the embedded Temporal server at info (its debug output
// is Temporal's, not Recoup's) and lets every Recoup line through at debug.
type quietServer struct {
	slog.Handler
	server bool
}

func (q quietServer) Enabled(ctx context.Context, l slog.Level) bool {
	return (!q.server || l >= slog.LevelInfo) && q.Handler.Enabled(ctx, l)
}

func (q quietServer) WithAttrs(attrs []slog.Attr) slog.Handler {
	server := q.server
	for _, a := range attrs {
		server = server || (a.Key == "component" && a.Value.String() == "temporal-server")
	}
	return quietServer{Handler: q.Handler.WithAttrs(attrs), server: server}
}

func (q quietServer) WithGroup(name string) slog.Handler {
	return quietServer{Handler: q.Handler.WithGroup(name), server: q.server}
}

func secret(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 12)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return prefix + hex.EncodeToString(b)
}

// A full `recoup dev` run, logged at debug as JSON, with reminders sent,
// every user signed in (and one wrong password), pages and API calls made
// with session cookies and tokens, a token created: no password, session
// secret, API token, SMTP password or Twilio auth token appears in the logs.
func TestSecretsNeverReachTheLogs(t *testing.T) {
	var sink syncBuffer
	base, err := logs.New(&sink, logs.Options{Format: logs.FormatJSON, Level: "debug"})
	require.NoError(t, err)
	log := slog.New(quietServer{Handler: base.Handler()})

	// A configured Twilio account (a stand-in endpoint) and an SMTP server with a password.
	twilioToken, smtpPassword := secret(t, "twiliotoken"), secret(t, "smtp-")
	texts, err := capture.NewMailbox("", capture.WithLogger(log))
	require.NoError(t, err)
	standIn, err := capture.NewTwilioAPI(texts, "ACsecretstest000000000000000000000", twilioToken, log)
	require.NoError(t, err)
	standIn.SetStatusCallbacks(true)
	twilioSrv := httptest.NewServer(standIn)
	t.Cleanup(twilioSrv.Close)
	t.Cleanup(standIn.Close)

	cfg := devConfig(t, storetest.NewURL(t), t.TempDir())
	cfg.SMTPURL = "smtp://mailer:" + smtpPassword + "@" + strings.TrimPrefix(cfg.SMTPURL, "smtp://")
	cfg.TwilioAccountSID, cfg.TwilioAuthToken, cfg.TwilioFromNumber, cfg.TwilioAPIURL =
		"ACsecretstest000000000000000000000", twilioToken, "+15005550006", twilioSrv.URL

	ctx, cancel := context.WithCancel(context.Background())
	started, done := make(chan devenv.Info, 1), make(chan error, 1)
	var out strings.Builder
	go func() {
		done <- devenv.Run(ctx, devenv.Options{Config: cfg, DemoCustomers: 25, Logger: log, Out: &out,
			Started: func(i devenv.Info) { started <- i }})
	}()
	var info devenv.Info
	select {
	case info = <-started:
	case err := <-done:
		cancel()
		t.Fatalf("recoup dev stopped before it was ready: %v", err)
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatal("recoup dev not ready within 2 minutes")
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Fatal("recoup dev did not stop within 30s")
		}
	}
	defer stop()
	adminToken = info.Credentials.AdminToken
	secrets := map[string]string{"admin API token": info.Credentials.AdminToken, "Twilio auth token": twilioToken,
		"SMTP password": smtpPassword}

	// Every user signs in; their session cookies open a page and an API call.
	var adminSession *http.Cookie
	for _, u := range info.Credentials.Users {
		secrets[u.Email+"'s password"] = u.Password
		body, _ := json.Marshal(map[string]string{"email": u.Email, "password": u.Password})
		resp, err := http.Post(info.API+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, u.Email)
		var session *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Value != "" {
				session = c
			}
		}
		require.NotNil(t, session, "a session cookie for %s", u.Email)
		secrets[u.Email+"'s session"] = session.Value
		if u.Role == domain.RoleAdmin {
			adminSession = session
		}
		for _, path := range []string{"/", "/api/v1/auth/me"} {
			req, err := http.NewRequest(http.MethodGet, info.API+path, nil)
			require.NoError(t, err)
			req.AddCookie(session)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			require.Less(t, resp.StatusCode, 400, "%s %s", u.Email, path)
		}
	}
	// A wrong password, and a password sent as a query parameter by a careless client.
	wrong := secret(t, "wrong-password-")
	secrets["a wrong password"] = wrong
	require.Equal(t, http.StatusUnauthorized, signIn(t, info.API, info.Credentials.Users[0].Email, wrong))
	resp, err := http.Post(info.API+"/api/v1/auth/login?password="+url.QueryEscape(wrong), "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()

	// A new token (made in a browser session: a token cannot make tokens), used once.
	require.NotNil(t, adminSession)
	req, err := http.NewRequest(http.MethodPost, info.API+"/api/v1/tokens", strings.NewReader(`{"name": "secrets test"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(adminSession)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	var tok struct{ Token string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.NotEmpty(t, tok.Token)
	secrets["a new API token"] = tok.Token
	req, err = http.NewRequest(http.MethodGet, info.API+"/api/v1/customers", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// Reminders went out through the password-protected SMTP server.
	require.Eventually(t, func() bool {
		var mail struct{ Count int }
		return getJSON(t, info.API+"/dev/mail?format=json", &mail) == http.StatusOK && mail.Count > 0
	}, 2*time.Minute, 500*time.Millisecond, "the demo's reminders reach the SMTP capture")
	stop()

	logged := sink.String()
	lines := strings.Count(logged, "\n")
	t.Logf("%d log lines checked for %d secrets", lines, len(secrets))
	require.Contains(t, logged, `"msg":"dunning action done"`, "the debug lines of the reminders are among those checked")
	require.Contains(t, logged, `"user":"`+info.Credentials.Users[0].Email+`"`, "the signed-in requests are among those checked")
	for what, s := range secrets {
		require.NotEmpty(t, s, what)
		for line := range strings.Lines(logged) {
			if strings.Contains(line, s) {
				t.Errorf("%s appears in the logs: %s", what, line)
				break
			}
		}
	}
}
