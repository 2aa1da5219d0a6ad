package integration

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"recoup/app"
	"recoup/benchenv"
	"recoup/flow"
)

// BenchmarkWebhookIdleLatency measures an idle subscription, started as the
// use case starts it (the default pace): for RECOUP_BENCH_IDLE_ROUNDS rounds
// (default 9), one event committed at a moment spread over the idle cycle,
// and the time from its commit to its receipt (median, smallest, largest);
// then, RECOUP_BENCH_IDLE_WINDOW seconds (default 185: three long polls) without events, the
// activities its workflow scheduled meanwhile, per hour.
//
//	go test ./integration/ -run '^$' -bench WebhookIdleLatency -benchtime 1x -timeout 20m
func BenchmarkWebhookIdleLatency(b *testing.B) {
	rounds := benchenv.Int(b, "RECOUP_BENCH_IDLE_ROUNDS", 9)
	window := time.Duration(benchenv.Int(b, "RECOUP_BENCH_IDLE_WINDOW", 185)) * time.Second
	ctx := context.Background()
	r := newWebhookRig(b)
	rcv := newHookReceiver(b)
	created, err := r.uc.CreateWebhook(ctx, webhookAdmin, app.WebhookRequest{URL: "http://" + rcv.addr + "/recoup"})
	require.NoError(b, err)
	rcv.mu.Lock()
	rcv.secret = created.Secret
	rcv.mu.Unlock()
	r.events(b, 1) // the first delivery: the workflow runs and is warm
	require.Eventually(b, func() bool { return len(rcv.taken()) == 1 }, time.Minute, 10*time.Millisecond)

	var took []time.Duration
	for i := range rounds {
		// Spread over a 2 s cycle (the old pace), so the polling's phase is sampled.
		time.Sleep(time.Second + time.Duration(i*617%2000)*time.Millisecond)
		start := time.Now()
		r.events(b, 1)
		require.Eventually(b, func() bool { return len(rcv.taken()) == i+2 }, time.Minute, time.Millisecond)
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	median := took[len(took)/2]
	b.ReportMetric(float64(median.Milliseconds()), "ms-median")
	b.ReportMetric(float64(took[0].Milliseconds()), "ms-min")
	b.ReportMetric(float64(took[len(took)-1].Milliseconds()), "ms-max")
	b.Logf("commit to receipt, idle subscription, %d rounds: median %v, min %v, max %v", rounds, median, took[0], took[len(took)-1])

	scheduled := func() int {
		n := 0
		it := r.tc.GetWorkflowHistory(ctx, flow.WebhookWorkflowID(created.ID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			require.NoError(b, err)
			if ev.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
				n++
			}
		}
		return n
	}
	before := scheduled()
	time.Sleep(window)
	after := scheduled()
	require.GreaterOrEqual(b, after, before, "the same run (no continue-as-new within the window)")
	perHour := float64(after-before) * float64(time.Hour) / float64(window)
	b.ReportMetric(perHour, "activities/h")
	b.Logf("idle for %v: %d activities scheduled, %.0f per hour", window, after-before, perHour)
}
