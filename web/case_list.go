package web

import (
	"net/http"
	"net/url"
	"strconv"

	"recoup/app"
	"recoup/domain"
	"recoup/store"
)

// caseListData is the cases board: the caller's cases (mine, or all those
// the perimeter shows: a department's, every case for a credit manager),
// filtered by type, status, department and SLA state.
type caseListData struct {
	Rows                          []store.Case
	Total                         int64
	Scope                         string // mine, all
	Type, Status, Department, SLA string
	Customer                      int64 // ?customer=<id>: one customer's cases (from the account page)
	Types                         []domain.CaseType
	Statuses                      []domain.CaseStatus
	Departments                   []domain.Department
	SLAStates                     []domain.SLAState
	Errors                        fieldErrors
	Filtered                      bool
	Pages, Current                int
}

const caseRows = 50

// caseList is the cases board; the filters are in the URL.
func (h *Handler) caseList(r *request) error {
	query := r.c.Request.URL.Query()
	d := caseListData{Scope: query.Get("scope"), Type: query.Get("type"), Status: query.Get("status"),
		Department: query.Get("department"), SLA: query.Get("sla"), Types: domain.CaseTypes, Statuses: domain.CaseStatuses,
		Departments: domain.CaseDepartments, SLAStates: domain.SLAStates}
	if d.Scope != "mine" {
		d.Scope = "all"
	}
	d.Filtered = d.Scope == "mine" || d.Type != "" || d.Status != "" || d.Department != "" || d.SLA != ""
	page := pageOf(query.Get("page"), caseRows)
	q := app.CaseQuery{Type: d.Type, Status: d.Status, Department: d.Department, SLA: d.SLA, Page: page}
	if id, err := strconv.ParseInt(query.Get("customer"), 10, 64); err == nil && id > 0 {
		d.Customer, q.CustomerID, d.Filtered = id, &id, true
	}
	if d.Scope == "mine" {
		q.Owner = r.who.Email
	}
	status := http.StatusOK
	var err error
	d.Rows, d.Total, err = h.app.Cases(r.c.Request.Context(), r.who, q)
	if fe, ok := formError(err); ok {
		d.Errors, status = fe, http.StatusBadRequest
	} else if err != nil {
		return err
	}
	d.Current = page.Offset/caseRows + 1
	d.Pages = int((d.Total + caseRows - 1) / caseRows)
	p := h.newPage(r, "case.list.title", "nav.cases", d)
	p.Query = url.Values(query)
	h.render(r.c, status, "case_list", p)
	return nil
}
