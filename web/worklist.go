package web

import (
	"net/http"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

var worklistRoutes = []route{
	{method: "GET", path: "/worklist", action: auth.TasksRead, handle: (*Handler).worklist},
	{method: "POST", path: "/tasks/:id/close", action: auth.TasksClose, handle: (*Handler).closeTask},
}

type worklistData struct {
	Tasks   []store.TaskView
	Total   int64
	Page    domain.Page
	Scope   string // mine, team
	Status  string
	Kinds   []domain.TaskKind
	Kind    string
	Overdue bool
	Pages   int
	Current int
}

const worklistRows = 50

// worklist is the tasks of the person (mine) or the team they may see, open by default, oldest due first.
func (h *Handler) worklist(r *request) error {
	q := app.TaskQuery{Status: r.c.DefaultQuery("status", string(domain.TaskOpen)), Kind: r.c.Query("kind"), Page: queryPage(r, worklistRows)}
	scope := r.c.DefaultQuery("scope", "mine")
	if r.who.Role != domain.RoleAgent && r.c.Query("scope") == "" {
		scope = "team"
	}
	if scope == "mine" {
		q.Assignee = r.who.Email
	}
	if q.Status == "all" {
		q.Status = ""
	}
	overdue := r.c.Query("overdue") == "1"
	if overdue {
		q.Overdue = &overdue
	}
	list, total, err := h.app.Tasks(r.c.Request.Context(), r.who, q)
	if err != nil {
		return err
	}
	d := worklistData{Tasks: list, Total: total, Page: q.Page, Scope: scope, Status: r.c.DefaultQuery("status", string(domain.TaskOpen)),
		Kinds: domain.TaskKinds, Kind: q.Kind, Overdue: overdue, Current: q.Offset/worklistRows + 1,
		Pages: int((total + worklistRows - 1) / worklistRows)}
	h.render(r.c, http.StatusOK, "worklist", h.newPage(r, "worklist.title", "nav.worklist", d))
	return nil
}

// closeTask records the decision on a task, then back to the list it was closed from.
func (h *Handler) closeTask(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := h.app.CloseTask(r.c.Request.Context(), r.who, id, strings.TrimSpace(r.c.PostForm("resolution")))
	if err != nil {
		return err
	}
	back := r.c.PostForm("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/worklist"
	}
	return h.done(r, back, h.t(r, "worklist.closed", strconv.FormatInt(t.ID, 10)))
}
