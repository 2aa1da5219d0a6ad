package app_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/api"
	"recoup/app"
	"recoup/benchenv"
	"recoup/domain"
	"recoup/importer"
	"recoup/risk"
	"recoup/store"
	"recoup/store/storetest"
)

// BenchmarkRiskIngest ingests RECOUP_BENCH_RISK observations (default
// 100,000) of RECOUP_BENCH_RISK/10 customers (one in twenty names a company
// no customer has: the unmatched queue) in three ways, each timed
// RECOUP_BENCH_RISK_ROUNDS times (default 3), alternating, from an empty
// risk_signals table and no customer's latest risk each time:
//
//   - import: a CSV file of kind risk through app.Import (parse, stage,
//     match, insert, move the customers' latest columns), one transaction;
//   - webhook: POSTs of 100 signals in the generic format through the real
//     HTTP handler on a loopback server, signed, one after the other;
//   - baseline: the same rows COPYed into a scratch table of the same
//     columns with no index, no matching and no customer update: what
//     Postgres takes at best; and the same by batches of 100, one
//     transaction each, the webhook's baseline without HTTP.
//
// It prints the median rows per second of each and their ratios. The rule
// evaluation that follows an ingestion is not included (the rules measure theirs).
//
//	make bench-risk     (RECOUP_BENCH_RISK=10000 make bench-risk for a quick one)
func BenchmarkRiskIngest(b *testing.B) {
	n, rounds := benchenv.Int(b, "RECOUP_BENCH_RISK", 100_000), benchenv.Int(b, "RECOUP_BENCH_RISK_ROUNDS", 3)
	const batch = 100
	customers := max(n/10, 1)
	ctx := context.Background()
	pool := storetest.NewPool(b)
	st := &store.Store{Pool: pool}
	uses := app.New(st, nil, nil)
	admin := domain.Principal{Role: domain.RoleAdmin, Email: "bench@recoup.example"}
	srv := httptest.NewServer(api.NewHandler(api.Options{App: uses, Logger: slog.New(slog.DiscardHandler)}))
	b.Cleanup(srv.Close)

	load := func(kind importer.Kind, body string) importer.Result {
		res, err := uses.Import(ctx, admin, app.ImportRequest{Kind: string(kind), Format: importer.CSV, Name: "bench", Body: strings.NewReader(body)})
		require.NoError(b, err)
		require.Zero(b, res.Rejected, res.Rejections)
		return res.Result
	}
	load(importer.Entities, "code,name,country,currency,timezone,language\nFR01,Bench SAS,FR,EUR,Europe/Paris,fr\n")
	var cust strings.Builder
	cust.WriteString("external_id,entity,name,currency,registration_number\n")
	for i := range customers {
		fmt.Fprintf(&cust, "C%07d,FR01,Customer %d SARL,EUR,%09d\n", i, i, 100_000_000+i)
	}
	load(importer.Customers, cust.String())
	provider, err := uses.CreateRiskProvider(ctx, admin, app.RiskProviderRequest{Name: "bench", Adapter: "generic"})
	require.NoError(b, err)

	// The observations, the same for every input: company, time, score, rating, limit.
	company := func(i int) string {
		if i%20 == 19 {
			return strconv.Itoa(900_000_000 + i) // no customer has it
		}
		return fmt.Sprintf("%09d", 100_000_000+i%customers)
	}
	observed := func(i int) time.Time {
		return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	}
	var file strings.Builder
	file.WriteString("provider,event_id,company_id,company_id_kind,observed_at,score,rating,limit,limit_currency\n")
	for i := range n {
		fmt.Fprintf(&file, "bench,e%d,%s,registration,%s,%d,%c,%d.00,EUR\n", i, company(i), observed(i).Format(time.RFC3339), i%101, 'A'+i%5, 1000*(i%50))
	}
	var bodies [][]byte
	for start := 0; start < n; start += batch {
		var sb strings.Builder
		sb.WriteString(`{"signals": [`)
		for i := start; i < min(start+batch, n); i++ {
			if i > start {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"event_id": "e%d", "company_id": "%s", "company_id_kind": "registration", "observed_at": "%s", "score": %d, "rating": "%c", "limit": {"amount": "%d.00", "currency": "EUR"}}`,
				i, company(i), observed(i).Format(time.RFC3339), i%101, 'A'+i%5, 1000*(i%50))
		}
		sb.WriteString("]}")
		bodies = append(bodies, []byte(sb.String()))
	}
	rows := make([][]any, n)
	for i := range n {
		rows[i] = []any{"bench", "e" + strconv.Itoa(i), company(i), "registration", observed(i), int16(i % 101), string(rune('A' + i%5)), int64(100_000 * (i % 50)), "EUR"}
	}
	_, err = pool.Exec(ctx, `CREATE TABLE bench_scratch (provider text, event_id text, company_id text, company_id_kind text,
		observed_at timestamptz, score smallint, rating text, limit_minor bigint, limit_currency text)`)
	require.NoError(b, err)

	fresh := func() {
		_, err := pool.Exec(ctx, `TRUNCATE risk_signals, bench_scratch CASCADE;
			UPDATE customers SET risk_score = NULL, risk_rating = '', risk_limit_minor = NULL, risk_observed_at = NULL
			WHERE risk_observed_at IS NOT NULL`)
		require.NoError(b, err)
		_, err = pool.Exec(ctx, `VACUUM ANALYZE risk_signals, customers`)
		require.NoError(b, err)
	}
	matched := func() {
		var total, unmatched int
		require.NoError(b, pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE customer_id IS NULL) FROM risk_signals`).Scan(&total, &unmatched))
		require.Equal(b, n, total)
		require.Equal(b, n/20, unmatched)
	}
	runs := map[string][]float64{}
	timed := func(name string, f func()) {
		fresh()
		start := time.Now()
		f()
		runs[name] = append(runs[name], float64(n)/time.Since(start).Seconds())
	}
	client := srv.Client()
	for b.Loop() {
		for range rounds {
			timed("import", func() {
				res := load(importer.Risk, file.String())
				require.EqualValues(b, n, res.Inserted)
				matched()
			})
			timed("webhook", func() {
				for _, body := range bodies {
					now := time.Now()
					req, err := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/risk/bench", bytes.NewReader(body))
					require.NoError(b, err)
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set(risk.TimestampHeader, strconv.FormatInt(now.Unix(), 10))
					req.Header.Set(risk.SignatureHeader, risk.Sign(provider.Secret, now, body))
					res, err := client.Do(req)
					require.NoError(b, err)
					res.Body.Close()
					require.Equal(b, http.StatusOK, res.StatusCode)
				}
				matched()
			})
			timed("copy", func() { copyScratch(b, ctx, pool, rows) })
			timed("copy-batches", func() {
				for start := 0; start < n; start += batch {
					require.NoError(b, pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
						_, err := tx.CopyFrom(ctx, pgx.Identifier{"bench_scratch"}, scratchColumns, pgx.CopyFromRows(rows[start:min(start+batch, n)]))
						return err
					}))
				}
			})
		}
	}
	med := func(name string) float64 { return benchenv.Median(runs[name]) }
	b.ReportMetric(med("import"), "import-rows/s")
	b.ReportMetric(med("webhook"), "webhook-rows/s")
	b.ReportMetric(med("copy"), "copy-rows/s")
	b.ReportMetric(med("copy-batches"), "copy100-rows/s")
	fmt.Printf("\nrisk ingestion of %d observations of %d customers (5%% unmatched), median of %d alternating rounds\n", n, customers, rounds)
	fmt.Printf("  import (CSV, one transaction)          %9.0f rows/s   %.2fx the plain COPY\n", med("import"), med("import")/med("copy"))
	fmt.Printf("  webhook (HTTP, %d signals per POST)    %9.0f rows/s   %.2fx the COPY by batches of %d\n", batch, med("webhook"), med("webhook")/med("copy-batches"), batch)
	fmt.Printf("  baseline: plain COPY, one go           %9.0f rows/s\n", med("copy"))
	fmt.Printf("  baseline: COPY by batches of %d        %9.0f rows/s\n", batch, med("copy-batches"))
	for _, name := range []string{"import", "webhook", "copy", "copy-batches"} {
		fmt.Printf("  runs %-13s %v\n", name, rounded(runs[name]))
	}
}

var scratchColumns = []string{"provider", "event_id", "company_id", "company_id_kind", "observed_at", "score", "rating", "limit_minor", "limit_currency"}

func copyScratch(b *testing.B, ctx context.Context, pool *pgxpool.Pool, rows [][]any) {
	b.Helper()
	got, err := pool.CopyFrom(ctx, pgx.Identifier{"bench_scratch"}, scratchColumns, pgx.CopyFromRows(rows))
	require.NoError(b, err)
	require.EqualValues(b, len(rows), got)
}

func rounded(xs []float64) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = int64(x)
	}
	return out
}
