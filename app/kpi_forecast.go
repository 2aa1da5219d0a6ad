package app

import (
	"cmp"
	"context"
	"maps"
	"math/big"
	"slices"
	"time"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
)

// ForecastQuery asks for the cash-in forecast made as of AsOf (default
// today UTC) over Weeks weeks (default 13), of one entity (code) when set, in
// the reporting currency Currency (default the deployment's). Pieces asks
// for every expected piece (Forecast.Pieces, a drill-down): the forecast is
// then made invoice by invoice, else from the day's snapshot sums when it
// can (the same figures, see buildForecast).
type ForecastQuery struct {
	AsOf, Entity, Currency string
	Weeks                  int
	Pieces                 bool
}

// DefaultForecastWeeks and MaxForecastWeeks bound ForecastQuery.Weeks
// (the snapshot places everything after store.ForecastHorizonDays "later":
// MaxForecastWeeks must end before it).
const (
	DefaultForecastWeeks = 13
	MaxForecastWeeks     = 53
)

// DelayWindowDays is how far back the observed payment delays look: the
// receipts recorded in the 365 days ending at the as-of date.
const DelayWindowDays = store.DelayWindowDays

// ForecastBasis says where an expected date comes from.
type ForecastBasis string

const (
	BasisPlan     ForecastBasis = "plan"     // a pending instalment of a payment plan
	BasisPromise  ForecastBasis = "promise"  // an open promise to pay
	BasisCustomer ForecastBasis = "customer" // due date + the customer's observed delay
	BasisSegment  ForecastBasis = "segment"  // due date + the delay of the customer's category
	BasisEntity   ForecastBasis = "entity"   // due date + the delay of the customer's entity
	BasisDueDate  ForecastBasis = "due_date" // no history at all: the due date
)

// ForecastPiece is part of an open invoice expected on a date.
type ForecastPiece struct {
	InvoiceID, CustomerID int64
	Amount                money.Money
	Expected              dunning.Date // when it is expected (may be on or before AsOf: then it counts in week 1)
	Basis                 ForecastBasis
	DelayDays             int  // the delay applied to the due date (delay bases only)
	Disputed              bool // the invoice had a disputed part at AsOf (the back-test leaves it out)
}

// CurrencyAmounts are amounts in each currency and their sum in the
// reporting currency (converted exactly, rounded half to even once), which
// leaves out the currencies without a rate (Complete false).
type CurrencyAmounts struct {
	ByCurrency []money.Money
	Reporting  money.Money
	Complete   bool
}

// ForecastWeek is what is expected in one calendar week, Monday to Sunday.
type ForecastWeek struct {
	Week       int
	Start, End dunning.Date
	CurrencyAmounts
}

// Forecast is the expected receipts per week of the invoices open as of AsOf.
type Forecast struct {
	AsOf         dunning.Date
	Reporting    money.Currency
	Rates        []store.Rate
	MissingRates []MissingRate
	Weeks        []ForecastWeek
	Later        CurrencyAmounts // expected after the last week
	Disputed     CurrencyAmounts // under dispute at AsOf: not forecast
	Pieces       []ForecastPiece // every expected amount (ForecastQuery.Pieces only), oldest due first
}

// Forecast is the cash-in forecast of the receivables inside who's perimeter
// as it would have been made at the end of q.AsOf (see the README, "Cash-in
// forecast").
func (a *App) Forecast(ctx context.Context, who domain.Principal, q ForecastQuery) (Forecast, error) {
	run, err := a.forecast(ctx, who, q)
	return run.Forecast, err
}

// forecastRun is a Forecast with what the back-test compares it by.
type forecastRun struct {
	Forecast
	book   *rateBook
	filter store.KPIFilter
	// pieces are the expected pieces of the invoices read one by one:
	// every open invoice, or with summed those the sums cannot place alone
	// (under a plan, a promise or a dispute).
	pieces []ForecastPiece
	summed bool
	weekly []map[string]int64 // the weeks' amounts by currency, then later's
	// disputed is the open invoices with a disputed part (summed only):
	// the back-test leaves them out.
	disputed []int64
}

