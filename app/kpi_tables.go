package app

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"recoup/domain"
	"recoup/dunning"

	"recoup/export"
	"recoup/money"
	"recoup/store"
)

// The collection figures as export tables: one builder per figure, used by
// the API's CSV and XLSX downloads and by the weekly report's attachment, so
// a column exists once whatever the format.

// Hundredths is x with two decimals, rounded half to even from the exact
// fraction (never through a float); "" when x is nil (undefined).
func Hundredths(x *big.Rat) string {
	if x == nil {
		return ""
	}
	h := money.RoundHalfEven(new(big.Rat).Mul(x, big.NewRat(100, 1)))
	return new(big.Rat).SetFrac(h, big.NewInt(100)).FloatString(2)
}

// ResolutionDaysExact is a duration in seconds as an exact number of days;
// nil when nothing was measured.
func ResolutionDaysExact(secs int64, measured bool) *big.Rat {
	if !measured {
		return nil
	}
	return big.NewRat(secs, 86400)
}

// ResolutionDays is ResolutionDaysExact with two decimals; "" when nothing was measured.
func ResolutionDays(secs int64, measured bool) string {
	return Hundredths(ResolutionDaysExact(secs, measured))
}

// AgingTable is the aged balance: per group, a line per currency then the
// group's line in the reporting currency (with its completeness), then the
// total group.
func AgingTable(ag Aging) export.Table {
	t := export.Table{Name: "Aging", Head: append(append([]string{"group", "label", "currency"}, store.BucketNames[:]...),
		"credits", "total", "complete")}
	line := func(g AgingGroup, a AgingAmounts, complete export.Cell) {
		r := []export.Cell{export.Text(g.Key), export.Text(g.Label), export.Text(a.Total.Currency.Code())}
		for _, m := range a.Buckets {
			r = append(r, export.Money(m.Minor, m.Currency))
		}
		r = append(r, export.Money(a.Credits.Minor, a.Credits.Currency), export.Money(a.Total.Minor, a.Total.Currency), complete)
		t.Add(r...)
	}
	total := ag.Total
	total.Key = "total"
	for _, g := range append(append([]AgingGroup{}, ag.Groups...), total) {
		for _, a := range g.ByCurrency {
			line(g, a, export.Blank())
		}
		line(g, g.Reporting, export.Text(strconv.FormatBool(g.Complete)))
	}
	return t
}

// DSOTable is the DSO family as one figure a line: its value and unit.
func DSOTable(d DSO) export.Table {
	t := export.Table{Name: "DSO", Head: []string{"figure", "value", "unit"}}
	cur := d.Reporting.Code()
	t.Add(export.Text("from"), export.Date(d.From), export.Text("date"))
	t.Add(export.Text("to"), export.Date(d.To), export.Text("date"))
	t.Add(export.Text("days"), export.Int(int64(d.Days)), export.Text("days"))
	for _, m := range []struct {
		name string
		v    money.Money
	}{{"receivables", d.Receivables}, {"begin_receivables", d.BeginReceivables}, {"current", d.Current},
		{"overdue", d.Overdue}, {"over_60", d.Over60}, {"credit_sales", d.CreditSales}} {
		t.Add(export.Text(m.name), export.Money(m.v.Minor, d.Reporting), export.Text(cur))
	}
	for _, r := range []struct {
		name string
		v    *big.Rat
		unit string
	}{{"dso", d.Standard, "days"}, {"best_possible_dso", d.BestPossible, "days"}, {"delinquent_dso", d.Delinquent, "days"},
		{"countback_dso", d.Countback, "days"}, {"cei", d.CEI, "percent"}, {"average_days_delinquent", d.AverageDaysDelinquent, "days"},
		{"over_60_share", d.Over60Share, "percent"}} {
		t.Add(export.Text(r.name), export.Decimal(Hundredths(r.v)), export.Text(r.unit))
	}
	for _, m := range d.MissingRates {
		t.Add(export.Text("missing_rate"), export.Text(m.From.Code()+" to "+m.To.Code()), export.Date(m.On))
	}
	return t
}

// TopOverdueTable is the ranked list of the most overdue customers.
func TopOverdueTable(top TopOverdue) export.Table {
	t := export.Table{Name: "Top overdue", Head: []string{"rank", "external_id", "name", "entity", "agent",
		"currency", "overdue", "over_60", "days_overdue", "reporting_currency", "overdue_reporting"}}
	for i, r := range top.Customers {
		t.Add(export.Int(int64(i+1)), export.Text(r.ExternalID), export.Text(r.Name), export.Text(r.Entity), export.Text(r.Agent),
			export.Text(r.Overdue.Currency.Code()), export.Money(r.Overdue.Minor, r.Overdue.Currency),
			export.Money(r.Over60.Minor, r.Over60.Currency), export.Int(int64(r.DaysOverdue)),
			export.Text(top.Reporting.Code()), export.Money(r.OverdueReporting.Minor, r.OverdueReporting.Currency))
	}
	return t
}

