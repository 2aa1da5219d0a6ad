package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/money"
)

// The team figures (/kpis/team), the cash-in forecast (/kpis/forecast) and
// its back-test (/kpis/forecast/backtest), as JSON or CSV.

type amountsView struct {
	ByCurrency []moneyView `json:"by_currency"`
	Reporting  moneyView   `json:"reporting"`
	Complete   bool        `json:"complete"` // false: a currency without a rate is left out of reporting
}

func toAmounts(a app.CurrencyAmounts) amountsView {
	return amountsView{ByCurrency: mapSlice(a.ByCurrency, toMoney), Reporting: toMoney(a.Reporting), Complete: a.Complete}
}

type teamRowView struct {
	Email       string      `json:"email"` // "" for the accounts without an agent
	Name        string      `json:"name"`
	EmailsSent  int         `json:"emails_sent"`
	TextsSent   int         `json:"texts_sent"`
	CallsPlaced int         `json:"calls_placed"`
	Calls       int         `json:"calls"`
	TasksClosed int         `json:"tasks_closed"`
	Promises    int         `json:"promises"`
	Collected   amountsView `json:"collected"`
	Accounts    int         `json:"accounts"`
	Open        amountsView `json:"open"`
}

type teamView struct {
	From         string            `json:"from"`
	To           string            `json:"to"`
	Currency     string            `json:"currency"`
	Rates        []rateView        `json:"rates"`
	MissingRates []missingRateView `json:"missing_rates"`
	Agents       []teamRowView     `json:"agents"`
	Total        teamRowView       `json:"total"`
}

func toTeamRow(r app.TeamRow) teamRowView {
	return teamRowView{Email: r.Email, Name: r.Name, EmailsSent: r.EmailsSent, TextsSent: r.TextsSent, CallsPlaced: r.CallsPlaced,
		Calls: r.Calls, TasksClosed: r.TasksClosed, Promises: r.Promises, Collected: toAmounts(r.Collected), Accounts: r.Accounts,
		Open: toAmounts(r.Open)}
}

