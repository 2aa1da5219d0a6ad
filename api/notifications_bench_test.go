package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"recoup/auth"
	"recoup/domain"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// fanOutClients is how many SSE clients (one user each) the fan-out benchmark opens.
const fanOutClients = 500

// BenchmarkNotificationFanOut: 500 SSE clients (500 users) on one API
// process; each round (b.N rounds: -benchtime 10x) posts one comment that
// mentions all of them, and measures the time from sending the comment to the
// last client receiving its notification. The baseline, in the same run, is a
// bare LISTEN/NOTIFY round trip to one listener on the same Postgres.
//
//	go test ./api/ -run '^$' -bench NotificationFanOut -benchtime 10x
func BenchmarkNotificationFanOut(b *testing.B) {
	ctx := context.Background()
	pool := storetest.NewPool(b)
	st := &store.Store{Pool: pool}
	rows := storetest.NewFactory(pool)
	customer := rows.Customer(b, storetest.Customer{Name: "Boulangerie Martin"})
	invoice := rows.Invoice(b, storetest.Invoice{Customer: customer, Amount: money.Money{Minor: 10000, Currency: money.MustCurrency("EUR")}})
	_, err := st.PutUser(ctx, store.UserSpec{Email: "root@bench.example", Role: domain.RoleAdmin}, "bench")
	require.NoError(b, err)
	_, admin, err := auth.IssueToken(ctx, st, "root@bench.example", "bench", "", "", "bench")
	require.NoError(b, err)
	emails := make([]string, fanOutClients)
	tokens := make([]string, fanOutClients)
	for i := range emails {
		emails[i] = fmt.Sprintf("user%03d@bench.example", i)
		rows.User(b, storetest.User{Email: emails[i], Role: domain.RoleAgent})
		_, tokens[i], err = auth.IssueToken(ctx, st, emails[i], "bench", "", "", "bench")
		require.NoError(b, err)
	}
	p := startProcess(b, st, time.Hour)
	waitListeners(b, pool, 1)
	var opened struct {
		Case struct {
			ID int64 `json:"id"`
		} `json:"case"`
	}
	require.NoError(b, json.Unmarshal(post(b, p.srv.URL, admin, "/api/v1/cases", fmt.Sprintf(
		`{"type": "dispute", "customer_id": %d, "reason": "price", "invoices": [{"invoice_id": %d}]}`, customer, invoice), http.StatusCreated), &opened))
	clients := make([]*sseClient, fanOutClients)
	for i := range clients {
		clients[i] = openStream(b, p.srv.URL, tokens[i], "", "", "")
		clients[i].unread(b) // subscribed
	}
	comment, _ := json.Marshal(map[string]any{"text": "everyone: the price list changed", "mentions": emails})
	path := fmt.Sprintf("/api/v1/cases/%d/comments", opened.Case.ID)

	var lasts, commits []time.Duration
	b.ResetTimer()
	for range b.N {
		arrived := make([]time.Time, fanOutClients)
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Go(func() {
				c.notification(b)
				arrived[i] = time.Now()
			})
		}
		start := time.Now()
		post(b, p.srv.URL, admin, path, string(comment), http.StatusCreated)
		commits = append(commits, time.Since(start))
		wg.Wait()
		lasts = append(lasts, slices.MaxFunc(arrived, func(a, b time.Time) int { return a.Compare(b) }).Sub(start))
	}
	b.StopTimer()
	trips := listenNotifyRoundTrips(b, storetest.NewURL(b), 50)
	b.ReportMetric(ms(percentile(lasts, 50)), "ms-last-client-p50")
	b.ReportMetric(ms(slices.Max(lasts)), "ms-last-client-max")
	b.ReportMetric(ms(percentile(trips, 50)), "ms-listen-notify-p50")
	fmt.Printf("fan-out to %d SSE clients over %d rounds: comment to last client p50 %.1f ms, max %.1f ms (the comment's POST alone p50 %.1f ms); "+
		"bare LISTEN/NOTIFY round trip p50 %.2f ms, max %.2f ms\n", fanOutClients, len(lasts), ms(percentile(lasts, 50)), ms(slices.Max(lasts)),
		ms(percentile(commits, 50)), ms(percentile(trips, 50)), ms(slices.Max(trips)))
}

// listenNotifyRoundTrips times n bare NOTIFY → LISTEN round trips between two connections.
func listenNotifyRoundTrips(tb testing.TB, url string, n int) []time.Duration {
	ctx := context.Background()
	listener, err := pgx.Connect(ctx, url)
	require.NoError(tb, err)
	defer listener.Close(ctx)
	notifier, err := pgx.Connect(ctx, url)
	require.NoError(tb, err)
	defer notifier.Close(ctx)
	_, err = listener.Exec(ctx, "LISTEN recoup_bench")
	require.NoError(tb, err)
	trips := make([]time.Duration, n)
	for i := range trips {
		start := time.Now()
		_, err := notifier.Exec(ctx, "SELECT pg_notify('recoup_bench', $1)", strconv.Itoa(i))
		require.NoError(tb, err)
		got, err := listener.WaitForNotification(ctx)
		require.NoError(tb, err)
		require.Equal(tb, strconv.Itoa(i), got.Payload)
		trips[i] = time.Since(start)
	}
	return trips
}

func percentile(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
