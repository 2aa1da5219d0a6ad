package web

import (
	"fmt"
	"net/http"
	"slices"

	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/export"
)

// dashboardRoutes are the dashboards by role and their figures' CSV downloads.
var dashboardRoutes = []route{
	{method: "GET", path: "/dashboard", action: auth.AccountsRead, handle: (*Handler).dashboard},
	{method: "GET", path: "/dashboard/portfolio", action: auth.AccountsRead, handle: (*Handler).dashboardPortfolio},
	{method: "GET", path: "/dashboard/team", action: auth.AccountsRead, handle: (*Handler).dashboardTeam},
	{method: "GET", path: "/dashboard/entities", action: auth.AccountsRead, handle: (*Handler).dashboardEntities},
	{method: "GET", path: "/dashboard/csv/:figure", action: auth.AccountsRead, handle: (*Handler).dashboardCSV},
}

var errNoDashboard = domain.Errorf(domain.CodeForbidden, "this dashboard is not one of your role's")

// dashboard leads to the role's own dashboard, keeping the filter.
func (h *Handler) dashboard(r *request) error {
	views := dashboardsOf(r.who.Role)
	if len(views) == 0 {
		return errNoDashboard
	}
	to := "/dashboard/" + views[0]
	if q := r.c.Request.URL.RawQuery; q != "" {
		to += "?" + q
	}
	r.c.Redirect(http.StatusSeeOther, to)
	return nil
}

// figureSpec names one figure and its parameters: the CSV route and the
// pages build it by the same function.
type figureSpec struct {
	ID      string       // aging, dso-trend, top-overdue, disputes, promises, team, forecast
	GroupBy string       // aging: "" the total by bucket, else by that group
	From    dunning.Date // promises: the period's start (zero: the app's default, 90 days)
	Link    func(key string) string
}

// Figure IDs.
const (
	figAging      = "aging"
	figDSOTrend   = "dso-trend"
	figTopOverdue = "top-overdue"
	figDisputes   = "disputes"
	figPromises   = "promises"
	figTeam       = "team"
	figForecast   = "forecast"
)

// buildFigure asks the app for one figure under the filter (the person's
// perimeter applies there) and lays it out for p's language.
func (h *Handler) buildFigure(r *request, p *Page, f dashFilter, s figureSpec) (figure, error) {
	ctx := r.c.Request.Context()
	q := f.query()
	switch s.ID {
	case figAging:
		q.GroupBy = s.GroupBy
		if s.GroupBy == "" {
			q.GroupBy = "entity" // the total is the same whatever the grouping
		}
		a, err := h.app.Aging(ctx, r.who, q)
		if err != nil {
			return figure{}, err
		}
		csv := f.csv(figAging, "group_by", s.GroupBy)
		if s.GroupBy == "" {
			return p.agingBuckets(figAging, p.T("dash.fig.aging"), a, f.csv(figAging)), nil
		}
		return p.agingByGroup(figAging+"-"+s.GroupBy, p.T("dash.fig.aging_by."+s.GroupBy), a, csv, s.Link), nil
	case figDSOTrend:
		var trend []app.DSO
		for _, to := range app.TrendEnds(f.AsOf) {
			d, err := h.app.DSO(ctx, r.who, app.KPIQuery{To: to.String(), Entity: f.Entity, Currency: f.Currency})
			if err != nil {
				return figure{}, err
			}
			trend = append(trend, d)
		}
		return p.dsoTrend(figDSOTrend, p.T("dash.fig.dso_trend"), trend, f.csv(figDSOTrend)), nil
	case figTopOverdue:
		t, err := h.app.TopOverdue(ctx, r.who, q)
		if err != nil {
			return figure{}, err
		}
		return p.topOverdue(figTopOverdue, p.T("dash.fig.top_overdue"), t, f.csv(figTopOverdue)), nil
	case figDisputes:
		d, err := h.app.DisputeFigures(ctx, r.who, app.KPIQuery{AsOf: q.AsOf, Entity: q.Entity})
		if err != nil {
			return figure{}, err
		}
		return p.disputeReasons(figDisputes, p.T("dash.fig.disputes"), d, f.csv(figDisputes)), nil
	case figPromises:
		pq, csv := app.KPIQuery{AsOf: q.AsOf, Entity: q.Entity}, f.csv(figPromises)
		if !s.From.IsZero() {
			pq.From, csv = s.From.String(), f.csv(figPromises, "from", s.From.String())
		}
		pr, err := h.app.PromiseFigures(ctx, r.who, pq)
		if err != nil {
			return figure{}, err
		}
		return p.promiseOutcomes(figPromises, p.T("dash.fig.promises"), pr, csv), nil
	case figTeam:
		t, err := h.app.TeamFigures(ctx, r.who, app.KPIQuery{AsOf: q.AsOf, Entity: q.Entity, Currency: q.Currency})
		if err != nil {
			return figure{}, err
		}
		title := p.T("dash.fig.team")
		if r.who.Role == domain.RoleAgent {
			title = p.T("dash.fig.results")
		}
		return p.teamActivity(figTeam, title, t, f.csv(figTeam)), nil
	case figForecast:
		fq := app.ForecastQuery{AsOf: q.AsOf, Entity: q.Entity, Currency: q.Currency}
		fc, err := h.app.Forecast(ctx, r.who, fq)
		if err != nil {
			return figure{}, err
		}
		// The back-test of the forecast made one horizon earlier: its weeks are all past.
		fq.AsOf = f.AsOf.AddDays(-7 * app.DefaultForecastWeeks).String()
		bt, err := h.app.ForecastBacktest(ctx, r.who, fq)
		if err != nil {
			return figure{}, err
		}
		return p.cashForecast(figForecast, p.T("dash.fig.forecast"), fc, bt, f.csv(figForecast)), nil
	}
	return figure{}, domain.Errorf(domain.CodeNotFound, "no figure %q", s.ID)
}

