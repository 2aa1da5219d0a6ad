package web

import (
	"html/template"
	"math/big"
	"net/url"
	"strconv"
	"strings"
	"time"

	"recoup/app"
	"recoup/chart"
	"recoup/domain"
	"recoup/dunning"
	"recoup/export"
	"recoup/money"
	"recoup/store"
)

// The dashboards: one per role (an agent's portfolio, a credit manager's
// team, a division manager's entities), each a list of figures drawn from
// the app's collection figures (perimeter applied there). A figure is one
// table of typed cells that feeds its chart, the table beside it and its CSV
// download, so the three cannot disagree.

// Dashboard names, in the order of the tabs.
const (
	dashPortfolio = "portfolio"
	dashTeam      = "team"
	dashEntities  = "entities"
)

// dashboardsOf are the dashboards a role has; the first is its own (where
// /dashboard leads). Other roles have none: their home page serves them.
func dashboardsOf(role domain.Role) []string {
	switch role {
	case domain.RoleAgent:
		return []string{dashPortfolio}
	case domain.RoleCreditManager, domain.RoleAdmin:
		return []string{dashTeam, dashEntities}
	case domain.RoleDivisionManager:
		return []string{dashEntities}
	}
	return nil
}

// dashFilter is the filter form every dashboard carries, read from the URL.
type dashFilter struct {
	AsOf     dunning.Date
	Entity   string
	Currency string
	Entities []string // the entities the person sees, for the select
}

func readDashFilter(r *request) (dashFilter, error) {
	f := dashFilter{Entity: strings.TrimSpace(r.c.Query("entity")), Currency: strings.ToUpper(strings.TrimSpace(r.c.Query("currency")))}
	f.AsOf = dunning.DateOf(time.Now().UTC())
	if v := strings.TrimSpace(r.c.Query("as_of")); v != "" {
		d, err := dunning.ParseDate(v)
		if err != nil {
			return f, domain.FieldError("as_of", "%v", err)
		}
		f.AsOf = d
	}
	return f, nil
}

// query is the app's question for the filter.
func (f dashFilter) query() app.KPIQuery {
	return app.KPIQuery{AsOf: f.AsOf.String(), Entity: f.Entity, Currency: f.Currency}
}

// csv is the download link of figure id under the same filter (and more, such as group_by).
func (f dashFilter) csv(id string, more ...string) string {
	q := url.Values{"as_of": {f.AsOf.String()}}
	if f.Entity != "" {
		q.Set("entity", f.Entity)
	}
	if f.Currency != "" {
		q.Set("currency", f.Currency)
	}
	for i := 0; i+1 < len(more); i += 2 {
		q.Set(more[i], more[i+1])
	}
	return "/dashboard/csv/" + id + "?" + q.Encode()
}

// dashCell is one value of a figure: as the page shows it and as the CSV holds it.
type dashCell struct {
	Text string
	Num  bool   // right-aligned, tabular figures
	Href string // a drill-down or account link
	Cell export.Cell
}

// dashColumn is a column: its CSV name and its heading on the page.
type dashColumn struct{ Key, Label string }

// figure is a chart with its numbers.
type figure struct {
	ID      string // the anchor, and the CSV's name
	Title   string
	Chart   template.HTML // none: a table only
	Columns []dashColumn
	Rows    [][]dashCell
	CSV     string   // the download link
	Notes   []string // in the user's language
	Wide    bool     // the table is wide: under the chart, never beside it
}

// table is the figure as the CSV download writes it.
func (f figure) table() export.Table {
	t := export.Table{Name: f.ID}
	for _, c := range f.Columns {
		t.Head = append(t.Head, c.Key)
	}
	for _, row := range f.Rows {
		cells := make([]export.Cell, len(row))
		for i, c := range row {
			cells[i] = c.Cell
		}
		t.Add(cells...)
	}
	return t
}

// Cells, formatted for the page's language.

func textCell(s string) dashCell { return dashCell{Text: s, Cell: export.Text(s)} }

func intCell(n int) dashCell {
	return dashCell{Text: decString(int64(n)), Num: true, Cell: export.Int(int64(n))}
}

func (p *Page) moneyCell(m money.Money) dashCell {
	return dashCell{Text: p.Money(m), Num: true, Cell: export.Money(m.Minor, m.Currency)}
}

// ratioCell is x with two decimals, rounded half to even (the API's ratios); nil is blank.
func (p *Page) ratioCell(x *big.Rat) dashCell {
	s := app.Hundredths(x)
	return dashCell{Text: p.decimal(s), Num: true, Cell: export.Decimal(s)}
}

// decimal writes "99.40" with the language's decimal separator.
func (p *Page) decimal(s string) string {
	if p.Lang == "fr" {
		return strings.Replace(s, ".", ",", 1)
	}
	return s
}

