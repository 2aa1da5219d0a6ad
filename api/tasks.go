package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

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
func (s *Server) listTasks(c *gin.Context) {
	if err := queryParams(c, "assignee", "role", "status", "kind", "customer", "limit", "offset"); err != nil {
		s.fail(c, err)
		return
	}
	f := store.TaskFilter{AssigneeEmail: c.Query("assignee"), Role: domain.Assignee(c.Query("role")),
		Status: domain.TaskStatus(c.Query("status")), Kind: domain.TaskKind(c.Query("kind"))}
	var err error
	if f.Page, err = page(c); err != nil {
		s.fail(c, err)
		return
	}
	if f.CustomerID, err = optionalID(c, "customer"); err != nil {
		s.fail(c, err)
		return
	}
	for _, err := range []error{
		filterOneOf("status", f.Status, domain.TaskStatuses),
		filterOneOf("kind", f.Kind, domain.TaskKinds),
		filterOneOf("role", f.Role, domain.Assignees),
	} {
		if err != nil {
			s.fail(c, err)
			return
		}
	}
	list, total, err := s.store.ListTasks(c.Request.Context(), perimeter(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageView[taskView]{Items: mapSlice(list, toTask), Total: total, Limit: f.Limit, Offset: f.Offset})
}

// filterOneOf checks an optional filter: empty, or one of the values it may take.
func filterOneOf[T ~string](name string, v T, allowed []T) error {
	if v != "" && !slices.Contains(allowed, v) {
		return domain.FieldError(name, "%q: want one of %v", v, allowed)
	}
	return nil
}

type closeTaskBody struct {
	Resolution string `json:"resolution"`
}

// closeTask records the decision on a task; for an escalation, the account's
// workflow evaluates again at once and reminders resume for those invoices.
func (s *Server) closeTask(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var body closeTaskBody
	if err := decodeJSON(c, &body); err != nil {
		s.fail(c, err)
		return
	}
	if body.Resolution == "" {
		s.fail(c, domain.FieldError("resolution", "required: say what was decided"))
		return
	}
	customerID, err := s.store.CloseTask(c.Request.Context(), perimeter(c), id, body.Resolution, actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	woken := 0
	if s.control != nil {
		if woken, err = s.control.Touch(c.Request.Context(), []int64{customerID}); err != nil {
			s.log.ErrorContext(c.Request.Context(), "wake dunning after a task closed", "task", id, "err", err)
		}
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "status": domain.TaskDone, "customer_id": customerID, "account_woken": woken == 1})
}
