package app

import (
	"context"
	"math/big"

	"recoup/domain"
	"recoup/dunning"
	"recoup/store"
)

// Disputes are the dispute figures of a period inside the caller's
// perimeter: all of them, by reason and department, and the amounts
// disputed and credited in each currency (never summed across currencies).
type Disputes struct {
	From, To dunning.Date
	All      store.DisputeFigures
	ByReason []store.DisputeFigures // by reason and department, most opened first
	Amounts  []store.DisputedAmount
}

// DisputeFigures answers GET /kpis/disputes: the disputes opened from q.From
// to q.To (default the 90 days to as_of), as known at the end of the period.
func (a *App) DisputeFigures(ctx context.Context, who domain.Principal, q KPIQuery) (Disputes, error) {
	s, err := a.outcomeScope(who, q)
	if err != nil {
		return Disputes{}, err
	}
	rows, amounts, err := a.store.DisputeFigures(ctx, perimeter(who), s.filter, s.from)
	if err != nil {
		return Disputes{}, err
	}
	out := Disputes{From: s.from, To: s.filter.On, ByReason: []store.DisputeFigures{}, Amounts: amounts}
	if len(rows) > 0 { // the all-disputes row comes first; without disputes there are no rows at all
		out.All, out.ByReason = rows[0], rows[1:]
	}
	if out.Amounts == nil {
		out.Amounts = []store.DisputedAmount{}
	}
	return out, nil
}

// Promises are the promise figures of a period inside the caller's perimeter.
type Promises struct {
	From, To dunning.Date
	store.PromiseFigures
}

// PromiseFigures answers GET /kpis/promises: the promises falling due from
// q.From to q.To, by what had become of them at the end of the period.
func (a *App) PromiseFigures(ctx context.Context, who domain.Principal, q KPIQuery) (Promises, error) {
	s, err := a.outcomeScope(who, q)
	if err != nil {
		return Promises{}, err
	}
	p, err := a.store.PromiseFigures(ctx, perimeter(who), s.filter, s.from)
	return Promises{From: s.from, To: s.filter.On, PromiseFigures: p}, err
}

// outcomeScope is a period's scope; these figures are counts and times, so
// neither a grouping nor a reporting currency applies.
func (a *App) outcomeScope(who domain.Principal, q KPIQuery) (kpiScope, error) {
	if q.GroupBy != "" {
		return kpiScope{}, domain.FieldError("group_by", "these figures come by reason and department (disputes) or in all (promises)")
	}
	if q.Currency != "" {
		return kpiScope{}, domain.FieldError("currency", "these figures are counts and times, and amounts in their own currencies")
	}
	return a.kpiScope(who, q, true)
}

// Rates are the kept, partly kept and broken rates in percent of the
// promises settled (kept, partly kept, broken), exact; nil when none is.
func (p Promises) Rates() (kept, partlyKept, broken *big.Rat) {
	return p.PromiseRate(p.Kept), p.PromiseRate(p.PartlyKept), p.PromiseRate(p.Broken)
}
