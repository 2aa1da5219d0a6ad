// Package api is Recoup's HTTP API: a thin Gin layer that validates input,
// then reads from the store, runs imports or talks to Temporal.
package api

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"recoup/dunningctl"
	"recoup/importer"
	"recoup/notify"
	"recoup/store"
)

//go:embed openapi.yaml
var openAPISpec []byte

// OpenAPISpec is the API's OpenAPI 3 document, which the tests hold the server to.
func OpenAPISpec() []byte { return openAPISpec }

// Body limits: a JSON command is small; an ERP file may be large but not unbounded.
const (
	maxJSONBody   = 1 << 20
	maxImportBody = 2 << 30
)

// Server holds what the handlers need.
type Server struct {
	store    *store.Store
	importer *importer.Importer
	temporal client.Client // nil: endpoints that need Temporal answer 503
	control  *dunningctl.Control
	log      *slog.Logger
	maxFile  int64
}

// Options configures the handler.
type Options struct {
	Store    *store.Store
	Temporal client.Client
	Logger   *slog.Logger
	// Mount adds routes outside /api/v1 (e.g. /dev/mail in `recoup dev`).
	Mount func(r *gin.Engine)
	// MaxImportBytes bounds an import file; 0 means 2 GiB.
	MaxImportBytes int64
	// TwilioAuthToken and PublicURL authenticate Twilio's status callbacks at
	// /webhooks/twilio (by signature, not session); empty token: no webhook.
	TwilioAuthToken string
	PublicURL       string
}

// NewHandler builds the HTTP handler.
func NewHandler(o Options) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{store: o.Store, importer: importer.New(o.Store.Pool), temporal: o.Temporal, log: o.Logger, maxFile: o.MaxImportBytes}
	if s.maxFile == 0 {
		s.maxFile = maxImportBody
	}
	if o.Temporal != nil {
		s.control = &dunningctl.Control{Client: o.Temporal}
	}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(recovery(s.log), requestID(), s.accessLog())
	r.NoRoute(s.notFoundRoute)
	r.NoMethod(s.methodNotAllowed)

	r.GET("/healthz", s.health)
	v1 := r.Group("/api/v1")
	v1.GET("/openapi.yaml", func(c *gin.Context) { c.Data(http.StatusOK, "application/yaml", openAPISpec) })
	v1.GET("/customers", s.listCustomers)
	v1.GET("/customers/:id", s.getCustomer)
	v1.GET("/invoices", s.listInvoices)
	v1.POST("/imports", s.createImport)
	v1.GET("/system/check", s.systemCheck)
	v1.GET("/scenarios", s.listScenarios)
	v1.POST("/scenarios", s.createScenario)
	v1.GET("/scenarios/:id", s.getScenario)
	v1.PUT("/scenarios/:id", s.updateScenario)
	v1.DELETE("/scenarios/:id", s.archiveScenario)
	v1.GET("/scenarios/:id/versions", s.listScenarioVersions)
	v1.GET("/scenarios/:id/versions/:version", s.getScenario)
	v1.GET("/tasks", s.listTasks)
	v1.POST("/tasks/:id/close", s.closeTask)
	v1.GET("/customers/:id/dunning", s.dunningStatus)
	v1.POST("/customers/:id/dunning/pause", s.pauseDunning)
	v1.POST("/customers/:id/dunning/resume", s.resumeDunning)
	v1.POST("/customers/:id/dunning/reassign", s.reassignDunning)
	v1.GET("/customers/:id/dunning/preview", s.previewDunning)
	v1.PUT("/customers/:id/scenario", s.pinScenario)
	v1.GET("/templates", s.listTemplates)
	v1.GET("/templates/:name/:channel/:language", s.getTemplate)
	v1.PUT("/templates/:name/:channel/:language", s.putTemplate)
	v1.DELETE("/templates/:name/:channel/:language", s.deleteTemplate)
	v1.GET("/scenario-rules", s.listRules)
	v1.POST("/scenario-rules", s.createRule)
	v1.GET("/scenario-rules/:id", s.getRule)
	v1.PUT("/scenario-rules/:id", s.updateRule)
	v1.DELETE("/scenario-rules/:id", s.deleteRule)
	v1.GET("/entities", s.listEntities)
	v1.GET("/entities/:code/contact-window", s.getContactWindow)
	v1.PUT("/entities/:code/contact-window", s.putContactWindow)
	if o.TwilioAuthToken != "" {
		r.POST("/webhooks/twilio", gin.WrapH(notify.WebhookHandler(o.TwilioAuthToken, o.PublicURL,
			s.deliveryReport)))
	}
	if o.Mount != nil {
		o.Mount(r)
	}
	return r
}

// Listen opens the API's address, saying clearly when it is taken.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("HTTP API cannot listen on %s (is another recoup running? set RECOUP_HTTP_ADDR or --http-addr): %w", addr, err)
	}
	return ln, nil
}

// Serve runs the handler on ln until ctx ends, then shuts down gracefully.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log.Info("HTTP API stopping")
	return srv.Shutdown(shutdown)
}

func (s *Server) health(c *gin.Context) {
	if err := s.store.Pool.Ping(c.Request.Context()); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "database": err.Error()})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
