package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/stretchr/testify/require"

	"recoup/api"
	"recoup/app"
	"recoup/auth"
	"recoup/benchenv"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// BenchmarkPortal times the portal's two heavy pages for a customer with
// 2,000 open invoices (and 20 credit notes): the open items page and the
// statement PDF, served by the real handler (no network: server time), 200
// and 50 requests after one warm-up each; it prints p50 and p95.
// RECOUP_BENCH_INVOICES changes the number of invoices.
//
//	go test ./web/ -run '^$' -bench Portal -benchtime 1x
func BenchmarkPortal(b *testing.B) {
	bb := setupPortalBench(b)
	handler, secret, invoices := bb.handler, bb.secret, bb.invoices

	served := 0
	serve := func(path string) time.Duration {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		// Each request from its own (documentation) address: the per-address limit is not what is timed.
		served++
		req.RemoteAddr = fmt.Sprintf("192.0.2.%d:1234", served%250+1)
		req.AddCookie(&http.Cookie{Name: portalCookie, Value: secret})
		rec := httptest.NewRecorder()
		t0 := time.Now()
		handler.ServeHTTP(rec, req)
		d := time.Since(t0)
		require.Equal(b, http.StatusOK, rec.Code, path)
		return d
	}
	type page struct {
		name, path string
		n          int
		runs       []time.Duration
		size       int
	}
	list := []*page{{name: "open items page (first 100 invoices, totals of all)", path: "/portal/", n: 200},
		{name: "open items page 20 (the last)", path: "/portal/?page=20", n: 200},
		{name: "statement PDF (every item)", path: "/portal/statement.pdf", n: 50}}
	for b.Loop() {
		for _, p := range list {
			serve(p.path) // warm-up
			p.runs = p.runs[:0]
			for range p.n {
				p.runs = append(p.runs, serve(p.path))
			}
		}
	}
	fmt.Printf("\nportal, one customer with %d open invoices and %d credit notes (%s):\n", invoices, invoices/100, dunning.DateOf(time.Now()))
	fmt.Printf("| page | requests | p50 | p95 |\n|---|---|---|---|\n")
	for _, p := range list {
		slices.Sort(p.runs)
		pct := func(q float64) time.Duration { return p.runs[min(len(p.runs)-1, int(q*float64(len(p.runs))))] }
		fmt.Printf("| %s | %d | %s | %s |\n", p.name, len(p.runs), pct(0.50).Round(100*time.Microsecond), pct(0.95).Round(100*time.Microsecond))
	}
}

// portalBench is one customer with many open invoices behind the real handler.
type portalBench struct {
	handler  http.Handler
	pages    *Handler
	uses     *app.App
	secret   string // the customer's portal session
	invoices int
}

func setupPortalBench(b *testing.B) portalBench {
	b.Helper()
	invoices := benchenv.Int(b, "RECOUP_BENCH_INVOICES", 2000)
	ctx := context.Background()
	pool := storetest.NewPool(b)
	st := &store.Store{Pool: pool}
	uses := app.New(st, nil, nil)
	pages, err := New(Options{App: uses, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	handler := api.NewHandler(api.Options{App: uses, Logger: slog.New(slog.DiscardHandler), Mount: pages.Mount})

	rows := storetest.NewFactory(pool)
	eur := money.MustCurrency("EUR")
	entity := rows.Entity(b, storetest.Entity{Code: "BENCH", Name: "Bench Distribution", Currency: eur})
	customer := rows.Customer(b, storetest.Customer{Entity: entity, ExternalID: "BIG", Name: "Big Buyer SA", Email: "ap@big.example"})
	// One statement: invoices due over the last two years, some not yet due.
	_, err = pool.Exec(ctx, `
WITH run AS (INSERT INTO imports (kind, source, finished_at, inserted) VALUES ('invoices', 'bench', now(), $2) RETURNING id)
INSERT INTO invoices (external_id, customer_id, number, type, issue_date, due_date, currency, amount_minor, erp_open_minor,
                      erp_import_id, open_minor, status)
SELECT 'B' || n, $1, 'F-' || lpad(n::text, 6, '0'), CASE WHEN n % 100 = 0 THEN 'credit_note' ELSE 'invoice' END,
       current_date - (n % 730)::int - 30, current_date - (n % 730)::int + 15, 'EUR', 10000 + n, 10000 + n, run.id, 10000 + n, 'open'
FROM run, generate_series(1, $2::int) n`, customer, invoices+invoices/100)
	require.NoError(b, err)
	_, err = pool.Exec(ctx, `ANALYZE`)
	require.NoError(b, err)

	token, hash := auth.NewPortalToken(false)
	_, err = st.IssuePortalLink(ctx, store.PortalLinkWrite{CustomerID: customer, Hash: hash, Contact: "ap@big.example"})
	require.NoError(b, err)
	_, secret, err := uses.OpenPortal(ctx, token)
	require.NoError(b, err)

	return portalBench{handler: handler, pages: pages, uses: uses, secret: secret, invoices: invoices}
}

// coreFace is the statement's former face, fpdf's core Helvetica (cp1252:
// other scripts print as '?'): BenchmarkStatementFont's baseline.
var coreFace = pdfFace{family: "Helvetica", add: func(*fpdf.Fpdf) {},
	text: func(pdf *fpdf.Fpdf) func(string) string {
		cp1252 := pdf.UnicodeTranslatorFromDescriptor("cp1252")
		spaces := strings.NewReplacer("\u202f", " ", "\u00a0", " ")
		return func(s string) string { return cp1252(spaces.Replace(s)) }
	}}

// BenchmarkStatementFont lays out the same statement (2,000 invoices and 20
// credit notes) in fpdf's core font and in DejaVu Sans, alternating A B,
// and prints the medians and their ratio: what the UTF-8 font costs.
//
//	go test ./web/ -run '^$' -bench StatementFont -benchtime 1x
func BenchmarkStatementFont(b *testing.B) {
	bb := setupPortalBench(b)
	ctx := context.Background()
	s, err := bb.uses.PortalSessionOf(ctx, bb.secret)
	require.NoError(b, err)
	data, c, err := bb.uses.PortalStatement(ctx, s, "en")
	require.NoError(b, err)
	const rounds = 15
	var core, deja []time.Duration
	var coreSize, dejaSize int
	lay := func(face pdfFace) (time.Duration, int) {
		t0 := time.Now()
		pdf, err := bb.pages.statementPDFIn(face, "en", c, data)
		d := time.Since(t0)
		require.NoError(b, err)
		return d, len(pdf)
	}
	for b.Loop() {
		lay(coreFace) // warm-up
		lay(dejaVu)
		core, deja = core[:0], deja[:0]
		for range rounds {
			d, n := lay(coreFace)
			core, coreSize = append(core, d), n
			d, n = lay(dejaVu)
			deja, dejaSize = append(deja, d), n
		}
	}
	slices.Sort(core)
	slices.Sort(deja)
	fmt.Printf("\nstatement PDF, %d items, %d rounds A B (%s):\n| font | median | size |\n|---|---|---|\n", len(data.Statement), rounds,
		dunning.DateOf(time.Now()))
	fmt.Printf("| core Helvetica (cp1252) | %s | %d KB |\n", core[rounds/2].Round(100*time.Microsecond), coreSize/1024)
	fmt.Printf("| DejaVu Sans (UTF-8) | %s | %d KB |\n", deja[rounds/2].Round(100*time.Microsecond), dejaSize/1024)
	fmt.Printf("ratio DejaVu / core: %.2f\n", float64(deja[rounds/2])/float64(core[rounds/2]))
}
