package web

// dashboardTeam is a credit manager's dashboard: the aging by agent (each
// agent's portfolio), what became of the promises, the disputes by reason
// and the DSO trend. The team's activity figures and the cash-in forecast
// have their places, empty until those figures exist.
func (h *Handler) dashboardTeam(r *request) error {
	return h.dashboardPage(r, dashTeam, func(p *Page, d *dashboardData) error {
		d.Slots = []string{"team", "forecast"}
		return h.figures(r, p, d,
			figureSpec{ID: figAging, GroupBy: "agent"},
			figureSpec{ID: figPromises},
			figureSpec{ID: figDisputes},
			figureSpec{ID: figDSOTrend})
	})
}
