package integration

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/flow"
	"recoup/tclient"
)

// A process that starts before Temporal refuses what needs it at once with
// CodeUnavailable (the API's 503), then works by itself once Temporal
// answers, and refuses again while it is away: no restart at any point.
func TestTemporalComesAndGoesUnderAWatchedLazyClient(t *testing.T) {
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	tc, err := tclient.Lazy(addr, "default", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer tc.Close()
	fc := flow.NewClient(tc)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go fc.Watch(ctx, 200*time.Millisecond)

	require.Eventually(t, func() bool { return !fc.Probe().CheckedAt.IsZero() }, 10*time.Second, 50*time.Millisecond)
	require.False(t, fc.Probe().Up, "nothing listens yet")
	err = fc.StartSweep(ctx, flow.SweepInput{})
	require.Equal(t, domain.CodeUnavailable, domain.ErrorCode(err), "%v", err)

	srv := startDev(t, devOptions(t.TempDir(), port))
	require.Eventually(t, func() bool { return fc.Probe().Up }, 30*time.Second, 100*time.Millisecond, "the watch sees it come")
	_, err = fc.StartWakeImport(ctx, 424242)
	require.NoError(t, err, "the same client, reconnected by itself")
	require.Greater(t, fc.Probe().Latency, time.Duration(0))

	stopDev(t, srv)
	require.Eventually(t, func() bool { return !fc.Probe().Up }, 30*time.Second, 100*time.Millisecond, "the watch sees it go")
	start := time.Now()
	_, err = fc.StartWakeImport(ctx, 424243)
	require.Equal(t, domain.CodeUnavailable, domain.ErrorCode(err), "%v", err)
	require.Less(t, time.Since(start), time.Second, "refused at once")
}
