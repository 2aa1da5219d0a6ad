// Package api is Recoup's JSON API: a thin Gin layer that decodes a request,
// calls one use case (package app) and encodes its answer or error. Rules,
// permissions beyond the route's early check, and journaling live in app.
package api

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/auth"
	"recoup/metrics"
	"recoup/notify"
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
	app       *app.App
	log       *slog.Logger
	maxFile   int64
	heartbeat time.Duration
}

// Options configures the handler.
type Options struct {
	App    *app.App
	Logger *slog.Logger
	// Mount adds routes outside /api/v1 (e.g. /dev/mail in `recoup dev`).
	Mount func(r *gin.Engine)
	// MaxImportBytes bounds an import file; 0 means 2 GiB.
	MaxImportBytes int64
	// TwilioAuthToken and PublicURL authenticate Twilio's status callbacks at
	// /webhooks/twilio (by signature, not session); empty token: no webhook.
	TwilioAuthToken string
	PublicURL       string
	// Heartbeat is how often an idle notification stream sends a comment; 0: Heartbeat (25 s).
	Heartbeat time.Duration
	// TrustedProxies are the proxies whose X-Forwarded-For gives the client's
	// address (ParseTrustedProxies); none: the connection's peer, always.
	TrustedProxies []string
}

// ParseTrustedProxies reads RECOUP_TRUSTED_PROXIES: addresses or CIDRs, comma-separated.
func ParseTrustedProxies(v string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return nil, fmt.Errorf("RECOUP_TRUSTED_PROXIES: %q is neither an address nor a CIDR", p)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// NewHandler builds the HTTP handler.
func NewHandler(o Options) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{app: o.App, log: o.Logger, maxFile: o.MaxImportBytes, heartbeat: o.Heartbeat}
	if s.heartbeat == 0 {
		s.heartbeat = Heartbeat
	}
	if s.maxFile == 0 {
		s.maxFile = maxImportBody
	}
	r := gin.New()
	// Gin believes X-Forwarded-For from anyone by default: only the proxies named.
	if err := r.SetTrustedProxies(o.TrustedProxies); err != nil {
		s.log.Error("trusted proxies refused: none are trusted", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.HandleMethodNotAllowed = true
	r.Use(recovery(s.log), requestID(), s.accessLog())
	r.NoRoute(s.notFoundRoute)
	r.NoMethod(s.methodNotAllowed)

	// Prometheus figures, without sign-in: no label carries an id, an email or
	// an amount (see package metrics); keep the path off the public internet
	// at the proxy if even counts should stay private.
	r.GET("/metrics", gin.WrapH(metrics.Handler()))
	r.GET("/healthz", s.health)
	r.GET("/readyz", s.ready)
	v1 := r.Group("/api/v1")
	v1.GET("/openapi.yaml", func(c *gin.Context) { c.Data(http.StatusOK, "application/yaml", openAPISpec) })
	v1.POST("/auth/login", s.handle((*Server).login))
	v1.POST("/auth/logout", s.handle((*Server).logout))
	signedIn := v1.Group("", s.authenticate(), s.cleanInput())
	for _, rt := range routes {
		signedIn.Handle(rt.Method, rt.Path, s.allow(rt.Action), s.handle(rt.handle))
	}
	// Risk providers' signals (README "Signals in"): signed with the
	// provider's secret, never a session.
	r.POST("/webhooks/risk/:provider", s.handle((*Server).riskWebhook))
	if o.TwilioAuthToken != "" {
		r.POST("/webhooks/twilio", gin.WrapH(notify.WebhookHandler(o.TwilioAuthToken, o.PublicURL,
			s.app.DeliveryReport)))
		// Texts customers send to the number (STOP, START): set as the number's incoming-message URL.
		r.POST("/webhooks/twilio/inbound", gin.WrapH(notify.InboundHandler(o.TwilioAuthToken, o.PublicURL,
			s.app.InboundText)))
	}
	if o.Mount != nil {
		o.Mount(r)
	}
	return r
}

// Route is one authenticated API route and the action it needs. The action
// is checked before the body is read (a refused caller's upload is never
// taken in); the use case checks it again, for the doors without routes.
type Route struct {
	Method, Path string
	Action       auth.Action // "": any signed-in caller (their own session and tokens)
	handle       handler
}

// handler translates one request onto a use case; its error is answered in one place.
type handler func(*Server, *gin.Context) error

func (s *Server) handle(h handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(s, c); err != nil {
			s.fail(c, err)
		}
	}
}

// routes is every route behind sign-in; each names the permission it needs,
// and the tests try each one with every role.
var routes = []Route{
	{"GET", "/auth/me", "", (*Server).me},
	{"PUT", "/profile/digest", auth.TokensOwn, (*Server).setMyDigest},
	{"PUT", "/profile/notification-digest", auth.NotificationsOwn, (*Server).setMyNotificationDigest},
	{"GET", "/tokens", auth.TokensOwn, (*Server).listTokens},
	{"POST", "/tokens", auth.TokensOwn, (*Server).createToken},
	{"DELETE", "/tokens/:id", auth.TokensOwn, (*Server).revokeToken},
	{"GET", "/users", auth.UsersManage, (*Server).listUsers},
	{"PUT", "/users", auth.UsersManage, (*Server).putUser},
	{"POST", "/users/:email/tokens", auth.UsersManage, (*Server).createUserToken},
	{"GET", "/customers", auth.AccountsRead, (*Server).listCustomers},
	{"GET", "/customers/:id", auth.AccountsRead, (*Server).getCustomer},
	{"GET", "/customers/:id/history", auth.HistoryRead, (*Server).customerHistory},
	{"GET", "/invoices", auth.AccountsRead, (*Server).listInvoices},
	{"GET", "/columns", auth.AccountsRead, (*Server).listColumns},
	{"POST", "/columns", auth.ColumnsManage, (*Server).createColumn},
	{"PUT", "/columns/:id", auth.ColumnsManage, (*Server).updateColumn},
	{"DELETE", "/columns/:id", auth.ColumnsManage, (*Server).deleteColumn},
	{"POST", "/imports", auth.ImportsCreate, (*Server).createImport},
	{"GET", "/system/check", auth.SystemCheck, (*Server).systemCheck},
	{"GET", "/scenarios", auth.ScenariosRead, (*Server).listScenarios},
	{"POST", "/scenarios", auth.ScenariosWrite, (*Server).createScenario},
	{"GET", "/scenarios/:id", auth.ScenariosRead, (*Server).getScenario},
	{"PUT", "/scenarios/:id", auth.ScenariosWrite, (*Server).updateScenario},
	{"DELETE", "/scenarios/:id", auth.ScenariosWrite, (*Server).archiveScenario},
	{"GET", "/scenarios/:id/versions", auth.ScenariosRead, (*Server).listScenarioVersions},
	{"GET", "/scenarios/:id/versions/:version", auth.ScenariosRead, (*Server).getScenario},
	{"GET", "/tasks", auth.TasksRead, (*Server).listTasks},
	{"POST", "/tasks", auth.TasksCreate, (*Server).createTask},
	{"POST", "/tasks/:id/close", auth.TasksClose, (*Server).closeTask},
	{"POST", "/tasks/:id/claim", auth.TasksClose, (*Server).claimTask},
	{"POST", "/tasks/:id/complete", auth.TasksClose, (*Server).completeTask},
	{"GET", "/worklist", auth.TasksRead, (*Server).worklist},
	{"GET", "/customers/:id/dunning", auth.DunningRead, (*Server).dunningStatus},
	{"POST", "/customers/:id/dunning/pause", auth.DunningControl, (*Server).pauseDunning},
	{"POST", "/customers/:id/dunning/resume", auth.DunningControl, (*Server).resumeDunning},
	{"POST", "/customers/:id/dunning/reassign", auth.DunningReassign, (*Server).reassignDunning},
	{"GET", "/customers/:id/dunning/preview", auth.DunningRead, (*Server).previewDunning},
	{"PUT", "/customers/:id/scenario", auth.ScenariosWrite, (*Server).pinScenario},
	{"GET", "/customers/:id/promises", auth.AccountsRead, (*Server).listPromises},
	{"POST", "/customers/:id/promises", auth.DunningControl, (*Server).createPromise},
	{"POST", "/promises/:id/cancel", auth.DunningControl, (*Server).cancelPromise},
	{"GET", "/customers/:id/payment-plans", auth.AccountsRead, (*Server).listPlans},
	{"POST", "/customers/:id/payment-plans", auth.DunningControl, (*Server).createPlan},
	{"POST", "/payment-plans/:id/cancel", auth.DunningControl, (*Server).cancelPlan},
	{"GET", "/templates", auth.TemplatesRead, (*Server).listTemplates},
	{"GET", "/templates/:name/:channel/:language", auth.TemplatesRead, (*Server).getTemplate},
	{"PUT", "/templates/:name/:channel/:language", auth.TemplatesWrite, (*Server).putTemplate},
	{"DELETE", "/templates/:name/:channel/:language", auth.TemplatesWrite, (*Server).deleteTemplate},
	{"GET", "/risk/rules", auth.RiskRulesRead, (*Server).listRiskRules},
	{"POST", "/risk/rules", auth.RiskRulesWrite, (*Server).createRiskRule},
	{"GET", "/risk/rules/:id", auth.RiskRulesRead, (*Server).getRiskRule},
	{"PUT", "/risk/rules/:id", auth.RiskRulesWrite, (*Server).updateRiskRule},
	{"DELETE", "/risk/rules/:id", auth.RiskRulesWrite, (*Server).deleteRiskRule},
	{"GET", "/risk/alerts", auth.RiskAlertsRead, (*Server).listRiskAlerts},
	{"POST", "/risk/alerts/:id/acknowledge", auth.RiskAlertsAck, (*Server).acknowledgeRiskAlert},
	{"GET", "/scenario-rules", auth.ScenariosRead, (*Server).listRules},
	{"POST", "/scenario-rules", auth.ScenariosWrite, (*Server).createRule},
	{"GET", "/scenario-rules/:id", auth.ScenariosRead, (*Server).getRule},
	{"PUT", "/scenario-rules/:id", auth.ScenariosWrite, (*Server).updateRule},
	{"DELETE", "/scenario-rules/:id", auth.ScenariosWrite, (*Server).deleteRule},
	{"POST", "/portfolios/assign", auth.DunningReassign, (*Server).assignPortfolio},
	{"GET", "/agent-rules", auth.ScenariosRead, (*Server).listAgentRules},
	{"PUT", "/agent-rules", auth.AgentRulesWrite, (*Server).putAgentRules},
	{"GET", "/absences", auth.DunningReassign, (*Server).listAbsences},
	{"POST", "/absences", auth.DunningReassign, (*Server).createAbsence},
	{"GET", "/absences/:id", auth.DunningReassign, (*Server).getAbsence},
	{"PUT", "/absences/:id", auth.DunningReassign, (*Server).changeAbsence},
	{"PATCH", "/absences/:id", auth.DunningReassign, (*Server).changeAbsence}, // the same change: only the dates change
	{"DELETE", "/absences/:id", auth.DunningReassign, (*Server).endAbsence},
	{"GET", "/entities", auth.EntitiesRead, (*Server).listEntities},
	{"GET", "/entities/:code/contact-window", auth.EntitiesRead, (*Server).getContactWindow},
	{"PUT", "/entities/:code/contact-window", auth.EntitiesWrite, (*Server).putContactWindow},
	{"GET", "/entities/:code/sender", auth.EntitiesRead, (*Server).getEntitySender},
	{"PUT", "/entities/:code/sender", auth.EntitiesWrite, (*Server).putEntitySender},
	{"GET", "/entities/:code/settings", auth.EntitiesRead, (*Server).getEntitySettings},
	{"PUT", "/entities/:code/settings", auth.EntitiesWrite, (*Server).putEntitySettings},
	{"GET", "/entities/:code/portal", auth.EntitiesRead, (*Server).getPortalSettings},
	{"PUT", "/entities/:code/portal", auth.EntitiesWrite, (*Server).putPortalSettings},
	{"POST", "/customers/:id/portal-links", auth.DunningControl, (*Server).createPortalLink},
	{"POST", "/customers/:id/portal-links/revoke", auth.DunningControl, (*Server).revokePortalLinks},
	{"GET", "/digest", auth.DunningRead, (*Server).dailyDigest},
	{"POST", "/invoices/:id/hold", auth.DunningControl, (*Server).holdInvoice},
	{"DELETE", "/invoices/:id/hold", auth.DunningControl, (*Server).releaseInvoice},
	{"POST", "/customers/:id/credit-hold", auth.DunningControl, (*Server).placeCreditHold},
	{"POST", "/customers/:id/credit-hold/release", auth.DunningControl, (*Server).releaseCreditHold},
	{"POST", "/customers/:id/proceedings/release", auth.DunningControl, (*Server).releaseProceedings},
	{"GET", "/entities/:code/holidays", auth.EntitiesRead, (*Server).getEntityHolidays},
	{"PUT", "/entities/:code/holidays", auth.EntitiesWrite, (*Server).putEntityHolidays},
	{"POST", "/scenarios/:id/impact", auth.ScenariosWrite, (*Server).scenarioImpact},
	{"GET", "/kpis/aging", auth.AccountsRead, (*Server).kpiAging},
	{"GET", "/kpis/dso", auth.AccountsRead, (*Server).kpiDSO},
	{"GET", "/kpis/top-overdue", auth.AccountsRead, (*Server).kpiTopOverdue},
	{"GET", "/kpis/disputes", auth.AccountsRead, (*Server).kpiDisputes},
	{"GET", "/kpis/promises", auth.AccountsRead, (*Server).kpiPromises},
	{"GET", "/kpis/team", auth.AccountsRead, (*Server).kpiTeam},
	{"GET", "/kpis/forecast", auth.AccountsRead, (*Server).kpiForecast},
	{"GET", "/kpis/forecast/backtest", auth.AccountsRead, (*Server).kpiForecastBacktest},
	{"GET", "/cases", auth.CasesRead, (*Server).listCases},
	{"POST", "/cases", auth.CasesOpen, (*Server).createCase},
	{"GET", "/cases/:id", auth.CasesRead, (*Server).getCase},
	{"POST", "/cases/:id/comments", auth.CasesComment, (*Server).commentCase},
	{"POST", "/cases/:id/attachments", auth.CasesComment, (*Server).attachCase},
	{"GET", "/cases/:id/attachments", auth.CasesRead, (*Server).listCaseAttachments},
	{"GET", "/cases/:id/attachments/:aid", auth.CasesRead, (*Server).downloadCaseAttachment},
	{"POST", "/cases/:id/route", auth.CasesDecide, (*Server).routeCase},
	{"POST", "/cases/:id/decide", auth.CasesDecide, (*Server).decideCase},
	{"POST", "/cases/:id/accept-plan", auth.CasesDecide, (*Server).acceptPlanRequest},
	{"POST", "/cases/:id/status", auth.CasesDecide, (*Server).setCaseStatus},
	{"POST", "/cases/:id/reopen", auth.CasesDecide, (*Server).reopenCase},
	{"GET", "/cases/:id/history", auth.HistoryRead, (*Server).caseHistory},
	{"GET", "/case-routing", auth.CasesRead, (*Server).getCaseRouting},
	{"PUT", "/case-routing", auth.CaseRoutingWrite, (*Server).putCaseRouting},
	{"GET", "/inbound/quarantine", auth.CasesRead, (*Server).listQuarantine},
	{"POST", "/inbound/quarantine/:id/decide", auth.CasesOpen, (*Server).decideQuarantine},
	{"GET", "/notifications", auth.NotificationsOwn, (*Server).listNotifications},
	{"GET", "/notifications/stream", auth.NotificationsOwn, (*Server).notificationStream},
	{"POST", "/notifications/:id/read", auth.NotificationsOwn, (*Server).readNotification},
	{"POST", "/notifications/read-all", auth.NotificationsOwn, (*Server).readAllNotifications},
	{"GET", "/reports", auth.ReportsManage, (*Server).listReports},
	{"POST", "/reports", auth.ReportsManage, (*Server).createReport},
	{"PUT", "/reports/:id", auth.ReportsManage, (*Server).updateReport},
	{"DELETE", "/reports/:id", auth.ReportsManage, (*Server).deleteReport},
	{"POST", "/reports/:id/send", auth.ReportsManage, (*Server).sendReport},
}

// The event feed's and webhooks' routes are declared beside their handlers (api/events.go).
func init() { routes = append(routes, eventRoutes...) }

// Routes lists the authenticated routes (paths under /api/v1) with the action each needs.
func Routes() []Route { return routes }

// Listen opens the API's address, saying clearly when it is taken.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("HTTP API cannot listen on %s (is another recoup running? set RECOUP_HTTP_ADDR or --http-addr): %w", addr, err)
	}
	return ln, nil
}

