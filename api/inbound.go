package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/store"
)

// inboundView is a customer email received on a reply address.
type inboundView struct {
	ID          int64                     `json:"id"`
	CustomerID  int64                     `json:"customer_id"`
	Customer    string                    `json:"customer"`
	Kind        string                    `json:"kind"`
	Status      string                    `json:"status"`
	From        string                    `json:"from"`
	FromName    string                    `json:"from_name"`
	Subject     string                    `json:"subject"`
	Body        string                    `json:"body"`
	Attachments []store.InboundAttachment `json:"attachments"`
	CaseID      *int64                    `json:"case_id"`
	ReceivedAt  time.Time                 `json:"received_at"`
}

func toInbound(e store.InboundEmail) inboundView {
	att := e.Attachments
	if att == nil {
		att = []store.InboundAttachment{}
	}
	return inboundView{ID: e.ID, CustomerID: e.CustomerID, Customer: e.Customer, Kind: e.Kind, Status: e.Status, From: e.From,
		FromName: e.FromName, Subject: e.Subject, Body: e.Body, Attachments: att, CaseID: e.CaseID, ReceivedAt: e.ReceivedAt.UTC()}
}

// listQuarantine answers the replies from senders who are not contacts of their account.
func (s *Server) listQuarantine(c *gin.Context) error {
	if err := queryParams(c, "limit", "offset"); err != nil {
		return err
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	list, total, err := s.app.QuarantineList(c.Request.Context(), principal(c), p)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(list, toInbound), "total": total, "limit": p.Limit, "offset": p.Offset})
	return nil
}

// decideQuarantine confirms (processed as a reply) or discards a quarantined email.
func (s *Server) decideQuarantine(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.QuarantineDecision
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.app.DecideQuarantine(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	var caseID *int64
	if r.Case.CaseID != 0 {
		caseID = &r.Case.CaseID
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "decision": req.Decision, "case_id": caseID, "case_opened": r.Case.Opened,
		"paused": r.Paused})
	return nil
}
