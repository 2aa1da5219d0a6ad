package web

import (
	"net/http"
	"net/url"
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
	{method: "POST", path: "/tasks/:id/claim", action: auth.TasksClose, handle: (*Handler).claimTask},
	{method: "POST", path: "/tasks/:id/complete", action: auth.TasksClose, handle: (*Handler).completeTask},
}

type worklistData struct {
	Ranked   bool              // open tasks by priority score; else any status by due time
	Rows     []app.WorklistRow // Ranked
	Tasks    []store.TaskView  // not Ranked
	Outcomes []domain.Outcome  // the completion form's choices
	Channels []domain.Channel  // wrong_contact's
	Form     completionForm    // the completion form posted with errors, if any
	Total    int64
	Page     domain.Page
	Scope    string // mine, team
	Agent    string // a credit manager's look at one person's worklist
	Others   bool   // the caller may look at another person's worklist
	Status   string
	Kinds    []domain.TaskKind
	Kind     string
	Overdue  bool
	Pages    int
	Current  int
	Back     string // this list's URL, where a form comes back to
}

// completionForm is a completion form sent back with its errors, for one task.
type completionForm struct {
	TaskID int64
	Values url.Values
	Errors fieldErrors
}

const worklistRows = 50

// worklist is the tasks of the person (mine) or the team they may see: open
// ones by priority score by default (README, "Worklist"), any status by due time.
func (h *Handler) worklist(r *request) error {
	return h.renderWorklist(r, http.StatusOK, r.c.Request.URL.Query(), completionForm{})
}

// renderWorklist shows the list that query asks for, with form's errors if any.
func (h *Handler) renderWorklist(r *request, status int, query url.Values, form completionForm) error {
	d := worklistData{Status: query.Get("status"), Kind: query.Get("kind"), Overdue: query.Get("overdue") == "1",
		Kinds: domain.TaskKinds, Outcomes: domain.Outcomes, Channels: []domain.Channel{domain.ChannelEmail, domain.ChannelSMS, domain.ChannelVoice},
		Form: form, Scope: query.Get("scope"), Agent: strings.TrimSpace(query.Get("agent")),
		Others: app.SeesOthersWorklists(r.who)}
	if d.Status == "" {
		d.Status = string(domain.TaskOpen)
	}
	if d.Scope == "" {
		d.Scope = "mine"
		if r.who.Role != domain.RoleAgent {
			d.Scope = "team"
		}
	}
	if !d.Others {
		d.Agent = ""
	}
	d.Page = pageOf(query.Get("page"), worklistRows)
	u := url.URL{Path: "/worklist", RawQuery: query.Encode()}
	d.Back = u.String()
	var overdue *bool
	if d.Overdue {
		overdue = &d.Overdue
	}
	ctx := r.c.Request.Context()
	var err error
	if d.Status == string(domain.TaskOpen) {
		d.Ranked = true
		q := app.WorklistQuery{Team: d.Scope == "team" && d.Agent == "", Agent: d.Agent, Kind: d.Kind, Overdue: overdue, Page: d.Page}
		d.Rows, d.Total, err = h.app.Worklist(ctx, r.who, q)
	} else {
		q := app.TaskQuery{Status: d.Status, Kind: d.Kind, Overdue: overdue, Page: d.Page}
		if q.Status == "all" {
			q.Status = ""
		}
		if d.Scope == "mine" {
			q.Assignee = r.who.Email
		}
		if d.Agent != "" {
			q.Assignee = d.Agent
		}
		d.Tasks, d.Total, err = h.app.Tasks(ctx, r.who, q)
	}
	if err != nil {
		return err
	}
	d.Current = d.Page.Offset/worklistRows + 1
	d.Pages = int((d.Total + worklistRows - 1) / worklistRows)
	p := h.newPage(r, "worklist.title", "nav.worklist", d)
	// A refused completion is shown from its post's path: links are the list's.
	p.Path, p.Query = "/worklist", query
	h.render(r.c, status, "worklist", p)
	return nil
}

// backTo is the list a form came from: a local path, else the worklist.
func backTo(r *request) string {
	back := r.c.PostForm("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/worklist"
	}
	return back
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
	return h.done(r, backTo(r), h.t(r, "worklist.closed", strconv.FormatInt(t.ID, 10)))
}
