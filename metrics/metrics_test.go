package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Unknown paths and methods collapse into one label each: a scanner cannot grow the series.
func TestHTTPRequestLabels(t *testing.T) {
	before := Value(HTTPRequestsName, map[string]string{"route": UnmatchedRoute, "method": "other", "status": "404"})
	HTTPRequest("BREW", "", http.StatusNotFound, time.Millisecond)
	HTTPRequest("PROPFIND", "", http.StatusNotFound, time.Millisecond)
	require.Equal(t, before+2, Value(HTTPRequestsName, map[string]string{"route": UnmatchedRoute, "method": "other", "status": "404"}))

	HTTPRequest(http.MethodGet, "/api/v1/customers/:id", http.StatusOK, 20*time.Millisecond)
	require.GreaterOrEqual(t, Value(HTTPDurationName, map[string]string{"route": "/api/v1/customers/:id", "method": "GET"}), 1.0)
}

func TestImportAndActivity(t *testing.T) {
	kind := "test-kind"
	Import(kind, ImportRows{Inserted: 3, Updated: 2, Rejected: 1}, time.Second)
	ImportRefused(kind)
	require.Equal(t, 3.0, Value(ImportRowsName, map[string]string{"kind": kind, "outcome": "inserted"}))
	require.Equal(t, 2.0, Value(ImportRowsName, map[string]string{"kind": kind, "outcome": "updated"}))
	require.Equal(t, 0.0, Value(ImportRowsName, map[string]string{"kind": kind, "outcome": "unchanged"}))
	require.Equal(t, 1.0, Value(ImportRowsName, map[string]string{"kind": kind, "outcome": "rejected"}))
	require.Equal(t, 1.0, Value(ImportsName, map[string]string{"kind": kind, "result": "done"}))
	require.Equal(t, 1.0, Value(ImportsName, map[string]string{"kind": kind, "result": "refused"}))
	require.Equal(t, 1.0, Value(ImportDurationName, map[string]string{"kind": kind}))

	ActivityAttempt("TestActivity", 1, false, false)
	ActivityAttempt("TestActivity", 2, true, true)
	ActivityAttempt("TestActivity", 3, true, false)
	require.Equal(t, 2.0, Value(ActivityRetriesName, map[string]string{"activity_type": "TestActivity"}))
	require.Equal(t, 1.0, Value(ActivityFailuresName, map[string]string{"activity_type": "TestActivity", "retryable": "true"}))
	require.Equal(t, 1.0, Value(ActivityFailuresName, map[string]string{"activity_type": "TestActivity", "retryable": "false"}))
}

func TestWorkerHandlerServesMetricsAndHealth(t *testing.T) {
	srv := httptest.NewServer(WorkerHandler())
	defer srv.Close()
	Message("email", "sent")
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	code, body := get("/metrics")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `recoup_messages_total{channel="email",outcome="sent"}`)
	require.Contains(t, body, "process_resident_memory_bytes")
	code, body = get("/healthz")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"status":"ok"}`, body)
	code, _ = get("/customers")
	require.Equal(t, http.StatusNotFound, code)
}
