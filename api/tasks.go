package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/store"
)

type taskView struct {
	ID            int64             `json:"id"`
	CustomerID    int64             `json:"customer_id"`
	CustomerName  string            `json:"customer_name"`
	Kind          domain.TaskKind   `json:"kind"`
	AssigneeRole  domain.Assignee   `json:"assignee_role"`
	AssigneeEmail string            `json:"assignee_email"`
	InvoiceIDs    []int64           `json:"invoice_ids"`
	DueAt         time.Time         `json:"due_at"`
	Note          string            `json:"note"`
	Status        domain.TaskStatus `json:"status"`
	Resolution    string            `json:"resolution"`
	ClosedBy      string            `json:"closed_by"`
	CreatedAt     time.Time         `json:"created_at"`
	ClosedAt      *time.Time        `json:"closed_at"`
}

func toTask(t store.TaskView) taskView {
	v := taskView{ID: t.ID, CustomerID: t.CustomerID, CustomerName: t.CustomerName, Kind: t.Kind, AssigneeRole: t.AssigneeRole,
		AssigneeEmail: t.AssigneeEmail, InvoiceIDs: t.InvoiceIDs, DueAt: t.DueAt.UTC(), Note: t.Note, Status: t.Status,
		Resolution: t.Resolution, ClosedBy: t.ClosedBy, CreatedAt: t.CreatedAt.UTC()}
	if v.InvoiceIDs == nil {
		v.InvoiceIDs = []int64{}
	}
	v.ClosedAt = utcPtr(t.ClosedAt)
	return v
}

// listTasks is a work list: an agent's calls, a manager's escalations.
func (s *Server) listTasks(c *gin.Context) error {
	if err := queryParams(c, "assignee", "role", "status", "kind", "customer", "overdue", "limit", "offset"); err != nil {
		return err
	}
	q := app.TaskQuery{Assignee: c.Query("assignee"), Role: c.Query("role"), Status: c.Query("status"), Kind: c.Query("kind")}
	var err error
	if q.Page, err = page(c); err != nil {
		return err
	}
	if q.CustomerID, err = optionalID(c, "customer"); err != nil {
		return err
	}
	if q.Overdue, err = optionalBool(c, "overdue"); err != nil {
		return err
	}
	list, total, err := s.app.Tasks(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, pageView[taskView]{Items: mapSlice(list, toTask), Total: total, Limit: q.Limit, Offset: q.Offset})
	return nil
}

type closeTaskBody struct {
	Resolution string `json:"resolution"`
}

// closeTask records the decision on a task; for an escalation, the account's
// workflow evaluates again at once and reminders resume for those invoices.
func (s *Server) closeTask(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body closeTaskBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	t, err := s.app.CloseTask(c.Request.Context(), principal(c), id, body.Resolution)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"id": t.ID, "status": domain.TaskDone, "customer_id": t.CustomerID,
		"account_woken": t.Woken.Reached()})
	return nil
}

type worklistRowView struct {
	taskView
	Attempts         int        `json:"attempts"`
	Overdue          moneyView  `json:"overdue"`
	OverdueReporting *moneyView `json:"overdue_reporting"`
	RateDate         *string    `json:"rate_date"`
	DaysOverdue      int        `json:"days_overdue"`
	RiskClass        string     `json:"risk_class"`
	BrokenPromises   int        `json:"broken_promises"`
	Points           pointsView `json:"points"`
	Score            float64    `json:"score"`
	Reason           string     `json:"reason"`
}

type pointsView struct {
	Amount   float64 `json:"amount"`
	Days     float64 `json:"days"`
	Risk     float64 `json:"risk"`
	Promises float64 `json:"promises"`
	Due      float64 `json:"due"`
}

func toWorklistRow(r app.WorklistRow) worklistRowView {
	v := worklistRowView{taskView: toTask(r.TaskView), Attempts: r.Attempts, Overdue: toMoney(r.Overdue), DaysOverdue: r.DaysOverdue,
		RiskClass: r.RiskClass, BrokenPromises: r.BrokenPromises, Score: r.Score, Reason: r.Reason,
		Points: pointsView{Amount: r.AmountPoints, Days: r.DaysPoints, Risk: r.RiskPoints, Promises: r.PromisePoints, Due: r.DuePoints}}
	if r.OverdueReporting != nil {
		m := toMoney(*r.OverdueReporting)
		v.OverdueReporting = &m
	}
	if r.RateOn != nil {
		d := r.RateOn.String()
		v.RateDate = &d
	}
	return v
}