// forecast makes the Forecast: from the snapshot's sums when it can (and
// q.Pieces is not asked), else invoice by invoice.
func (a *App) forecast(ctx context.Context, who domain.Principal, q ForecastQuery) (forecastRun, error) {
	var run forecastRun
	s, err := a.kpiScope(who, KPIQuery{AsOf: q.AsOf, Entity: q.Entity, Currency: q.Currency}, false)
	if err != nil {
		return run, err
	}
	weeks := q.Weeks
	if weeks == 0 {
		weeks = DefaultForecastWeeks
	}
	if weeks < 1 || weeks > MaxForecastWeeks {
		return run, domain.FieldError("weeks", "%d: want 1 to %d", q.Weeks, MaxForecastWeeks)
	}
	per, on := perimeter(who), s.filter.On
	run.filter = s.filter
	if run.book, err = a.rateBook(ctx, s.reporting, on); err != nil {
		return run, err
	}
	var in forecastInputs
	if in.promises, err = a.store.ForecastPromises(ctx, per, s.filter); err != nil {
		return run, err
	}
	if in.plans, err = a.store.ForecastPlans(ctx, per, s.filter); err != nil {
		return run, err
	}
	if !q.Pieces {
		sums, ok, err := a.store.ForecastSums(ctx, per, s.filter)
		if err != nil {
			return run, err
		}
		if ok {
			in.sums, run.summed = &sums, true
			if err := a.forecastSpecials(ctx, per, s.filter, &in); err != nil {
				return run, err
			}
		}
	}
	if !run.summed {
		if in.open, err = a.store.ForecastOpen(ctx, per, s.filter); err != nil {
			return run, err
		}
		if in.delays, err = a.store.PaymentDelays(ctx, per, s.filter, on.AddDays(1-DelayWindowDays)); err != nil {
			return run, err
		}
	}
	run.Forecast, run.pieces, run.weekly = buildForecast(on, weeks, in, run.book)
	if !run.summed {
		run.Forecast.Pieces = run.pieces
	}
	run.disputed = []int64{} // not NULL: the SQL reads "none"
	for _, o := range in.open {
		if o.Disputed > 0 {
			run.disputed = append(run.disputed, o.InvoiceID)
		}
	}
	return run, nil
}

// forecastSpecials reads, for a forecast from the snapshot's sums, the
// invoices the sums cannot place alone: those under a plan, a promise or a
// dispute at the cut (one by one, from their history), and the own delays
// of their customers.
func (a *App) forecastSpecials(ctx context.Context, per store.Perimeter, f store.KPIFilter, in *forecastInputs) error {
	ids, err := a.store.DisputedAt(ctx, f)
	if err != nil {
		return err
	}
	for _, p := range in.plans {
		ids = append(ids, p.InvoiceIDs...)
	}
	for _, p := range in.promises {
		ids = append(ids, p.InvoiceIDs...)
	}
	slices.Sort(ids)
	if in.open, err = a.store.ForecastOpenOf(ctx, per, f, slices.Compact(ids)); err != nil {
		return err
	}
	var customers []int64
	for _, o := range in.open {
		customers = append(customers, o.CustomerID)
	}
	in.customerDelays, err = a.store.CustomerDelays(ctx, f.On, customers)
	return err
}

// forecastInputs are what the store knew at the end of the as-of date.
// Invoice by invoice: open is every open invoice and delays every
// customer's receipts. From the snapshot: sums holds every open invoice
// added up, open the invoices under a plan, a promise or a dispute,
// customerDelays their customers' own delays, and no delays (sums.Groups).
type forecastInputs struct {
	open           []store.ForecastOpen
	promises       []store.ForecastPromise
	plans          []store.ForecastPlan
	delays         []store.PaymentDelay
	sums           *store.ForecastSums
	customerDelays map[int64]int
}

