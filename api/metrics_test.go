package api_test

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/api"
	"recoup/metrics"
)

// Not parallel: it counts the requests of this test alone (the parallel tests
// of the package wait until the sequential ones are done).
func TestMetricsCountRequestsByRouteTemplate(t *testing.T) {
	b := setup(t)
	p := decode[page](t, b.do(t, http.MethodGet, "/api/v1/customers?q=C1", "", "", http.StatusOK))
	id := strconv.FormatInt(int64(p.Items[0]["id"].(float64)), 10)

	byCustomer := map[string]string{"method": "GET", "route": "/api/v1/customers/:id", "status": "200"}
	missing := map[string]string{"method": "GET", "route": "/api/v1/customers/:id", "status": "404"}
	unmatched := map[string]string{"method": "GET", "route": metrics.UnmatchedRoute, "status": "404"}
	before := map[string]float64{}
	for name, l := range map[string]map[string]string{"ok": byCustomer, "missing": missing, "unmatched": unmatched} {
		before[name] = metrics.Value(metrics.HTTPRequestsName, l)
	}
	latency := metrics.Value(metrics.HTTPDurationName, map[string]string{"method": "GET", "route": "/api/v1/customers/:id"})

	b.do(t, http.MethodGet, "/api/v1/customers/"+id, "", "", http.StatusOK)
	b.do(t, http.MethodGet, "/api/v1/customers/"+id, "", "", http.StatusOK)
	b.do(t, http.MethodGet, "/api/v1/customers/999999", "", "", http.StatusNotFound)
	b.do(t, http.MethodGet, "/api/v1/nowhere/secret-path-4242", "", "", http.StatusNotFound)

	require.Equal(t, before["ok"]+2, metrics.Value(metrics.HTTPRequestsName, byCustomer))
	require.Equal(t, before["missing"]+1, metrics.Value(metrics.HTTPRequestsName, missing))
	require.Equal(t, before["unmatched"]+1, metrics.Value(metrics.HTTPRequestsName, unmatched))
	require.Equal(t, latency+3, metrics.Value(metrics.HTTPDurationName, map[string]string{"method": "GET", "route": "/api/v1/customers/:id"}),
		"one latency observation per request of the route, whatever its status")

	// /metrics answers without sign-in, and names no path, id or user.
	body := string(b.doAs(t, "", http.MethodGet, "/metrics", "", "", http.StatusOK))
	require.Contains(t, body, `recoup_http_requests_total{method="GET",route="/api/v1/customers/:id",status="200"}`)
	require.Contains(t, body, `route="unmatched"`)
	require.Contains(t, body, "go_goroutines")
	require.NotContains(t, body, "secret-path-4242")
	require.NotContains(t, body, "/api/v1/customers/"+id+`"`)
	require.NotContains(t, body, "root@recoup.example")
}

// Every server of Recoup has its limits: headers larger than MaxHeaderBytes
// are refused before any handler runs.
func TestHTTPServerLimits(t *testing.T) {
	t.Parallel()
	srv := api.NewHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	require.Equal(t, api.ReadHeaderTimeout, srv.ReadHeaderTimeout)
	require.NotZero(t, srv.ReadTimeout)
	require.NotZero(t, srv.WriteTimeout)
	require.NotZero(t, srv.IdleTimeout)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	get := func(header string) int {
		req, err := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
		require.NoError(t, err)
		req.Header.Set("X-Padding", header)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusNoContent, get("small"))
	require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, get(strings.Repeat("x", 2*api.MaxHeaderBytes)))
}
