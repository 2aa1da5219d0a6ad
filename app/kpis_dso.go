package app

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
)

// DSO is the days-sales-outstanding family over a period From–To (inclusive,
// Days long), read as of To. Amounts are in the reporting currency, converted
// exactly at the rates of To and rounded half to even once; a ratio is nil
// when it is undefined (no sales, nothing overdue, a missing rate), with the
// reason in Notes. The README gives each formula with a worked example.
type DSO struct {
	From, To     dunning.Date
	Days         int
	Reporting    money.Currency
	Rates        []store.Rate
	MissingRates []MissingRate

	Receivables      money.Money // open invoices less open credit notes and unallocated payments, end of To
	BeginReceivables money.Money // the same at the end of the day before From
	Current          money.Money // open invoices not yet due on To
	Overdue          money.Money // open invoices past due on To
	Over60           money.Money // open invoices more than 60 days past due on To
	CreditSales      money.Money // invoices less credit notes issued From–To

	Standard, BestPossible, Delinquent, Countback *big.Rat // days
	CEI                                           *big.Rat // percent
	AverageDaysDelinquent                         *big.Rat // days
	Over60Share                                   *big.Rat // percent of open invoices
	Notes                                         []string
}

// CountbackMonths is how far back countback DSO looks for sales.
const CountbackMonths = 24

// DSO computes the DSO family of the receivables inside who's perimeter over
// the period q.From–q.To (default the 90 days ending at q.AsOf).
func (a *App) DSO(ctx context.Context, who domain.Principal, q KPIQuery) (DSO, error) {
	s, err := a.kpiScope(who, q, true)
	if err != nil {
		return DSO{}, err
	}
	if q.GroupBy != "" {
		return DSO{}, domain.FieldError("group_by", "DSO is one figure: narrow it with entity")
	}
	per, to := perimeter(who), s.filter.On
	end, err := a.store.AgingAsOf(ctx, per, s.filter, store.GroupTotal)
	if err != nil {
		return DSO{}, err
	}
	begin, err := a.store.AgingAsOf(ctx, per, kpiFilter(s.from.AddDays(-1), s.filter.Entity), store.GroupTotal)
	if err != nil {
		return DSO{}, err
	}
	// The snapshot's sales segments serve the default period; another
	// period's sales are read invoice by invoice.
	var sales []store.DaySales
	ok := false
	if s.from == to.AddDays(1-DefaultPeriodDays) {
		if sales, ok, err = a.store.SalesBySegment(ctx, per, s.filter); err != nil {
			return DSO{}, err
		}
	}
	if !ok {
		first := s.from
		if start := addMonths(to, -CountbackMonths).AddDays(1); start.Before(first) {
			first = start
		}
		if sales, err = a.store.SalesByDay(ctx, per, s.filter, first); err != nil {
			return DSO{}, err
		}
	}
	book, err := a.rateBook(ctx, s.reporting, to)
	if err != nil {
		return DSO{}, err
	}
	return computeDSO(s.from, to, end, begin, sales, book), nil
}

// dsoSums are a DSO's inputs in exact minor units of the reporting currency.
type dsoSums struct {
	ar, begin, current, overdue, over60, gross, overdueDays, sales *big.Rat
}

