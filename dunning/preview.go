package dunning

import "time"

// Preview lists the actions the workflow would take from `from` for `days`
// days, if nothing changed meanwhile (no payment, no new invoice): it runs
// PlanAt at from, then at each Next, exactly as the workflow does, and marks
// escalated invoices as the next snapshot would (ApplyEscalations).
func Preview(a Account, s State, from time.Time, days int) []Action {
	if days <= 0 {
		return nil
	}
	loc, _ := location(a.TimeZone)
	end := from.In(loc).AddDate(0, 0, days)
	var out []Action
	t := from
	// The bound is a safety net: each evaluation moves time forward, and a
	// day has at most a handful of evaluations.
	for range 64 * (days + 1) {
		p := PlanAt(a, s, t)
		out = append(out, p.Due...)
		s = p.State
		a = ApplyEscalations(a, p.Due)
		if p.Next.IsZero() || !p.Next.Before(end) || !p.Next.After(t) {
			break
		}
		t = p.Next
	}
	return out
}
