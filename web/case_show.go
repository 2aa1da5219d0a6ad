package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/flow"
	"recoup/money"
)

// caseData is one case's page: its facts, the live SLA clock from its
// workflow (when Temporal answers), the discussion, the forms of what the
// person may do and the case's history.
type caseData struct {
	app.CaseDetail
	Details     caseDetails
	NewLimit    string // a credit limit request's limit, formatted in the customer's currency
	Open        bool   // open or waiting for the customer: it may be commented on, re-routed, decided
	ReopenUntil *time.Time
	CanReopen   bool
	MayDecide   bool // the decision form is shown (app.MayDecide)
	Decisions   []domain.Decision
	Departments []domain.Department
	Form        caseForm
	Timeline    *app.History
	Files       caseFiles         // the attachments, under their comments
	FileTypes   string            // the extensions a file may have (app.AttachmentExtensions)
	FileMax     int64             // the size limit of one file, in bytes
	Plan        *app.PlanProposal // the payment plan a customer's message proposes: accepted or refused in its own forms
}

// caseDetails are a request's own fields (store.Case.Details).
type caseDetails struct {
	NewLimitMinor *int64 `json:"new_limit_minor"`
	Justification string `json:"justification"`
	Field         string `json:"field"`
	Value         string `json:"value"`
}

// caseForm is one of the page's forms sent back with its errors.
type caseForm struct {
	Which  string // comment, route, status, decide, reopen, or "" (none)
	Values url.Values
	Errors fieldErrors
}

// Value is what the form sent for field, when it is the form which.
func (f caseForm) Value(which, field string) string {
	if f.Which != which {
		return ""
	}
	return f.Values.Get(field)
}

// caseShow is the case page.
func (h *Handler) caseShow(r *request) error {
	return h.renderCase(r, http.StatusOK, caseForm{})
}

// renderCase shows the case of the route's id with form (and its errors) if any.
func (h *Handler) renderCase(r *request, status int, form caseForm) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	k, err := h.app.Case(ctx, r.who, id)
	if err != nil {
		return err
	}
	d := caseData{CaseDetail: k, Form: form, Decisions: app.DecisionsFor(k.Case), Departments: domain.CaseDepartments,
		Open: k.Status.Open(), MayDecide: app.MayDecide(r.who, k.Type),
		Files: groupFiles(k.Attachments), FileTypes: app.AttachmentExtensions(), FileMax: h.app.AttachmentMax()}
	if p, ok := app.PlanRequestOf(k.Case); ok {
		d.Plan = &p
	}
	if len(k.Details) > 0 {
		if err := json.Unmarshal(k.Details, &d.Details); err != nil {
			h.log.WarnContext(ctx, "case details", "case", id, "err", err)
		}
	}
	if d.Details.NewLimitMinor != nil {
		d.NewLimit = strconv.FormatInt(*d.Details.NewLimitMinor, 10)
		if c, err := h.app.Customer(ctx, r.who, k.CustomerID); err == nil {
			p := h.newPage(r, "", "", nil)
			d.NewLimit = p.Money(money.Money{Minor: *d.Details.NewLimitMinor, Currency: c.Currency})
		}
	}
	if k.Status == domain.CaseDecided {
		switch {
		case k.Live != nil && k.Live.ReopenUntil != nil:
			d.ReopenUntil = k.Live.ReopenUntil
		case k.DecidedAt != nil:
			until := k.DecidedAt.Add(flow.CaseReopenWindow)
			d.ReopenUntil = &until
		}
		d.CanReopen = d.ReopenUntil != nil && time.Now().Before(*d.ReopenUntil)
	}
	if auth.Allows(r.who, auth.HistoryRead) {
		hist, err := h.app.CaseHistory(ctx, r.who, id)
		if err != nil {
			return err
		}
		d.Timeline = &hist
	}
	h.render(r.c, status, "case_show", h.newPage(r, "case.title", "nav.cases", d))
	return nil
}

// caseDone redirects to the case page with a confirmation, or shows the form
// again with its errors; other errors are the error page.
func (h *Handler) caseDone(r *request, which string, err error, message string) error {
	if err == nil {
		return h.done(r, "/cases/"+r.c.Param("id"), message)
	}
	if fe, ok := formError(err); ok {
		return h.renderCase(r, http.StatusBadRequest, caseForm{Which: which, Values: r.c.Request.PostForm, Errors: fe})
	}
	return err
}

// caseWord is the catalogue key of a case's type, status, department,
// decision, reason or field value v (kind "department": case.department.legal).
func caseWord(kind, v string) string { return "case." + kind + "." + v }
