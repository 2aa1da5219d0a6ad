package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/importer"
	"recoup/money"
	"recoup/store/storetest"
)

var today = time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)

func opts60() Options { return Options{Customers: 60, Seed: 42, Today: today} }

// nopCloser keeps what Write sends in memory, for tests.
type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

func writeAll(t *testing.T, opts Options) map[importer.Kind][]byte {
	t.Helper()
	files := map[importer.Kind]*bytes.Buffer{}
	var order []importer.Kind
	require.NoError(t, Write(opts, func(kind importer.Kind) (io.WriteCloser, error) {
		order = append(order, kind)
		files[kind] = &bytes.Buffer{}
		return nopCloser{files[kind]}, nil
	}))
	require.Equal(t, importer.Kinds, order, "files come in load order")
	out := map[importer.Kind][]byte{}
	for k, b := range files {
		out[k] = b.Bytes()
	}
	return out
}

func TestWriteIsDeterministic(t *testing.T) {
	t.Parallel()
	first := writeAll(t, opts60())
	second := writeAll(t, opts60())
	for _, kind := range importer.Kinds {
		require.Equal(t, string(first[kind]), string(second[kind]), kind)
	}
	other := opts60()
	other.Seed++
	require.NotEqual(t, string(first[importer.Customers]), string(writeAll(t, other)[importer.Customers]),
		"another seed gives other customers")
}

func TestWriteFilesMatchTheImporterColumns(t *testing.T) {
	t.Parallel()
	files := writeAll(t, opts60())
	for _, kind := range importer.Kinds {
		rows, err := csv.NewReader(bytes.NewReader(files[kind])).ReadAll()
		require.NoError(t, err, kind)
		known, _ := importer.Columns(kind)
		for _, h := range rows[0] {
			require.Contains(t, known, h, kind)
		}
		require.Greater(t, len(rows), 1, kind)
	}
	// Amounts are exact decimals with the currency's own number of decimals.
	rows, err := csv.NewReader(bytes.NewReader(files[importer.Invoices])).ReadAll()
	require.NoError(t, err)
	for _, r := range rows[1:] {
		cur := money.MustCurrency(r[6])
		amount, err := money.ParseMinor(r[7], cur)
		require.NoError(t, err)
		require.Equal(t, money.FormatMinor(amount, cur), r[7], "formatted with the currency's exponent")
		if r[6] == "JPY" {
			require.NotContains(t, r[7], ".")
		}
		if r[6] == "KWD" {
			require.Regexp(t, `^\d+\.\d{3}$`, r[7])
		}
	}
}

func TestWriteRefusesBadOptions(t *testing.T) {
	t.Parallel()
	open := func(importer.Kind) (io.WriteCloser, error) { return nopCloser{&bytes.Buffer{}}, nil }
	require.ErrorContains(t, Write(Options{Customers: -1, Today: today}, open), "negative")
	require.ErrorContains(t, Write(Options{Customers: 10}, open), "Today is required")
}

func load(t *testing.T, pool *pgxpool.Pool, opts Options) []importer.Result {
	t.Helper()
	res, err := Load(context.Background(), importer.New(pool), opts)
	require.NoError(t, err)
	require.Len(t, res, len(importer.Kinds))
	for i, r := range res {
		require.Equal(t, importer.Kinds[i], r.Kind)
		require.Zero(t, r.Rejected, "%s: %+v", r.Kind, r.Rejections)
	}
	return res
}

func count(t *testing.T, pool *pgxpool.Pool, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), query, args...).Scan(&n), query)
	return n
}