// Limits of every HTTP server of Recoup (the API and web app, the worker's
// metrics): a client that sends its headers or body slowly, or reads the
// answer slowly, holds a connection for a bounded time only. The few
// requests that need longer (an ERP import, an attachment, the notification
// stream) extend their own deadlines (LongRequest).
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 5 * time.Minute // also bounds a handler: past it Go cancels the request's context
	WriteTimeout      = 5 * time.Minute
	IdleTimeout       = 2 * time.Minute
	MaxHeaderBytes    = 64 << 10
)

// NewHTTPServer is an http.Server for h with Recoup's limits.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout,
		WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout, MaxHeaderBytes: MaxHeaderBytes}
}

// LongRequest gives the request being served by w d more to read its body
// and write its answer, past the server's ReadTimeout and WriteTimeout.
func LongRequest(w http.ResponseWriter, d time.Duration) {
	rc := http.NewResponseController(w)
	at := time.Now().Add(d)
	_ = rc.SetReadDeadline(at) // an error: a writer without deadlines (a test's recorder)
	_ = rc.SetWriteDeadline(at)
}

// UploadTime is how long an import or an attachment may take to arrive and be answered.
const UploadTime = time.Hour

// Serve runs the handler on ln (with NewHTTPServer's limits) until ctx ends,
// then shuts down gracefully.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := NewHTTPServer(h)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log.Info("HTTP server stopping", "addr", ln.Addr().String())
	return srv.Shutdown(shutdown)
}

