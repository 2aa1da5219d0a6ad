package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/store"
)

type notificationView struct {
	ID        int64                    `json:"id"`
	Kind      string                   `json:"kind"`
	CaseID    *int64                   `json:"case_id"`
	Text      string                   `json:"text"`
	Params    store.NotificationParams `json:"params"`
	CreatedAt time.Time                `json:"created_at"`
	ReadAt    *time.Time               `json:"read_at"`
}

func toNotification(n app.Notification) notificationView {
	return notificationView{ID: n.ID, Kind: string(n.Kind), CaseID: n.CaseID, Text: n.Text, Params: n.Params,
		CreatedAt: n.CreatedAt.UTC(), ReadAt: utcPtr(n.ReadAt)}
}

// language is the caller's language for texts: the one they chose, else
// their Accept-Language, else English.
func language(c *gin.Context) string {
	return app.NotificationLanguage(principal(c).Language, c.GetHeader("Accept-Language"))
}

// listNotifications answers the caller's notifications, newest first, and how many are unread.
func (s *Server) listNotifications(c *gin.Context) error {
	if err := queryParams(c, "unread", "limit", "offset"); err != nil {
		return err
	}
	var q app.NotificationQuery
	var err error
	if q.Page, err = page(c); err != nil {
		return err
	}
	unread, err := optionalBool(c, "unread")
	if err != nil {
		return err
	}
	q.Unread = unread != nil && *unread
	q.Language = language(c)
	n, err := s.app.MyNotifications(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(n.Items, toNotification), "total": n.Total, "limit": q.Limit, "offset": q.Offset,
		"unread": n.Unread})
	return nil
}

// readNotification marks one of the caller's notifications read.
func (s *Server) readNotification(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := queryParams(c); err != nil {
		return err
	}
	if err := s.app.MarkNotificationRead(c.Request.Context(), principal(c), id); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "read": true})
	return nil
}

// readAllNotifications marks every unread notification of the caller read.
func (s *Server) readAllNotifications(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	n, err := s.app.MarkAllNotificationsRead(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"marked": n})
	return nil
}

// Heartbeat is how often an idle stream sends a comment, so proxies and
// browsers keep the connection open.
const Heartbeat = 25 * time.Second

// notificationStream is the caller's live notifications as Server-Sent Events
// (GET /api/v1/notifications/stream, ?case=ID for that case's changes too):
// "notification" events with id: the notification's id (a client that comes
// back with Last-Event-ID first gets what it missed), "unread" events with the
// count, "case" events when the case changes, and a comment every Heartbeat.
// It ends when the client goes or the process stops.
func (s *Server) notificationStream(c *gin.Context) error {
	if err := queryParams(c, "case"); err != nil {
		return err
	}
	req := app.StreamRequest{Language: language(c)}
	caseID, err := optionalID(c, "case")
	if err != nil {
		return err
	}
	if caseID != nil {
		req.Case = *caseID
	}
	if v := c.GetHeader("Last-Event-ID"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 0 {
			return domain.FieldError("Last-Event-ID", "%q: want the id of a notification", v)
		}
		req.LastEventID, req.HasLast = id, true
	}
	stream, err := s.app.OpenStream(c.Request.Context(), principal(c), req)
	if err != nil {
		return err
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx and its kind: pass each event on at once
	c.Status(http.StatusOK)
	w := bufio.NewWriter(c.Writer)
	fmt.Fprint(w, "retry: 3000\n\n")
	// A stream outlives the server's timeouts: no read deadline (its expiry
	// would cancel the request), and each write gets its own deadline.
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetReadDeadline(time.Time{})
	flush := func() bool {
		_ = rc.SetWriteDeadline(time.Now().Add(s.heartbeat + WriteTimeout))
		if w.Flush() != nil {
			return false
		}
		c.Writer.Flush()
		return true
	}
	if !flush() {
		return nil
	}
	beat := time.NewTicker(s.heartbeat)
	defer beat.Stop()
	for {
		select {
		case ev, ok := <-stream.Events:
			if !ok {
				return nil
			}
			writeStreamEvent(w, ev)
		case <-beat.C:
			fmt.Fprint(w, ": heartbeat\n\n")
		}
		if !flush() {
			return nil
		}
	}
}

type unreadView struct {
	Unread int64 `json:"unread"`
}

type streamNotification struct {
	notificationView
	Unread *int64 `json:"unread,omitempty"`
}

type caseChangeView struct {
	CaseID int64  `json:"case_id"`
	Action string `json:"action"`
}

// writeStreamEvent writes one event: its name, its id (notifications only) and
// its data, JSON on one line.
func writeStreamEvent(w io.Writer, ev app.StreamEvent) {
	var name string
	var data any
	switch {
	case ev.Notification != nil:
		name, data = "notification", streamNotification{notificationView: toNotification(*ev.Notification), Unread: ev.Unread}
		fmt.Fprintf(w, "id: %d\n", ev.Notification.ID)
	case ev.Case != nil:
		name, data = "case", caseChangeView{CaseID: ev.Case.CaseID, Action: ev.Case.Action}
	case ev.Unread != nil:
		name, data = "unread", unreadView{Unread: *ev.Unread}
	default:
		return
	}
	b, _ := json.Marshal(data) // plain structs: cannot fail
	fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
}