// DisputesTable is the dispute figures: the all-disputes line, then one per
// reason and department.
func DisputesTable(d Disputes) export.Table {
	t := export.Table{Name: "Disputes", Head: []string{"reason", "department", "opened", "decided", "accepted",
		"rejected", "withdrawn", "sla_breached", "avg_resolution_days", "p90_resolution_days"}}
	all := d.All
	all.Reason, all.Department = "all", ""
	for _, f := range append([]store.DisputeFigures{all}, d.ByReason...) {
		t.Add(export.Text(f.Reason), export.Text(f.Department), export.Int(int64(f.Opened)), export.Int(int64(f.Decided)),
			export.Int(int64(f.Accepted)), export.Int(int64(f.Rejected)), export.Int(int64(f.Withdrawn)), export.Int(int64(f.Breached)),
			export.Decimal(ResolutionDays(f.AvgResolution, f.Decided > 0)), export.Decimal(ResolutionDays(f.P90Resolution, f.Decided > 0)))
	}
	return t
}

// DisputedAmountsTable is what the disputes of the period disputed and got
// credited, per currency (a second sheet in XLSX; CSV holds one table).
func DisputedAmountsTable(d Disputes) export.Table {
	t := export.Table{Name: "Disputed amounts", Head: []string{"currency", "disputed", "credit_notes"}}
	for _, a := range d.Amounts {
		t.Add(export.Text(a.Currency.Code()), export.Money(a.Disputed, a.Currency), export.Money(a.CreditNote, a.Currency))
	}
	return t
}

// PromiseRate is n in percent of the settled promises (kept, partly kept,
// broken); nil when none is settled.
func (p Promises) PromiseRate(n int) *big.Rat {
	settled := int64(p.Kept + p.PartlyKept + p.Broken)
	if settled == 0 {
		return nil
	}
	return big.NewRat(int64(n)*100, settled)
}

// PromisesTable is the promise figures, one a line.
func PromisesTable(p Promises) export.Table {
	t := export.Table{Name: "Promises", Head: []string{"figure", "value"}}
	t.Add(export.Text("from"), export.Date(p.From))
	t.Add(export.Text("to"), export.Date(p.To))
	for _, c := range []struct {
		name string
		n    int
	}{{"due", p.Due}, {"kept", p.Kept}, {"partly_kept", p.PartlyKept}, {"broken", p.Broken}, {"cancelled", p.Cancelled}, {"pending", p.Pending}} {
		t.Add(export.Text(c.name), export.Int(int64(c.n)))
	}
	t.Add(export.Text("kept_rate"), export.Decimal(Hundredths(p.PromiseRate(p.Kept))))
	t.Add(export.Text("partly_kept_rate"), export.Decimal(Hundredths(p.PromiseRate(p.PartlyKept))))
	t.Add(export.Text("broken_rate"), export.Decimal(Hundredths(p.PromiseRate(p.Broken))))
	return t
}

// CaseExportLimit bounds a cases download: beyond it the table ends with a
// line saying so (narrow the filters).
const CaseExportLimit = 10_000

// CasesTable is the cases list matching q (its paging ignored) as a table to
// download, newest first: the dispute list when q.Type is dispute. Each
// case's disputed amount is per currency of its invoices, one line per
// currency (a dispute's invoices share the customer's currency in practice).
func (a *App) CasesTable(ctx context.Context, who domain.Principal, q CaseQuery) (export.Table, error) {
	t := export.Table{Name: "Cases", Head: []string{"id", "type", "customer", "entity", "status", "reason", "department", "owner",
		"opened", "sla_state", "breached", "decision", "decided", "invoices", "currency", "disputed", "credit_note"}}
	if q.Type == string(domain.CaseDispute) {
		t.Name = "Disputes"
	}
	q.Page = domain.Page{Limit: domain.MaxPageSize}
	for q.Offset < CaseExportLimit {
		list, total, err := a.Cases(ctx, who, q)
		if err != nil {
			return t, err
		}
		ids := make([]int64, len(list))
		for i, c := range list {
			ids[i] = c.ID
		}
		invoices, err := a.store.CasesInvoices(ctx, ids)
		if err != nil {
			return t, err
		}
		for _, c := range list {
			c.Invoices = invoices[c.ID]
			addCaseRows(&t, c)
		}
		q.Offset += len(list)
		if len(list) < q.Limit || int64(q.Offset) >= total {
			return t, nil
		}
	}
	t.Add(export.Text(fmt.Sprintf("… more than %d cases: narrow the filters", CaseExportLimit)))
	return t, nil
}

