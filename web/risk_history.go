package web

import (
	"net/http"
	"time"

	"recoup/app"
	"recoup/domain"
	"recoup/dunning"
)

// riskPanelRows is how many signals the account page lists (the history page has them all).
const riskPanelRows = 5

const riskHistoryRows = 50

type riskHistoryData struct {
	CustomerID     int64
	Name           string
	Risk           app.CustomerRisk
	Pages, Current int
}

// riskHistory is every signal of a customer, newest observation first.
func (h *Handler) riskHistory(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	c, err := h.app.Customer(ctx, r.who, id)
	if err != nil {
		return err
	}
	page := queryPage(r, riskHistoryRows)
	risk, err := h.app.CustomerRisk(ctx, r.who, id, page)
	if err != nil {
		return err
	}
	d := riskHistoryData{CustomerID: id, Name: c.Name, Risk: risk, Current: page.Offset/riskHistoryRows + 1,
		Pages: int((risk.History.Total + riskHistoryRows - 1) / riskHistoryRows)}
	h.render(r.c, http.StatusOK, "risk_history", h.newPage(r, "risk.history_title", "nav.accounts", d))
	return nil
}

// accountRisk is the account page's Risk panel: the latest and the newest signals.
func (h *Handler) accountRisk(r *request, id int64) (*app.CustomerRisk, error) {
	risk, err := h.app.CustomerRisk(r.c.Request.Context(), r.who, id, domain.Page{Limit: riskPanelRows})
	if err != nil {
		return nil, err
	}
	return &risk, nil
}

// Day formats a calendar date that may be missing (nil: "") for the page's language.
func (p *Page) Day(d *dunning.Date) string {
	if d == nil || d.IsZero() {
		return ""
	}
	return p.Date(d.In(time.UTC))
}

// Score is a score that may be missing, as the catalogue's %v wants it.
func (p *Page) Score(n *int) any {
	if n == nil {
		return ""
	}
	return *n
}
