package web

import (
	"net/http"
	"strings"

	"recoup/app"
	"recoup/auth"
	"recoup/store"
)

// quarantineRoutes are the customer replies waiting for an agent: their
// sender is not a contact of the account (app.ReceiveCustomerEmail).
var quarantineRoutes = []route{
	{method: "GET", path: "/quarantine", action: auth.CasesRead, handle: (*Handler).quarantineList},
	{method: "POST", path: "/quarantine/:id", action: auth.CasesOpen, handle: (*Handler).quarantineDecide},
}

type quarantineData struct {
	Items          []quarantineRow
	Total          int64
	Pages, Current int
}

type quarantineRow struct {
	store.InboundEmail
	AttachmentNames string
}

const quarantineRows = 50

// quarantineList lists the quarantined replies inside the caller's perimeter.
func (h *Handler) quarantineList(r *request) error {
	page := pageOf(r.c.Query("page"), quarantineRows)
	list, total, err := h.app.QuarantineList(r.c.Request.Context(), r.who, page)
	if err != nil {
		return err
	}
	d := quarantineData{Total: total, Current: page.Offset/quarantineRows + 1, Pages: int((total + quarantineRows - 1) / quarantineRows)}
	for _, e := range list {
		names := make([]string, len(e.Attachments))
		for i, a := range e.Attachments {
			names[i] = a.Name
		}
		d.Items = append(d.Items, quarantineRow{InboundEmail: e, AttachmentNames: strings.Join(names, ", ")})
	}
	h.render(r.c, http.StatusOK, "quarantine", h.newPage(r, "quarantine.title", "", d))
	return nil
}

// quarantineDecide confirms or discards one quarantined reply.
func (h *Handler) quarantineDecide(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	req := app.QuarantineDecision{Decision: r.c.PostForm("decision")}
	res, err := h.app.DecideQuarantine(r.c.Request.Context(), r.who, id, req)
	if err != nil {
		return err
	}
	if req.Decision == "confirm" {
		return h.done(r, "/quarantine", h.t(r, "quarantine.confirmed", res.Case.CaseID))
	}
	return h.done(r, "/quarantine", h.t(r, "quarantine.discarded"))
}