// moneyText formats a chart's value (exact minor units of c) for its labels.
func (p *Page) moneyText(c money.Currency) func(*big.Rat) string {
	return func(r *big.Rat) string {
		return p.Money(money.Money{Minor: money.RoundHalfEven(r).Int64(), Currency: c})
	}
}

func (p *Page) daysText(r *big.Rat) string { return p.decimal(app.Hundredths(r)) }

func (p *Page) countText(r *big.Rat) string { return money.RoundHalfEven(r).String() }

// bucketClasses colour the aging buckets on one scale (the stylesheet's
// bucket-0 … bucket-5), the same in every chart.
var bucketClasses = func() []string {
	out := make([]string, store.NumBuckets)
	for i := range out {
		out[i] = "bucket-" + decString(int64(i))
	}
	return out
}()

func (p *Page) bucketLabel(i int) string { return p.T("dash.bucket." + store.BucketNames[i]) }

// maxChartGroups bounds the bars of a chart by group; the table has them all.
const maxChartGroups = 12

// agingByGroup is an aged balance by group in the reporting currency: a
// stacked bar per group (the buckets, the credits below zero), the table
// with every group and the total. link, when set, is each group's drill-down.
func (p *Page) agingByGroup(id, title string, a app.Aging, csv string, link func(key string) string) figure {
	f := figure{ID: id, Title: title, CSV: csv, Wide: true}
	f.Columns = append(f.Columns, dashColumn{"key", p.T("dash.group." + string(a.GroupBy))}, dashColumn{"name", p.T("dash.name")})
	for i := range store.NumBuckets {
		f.Columns = append(f.Columns, dashColumn{store.BucketNames[i], p.bucketLabel(i)})
	}
	f.Columns = append(f.Columns, dashColumn{"credits", p.T("dash.credits")}, dashColumn{"total", p.T("dash.total")},
		dashColumn{"currency", p.T("dash.currency")}, dashColumn{"complete", p.T("dash.complete")})
	series := make([]chart.Series, store.NumBuckets+1)
	for i := range store.NumBuckets {
		series[i] = chart.Series{Name: p.bucketLabel(i), Class: bucketClasses[i]}
	}
	series[store.NumBuckets] = chart.Series{Name: p.T("dash.credits"), Class: "credits"}
	var labels, links []string
	row := func(g app.AgingGroup, total bool) []dashCell {
		key, name := textCell(g.Key), textCell(g.Label)
		if total {
			key, name = textCell(p.T("dash.total")), textCell("")
			key.Cell = export.Text("total")
		} else if link != nil {
			key.Href = link(g.Key)
		}
		if g.Key == "" && !total {
			key = textCell(p.T("dash.none"))
			key.Cell = export.Text("")
		}
		cells := []dashCell{key, name}
		for _, m := range g.Reporting.Buckets {
			cells = append(cells, p.moneyCell(m))
		}
		complete := textCell(p.T("dash.yes"))
		complete.Cell = export.Text("true")
		if !g.Complete {
			complete = textCell(p.T("dash.no"))
			complete.Cell = export.Text("false")
		}
		return append(cells, p.moneyCell(g.Reporting.Credits), p.moneyCell(g.Reporting.Total), textCell(a.Reporting.Code()), complete)
	}
	for i, g := range a.Groups {
		f.Rows = append(f.Rows, row(g, false))
		if i >= maxChartGroups {
			continue
		}
		label := f.Rows[i][0].Text
		if g.Label != "" && (a.GroupBy == store.GroupAgent || a.GroupBy == store.GroupCustomer) {
			label = g.Label // a person's or a customer's name reads better than an email or an id
		}
		labels = append(labels, label)
		if link != nil {
			links = append(links, link(g.Key))
		}
		for b, m := range g.Reporting.Buckets {
			series[b].Values = append(series[b].Values, chart.Minor(m.Minor))
		}
		series[store.NumBuckets].Values = append(series[store.NumBuckets].Values, chart.Minor(g.Reporting.Credits.Minor))
	}
	if len(a.Groups) > maxChartGroups {
		f.Notes = append(f.Notes, p.T("dash.chart_first", maxChartGroups))
	}
	f.Rows = append(f.Rows, row(a.Total, true))
	f.Chart = drawn(chart.Chart{Title: title, Labels: labels, Links: links, Series: series, Text: p.moneyText(a.Reporting)}, chart.Chart.Bars)
	f.Notes = append(f.Notes, p.rateNotes(a.Rates, a.MissingRates)...)
	return f
}

