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
	if t.ClosedAt != nil {
		at := t.ClosedAt.UTC()
		v.ClosedAt = &at
	}
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
		"account_woken": t.Woken.Accounts == 1 && t.Woken.Error == ""})
	return nil
}
