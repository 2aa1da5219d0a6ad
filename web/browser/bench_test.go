package browser

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/api"
	"recoup/app"
	"recoup/auth"
	"recoup/devserver"
	"recoup/flow"
	"recoup/importer"
	"recoup/store"
	"recoup/store/storetest"
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
	customers := envInt(b, "RECOUP_BENCH_CUSTOMERS", 100_000)
	requests := envInt(b, "RECOUP_BENCH_REQUESTS", 200)
	rounds := envInt(b, "RECOUP_BENCH_ROUNDS", 3)
	hey, err := exec.LookPath("hey")
	require.NoError(b, err, "the web benchmark needs hey: run `make bench-web` (it installs it) or `apt-get install -y hey`")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.DiscardHandler)

	st := benchStore(b, ctx)
	start := time.Now()
	if filled := fillBench(b, ctx, st.Pool, customers); filled {
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

	manager := signIn(b, appURL, benchManager)
	agent := signIn(b, appURL, benchAgent)
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

const (
	benchManager  = "manager@bench.test"
	benchAgent    = "agent01@bench.test"
	benchPassword = "bench password, long enough"
	benchAgents   = 20
)

// signIn signs email in through the API, as a browser does, and returns the session cookie.
func signIn(b *testing.B, base, email string) string {
	b.Helper()
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, email, benchPassword)
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

// benchStore is a fresh test database, or RECOUP_BENCH_DATABASE_URL migrated.
func benchStore(b *testing.B, ctx context.Context) *store.Store {
	b.Helper()
	url := os.Getenv("RECOUP_BENCH_DATABASE_URL")
	if url == "" {
		return &store.Store{Pool: storetest.NewPool(b)}
	}
	require.NoError(b, store.EnsureDatabase(ctx, url))
	st, err := store.Open(ctx, url)
	require.NoError(b, err)
	b.Cleanup(st.Close)
	require.NoError(b, store.Migrate(ctx, st.Pool, slog.New(slog.DiscardHandler)))
	return st
}

// fillBench loads a realistic book when the database has no customer: three
// entities in two currencies, a credit manager and 20 agents (users with a
// password, to sign in), customers spread over entities, categories and
// agents, ten invoices each (customer C0000000 has 2,000 more), due over the
// last thirteen months and the next one, about a third paid and most of the
// rest overdue, a credit note in twenty; and an open task for one customer in
// ten. Everything but the tasks goes through the importer, as an ERP feed
// would; tasks (made by dunning workflows in production) are inserted in one
// statement.
func fillBench(b *testing.B, ctx context.Context, pool *pgxpool.Pool, customers int) bool {
	b.Helper()
	var existing int64
	require.NoError(b, pool.QueryRow(ctx, `SELECT count(*) FROM customers`).Scan(&existing))
	if existing > 0 {
		return false
	}
	st := &store.Store{Pool: pool}
	users := []struct{ email, role string }{{benchManager, "credit_manager"}}
	for i := 1; i <= benchAgents; i++ {
		users = append(users, struct{ email, role string }{fmt.Sprintf("agent%02d@bench.test", i), "agent"})
	}
	for _, u := range users {
		spec, err := auth.UserSpec(u.email, strings.Split(u.email, "@")[0], u.role, "", benchPassword, nil)
		require.NoError(b, err)
		_, err = st.PutUser(ctx, spec, "bench")
		require.NoError(b, err)
	}

	im := importer.New(pool)
	dir := b.TempDir()
	imp := func(kind importer.Kind, name, header string, n int, row func(*bufio.Writer, int)) {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		require.NoError(b, err)
		w := bufio.NewWriterSize(f, 1<<20)
		w.WriteString(header)
		for i := range n {
			row(w, i)
		}
		require.NoError(b, w.Flush())
		_, err = f.Seek(0, io.SeekStart)
		require.NoError(b, err)
		defer f.Close()
		res, err := im.Import(ctx, kind, importer.CSV, f, importer.Source{Name: "bench"})
		require.NoError(b, err)
		require.Zero(b, res.Rejected, res.Rejections)
	}
	type entity struct{ code, country, currency, timezone, language string }
	entities := []entity{{"FR01", "FR", "EUR", "Europe/Paris", "fr"}, {"DE01", "DE", "EUR", "Europe/Berlin", "de"},
		{"US01", "US", "USD", "America/New_York", "en"}}
	entityOf := func(i int) entity { return entities[[]int{0, 0, 0, 0, 0, 1, 1, 1, 2, 2}[i%10]] }
	imp(importer.Entities, "entities.csv", "code,name,country,currency,timezone,language\n", len(entities),
		func(w *bufio.Writer, i int) {
			e := entities[i]
			fmt.Fprintf(w, "%s,Bench %s,%s,%s,%s,%s\n", e.code, e.country, e.country, e.currency, e.timezone, e.language)
		})
	categories := []string{"key_account", "sme", "public", "retail"}
	imp(importer.Customers, "customers.csv", "external_id,entity,name,category,country,language,currency,timezone,agent_email\n", customers,
		func(w *bufio.Writer, i int) {
			e := entityOf(i)
			fmt.Fprintf(w, "C%07d,%s,Customer %d,%s,%s,%s,%s,%s,agent%02d@bench.test\n", i, e.code, i, categories[i%len(categories)],
				e.country, e.language, e.currency, e.timezone, 1+i%benchAgents)
		})
	const heavy = 2000 // invoices of customer C0000000 on top of its ten
	today := time.Now().UTC()
	imp(importer.Invoices, "invoices.csv",
		"external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n", customers*10+heavy,
		func(w *bufio.Writer, i int) {
			c := i % customers
			if i >= customers*10 {
				c = 0
			}
			issue := today.AddDate(0, 0, -(i*7)%420)
			due := issue.AddDate(0, 0, 30)
			typ := "invoice"
			if i%20 == 7 {
				typ = "credit_note"
			}
			amount := 10_000 + (i*7919)%900_000 // minor units
			open := amount
			switch i % 10 {
			case 0, 1, 2: // paid
				open = 0
			case 3: // partly paid
				open = amount / 2
			}
			fmt.Fprintf(w, "INV%08d,C%07d,F-%08d,%s,%s,%s,%s,%d.%02d,%d.%02d\n", i, c, i, typ,
				issue.Format(time.DateOnly), due.Format(time.DateOnly), entityOf(c).currency, amount/100, amount%100, open/100, open%100)
		})
	// Statistics first: without them the planner scans every invoice for each customer's open ones.
	_, err := pool.Exec(ctx, `ANALYZE invoices`)
	require.NoError(b, err)
	_, err = pool.Exec(ctx, insertBenchTasks)
	require.NoError(b, err)
	return true
}

// insertBenchTasks opens a task for one customer in ten with an overdue
// invoice, as dunning would: calls for the customer's agent, escalations for
// the credit managers, due over the last and next weeks.
const insertBenchTasks = `
INSERT INTO tasks (key, customer_id, kind, assignee_role, assignee_id, invoice_ids, due_at)
SELECT 'bench-' || c.id, c.id,
       CASE WHEN c.id % 70 = 0 THEN 'escalation' ELSE 'call' END,
       CASE WHEN c.id % 70 = 0 THEN 'credit_manager' ELSE 'agent' END,
       CASE WHEN c.id % 70 = 0 THEN NULL ELSE c.agent_id END,
       o.ids, now() + ((c.id % 15) - 7) * interval '1 day'
FROM customers c
CROSS JOIN LATERAL (
    SELECT array_agg(i.id) AS ids FROM invoices i
    WHERE i.customer_id = c.id AND i.status = 'open' AND i.type = 'invoice' AND i.due_date < current_date
) o
WHERE c.id % 10 = 0 AND o.ids IS NOT NULL`

func envInt(b *testing.B, name string, def int) int {
	b.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(b, err, name)
	return n
}