func addCaseRows(t *export.Table, c store.Case) {
	type sums struct{ disputed, credited int64 }
	byCur := map[money.Currency]*sums{}
	var order []money.Currency
	numbers := make([]string, 0, len(c.Invoices))
	for _, in := range c.Invoices {
		numbers = append(numbers, in.Number)
		s := byCur[in.Disputed.Currency]
		if s == nil {
			s = &sums{}
			byCur[in.Disputed.Currency] = s
			order = append(order, in.Disputed.Currency)
		}
		s.disputed += in.Disputed.Minor
		if in.CreditNote != nil {
			s.credited += in.CreditNote.Minor
		}
	}
	day := func(at *time.Time) export.Cell {
		if at == nil {
			return export.Blank()
		}
		return export.Date(dunning.DateOf(at.UTC()))
	}
	head := []export.Cell{export.Int(c.ID), export.Text(string(c.Type)), export.Text(c.CustomerName), export.Text(c.EntityCode),
		export.Text(string(c.Status)), export.Text(c.Reason), export.Text(string(c.Department)), export.Text(c.OwnerEmail),
		export.Date(dunning.DateOf(c.OpenedAt.UTC())), export.Text(string(c.SLAState)), day(c.BreachedAt), export.Text(string(c.Decision)),
		day(c.DecidedAt), export.Text(strings.Join(numbers, " "))}
	if len(order) == 0 {
		t.Add(append(head, export.Blank(), export.Blank(), export.Blank())...)
	}
	for _, cur := range order {
		s := byCur[cur]
		t.Add(append(slices.Clone(head), export.Text(cur.Code()), export.Money(s.disputed, cur), export.Money(s.credited, cur))...)
	}
}

// TeamTable is a line per person, then the total.
func TeamTable(tm Team) export.Table {
	t := export.Table{Name: "Team", Head: []string{"email", "name", "emails_sent", "texts_sent", "calls_placed", "calls",
		"tasks_closed", "promises", "accounts", "currency", "collected", "open", "complete"}}
	total := tm.Total
	total.Email = "total"
	n := func(v int) export.Cell { return export.Int(int64(v)) }
	for _, r := range append(append([]TeamRow{}, tm.Agents...), total) {
		t.Add(export.Text(r.Email), export.Text(r.Name), n(r.EmailsSent), n(r.TextsSent), n(r.CallsPlaced), n(r.Calls),
			n(r.TasksClosed), n(r.Promises), n(r.Accounts), export.Text(tm.Reporting.Code()),
			export.Money(r.Collected.Reporting.Minor, tm.Reporting), export.Money(r.Open.Reporting.Minor, tm.Reporting),
			export.Text(strconv.FormatBool(r.Collected.Complete && r.Open.Complete)))
	}
	return t
}

// ForecastTable is the expected receipts a week a line, then later and disputed.
func ForecastTable(f Forecast) export.Table {
	t := export.Table{Name: "Forecast", Head: []string{"week", "start", "end", "currency", "expected", "complete"}}
	line := func(week, start, end export.Cell, a CurrencyAmounts) {
		t.Add(week, start, end, export.Text(f.Reporting.Code()), export.Money(a.Reporting.Minor, f.Reporting),
			export.Text(strconv.FormatBool(a.Complete)))
	}
	for _, w := range f.Weeks {
		line(export.Int(int64(w.Week)), export.Date(w.Start), export.Date(w.End), w.CurrencyAmounts)
	}
	line(export.Text("later"), export.Blank(), export.Blank(), f.Later)
	line(export.Text("disputed"), export.Blank(), export.Blank(), f.Disputed)
	return t
}

// BacktestTable is the back-test a week a line (forecast, actual, error,
// APE), then the totals, the MAPE and the bias.
func BacktestTable(b Backtest) export.Table {
	t := export.Table{Name: "Back-test", Head: []string{"week", "start", "end", "forecast", "actual", "error", "ape"}}
	m := func(v money.Money) export.Cell { return export.Money(v.Minor, v.Currency) }
	for _, w := range b.Weeks {
		t.Add(export.Int(int64(w.Week)), export.Date(w.Start), export.Date(w.End), m(w.Forecast), m(w.Actual), m(w.Error),
			export.Decimal(Hundredths(w.APE)))
	}
	blank := export.Blank()
	t.Add(export.Text("total"), blank, blank, m(b.Forecast), m(b.Actual),
		m(money.Money{Minor: b.Forecast.Minor - b.Actual.Minor, Currency: b.Reporting}), blank)
	t.Add(export.Text("mape"), blank, blank, blank, blank, blank, export.Decimal(Hundredths(b.MAPE)))
	t.Add(export.Text("bias"), blank, blank, blank, blank, blank, export.Decimal(Hundredths(b.Bias)))
	return t
}
