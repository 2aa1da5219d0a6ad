package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/api"
	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// liveProcess is one `recoup api` process: its own App, its own listener
// (RunLive) and a real HTTP server, over the test's database.
type liveProcess struct {
	srv  *httptest.Server
	stop context.CancelFunc
	done chan struct{}
}

func startProcess(t testing.TB, st *store.Store, heartbeat time.Duration) *liveProcess {
	t.Helper()
	uses := app.New(st, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	p := &liveProcess{stop: cancel, done: make(chan struct{})}
	go func() { defer close(p.done); _ = uses.RunLive(ctx) }()
	p.srv = httptest.NewServer(api.NewHandler(api.Options{App: uses, Logger: slog.New(slog.DiscardHandler), Heartbeat: heartbeat}))
	t.Cleanup(func() {
		cancel()
		<-p.done
		p.srv.Close()
	})
	return p
}

// waitListeners waits until n processes listen on the test's database.
func waitListeners(t testing.TB, pool *pgxpool.Pool, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return listeners(t, pool) == n }, 10*time.Second, 20*time.Millisecond, "%d listeners", n)
}

func listeners(t testing.TB, pool *pgxpool.Pool) int {
	var got int
	require.NoError(t, pool.QueryRow(context.Background(), `
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND application_name = $1 AND query LIKE 'LISTEN%'`, store.ListenerName).Scan(&got))
	return got
}

// sseEvent is one Server-Sent Event as a client reads it.
type sseEvent struct {
	Name, ID, Data string
}

// sseClient reads a stream's events (and heartbeats, as Name ":") in the background.
type sseClient struct {
	resp   *http.Response
	events chan sseEvent
	cancel context.CancelFunc
}

func openStream(t testing.TB, base, cred, query, lastID, lang string) *sseClient {
	t.Helper()
	c, status := tryStream(t, base, cred, query, lastID, lang)
	require.Equal(t, http.StatusOK, status)
	return c
}

func tryStream(t testing.TB, base, cred, query, lastID, lang string) (*sseClient, int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/notifications/stream"+query, nil)
	require.NoError(t, err)
	if strings.HasPrefix(cred, auth.SessionPrefix) {
		req.AddCookie(&http.Cookie{Name: "recoup_session", Value: cred})
	} else {
		req.Header.Set("Authorization", "Bearer "+cred)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, resp.StatusCode
	}
	c := &sseClient{resp: resp, events: make(chan sseEvent, 1024), cancel: cancel}
	go c.read()
	t.Cleanup(c.close)
	return c, resp.StatusCode
}

func (c *sseClient) read() {
	defer close(c.events)
	sc := bufio.NewScanner(c.resp.Body)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev != (sseEvent{}) {
				c.events <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, ":"):
			ev.Name = ":"
		case strings.HasPrefix(line, "event: "):
			ev.Name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "id: "):
			ev.ID = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			ev.Data = strings.TrimPrefix(line, "data: ")
		}
	}
}

func (c *sseClient) close() {
	c.cancel()
	c.resp.Body.Close()
}

// next is the next event named name (others are skipped), within 10 s.
func (c *sseClient) next(t testing.TB, name string) sseEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-c.events:
			require.True(t, ok, "the stream ended before a %q event", name)
			if ev.Name == name {
				return ev
			}
		case <-timeout:
			require.FailNow(t, "no "+name+" event within 10 s")
		}
	}
}

type streamedNotification struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	CaseID int64  `json:"case_id"`
	Text   string `json:"text"`
	Params struct {
		Actor    string `json:"actor"`
		Customer string `json:"customer"`
	} `json:"params"`
	Unread *int64 `json:"unread"`
}

func (c *sseClient) notification(t testing.TB) (sseEvent, streamedNotification) {
	t.Helper()
	ev := c.next(t, "notification")
	var n streamedNotification
	require.NoError(t, json.Unmarshal([]byte(ev.Data), &n), ev.Data)
	require.Equal(t, strconv.FormatInt(n.ID, 10), ev.ID, "the event's id is the notification's")
	return ev, n
}

