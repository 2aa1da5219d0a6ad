package web

import (
	"strconv"
	"strings"

	"recoup/domain"
)

// webhookRedeliver moves the subscription's cursor back: every matching
// event from the id given is delivered again, in order.
func (h *Handler) webhookRedeliver(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	back := "/webhooks/" + strconv.FormatInt(id, 10)
	from, err := strconv.ParseInt(strings.TrimSpace(r.c.PostForm("from")), 10, 64)
	if err != nil {
		return h.done(r, back, h.t(r, "webhook.redeliver_bad"))
	}
	if _, err := h.app.RedeliverWebhook(r.c.Request.Context(), r.who, id, from); err != nil {
		if domain.ErrorCode(err) == domain.CodeInvalid {
			return h.done(r, back, err.Error())
		}
		return err
	}
	return h.done(r, back, h.t(r, "webhook.redelivering", from))
}
