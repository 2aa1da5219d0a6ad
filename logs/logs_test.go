package logs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/metrics"
)

// lockedBuffer is a log sink the summary goroutine and the test may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines decodes every JSON line written so far.
func (l *lockedBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "one JSON object per line: %s", sc.Text())
		out = append(out, m)
	}
	return out
}

func setup(t *testing.T, level string) (*slog.Logger, *lockedBuffer) {
	t.Helper()
	var buf lockedBuffer
	log, err := New(&buf, Options{Format: FormatAuto, Level: level}) // not a terminal: JSON
	require.NoError(t, err)
	return log, &buf
}

func TestContextIDsAreAdded(t *testing.T) {
	log, buf := setup(t, "info")
	ctx := With(context.Background(), RequestID, "req-1", User, "agent@example.com")
	ctx = With(ctx, CustomerID, int64(42), RequestID, "req-2") // a key again replaces its value
	log.With("component", "api").InfoContext(ctx, "served", "status", 200)
	log.Info("no context")
	wctx := With(context.Background(), WorkflowID, "dunning/42", RunID, "run-9")
	log.WarnContext(wctx, "activity trouble")

	lines := buf.lines(t)
	require.Len(t, lines, 3)
	require.Equal(t, "served", lines[0]["msg"])
	require.Equal(t, "req-2", lines[0][RequestID])
	require.Equal(t, "agent@example.com", lines[0][User])
	require.Equal(t, float64(42), lines[0][CustomerID])
	require.Equal(t, "api", lines[0]["component"])
	require.NotContains(t, lines[1], RequestID)
	require.Equal(t, "dunning/42", lines[2][WorkflowID])
	require.Equal(t, "run-9", lines[2][RunID])
}

func TestRepeatedWarningLoggedOnce(t *testing.T) {
	log, buf := setup(t, "info")
	for customer := range 5 {
		log.Warn("dunning planner", "customer", customer, OnceKey, "no holiday data for country ZZ")
	}
	log.Warn("dunning planner", "customer", 9, OnceKey, "no holiday data for country YY") // another value: said
	log.With(OnceKey, "fixed").Warn("other warning")
	log.With(OnceKey, "fixed").Warn("other warning") // the key set by With counts too
	log.Warn("no key", "customer", 1)
	log.Warn("no key", "customer", 1) // without the key: never held back
	log.Error("dunning planner", OnceKey, "no holiday data for country ZZ")
	log.Error("dunning planner", OnceKey, "no holiday data for country ZZ") // errors are never held back

	var got []string
	for _, l := range buf.lines(t) {
		w, _ := l[OnceKey].(string)
		got = append(got, l["level"].(string)+" "+l["msg"].(string)+" "+w)
	}
	require.Equal(t, []string{
		"WARN dunning planner no holiday data for country ZZ",
		"WARN dunning planner no holiday data for country YY",
		"WARN other warning fixed",
		"WARN no key ",
		"WARN no key ",
		"ERROR dunning planner no holiday data for country ZZ",
		"ERROR dunning planner no holiday data for country ZZ",
	}, got)
	require.Equal(t, int64(5), Suppressed(log)) // 4 planner repeats and 1 "other warning"
	require.Equal(t, int64(5), Suppressed(log.With("component", "x")), "a derived logger shares the count")
}

func TestFormatsAndLevels(t *testing.T) {
	var buf bytes.Buffer
	log, err := New(&buf, Options{Format: "text", Level: "warn"})
	require.NoError(t, err)
	log.Info("hidden")
	log.Warn("shown", "k", "v")
	require.NotContains(t, buf.String(), "hidden")
	require.Contains(t, buf.String(), `level=WARN msg=shown k=v`)

	_, err = New(&buf, Options{Format: "xml", Level: "info"})
	require.ErrorContains(t, err, "RECOUP_LOG_FORMAT")
	_, err = New(&buf, Options{Format: "json", Level: "loud"})
	require.ErrorContains(t, err, "RECOUP_LOG_LEVEL")
}

func TestSummarize(t *testing.T) {
	log, buf := setup(t, "info")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	metrics.Message("email", "sent") // before Summarize starts: in its first line all the same
	go Summarize(ctx, log, 20*time.Millisecond)
	metrics.Message("email", "sent")
	metrics.Message("email", "sent")
	metrics.Message("sms", "fallback")
	metrics.TaskCreated("call")
	log.Warn("w", OnceKey, "x")
	log.Warn("w", OnceKey, "x")
	// The counts may straddle two ticks: add up every summary line.
	totals := func() map[string]float64 {
		total := map[string]float64{}
		for _, l := range buf.lines(t) {
			if l["msg"] != "summary" {
				continue
			}
			require.Equal(t, "INFO", l["level"])
			require.NotContains(t, l, "customer", "the summary names no customer")
			for k, v := range l {
				if f, ok := v.(float64); ok {
					total[k] += f
				}
			}
		}
		return total
	}
	// From the process's start: this test's 2 emails, 1 text and 1 task (and, with -count, the earlier runs').
	sent := metrics.Value(metrics.MessagesName, map[string]string{"outcome": "sent"})
	require.GreaterOrEqual(t, sent, 2.0)
	want := map[string]float64{"messages_sent": sent,
		"messages_fallback":            metrics.Value(metrics.MessagesName, map[string]string{"outcome": "fallback"}),
		"tasks_created":                metrics.Value(metrics.TasksCreatedName, nil),
		"repeated_warnings_not_logged": 1}
	require.Eventually(t, func() bool {
		got := totals()
		for k, v := range want {
			if got[k] != v {
				return false
			}
		}
		return true
	}, 5*time.Second, 10*time.Millisecond, "summary lines add up to %v", want)
	require.Zero(t, totals()["messages_failed"])
	var sinces []any
	for _, l := range buf.lines(t) {
		if l["msg"] == "summary" {
			sinces = append(sinces, l["since"])
		}
	}
	require.Equal(t, "start", sinces[0], "the first line counts from the start")
	for _, s := range sinces[1:] {
		require.Equal(t, "20ms ago", s)
	}

	// A quiet period writes nothing.
	n := len(buf.lines(t))
	time.Sleep(100 * time.Millisecond)
	require.Len(t, buf.lines(t), n)
}
