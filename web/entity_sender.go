package web

import (
	"net/http"
	"strconv"
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
		ReplyTo: field("reply_to"), SignatureName: field("signature_name"), SignaturePhone: field("signature_phone"),
		ReplyDomain: field("reply_domain"), ReplyLocal: field("reply_local")}
	pause := app.DefaultReplyPauseDays
	if v := field("reply_pause_days"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			pause = n
		} else {
			pause = -1 // refused by SetEntitySender, on its field
		}
	}
	req.ReplyPauseDays = &pause
	_, err = h.app.SetEntitySender(ctx, r.who, e.Code, req)
	if fe, ok := formError(err); ok {
		d := entityWindowData{Entity: e, Form: windowFormOf(e), Sender: store.EntitySender{SenderName: req.SenderName,
			SenderAddress: req.SenderAddress, ReplyTo: req.ReplyTo, SignatureName: req.SignatureName, SignaturePhone: req.SignaturePhone,
			ReplyDomain: req.ReplyDomain, ReplyLocal: req.ReplyLocal, ReplyPauseDays: pause}, SenderErrors: fe}
		return h.entityPage(r, http.StatusBadRequest, d)
	}
	if err != nil {
		return err
	}
	return h.done(r, "/entities", h.t(r, "entity.sender.saved", e.Name))
}
