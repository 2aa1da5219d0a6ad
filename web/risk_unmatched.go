package web

import (
	"net/http"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/store"
)

const riskUnmatchedRows = 50

type riskUnmatchedData struct {
	Items          []store.RiskSignal
	Total          int64
	Pages, Current int
	// The refused match form, again with its message by the signal's row.
	Failed   int64
	External string
	Errors   fieldErrors
}

// riskUnmatched is the queue of signals no customer was matched to.
func (h *Handler) riskUnmatched(r *request) error {
	return h.renderUnmatched(r, http.StatusOK, riskUnmatchedData{})
}

func (h *Handler) renderUnmatched(r *request, status int, d riskUnmatchedData) error {
	page := queryPage(r, riskUnmatchedRows)
	p, err := h.app.UnmatchedRiskSignals(r.c.Request.Context(), r.who, page)
	if err != nil {
		return err
	}
	d.Items, d.Total = p.Items, p.Total
	d.Current, d.Pages = page.Offset/riskUnmatchedRows+1, int((p.Total+riskUnmatchedRows-1)/riskUnmatchedRows)
	h.render(r.c, status, "risk_unmatched", h.newPage(r, "risk.unmatched_title", "nav.risk", d))
	return nil
}

// riskMatch gives a signal to the customer whose external id the form names.
func (h *Handler) riskMatch(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ext := strings.TrimSpace(r.c.PostForm("customer_external_id"))
	g, err := h.app.MatchRiskSignal(r.c.Request.Context(), r.who, id, app.RiskMatchRequest{CustomerExternalID: ext})
	if fe, ok := formError(err); ok {
		return h.renderUnmatched(r, http.StatusBadRequest, riskUnmatchedData{Failed: id, External: ext, Errors: fe})
	}
	if err != nil {
		return err
	}
	return h.done(r, "/risk/unmatched", h.t(r, "risk.matched", g.CompanyName, ext))
}

// riskDismiss takes a signal out of the queue.
func (h *Handler) riskDismiss(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.app.DismissRiskSignal(r.c.Request.Context(), r.who, id); err != nil {
		return err
	}
	return h.done(r, "/risk/unmatched", h.t(r, "risk.dismissed", strconv.FormatInt(id, 10)))
}
