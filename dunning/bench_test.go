package dunning

import (
	"fmt"
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

// BenchmarkPlanAtRules compares the rules before statements (Rules 0) with
// RulesStatement on the same 100 open invoices, each with the state its own
// rules would have carried, measured alternately (A B A B) so a busy machine
// weighs on both; the last sub-benchmark reports the ratio of their rates.
func BenchmarkPlanAtRules(b *testing.B) {
	a0, st0, now := benchAccount(b)
	a1 := a0
	a1.Rules = RulesStatement
	_, st1 := run(a1, State{}, now.AddDate(0, 0, -90), now)
	if len(PlanAt(a1, st1, now).Due) == 0 {
		b.Fatal("the statement rules should have work to do too")
	}
	rates := map[string][]float64{}
	for round := 1; round <= 2; round++ {
		for _, c := range []struct {
			name string
			a    Account
			st   State
		}{{"rules0", a0, st0}, {"rules1", a1, st1}} {
			b.Run(fmt.Sprintf("round%d/%s", round, c.name), func(b *testing.B) {
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					PlanAt(c.a, c.st, now)
					n++
				}
				r := float64(n) / b.Elapsed().Seconds()
				b.ReportMetric(r, "evals/s")
				rates[c.name] = append(rates[c.name], r)
			})
		}
	}
	b.Run("ratio", func(b *testing.B) {
		for b.Loop() {
		}
		mean := func(xs []float64) float64 {
			s := 0.0
			for _, x := range xs {
				s += x
			}
			return s / float64(max(len(xs), 1))
		}
		r0, r1 := mean(rates["rules0"]), mean(rates["rules1"])
		b.ReportMetric(r0, "rules0-evals/s")
		b.ReportMetric(r1, "rules1-evals/s")
		if r0 > 0 {
			b.ReportMetric(r1/r0, "rules1/rules0")
		}
	})
}
