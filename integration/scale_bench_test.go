package integration

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/api"
	"recoup/app"
	"recoup/auth"
	"recoup/benchenv"
	"recoup/devserver"
	"recoup/domain"
	"recoup/flow"
	"recoup/importer"
	"recoup/store"
)

// BenchmarkScale is the scale run (`make scale`): RECOUP_SCALE_ACCOUNTS
// accounts (default 100,000) with RECOUP_SCALE_INVOICES invoices each
// (default 10, all due 7 days ago, so each account's first reminder falls due
// now) imported through the use cases (app.Import: the importer, then the
// import's durable wake-up, as production), every account's workflow started
// by that wake-up, and each account's evaluation until its one reminder is
// accepted by the SMTP server and recorded as sent.
//
// Production's shape, three processes: the embedded Temporal server (this
// test binary re-run as TestCrashTemporalServerHelper), a real `recoup
// worker` (built from cmd/recoup, its own defaults but for a 32-connection
// Postgres pool, RECOUP_SCALE_WORKER_ENV adds settings, e.g.
// "RECOUP_WORKFLOW_CACHE_SIZE=2000"), and this process: the API the lists are
// sampled from, an SMTP server that only counts what it accepts (by
// Message-ID) and the benchmark. So the memory figures are the worker's and
// the server's own. RECOUP_SCALE_HISTORY_CACHE sets the server's history
// cache (devserver.Options.HistoryCacheSize; 0: its default).
//
// It prints the import's time, the time until every workflow was started,
// evaluations per second, the peak resident memory (VmHWM) of the worker and
// of the server, the database's and Temporal's SQLite file sizes, and the
// p95 of GET /api/v1/customers, /invoices, /worklist and /tasks sampled one
// after the other during the run.
//
//	make scale
//	RECOUP_SCALE_ACCOUNTS=2000 go test ./integration/ -run '^$' -bench Scale -benchtime 1x -timeout 4h
func BenchmarkScale(b *testing.B) {
	n := benchenv.Int(b, "RECOUP_SCALE_ACCOUNTS", 100_000)
	per := benchenv.Int(b, "RECOUP_SCALE_INVOICES", 10)
	ctx := context.Background()
	dir, port := b.TempDir(), freePort(b)
	if v := os.Getenv("RECOUP_SCALE_HISTORY_CACHE"); v != "" {
		b.Setenv(crashServerCacheEnv, v)
	}
	bin := buildRecoup(b, b.TempDir())
	server := startServerProcess(b, dir, port)
	frontend := fmt.Sprintf("127.0.0.1:%d", port)
	r := newDunningRigAt(b, frontend, 0, 32)
	mta := startFaultySMTP(b)
	env := []string{"DATABASE_URL=" + withPoolSize(b, r.st.Pool.Config().ConnString(), 32), "TEMPORAL_ADDRESS=" + frontend,
		"TEMPORAL_NAMESPACE=default", "SMTP_URL=smtp://" + mta.addr, "RECOUP_MAIL_FROM=ar@recoup.test"}
	env = append(env, strings.Fields(os.Getenv("RECOUP_SCALE_WORKER_ENV"))...)
	wp := startWorkerProcess(b, bin, env...)

	log := slog.New(slog.DiscardHandler)
	uc := app.New(r.st, flow.NewClient(r.tc), log)
	admin := domain.Principal{Email: "admin@example.com", Role: domain.RoleAdmin, AllEntities: true}
	lists := newListSampler(b, ctx, r)
	received := func() int { accepted, _, _ := mta.counts(); return accepted }

	for b.Loop() {
		mem := startMemSampler(wp.cmd.Process.Pid, server.cmd.Process.Pid)
		begin := time.Now()
		scaleImport(b, ctx, uc, admin, "customers", n, func(w io.Writer, i int) {
			fmt.Fprintf(w, "C%06d,DN01,Customer %d SA,EUR,%s\n", i, i, rigAddress(i))
		}, "external_id,entity,name,currency,email\n")
		customersTook := time.Since(begin)
		invoicesStart := time.Now()
		imported := scaleImport(b, ctx, uc, admin, "invoices", n, func(w io.Writer, i int) {
			for k := range per {
				amount := 100 + (i*per+k)%900
				fmt.Fprintf(w, "INV%06d-%02d,C%06d,F-%06d-%02d,invoice,%s,%s,EUR,%d.00,%d.00\n", i, k, i, i, k, r.issue, r.due, amount, amount)
			}
		}, "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n")
		importTook := time.Since(begin)
		fmt.Printf("import: %d customers in %v, %d invoices in %v\n", n, customersTook.Round(time.Millisecond),
			n*per, time.Since(invoicesStart).Round(time.Millisecond))
		require.Empty(b, imported.Woken.Error)
		require.Equal(b, n, imported.Woken.Accounts)
		r.accounts = n

		// The wake-up and the evaluations it starts run together: the wake-up's
		// end is when the last workflow was started.
		lists.start()
		woke := time.Now()
		wakeDone := make(chan time.Duration, 1)
		go func() {
			if err := r.tc.GetWorkflow(ctx, imported.Woken.WorkflowID, "").Get(ctx, nil); err != nil {
				b.Errorf("the import's wake-up: %v", err)
			}
			wakeDone <- time.Since(woke)
		}()
		var started time.Duration
		deadline := woke.Add(3 * time.Hour)
		tick := time.NewTicker(time.Second)
		for i := 1; received() < n; i++ {
			select {
			case started = <-wakeDone:
				fmt.Printf("every workflow started %v after the import\n", started.Round(time.Millisecond))
			case <-tick.C:
			}
			wp.requireRunning(b)
			if i%60 == 0 { // what a cut run can be extrapolated from
				var dbBytes int64
				_ = r.st.Pool.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&dbBytes)
				fmt.Printf("%v: %d reminders received; RSS worker %d MB, server %d MB; Postgres %d MB, SQLite %d MB; lists p95 %s\n",
					time.Since(woke).Round(time.Second), received(), rssMB(wp.cmd.Process.Pid), rssMB(server.cmd.Process.Pid),
					dbBytes>>20, filesSize(b, filepath.Join(dir, devserver.DBFileName+"*"))>>20, lists.p95s())
			}
			require.True(b, time.Now().Before(deadline), "every account evaluated within 3 hours")
		}
		tick.Stop()
		for {
			done, _, err := r.finished(ctx)
			require.NoError(b, err)
			if done >= n {
				break
			}
			require.True(b, time.Now().Before(deadline), "every first action recorded")
			time.Sleep(time.Second)
		}
		evaluated := time.Since(woke)
		if started == 0 {
			started = <-wakeDone
			fmt.Printf("every workflow started %v after the import\n", started.Round(time.Millisecond))
		}
		samples := lists.stop()
		peaks := mem.stop()
		workerPeak, serverPeak := peaks[0], peaks[1]

		var logged, sent, customers int
		require.NoError(b, r.st.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'sent'), count(DISTINCT customer_id) FROM message_log`).
			Scan(&logged, &sent, &customers))
		require.Equal(b, n, logged, "one first action per account")
		require.Equal(b, n, sent)
		require.Equal(b, n, customers)
		twice := 0
		for _, c := range mta.received() {
			twice += c - 1
		}
		require.Zero(b, twice, "reminders the SMTP server received twice")
		var dbBytes int64
		require.NoError(b, r.st.Pool.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&dbBytes))
		sqliteBytes := filesSize(b, filepath.Join(dir, devserver.DBFileName+"*"))

		rate := float64(n) / evaluated.Seconds()
		b.ReportMetric(rate, "evaluations/s")
		b.ReportMetric(started.Seconds(), "start-all-s")
		b.ReportMetric(float64(workerPeak)/(1<<20), "worker-peak-MB")
		b.ReportMetric(float64(serverPeak)/(1<<20), "server-peak-MB")
		fmt.Printf("\nscale run: %d accounts, %d invoices\n", n, n*per)
		fmt.Printf("import (customers + invoices): %v\n", importTook.Round(time.Millisecond))
		fmt.Printf("time to start every workflow (the import's wake-up): %v (%.0f workflows/s)\n",
			started.Round(time.Millisecond), float64(n)/started.Seconds())
		fmt.Printf("every account evaluated (reminder received and recorded): %v after the import, %.1f evaluations/s (goal: within 1 h)\n",
			evaluated.Round(time.Millisecond), rate)
		fmt.Printf("peak RSS (VmHWM): recoup worker process %d MB, Temporal server process %d MB, together %d MB (goal < 4096 MB)\n",
			workerPeak>>20, serverPeak>>20, (workerPeak+serverPeak)>>20)
		fmt.Printf("sizes: Postgres database %d MB (%.1f KB/account), Temporal SQLite files %d MB (%.1f KB/account)\n",
			dbBytes>>20, float64(dbBytes)/1024/float64(n), sqliteBytes>>20, float64(sqliteBytes)/1024/float64(n))
		for _, s := range samples {
			fmt.Printf("GET %-18s %4d samples, p50 %v, p95 %v, max %v\n", s.path, len(s.took),
				pct(s.took, 50), pct(s.took, 95), pct(s.took, 100))
		}
	}
}

// withPoolSize sets pgxpool's pool_max_conns on a connection string.
func withPoolSize(b *testing.B, conn string, size int) string {
	b.Helper()
	u, err := url.Parse(conn)
	require.NoError(b, err)
	q := u.Query()
	q.Set("pool_max_conns", strconv.Itoa(size))
	u.RawQuery = q.Encode()
	return u.String()
}

// scaleImport imports n rows of kind through the use cases (the wake-up
// included), streaming the CSV from row.
func scaleImport(b *testing.B, ctx context.Context, uc *app.App, who domain.Principal, kind string, n int,
	row func(io.Writer, int), header string) app.Imported {
	b.Helper()
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 1<<20)
		bw.WriteString(header)
		for i := range n {
			row(bw, i)
		}
		pw.CloseWithError(bw.Flush())
	}()
	res, err := uc.Import(ctx, who, app.ImportRequest{Kind: kind, Format: importer.CSV, Name: "scale-" + kind + ".csv", Body: pr})
	require.NoError(b, err)
	require.Zero(b, res.Rejected, res.Rejections)
	return res
}

// listSampler GETs the main API lists one after the other, as an admin,
// while the run goes on, and keeps each one's latencies.
type listSampler struct {
	url, token string
	http       *http.Client
	paths      []string
	stopCh     chan struct{}
	wg         sync.WaitGroup
	mu         sync.Mutex
	took       map[string][]time.Duration
	b          *testing.B
}

// p95s is each list's p95 so far.
func (l *listSampler) p95s() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, p := range l.paths {
		out = append(out, fmt.Sprintf("%s %v", strings.TrimPrefix(p, "/api/v1"), pct(l.took[p], 95)))
	}
	return strings.Join(out, ", ")
}

func newListSampler(b *testing.B, ctx context.Context, r *dunningRig) *listSampler {
	b.Helper()
	_, err := r.st.PutUser(ctx, store.UserSpec{Email: "scale-admin@example.com", Role: domain.RoleAdmin}, "bench")
	require.NoError(b, err)
	_, token, err := auth.IssueToken(ctx, r.st, "scale-admin@example.com", "scale run", "", "", "bench")
	require.NoError(b, err)
	st, err := store.Open(ctx, r.st.Pool.Config().ConnString()) // the API's own pool, as `recoup api` opens it
	require.NoError(b, err)
	b.Cleanup(st.Pool.Close)
	log := slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(api.NewHandler(api.Options{App: app.New(st, flow.NewClient(r.tc), log), Logger: log}))
	b.Cleanup(srv.Close)
	return &listSampler{url: srv.URL, token: token, http: &http.Client{Timeout: time.Minute}, b: b,
		paths: []string{"/api/v1/customers", "/api/v1/invoices", "/api/v1/worklist", "/api/v1/tasks"}}
}

func (l *listSampler) start() {
	l.mu.Lock()
	l.stopCh, l.took = make(chan struct{}), map[string][]time.Duration{}
	l.mu.Unlock()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		for {
			for _, p := range l.paths {
				select {
				case <-l.stopCh:
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodGet, l.url+p, nil)
				req.Header.Set("Authorization", "Bearer "+l.token)
				begin := time.Now()
				resp, err := l.http.Do(req)
				if err != nil {
					l.b.Errorf("GET %s: %v", p, err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					l.b.Errorf("GET %s: %s", p, resp.Status)
					return
				}
				l.mu.Lock()
				l.took[p] = append(l.took[p], time.Since(begin))
				l.mu.Unlock()
			}
			time.Sleep(2 * time.Second) // a person's pace, not a load test
		}
	}()
}

type listSamples struct {
	path string
	took []time.Duration
}

func (l *listSampler) stop() []listSamples {
	close(l.stopCh)
	l.wg.Wait()
	var out []listSamples
	for _, p := range l.paths {
		out = append(out, listSamples{strings.TrimPrefix(p, "/api/v1"), l.took[p]})
	}
	return out
}

// pct is the q-th percentile (nearest rank) of ds, rounded to the millisecond.
func pct(ds []time.Duration, q int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (q*len(s)+99)/100 - 1
	return s[max(i, 0)].Round(time.Millisecond)
}

// memSampler follows the peak resident memory of the processes pids:
// VmHWM where it can be read, else the highest VmRSS seen.
type memSampler struct {
	pids   []int
	stopCh chan struct{}
	done   chan struct{}
	peak   []int64
}

func startMemSampler(pids ...int) *memSampler {
	m := &memSampler{pids: pids, stopCh: make(chan struct{}), done: make(chan struct{}), peak: make([]int64, len(pids))}
	go func() {
		defer close(m.done)
		for t := time.NewTicker(time.Second); ; {
			for i, pid := range pids {
				m.peak[i] = max(m.peak[i], procStatus(pid, "VmRSS:"))
			}
			select {
			case <-m.stopCh:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// stop returns each process's peak, in the order given.
func (m *memSampler) stop() []int64 {
	close(m.stopCh)
	<-m.done
	for i, pid := range m.pids {
		m.peak[i] = max(m.peak[i], procStatus(pid, "VmHWM:"))
	}
	return m.peak
}

func rssMB(pid int) int64 { return procStatus(pid, "VmRSS:") >> 20 }

// procStatus reads a "kB" field of /proc/<pid>/status in bytes; 0 if unknown.
func procStatus(pid int, field string) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// filesSize adds up the sizes of the files matching pattern.
func filesSize(b *testing.B, pattern string) int64 {
	b.Helper()
	paths, err := filepath.Glob(pattern)
	require.NoError(b, err)
	var total int64
	for _, p := range paths {
		fi, err := os.Stat(p)
		require.NoError(b, err)
		total += fi.Size()
	}
	return total
}
