package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/flow"
	"recoup/store"
)

type caseInvoiceView struct {
	InvoiceID  int64      `json:"invoice_id"`
	Number     string     `json:"number"`
	Disputed   moneyView  `json:"disputed"`
	CreditNote *moneyView `json:"credit_note"` // accepted, for the ERP to issue; null until decided
}

type caseView struct {
	ID              int64             `json:"id"`
	WorkflowID      string            `json:"workflow_id"`
	Type            domain.CaseType   `json:"type"`
	CustomerID      int64             `json:"customer_id"`
	CustomerName    string            `json:"customer_name"`
	Entity          string            `json:"entity"`
	Status          domain.CaseStatus `json:"status"`
	Reason          string            `json:"reason"`
	Description     string            `json:"description"`
	Details         json.RawMessage   `json:"details"`
	Department      domain.Department `json:"department"`
	Owner           string            `json:"owner"` // email; "" the department's queue
	Source          string            `json:"source"`
	OpenedBy        string            `json:"opened_by"`
	OpenedAt        time.Time         `json:"opened_at"`
	SLABusinessDays int               `json:"sla_business_days"`
	SLAState        domain.SLAState   `json:"sla_state"`
	BreachedAt      *time.Time        `json:"breached_at"`
	Decision        domain.Decision   `json:"decision"`
	DecisionReason  string            `json:"decision_reason"`
	DecidedBy       string            `json:"decided_by"`
	DecidedAt       *time.Time        `json:"decided_at"`
	ClosedAt        *time.Time        `json:"closed_at"`
	Reopened        int               `json:"reopened"`
	DueOn           *string           `json:"due_on"` // a claim declaration's deadline (YYYY-MM-DD)
	Invoices        []caseInvoiceView `json:"invoices"`
}

func toCase(k store.Case) caseView {
	v := caseView{ID: k.ID, WorkflowID: flow.CaseWorkflowID(k.ID), Type: k.Type, CustomerID: k.CustomerID, CustomerName: k.CustomerName,
		Entity: k.EntityCode, Status: k.Status, Reason: k.Reason, Description: k.Description, Details: k.Details,
		Department: k.Department, Owner: k.OwnerEmail, Source: k.Source, OpenedBy: k.OpenedBy, OpenedAt: k.OpenedAt.UTC(),
		SLABusinessDays: k.SLABusinessDays, SLAState: k.SLAState, BreachedAt: utcPtr(k.BreachedAt), Decision: k.Decision,
		DecisionReason: k.DecisionReason, DecidedBy: k.DecidedBy, DecidedAt: utcPtr(k.DecidedAt), ClosedAt: utcPtr(k.ClosedAt),
		Reopened: k.Reopened, Invoices: []caseInvoiceView{}}
	if len(v.Details) == 0 {
		v.Details = json.RawMessage(`{}`)
	}
	if k.DueOn != nil {
		d := k.DueOn.Format(time.DateOnly)
		v.DueOn = &d
	}
	for _, ci := range k.Invoices {
		iv := caseInvoiceView{InvoiceID: ci.InvoiceID, Number: ci.Number, Disputed: toMoney(ci.Disputed)}
		if ci.CreditNote != nil {
			m := toMoney(*ci.CreditNote)
			iv.CreditNote = &m
		}
		v.Invoices = append(v.Invoices, iv)
	}
	return v
}

type commentView struct {
	ID        int64     `json:"id"`
	Author    string    `json:"author"`
	Text      string    `json:"text"`
	Mentions  []string  `json:"mentions"`
	CreatedAt time.Time `json:"created_at"`
}

func toComment(c store.CaseComment) commentView {
	v := commentView{ID: c.ID, Author: c.Author, Text: c.Body, Mentions: c.Mentions, CreatedAt: c.CreatedAt.UTC()}
	if v.Mentions == nil {
		v.Mentions = []string{}
	}
	return v
}

// createCase opens a dispute or a request; a dispute's invoices are held at once.
func (s *Server) createCase(c *gin.Context) error {
	var req app.CaseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	k, err := s.app.OpenCase(c.Request.Context(), principal(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"case": toCase(k.Case), "workflow_started": k.Started == "", "workflow_error": k.Started,
		"account_woken": k.Woken.Reached()})
	return nil
}