// weekOne is the Monday of week 1: the week of the day after on, the first
// day whose receipts are not known yet.
func weekOne(on dunning.Date) dunning.Date {
	next := on.AddDays(1)
	return next.AddDays(-((int(next.In(time.UTC).Weekday()) + 6) % 7))
}

// weekOf is the week (1…) an amount expected on d falls in; what is expected
// on or before on (overdue, or a promise date already past) is week 1.
func weekOf(on, d dunning.Date) int {
	if !d.After(on) {
		return 1
	}
	return daysBetween(weekOne(on), d)/7 + 1
}

// leftOf is what remains to forecast of one open invoice.
type leftOf struct {
	open store.ForecastOpen
	left int64
}

// buildForecast places the pieces and adds them up by week; it returns the
// pieces and the weeks' amounts by currency (later's last). With the
// snapshot's sums, every open invoice is first placed whole by its delay
// (the sums), then the invoices of in.open are taken back out and placed
// piece by piece as without the sums: the same figures.
func buildForecast(on dunning.Date, weeks int, in forecastInputs, book *rateBook) (Forecast, []ForecastPiece, []map[string]int64) {
	f := Forecast{AsOf: on, Reporting: book.to, Pieces: []ForecastPiece{}}
	pieces := []ForecastPiece{}
	byID := map[int64]*leftOf{}
	items := make([]*leftOf, len(in.open))
	for i, o := range in.open {
		items[i] = &leftOf{open: o, left: o.Open - o.Disputed}
		byID[o.InvoiceID] = items[i]
	}
	piece := func(it *leftOf, minor int64, d dunning.Date, basis ForecastBasis, delay int) {
		pieces = append(pieces, ForecastPiece{InvoiceID: it.open.InvoiceID, CustomerID: it.open.CustomerID,
			Amount: money.Money{Minor: minor, Currency: it.open.Currency}, Expected: d, Basis: basis, DelayDays: delay,
			Disputed: it.open.Disputed > 0})
		it.left -= minor
	}
	covered := func(ids []int64) []*leftOf {
		var out []*leftOf
		for _, id := range ids {
			if it := byID[id]; it != nil && it.left > 0 {
				out = append(out, it)
			}
		}
		slices.SortFunc(out, func(x, y *leftOf) int { // oldest due first, as items are
			return cmp.Or(daysBetween(y.open.Due, x.open.Due), cmp.Compare(x.open.InvoiceID, y.open.InvoiceID))
		})
		return out
	}
	// spread takes amount from the invoices in order, each up to what is left of it.
	spread := func(its []*leftOf, amount int64, d dunning.Date, basis ForecastBasis) {
		for _, it := range its {
			if amount <= 0 {
				return
			}
			if take := min(amount, it.left); take > 0 {
				piece(it, take, d, basis, 0)
				amount -= take
			}
		}
	}
	// A plan's pending instalments expect what its invoices still owe: what
	// was paid beyond the instalments already met comes off the earliest.
	for _, p := range in.plans {
		its := covered(p.InvoiceIDs)
		var owed, pending int64
		for _, it := range its {
			owed += it.left
		}
		for _, n := range p.Instalments {
			pending += n.Amount
		}
		paid := max(pending-owed, 0)
		for _, n := range p.Instalments {
			take := min(paid, n.Amount)
			paid -= take
			spread(its, n.Amount-take, n.Date, BasisPlan)
		}
	}
	// A promise expects its amount (at most what is left) on its date.
	for _, p := range in.promises {
		spread(covered(p.InvoiceIDs), p.Amount, p.Date, BasisPromise)
	}
	delays := newDelayBook(in.delays, book)
	if in.sums != nil {
		delays = newDelayBook(in.sums.Groups, book)
		delays.customer = in.customerDelays
	}
	for _, it := range items {
		if it.left > 0 {
			days, basis := delays.delay(it.open)
			piece(it, it.left, it.open.Due.AddDays(days), basis, days)
		}
	}
	// Weeks, the rest and the disputed amounts, each per currency, converted once.
	sums := make([]map[string]int64, weeks+1) // weeks, then later
	for i := range sums {
		sums[i] = map[string]int64{}
	}
	for _, p := range pieces {
		w := min(weekOf(on, p.Expected), weeks+1)
		sums[w-1][p.Amount.Currency.Code()] += p.Amount.Minor
	}
	codes := map[string]bool{}
	if in.sums != nil {
		add := func(d dunning.Date, c money.Currency, minor int64) {
			w := min(weekOf(on, d), weeks+1)
			if sums[w-1][c.Code()] += minor; sums[w-1][c.Code()] == 0 {
				delete(sums[w-1], c.Code()) // as if nothing were placed there
			}
		}
		for _, d := range in.sums.Due {
			codes[d.Currency.Code()] = true
			if d.Own {
				add(d.On, d.Currency, d.Minor)
			} else {
				days, _ := delays.fallback(d.Category, d.EntityID)
				add(d.On.AddDays(days), d.Currency, d.Minor)
			}
		}
		for _, o := range in.open { // placed whole by the sums, and by piece above
			days, _ := delays.delay(o)
			add(o.Due.AddDays(days), o.Currency, -o.Open)
		}
	}
	disputed := map[string]int64{}
	for _, o := range in.open {
		codes[o.Currency.Code()] = true
		if o.Disputed > 0 {
			disputed[o.Currency.Code()] += o.Disputed
		}
	}
	start := weekOne(on)
	for w := range weeks {
		f.Weeks = append(f.Weeks, ForecastWeek{Week: w + 1, Start: start.AddDays(7 * w), End: start.AddDays(7*w + 6),
			CurrencyAmounts: book.amounts(sums[w])})
	}
	f.Later, f.Disputed = book.amounts(sums[weeks]), book.amounts(disputed)
	f.Rates, f.MissingRates = book.usedRates(codes), book.missing()
	return f, pieces, sums
}