func (c *sseClient) unread(t testing.TB) int64 {
	t.Helper()
	var u struct {
		Unread int64 `json:"unread"`
	}
	require.NoError(t, json.Unmarshal([]byte(c.next(t, "unread").Data), &u))
	return u.Unread
}

// post sends a JSON command to a process and answers the body.
func post(t testing.TB, base, cred, path, body string, want int) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+cred)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&out)
	require.Equal(t, want, resp.StatusCode, string(out))
	return out
}

// openCase opens a dispute on C1 through a process and answers its id.
func openCase(t testing.TB, b *testBundle, base string) int64 {
	t.Helper()
	customer, f1, _ := b.caseIDs(t.(*testing.T))
	opened := decode[struct {
		Case caseBody `json:"case"`
	}](t.(*testing.T), post(t, base, b.admin, "/api/v1/cases",
		fmt.Sprintf(`{"type": "dispute", "customer_id": %d, "reason": "price", "invoices": [{"invoice_id": %d}]}`, customer, f1), http.StatusCreated))
	return opened.Case.ID
}

func mention(t testing.TB, b *testBundle, base string, caseID int64, who string) {
	t.Helper()
	post(t, base, b.admin, fmt.Sprintf("/api/v1/cases/%d/comments", caseID), `{"text": "@`+who+` please call them"}`, http.StatusCreated)
}

// A mention arrives live, in the reader's language; after a disconnect, the
// reconnection with Last-Event-ID gets what was missed before what is new.
func TestAMentionArrivesLiveAndAfterAReconnect(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := startProcess(t, b.store, time.Hour)
	waitListeners(t, b.store.Pool, 1)
	alice := b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Role: domain.RoleAgent})
	caseID := openCase(t, b, p.srv.URL)

	s := openStream(t, p.srv.URL, alice, "", "", "fr-FR,fr;q=0.9")
	require.Equal(t, "text/event-stream; charset=utf-8", s.resp.Header.Get("Content-Type"))
	require.Equal(t, "no-cache", s.resp.Header.Get("Cache-Control"))
	require.Equal(t, "no", s.resp.Header.Get("X-Accel-Buffering"))
	require.Zero(t, s.unread(t), "first the unread count")

	mention(t, b, p.srv.URL, caseID, "alice@recoup.example")
	first, n := s.notification(t)
	require.Equal(t, "mention", n.Kind)
	require.Equal(t, caseID, n.CaseID)
	require.Equal(t, fmt.Sprintf("root@recoup.example vous a mentionné dans le dossier %d (Boulangerie Martin)", caseID), n.Text,
		"in the caller's language")
	require.Equal(t, "root@recoup.example", n.Params.Actor)
	require.Equal(t, int64(1), *n.Unread)
	s.close()

	mention(t, b, p.srv.URL, caseID, "alice@recoup.example") // while alice is away
	mention(t, b, p.srv.URL, caseID, "alice@recoup.example")
	again := openStream(t, p.srv.URL, alice, "", first.ID, "en")
	_, missed1 := again.notification(t)
	_, missed2 := again.notification(t)
	require.Greater(t, missed1.ID, n.ID)
	require.Greater(t, missed2.ID, missed1.ID)
	require.Equal(t, fmt.Sprintf("root@recoup.example mentioned you on case %d (Boulangerie Martin)", caseID), missed1.Text)
	require.Equal(t, int64(3), again.unread(t), "then the unread count")
	mention(t, b, p.srv.URL, caseID, "alice@recoup.example")
	_, live := again.notification(t)
	require.Greater(t, live.ID, missed2.ID, "then the new ones, live")
	require.Equal(t, int64(4), *live.Unread)
}

