package importer_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/benchenv"
	"recoup/importer"
	"recoup/store/storetest"
)

// BenchmarkImportEventsOverhead measures what the event outbox costs the
// import: RECOUP_BENCH_EVENTS_IMPORT invoices (default 100,000, over a tenth
// as many customers) imported with the outbox's triggers on invoices and
// imports turned off (A) and on (B), alternating A B A B for
// RECOUP_BENCH_EVENTS_ROUNDS rounds each (default 3) on an emptied invoices
// table, and compares the medians (goal: with events >= 0.9 x without).
//
//	go test ./importer/ -run '^$' -bench ImportEventsOverhead -benchtime 1x -timeout 60m
func BenchmarkImportEventsOverhead(b *testing.B) {
	n, rounds := benchenv.Int(b, "RECOUP_BENCH_EVENTS_IMPORT", 100_000), benchenv.Int(b, "RECOUP_BENCH_EVENTS_ROUNDS", 3)
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
	outbox := func(on bool) {
		verb := "DISABLE"
		if on {
			verb = "ENABLE"
		}
		for _, q := range []string{
			`ALTER TABLE invoices ` + verb + ` TRIGGER events_invoices_insert`,
			`ALTER TABLE invoices ` + verb + ` TRIGGER events_invoices_update`,
			`ALTER TABLE imports ` + verb + ` TRIGGER events_imports_update`,
		} {
			_, err := pool.Exec(ctx, q)
			require.NoError(b, err)
		}
	}
	round := func(events bool) float64 {
		_, err := pool.Exec(ctx, `TRUNCATE invoices, events, event_commits CASCADE`)
		require.NoError(b, err)
		_, err = pool.Exec(ctx, `VACUUM ANALYZE invoices`)
		require.NoError(b, err)
		outbox(events)
		start := time.Now()
		res := load(importer.Invoices, invoices)
		took := time.Since(start)
		require.EqualValues(b, n, res.Inserted)
		var written int
		require.NoError(b, pool.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&written))
		if events {
			require.Equal(b, n+1, written, "one invoice.created each, and import.completed")
		} else {
			require.Zero(b, written)
		}
		return float64(n) / took.Seconds()
	}

	for b.Loop() {
		var without, with []float64
		for r := range rounds {
			a, e := round(false), round(true)
			without, with = append(without, a), append(with, e)
			fmt.Printf("round %d: without events %8.0f rows/s, with events %8.0f rows/s (%.2f)\n", r+1, a, e, e/a)
		}
		a, e := benchenv.Median(without), benchenv.Median(with)
		b.ReportMetric(a, "without-rows/s")
		b.ReportMetric(e, "with-rows/s")
		b.ReportMetric(e/a, "ratio")
		fmt.Printf("import of %d invoices, medians of %d rounds: without events %.0f rows/s, with events %.0f rows/s: ratio %.2f (goal >= 0.9)\n",
			n, rounds, a, e, e/a)
	}
	outbox(true)
}
