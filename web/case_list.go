package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/domain"
	"recoup/export"
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
	if f := export.Format(query.Get("format")); f == export.CSV || f == export.XLSX {
		return h.caseListDownload(r, q, f)
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

// caseListDownload answers every case the filters select (paging aside) as a
// CSV or XLSX file: with type=dispute, the dispute list.
func (h *Handler) caseListDownload(r *request, q app.CaseQuery, f export.Format) error {
	t, err := h.app.CasesTable(r.c.Request.Context(), r.who, q)
	if err != nil {
		return err
	}
	r.c.Header("Content-Type", f.ContentType())
	r.c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, strings.ToLower(t.Name), f))
	r.c.Header("Cache-Control", "no-store")
	r.c.Status(http.StatusOK)
	if err := export.Write(r.c.Writer, f, t); err != nil {
		h.log.ErrorContext(r.c.Request.Context(), "cases download", "err", err)
	}
	return nil
}
