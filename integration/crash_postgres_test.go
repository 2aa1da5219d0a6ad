package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/devserver"
	"recoup/flow"
	"recoup/importer"
	"recoup/store"
	"recoup/tclient"
	"recoup/worker"
)

// privatePostgres is a Postgres server of the test's own (initdb + pg_ctl on
// a free port in a temporary directory), so that the test can crash and
// restart it without touching the machine's shared server.
type privatePostgres struct {
	bin, dir string
	port     int
	runAs    []string // runuser -u postgres -- when the test runs as root (initdb refuses root)
}

// startPrivatePostgres initialises and starts a server (fsync off: the
// tests crash the server process, not the machine). Its binaries are taken
// from RECOUP_TEST_PG_BIN, else /usr/lib/postgresql/15/bin; without them the
// test is skipped.
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	bin := os.Getenv("RECOUP_TEST_PG_BIN")
	if bin == "" {
		bin = "/usr/lib/postgresql/15/bin"
	}
	if _, err := os.Stat(filepath.Join(bin, "initdb")); err != nil {
		t.Skipf("no Postgres binaries in %s (set RECOUP_TEST_PG_BIN): %v", bin, err)
	}
	dir, err := os.MkdirTemp("", "recoup-pg-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	p := &privatePostgres{bin: bin, dir: dir, port: freePort(t)}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		require.NoError(t, err, "running as root, initdb needs the postgres user")
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		require.NoError(t, os.Chown(dir, uid, gid))
		p.runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	p.run(t, "initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	p.start(t)
	t.Cleanup(func() { p.stop(t, "fast") })
	return p
}

func (p *privatePostgres) run(t *testing.T, tool string, args ...string) {
	t.Helper()
	argv := append(append(append([]string{}, p.runAs...), filepath.Join(p.bin, tool)), args...)
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	require.NoError(t, err, "%s: %s", tool, out)
}

// start starts the server and waits until it accepts connections (after
// crash recovery, following an immediate stop).
func (p *privatePostgres) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c max_connections=200", p.port, p.dir)
	p.run(t, "pg_ctl", "-D", filepath.Join(p.dir, "data"), "-l", filepath.Join(p.dir, "log"), "-o", opts, "-w", "start")
}

// stop stops the server: mode "immediate" is a crash (no checkpoint,
// connections dropped, recovery at the next start).
func (p *privatePostgres) stop(t *testing.T, mode string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(p.dir, "data", "postmaster.pid")); err != nil {
		return // not running
	}
	p.run(t, "pg_ctl", "-D", filepath.Join(p.dir, "data"), "-m", mode, "-w", "stop")
}

func (p *privatePostgres) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, db)
}

