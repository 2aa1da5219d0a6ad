package app

import (
	"context"
	"math/big"
	"slices"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
)

// KPIQuery asks for collection figures. AsOf (YYYY-MM-DD, default today UTC)
// is the date the figures are read at, from the dated history of open
// amounts; From/To is the DSO period (default the 90 days ending at AsOf; To
// is then the as-of date). Entity (code) narrows, GroupBy groups the aged
// balance, Currency is the reporting currency (default the deployment's).
type KPIQuery struct {
	AsOf, From, To, Entity, GroupBy, Currency string
}

// MissingRate is a currency with amounts and no rate to the reporting
// currency on or before the date: its amounts are left out of converted
// figures, never converted with a guessed rate.
type MissingRate struct {
	From, To money.Currency
	On       dunning.Date
}

// rateBook is the rates to a reporting currency on one date.
type rateBook struct {
	to    money.Currency
	on    dunning.Date
	rates map[string]money.Rate
	used  map[string]store.Rate
	miss  map[string]bool
}

func (a *App) rateBook(ctx context.Context, to money.Currency, on dunning.Date) (*rateBook, error) {
	rates, err := a.store.RatesTo(ctx, to.Code(), on)
	if err != nil {
		return nil, err
	}
	b := &rateBook{to: to, on: on, rates: map[string]money.Rate{}, used: map[string]store.Rate{}, miss: map[string]bool{}}
	for _, r := range rates {
		if b.rates[r.From], err = money.ParseRate(r.Value); err != nil {
			return nil, err
		}
		b.used[r.From] = r
	}
	return b, nil
}

// rate is c's rate, or false (and c noted missing).
func (b *rateBook) rate(c money.Currency) (money.Rate, bool) {
	r, ok := b.rates[c.Code()]
	if !ok {
		b.miss[c.Code()] = true
	}
	return r, ok
}

// exact is minor units of c in minor units of the reporting currency, unrounded.
func (b *rateBook) exact(minor int64, c money.Currency) (*big.Rat, bool) {
	r, ok := b.rate(c)
	if !ok {
		return nil, false
	}
	return money.ConvertExact(minor, c, r, b.to), true
}

func (b *rateBook) missing() []MissingRate {
	out := []MissingRate{}
	for c := range b.miss {
		out = append(out, MissingRate{From: money.MustCurrency(c), To: b.to, On: b.on})
	}
	slices.SortFunc(out, func(x, y MissingRate) int { return compareStrings(x.From.Code(), y.From.Code()) })
	return out
}

