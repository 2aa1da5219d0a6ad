package api

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/store"
)

const requestIDHeader = "X-Request-Id"

// requestID tags each request so logs and the audit journal can be matched.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(requestIDHeader)
		if id == "" || len(id) > 64 {
			id = newID()
		}
		c.Set(requestIDHeader, id)
		c.Header(requestIDHeader, id)
		c.Request = c.Request.WithContext(store.WithRequestID(c.Request.Context(), id))
		c.Next()
	}
}

func (s *Server) accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		s.log.Debug("http", "method", c.Request.Method, "path", c.Request.URL.Path, "status", c.Writer.Status(),
			"took", time.Since(start), "request_id", c.GetString(requestIDHeader))
	}
}

// newID is a random, unguessable identifier.
func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
