package web

import (
	"net/http"
	"net/url"
	"strconv"

	"recoup/app"
	"recoup/store"
)

type riskAlertListData struct {
	Rows           []store.RiskAlertView
	Total          int64
	State          string // open (default), acknowledged, all
	Customer       int64
	Errors         fieldErrors
	Pages, Current int
}

const riskAlertRows = 50

// riskAlertList lists the risk alerts inside the person's perimeter, open
// ones first by default; the filters are in the URL.
func (h *Handler) riskAlertList(r *request) error {
	query := r.c.Request.URL.Query()
	d := riskAlertListData{State: query.Get("state")}
	q := app.RiskAlertQuery{State: d.State, Page: pageOf(query.Get("page"), riskAlertRows)}
	switch d.State {
	case "":
		d.State, q.State = "open", "open"
	case "all":
		q.State = ""
	}
	if id, err := strconv.ParseInt(query.Get("customer"), 10, 64); err == nil && id > 0 {
		d.Customer, q.CustomerID = id, id
	}
	status := http.StatusOK
	var err error
	d.Rows, d.Total, err = h.app.RiskAlerts(r.c.Request.Context(), r.who, q)
	if fe, ok := formError(err); ok {
		d.Errors, status = fe, http.StatusBadRequest
	} else if err != nil {
		return err
	}
	d.Current = q.Page.Offset/riskAlertRows + 1
	d.Pages = int((d.Total + riskAlertRows - 1) / riskAlertRows)
	p := h.newPage(r, "risk.alerts.title", "nav.risk_alerts", d)
	p.Query = url.Values(query)
	h.render(r.c, status, "risk_alert_list", p)
	return nil
}

// riskAlertAcknowledge marks an alert dealt with and goes back where the
// person was (the list, or the account page: back=account).
func (h *Handler) riskAlertAcknowledge(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.AcknowledgeRiskAlert(r.c.Request.Context(), r.who, id); err != nil {
		return err
	}
	to := "/risk/alerts"
	if c, err := strconv.ParseInt(r.c.PostForm("customer"), 10, 64); err == nil && c > 0 {
		to = "/accounts/" + strconv.FormatInt(c, 10)
	}
	return h.done(r, to, h.t(r, "risk.alert.acknowledged", id))
}
