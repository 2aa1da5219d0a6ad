package inbound_test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/inbound"
)

// greeting reads the server's 220 line on c, waiting at most wait.
func greeting(c net.Conn, wait time.Duration) (string, error) {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	return bufio.NewReader(c).ReadString('\n')
}

// The listener serves at most MaxSessions connections at once: one more
// waits, unanswered, until a session ends, then is served.
func TestListenerBoundsConcurrentSessions(t *testing.T) {
	t.Parallel()
	_, addr := setupListener(t)
	var open []net.Conn
	t.Cleanup(func() {
		for _, c := range open {
			_ = c.Close()
		}
	})
	for range inbound.MaxSessions {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		open = append(open, c)
		line, err := greeting(c, 10*time.Second)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(line, "220 "), line)
	}
	extra, err := net.Dial("tcp", addr) // accepted by the kernel, not yet by the server
	require.NoError(t, err)
	defer extra.Close()
	r := bufio.NewReader(extra)
	_ = extra.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err = r.ReadString('\n')
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	require.True(t, ne.Timeout(), "no greeting while %d sessions are open", inbound.MaxSessions)

	require.NoError(t, open[0].Close())
	open = open[1:]
	_ = extra.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(line, "220 "), "served once a session ended: %q", line)
}
