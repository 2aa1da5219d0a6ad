package importer_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/importer"
	"recoup/store/storetest"
)

// BenchmarkImportInvoices imports RECOUP_BENCH_INVOICES invoices (default
// 1,000,000) spread over a tenth as many customers, and in the same run times
// a raw COPY FROM of the same file into a bare table with no index, no check
// and no upsert: the fastest Postgres can take these rows. It prints rows per
// second for both, their ratio, and the process's peak memory during the import.
//
//	go test ./importer/ -run '^$' -bench ImportInvoices -benchtime 1x
func BenchmarkImportInvoices(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("RECOUP_BENCH_INVOICES"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(b, err)
	}
	customers := max(n/10, 1)
	ctx := context.Background()
	pool := storetest.NewPool(b)
	im := importer.New(pool)
	dir := b.TempDir()

	load := func(kind importer.Kind, path string) importer.Result {
		f, err := os.Open(path)
		require.NoError(b, err)
		defer f.Close()
		res, err := im.Import(ctx, kind, importer.CSV, f, importer.Source{Name: "bench"})
		require.NoError(b, err)
		require.Zero(b, res.Rejected, res.Rejections)
		return res
	}
	load(importer.Entities, writeFile(b, dir, "entities.csv", "code,name,country,currency,timezone,language\n", 1,
		func(w *bufio.Writer, _ int) { w.WriteString("FR01,Bench SAS,FR,EUR,Europe/Paris,fr\n") }))
	load(importer.Customers, writeFile(b, dir, "customers.csv", "external_id,entity,name,currency\n", customers,
		func(w *bufio.Writer, i int) { fmt.Fprintf(w, "C%07d,FR01,Customer %d SARL,EUR\n", i, i) }))
	invoices := writeFile(b, dir, "invoices.csv",
		"external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n", n,
		func(w *bufio.Writer, i int) {
			day := 1 + i%28
			fmt.Fprintf(w, "INV%08d,C%07d,F-%08d,invoice,2026-09-%02d,2026-10-%02d,EUR,%d.%02d,%d.%02d\n",
				i, i%customers, i, day, day, 100+i%900000, i%100, 50+i%1000, i%100)
		})

	for b.Loop() {
		rawRate := rawCopy(b, ctx, pool, invoices, n)

		resetPeakRSS()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		res := load(importer.Invoices, invoices)
		took := time.Since(start)
		require.EqualValues(b, n, res.Inserted)
		rate := float64(n) / took.Seconds()
		peak := peakRSS()

		b.ReportMetric(rate, "import-rows/s")
		b.ReportMetric(rawRate, "rawcopy-rows/s")
		b.ReportMetric(rate/rawRate, "ratio")
		b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
		fmt.Printf("\nimport of %d invoices for %d customers\n", n, customers)
		fmt.Printf("  raw COPY into a bare table: %10.0f rows/s\n", rawRate)
		fmt.Printf("  recoup import (checks, upsert, indexes): %10.0f rows/s in %s\n", rate, took.Round(time.Millisecond))
		fmt.Printf("  ratio import/raw COPY: %.2f (goal >= 0.5)\n", rate/rawRate)
		fmt.Printf("  peak RSS of the process during the import: %.0f MB (goal < 200 MB)\n", float64(peak)/(1<<20))

		ceiling := copyIntoInvoices(b, ctx, pool, dir, n)
		b.ReportMetric(ceiling, "ceiling-rows/s")
		fmt.Printf("  ceiling: raw COPY of the same rows, resolved, straight into the invoices table\n"+
			"  (its keys, indexes and customer foreign key, no checks): %10.0f rows/s (%.2f of bare COPY)\n", ceiling, ceiling/rawRate)
		fmt.Printf("  import/ceiling: %.2f\n", rate/ceiling)

		// The same file again: everything unchanged, the idempotent path.
		start = time.Now()
		again := load(importer.Invoices, invoices)
		require.EqualValues(b, n, again.Unchanged)
		fmt.Printf("  re-import of the same file (all unchanged): %10.0f rows/s\n", float64(n)/time.Since(start).Seconds())
		b.StopTimer()
		_, err := pool.Exec(ctx, `TRUNCATE invoices CASCADE`)
		require.NoError(b, err)
		b.StartTimer()
	}
}

// rawCopy streams the CSV file into an unindexed table with Postgres's own
// CSV parser and returns rows per second.
func rawCopy(b *testing.B, ctx context.Context, pool *pgxpool.Pool, path string, n int) float64 {
	b.Helper()
	_, err := pool.Exec(ctx, `DROP TABLE IF EXISTS bare_invoices;
		CREATE TABLE bare_invoices (external_id text, customer_external_id text, number text, type text,
		issue_date date, due_date date, currency text, amount numeric, open_amount numeric)`)
	require.NoError(b, err)
	conn, err := pool.Acquire(ctx)
	require.NoError(b, err)
	defer conn.Release()
	f, err := os.Open(path)
	require.NoError(b, err)
	defer f.Close()
	start := time.Now()
	tag, err := conn.Conn().PgConn().CopyFrom(ctx, f, `COPY bare_invoices FROM STDIN WITH (FORMAT csv, HEADER true)`)
	require.NoError(b, err)
	took := time.Since(start)
	require.EqualValues(b, n, tag.RowsAffected())
	_, err = pool.Exec(ctx, `DROP TABLE bare_invoices`)
	require.NoError(b, err)
	return float64(n) / took.Seconds()
}

// copyIntoInvoices exports the imported invoices, empties the table and COPYs
// them back in: what Postgres costs for these rows in the real table, with no
// parsing, checks or upsert on top. It leaves the table as the import left it.
func copyIntoInvoices(b *testing.B, ctx context.Context, pool *pgxpool.Pool, dir string, n int) float64 {
	b.Helper()
	const cols = `external_id, customer_id, number, type, issue_date, due_date, currency, amount_minor, erp_open_minor, erp_import_id, open_minor, status`
	path := filepath.Join(dir, "resolved.csv")
	f, err := os.Create(path)
	require.NoError(b, err)
	conn, err := pool.Acquire(ctx)
	require.NoError(b, err)
	defer conn.Release()
	_, err = conn.Conn().PgConn().CopyTo(ctx, f, `COPY (SELECT `+cols+` FROM invoices) TO STDOUT WITH (FORMAT csv)`)
	require.NoError(b, err)
	require.NoError(b, f.Close())
	_, err = conn.Exec(ctx, `TRUNCATE invoices CASCADE`)
	require.NoError(b, err)
	f, err = os.Open(path)
	require.NoError(b, err)
	defer f.Close()
	start := time.Now()
	tag, err := conn.Conn().PgConn().CopyFrom(ctx, f, `COPY invoices (`+cols+`) FROM STDIN WITH (FORMAT csv)`)
	require.NoError(b, err)
	took := time.Since(start)
	require.EqualValues(b, n, tag.RowsAffected())
	return float64(n) / took.Seconds()
}

func writeFile(b *testing.B, dir, name, header string, n int, row func(*bufio.Writer, int)) string {
	b.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	require.NoError(b, err)
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(header)
	for i := range n {
		row(w, i)
	}
	require.NoError(b, w.Flush())
	require.NoError(b, f.Close())
	return path
}

// resetPeakRSS clears the kernel's high-water mark of this process (Linux), so
// peakRSS measures the import alone rather than the file generation before it.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is VmHWM from /proc/self/status, in bytes.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "VmHWM:"), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