// agingBuckets is an aged balance's total by bucket: one bar per bucket.
func (p *Page) agingBuckets(id, title string, a app.Aging, csv string) figure {
	f := figure{ID: id, Title: title, CSV: csv, Columns: []dashColumn{{"bucket", p.T("dash.bucket")},
		{"amount", p.T("dash.amount")}, {"currency", p.T("dash.currency")}}}
	se := chart.Series{Class: "bucket-0", Classes: bucketClasses}
	var labels []string
	for i, m := range a.Total.Reporting.Buckets {
		b := textCell(p.bucketLabel(i))
		b.Cell = export.Text(store.BucketNames[i])
		f.Rows = append(f.Rows, []dashCell{b, p.moneyCell(m), textCell(a.Reporting.Code())})
		labels = append(labels, b.Text)
		se.Values = append(se.Values, chart.Minor(m.Minor))
	}
	credits, total := textCell(p.T("dash.credits")), textCell(p.T("dash.total"))
	credits.Cell, total.Cell = export.Text("credits"), export.Text("total")
	f.Rows = append(f.Rows, []dashCell{credits, p.moneyCell(a.Total.Reporting.Credits), textCell(a.Reporting.Code())},
		[]dashCell{total, p.moneyCell(a.Total.Reporting.Total), textCell(a.Reporting.Code())})
	f.Chart = drawn(chart.Chart{Title: title, Labels: labels, Series: []chart.Series{se}, Text: p.moneyText(a.Reporting)}, chart.Chart.Bars)
	f.Notes = p.rateNotes(a.Rates, a.MissingRates)
	return f
}

// rateNotes say which rates converted the figures, and which were missing.
func (p *Page) rateNotes(rates []store.Rate, missing []app.MissingRate) []string {
	var out []string
	for _, r := range rates {
		out = append(out, p.T("dash.rate", r.From, r.To, r.Value, r.On.String()))
	}
	for _, m := range missing {
		out = append(out, p.T("dash.missing_rate", m.From.Code(), m.To.Code(), m.On.String()))
	}
	return out
}

// dsoTrend draws the DSO and the best possible DSO of each month.
func (p *Page) dsoTrend(id, title string, trend []app.DSO, csv string) figure {
	f := figure{ID: id, Title: title, CSV: csv, Wide: true, Columns: []dashColumn{
		{"to", p.T("dash.month_end")}, {"from", p.T("dash.from")}, {"dso", p.T("dash.dso")},
		{"best_possible_dso", p.T("dash.bpdso")}, {"delinquent_dso", p.T("dash.ddso")}, {"cei", p.T("dash.cei")},
		{"over_60_share", p.T("dash.over60")}, {"receivables", p.T("dash.receivables")}, {"credit_sales", p.T("dash.sales")}}}
	dso := chart.Series{Name: p.T("dash.dso"), Class: "dso"}
	best := chart.Series{Name: p.T("dash.bpdso"), Class: "bpdso"}
	var labels []string
	for _, d := range trend {
		f.Rows = append(f.Rows, []dashCell{{Text: d.To.String(), Cell: export.Date(d.To)}, {Text: d.From.String(), Cell: export.Date(d.From)},
			p.ratioCell(d.Standard), p.ratioCell(d.BestPossible), p.ratioCell(d.Delinquent), p.ratioCell(d.CEI),
			p.ratioCell(d.Over60Share), p.moneyCell(d.Receivables), p.moneyCell(d.CreditSales)})
		labels = append(labels, d.To.String()[:7])
		dso.Values = append(dso.Values, chart.Rat(d.Standard))
		best.Values = append(best.Values, chart.Rat(d.BestPossible))
	}
	f.Chart = drawn(chart.Chart{Title: title, Labels: labels, Series: []chart.Series{dso, best}, Text: p.daysText}, chart.Chart.Line)
	f.Notes = []string{p.T("dash.dso_period")}
	if n := len(trend); n > 0 {
		f.Notes = append(f.Notes, p.rateNotes(trend[n-1].Rates, trend[n-1].MissingRates)...)
	}
	return f
}

// topOverdue is the most overdue customers (a table: a ranking reads better than a chart).
func (p *Page) topOverdue(id, title string, t app.TopOverdue, csv string) figure {
	f := figure{ID: id, Title: title, CSV: csv, Wide: true, Columns: []dashColumn{
		{"external_id", p.T("dash.external_id")}, {"name", p.T("dash.name")}, {"entity", p.T("dash.group.entity")},
		{"agent", p.T("dash.group.agent")}, {"overdue", p.T("dash.overdue")}, {"overdue_reporting", p.T("dash.overdue_reporting", t.Reporting.Code())},
		{"over_60", p.T("dash.over_60")}, {"days_overdue", p.T("dash.days_overdue")}}}
	for _, c := range t.Customers {
		name := textCell(c.Name)
		name.Href = "/accounts/" + decString(c.CustomerID)
		f.Rows = append(f.Rows, []dashCell{textCell(c.ExternalID), name, textCell(c.Entity), textCell(c.Agent),
			p.moneyCell(c.Overdue), p.moneyCell(c.OverdueReporting), p.moneyCell(c.Over60), intCell(c.DaysOverdue)})
	}
	f.Notes = p.rateNotes(t.Rates, t.MissingRates)
	return f
}

