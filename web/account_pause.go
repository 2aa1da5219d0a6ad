package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"recoup/app"
)

// accountPause stops the account's reminders until a date or until resumed;
// the reason is required here (the journal keeps it).
func (h *Handler) accountPause(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	c, err := h.app.Customer(ctx, r.who, id) // the perimeter, and the zone the date is read in
	if err != nil {
		return err
	}
	form := accountForm{Name: "pause", Values: r.c.Request.PostForm, Errors: fieldErrors{ByField: map[string]string{}}}
	req := app.PauseRequest{Reason: strings.TrimSpace(r.c.PostForm("reason"))}
	if req.Reason == "" {
		form.Errors.add("reason", h.t(r, "account.reason_required"))
	}
	if v := strings.TrimSpace(r.c.PostForm("until")); v != "" {
		until, ok := parseLocal(v, c.TimeZone)
		if !ok {
			form.Errors.add("until", h.t(r, "account.until_invalid"))
		}
		req.Until = &until
	}
	if len(form.Errors.Summary) > 0 {
		return h.renderAccount(r, http.StatusBadRequest, form)
	}
	st, err := h.app.PauseDunning(ctx, r.who, id, req)
	if err != nil {
		return h.accountRefused(r, form, err)
	}
	msg := h.t(r, "account.paused_open")
	if !st.Until.IsZero() {
		msg = h.t(r, "account.paused_until", formatIn(st.Until, c.TimeZone))
	}
	return h.done(r, accountPath(id), msg)
}

// parseLocal reads a date (the start of that day) or a datetime-local value in the customer's zone.
func parseLocal(v, zone string) (time.Time, bool) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// formatIn is t in the customer's zone, with the zone's name.
func formatIn(t time.Time, zone string) string {
	if loc, err := time.LoadLocation(zone); err == nil {
		t = t.In(loc)
	}
	return t.Format("2006-01-02 15:04 MST")
}

func accountPath(id int64) string { return "/accounts/" + strconv.FormatInt(id, 10) }
