package store_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// The snapshots must answer exactly what the history answers, before and
// after every kind of change: the test reads each figure both ways (a filter
// without segments reads the history) on a past day and on today, after
// payments, an ERP figure, a new invoice and a backdated history.
func TestKPISnapshotsAnswerWhatTheHistoryAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	rows := storetest.NewFactory(pool)
	eur := func(minor int64) money.Money { return money.Money{Minor: minor, Currency: money.MustCurrency("EUR")} }
	date := func(s string) dunning.Date { d, err := dunning.ParseDate(s); require.NoError(t, err); return d }
	today := dunning.DateOf(time.Now().UTC())

	fr := rows.Entity(t, storetest.Entity{Code: "FR01", Name: "France", Country: "FR", Currency: money.MustCurrency("EUR")})
	alice := rows.User(t, storetest.User{Email: "alice@example.com", Name: "Alice", Role: domain.RoleAgent})
	c1 := rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "C1", Name: "Alpha", Agent: alice})
	c2 := rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "C2", Name: "Beta"})
	a1 := rows.Invoice(t, storetest.Invoice{Customer: c1, IssueDate: date("2024-01-10"), DueDate: date("2024-02-09"), Amount: eur(100000)})
	rows.Invoice(t, storetest.Invoice{Customer: c2, IssueDate: date("2024-01-20"), DueDate: date("2024-01-20"), Amount: eur(5000), Type: domain.TypeCreditNote})
	rows.Backdate(t, time.Date(2024, 1, 20, 12, 0, 0, 0, time.UTC))
	rows.Payment(t, storetest.Payment{Invoice: a1, Amount: eur(40000), ReceivedOn: date("2024-03-01")})
	rows.Payment(t, storetest.Payment{Customer: c2, Amount: eur(7000), ReceivedOn: date("2024-03-01")})
	rows.Backdate(t, time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))
	b1 := rows.Invoice(t, storetest.Invoice{Customer: c2, IssueDate: today.AddDays(-50), DueDate: today.AddDays(-20), Amount: eur(30000)})

	past, pastSegs := date("2024-03-15"), []dunning.Date{date("2023-06-01"), date("2024-01-15"), date("2024-02-01"), date("2024-03-01")}
	nowSegs := []dunning.Date{today.AddDays(-400), today.AddDays(-60), today.AddDays(-10)}
	same := func(on dunning.Date, segs []dunning.Date) []store.AgingRow {
		t.Helper()
		history := store.KPIFilter{On: on}
		snap := store.KPIFilter{On: on, Segments: segs}
		for _, per := range []store.Perimeter{store.Everything, {Agent: &alice}} {
			for _, group := range append([]store.KPIGroup{store.GroupTotal}, store.KPIGroups...) {
				want, err := st.AgingAsOf(ctx, per, history, group)
				require.NoError(t, err)
				got, err := st.AgingAsOf(ctx, per, snap, group)
				require.NoError(t, err)
				require.Equal(t, want, got, "aging on %s by %q", on, group)
			}
			rates := []store.Rate{{From: "EUR", To: "EUR", Value: "1"}}
			want, err := st.TopOverdue(ctx, per, history, rates, 20)
			require.NoError(t, err)
			got, err := st.TopOverdue(ctx, per, snap, rates, 20)
			require.NoError(t, err)
			require.Equal(t, want, got, "top overdue on %s", on)

			from := on.AddDays(-89).In(time.UTC)
			wantTeam, err := st.TeamFigures(ctx, per, history, from, per.Agent, nil)
			require.NoError(t, err)
			gotTeam, err := st.TeamFigures(ctx, per, snap, from, per.Agent, nil)
			require.NoError(t, err)
			require.Equal(t, wantTeam.Portfolio, gotTeam.Portfolio, "team portfolio on %s", on)

			days, err := st.SalesByDay(ctx, per, history, segs[0])
			require.NoError(t, err)
			bySegment, ok, err := st.SalesBySegment(ctx, per, snap)
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, segmentSums(days, segs, on), segmentSums(bySegment, segs, on), "sales on %s", on)
		}
		total, err := st.AgingAsOf(ctx, store.Everything, snap, store.GroupTotal)
		require.NoError(t, err)
		return total
	}
	before := same(past, pastSegs)
	require.Equal(t, [store.NumBuckets]int64{0, 0, 60000, 0, 0, 0}, before[0].Buckets, "A1's 600.00 left, 35 days late")
	require.Equal(t, int64(-12000), before[0].Credits, "the credit note and C2's payment in advance")
	team, err := st.TeamFigures(ctx, store.Everything, store.KPIFilter{On: past, Segments: pastSegs}, past.AddDays(-89).In(time.UTC), nil, nil)
	require.NoError(t, err)
	require.Equal(t, []store.TeamAmount{{UserID: alice, Currency: money.MustCurrency("EUR"), Minor: 60000, Accounts: 1}}, team.Portfolio,
		"Alice's A1, C2's credit note and payment apart")
	todayBefore := same(today, nowSegs)
	var days int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM kpi_snapshot_days`).Scan(&days))
	require.Equal(t, 2, days, "both days built")

	// Today's changes reach today's snapshot only.
	rows.Payment(t, storetest.Payment{Invoice: b1, Amount: eur(10000), ReceivedOn: today})
	rows.ERPOpen(t, a1, 0, false)
	rows.Invoice(t, storetest.Invoice{Customer: c1, IssueDate: today, DueDate: today.AddDays(30), Amount: eur(2500)})
	require.Equal(t, before, same(past, pastSegs))
	require.NotEqual(t, todayBefore, same(today, nowSegs))

	// An invoice moved to another customer changes both on every day.
	_, err = pool.Exec(ctx, `UPDATE invoices SET customer_id = $1 WHERE id = $2`, c2, a1)
	require.NoError(t, err)
	same(past, pastSegs)
	same(today, nowSegs)

	// Backdated history (tests, loads) drops the built days; they are built again.
	rows.Backdate(t, time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC))
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM kpi_snapshot_days`).Scan(&days))
	require.Zero(t, days)
	require.NotEqual(t, before, same(past, pastSegs))
}

