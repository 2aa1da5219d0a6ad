package integration

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/flow"
)

// TestRecordWebhookHistory records a Webhook workflow's history for the
// replay test (workflows/testdata/webhook_*.json): events delivered, idle
// rounds, a receiver down for a while (failed attempts, backoff) and back,
// then the subscription turned off (the workflow ends). RECOUP_RECORD_HISTORY
// names the file (webhook_v0_polling.json was recorded before the long poll,
// webhook_v1_long_poll.json after); it runs only when set, as it writes into
// the source tree.
func TestRecordWebhookHistory(t *testing.T) {
	name := os.Getenv("RECOUP_RECORD_HISTORY")
	if name == "" {
		t.Skip("set RECOUP_RECORD_HISTORY=webhook_vN_what.json to record the history")
	}
	r := newWebhookRig(t)
	ctx := context.Background()
	rcv := newHookReceiver(t)
	created, err := r.uc.CreateWebhook(ctx, webhookAdmin, app.WebhookRequest{URL: "http://" + rcv.addr + "/recoup"})
	require.NoError(t, err)
	rcv.mu.Lock()
	rcv.secret = created.Secret
	rcv.mu.Unlock()

	r.events(t, 3)
	require.Eventually(t, func() bool { return len(rcv.taken()) >= 3 }, time.Minute, 50*time.Millisecond)
	time.Sleep(5 * time.Second) // idle
	rcv.down()
	r.events(t, 2)
	time.Sleep(4 * time.Second) // failed attempts
	rcv.up()
	require.Eventually(t, func() bool { return len(rcv.taken()) >= 5 }, time.Minute, 50*time.Millisecond)
	off := false
	_, err = r.uc.UpdateWebhook(ctx, webhookAdmin, created.ID, app.WebhookRequest{URL: created.URL, Active: &off})
	require.NoError(t, err)
	r.events(t, 1) // wakes a waiting batch, which finds the subscription off
	run := r.tc.GetWorkflow(ctx, flow.WebhookWorkflowID(created.ID), "")
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	require.NoError(t, run.Get(wctx, nil), "the delivery workflow ended")
	saveHistory(t, r.tc, flow.WebhookWorkflowID(created.ID), "../workflows/testdata/"+name)
}