func (s *Server) kpiTeam(c *gin.Context) error {
	q, asCSV, err := kpiQuery(c, "as_of", "from", "to", "entity", "currency")
	if err != nil {
		return err
	}
	t, err := s.app.TeamFigures(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	v := teamView{From: t.From.String(), To: t.To.String(), Currency: t.Reporting.Code(), Rates: toRates(t.Rates),
		MissingRates: toMissing(t.MissingRates), Agents: mapSlice(t.Agents, toTeamRow), Total: toTeamRow(t.Total)}
	if asCSV {
		rows := [][]string{{"email", "name", "emails_sent", "texts_sent", "calls_placed", "calls", "tasks_closed", "promises",
			"accounts", "currency", "collected", "open", "complete"}}
		total := v.Total
		total.Email = "total"
		for _, r := range append(v.Agents, total) {
			rows = append(rows, []string{r.Email, r.Name, strconv.Itoa(r.EmailsSent), strconv.Itoa(r.TextsSent), strconv.Itoa(r.CallsPlaced),
				strconv.Itoa(r.Calls), strconv.Itoa(r.TasksClosed), strconv.Itoa(r.Promises), strconv.Itoa(r.Accounts), v.Currency,
				r.Collected.Reporting.Amount, r.Open.Reporting.Amount, strconv.FormatBool(r.Collected.Complete && r.Open.Complete)})
		}
		s.writeCSV(c, "team-"+v.From+"-"+v.To+".csv", rows)
		return nil
	}
	c.JSON(http.StatusOK, v)
	return nil
}

type forecastWeekView struct {
	Week  int    `json:"week"`
	Start string `json:"start"` // a Monday
	End   string `json:"end"`   // a Sunday
	amountsView
}

type forecastView struct {
	AsOf         string             `json:"as_of"`
	Currency     string             `json:"currency"`
	Rates        []rateView         `json:"rates"`
	MissingRates []missingRateView  `json:"missing_rates"`
	Weeks        []forecastWeekView `json:"weeks"`
	Later        amountsView        `json:"later"`
	Disputed     amountsView        `json:"disputed"`
}

// forecastQuery reads the forecast's parameters: the KPI ones and weeks.
func forecastQuery(c *gin.Context) (app.ForecastQuery, bool, error) {
	q, asCSV, err := kpiQuery(c, "as_of", "entity", "currency", "weeks")
	if err != nil {
		return app.ForecastQuery{}, false, err
	}
	fq := app.ForecastQuery{AsOf: q.AsOf, Entity: q.Entity, Currency: q.Currency}
	if w := c.Query("weeks"); w != "" {
		if fq.Weeks, err = strconv.Atoi(w); err != nil || fq.Weeks == 0 {
			return fq, false, domain.FieldError("weeks", "%q: want a number of weeks, 1 to %d", w, app.MaxForecastWeeks)
		}
	}
	return fq, asCSV, nil
}

func (s *Server) kpiForecast(c *gin.Context) error {
	q, asCSV, err := forecastQuery(c)
	if err != nil {
		return err
	}
	f, err := s.app.Forecast(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	v := forecastView{AsOf: f.AsOf.String(), Currency: f.Reporting.Code(), Rates: toRates(f.Rates), MissingRates: toMissing(f.MissingRates),
		Weeks: mapSlice(f.Weeks, func(w app.ForecastWeek) forecastWeekView {
			return forecastWeekView{Week: w.Week, Start: w.Start.String(), End: w.End.String(), amountsView: toAmounts(w.CurrencyAmounts)}
		}), Later: toAmounts(f.Later), Disputed: toAmounts(f.Disputed)}
	if asCSV {
		rows := [][]string{{"week", "start", "end", "currency", "expected", "complete"}}
		line := func(week, start, end string, a amountsView) []string {
			return []string{week, start, end, v.Currency, a.Reporting.Amount, strconv.FormatBool(a.Complete)}
		}
		for _, w := range v.Weeks {
			rows = append(rows, line(strconv.Itoa(w.Week), w.Start, w.End, w.amountsView))
		}
		rows = append(rows, line("later", "", "", v.Later), line("disputed", "", "", v.Disputed))
		s.writeCSV(c, "forecast-"+v.AsOf+".csv", rows)
		return nil
	}
	c.JSON(http.StatusOK, v)
	return nil
}

type backtestWeekView struct {
	Week     int          `json:"week"`
	Start    string       `json:"start"`
	End      string       `json:"end"`
	Forecast moneyView    `json:"forecast"`
	Actual   moneyView    `json:"actual"`
	Error    moneyView    `json:"error"` // forecast − actual
	APE      *json.Number `json:"ape"`   // percent; null when nothing was received
}

type backtestView struct {
	AsOf         string             `json:"as_of"`
	Currency     string             `json:"currency"`
	Rates        []rateView         `json:"rates"`
	MissingRates []missingRateView  `json:"missing_rates"`
	Weeks        []backtestWeekView `json:"weeks"`
	Forecast     moneyView          `json:"forecast"`
	Actual       moneyView          `json:"actual"`
	MAPE         *json.Number       `json:"mape"`
	Bias         *json.Number       `json:"bias"`
	WeeksScored  int                `json:"weeks_scored"`
	Notes        []string           `json:"notes"`
}

func (s *Server) kpiForecastBacktest(c *gin.Context) error {
	q, asCSV, err := forecastQuery(c)
	if err != nil {
		return err
	}
	b, err := s.app.ForecastBacktest(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	v := backtestView{AsOf: b.AsOf.String(), Currency: b.Reporting.Code(), Rates: toRates(b.Rates), MissingRates: toMissing(b.MissingRates),
		Weeks: mapSlice(b.Weeks, func(w app.BacktestWeek) backtestWeekView {
			return backtestWeekView{Week: w.Week, Start: w.Start.String(), End: w.End.String(), Forecast: toMoney(w.Forecast),
				Actual: toMoney(w.Actual), Error: toMoney(w.Error), APE: ratio(w.APE)}
		}), Forecast: toMoney(b.Forecast), Actual: toMoney(b.Actual), MAPE: ratio(b.MAPE), Bias: ratio(b.Bias),
		WeeksScored: b.Scored, Notes: append([]string{}, b.Notes...)}
	if asCSV {
		s.writeCSV(c, "forecast-backtest-"+v.AsOf+".csv", backtestTable(b))
		return nil
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// backtestTable is the back-test as a table: week, dates, forecast, actual,
// error and APE, then the totals, MAPE and bias.
func backtestTable(b app.Backtest) [][]string {
	num := func(n *json.Number) string {
		if n == nil {
			return ""
		}
		return n.String()
	}
	amount := func(m money.Money) string { return money.FormatMinor(m.Minor, m.Currency) }
	rows := [][]string{{"week", "start", "end", "forecast", "actual", "error", "ape"}}
	for _, w := range b.Weeks {
		rows = append(rows, []string{strconv.Itoa(w.Week), w.Start.String(), w.End.String(), amount(w.Forecast), amount(w.Actual),
			amount(w.Error), num(ratio(w.APE))})
	}
	rows = append(rows, []string{"total", "", "", amount(b.Forecast), amount(b.Actual),
		amount(money.Money{Minor: b.Forecast.Minor - b.Actual.Minor, Currency: b.Reporting}), ""})
	rows = append(rows, []string{"mape", "", "", "", "", "", num(ratio(b.MAPE))}, []string{"bias", "", "", "", "", "", num(ratio(b.Bias))})
	return rows
}
