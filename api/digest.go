package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recoup/domain"
)

func (s *Server) dailyDigest(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	d, err := s.app.DailyDigest(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, d)
	return nil
}

// digestSetting is the caller's choice of the daily digest email.
type digestSetting struct {
	Digest *bool `json:"digest"`
}

func (s *Server) setMyDigest(c *gin.Context) error {
	var in digestSetting
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Digest == nil {
		return domain.FieldError("digest", "required: true or false")
	}
	if err := s.app.SetDigest(c.Request.Context(), principal(c), *in.Digest); err != nil {
		return err
	}
	c.JSON(http.StatusOK, in)
	return nil
}

// notificationDigestSetting is the caller's choice of the email of their unread notifications.
type notificationDigestSetting struct {
	NotificationDigest *bool `json:"notification_digest"`
}

func (s *Server) setMyNotificationDigest(c *gin.Context) error {
	var in notificationDigestSetting
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.NotificationDigest == nil {
		return domain.FieldError("notification_digest", "required: true or false")
	}
	if err := s.app.SetNotificationDigest(c.Request.Context(), principal(c), *in.NotificationDigest); err != nil {
		return err
	}
	c.JSON(http.StatusOK, in)
	return nil
}
