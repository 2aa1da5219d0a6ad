package web

import (
	"net/http"
	"strings"

	"recoup/app"
	"recoup/store"
)

// notificationData is the page of one's notifications, newest first.
type notificationData struct {
	Items          []notificationRow
	Total, Unread  int64
	UnreadOnly     bool
	Pages, Current int
	Back           string // this list's URL, where the mark-read forms come back to
	Live           bool   // the first page: the page's script adds new notifications at the top
	Kinds          []store.NotificationKind
}

// notificationRow is a notification as the list shows it.
type notificationRow struct {
	app.Notification
	Case int64 // the case it is about; 0: none
}

const notificationRows = 50

// notificationList lists the caller's notifications (?unread=1: only unread ones).
func (h *Handler) notificationList(r *request) error {
	query := r.c.Request.URL.Query()
	d := notificationData{UnreadOnly: query.Get("unread") == "1"}
	page := pageOf(query.Get("page"), notificationRows)
	n, err := h.app.MyNotifications(r.c.Request.Context(), r.who, app.NotificationQuery{Unread: d.UnreadOnly, Language: r.lang,
		Page: page})
	if err != nil {
		return err
	}
	d.Total, d.Unread = n.Total, n.Unread
	for _, it := range n.Items {
		row := notificationRow{Notification: it}
		if it.CaseID != nil {
			row.Case = *it.CaseID
		}
		d.Items = append(d.Items, row)
	}
	d.Current = page.Offset/notificationRows + 1
	d.Pages = int((d.Total + notificationRows - 1) / notificationRows)
	d.Back = r.c.Request.URL.RequestURI()
	d.Live, d.Kinds = d.Current == 1, store.NotificationKinds
	h.render(r.c, http.StatusOK, "notification_list", h.newPage(r, "notification.title", "", d))
	return nil
}

// notificationRead marks one notification read, then back to the list.
func (h *Handler) notificationRead(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.MarkNotificationRead(r.c.Request.Context(), r.who, id); err != nil {
		return err
	}
	return h.done(r, notificationsBack(r), h.t(r, "notification.marked"))
}

// notificationReadAll marks every unread notification read.
func (h *Handler) notificationReadAll(r *request) error {
	n, err := h.app.MarkAllNotificationsRead(r.c.Request.Context(), r.who)
	if err != nil {
		return err
	}
	return h.done(r, notificationsBack(r), h.t(r, "notification.marked_all", n))
}

// notificationsBack is the notifications list the form came from, else the whole list.
func notificationsBack(r *request) string {
	back := r.c.PostForm("back")
	if back == "/notifications" || strings.HasPrefix(back, "/notifications?") {
		return back
	}
	return "/notifications"
}
