package web

import (
	"context"
	"net/http"
	"strings"

	"recoup/app"
	"recoup/domain"
	"recoup/store"
)

// windowForm is the contact window form as typed; its input names are the API's.
type windowForm struct {
	Start, End string
	AnyTime    bool
}

type entityWindowData struct {
	Entity store.Entity
	Form   windowForm
	Errors fieldErrors
	// Sender is the sender identity section (entity_sender.go).
	Sender       store.EntitySender
	SenderErrors fieldErrors
	// The sending gates' form (entity_settings.go), on the same page.
	Settings       settingsForm
	SettingsErrors fieldErrors
	// The customer portal's settings (entity_portal.go), on the same page.
	Portal       store.PortalSettings
	PortalErrors fieldErrors
}

// windowFormOf is the entity's saved contact window, as the form shows it.
func windowFormOf(e store.Entity) windowForm {
	return windowForm{Start: e.Window.Start, End: e.Window.End, AnyTime: e.Window.AnyTime}
}

// entityEdit shows an entity's contact window form.
func (h *Handler) entityEdit(r *request) error {
	e, err := h.entity(r.c.Request.Context(), r)
	if err != nil {
		return err
	}
	return h.entityPage(r, http.StatusOK, entityWindowData{Entity: e, Form: windowFormOf(e)})
}

// entityWindowSave changes an entity's contact window.
func (h *Handler) entityWindowSave(r *request) error {
	ctx := r.c.Request.Context()
	e, err := h.entity(ctx, r)
	if err != nil {
		return err
	}
	f := windowForm{Start: strings.TrimSpace(r.c.PostForm("start")), End: strings.TrimSpace(r.c.PostForm("end")),
		AnyTime: r.c.PostForm("any_time") == "on"}
	req := app.WindowRequest{AnyTime: f.AnyTime}
	if f.Start != "" {
		req.Start = &f.Start
	}
	if f.End != "" {
		req.End = &f.End
	}
	w, err := h.app.SetContactWindow(ctx, r.who, e.Code, req)
	if fe, ok := formError(err); ok {
		return h.entityPage(r, http.StatusBadRequest, entityWindowData{Entity: e, Form: f, Errors: fe})
	}
	if err != nil {
		return err
	}
	msg := h.t(r, "entity.saved", e.Name, w.Start, w.End)
	if w.AnyTime {
		msg = h.t(r, "entity.saved_any_time", e.Name)
	}
	return h.done(r, "/entities", msg)
}

// entity is the entity the route names.
func (h *Handler) entity(ctx context.Context, r *request) (store.Entity, error) {
	list, err := h.app.Entities(ctx, r.who)
	if err != nil {
		return store.Entity{}, err
	}
	code := r.c.Param("code")
	for _, e := range list {
		if e.Code == code {
			return e, nil
		}
	}
	return store.Entity{}, domain.Errorf(domain.CodeNotFound, "entity %q not found", code)
}

// entityPage shows the entity's three forms (contact window, sender, sending
// gates). A section re-shown with its errors keeps what was typed; the others
// are read afresh.
func (h *Handler) entityPage(r *request, status int, d entityWindowData) error {
	var err error
	if len(d.SenderErrors.Summary) == 0 {
		if d.Sender, err = h.app.EntitySender(r.c.Request.Context(), r.who, d.Entity.Code); err != nil {
			return err
		}
	}
	if len(d.SettingsErrors.Summary) == 0 {
		if d.Settings, err = h.settingsForm(r, d.Entity.Code); err != nil {
			return err
		}
	}
	if len(d.PortalErrors.Summary) == 0 {
		if d.Portal, err = h.app.PortalSettings(r.c.Request.Context(), r.who, d.Entity.Code); err != nil {
			return err
		}
	}
	h.render(r.c, status, "entity_window", h.newPage(r, "entity.window.title", "nav.entities", d))
	return nil
}
