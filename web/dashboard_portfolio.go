package web

import (
	"time"

	"recoup/app"
	"recoup/domain"
)

// dashboardPortfolio is an agent's dashboard: their actions today (tasks
// open, late, done), the aging of their accounts, what became of the
// promises due in the last 30 days, their most overdue customers. The app
// keeps it to their portfolio (their perimeter).
func (h *Handler) dashboardPortfolio(r *request) error {
	return h.dashboardPage(r, dashPortfolio, func(p *Page, d *dashboardData) error {
		ctx := r.c.Request.Context()
		count := func(q app.TaskQuery) (int64, error) {
			q.Assignee, q.Page = r.who.Email, domain.Page{Limit: 1}
			_, n, err := h.app.Tasks(ctx, r.who, q)
			return n, err
		}
		late, today := true, startOfDay(time.Now().UTC())
		open, err := count(app.TaskQuery{Status: string(domain.TaskOpen)})
		if err != nil {
			return err
		}
		overdue, err := count(app.TaskQuery{Status: string(domain.TaskOpen), Overdue: &late})
		if err != nil {
			return err
		}
		done, err := count(app.TaskQuery{Status: string(domain.TaskDone), ClosedSince: &today})
		if err != nil {
			return err
		}
		d.Stats = []dashStat{
			{Label: p.T("dash.tasks_open"), Value: decString(open), Href: "/worklist"},
			{Label: p.T("dash.tasks_late"), Value: decString(overdue), Href: "/worklist"},
			{Label: p.T("dash.tasks_done_today"), Value: decString(done)},
		}
		return h.figures(r, p, d,
			figureSpec{ID: figTeam},
			figureSpec{ID: figAging},
			figureSpec{ID: figPromises, From: d.Filter.AsOf.AddDays(-(promiseDays - 1))},
			figureSpec{ID: figTopOverdue})
	})
}

// promiseDays is the agent's promise period: the promises due in the last 30 days.
const promiseDays = 30

// startOfDay is the start of t's day (UTC): "today" for the tasks done.
func startOfDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
