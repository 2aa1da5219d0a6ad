package web

import "recoup/app"

// accountProceedingsRelease puts the invoices declared in the customer's
// insolvency proceedings back into dunning (the customer is active again).
func (h *Handler) accountProceedingsRelease(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	form := accountForm{Name: "proceedings-release", Values: r.c.Request.PostForm}
	ids, err := h.app.ReleaseProceedings(r.c.Request.Context(), r.who, id, app.ReleaseRequest{Reason: r.c.PostForm("reason")})
	if err != nil {
		return h.accountRefused(r, form, err)
	}
	return h.done(r, accountPath(id), h.t(r, "risk.proceedings.released", len(ids)))
}