// dashboardPage checks that view is one of the role's dashboards, reads the
// filter and starts the page; build adds the view's figures.
func (h *Handler) dashboardPage(r *request, view string, build func(p *Page, d *dashboardData) error) error {
	views := dashboardsOf(r.who.Role)
	if !slices.Contains(views, view) {
		return errNoDashboard
	}
	f, err := readDashFilter(r)
	if err != nil {
		return err
	}
	totals, err := h.app.TotalsByEntity(r.c.Request.Context(), r.who)
	if err != nil {
		return err
	}
	for _, t := range totals {
		if !slices.Contains(f.Entities, t.Entity) {
			f.Entities = append(f.Entities, t.Entity)
		}
	}
	d := &dashboardData{View: view, Views: views, Filter: f}
	p := h.newPage(r, "dash.title."+view, "nav.dashboard", d)
	if err := build(p, d); err != nil {
		return err
	}
	h.render(r.c, http.StatusOK, "dashboard", p)
	return nil
}

// figures builds each spec in turn onto d.
func (h *Handler) figures(r *request, p *Page, d *dashboardData, specs ...figureSpec) error {
	for _, s := range specs {
		fig, err := h.buildFigure(r, p, d.Filter, s)
		if err != nil {
			return err
		}
		d.Figures = append(d.Figures, fig)
	}
	return nil
}

// dashboardCSV downloads one figure's table under the dashboard's filter.
func (h *Handler) dashboardCSV(r *request) error {
	if len(dashboardsOf(r.who.Role)) == 0 {
		return errNoDashboard
	}
	f, err := readDashFilter(r)
	if err != nil {
		return err
	}
	s := figureSpec{ID: r.c.Param("figure"), GroupBy: r.c.Query("group_by")}
	if v := r.c.Query("from"); v != "" {
		if s.From, err = dunning.ParseDate(v); err != nil {
			return domain.FieldError("from", "%v", err)
		}
	}
	p := &Page{Lang: r.lang, cat: h.catalog}
	fig, err := h.buildFigure(r, p, f, s)
	if err != nil {
		return err
	}
	w := r.c.Writer
	w.Header().Set("Content-Type", export.CSV.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.csv"`, fig.ID, f.AsOf))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if err := export.Write(w, export.CSV, fig.table()); err != nil { // the response has begun: too late for an error page
		h.log.ErrorContext(r.c.Request.Context(), "dashboard export", "figure", fig.ID, "err", err)
	}
	return nil
}
