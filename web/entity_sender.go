package web

import (
	"net/http"
	"strings"

	"recoup/app"
	"recoup/store"
)

// entitySenderSave changes who an entity's reminder emails come from, where
// replies go and their signature; the form is a section of the entity page.
func (h *Handler) entitySenderSave(r *request) error {
	ctx := r.c.Request.Context()
	e, err := h.entity(ctx, r)
	if err != nil {
		return err
	}
	field := func(name string) string { return strings.TrimSpace(r.c.PostForm(name)) }
	req := app.SenderRequest{SenderName: field("sender_name"), SenderAddress: field("sender_address"),
		ReplyTo: field("reply_to"), SignatureName: field("signature_name"), SignaturePhone: field("signature_phone")}
	_, err = h.app.SetEntitySender(ctx, r.who, e.Code, req)
	if fe, ok := formError(err); ok {
		d := entityWindowData{Entity: e, Form: windowFormOf(e), Sender: store.EntitySender(req), SenderErrors: fe}
		return h.entityPage(r, http.StatusBadRequest, d)
	}
	if err != nil {
		return err
	}
	return h.done(r, "/entities", h.t(r, "entity.sender.saved", e.Name))
}