// worklist is the caller's open tasks (or, for a credit manager, an agent's
// or the team's), highest priority first, each with why.
func (s *Server) worklist(c *gin.Context) error {
	if err := queryParams(c, "agent", "team", "role", "kind", "customer", "overdue", "limit", "offset"); err != nil {
		return err
	}
	q := app.WorklistQuery{Agent: c.Query("agent"), Role: c.Query("role"), Kind: c.Query("kind")}
	var err error
	if q.Page, err = page(c); err != nil {
		return err
	}
	if q.CustomerID, err = optionalID(c, "customer"); err != nil {
		return err
	}
	if q.Overdue, err = optionalBool(c, "overdue"); err != nil {
		return err
	}
	team, err := optionalBool(c, "team")
	if err != nil {
		return err
	}
	q.Team = team != nil && *team
	list, total, err := s.app.Worklist(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, pageView[worklistRowView]{Items: mapSlice(list, toWorklistRow), Total: total, Limit: q.Limit, Offset: q.Offset})
	return nil
}

// claimTask makes the caller the task's assignee.
func (s *Server) claimTask(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := queryParams(c); err != nil {
		return err
	}
	p := principal(c)
	customerID, err := s.app.ClaimTask(c.Request.Context(), p, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "customer_id": customerID, "assignee_email": p.Email})
	return nil
}

type completeTaskBody struct {
	Outcome    string     `json:"outcome"`
	Note       string     `json:"note"`
	Channel    string     `json:"channel"`
	PaidOn     string     `json:"paid_on"`
	Reference  string     `json:"reference"`
	CallbackAt *time.Time `json:"callback_at"`
	// DisputeReason: the dispute case's reason code (outcome dispute).
	DisputeReason string `json:"dispute_reason"`
	Promise       *struct {
		AmountMinor int64   `json:"amount_minor"`
		Currency    string  `json:"currency"`
		Date        string  `json:"date"`
		InvoiceIDs  []int64 `json:"invoice_ids"`
		OldestFirst bool    `json:"oldest_first"`
		Note        string  `json:"note"`
	} `json:"promise"`
}

// completeTask records a task's outcome and what follows from it.
func (s *Server) completeTask(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body completeTaskBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	in := app.Completion{Outcome: body.Outcome, Note: body.Note, Channel: body.Channel, PaidOn: body.PaidOn, Reference: body.Reference,
		DisputeReason: body.DisputeReason}
	if body.CallbackAt != nil {
		in.CallbackAt = *body.CallbackAt
	}
	if p := body.Promise; p != nil {
		in.Promise = app.PromiseRequest{AmountMinor: p.AmountMinor, Currency: p.Currency, Date: p.Date, InvoiceIDs: p.InvoiceIDs,
			OldestFirst: p.OldestFirst, Note: p.Note} // Source: CompleteTask's "call"
	}
	t, err := s.app.CompleteTask(c.Request.Context(), principal(c), id, in)
	if err != nil {
		return err
	}
	followUps, disputed := t.FollowUps, t.Disputed
	if followUps == nil {
		followUps = []int64{}
	}
	if disputed == nil {
		disputed = []int64{}
	}
	var promiseID, caseID *int64
	if t.Promise != nil {
		promiseID = &t.Promise.ID
	}
	if t.Case != nil {
		caseID = &t.Case.ID
	}
	c.JSON(http.StatusOK, gin.H{"id": t.ID, "status": domain.TaskDone, "outcome": t.Outcome, "customer_id": t.CustomerID,
		"follow_up_task_ids": followUps, "disputed_invoice_ids": disputed,
		"promise_id": promiseID, "case_id": caseID, "account_woken": t.Woken.Reached()})
	return nil
}

type createTaskBody struct {
	CustomerID    int64      `json:"customer_id"`
	Kind          string     `json:"kind"`
	AssigneeEmail string     `json:"assignee_email"`
	AssigneeRole  string     `json:"assignee_role"`
	DueAt         *time.Time `json:"due_at"`
	Note          string     `json:"note"`
}

// createTask asks someone to do something for a customer.
func (s *Server) createTask(c *gin.Context) error {
	var body createTaskBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	in := app.NewTask{CustomerID: body.CustomerID, Kind: body.Kind, AssigneeEmail: body.AssigneeEmail, AssigneeRole: body.AssigneeRole, Note: body.Note}
	if body.DueAt != nil {
		in.DueAt = *body.DueAt
	}
	id, err := s.app.CreateTask(c.Request.Context(), principal(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": id, "customer_id": body.CustomerID})
	return nil
}