// disputeReasons draws the disputes opened in the period by reason.
func (p *Page) disputeReasons(id, title string, d app.Disputes, csv string) figure {
	f := figure{ID: id, Title: title, CSV: csv, Wide: true, Columns: []dashColumn{
		{"reason", p.T("dash.reason")}, {"department", p.T("dash.department")}, {"opened", p.T("dash.opened")},
		{"decided", p.T("dash.decided")}, {"accepted", p.T("dash.accepted")}, {"rejected", p.T("dash.rejected")},
		{"withdrawn", p.T("dash.withdrawn")}, {"sla_breached", p.T("dash.breached")},
		{"avg_resolution_days", p.T("dash.avg_days")}, {"p90_resolution_days", p.T("dash.p90_days")}}}
	se := chart.Series{Name: p.T("dash.opened"), Class: "reason"}
	var labels []string
	row := func(x store.DisputeFigures, all bool) []dashCell {
		reason, dept := textCell(p.T("case.reason."+x.Reason)), textCell(p.T("case.department."+x.Department))
		reason.Cell, dept.Cell = export.Text(x.Reason), export.Text(x.Department)
		if all {
			reason, dept = textCell(p.T("dash.all")), textCell("")
			reason.Cell = export.Text("all")
		}
		days := func(secs int64) *big.Rat { return app.ResolutionDaysExact(secs, x.Decided > 0) }
		return []dashCell{reason, dept, intCell(x.Opened), intCell(x.Decided), intCell(x.Accepted), intCell(x.Rejected),
			intCell(x.Withdrawn), intCell(x.Breached), p.ratioCell(days(x.AvgResolution)), p.ratioCell(days(x.P90Resolution))}
	}
	f.Rows = append(f.Rows, row(d.All, true))
	for _, x := range d.ByReason {
		r := row(x, false)
		f.Rows = append(f.Rows, r)
		labels = append(labels, r[0].Text+" · "+r[1].Text)
		se.Values = append(se.Values, chart.Minor(int64(x.Opened)))
	}
	f.Chart = drawn(chart.Chart{Title: title, Labels: labels, Series: []chart.Series{se}, Text: p.countText}, chart.Chart.HBars)
	f.Notes = []string{p.T("dash.period", d.From.String(), d.To.String())}
	return f
}

// promiseOutcomes draws what became of the promises falling due in the period.
func (p *Page) promiseOutcomes(id, title string, pr app.Promises, csv string) figure {
	f := figure{ID: id, Title: title, CSV: csv, Columns: []dashColumn{{"outcome", p.T("dash.outcome")},
		{"count", p.T("dash.count")}, {"rate", p.T("dash.rate_settled")}}}
	kept, partly, broken := pr.Rates()
	outcomes := []struct {
		key  string
		n    int
		rate *big.Rat
	}{{"kept", pr.Kept, kept}, {"partly_kept", pr.PartlyKept, partly}, {"broken", pr.Broken, broken},
		{"cancelled", pr.Cancelled, nil}, {"pending", pr.Pending, nil}}
	se := chart.Series{Class: "outcome"}
	var labels []string
	for _, o := range outcomes {
		label := textCell(p.T("dash.outcome." + o.key))
		label.Cell = export.Text(o.key)
		f.Rows = append(f.Rows, []dashCell{label, intCell(o.n), p.ratioCell(o.rate)})
		labels = append(labels, label.Text)
		se.Values = append(se.Values, chart.Minor(int64(o.n)))
		se.Classes = append(se.Classes, "outcome-"+o.key)
	}
	due := textCell(p.T("dash.outcome.due"))
	due.Cell = export.Text("due")
	f.Rows = append(f.Rows, []dashCell{due, intCell(pr.Due), p.ratioCell(nil)})
	f.Chart = drawn(chart.Chart{Title: title, Labels: labels, Series: []chart.Series{se}, Text: p.countText}, chart.Chart.Bars)
	f.Notes = []string{p.T("dash.period", pr.From.String(), pr.To.String())}
	return f
}

// dashStat is a headline number with a link to the list behind it.
type dashStat struct {
	Label, Value, Href string
}

// dashboardData is what a dashboard page shows.
type dashboardData struct {
	View    string
	Views   []string
	Filter  dashFilter
	Drill   string // the entity the division dashboard looks into ("" all)
	Stats   []dashStat
	Figures []figure
}

func decString(n int64) string { return strconv.FormatInt(n, 10) }

// drawn is c drawn by draw, or nothing when c has no value at all (the
// table then says there is nothing to show).
func drawn(c chart.Chart, draw func(chart.Chart) template.HTML) template.HTML {
	if !c.HasData() {
		return ""
	}
	return draw(c)
}
