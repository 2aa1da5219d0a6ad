package web

import "net/url"

// dashboardEntities is a division manager's dashboard: the aging by entity,
// each entity a link to the same dashboard narrowed to it, which then shows
// its aging by agent and by customer category; the DSO trend and the most
// overdue customers of what is looked at.
func (h *Handler) dashboardEntities(r *request) error {
	return h.dashboardPage(r, dashEntities, func(p *Page, d *dashboardData) error {
		f := d.Filter
		if f.Entity != "" {
			d.Drill = f.Entity
			return h.figures(r, p, d,
				figureSpec{ID: figAging, GroupBy: "agent"},
				figureSpec{ID: figAging, GroupBy: "category"},
				figureSpec{ID: figDSOTrend},
				figureSpec{ID: figTopOverdue},
				figureSpec{ID: figForecast})
		}
		drill := func(key string) string {
			q := url.Values{"as_of": {f.AsOf.String()}, "entity": {key}}
			if f.Currency != "" {
				q.Set("currency", f.Currency)
			}
			return "/dashboard/entities?" + q.Encode()
		}
		return h.figures(r, p, d,
			figureSpec{ID: figAging, GroupBy: "entity", Link: drill},
			figureSpec{ID: figDSOTrend},
			figureSpec{ID: figTopOverdue},
			figureSpec{ID: figForecast})
	})
}
