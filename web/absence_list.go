package web

import (
	"net/http"
	"strings"
	"time"

	"recoup/app"
	"recoup/domain"
	"recoup/store"
)

// absenceRow is one absence of the list, as the page shows it.
type absenceRow struct {
	ID                    int64
	Agent, Reason         string
	Delegates             string
	From, Until, EndedAt  time.Time // zero Until: leaving for good; zero EndedAt: not ended early
	Moved, Returned, Kept int64
	Current               bool // may still be ended: not ended, and its end not passed
	Begun                 bool // its start has passed: only its end may change
}

func absenceRowOf(a store.Absence, now time.Time) absenceRow {
	row := absenceRow{ID: a.ID, Agent: a.AgentEmail, Reason: a.Reason, Delegates: strings.Join(a.Delegates, ", "),
		From: a.StartsAt, Moved: a.Moved, Returned: a.Returned, Kept: a.Kept}
	if a.EndsAt != nil {
		row.Until = *a.EndsAt
	}
	if a.EndedEarlyAt != nil {
		row.EndedAt = *a.EndedEarlyAt
	}
	// An absence may still be ended unless it is over, or the agent has left for good and the accounts moved.
	row.Current = row.EndedAt.IsZero() && (row.Until.After(now) || (row.Until.IsZero() && row.From.After(now)))
	row.Begun = !row.From.After(now)
	return row
}

// absenceForm is the form that starts an absence; dates are days (UTC).
type absenceForm struct {
	AgentEmail, Delegates, From, Until, Reason string
}

// absenceDatesForm is one absence's change of dates sent back with its errors.
type absenceDatesForm struct {
	ID          int64
	From, Until string
	Errors      fieldErrors
}

type absenceData struct {
	Rows   []absenceRow
	Total  int64
	Form   absenceForm
	Errors fieldErrors
	Dates  absenceDatesForm
}

const absencePageSize = 50

// absenceList lists the absences, the latest first, with the form to start one.
func (h *Handler) absenceList(r *request) error {
	return h.renderAbsences(r, http.StatusOK, absenceForm{}, fieldErrors{})
}

func (h *Handler) renderAbsences(r *request, status int, f absenceForm, fe fieldErrors) error {
	return h.renderAbsencesWith(r, status, f, fe, absenceDatesForm{})
}

func (h *Handler) renderAbsencesWith(r *request, status int, f absenceForm, fe fieldErrors, dates absenceDatesForm) error {
	list, total, err := h.app.Absences(r.c.Request.Context(), r.who, app.AbsenceQuery{Page: queryPage(r, absencePageSize)})
	if err != nil {
		return err
	}
	d := absenceData{Total: total, Form: f, Errors: fe, Dates: dates}
	now := time.Now()
	for _, a := range list {
		d.Rows = append(d.Rows, absenceRowOf(a, now))
	}
	h.render(r.c, status, "absences", h.newPage(r, "absence.title", "nav.absences", d))
	return nil
}

// absenceDay reads a day (YYYY-MM-DD) of the form as midnight UTC; "" is nil.
func absenceDay(field, v string) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, domain.FieldError(field, "%q: want a date such as 2026-07-01", v)
	}
	return &t, nil
}
