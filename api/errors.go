package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/importer"
)

// errorBody is every error's JSON: {"error":{"code":...,"message":...}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Line    int64  `json:"line,omitempty"`
}

// fail answers err as JSON; internal errors are logged and not shown.
func (s *Server) fail(c *gin.Context, err error) {
	var de *domain.Error
	var fe *importer.FileError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &de):
		status := de.Code.HTTPStatus()
		if status == http.StatusInternalServerError {
			s.log.ErrorContext(c.Request.Context(), "request failed", "method", c.Request.Method, "path", c.FullPath(), "code", de.Code, "err", err)
		}
		switch de.Code {
		case domain.CodeTooManyAttempts:
			c.Header("Retry-After", strconv.Itoa(int(app.LoginWindow.Seconds())))
		case domain.CodeUnavailable:
			c.Header("Retry-After", strconv.Itoa(int(app.RetryUnavailable.Seconds())))
		}
		c.AbortWithStatusJSON(status, errorBody{errorDetail{Code: string(de.Code), Message: de.Message, Field: de.Field}})
	case errors.As(err, &fe):
		c.AbortWithStatusJSON(http.StatusBadRequest, errorBody{errorDetail{Code: "invalid_file", Message: fe.Error(), Line: fe.Line}})
	case errors.As(err, &tooBig):
		c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, errorBody{errorDetail{Code: "too_large", Message: "request body is larger than the limit of this endpoint"}})
	default:
		s.log.ErrorContext(c.Request.Context(), "request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
		c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{errorDetail{Code: string(domain.CodeInternal), Message: "internal error; it has been logged"}})
	}
}

func (s *Server) notFoundRoute(c *gin.Context) {
	s.fail(c, domain.Errorf(domain.CodeNotFound, "no route %s %s", c.Request.Method, c.Request.URL.Path))
}

func (s *Server) methodNotAllowed(c *gin.Context) {
	c.AbortWithStatusJSON(http.StatusMethodNotAllowed, errorBody{errorDetail{Code: "method_not_allowed",
		Message: c.Request.Method + " is not allowed on " + c.Request.URL.Path}})
}

func recovery(log *slog.Logger) gin.HandlerFunc {
	return gin.CustomRecovery(func(c *gin.Context, v any) {
		log.Error("panic in handler", "path", c.Request.URL.Path, "panic", v)
		c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{errorDetail{Code: string(domain.CodeInternal), Message: "internal error; it has been logged"}})
	})
}
