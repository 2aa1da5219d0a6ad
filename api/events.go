package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/auth"
	"recoup/domain"
)

// eventRoutes are the event feed's and the webhooks' routes.
var eventRoutes = []Route{
	{"GET", "/events", auth.EventsRead, (*Server).listEvents},
	{"GET", "/webhooks", auth.WebhooksManage, (*Server).listWebhooks},
	{"POST", "/webhooks", auth.WebhooksManage, (*Server).createWebhook},
	{"GET", "/webhooks/:id", auth.WebhooksManage, (*Server).getWebhook},
	{"PUT", "/webhooks/:id", auth.WebhooksManage, (*Server).updateWebhook},
	{"DELETE", "/webhooks/:id", auth.WebhooksManage, (*Server).deleteWebhook},
	{"GET", "/webhooks/:id/deliveries", auth.WebhooksManage, (*Server).listWebhookDeliveries},
	{"POST", "/webhooks/:id/test", auth.WebhooksManage, (*Server).testWebhook},
	{"POST", "/webhooks/:id/redeliver", auth.WebhooksManage, (*Server).redeliverWebhook},
}

// nonNegative reads an optional integer query parameter (0 when absent).
func nonNegative(c *gin.Context, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, domain.FieldError(name, "%q: want a whole number (0 or more)", v)
	}
	return n, nil
}

// listEvents answers the feed after ?after=, with next: the position to ask from next time.
func (s *Server) listEvents(c *gin.Context) error {
	if err := queryParams(c, "after", "types", "limit"); err != nil {
		return err
	}
	var q app.EventQuery
	var err error
	if q.After, err = nonNegative(c, "after"); err != nil {
		return err
	}
	limit, err := nonNegative(c, "limit")
	if err != nil {
		return err
	}
	q.Limit = int(min(limit, app.MaxEventLimit+1))
	if t := c.Query("types"); t != "" {
		q.Types = strings.Split(t, ",")
	}
	page, err := s.app.Events(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": nonNil(page.Events), "next": page.Next, "more": page.More})
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) listWebhooks(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	list, err := s.app.Webhooks(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": nonNil(list)})
	return nil
}

func (s *Server) createWebhook(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	var req app.WebhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	w, err := s.app.CreateWebhook(c.Request.Context(), principal(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, w)
	return nil
}

func (s *Server) getWebhook(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	w, err := s.app.Webhook(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, w)
	return nil
}

func (s *Server) updateWebhook(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	var req app.WebhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	w, err := s.app.UpdateWebhook(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, w)
	return nil
}

func (s *Server) deleteWebhook(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	if err := s.app.DeleteWebhook(c.Request.Context(), principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) listWebhookDeliveries(c *gin.Context) error {
	if err := queryParams(c, "before", "limit"); err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	before, err := nonNegative(c, "before")
	if err != nil {
		return err
	}
	limit, err := nonNegative(c, "limit")
	if err != nil {
		return err
	}
	list, err := s.app.WebhookDeliveries(c.Request.Context(), principal(c), id, before, int(min(limit, 500)))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": nonNil(list)})
	return nil
}

func (s *Server) testWebhook(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	d, err := s.app.SendTestEvent(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, d)
	return nil
}

// redeliverRequest names the first event to send again.
type redeliverRequest struct {
	From int64 `json:"from"`
}

func (s *Server) redeliverWebhook(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	var req redeliverRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	w, err := s.app.RedeliverWebhook(c.Request.Context(), principal(c), id, req.From)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, w)
	return nil
}
