package web

import (
	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

var homeRoutes = []route{
	{method: "GET", path: "/", handle: (*Handler).home},
}

// homeData is the home page's panels; each shows only when the role has it.
type homeData struct {
	Tasks      []store.TaskView // the person's (agent) or the team's (manager) open tasks, oldest due first
	TasksTotal int64
	Customers  []domain.Customer // most overdue first (agent, sales rep: their own)
	Totals     []store.EntityTotals
	ByEntity   bool // the totals as a table by entity (managers), else the portfolio's
	Search     bool // a search box (auditor, division manager)
}

const homeRows = 10

// home is the start page by role: an agent's tasks and portfolio, a
// manager's team tasks, a sales rep's customers, an auditor's search.
func (h *Handler) home(r *request) error {
	ctx := r.c.Request.Context()
	var d homeData
	if auth.Allows(r.who, auth.TasksClose) {
		q := app.TaskQuery{Status: string(domain.TaskOpen), Page: domain.Page{Limit: homeRows}}
		if r.who.Role == domain.RoleAgent || r.who.Role == domain.RoleSalesRep { // their own: the phone-sized view of a sales rep
			q.Assignee = r.who.Email
		}
		var err error
		if d.Tasks, d.TasksTotal, err = h.app.Tasks(ctx, r.who, q); err != nil {
			return err
		}
	}
	switch r.who.Role {
	case domain.RoleAgent, domain.RoleSalesRep:
		list, _, err := h.app.Customers(ctx, r.who, app.CustomerQuery{Sort: "-overdue", Page: domain.Page{Limit: homeRows}})
		if err != nil {
			return err
		}
		d.Customers = list
	case domain.RoleAuditor:
		d.Search = true
	default:
		d.ByEntity = true
	}
	if r.who.Role != domain.RoleAuditor {
		var err error
		if d.Totals, err = h.app.TotalsByEntity(ctx, r.who); err != nil {
			return err
		}
	}
	h.render(r.c, 200, "home", h.newPage(r, "home.title", "nav.home", d))
	return nil
}
