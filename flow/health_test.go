package flow_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"recoup/domain"
	"recoup/flow"
)

// closedAddress is a local address nothing listens on.
func closedAddress(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func lazyClient(t *testing.T) *flow.Client {
	c, err := client.NewLazyClient(client.Options{HostPort: closedAddress(t)})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return flow.NewClient(c)
}

func TestACallThatCannotReachTemporalIsUnavailable(t *testing.T) {
	fc := lazyClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := fc.StartWakeImport(ctx, 1)
	require.Error(t, err)
	require.Equal(t, domain.CodeUnavailable, domain.ErrorCode(err), "%v", err)
	require.Contains(t, err.Error(), "Temporal does not answer")
	p := fc.Probe()
	require.False(t, p.Up)
	require.Contains(t, p.LastError, "connection refused")
}

func TestWatchedDownTemporalRefusesCommandsAtOnce(t *testing.T) {
	fc := lazyClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go fc.Watch(ctx, 50*time.Millisecond)
	require.Eventually(t, func() bool { p := fc.Probe(); return p.Watched && !p.CheckedAt.IsZero() }, 10*time.Second, 20*time.Millisecond)

	p := fc.Probe()
	require.False(t, p.Up)
	require.False(t, p.DownSince.IsZero())
	start := time.Now()
	err := fc.StartSweep(ctx, flow.SweepInput{})
	require.Equal(t, domain.CodeUnavailable, domain.ErrorCode(err), "%v", err)
	require.Less(t, time.Since(start), time.Second, "refused without waiting out the SDK's retries")
	require.Contains(t, err.Error(), "since "+p.DownSince.Format("15:04:05 UTC"))
}

func TestANilClientIsNeverUp(t *testing.T) {
	var fc *flow.Client
	require.False(t, fc.Probe().Up)
	require.Equal(t, domain.CodeUnavailable, domain.ErrorCode(fc.StartSweep(context.Background(), flow.SweepInput{})))
}