// segmentSums adds sales up by segment and currency: the segment's index, then the currency.
func segmentSums(sales []store.DaySales, segs []dunning.Date, on dunning.Date) map[[2]string]int64 {
	out := map[[2]string]int64{}
	for _, s := range sales {
		if s.On.Before(segs[0]) || s.On.After(on) {
			continue
		}
		i := len(segs) - 1
		for i > 0 && s.On.Before(segs[i]) {
			i--
		}
		out[[2]string{segs[i].String(), s.Currency.Code()}] += s.Minor
	}
	for k, v := range out {
		if v == 0 {
			delete(out, k)
		}
	}
	return out
}

// A writer holds the snapshot lock until it commits: a figure asked
// meanwhile is read from the history (not waiting, not building a day the
// writer's marks would miss), and the day is built once the writer is done.
func TestKPISnapshotsAreNotBuiltWhileAWriterIsBusy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	rows := storetest.NewFactory(pool)
	fr := rows.Entity(t, storetest.Entity{Code: "FR01", Name: "France", Country: "FR", Currency: money.MustCurrency("EUR")})
	c1 := rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "C1", Name: "Alpha"})
	today := dunning.DateOf(time.Now().UTC())
	rows.Invoice(t, storetest.Invoice{Customer: c1, IssueDate: today.AddDays(-40), DueDate: today.AddDays(-10),
		Amount: money.Money{Minor: 10000, Currency: money.MustCurrency("EUR")}})
	f := store.KPIFilter{On: today, Segments: []dunning.Date{today.AddDays(-400)}}
	days := func() int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM kpi_snapshot_days`).Scan(&n))
		return n
	}

	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, `UPDATE invoices SET open_minor = 4000, erp_open_minor = 4000 WHERE customer_id = $1`, c1)
	require.NoError(t, err)
	busy, err := st.AgingAsOf(ctx, store.Everything, f, store.GroupTotal)
	require.NoError(t, err)
	require.Equal(t, int64(10000), busy[0].Buckets[store.Bucket1To30], "what was committed")
	require.Zero(t, days(), "no day built under a writer")
	require.NoError(t, tx.Commit(ctx))

	done, err := st.AgingAsOf(ctx, store.Everything, f, store.GroupTotal)
	require.NoError(t, err)
	require.Equal(t, int64(4000), done[0].Buckets[store.Bucket1To30])
	require.Equal(t, 1, days())
}

// The snapshot rounds a customer's delay in SQL (kpi_round_half_even): it
// must round as money.RoundHalfEven does in Go, ties to even, below zero too.
func TestKPIRoundHalfEvenInSQL(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	for _, c := range []struct{ n, d, want int64 }{
		{5, 2, 2}, {7, 2, 4}, {-5, 2, -2}, {-7, 2, -4}, {1, 3, 0}, {2, 3, 1}, {-2, 3, -1}, {-1, 3, 0},
		{55000, 3000, 18}, {0, 7, 0}, {4350000, 310000, 14}, {123456789012345679, 2, 61728394506172840},
	} {
		var got int64
		require.NoError(t, pool.QueryRow(context.Background(), `SELECT kpi_round_half_even($1, $2)::bigint`, c.n, c.d).Scan(&got))
		require.Equal(t, c.want, got, "%d / %d", c.n, c.d)
		require.Equal(t, money.RoundHalfEven(big.NewRat(c.n, c.d)).Int64(), got, "as Go: %d / %d", c.n, c.d)
	}
}
