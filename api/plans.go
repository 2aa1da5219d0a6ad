package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/money"
	"recoup/store"
)

type instalmentView struct {
	Seq    int       `json:"seq"`
	Date   string    `json:"date"`
	Amount moneyView `json:"amount"`
	Status string    `json:"status"`
}

type planView struct {
	ID             int64            `json:"id"`
	CustomerID     int64            `json:"customer_id"`
	InvoiceIDs     []int64          `json:"invoice_ids"`
	Total          moneyView        `json:"total"`
	ToleranceDays  int              `json:"tolerance_days"`
	ToleranceMinor int64            `json:"tolerance_minor"`
	Instalments    []instalmentView `json:"instalments"`
	Note           string           `json:"note"`
	Status         string           `json:"status"`
	Paid           *moneyView       `json:"paid"`
	CreatedBy      string           `json:"created_by"`
	CreatedAt      time.Time        `json:"created_at"`
	ClosedAt       *time.Time       `json:"closed_at"`
}

func toPlan(p store.Plan) planView {
	v := planView{ID: p.ID, CustomerID: p.CustomerID, InvoiceIDs: p.InvoiceIDs, Total: toMoney(p.Total), ToleranceDays: p.ToleranceDays,
		ToleranceMinor: p.ToleranceMinor, Note: p.Note, Status: string(p.Status), CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt.UTC(),
		Instalments: []instalmentView{}}
	for _, in := range p.Instalments {
		v.Instalments = append(v.Instalments, instalmentView{Seq: in.Seq, Date: in.Date.String(),
			Amount: toMoney(money.Money{Minor: in.Amount, Currency: p.Total.Currency}), Status: in.Status})
	}
	if p.PaidMinor != nil {
		m := toMoney(money.Money{Minor: *p.PaidMinor, Currency: p.Total.Currency})
		v.Paid = &m
	}
	v.ClosedAt = utcPtr(p.ClosedAt)
	return v
}

// createPlan records a payment plan; the account's workflow holds the
// planned invoices and follows each instalment.
func (s *Server) createPlan(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.PlanRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.app.RecordPlan(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"plan": toPlan(p.Plan), "account_woken": p.Woken.Reached()})
	return nil
}

// listPlans answers the customer's payment plans, newest first.
func (s *Server) listPlans(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := queryParams(c); err != nil {
		return err
	}
	list, err := s.app.Plans(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(list, toPlan)})
	return nil
}

// cancelPlan ends an open payment plan: its invoices are dunned again at once.
func (s *Server) cancelPlan(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body cancelPromiseBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	p, err := s.app.CancelPlan(c.Request.Context(), principal(c), id, body.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"id": p.ID, "status": store.PlanCancelled, "customer_id": p.CustomerID,
		"account_woken": p.Woken.Reached()})
	return nil
}
