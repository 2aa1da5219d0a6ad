package web

import (
	"math/big"

	"recoup/app"
	"recoup/chart"
	"recoup/export"
	"recoup/money"
)

// The team's activity and the cash-in forecast, as dashboard figures.

// teamActivity is each person's actions over the period, what was collected
// within 30 days after them and their open portfolio; the chart draws what
// each collected. For an agent it is their own row: "my results".
func (p *Page) teamActivity(id, title string, t app.Team, csv string) figure {
	cur := t.Reporting.Code()
	f := figure{ID: id, Title: title, CSV: csv, Wide: true, Columns: []dashColumn{
		{"agent", p.T("dash.group.agent")}, {"name", p.T("dash.name")}, {"emails_sent", p.T("dash.team.emails")},
		{"texts_sent", p.T("dash.team.texts")}, {"calls_placed", p.T("dash.team.voice")}, {"calls", p.T("dash.team.calls")},
		{"tasks_closed", p.T("dash.team.tasks")}, {"promises", p.T("dash.team.promises")},
		{"collected", p.T("dash.team.collected", cur)}, {"accounts", p.T("dash.team.accounts")},
		{"open", p.T("dash.team.open", cur)}, {"complete", p.T("dash.complete")}}}
	se := chart.Series{Name: p.T("dash.team.collected", cur), Class: "collected"}
	var labels []string
	row := func(r app.TeamRow, total bool) []dashCell {
		who, name := textCell(r.Email), textCell(r.Name)
		switch {
		case total:
			who, name = textCell(p.T("dash.total")), textCell("")
			who.Cell = export.Text("total")
		case r.UserID == 0:
			who = textCell(p.T("dash.none"))
			who.Cell = export.Text("")
		}
		complete := textCell(p.T("dash.yes"))
		complete.Cell = export.Text("true")
		if !r.Collected.Complete || !r.Open.Complete {
			complete = textCell(p.T("dash.no"))
			complete.Cell = export.Text("false")
		}
		return []dashCell{who, name, intCell(r.EmailsSent), intCell(r.TextsSent), intCell(r.CallsPlaced), intCell(r.Calls),
			intCell(r.TasksClosed), intCell(r.Promises), p.moneyCell(r.Collected.Reporting), intCell(r.Accounts),
			p.moneyCell(r.Open.Reporting), complete}
	}
	for _, r := range t.Agents {
		f.Rows = append(f.Rows, row(r, false))
		if r.UserID == 0 || len(labels) >= maxChartGroups {
			continue // the accounts without an agent collect nothing: nobody acted
		}
		label := r.Name
		if label == "" {
			label = r.Email
		}
		labels = append(labels, label)
		se.Values = append(se.Values, chart.Minor(r.Collected.Reporting.Minor))
	}
	if len(t.Agents) > 1 {
		f.Rows = append(f.Rows, row(t.Total, true))
	}
	f.Chart = drawn(chart.Chart{Title: title, Labels: labels, Series: []chart.Series{se}, Text: p.moneyText(t.Reporting)}, chart.Chart.HBars)
	f.Notes = append([]string{p.T("dash.period", t.From.String(), t.To.String()), p.T("dash.team.note")},
		p.rateNotes(t.Rates, t.MissingRates)...)
	return f
}

// cashForecast is the expected receipts by week, each with the error band
// the back-test measured: the forecast made one horizon earlier (its weeks
// are all past by the as-of date) against what was received, its mean
// absolute percentage error m drawn as value × (1 ± m ÷ 100), floored at 0.
func (p *Page) cashForecast(id, title string, fc app.Forecast, bt app.Backtest, csv string) figure {
	cur := fc.Reporting
	f := figure{ID: id, Title: title, CSV: csv, Wide: true, Columns: []dashColumn{
		{"week", p.T("dash.fc.week")}, {"start", p.T("dash.from")}, {"end", p.T("dash.fc.end")},
		{"expected", p.T("dash.fc.expected", cur.Code())}, {"low", p.T("dash.fc.low")}, {"high", p.T("dash.fc.high")},
		{"complete", p.T("dash.complete")}}}
	se := chart.Series{Name: p.T("dash.fc.expected", cur.Code()), Class: "forecast"}
	blank := dashCell{Num: true, Cell: export.Blank()}
	band := func(m money.Money, sign int64) money.Money {
		x := new(big.Rat).Mul(new(big.Rat).SetInt64(m.Minor),
			new(big.Rat).Add(big.NewRat(1, 1), new(big.Rat).Mul(big.NewRat(sign, 100), bt.MAPE)))
		if x.Sign() < 0 {
			x.SetInt64(0)
		}
		return money.Money{Minor: money.RoundHalfEven(x).Int64(), Currency: m.Currency}
	}
	complete := func(ok bool) dashCell {
		c := textCell(p.T("dash.yes"))
		c.Cell = export.Text("true")
		if !ok {
			c = textCell(p.T("dash.no"))
			c.Cell = export.Text("false")
		}
		return c
	}
	var labels []string
	for _, w := range fc.Weeks {
		low, high := blank, blank
		if bt.MAPE != nil {
			l, h := band(w.Reporting, -1), band(w.Reporting, 1)
			low, high = p.moneyCell(l), p.moneyCell(h)
			se.Low, se.High = append(se.Low, chart.Minor(l.Minor)), append(se.High, chart.Minor(h.Minor))
		}
		f.Rows = append(f.Rows, []dashCell{intCell(w.Week), {Text: w.Start.String(), Cell: export.Date(w.Start)},
			{Text: w.End.String(), Cell: export.Date(w.End)}, p.moneyCell(w.Reporting), low, high, complete(w.Complete)})
		labels = append(labels, w.Start.String()[5:])
		se.Values = append(se.Values, chart.Minor(w.Reporting.Minor))
	}
	for _, x := range []struct {
		key string
		a   app.CurrencyAmounts
	}{{"later", fc.Later}, {"disputed", fc.Disputed}} {
		label := textCell(p.T("dash.fc." + x.key))
		label.Cell = export.Text(x.key)
		f.Rows = append(f.Rows, []dashCell{label, textCell(""), textCell(""), p.moneyCell(x.a.Reporting), blank, blank,
			complete(x.a.Complete)})
	}
	f.Chart = drawn(chart.Chart{Title: title, Labels: labels, Series: []chart.Series{se}, Text: p.moneyText(cur)}, chart.Chart.Grouped)
	if bt.MAPE != nil {
		f.Notes = append(f.Notes, p.T("dash.fc.band", p.decimal(app.Hundredths(bt.MAPE)), bt.AsOf.String(), bt.Scored))
	} else {
		f.Notes = append(f.Notes, p.T("dash.fc.no_band", bt.AsOf.String()))
	}
	f.Notes = append(f.Notes, p.rateNotes(fc.Rates, fc.MissingRates)...)
	return f
}
