package browser

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/api"
	"recoup/app"
	"recoup/benchenv"
	"recoup/devserver"
	"recoup/flow"
	"recoup/store/storetest/benchbook"
	"recoup/tclient"
	"recoup/web"
)

// BenchmarkPages measures the JSON lists and the web pages at production size
// (RECOUP_BENCH_CUSTOMERS customers, default 100,000, with ten times as many
// invoices) against a bare handler that returns a static page, in the same run.
// It lives here rather than in package web because the account page asks
// Temporal for the live state of an account: the server is `recoup api`'s
// handler with a real (embedded) Temporal server behind it, so those pages pay
// the round trip they pay in production. No worker runs: dunning would load
// the machine while it is measured.
//
// The load comes from hey, in its own process (`make bench-web` installs it),
// one connection, 200 requests per page (RECOUP_BENCH_REQUESTS); the pages and
// the bare handler take turns for RECOUP_BENCH_ROUNDS rounds (default 3) and
// the table quotes the median of the rounds, because the machine is shared.
// A page that does not answer 200 yet is reported as not measured.
//
// RECOUP_BENCH_DATABASE_URL keeps the data between runs: the database is
// created and migrated if needed, and filled only when it has no customer.
//
//	go test ./web/browser/ -run '^$' -bench Pages -benchtime 1x -timeout 60m
func BenchmarkPages(b *testing.B) {
	customers := benchenv.Int(b, "RECOUP_BENCH_CUSTOMERS", 100_000)
	requests := benchenv.Int(b, "RECOUP_BENCH_REQUESTS", 200)
	rounds := benchenv.Int(b, "RECOUP_BENCH_ROUNDS", 3)
	hey, err := exec.LookPath("hey")
	require.NoError(b, err, "the web benchmark needs hey: run `make bench-web` (it installs it) or `apt-get install -y hey`")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.DiscardHandler)

	st := benchbook.Store(b, ctx)
	start := time.Now()
	if filled := benchbook.Fill(b, ctx, st.Pool, customers); filled {
		fmt.Printf("\nloaded %d customers and %d invoices in %s\n", customers, customers*10, time.Since(start).Round(time.Second))
	}
	// What autovacuum leaves after a large import: statistics, and the
	// visibility map that lets index-only scans skip the table.
	_, err = st.Pool.Exec(ctx, `VACUUM ANALYZE`)
	require.NoError(b, err)

	temporal, err := devserver.Start(ctx, devserver.Options{DataDir: b.TempDir(), Namespace: "default",
		SearchAttributes: flow.SearchAttributes, Logger: log})
	require.NoError(b, err)
	defer temporal.Stop()
	tc, err := tclient.Dial(ctx, temporal.FrontendAddress(), "default", log)
	require.NoError(b, err)
	defer tc.Close()

	// As `recoup api` serves it: the JSON API with the web app mounted, on a real port.
	uses := app.New(st, flow.NewClient(tc), log)
	pages, err := web.New(web.Options{App: uses, Logger: log})
	require.NoError(b, err)
	appURL := serve(b, ctx, api.NewHandler(api.Options{App: uses, Logger: log, Mount: pages.Mount}))
	bareURL := serve(b, ctx, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(barePage)
	}))

	manager := signIn(b, appURL, benchbook.Manager)
	agent := signIn(b, appURL, benchbook.Agent)
	var heavy int64 // the customer with the most invoices
	require.NoError(b, st.Pool.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'C0000000'`).Scan(&heavy))
	deep := customers - 50
	targets := []target{
		{name: "bare handler (static page)", url: bareURL + "/"},
		{name: "JSON customers, first page", url: appURL + "/api/v1/customers", cookie: manager},
		{name: "JSON customers, ?entity=DE01", url: appURL + "/api/v1/customers?entity=DE01", cookie: manager},
		{name: fmt.Sprintf("JSON customers, ?offset=%d&limit=50", deep), url: fmt.Sprintf("%s/api/v1/customers?offset=%d&limit=50", appURL, deep), cookie: manager},
		{name: "JSON invoices, first page", url: appURL + "/api/v1/invoices", cookie: manager},
		{name: "JSON invoices, ?overdue=true", url: appURL + "/api/v1/invoices?overdue=true", cookie: manager},
		{name: "JSON invoices, ?status=paid", url: appURL + "/api/v1/invoices?status=paid", cookie: manager},
		{name: fmt.Sprintf("JSON invoices, ?offset=%d&limit=50", deep), url: fmt.Sprintf("%s/api/v1/invoices?offset=%d&limit=50", appURL, deep), cookie: manager},
		{name: "JSON invoices, ?overdue=true (agent)", url: appURL + "/api/v1/invoices?overdue=true", cookie: agent},
		{name: "/accounts", url: appURL + "/accounts", cookie: manager},
		{name: "/accounts?entity=DE01", url: appURL + "/accounts?entity=DE01", cookie: manager},
		{name: fmt.Sprintf("/accounts?page=%d", deep/50+1), url: fmt.Sprintf("%s/accounts?page=%d", appURL, deep/50+1), cookie: manager},
		{name: "/accounts/{id} (2,010 invoices)", url: fmt.Sprintf("%s/accounts/%d", appURL, heavy), cookie: manager},
		{name: "/worklist (agent, mine)", url: appURL + "/worklist", cookie: agent},
		{name: "/worklist?scope=team (manager)", url: appURL + "/worklist?scope=team", cookie: manager},
	}
	for i := range targets {
		targets[i].status = statusOf(b, targets[i])
	}

	for b.Loop() {
		// A B A B: every page, then the bare handler again, round after round,
		// so a noisy neighbour spreads over all of them rather than one.
		for round := range rounds {
			for i := range targets {
				if targets[i].status != http.StatusOK {
					continue
				}
				targets[i].runs = append(targets[i].runs, load(b, hey, targets[i], requests))
				if i > 0 {
					targets[0].runs = append(targets[0].runs, load(b, hey, targets[0], requests))
				}
			}
			fmt.Printf("round %d of %d done\n", round+1, rounds)
		}
	}

	bare := median(targets[0].runs, func(r run) time.Duration { return r.p95 })
	fmt.Printf("\n%d customers, %d invoices; hey, 1 connection, %d requests per page and run, median of %d rounds\n",
		customers, customers*10, requests, rounds)
	fmt.Printf("| page | p50 | p95 | p95 / bare |\n|---|---|---|---|\n")
	for _, t := range targets {
		if t.status != http.StatusOK {
			fmt.Printf("| %s | not measured: answers %d | | |\n", t.name, t.status)
			continue
		}
		p50 := median(t.runs, func(r run) time.Duration { return r.p50 })
		p95 := median(t.runs, func(r run) time.Duration { return r.p95 })
		note := ""
		if n := t.runs[0].n; n < requests {
			note = fmt.Sprintf(" (%d requests: capped at %s a run)", n, runBudget)
		}
		fmt.Printf("| %s%s | %s | %s | %.1f |\n", t.name, note, ms(p50), ms(p95), float64(p95)/float64(bare))
	}
}

// target is one page to measure and what was measured.
type target struct {
	name, url, cookie string
	status            int
	runs              []run
}

// run is one hey run against a target.
type run struct {
	n        int
	p50, p95 time.Duration
}

// runBudget bounds one run of a slow page (before a fix, a list may take
// seconds): fewer requests rather than a benchmark that takes hours.
const runBudget = 40 * time.Second

// barePage is what the baseline handler returns: a small static page.
var barePage = []byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Recoup</title></head>` +
	`<body><main><h1>Accounts</h1><p>A static page: the cost of HTTP, the loopback and the load tool.</p></main></body></html>`)

