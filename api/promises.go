package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/money"
	"recoup/store"
)

type promiseView struct {
	ID          int64      `json:"id"`
	CustomerID  int64      `json:"customer_id"`
	InvoiceIDs  []int64    `json:"invoice_ids"`
	Amount      moneyView  `json:"amount"`
	CoveredOpen moneyView  `json:"covered_open"` // the invoices' open total when the promise was made
	Date        string     `json:"date"`
	GraceDays   int        `json:"grace_days"`
	HeldUntil   string     `json:"held_until"` // the last day the invoices are held: date + grace
	Note        string     `json:"note"`
	Source      string     `json:"source"`
	Status      string     `json:"status"`
	Paid        *moneyView `json:"paid"` // what was paid when it was checked; null while open or cancelled
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	ClosedBy    string     `json:"closed_by"`
	ClosedAt    *time.Time `json:"closed_at"`
}

func toPromise(p store.Promise) promiseView {
	v := promiseView{ID: p.ID, CustomerID: p.CustomerID, InvoiceIDs: p.InvoiceIDs, Amount: toMoney(p.Amount),
		CoveredOpen: toMoney(money.Money{Minor: p.CoveredOpen, Currency: p.Amount.Currency}), Date: p.Date.String(), GraceDays: p.GraceDays,
		HeldUntil: p.Until().String(), Note: p.Note, Source: p.Source, Status: string(p.Status), CreatedBy: p.CreatedBy,
		CreatedAt: p.CreatedAt.UTC(), ClosedBy: p.ClosedBy}
	if p.PaidMinor != nil {
		m := toMoney(money.Money{Minor: *p.PaidMinor, Currency: p.Amount.Currency})
		v.Paid = &m
	}
	v.ClosedAt = utcPtr(p.ClosedAt)
	return v
}

// createPromise records a promise to pay; the account's workflow holds the
// covered invoices through the date plus the grace days.
func (s *Server) createPromise(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.PromiseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.app.RecordPromise(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"promise": toPromise(p.Promise), "account_woken": p.Woken.Reached()})
	return nil
}

// listPromises answers the customer's promises, newest first.
func (s *Server) listPromises(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := queryParams(c); err != nil {
		return err
	}
	list, err := s.app.Promises(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(list, toPromise)})
	return nil
}

type cancelPromiseBody struct {
	Reason string `json:"reason"`
}

// cancelPromise ends an open promise: its invoices are dunned again at once.
func (s *Server) cancelPromise(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body cancelPromiseBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	p, err := s.app.CancelPromise(c.Request.Context(), principal(c), id, body.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"id": p.ID, "status": store.PromiseCancelled, "customer_id": p.CustomerID,
		"account_woken": p.Woken.Reached()})
	return nil
}
