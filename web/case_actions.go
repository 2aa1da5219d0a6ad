package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/domain"
	"recoup/money"
)

// caseComment adds a comment to the discussion (@email mentions notify),
// with the files chosen in the form (multipart), or files alone: all or
// nothing, checked by the use case (app.AddCaseAttachments).
func (h *Handler) caseComment(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	comment := app.CommentRequest{Text: r.c.PostForm("text")}
	files, err := h.uploadedFiles(r, "file")
	if err != nil {
		return err
	}
	if len(files) == 0 {
		_, err = h.app.CommentCase(ctx, r.who, id, comment)
		return h.caseDone(r, "comment", err, h.t(r, "case.commented"))
	}
	_, err = h.app.AddCaseAttachments(ctx, r.who, id, comment, files)
	return h.caseDone(r, "comment", err, h.t(r, "case.attached", len(files)))
}

// uploadedFiles reads the files of a multipart form's field, each up to the
// attachment limit and one byte more (the use case refuses what is larger).
func (h *Handler) uploadedFiles(r *request, field string) ([]app.AttachmentUpload, error) {
	form, err := r.c.MultipartForm()
	if err != nil || form == nil {
		return nil, nil // a form without files (url-encoded)
	}
	var out []app.AttachmentUpload
	for _, fh := range form.File[field] {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(f, h.app.AttachmentMax()+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, app.AttachmentUpload{Name: fh.Filename, Data: data})
	}
	return out, nil
}

// caseRoute sends the case to another department (and an owner there), with why.
func (h *Handler) caseRoute(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	k, err := h.app.RouteCase(r.c.Request.Context(), r.who, id, app.RouteRequest{Department: r.c.PostForm("department"),
		OwnerEmail: r.c.PostForm("owner_email"), Reason: r.c.PostForm("reason")})
	msg := h.t(r, "case.routed", h.t(r, caseWord("department", string(k.Department))))
	if err == nil && r.who.Role == domain.RoleDepartment && k.Department != r.who.Department {
		// Sent to another department: out of the sender's sight, so back to their board.
		return h.done(r, "/cases", msg)
	}
	return h.caseDone(r, "route", err, msg)
}

// caseStatus puts the case waiting for the customer (the SLA clock stops) or back to open.
func (h *Handler) caseStatus(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	k, err := h.app.SetCaseStatus(r.c.Request.Context(), r.who, id, app.StatusRequest{Status: r.c.PostForm("status"),
		Reason: r.c.PostForm("reason")})
	return h.caseDone(r, "status", err, h.t(r, "case.status_set", h.t(r, caseWord("status", string(k.Status)))))
}

// caseDecide decides the case. A partly accepted dispute gives the credit
// note of each invoice in its currency's major units (credit_note_<invoice id>),
// read exactly into minor units.
func (h *Handler) caseDecide(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	req := app.DecideRequest{Decision: r.c.PostForm("decision"), Reason: r.c.PostForm("reason")}
	var fe fieldErrors
	if req.Decision == string(domain.DecisionPartlyAccepted) {
		k, err := h.app.Case(ctx, r.who, id)
		if err != nil {
			return err
		}
		for _, in := range k.Invoices {
			v := formAmount(r.c.PostForm("credit_note_" + strconv.FormatInt(in.InvoiceID, 10)))
			minor, err := money.ParseMinor(v, in.Disputed.Currency)
			if err != nil || v == "" {
				fe.add("credit_notes", h.t(r, "case.credit_note_invalid", in.Number, in.Disputed.Currency.Code()))
				continue
			}
			req.CreditNotes = append(req.CreditNotes, app.CreditNote{InvoiceID: in.InvoiceID, Minor: minor})
		}
	}
	if len(fe.Summary) > 0 {
		return h.renderCase(r, http.StatusBadRequest, caseForm{Which: "decide", Values: r.c.Request.PostForm, Errors: fe})
	}
	out, err := h.app.DecideCase(ctx, r.who, id, req)
	msg := h.t(r, "case.decided", h.t(r, caseWord("decision", strings.TrimSpace(req.Decision))))
	switch {
	case out.CustomerEmailed:
		msg += " " + h.t(r, "case.decided_emailed")
	case out.CustomerTold != "": // a rejection that could not be emailed
		msg += " " + h.t(r, "case.decided_not_told")
	}
	return h.caseDone(r, "decide", err, msg)
}

// casePlanAccept accepts the payment plan a customer's message proposes:
// the plan is recorded (app.AcceptPlanRequest) and the customer told.
func (h *Handler) casePlanAccept(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	out, err := h.app.AcceptPlanRequest(r.c.Request.Context(), r.who, id, r.c.PostForm("note"))
	if domain.ErrorCode(err) == domain.CodeConflict {
		// The invoices changed since the request: said on the case page, where Refuse is.
		return h.renderCase(r, http.StatusConflict, caseForm{Which: "accept", Values: r.c.Request.PostForm,
			Errors: fieldErrors{Summary: []string{err.Error()}, ByField: map[string]string{}}})
	}
	return h.caseDone(r, "accept", err, h.t(r, "case.plan.accepted", out.Plan.ID))
}

// caseReopen reopens a decided case within its window, with why.
func (h *Handler) caseReopen(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, err = h.app.ReopenCase(r.c.Request.Context(), r.who, id, app.ReopenRequest{Reason: r.c.PostForm("reason")})
	return h.caseDone(r, "reopen", err, h.t(r, "case.reopened"))
}
