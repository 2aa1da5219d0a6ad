package api

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"recoup/auth"
	"recoup/domain"
	"recoup/logs"
	"recoup/metrics"
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
		ctx := store.WithRequestID(c.Request.Context(), id)
		c.Request = c.Request.WithContext(logs.With(ctx, logs.RequestID, id))
		c.Next()
	}
}

// accessLog logs each request at debug (the request id, user and customer
// come from the context) and counts it in the metrics by route template,
// never by path: a path carries ids.
func (s *Server) accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		took := time.Since(start)
		metrics.HTTPRequest(c.Request.Method, c.FullPath(), c.Writer.Status(), took)
		path := c.Request.URL.Path
		if strings.HasPrefix(path, auth.PortalLinkPath) {
			path = auth.PortalLinkPath + "…" // a customer's portal link is a credential: never in the logs
		}
		s.log.DebugContext(c.Request.Context(), "http", "method", c.Request.Method, "path", path,
			"status", c.Writer.Status(), "took", took)
	}
}

// newID is a random, unguessable identifier.
func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// cleanInput refuses path and query values Postgres could not store as text
// (invalid UTF-8, NUL) and control characters, which no identifier, code or
// filter of Recoup contains: a clear 400 instead of a database error.
func (s *Server) cleanInput() gin.HandlerFunc {
	return func(c *gin.Context) {
		for _, p := range c.Params {
			if !printable(p.Value) {
				s.fail(c, domain.FieldError(p.Key, "contains invalid UTF-8 or control characters"))
				return
			}
		}
		for name, values := range c.Request.URL.Query() {
			for _, v := range append(values, name) {
				if !printable(v) {
					s.fail(c, domain.FieldError(strings.ToValidUTF8(name, "?"), "contains invalid UTF-8 or control characters"))
					return
				}
			}
		}
		c.Next()
	}
}

func printable(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}
