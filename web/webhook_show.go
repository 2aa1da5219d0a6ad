package web

import (
	"net/http"

	"recoup/store"
)

// webhookLogRows is how much of the delivery log the page shows (the API pages through all of it).
const webhookLogRows = 100

// webhookShow is one subscription, its latest delivery attempts, and the
// forms to send a test event and to redeliver from an event.
func (h *Handler) webhookShow(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	w, err := h.app.Webhook(ctx, r.who, id)
	if err != nil {
		return err
	}
	log, err := h.app.WebhookDeliveries(ctx, r.who, id, 0, webhookLogRows)
	if err != nil {
		return err
	}
	h.render(r.c, http.StatusOK, "webhook_show", h.newPage(r, "webhook.show_title", "nav.webhooks", struct {
		Webhook    store.Webhook
		Deliveries []store.WebhookDelivery
	}{w, log}))
	return nil
}