func TestLoadGivesABelievableLedger(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	opts := opts60()
	for _, r := range load(t, pool, opts) {
		require.Positive(t, r.Inserted, r.Kind)
	}
	ctx := context.Background()
	require.Equal(t, opts.Customers, count(t, pool, `SELECT count(*) FROM customers`))

	var currencies []string
	require.NoError(t, pool.QueryRow(ctx, `SELECT array_agg(DISTINCT currency ORDER BY currency) FROM invoices`).Scan(&currencies))
	require.Subset(t, currencies, []string{"EUR", "GBP", "JPY", "KWD", "USD"})

	open := `SELECT count(*) FROM invoices WHERE type = 'invoice' AND status = 'open' `
	require.Positive(t, count(t, pool, open+`AND due_date < $1`, today), "overdue invoices")
	require.Positive(t, count(t, pool, open+`AND due_date >= $1`, today), "invoices not yet due")
	require.Positive(t, count(t, pool, open+`AND open_minor < amount_minor`), "partly paid invoices")
	require.Positive(t, count(t, pool, `SELECT count(*) FROM invoices WHERE status = 'paid'`))
	require.Positive(t, count(t, pool, `SELECT count(*) FROM invoices WHERE type = 'credit_note'`))
	require.Positive(t, count(t, pool, `SELECT count(*) FROM payments WHERE invoice_number = ''`), "unallocated payments")
	require.Positive(t, count(t, pool, `SELECT count(*) FROM payment_allocations`), "allocated payments")
	require.Positive(t, count(t, pool, `
		SELECT count(*) FROM payments p JOIN invoices i ON i.customer_id = p.customer_id AND i.number = p.invoice_number
		WHERE p.amount_minor < i.amount_minor AND i.open_minor > 0`), "partial payments")
	// The coherence rule: a payment sent for an invoice fits what the ERP says is open there.
	require.Zero(t, count(t, pool, `SELECT count(*) FROM payments WHERE invoice_number <> '' AND unallocated_minor > 0`))
	require.Zero(t, count(t, pool, `SELECT count(*) FROM customers WHERE agent_id IS NULL AND sales_rep_id IS NULL AND email = ''`),
		"every customer can be reached by someone")

	// Each behaviour is there and shows in the ledger.
	g, err := newGenerator(opts)
	require.NoError(t, err)
	byBehaviour := map[behaviour][]string{}
	for i := range opts.Customers {
		c := g.customer(i)
		byBehaviour[c.behaviour] = append(byBehaviour[c.behaviour], c.externalID)
	}
	require.Len(t, byBehaviour, int(nBehaviours))
	// of counts the invoices of the customers of a behaviour that match where ($2 is today).
	of := func(b behaviour, where string) int {
		return count(t, pool, `SELECT count(*) FROM invoices i JOIN customers c ON c.id = i.customer_id
			WHERE i.type = 'invoice' AND c.external_id = ANY($1) AND $2::date IS NOT NULL AND `+where, byBehaviour[b], today)
	}
	overdueShare := func(b behaviour) float64 {
		return float64(of(b, `i.open_minor > 0 AND i.due_date < $2`)) / float64(of(b, `true`))
	}
	require.Zero(t, count(t, pool, `SELECT count(*) FROM payments p JOIN customers c ON c.id = p.customer_id
		WHERE c.external_id = ANY($1)`, byBehaviour[never]), "never-payers pay nothing")
	require.Zero(t, of(never, `i.open_minor < i.amount_minor`), "never-payers' invoices stay fully open")
	require.Positive(t, of(partial, `i.open_minor > 0 AND i.open_minor < i.amount_minor`))
	for _, b := range []behaviour{early, onTime, late, partial} {
		require.Positive(t, of(b, `i.status = 'paid'`), "%s payers have paid invoices", b)
	}
	require.Less(t, overdueShare(early), overdueShare(late))
	require.Less(t, overdueShare(onTime), overdueShare(late))
	require.Less(t, overdueShare(late), overdueShare(never))
}

func TestLoadIsIdempotent(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	first := load(t, pool, opts60())
	again := load(t, pool, opts60())
	for i, r := range again {
		total := first[i].Inserted
		require.Equal(t, []int64{0, 0, total}, []int64{r.Inserted, r.Updated, r.Unchanged}, r.Kind)
	}
}

// `recoup dev` loads the demo with Today = now into the same database day after
// day: a later load must update, not clash with, what an earlier one left.
func TestLoadOnALaterDayRejectsNothing(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	opts := opts60()
	opts.Today = time.Date(2026, 12, 28, 0, 0, 0, 0, time.UTC)
	load(t, pool, opts)
	invoices := count(t, pool, `SELECT count(*) FROM invoices`)
	opts.Today = opts.Today.AddDate(0, 0, 7) // and into the next year
	res := load(t, pool, opts)
	require.Positive(t, res[3].Updated, "invoices move with Today")
	require.Equal(t, invoices, count(t, pool, `SELECT count(*) FROM invoices`), "the same invoices, not new ones")
}

func TestLoadStopsCleanlyWhenTheImportFails(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Load(ctx, importer.New(pool), opts60())
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, res)
	require.Zero(t, count(t, pool, `SELECT count(*) FROM entities`))
}

// countingWriter counts CSV lines (no generated field holds a newline).
type countingWriter struct{ lines *int64 }

func (w countingWriter) Write(p []byte) (int, error) {
	*w.lines += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

func (countingWriter) Close() error { return nil }

func BenchmarkWrite(b *testing.B) {
	opts := Options{Customers: 10_000, Seed: 1, Today: today}
	var lines int64
	for b.Loop() {
		require.NoError(b, Write(opts, func(importer.Kind) (io.WriteCloser, error) {
			return countingWriter{&lines}, nil
		}))
	}
	rows := lines - int64(b.N*len(importer.Kinds)) // headers
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
}

func TestSlugify(t *testing.T) {
	t.Parallel()
	require.Equal(t, "mueller-maschinenbau", slugify("Müller Maschinenbau"))
	require.Equal(t, "etablissements-lefevre", slugify("Établissements Lefèvre"))
	require.Equal(t, "al-mutairi-general", slugify("Al-Mutairi General Trading & Contracting"))
	require.False(t, strings.ContainsAny(slugify("Mairie de Saint-Étienne d'Orthe"), " 'É"))
}