// health says the process is alive: it answers without asking anything else,
// so an orchestrator restarts only a process that is stuck, never one whose
// dependency is down (readyz says that).
func (s *Server) health(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

type dependencyView struct {
	Name        string     `json:"name"`
	Up          bool       `json:"up"`
	LatencyMS   *float64   `json:"latency_ms"`
	CheckedAt   *time.Time `json:"checked_at"`
	DownSince   *time.Time `json:"down_since"`
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at"`
}

func toDependency(d app.Dependency) dependencyView {
	at := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	v := dependencyView{Name: d.Name, Up: d.Up, CheckedAt: at(d.CheckedAt), DownSince: at(d.DownSince),
		LastError: d.LastError, LastErrorAt: at(d.LastErrorAt)}
	if !d.CheckedAt.IsZero() && d.Up {
		ms := float64(d.Latency.Microseconds()) / 1000
		v.LatencyMS = &ms
	}
	return v
}

// ready says what this process can serve: 503 when Postgres does not answer
// (nothing can be served); "degraded" with 200 when Temporal does not
// (what is stored is served, commands that need Temporal answer 503).
func (s *Server) ready(c *gin.Context) {
	pg, tm := s.app.Readiness(c.Request.Context())
	status, code := "ready", http.StatusOK
	switch {
	case !pg.Up:
		status, code = "unavailable", http.StatusServiceUnavailable
	case !tm.Up:
		status = "degraded"
	}
	c.JSON(code, gin.H{"status": status, "dependencies": []dependencyView{toDependency(pg), toDependency(tm)}})
}
