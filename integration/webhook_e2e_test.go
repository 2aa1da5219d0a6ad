package integration

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"recoup/app"
	"recoup/devserver"
	"recoup/domain"
	"recoup/flow"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/tclient"
	"recoup/webhook"
	"recoup/worker"
)

// webhookRig is an embedded Temporal server, Recoup's worker (allowed to
// deliver to the loopback) and the use cases over a fresh database.
type webhookRig struct {
	tc   client.Client
	st   *store.Store
	uc   *app.App
	cust int64
}

var webhookAdmin = domain.Principal{Role: domain.RoleAdmin, Email: "admin@recoup.example", AllEntities: true}

func newWebhookRig(tb testing.TB) *webhookRig {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	log := slog.New(slog.DiscardHandler)
	srv, err := devserver.Start(ctx, devserver.Options{DataDir: tb.TempDir(), Namespace: "default",
		SearchAttributes: flow.SearchAttributes, Logger: log})
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = srv.Stop() })
	r := &webhookRig{}
	r.tc, err = tclient.Dial(ctx, srv.FrontendAddress(), "default", log)
	require.NoError(tb, err)
	tb.Cleanup(r.tc.Close)
	pool := storetest.NewPool(tb)
	r.st = &store.Store{Pool: pool}
	loopback := webhook.Targets{AllowPrivate: true}
	w, err := worker.New(ctx, worker.Options{Client: r.tc, Namespace: "default", Store: r.st, SweepFirstAfter: time.Hour,
		WebhookTargets: loopback, Log: log})
	require.NoError(tb, err)
	require.NoError(tb, w.Start())
	tb.Cleanup(w.Stop)
	r.uc = app.New(r.st, flow.NewClient(r.tc), log, app.WithWebhookTargets(loopback))
	r.cust = storetest.NewFactory(pool).Customer(tb, storetest.Customer{ExternalID: "HOOK-1"})
	return r
}

// events writes n events (credit hold, release, hold...), each its own transaction.
func (r *webhookRig) events(tb testing.TB, n int) {
	tb.Helper()
	for range n {
		_, err := r.st.Pool.Exec(context.Background(), `UPDATE customers SET on_hold = NOT on_hold WHERE id = $1`, r.cust)
		require.NoError(tb, err)
	}
}

// verifyStandardWebhook checks a request the way a receiver following the
// Standard Webhooks text would, with nothing of Recoup's code: key = base64
// after "whsec_", content = id "." timestamp "." body, signature = base64
// HMAC-SHA256, one of the space-separated "v1,..." entries; timestamp within
// five minutes.
func verifyStandardWebhook(secret string, h http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	ts, err := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
	if err != nil {
		return err
	}
	if d := time.Since(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("timestamp out of tolerance")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "." + string(body)))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, s := range strings.Fields(h.Get("webhook-signature")) {
		if v, sig, ok := strings.Cut(s, ","); ok && v == "v1" && hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("no valid signature")
}

// hookReceiver is the ERP's endpoint: it verifies each request, keeps the
// event ids it took in arrival order, and can be taken down and brought back
// on the same address, or told to answer 410.
type hookReceiver struct {
	t      testing.TB
	addr   string
	secret string

	mu       sync.Mutex
	srv      *http.Server
	took     []int64
	bad      int
	gone     bool
	requests int
}

func newHookReceiver(t testing.TB) *hookReceiver {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	h := &hookReceiver{t: t, addr: ln.Addr().String()}
	h.serve(ln)
	t.Cleanup(h.down)
	return h
}

func (h *hookReceiver) serve(ln net.Listener) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.srv = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = h.srv.Serve(ln) }()
}

func (h *hookReceiver) down() {
	h.mu.Lock()
	srv := h.srv
	h.mu.Unlock()
	_ = srv.Close()
}

func (h *hookReceiver) up() {
	ln, err := net.Listen("tcp", h.addr)
	require.NoError(h.t, err, "the same address again")
	h.serve(ln)
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests++
	if h.gone {
		w.WriteHeader(http.StatusGone)
		return
	}
	if err := verifyStandardWebhook(h.secret, r.Header, body); err != nil {
		h.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var msg struct {
		Type string `json:"type"`
		Data struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &msg) != nil || "evt_"+strconv.FormatInt(msg.Data.ID, 10) != r.Header.Get("webhook-id") || msg.Type != msg.Data.Type {
		h.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.took = append(h.took, msg.Data.ID)
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookReceiver) taken() []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]int64(nil), h.took...)
}

