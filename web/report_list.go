package web

import (
	"net/http"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/store"
	"recoup/templates"
)

// The weekly reports page: every report with its recipients and schedule,
// a form to add one (or, at /reports/:id, to change one), delete and send now.

type reportData struct {
	Reports   []store.Report
	Entities  []store.Entity
	Groups    []store.KPIGroup
	Languages []string
	Weekdays  []int
	Hours     []int
	EditID    int64 // the report the form changes; 0: a new one
	Form      reportForm
	Errors    fieldErrors
}

// reportForm is the form as sent, to show it again with its errors.
type reportForm struct {
	Name, Entity, GroupBy, Currency, Recipients, Language string
	Weekday, Hour                                         string
	Active                                                bool
}

func formOfReport(rp store.Report) reportForm {
	return reportForm{Name: rp.Name, Entity: rp.Entity, GroupBy: rp.GroupBy, Currency: rp.Currency,
		Recipients: strings.Join(rp.Recipients, "\n"), Language: rp.Language, Weekday: strconv.Itoa(rp.Weekday),
		Hour: strconv.Itoa(rp.Hour), Active: rp.Active}
}

// input parses the form into the use case's input: recipients one a line
// (or separated by commas); a weekday or an hour that is not a number is
// missing, which the use case reports.
func (f reportForm) input() app.ReportInput {
	in := app.ReportInput{Name: f.Name, Entity: f.Entity, GroupBy: f.GroupBy, Currency: f.Currency, Language: f.Language,
		Active: &f.Active}
	for _, r := range strings.FieldsFunc(f.Recipients, func(c rune) bool { return c == '\n' || c == ',' || c == ';' }) {
		if r = strings.TrimSpace(r); r != "" {
			in.Recipients = append(in.Recipients, r)
		}
	}
	if n, err := strconv.Atoi(f.Weekday); err == nil {
		in.Weekday = &n
	}
	if n, err := strconv.Atoi(f.Hour); err == nil {
		in.Hour = &n
	}
	return in
}

func readReportForm(r *request) reportForm {
	return reportForm{Name: r.c.PostForm("name"), Entity: r.c.PostForm("entity"), GroupBy: r.c.PostForm("group_by"),
		Currency: r.c.PostForm("currency"), Recipients: r.c.PostForm("recipients"), Language: r.c.PostForm("language"),
		Weekday: r.c.PostForm("weekday"), Hour: r.c.PostForm("hour"), Active: r.c.PostForm("active") == "on"}
}

func (h *Handler) reportList(r *request) error {
	return h.renderReports(r, http.StatusOK, 0, reportForm{Active: true, Weekday: "1", Hour: "7", Language: r.lang}, fieldErrors{})
}

func (h *Handler) reportEdit(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rp, err := h.app.Report(r.c.Request.Context(), r.who, id)
	if err != nil {
		return err
	}
	return h.renderReports(r, http.StatusOK, id, formOfReport(rp), fieldErrors{})
}

func (h *Handler) renderReports(r *request, status int, editID int64, f reportForm, fe fieldErrors) error {
	ctx := r.c.Request.Context()
	list, err := h.app.Reports(ctx, r.who)
	if err != nil {
		return err
	}
	entities, err := h.app.Entities(ctx, r.who)
	if err != nil {
		return err
	}
	// A recipient's message (recipients[2]) shows next to the one field.
	for field, msg := range fe.ByField {
		if strings.HasPrefix(field, "recipients[") && fe.ByField["recipients"] == "" {
			fe.ByField["recipients"] = msg
		}
	}
	d := reportData{Reports: list, Entities: entities, Groups: store.KPIGroups, Languages: templates.ReportLanguages,
		Weekdays: []int{1, 2, 3, 4, 5, 6, 0}, EditID: editID, Form: f, Errors: fe}
	for h := range 24 {
		d.Hours = append(d.Hours, h)
	}
	title := "report.title"
	if editID != 0 {
		title = "report.edit.title"
	}
	h.render(r.c, status, "reports", h.newPage(r, title, "nav.reports", d))
	return nil
}

func (h *Handler) reportCreate(r *request) error { return h.reportSave(r, 0) }

func (h *Handler) reportUpdate(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.reportSave(r, id)
}

// reportSave saves the form; refused, the page again with the messages by
// the fields. Saved while Temporal is away, the confirmation says the
// schedule follows.
func (h *Handler) reportSave(r *request, id int64) error {
	f := readReportForm(r)
	saved, err := h.app.SaveReport(r.c.Request.Context(), r.who, id, f.input())
	if fe, ok := formError(err); ok {
		return h.renderReports(r, http.StatusBadRequest, id, f, fe)
	}
	if err != nil {
		return err
	}
	msg := h.t(r, "report.saved", saved.Name)
	if saved.ScheduleError != "" {
		msg += " " + h.t(r, "report.schedule_later")
	}
	return h.done(r, "/reports", msg)
}

func (h *Handler) reportDelete(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rp, err := h.app.Report(r.c.Request.Context(), r.who, id)
	if err != nil {
		return err
	}
	if _, err := h.app.DeleteReport(r.c.Request.Context(), r.who, id); err != nil {
		return err
	}
	return h.done(r, "/reports", h.t(r, "report.deleted", rp.Name))
}

// reportSend sends a report now (the worker mails it in a moment).
func (h *Handler) reportSend(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rp, err := h.app.Report(r.c.Request.Context(), r.who, id)
	if err != nil {
		return err
	}
	if _, err := h.app.RunReport(r.c.Request.Context(), r.who, id); err != nil {
		return err
	}
	return h.done(r, "/reports", h.t(r, "report.sending", rp.Name, strings.Join(rp.Recipients, ", ")))
}
