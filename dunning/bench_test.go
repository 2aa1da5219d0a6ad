package dunning

import (
	"testing"
	"time"
)

// benchAccount has 100 open invoices on the default scenario, due every day
// from 60 days before `now` to 39 days after, with the state a workflow would
// carry after dunning them for 90 days; now is the account's next wake-up.
func benchAccount(b *testing.B) (Account, State, time.Time) {
	b.Helper()
	now := at(paris, 6, 1, 9, 0)
	var items []Item
	for i := range 100 {
		items = append(items, inv(int64(1000+i), DateOf(now).AddDays(i-60), int64(10_000+i*137)))
	}
	a := account(DefaultScenario(), items...)
	_, st := run(a, State{}, now.AddDate(0, 0, -90), now)
	p := PlanAt(a, st, now)
	if len(p.Due) == 0 || p.Next.IsZero() {
		b.Fatal("the benchmark should evaluate a moment with work to do")
	}
	return a, st, now
}

func BenchmarkPlanAt100Invoices(b *testing.B) {
	a, st, now := benchAccount(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		PlanAt(a, st, now)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "evals/s")
}

func BenchmarkPlanAt100InvoicesFirstSeen(b *testing.B) {
	a, _, now := benchAccount(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		PlanAt(a, State{}, now) // every invoice enters with catch-up
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "evals/s")
}

func BenchmarkPreview90Days100Invoices(b *testing.B) {
	a, st, now := benchAccount(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		Preview(a, st, now, 90)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "previews/s")
}