// The ERP's receiver verifies every signature with its own code, goes down
// for a while and comes back: every event arrives, in order, none lost (a
// repeat of one it took is allowed: at least once, deduplicated by its id).
// Then it answers 410: the subscription is disabled and its workflow ends.
func TestWebhookDeliversEveryEventInOrderAcrossAnOutage(t *testing.T) {
	r := newWebhookRig(t)
	ctx := context.Background()
	rcv := newHookReceiver(t)

	strict := app.New(r.st, nil, nil) // RECOUP_WEBHOOK_ALLOW_PRIVATE unset
	_, err := strict.CreateWebhook(ctx, webhookAdmin, app.WebhookRequest{URL: "http://" + rcv.addr + "/recoup"})
	require.ErrorContains(t, err, "private, loopback or link-local", "a loopback target is refused when not allowed")
	created, err := r.uc.CreateWebhook(ctx, webhookAdmin, app.WebhookRequest{URL: "http://" + rcv.addr + "/recoup",
		EventTypes: []string{"customer.credit_hold", "customer.released"}})
	require.NoError(t, err)
	rcv.mu.Lock()
	rcv.secret = created.Secret
	rcv.mu.Unlock()
	from, err := r.st.LastEventID(ctx)
	require.NoError(t, err)

	r.events(t, 30)
	require.Eventually(t, func() bool { return len(rcv.taken()) >= 10 }, time.Minute, 50*time.Millisecond)
	rcv.down()
	r.events(t, 40) // written while the receiver is down
	time.Sleep(4 * time.Second)
	rcv.up()
	r.events(t, 30)

	last, err := r.st.LastEventID(ctx)
	require.NoError(t, err)
	require.Equal(t, from+100, last)
	require.Eventually(t, func() bool {
		took := rcv.taken()
		return len(took) > 0 && took[len(took)-1] == last
	}, 2*time.Minute, 100*time.Millisecond, "the last event arrives")

	var distinct []int64
	for _, id := range rcv.taken() {
		if len(distinct) > 0 && id == distinct[len(distinct)-1] {
			continue // taken, but its cursor was not moved before a crash: sent again
		}
		require.Greater(t, id, lastOf(distinct), "in order")
		distinct = append(distinct, id)
	}
	want := make([]int64, 0, 100)
	for id := from + 1; id <= last; id++ {
		want = append(want, id)
	}
	require.Equal(t, want, distinct, "every event, none lost")
	rcv.mu.Lock()
	require.Zero(t, rcv.bad, "every request carried a valid Standard Webhooks signature")
	rcv.mu.Unlock()

	log, err := r.uc.WebhookDeliveries(ctx, webhookAdmin, created.ID, 0, 500)
	require.NoError(t, err)
	failed := 0
	for _, d := range log {
		if !d.OK {
			failed++
			require.Zero(t, d.Status, "no answer while down")
			require.NotEmpty(t, d.Error)
		}
	}
	require.Positive(t, failed, "the outage is in the delivery log")

	// Redeliver from an old id: it comes again, with what follows.
	_, err = r.uc.RedeliverWebhook(ctx, webhookAdmin, created.ID, last-2)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		took := rcv.taken()
		return len(took) >= 3 && slices.Equal(took[len(took)-3:], []int64{last - 2, last - 1, last})
	}, time.Minute, 100*time.Millisecond, "redelivered from last-2")

	// A test event, signed like the others (the receiver refuses it as it is not an event of the feed).
	d, err := r.uc.SendTestEvent(ctx, webhookAdmin, created.ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, d.Status, "verified, then refused by this receiver's own check")

	// 410: disabled, admins told, the workflow ends.
	rcv.mu.Lock()
	rcv.gone = true
	rcv.mu.Unlock()
	r.events(t, 1)
	require.Eventually(t, func() bool {
		h, err := r.st.Webhook(ctx, created.ID)
		return err == nil && h.State == store.WebhookDisabled
	}, time.Minute, 100*time.Millisecond)
	run := r.tc.GetWorkflow(ctx, flow.WebhookWorkflowID(created.ID), "")
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	require.NoError(t, run.Get(wctx, nil), "the delivery workflow ended")
}

func lastOf(s []int64) int64 {
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1]
}