// listCases is the list of cases, newest first, filtered and paged.
func (s *Server) listCases(c *gin.Context) error {
	if err := queryParams(c, "type", "status", "department", "owner", "customer", "sla", "limit", "offset", "format"); err != nil {
		return err
	}
	f, err := downloadFormat(c)
	if err != nil {
		return err
	}
	q := app.CaseQuery{Type: c.Query("type"), Status: c.Query("status"), Department: c.Query("department"), Owner: c.Query("owner"),
		SLA: c.Query("sla")}
	if q.Page, err = page(c); err != nil {
		return err
	}
	if q.CustomerID, err = optionalID(c, "customer"); err != nil {
		return err
	}
	if f != "" { // every case matching the filters, paging aside (the dispute list: type=dispute)
		t, err := s.app.CasesTable(c.Request.Context(), principal(c), q)
		if err != nil {
			return err
		}
		s.download(c, strings.ToLower(t.Name), f, t)
		return nil
	}
	list, total, err := s.app.Cases(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, pageView[caseView]{Items: mapSlice(list, toCase), Total: total, Limit: q.Limit, Offset: q.Offset})
	return nil
}

// getCase is one case: its data and discussion, and its workflow's live state when Temporal answers.
func (s *Server) getCase(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := queryParams(c); err != nil {
		return err
	}
	d, err := s.app.Case(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"case": toCase(d.Case), "comments": mapSlice(d.Comments, toComment),
		"attachments": mapSlice(d.Attachments, toAttachment), "live": d.Live,
		"live_error": d.LiveError})
	return nil
}

// commentCase adds a comment to a case's discussion.
func (s *Server) commentCase(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.CommentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cm, err := s.app.CommentCase(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toComment(cm))
	return nil
}

// routeCase sends a case to another department or owner.
func (s *Server) routeCase(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.RouteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	k, err := s.app.RouteCase(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toCase(k))
	return nil
}

// decideCase records the decision on a case and what it does.
func (s *Server) decideCase(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.DecideRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	d, err := s.app.DecideCase(ctx, principal(c), id, req)
	if err != nil {
		return err
	}
	k, err := s.app.Case(ctx, principal(c), id)
	if err != nil {
		return err
	}
	resumed, held := d.Resumed, d.Held
	if resumed == nil {
		resumed = []int64{}
	}
	if held == nil {
		held = []int64{}
	}
	c.JSON(http.StatusOK, gin.H{"case": toCase(k.Case), "resumed_invoice_ids": resumed, "held_invoice_ids": held,
		"credit_limit_minor": d.CreditLimit, "customer_told": d.CustomerTold, "customer_emailed": d.CustomerEmailed,
		"account_woken": d.Woken.Reached()})
	return nil
}

// setCaseStatus puts a case waiting for the customer, or back to open.
func (s *Server) setCaseStatus(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.StatusRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	k, err := s.app.SetCaseStatus(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toCase(k))
	return nil
}

// reopenCase reopens a decided case within its window.
func (s *Server) reopenCase(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.ReopenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	k, err := s.app.ReopenCase(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toCase(k))
	return nil
}

// caseHistory is the compliance timeline of one case.
func (s *Server) caseHistory(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := queryParams(c); err != nil {
		return err
	}
	h, err := s.app.CaseHistory(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"case_id": id, "customer_id": h.CustomerID, "workflow_history": h.Workflow, "truncated": h.Truncated,
		"entries": h.Entries})
	return nil
}

// getCaseRouting answers the routing table and the departments' managers.
func (s *Server) getCaseRouting(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	r, err := s.app.CaseRouting(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, routingView(r))
	return nil
}

// putCaseRouting replaces the routing table.
func (s *Server) putCaseRouting(c *gin.Context) error {
	var body store.CaseRouting
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	r, err := s.app.ReplaceCaseRouting(c.Request.Context(), principal(c), body)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, routingView(r))
	return nil
}

func routingView(r store.CaseRouting) store.CaseRouting {
	if r.Rules == nil {
		r.Rules = []store.CaseRoutingRule{}
	}
	if r.Departments == nil {
		r.Departments = []store.CaseDepartment{}
	}
	return r
}
