package api

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/export"
	"recoup/money"
	"recoup/store"
)

// The collection figures: /kpis/aging, /kpis/dso, /kpis/top-overdue,
// /kpis/disputes, /kpis/promises, as JSON or, with format=csv or xlsx, as the
// tables of app/kpi_tables.go to download.

type rateView struct {
	From string `json:"from"`
	To   string `json:"to"`
	On   string `json:"on"`
	Rate string `json:"rate"` // exact decimal
}

type missingRateView struct {
	From string `json:"from"`
	To   string `json:"to"`
	On   string `json:"on"`
}

type agingAmountsView struct {
	Currency string               `json:"currency"`
	Buckets  map[string]moneyView `json:"buckets"` // not_due, 1_30, 31_60, 61_90, 91_120, over_120
	Credits  moneyView            `json:"credits"`
	Total    moneyView            `json:"total"`
}

type agingGroupView struct {
	Key        string             `json:"key"`
	Label      string             `json:"label"`
	ByCurrency []agingAmountsView `json:"by_currency"`
	Reporting  agingAmountsView   `json:"reporting"`
	Complete   bool               `json:"complete"`
}

type agingView struct {
	AsOf         string            `json:"as_of"`
	GroupBy      string            `json:"group_by"`
	Currency     string            `json:"currency"`
	Rates        []rateView        `json:"rates"`
	MissingRates []missingRateView `json:"missing_rates"`
	Groups       []agingGroupView  `json:"groups"`
	Total        agingGroupView    `json:"total"`
}

type dsoView struct {
	From                  string            `json:"from"`
	To                    string            `json:"to"`
	Days                  int               `json:"days"`
	Currency              string            `json:"currency"`
	Rates                 []rateView        `json:"rates"`
	MissingRates          []missingRateView `json:"missing_rates"`
	Receivables           moneyView         `json:"receivables"`
	BeginReceivables      moneyView         `json:"begin_receivables"`
	Current               moneyView         `json:"current"`
	Overdue               moneyView         `json:"overdue"`
	Over60                moneyView         `json:"over_60"`
	CreditSales           moneyView         `json:"credit_sales"`
	DSO                   *json.Number      `json:"dso"`
	BestPossibleDSO       *json.Number      `json:"best_possible_dso"`
	DelinquentDSO         *json.Number      `json:"delinquent_dso"`
	CountbackDSO          *json.Number      `json:"countback_dso"`
	CEI                   *json.Number      `json:"cei"`
	AverageDaysDelinquent *json.Number      `json:"average_days_delinquent"`
	Over60Share           *json.Number      `json:"over_60_share"`
	Notes                 []string          `json:"notes"`
}

type topOverdueRowView struct {
	CustomerID       int64     `json:"customer_id"`
	ExternalID       string    `json:"external_id"`
	Name             string    `json:"name"`
	Entity           string    `json:"entity"`
	Agent            string    `json:"agent"`
	Overdue          moneyView `json:"overdue"`
	OverdueReporting moneyView `json:"overdue_reporting"`
	Over60           moneyView `json:"over_60"`
	DaysOverdue      int       `json:"days_overdue"`
}

type topOverdueView struct {
	AsOf         string              `json:"as_of"`
	Currency     string              `json:"currency"`
	Rates        []rateView          `json:"rates"`
	MissingRates []missingRateView   `json:"missing_rates"`
	Customers    []topOverdueRowView `json:"customers"`
}

// ratio is x with two decimals, rounded half to even, as a JSON number
// written from the exact fraction (never through a float); nil stays nil.
func ratio(x *big.Rat) *json.Number {
	if x == nil {
		return nil
	}
	n := json.Number(app.Hundredths(x))
	return &n
}

func toRates(rs []store.Rate) []rateView {
	return mapSlice(rs, func(r store.Rate) rateView { return rateView{From: r.From, To: r.To, On: r.On.String(), Rate: r.Value} })
}

func toMissing(ms []app.MissingRate) []missingRateView {
	return mapSlice(ms, func(m app.MissingRate) missingRateView {
		return missingRateView{From: m.From.Code(), To: m.To.Code(), On: m.On.String()}
	})
}

func toAgingAmounts(a app.AgingAmounts) agingAmountsView {
	v := agingAmountsView{Currency: a.Total.Currency.Code(), Buckets: map[string]moneyView{}, Credits: toMoney(a.Credits), Total: toMoney(a.Total)}
	for i, m := range a.Buckets {
		v.Buckets[store.BucketNames[i]] = toMoney(m)
	}
	return v
}