// Postgres crashed (pg_ctl stop -m immediate) and restarted in the middle
// of a batch of reminders and of an import: the import, cut in the middle of
// its rows, left nothing (and lands whole when made again); the batch
// completes once Postgres is back, each reminder received once, no workflow
// failed.
func TestPostgresRestartMidBatchAndMidImport(t *testing.T) {
	t.Parallel() // with the other outage tests: they mostly wait on backoff
	n := crashBatch(t, 150)
	const importRows = 4000
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	pg := startPrivatePostgres(t)
	admin, err := pgx.Connect(ctx, pg.url("postgres"))
	require.NoError(t, err)
	_, err = admin.Exec(ctx, `CREATE DATABASE recoup`)
	require.NoError(t, err)
	require.NoError(t, admin.Close(ctx))
	pool, err := pgxpool.New(ctx, pg.url("recoup"))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	quiet := slog.New(slog.DiscardHandler)
	require.NoError(t, store.Migrate(ctx, pool, quiet))
	st := &store.Store{Pool: pool}
	r := loadBatch(t, ctx, st, n, false)

	srv, err := devserver.Start(ctx, devserver.Options{DataDir: t.TempDir(), Namespace: "default",
		SearchAttributes: flow.SearchAttributes, Logger: quiet})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Stop() })
	// What the worker saw of the outage: actions it could not claim, or sent and could not record yet.
	const retried, unclaimed, unrecorded = "will be retried", "could not be claimed", "not recorded yet"
	seen := newFailureLog(retried, unclaimed, unrecorded)
	r.tc, err = tclient.Dial(ctx, srv.FrontendAddress(), "default", quiet)
	require.NoError(t, err)
	t.Cleanup(r.tc.Close)
	mta := startFaultySMTP(t)
	mta.answerAfter = 300 * time.Millisecond // so that the crash finds sends in flight
	startWorker(t, ctx, worker.Options{Client: r.tc, Namespace: "default", Store: st, SMTPURL: "smtp://" + mta.addr,
		MailFrom: "ar@recoup.test", SweepFirstAfter: time.Hour, Log: slog.New(seen)})

	// The import streams its file into its transaction: half of it is in when Postgres dies.
	var file bytes.Buffer
	file.WriteString("external_id,entity,name,currency,email\n")
	for i := range importRows {
		fmt.Fprintf(&file, "K%06d,DN01,Imported %d SA,EUR,k%06d@example.test\n", i, i, i)
	}
	lines := strings.SplitAfter(file.String(), "\n")
	pr, pw := io.Pipe()
	imported := make(chan error, 1)
	go func() {
		_, err := importer.New(pool).Import(ctx, importer.Customers, importer.CSV, pr, importer.Source{Name: "crash", Actor: "test"})
		_ = pr.CloseWithError(err)
		imported <- err
	}()
	for _, l := range lines[:len(lines)/2] {
		_, err := io.WriteString(pw, l)
		require.NoError(t, err, "the import reads its first half")
	}

	begin := time.Now()
	progress := func() string {
		accepted, _, _ := mta.counts()
		failed, _ := seen.count(retried)
		notClaimed, _ := seen.count(unclaimed)
		late, _ := seen.count(unrecorded)
		return fmt.Sprintf("%v: %d emails accepted; actions failed: %d, not claimed: %d, sent and not recorded at once: %d",
			time.Since(begin).Round(100*time.Millisecond), accepted, failed, notClaimed, late)
	}
	r.touchAll(t, ctx)
	within(t, 3*time.Minute, "a third of the batch sent", func() bool { a, _, _ := mta.counts(); return a >= n/3 }, progress)
	done, claimed, err := r.finished(ctx)
	require.NoError(t, err)
	pg.stop(t, "immediate")
	t.Logf("Postgres crashed (stop -m immediate) at %s, %d of %d claimed actions finished, the import half read", progress(), done, claimed)

	for _, l := range lines[len(lines)/2:] {
		if _, err := io.WriteString(pw, l); err != nil {
			break // the import gave up
		}
	}
	_ = pw.Close()
	importErr := <-imported
	require.Error(t, importErr, "an import whose database died cannot have succeeded")
	t.Logf("the import failed: %v", importErr)
	within(t, 2*time.Minute, "the worker meets the outage", func() bool {
		failed, _ := seen.count(retried)
		notClaimed, _ := seen.count(unclaimed)
		late, _ := seen.count(unrecorded)
		return failed+notClaimed+late >= 1
	}, progress)
	pg.start(t)
	t.Logf("Postgres back at %s", progress())

	var landed int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM customers WHERE external_id LIKE 'K%'`).Scan(&landed))
	require.Zero(t, landed, "the cut import left nothing")
	res, err := importer.New(pool).Import(ctx, importer.Customers, importer.CSV, strings.NewReader(file.String()), importer.Source{Name: "crash again", Actor: "test"})
	require.NoError(t, err)
	require.EqualValues(t, importRows, res.Inserted)
	t.Logf("the import made again landed whole: %d customers", res.Inserted)

	within(t, 4*time.Minute, "every reminder recorded", func() bool {
		done, all, err := r.finished(ctx)
		return err == nil && done == n && all == n
	}, progress)
	t.Logf("batch done: %s", progress())
	requireEachOnce(t, ctx, st, n, "sent", mta.received(), emailIdent, nil)
	requireNoWorkflowFailed(t, ctx, r.tc)
}
