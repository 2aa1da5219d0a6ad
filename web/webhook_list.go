package web

import (
	"net/http"

	"recoup/store"
)

// webhookList is every subscription with its state and cursor.
func (h *Handler) webhookList(r *request) error {
	list, err := h.app.Webhooks(r.c.Request.Context(), r.who)
	if err != nil {
		return err
	}
	h.render(r.c, http.StatusOK, "webhook_list", h.newPage(r, "webhook.list_title", "nav.webhooks",
		struct{ Webhooks []store.Webhook }{list}))
	return nil
}