// usedRates are the rates a figure used (the pair to itself excluded), by currency.
func (b *rateBook) usedRates(codes map[string]bool) []store.Rate {
	out := []store.Rate{}
	for c := range codes {
		if r, ok := b.used[c]; ok && c != b.to.Code() {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(x, y store.Rate) int { return compareStrings(x.From, y.From) })
	return out
}

func compareStrings(x, y string) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// kpiScope is a parsed KPIQuery.
type kpiScope struct {
	filter    store.KPIFilter
	from      dunning.Date
	reporting money.Currency
}

func (a *App) kpiScope(who domain.Principal, q KPIQuery, period bool) (kpiScope, error) {
	var s kpiScope
	if err := allow(who, auth.AccountsRead); err != nil {
		return s, err
	}
	s.reporting = a.desk.ReportingCurrency
	if q.Currency != "" {
		c, err := money.ParseCurrency(q.Currency)
		if err != nil {
			return s, domain.FieldError("currency", "%v", err)
		}
		s.reporting = c
	}
	on, err := optionalDate("as_of", q.AsOf, dunning.DateOf(time.Now().UTC()))
	if err != nil {
		return s, err
	}
	if period {
		to, err := optionalDate("to", q.To, on)
		if err != nil {
			return s, err
		}
		if q.AsOf != "" && q.To != "" && to != on {
			return s, domain.FieldError("to", "%s differs from as_of %s: give one of them", to, on)
		}
		on = to
		if s.from, err = optionalDate("from", q.From, on.AddDays(1-DefaultPeriodDays)); err != nil {
			return s, err
		}
		if s.from.After(on) {
			return s, domain.FieldError("from", "%s is after the end of the period %s", s.from, on)
		}
	}
	s.filter = kpiFilter(on, q.Entity)
	return s, nil
}

// DefaultPeriodDays is the length of a figure's period when no from is given.
const DefaultPeriodDays = 90

// kpiFilter is the filter of the figures of day on, with the sales segments
// its snapshot sums credit sales by.
func kpiFilter(on dunning.Date, entity string) store.KPIFilter {
	return store.KPIFilter{On: on, Entity: entity, Segments: salesSegments(on)}
}

// salesSegments are the first days of the periods the snapshot of day sums
// credit sales by, ascending: the CountbackMonths countback months ending at
// day, the one holding the default DSO period's first day split there. Every
// day of a segment falls in the same countback month and on the same side
// of that first day, so DSO reads the sums as one day's sales each.
func salesSegments(day dunning.Date) []dunning.Date {
	firsts := []dunning.Date{day.AddDays(1 - DefaultPeriodDays)}
	for k := range CountbackMonths {
		firsts = append(firsts, addMonths(day, -k-1).AddDays(1))
	}
	slices.SortFunc(firsts, dunning.Date.Compare)
	return slices.Compact(firsts)
}

func optionalDate(field, v string, def dunning.Date) (dunning.Date, error) {
	if v == "" {
		return def, nil
	}
	d, err := dunning.ParseDate(v)
	if err != nil {
		return d, domain.FieldError(field, "%v", err)
	}
	return d, nil
}

// AgingAmounts is an aged balance line in one currency.
type AgingAmounts struct {
	Buckets [store.NumBuckets]money.Money // not due, 1–30, 31–60, 61–90, 91–120, over 120 days past due
	Credits money.Money                   // open credit notes and unallocated payments, negative
	Total   money.Money                   // buckets plus credits
}

func zeroAmounts(c money.Currency) AgingAmounts {
	var a AgingAmounts
	for i := range a.Buckets {
		a.Buckets[i].Currency = c
	}
	a.Credits.Currency, a.Total.Currency = c, c
	return a
}

func (a *AgingAmounts) add(buckets [store.NumBuckets]int64, credits int64) {
	for i, v := range buckets {
		a.Buckets[i].Minor += v
		a.Total.Minor += v
	}
	a.Credits.Minor += credits
	a.Total.Minor += credits
}

// AgingGroup is one group's aged balance: in each of its currencies, and in
// the reporting currency (each bucket of each currency converted and rounded
// half to even, then added). Complete is false when a currency of the group
// has no rate: Reporting then leaves it out.
type AgingGroup struct {
	Key, Label string
	ByCurrency []AgingAmounts
	Reporting  AgingAmounts
	Complete   bool
}

// Aging is the aged balance as of a date.
type Aging struct {
	AsOf         dunning.Date
	GroupBy      store.KPIGroup
	Reporting    money.Currency
	Rates        []store.Rate // the rates used, the latest on or before AsOf
	MissingRates []MissingRate
	Groups       []AgingGroup
	Total        AgingGroup // the sum of the groups (so the table adds up)
}

// Aging is the aged balance of the receivables inside who's perimeter as of
// q.AsOf, grouped by q.GroupBy (entity, agent, category, country, customer).
func (a *App) Aging(ctx context.Context, who domain.Principal, q KPIQuery) (Aging, error) {
	s, err := a.kpiScope(who, q, false)
	if err != nil {
		return Aging{}, err
	}
	group := store.GroupEntity
	if q.GroupBy != "" {
		group = store.KPIGroup(q.GroupBy)
		if !slices.Contains(store.KPIGroups, group) {
			return Aging{}, domain.FieldError("group_by", "%q: want one of entity, agent, category, country, customer", q.GroupBy)
		}
	}
	rows, err := a.store.AgingAsOf(ctx, perimeter(who), s.filter, group)
	if err != nil {
		return Aging{}, err
	}
	book, err := a.rateBook(ctx, s.reporting, s.filter.On)
	if err != nil {
		return Aging{}, err
	}
	return buildAging(rows, book, group), nil
}

func buildAging(rows []store.AgingRow, book *rateBook, group store.KPIGroup) Aging {
	out := Aging{AsOf: book.on, GroupBy: group, Reporting: book.to, Groups: []AgingGroup{}}
	total := AgingGroup{Reporting: zeroAmounts(book.to), Complete: true}
	byCurrency := map[string]*AgingAmounts{}
	codes := map[string]bool{}
	for _, r := range rows {
		if n := len(out.Groups); n == 0 || out.Groups[n-1].Key != r.Key {
			out.Groups = append(out.Groups, AgingGroup{Key: r.Key, Label: r.Label, Reporting: zeroAmounts(book.to), Complete: true})
		}
		g := &out.Groups[len(out.Groups)-1]
		line := zeroAmounts(r.Currency)
		line.add(r.Buckets, r.Credits)
		g.ByCurrency = append(g.ByCurrency, line)
		codes[r.Currency.Code()] = true
		if byCurrency[r.Currency.Code()] == nil {
			z := zeroAmounts(r.Currency)
			byCurrency[r.Currency.Code()] = &z
		}
		byCurrency[r.Currency.Code()].add(r.Buckets, r.Credits)
		rate, ok := book.rate(r.Currency)
		if !ok {
			g.Complete, total.Complete = false, false
			continue
		}
		var conv [store.NumBuckets]int64
		for i, v := range r.Buckets {
			conv[i] = money.Convert(money.Money{Minor: v, Currency: r.Currency}, rate, book.to).Minor
		}
		credits := money.Convert(money.Money{Minor: r.Credits, Currency: r.Currency}, rate, book.to).Minor
		g.Reporting.add(conv, credits)
		total.Reporting.add(conv, credits)
	}
	for _, c := range slices.Sorted(mapKeys(byCurrency)) {
		total.ByCurrency = append(total.ByCurrency, *byCurrency[c])
	}
	out.Total, out.Rates, out.MissingRates = total, book.usedRates(codes), book.missing()
	return out
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TopOverdueRow is one of the most overdue customers.
type TopOverdueRow struct {
	store.OverdueCustomer
	OverdueReporting money.Money // Overdue converted, rounded half to even
}

// TopOverdue is the customers with the most overdue as of a date, ranked in
// the reporting currency.
type TopOverdue struct {
	AsOf         dunning.Date
	Reporting    money.Currency
	Rates        []store.Rate
	MissingRates []MissingRate // their customers are not ranked
	Customers    []TopOverdueRow
}

// TopOverdueLimit is how many customers the top overdue list holds.
const TopOverdueLimit = 20

// TopOverdue is the 20 customers inside who's perimeter with the largest
// overdue amount as of q.AsOf, in the reporting currency.
func (a *App) TopOverdue(ctx context.Context, who domain.Principal, q KPIQuery) (TopOverdue, error) {
	s, err := a.kpiScope(who, q, false)
	if err != nil {
		return TopOverdue{}, err
	}
	if q.GroupBy != "" {
		return TopOverdue{}, domain.FieldError("group_by", "the top overdue list is by customer")
	}
	rates, err := a.store.RatesTo(ctx, s.reporting.Code(), s.filter.On)
	if err != nil {
		return TopOverdue{}, err
	}
	res, err := a.store.TopOverdue(ctx, perimeter(who), s.filter, rates, TopOverdueLimit)
	if err != nil {
		return TopOverdue{}, err
	}
	book, err := a.rateBook(ctx, s.reporting, s.filter.On)
	if err != nil {
		return TopOverdue{}, err
	}
	out := TopOverdue{AsOf: s.filter.On, Reporting: s.reporting, Customers: []TopOverdueRow{}}
	codes := map[string]bool{}
	for _, c := range res.Customers {
		rate, _ := book.rate(c.Overdue.Currency) // ranked customers have one
		codes[c.Overdue.Currency.Code()] = true
		out.Customers = append(out.Customers, TopOverdueRow{OverdueCustomer: c, OverdueReporting: money.Convert(c.Overdue, rate, s.reporting)})
	}
	for _, c := range res.MissingRate {
		book.rate(c)
	}
	out.Rates, out.MissingRates = book.usedRates(codes), book.missing()
	return out, nil
}
