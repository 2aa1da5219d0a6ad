package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/store"
)

type notificationView struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	CaseID    *int64     `json:"case_id"`
	Text      string     `json:"text"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

func toNotification(n store.Notification) notificationView {
	return notificationView{ID: n.ID, Kind: string(n.Kind), CaseID: n.CaseID, Text: n.Text, CreatedAt: n.CreatedAt.UTC(),
		ReadAt: utcPtr(n.ReadAt)}
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