func toAgingGroup(g app.AgingGroup) agingGroupView {
	return agingGroupView{Key: g.Key, Label: g.Label, ByCurrency: mapSlice(g.ByCurrency, toAgingAmounts),
		Reporting: toAgingAmounts(g.Reporting), Complete: g.Complete}
}

// kpiQuery reads the parameters a KPI route knows, refusing the others, and
// the download format asked for ("" for JSON).
func kpiQuery(c *gin.Context, known ...string) (app.KPIQuery, export.Format, error) {
	if err := queryParams(c, append(known, "format")...); err != nil {
		return app.KPIQuery{}, "", err
	}
	q := app.KPIQuery{AsOf: c.Query("as_of"), From: c.Query("from"), To: c.Query("to"), Entity: c.Query("entity"),
		GroupBy: c.Query("group_by"), Currency: c.Query("currency")}
	f, err := downloadFormat(c)
	return q, f, err
}

// downloadFormat is the format query parameter: "" for JSON, or csv, xlsx.
func downloadFormat(c *gin.Context) (export.Format, error) {
	switch f := c.Query("format"); f {
	case "", "json":
		return "", nil
	case string(export.CSV), string(export.XLSX):
		return export.Format(f), nil
	}
	return "", domain.FieldError("format", "%q: want json, csv or xlsx", c.Query("format"))
}

// download answers tables as a file named name.<format>; CSV holds the first
// table only. Once the headers are out an error can only be logged.
func (s *Server) download(c *gin.Context, name string, f export.Format, tables ...export.Table) {
	if f == export.CSV {
		tables = tables[:1]
	}
	c.Header("Content-Type", f.ContentType())
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, name+"."+string(f)))
	c.Status(http.StatusOK)
	if err := export.Write(c.Writer, f, tables...); err != nil {
		s.log.ErrorContext(c.Request.Context(), "download", "file", name, "err", err)
	}
}