// amounts is minor units per currency code with their converted sum.
func (b *rateBook) amounts(byCode map[string]int64) CurrencyAmounts {
	a := CurrencyAmounts{ByCurrency: []money.Money{}, Complete: true}
	sum := new(big.Rat)
	for _, code := range slices.Sorted(mapKeys(byCode)) {
		c := money.MustCurrency(code)
		a.ByCurrency = append(a.ByCurrency, money.Money{Minor: byCode[code], Currency: c})
		if x, ok := b.exact(byCode[code], c); ok {
			sum.Add(sum, x)
		} else {
			a.Complete = false
		}
	}
	a.Reporting = money.Money{Minor: money.RoundHalfEven(sum).Int64(), Currency: b.to}
	return a
}

// delayBook holds the observed payment delays: amount-weighted means of days
// after the due date, per customer (in its currency; in whole days), per
// category and per entity (weights in the reporting currency; currencies
// without a rate are left out of these two).
type delayBook struct {
	customer map[int64]int
	segment  map[string]delaySum
	entity   map[int64]delaySum
}

// delaySum is Σ amount and Σ amount × days.
type delaySum struct{ amount, amountDays *big.Rat }

func (s delaySum) add(amount, amountDays *big.Rat) delaySum {
	if s.amount == nil {
		s = delaySum{new(big.Rat), new(big.Rat)}
	}
	s.amount.Add(s.amount, amount)
	s.amountDays.Add(s.amountDays, amountDays)
	return s
}

// days is the mean delay rounded half to even to whole days, or false without weight.
func (s delaySum) days() (int, bool) {
	if s.amount == nil || s.amount.Sign() <= 0 {
		return 0, false
	}
	return int(money.RoundHalfEven(quo(s.amountDays, s.amount)).Int64()), true
}