func computeDSO(from, to dunning.Date, end, begin []store.AgingRow, sales []store.DaySales, book *rateBook) DSO {
	d := DSO{From: from, To: to, Days: daysBetween(from, to) + 1, Reporting: book.to}
	z := func() *big.Rat { return new(big.Rat) }
	x := dsoSums{z(), z(), z(), z(), z(), z(), z(), z()}
	codes := map[string]bool{}
	factor := func(c money.Currency) (*big.Rat, bool) {
		codes[c.Code()] = true
		return book.exact(1, c)
	}
	addTo := func(sum *big.Rat, f *big.Rat, minor int64) {
		sum.Add(sum, new(big.Rat).Mul(f, new(big.Rat).SetInt64(minor)))
	}
	for _, r := range end {
		f, ok := factor(r.Currency)
		if !ok {
			continue
		}
		b := r.Buckets
		addTo(x.ar, f, b[0]+b[1]+b[2]+b[3]+b[4]+b[5]+r.Credits)
		addTo(x.current, f, b[store.BucketNotDue])
		addTo(x.overdue, f, b[1]+b[2]+b[3]+b[4]+b[5])
		addTo(x.over60, f, b[store.Bucket61To90]+b[store.Bucket91To120]+b[store.BucketOver120])
		addTo(x.gross, f, b[0]+b[1]+b[2]+b[3]+b[4]+b[5])
		x.overdueDays.Add(x.overdueDays, new(big.Rat).Mul(f, new(big.Rat).SetInt(r.OverdueDays)))
	}
	for _, r := range begin {
		if f, ok := factor(r.Currency); ok {
			b := r.Buckets
			addTo(x.begin, f, b[0]+b[1]+b[2]+b[3]+b[4]+b[5]+r.Credits)
		}
	}
	// Monthly sales for countback: window k (1 = the latest) is the days after
	// addMonths(to, -k) up to addMonths(to, -k+1).
	monthly := make([]*big.Rat, CountbackMonths)
	for i := range monthly {
		monthly[i] = z()
	}
	for _, s := range sales {
		f, ok := factor(s.Currency)
		if !ok {
			continue
		}
		if !s.On.Before(from) {
			addTo(x.sales, f, s.Minor)
		}
		if k := monthIndex(to, s.On); k < CountbackMonths {
			addTo(monthly[k], f, s.Minor)
		}
	}
	round := func(r *big.Rat) money.Money {
		return money.Money{Minor: money.RoundHalfEven(r).Int64(), Currency: book.to}
	}
	d.Receivables, d.BeginReceivables, d.Current, d.Overdue, d.Over60, d.CreditSales =
		round(x.ar), round(x.begin), round(x.current), round(x.overdue), round(x.over60), round(x.sales)
	d.Rates, d.MissingRates = book.usedRates(codes), book.missing()
	if len(d.MissingRates) > 0 {
		d.Notes = append(d.Notes, "no ratio: amounts in a currency without a rate to "+book.to.Code()+" (see missing_rates)")
		return d
	}
	days := new(big.Rat).SetInt64(int64(d.Days))
	hundred := big.NewRat(100, 1)
	if x.sales.Sign() > 0 {
		d.Standard = mul(quo(x.ar, x.sales), days)
		d.BestPossible = mul(quo(x.current, x.sales), days)
		d.Delinquent = new(big.Rat).Sub(d.Standard, d.BestPossible)
	} else {
		d.Notes = append(d.Notes, "no standard, best possible or delinquent DSO: no credit sales in the period")
	}
	var note string
	d.Countback, note = countback(x.ar, monthly, to)
	if note != "" {
		d.Notes = append(d.Notes, note)
	}
	collectible := new(big.Rat).Add(x.begin, x.sales)
	if den := new(big.Rat).Sub(collectible, x.current); den.Sign() > 0 {
		d.CEI = mul(quo(new(big.Rat).Sub(collectible, x.ar), den), hundred)
	} else {
		d.Notes = append(d.Notes, "no CEI: nothing was collectible in the period")
	}
	if x.overdue.Sign() > 0 {
		d.AverageDaysDelinquent = quo(x.overdueDays, x.overdue)
	}
	if x.gross.Sign() > 0 {
		d.Over60Share = mul(quo(x.over60, x.gross), hundred)
	}
	return d
}

// countback walks back from to month by month, taking each month's sales out
// of the receivables and counting its days, until the receivables are used
// up; the last month counts the fraction of its days the rest represents.
func countback(ar *big.Rat, monthly []*big.Rat, to dunning.Date) (*big.Rat, string) {
	if ar.Sign() <= 0 {
		return new(big.Rat), ""
	}
	left, days := new(big.Rat).Set(ar), new(big.Rat)
	for k, s := range monthly {
		n := new(big.Rat).SetInt64(int64(daysBetween(addMonths(to, -k-1), addMonths(to, -k))))
		if s.Sign() > 0 && left.Cmp(s) <= 0 {
			return days.Add(days, mul(quo(left, s), n)), ""
		}
		days.Add(days, n)
		if s.Sign() > 0 {
			left.Sub(left, s)
		}
	}
	return nil, fmt.Sprintf("no countback DSO: the receivables exceed the sales of the last %d months", len(monthly))
}

// monthIndex is the countback window (0 = the month ending at to) of day on.
func monthIndex(to, on dunning.Date) int {
	for k := range CountbackMonths {
		if on.After(addMonths(to, -k-1)) {
			return k
		}
	}
	return CountbackMonths
}

// addMonths moves d by n calendar months, clamped to the month's last day
// (2024-03-31 less one month is 2024-02-29).
func addMonths(d dunning.Date, n int) dunning.Date {
	m := int(d.Month) - 1 + n
	y := d.Year + m/12
	if m %= 12; m < 0 {
		m, y = m+12, y-1
	}
	last := time.Date(y, time.Month(m+2), 0, 0, 0, 0, 0, time.UTC).Day()
	return dunning.NewDate(y, time.Month(m+1), min(d.Day, last))
}

// daysBetween is the number of days from a to b.
func daysBetween(a, b dunning.Date) int {
	return int(b.In(time.UTC).Sub(a.In(time.UTC)).Hours() / 24)
}

func quo(a, b *big.Rat) *big.Rat { return new(big.Rat).Quo(a, b) }
func mul(a, b *big.Rat) *big.Rat { return new(big.Rat).Mul(a, b) }
