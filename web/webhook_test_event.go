package web

import (
	"strconv"
)

// webhookTest sends a signed test event now and says what the receiver answered.
func (h *Handler) webhookTest(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := h.app.SendTestEvent(r.c.Request.Context(), r.who, id)
	if err != nil {
		return err
	}
	back := "/webhooks/" + strconv.FormatInt(id, 10)
	if d.OK {
		return h.done(r, back, h.t(r, "webhook.test_sent", d.Status, d.LatencyMS))
	}
	return h.done(r, back, h.t(r, "webhook.test_failed", d.Error))
}