// newDelayBook adds rows up by customer (CustomerID 0: sums of several
// customers, for the segments and entities only), category and entity.
func newDelayBook(rows []store.PaymentDelay, book *rateBook) delayBook {
	d := delayBook{customer: map[int64]int{}, segment: map[string]delaySum{}, entity: map[int64]delaySum{}}
	customers := map[int64]delaySum{}
	defer func() {
		for id, s := range customers {
			if n, ok := s.days(); ok {
				d.customer[id] = n
			}
		}
	}()
	for _, r := range rows {
		amount, amountDays := new(big.Rat).SetInt64(r.Amount), new(big.Rat).SetInt(r.AmountDays)
		if r.CustomerID != 0 {
			customers[r.CustomerID] = customers[r.CustomerID].add(amount, amountDays)
		}
		rate, ok := book.rates[r.Currency.Code()] // not noted missing: no amount of the forecast is at stake
		if !ok {
			continue
		}
		f := money.ConvertExact(1, r.Currency, rate, book.to)
		amount, amountDays = mul(amount, f), mul(amountDays, f)
		if r.Category != "" {
			d.segment[r.Category] = d.segment[r.Category].add(amount, amountDays)
		}
		d.entity[r.EntityID] = d.entity[r.EntityID].add(amount, amountDays)
	}
	return d
}

// delay is the days o is expected after its due date, and why.
func (d delayBook) delay(o store.ForecastOpen) (int, ForecastBasis) {
	if n, ok := d.customer[o.CustomerID]; ok {
		return n, BasisCustomer
	}
	return d.fallback(o.Category, o.EntityID)
}

// fallback is the delay of a customer without receipts of its own.
func (d delayBook) fallback(category string, entity int64) (int, ForecastBasis) {
	if category != "" {
		if n, ok := d.segment[category].days(); ok {
			return n, BasisSegment
		}
	}
	if n, ok := d.entity[entity].days(); ok {
		return n, BasisEntity
	}
	return 0, BasisDueDate
}

// BacktestWeek compares one week's forecast with what was received.
type BacktestWeek struct {
	Week                    int
	Start, End              dunning.Date
	Forecast, Actual, Error money.Money // Error = Forecast − Actual
	// APE is |Error| ÷ Actual × 100; nil when nothing was received.
	APE *big.Rat
}

// Backtest is a forecast made as of a past date against the receipts that followed.
type Backtest struct {
	AsOf         dunning.Date
	Reporting    money.Currency
	Rates        []store.Rate
	MissingRates []MissingRate
	Weeks        []BacktestWeek
	Forecast     money.Money // over the weeks
	Actual       money.Money
	MAPE         *big.Rat // mean of the weeks' APE (weeks with receipts); nil: none
	Bias         *big.Rat // (Σ forecast − Σ actual) ÷ Σ actual × 100; nil: nothing received
	Scored       int      // weeks with receipts, the MAPE's count
	Notes        []string
}

// ForecastBacktest replays the forecast as it would have been made at the
// end of q.AsOf and compares it, week by week, with the receipts recorded
// after it on the same invoices. Invoices with a disputed part at AsOf are
// left out of both sides (the forecast does not forecast them); both sides
// are converted at the rates of AsOf, so exchange rates moving add no error.
func (a *App) ForecastBacktest(ctx context.Context, who domain.Principal, q ForecastQuery) (Backtest, error) {
	run, err := a.forecast(ctx, who, q)
	if err != nil {
		return Backtest{}, err
	}
	if run.summed {
		return a.backtestSummed(ctx, perimeter(who), run)
	}
	f, book := run.Forecast, run.book
	var ids []int64
	seen := map[int64]bool{}
	forecast := make([]map[string]int64, len(f.Weeks))
	actual := make([]map[string]int64, len(f.Weeks))
	for i := range forecast {
		forecast[i], actual[i] = map[string]int64{}, map[string]int64{}
	}
	for _, p := range f.Pieces {
		if p.Disputed {
			continue
		}
		if !seen[p.InvoiceID] {
			seen[p.InvoiceID] = true
			ids = append(ids, p.InvoiceID)
		}
		if w := weekOf(f.AsOf, p.Expected); w <= len(f.Weeks) {
			forecast[w-1][p.Amount.Currency.Code()] += p.Amount.Minor
		}
	}
	last := f.Weeks[len(f.Weeks)-1].End
	receipts, err := a.store.ReceiptsByDay(ctx, ids, f.AsOf.AddDays(1), last)
	if err != nil {
		return Backtest{}, err
	}
	for _, r := range receipts {
		actual[weekOf(f.AsOf, r.On)-1][r.Currency.Code()] += r.Minor
	}
	return scoreBacktest(f, forecast, actual, book), nil
}