func (s *Server) kpiAging(c *gin.Context) error {
	q, f, err := kpiQuery(c, "as_of", "entity", "group_by", "currency")
	if err != nil {
		return err
	}
	ag, err := s.app.Aging(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	if f != "" {
		s.download(c, "aging-"+ag.AsOf.String(), f, app.AgingTable(ag))
		return nil
	}
	c.JSON(http.StatusOK, agingView{AsOf: ag.AsOf.String(), GroupBy: string(ag.GroupBy), Currency: ag.Reporting.Code(),
		Rates: toRates(ag.Rates), MissingRates: toMissing(ag.MissingRates), Groups: mapSlice(ag.Groups, toAgingGroup),
		Total: toAgingGroup(ag.Total)})
	return nil
}

func (s *Server) kpiDSO(c *gin.Context) error {
	q, f, err := kpiQuery(c, "as_of", "from", "to", "entity", "currency")
	if err != nil {
		return err
	}
	d, err := s.app.DSO(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	v := dsoView{From: d.From.String(), To: d.To.String(), Days: d.Days, Currency: d.Reporting.Code(),
		Rates: toRates(d.Rates), MissingRates: toMissing(d.MissingRates),
		Receivables: toMoney(d.Receivables), BeginReceivables: toMoney(d.BeginReceivables), Current: toMoney(d.Current),
		Overdue: toMoney(d.Overdue), Over60: toMoney(d.Over60), CreditSales: toMoney(d.CreditSales),
		DSO: ratio(d.Standard), BestPossibleDSO: ratio(d.BestPossible), DelinquentDSO: ratio(d.Delinquent),
		CountbackDSO: ratio(d.Countback), CEI: ratio(d.CEI), AverageDaysDelinquent: ratio(d.AverageDaysDelinquent),
		Over60Share: ratio(d.Over60Share), Notes: append([]string{}, d.Notes...)}
	if f != "" {
		s.download(c, "dso-"+v.To, f, app.DSOTable(d))
		return nil
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) kpiTopOverdue(c *gin.Context) error {
	q, f, err := kpiQuery(c, "as_of", "entity", "currency")
	if err != nil {
		return err
	}
	top, err := s.app.TopOverdue(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	v := topOverdueView{AsOf: top.AsOf.String(), Currency: top.Reporting.Code(), Rates: toRates(top.Rates),
		MissingRates: toMissing(top.MissingRates), Customers: mapSlice(top.Customers, func(r app.TopOverdueRow) topOverdueRowView {
			return topOverdueRowView{CustomerID: r.CustomerID, ExternalID: r.ExternalID, Name: r.Name, Entity: r.Entity, Agent: r.Agent,
				Overdue: toMoney(r.Overdue), OverdueReporting: toMoney(r.OverdueReporting), Over60: toMoney(r.Over60), DaysOverdue: r.DaysOverdue}
		})}
	if f != "" {
		s.download(c, "top-overdue-"+v.AsOf, f, app.TopOverdueTable(top))
		return nil
	}
	c.JSON(http.StatusOK, v)
	return nil
}

type disputeFiguresView struct {
	Reason            string       `json:"reason,omitempty"`
	Department        string       `json:"department,omitempty"`
	Opened            int          `json:"opened"`
	Decided           int          `json:"decided"`
	Accepted          int          `json:"accepted"`
	Rejected          int          `json:"rejected"`
	Withdrawn         int          `json:"withdrawn"`
	SLABreached       int          `json:"sla_breached"`
	AvgResolutionDays *json.Number `json:"avg_resolution_days"` // null: none decided
	P90ResolutionDays *json.Number `json:"p90_resolution_days"`
}

type disputedAmountView struct {
	Disputed    moneyView `json:"disputed"`
	CreditNotes moneyView `json:"credit_notes"`
}

type disputesView struct {
	From     string               `json:"from"`
	To       string               `json:"to"`
	All      disputeFiguresView   `json:"all"`
	ByReason []disputeFiguresView `json:"by_reason"`
	Amounts  []disputedAmountView `json:"amounts"`
}

// days is a duration in seconds as days with two decimals; null when nothing was measured.
func days(secs int64, measured bool) *json.Number {
	if !measured {
		return nil
	}
	n := json.Number(app.ResolutionDays(secs, measured))
	return &n
}

func toDisputeFigures(d store.DisputeFigures) disputeFiguresView {
	return disputeFiguresView{Reason: d.Reason, Department: d.Department, Opened: d.Opened, Decided: d.Decided, Accepted: d.Accepted,
		Rejected: d.Rejected, Withdrawn: d.Withdrawn, SLABreached: d.Breached,
		AvgResolutionDays: days(d.AvgResolution, d.Decided > 0), P90ResolutionDays: days(d.P90Resolution, d.Decided > 0)}
}

func (s *Server) kpiDisputes(c *gin.Context) error {
	q, f, err := kpiQuery(c, "as_of", "from", "to", "entity")
	if err != nil {
		return err
	}
	d, err := s.app.DisputeFigures(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	v := disputesView{From: d.From.String(), To: d.To.String(), All: toDisputeFigures(d.All),
		ByReason: mapSlice(d.ByReason, toDisputeFigures),
		Amounts: mapSlice(d.Amounts, func(a store.DisputedAmount) disputedAmountView {
			return disputedAmountView{Disputed: toMoney(money.Money{Minor: a.Disputed, Currency: a.Currency}),
				CreditNotes: toMoney(money.Money{Minor: a.CreditNote, Currency: a.Currency})}
		})}
	if f != "" {
		s.download(c, "disputes-"+v.From+"-"+v.To, f, app.DisputesTable(d), app.DisputedAmountsTable(d))
		return nil
	}
	c.JSON(http.StatusOK, v)
	return nil
}

type promisesView struct {
	From           string       `json:"from"`
	To             string       `json:"to"`
	Due            int          `json:"due"`
	Kept           int          `json:"kept"`
	PartlyKept     int          `json:"partly_kept"`
	Broken         int          `json:"broken"`
	Cancelled      int          `json:"cancelled"`
	Pending        int          `json:"pending"`
	KeptRate       *json.Number `json:"kept_rate"` // percent of those settled (kept, partly kept, broken); null: none
	PartlyKeptRate *json.Number `json:"partly_kept_rate"`
	BrokenRate     *json.Number `json:"broken_rate"`
}

func (s *Server) kpiPromises(c *gin.Context) error {
	q, f, err := kpiQuery(c, "as_of", "from", "to", "entity")
	if err != nil {
		return err
	}
	p, err := s.app.PromiseFigures(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	rate := func(n int) *json.Number { return ratio(p.PromiseRate(n)) }
	v := promisesView{From: p.From.String(), To: p.To.String(), Due: p.Due, Kept: p.Kept, PartlyKept: p.PartlyKept, Broken: p.Broken,
		Cancelled: p.Cancelled, Pending: p.Pending, KeptRate: rate(p.Kept), PartlyKeptRate: rate(p.PartlyKept), BrokenRate: rate(p.Broken)}
	if f != "" {
		s.download(c, "promises-"+v.From+"-"+v.To, f, app.PromisesTable(p))
		return nil
	}
	c.JSON(http.StatusOK, v)
	return nil
}
