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

// statusOf maps an application error code to its HTTP status, in one place;
// a code it does not know is a 500.
var statusOf = map[domain.Code]int{
	domain.CodeInvalid:         http.StatusBadRequest,
	domain.CodeNotFound:        http.StatusNotFound,
	domain.CodeConflict:        http.StatusConflict,
	domain.CodeUnauthorized:    http.StatusUnauthorized,
	domain.CodeForbidden:       http.StatusForbidden,
	domain.CodeUnavailable:     http.StatusServiceUnavailable,
	domain.CodeTooManyAttempts: http.StatusTooManyRequests,
	domain.CodeInternal:        http.StatusInternalServerError,
}

// fail answers err as JSON; internal errors are logged and not shown.
func (s *Server) fail(c *gin.Context, err error) {
	var de *domain.Error
	var fe *importer.FileError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &de):
		status, ok := statusOf[de.Code]
		if !ok {
			s.log.ErrorContext(c.Request.Context(), "error code without a status", "code", de.Code, "err", err)
			status = http.StatusInternalServerError
		}
		if de.Code == domain.CodeTooManyAttempts {
			c.Header("Retry-After", strconv.Itoa(int(app.LoginWindow.Seconds())))
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