// backtestSummed is ForecastBacktest of a forecast from the snapshot's
// sums: its weeks less the pieces of the invoices with a disputed part,
// against the receipts on the invoices open at the cut but those.
func (a *App) backtestSummed(ctx context.Context, per store.Perimeter, run forecastRun) (Backtest, error) {
	f := run.Forecast
	forecast := make([]map[string]int64, len(f.Weeks))
	actual := make([]map[string]int64, len(f.Weeks))
	for i := range forecast {
		forecast[i], actual[i] = maps.Clone(run.weekly[i]), map[string]int64{}
	}
	for _, p := range run.pieces {
		if !p.Disputed {
			continue
		}
		if w := weekOf(f.AsOf, p.Expected); w <= len(f.Weeks) {
			c := p.Amount.Currency.Code()
			if forecast[w-1][c] -= p.Amount.Minor; forecast[w-1][c] == 0 {
				delete(forecast[w-1], c)
			}
		}
	}
	receipts, err := a.store.ReceiptsAfter(ctx, per, run.filter, f.Weeks[len(f.Weeks)-1].End, run.disputed)
	if err != nil {
		return Backtest{}, err
	}
	for _, r := range receipts {
		actual[weekOf(f.AsOf, r.On)-1][r.Currency.Code()] += r.Minor
	}
	return scoreBacktest(f, forecast, actual, run.book), nil
}

func scoreBacktest(f Forecast, forecast, actual []map[string]int64, book *rateBook) Backtest {
	b := Backtest{AsOf: f.AsOf, Reporting: f.Reporting, Weeks: []BacktestWeek{}}
	zero := money.Money{Currency: f.Reporting}
	b.Forecast, b.Actual = zero, zero
	apes := new(big.Rat)
	codes := map[string]bool{}
	for i, w := range f.Weeks {
		for c := range forecast[i] {
			codes[c] = true
		}
		for c := range actual[i] {
			codes[c] = true
		}
		fw, aw := book.amounts(forecast[i]).Reporting, book.amounts(actual[i]).Reporting
		bw := BacktestWeek{Week: w.Week, Start: w.Start, End: w.End, Forecast: fw, Actual: aw,
			Error: money.Money{Minor: fw.Minor - aw.Minor, Currency: f.Reporting}}
		if aw.Minor > 0 {
			bw.APE = mul(big.NewRat(abs64(bw.Error.Minor), aw.Minor), big.NewRat(100, 1))
			apes.Add(apes, bw.APE)
			b.Scored++
		}
		b.Forecast.Minor += fw.Minor
		b.Actual.Minor += aw.Minor
		b.Weeks = append(b.Weeks, bw)
	}
	if b.Scored > 0 {
		b.MAPE = quo(apes, big.NewRat(int64(b.Scored), 1))
	} else {
		b.Notes = append(b.Notes, "no MAPE: nothing was received in any week")
	}
	if b.Actual.Minor > 0 {
		b.Bias = mul(big.NewRat(b.Forecast.Minor-b.Actual.Minor, b.Actual.Minor), big.NewRat(100, 1))
	}
	if today := dunning.DateOf(time.Now().UTC()); !today.After(f.Weeks[len(f.Weeks)-1].End) {
		b.Notes = append(b.Notes, "the horizon is not over: the receipts of "+today.String()+" and after are not known yet")
	}
	b.Rates, b.MissingRates = book.usedRates(codes), book.missing()
	if len(b.MissingRates) > 0 {
		b.Notes = append(b.Notes, "amounts in a currency without a rate to "+f.Reporting.Code()+" are left out (see missing_rates)")
	}
	return b
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
