package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/export"
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
	q, format, err := kpiQuery(c, "as_of", "from", "to", "entity", "currency")
	if err != nil {
		return err
	}
	t, err := s.app.TeamFigures(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	v := teamView{From: t.From.String(), To: t.To.String(), Currency: t.Reporting.Code(), Rates: toRates(t.Rates),
		MissingRates: toMissing(t.MissingRates), Agents: mapSlice(t.Agents, toTeamRow), Total: toTeamRow(t.Total)}
	if format != "" {
		s.download(c, "team-"+v.From+"-"+v.To, format, app.TeamTable(t))
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
func forecastQuery(c *gin.Context) (app.ForecastQuery, export.Format, error) {
	q, format, err := kpiQuery(c, "as_of", "entity", "currency", "weeks")
	if err != nil {
		return app.ForecastQuery{}, "", err
	}
	fq := app.ForecastQuery{AsOf: q.AsOf, Entity: q.Entity, Currency: q.Currency}
	if w := c.Query("weeks"); w != "" {
		if fq.Weeks, err = strconv.Atoi(w); err != nil || fq.Weeks == 0 {
			return fq, "", domain.FieldError("weeks", "%q: want a number of weeks, 1 to %d", w, app.MaxForecastWeeks)
		}
	}
	return fq, format, nil
}

func (s *Server) kpiForecast(c *gin.Context) error {
	q, format, err := forecastQuery(c)
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
	if format != "" {
		s.download(c, "forecast-"+v.AsOf, format, app.ForecastTable(f))
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
	q, format, err := forecastQuery(c)
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
	if format != "" {
		s.download(c, "forecast-backtest-"+v.AsOf, format, app.BacktestTable(b))
		return nil
	}
	c.JSON(http.StatusOK, v)
	return nil
}