// load runs hey against t, in its own process, and returns the percentiles of its per-request times.
func load(b *testing.B, hey string, t target, requests int) run {
	b.Helper()
	// One timed request first: it sizes the run to the budget.
	one := timeOne(b, t)
	n := requests
	if one > 0 && time.Duration(n)*one > runBudget {
		n = max(10, int(runBudget/one))
	}
	args := []string{"-n", strconv.Itoa(n), "-c", "1", "-t", "60", "-o", "csv"}
	if t.cookie != "" {
		args = append(args, "-H", "Cookie: recoup_session="+t.cookie)
	}
	out, err := exec.Command(hey, append(args, t.url)...).Output()
	require.NoError(b, err, "hey %s", t.url)
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	require.NoError(b, err)
	require.NotEmpty(b, recs)
	var times []time.Duration
	for _, rec := range recs[1:] { // response-time (s), ..., status-code, offset
		require.Equal(b, "200", rec[6], "%s answered %s under load", t.name, rec[6])
		s, err := strconv.ParseFloat(rec[0], 64)
		require.NoError(b, err)
		times = append(times, time.Duration(s*float64(time.Second)))
	}
	slices.Sort(times)
	return run{n: len(times), p50: percentile(times, 50), p95: percentile(times, 95)}
}

func timeOne(b *testing.B, t target) time.Duration {
	b.Helper()
	start := time.Now()
	if statusOf(b, t) != http.StatusOK {
		return 0
	}
	return time.Since(start)
}

// statusOf is what a GET of t answers, redirects not followed.
func statusOf(b *testing.B, t target) int {
	b.Helper()
	req, err := http.NewRequest(http.MethodGet, t.url, nil)
	require.NoError(b, err)
	if t.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "recoup_session", Value: t.cookie})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	require.NoError(b, err)
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

// percentile of sorted times, nearest rank.
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

func median(runs []run, of func(run) time.Duration) time.Duration {
	v := make([]time.Duration, len(runs))
	for i, r := range runs {
		v[i] = of(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// serve runs h on a free port of the loopback until ctx ends and returns its base URL.
func serve(b *testing.B, ctx context.Context, h http.Handler) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	go func() { _ = api.Serve(ctx, ln, h, slog.New(slog.DiscardHandler)) }()
	return "http://" + ln.Addr().String()
}

// signIn signs email in through the API, as a browser does, and returns the session cookie.
func signIn(b *testing.B, base, email string) string {
	b.Helper()
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, email, benchbook.Password)
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	require.NoError(b, err)
	defer res.Body.Close()
	require.Equal(b, http.StatusOK, res.StatusCode, "sign in as %s", email)
	for _, c := range res.Cookies() {
		if c.Name == "recoup_session" {
			return c.Value
		}
	}
	b.Fatalf("no session cookie for %s", email)
	return ""
}
