package web

// dashboardTeam is a credit manager's dashboard: the team's activity, the
// aging by agent (each agent's portfolio), what became of the promises, the
// disputes by reason, the DSO trend and the cash-in forecast.
func (h *Handler) dashboardTeam(r *request) error {
	return h.dashboardPage(r, dashTeam, func(p *Page, d *dashboardData) error {
		return h.figures(r, p, d,
			figureSpec{ID: figTeam},
			figureSpec{ID: figAging, GroupBy: "agent"},
			figureSpec{ID: figPromises},
			figureSpec{ID: figDisputes},
			figureSpec{ID: figDSOTrend},
			figureSpec{ID: figForecast})
	})
}
