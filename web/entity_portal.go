package web

import (
	"net/http"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/domain"
)

// entityPortalSave changes the entity's customer portal settings.
func (h *Handler) entityPortalSave(r *request) error {
	ctx := r.c.Request.Context()
	e, err := h.entity(ctx, r)
	if err != nil {
		return err
	}
	form := func(name string) string { return strings.TrimSpace(r.c.PostForm(name)) }
	req := app.PortalSettingsRequest{}
	var errs []error
	days := func(field string) *int {
		n, err := strconv.Atoi(form(field))
		if err != nil {
			errs = append(errs, domain.FieldError(field, "%q: want a number of days", form(field)))
			return nil
		}
		return &n
	}
	req.LinkDays, req.PromiseMaxDays = days("link_days"), days("promise_max_days")
	pay, doc, logo, color := form("pay_url"), form("document_url"), form("logo_url"), form("color")
	req.PayURL, req.DocumentURL, req.LogoURL, req.Color = &pay, &doc, &logo, &color
	if err = domain.Invalid(errs...); err == nil {
		_, err = h.app.SetPortalSettings(ctx, r.who, e.Code, req)
	}
	if fe, ok := formError(err); ok {
		d := entityWindowData{Entity: e, Form: windowFormOf(e), PortalErrors: fe}
		d.Portal.Code, d.Portal.PayURL, d.Portal.DocumentURL, d.Portal.LogoURL, d.Portal.Color = e.Code, pay, doc, logo, color
		if req.LinkDays != nil {
			d.Portal.LinkDays = *req.LinkDays
		}
		if req.PromiseMaxDays != nil {
			d.Portal.PromiseMaxDays = *req.PromiseMaxDays
		}
		return h.entityPage(r, http.StatusBadRequest, d)
	}
	if err != nil {
		return err
	}
	return h.done(r, "/entities", h.t(r, "portal.settings.saved", e.Name))
}