// Two processes on one database, each with its own listener: a notification
// written through either reaches a stream open on the other.
func TestTwoProcessesBothReceiveWhatTheOtherWrites(t *testing.T) {
	t.Parallel()
	b := setup(t)
	one, two := startProcess(t, b.store, time.Hour), startProcess(t, b.store, time.Hour)
	waitListeners(t, b.store.Pool, 2)
	alice := b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Role: domain.RoleAgent})
	bob := b.tokenFor(t, store.UserSpec{Email: "bob@recoup.example", Role: domain.RoleAgent})
	caseID := openCase(t, b, one.srv.URL)
	onOne := openStream(t, one.srv.URL, alice, "", "", "")
	onTwo := openStream(t, two.srv.URL, bob, "", "", "")
	onOne.unread(t)
	onTwo.unread(t)

	mention(t, b, one.srv.URL, caseID, "bob@recoup.example")
	_, n := onTwo.notification(t)
	require.Equal(t, "mention", n.Kind)
	mention(t, b, two.srv.URL, caseID, "alice@recoup.example")
	_, n = onOne.notification(t)
	require.Equal(t, "mention", n.Kind)
}

// A case page's stream (?case=) gets the case's changes, once its perimeter
// is checked; the stream beats while idle and ends when the process stops.
func TestACaseStreamGetsTheCasesChanges(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := startProcess(t, b.store, 100*time.Millisecond)
	waitListeners(t, b.store.Pool, 1)
	caseID := openCase(t, b, p.srv.URL)
	agent := b.signIn(t, store.UserSpec{Email: "alice@recoup.example", Name: "Alice", Role: domain.RoleAgent}) // C1's agent
	legal := b.signIn(t, store.UserSpec{Email: "lee@recoup.example", Role: domain.RoleDepartment, Department: "legal"})

	_, status := tryStream(t, p.srv.URL, legal, fmt.Sprintf("?case=%d", caseID), "", "")
	require.Equal(t, http.StatusNotFound, status, "a case routed elsewhere is not the legal department's")
	_, status = tryStream(t, p.srv.URL, agent, "?case=abc", "", "")
	require.Equal(t, http.StatusBadRequest, status)
	_, status = tryStream(t, p.srv.URL, agent, "", "x", "")
	require.Equal(t, http.StatusBadRequest, status, "a Last-Event-ID that is no id")

	s := openStream(t, p.srv.URL, agent, fmt.Sprintf("?case=%d", caseID), "", "") // by the session cookie, as the web pages
	s.next(t, ":")
	post(t, p.srv.URL, b.admin, fmt.Sprintf("/api/v1/cases/%d/comments", caseID), `{"text": "checking the price list"}`, http.StatusCreated)
	var change struct {
		CaseID int64  `json:"case_id"`
		Action string `json:"action"`
	}
	require.NoError(t, json.Unmarshal([]byte(s.next(t, "case").Data), &change))
	require.Equal(t, caseID, change.CaseID)
	require.Equal(t, "case.comment", change.Action)

	p.stop()
	for range s.events { // drained until the server ends the stream
	}
}

// When Postgres drops the listening connection, the process connects again
// and its streams get what was written meanwhile.
func TestAStreamMissesNothingWhenTheListenerReconnects(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := startProcess(t, b.store, time.Hour)
	waitListeners(t, b.store.Pool, 1)
	alice := b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Role: domain.RoleAgent})
	caseID := openCase(t, b, p.srv.URL)
	s := openStream(t, p.srv.URL, alice, "", "", "")
	s.unread(t)

	// A notification written without its announcement (the triggers off for
	// that session) is one no listener heard: only the re-read after the
	// reconnect can bring it to the stream.
	ctx := context.Background()
	tx, err := b.store.Pool.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SET LOCAL session_replication_role = replica`)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO notifications (user_id, kind, case_id, params)
SELECT id, 'mention', $2, '{"actor": "bob@recoup.example"}' FROM users WHERE email = $1`, "alice@recoup.example", caseID)
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	_, err = b.store.Pool.Exec(ctx, `
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
		store.ListenerName)
	require.NoError(t, err)
	_, n := s.notification(t)
	require.Equal(t, "mention", n.Kind)
	waitListeners(t, b.store.Pool, 1)
}
