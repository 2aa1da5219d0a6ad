package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"recoup/api"
	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/logs"
)

// route is one page or action: who may reach it (an action of the permission
// table; "" any signed-in person) and its handler.
type route struct {
	method, path string
	action       auth.Action
	public       bool  // reachable signed out (sign-in)
	maxBody      int64 // the largest body a post may send; 0: maxFormBody
	attachments  bool  // the post may carry a case's files: its body is bounded by app.AttachmentBodyLimit
	handle       func(*Handler, *request) error
}

// routes lists every area's routes; each area declares its own beside its handlers.
func (h *Handler) routes() []route {
	var all []route
	for _, area := range [][]route{sessionRoutes, homeRoutes, dashboardRoutes, accountRoutes, worklistRoutes, deskRoutes, scenarioRoutes, ruleRoutes,
		templateRoutes, entityRoutes, importRoutes, userRoutes, profileRoutes, caseRoutes, notificationRoutes, quarantineRoutes, columnRoutes,
		reportRoutes, webhookRoutes, riskRoutes} {
		all = append(all, area...)
	}
	return all
}

// request is one request to a page, with who makes it.
type request struct {
	c        *gin.Context
	who      domain.Principal
	signedIn bool
	lang     string
	csrf     string
}

const sessionCookie = "recoup_session" // the API's cookie: one sign-in for both

// page wraps a route: it finds who is signed in, sends others to the sign-in
// page, refuses what the role may not do, checks the form token of every
// post, and answers an error as a page.
func (h *Handler) page(rt route) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := &request{c: c}
		ctx := c.Request.Context()
		if c.Request.Method == http.MethodPost {
			limit := rt.maxBody
			switch {
			case rt.attachments:
				limit = h.app.AttachmentBodyLimit()
			case limit == 0:
				limit = maxFormBody
			}
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
			if limit > maxFormBody {
				// An upload may take longer than the server's timeouts allow a form.
				api.LongRequest(c.Writer, api.UploadTime)
			}
		}
		if secret, err := c.Cookie(sessionCookie); err == nil && app.IsSessionSecret(secret) {
			if p, err := h.app.SessionPrincipal(ctx, secret); err == nil {
				r.who, r.signedIn, r.csrf = p, true, csrfToken(secret)
				c.Request = c.Request.WithContext(logs.With(ctx, logs.User, p.Actor()))
			}
		}
		r.lang = h.catalog.choose(r.who.Language, c.GetHeader("Accept-Language"))
		switch {
		case !r.signedIn && !rt.public:
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			return
		case c.Request.Method == http.MethodPost && !sameOrigin(c.Request):
			h.fail(r, domain.Errorf(domain.CodeForbidden, "cross-site request refused"))
			return
		case c.Request.Method == http.MethodPost && bodyTooLarge(c):
			h.fail(r, domain.Errorf(domain.CodeInvalid, "%s", h.catalog.text(r.lang, "error.too_large")))
			return
		case c.Request.Method == http.MethodPost && r.signedIn && !validToken(c.PostForm("csrf"), r.csrf):
			h.fail(r, errBadToken)
			return
		case rt.action != "":
			if err := auth.Check(r.who, rt.action); err != nil {
				h.fail(r, err)
				return
			}
		}
		if err := rt.handle(h, r); err != nil {
			h.fail(r, err)
		}
	}
}

// Bounds on what a post may send: a form is small; an ERP file may be large
// but not unbounded (the API's limit).
const (
	maxFormBody   = 1 << 20
	maxUploadBody = 2 << 30
)

// bodyTooLarge parses a post's form and says whether its body went past the
// route's limit (without this, the form's token would seem missing).
func bodyTooLarge(c *gin.Context) bool {
	var err error
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		err = c.Request.ParseMultipartForm(multipartMemory)
	} else {
		err = c.Request.ParseForm()
	}
	var tooBig *http.MaxBytesError
	return errors.As(err, &tooBig)
}

// multipartMemory is how much of a multipart form is held in memory; the
// rest waits in temporary files that the server removes after the request.
const multipartMemory = 32 << 20

var errBadToken = domain.Errorf(domain.CodeForbidden, "the form expired or came from another site: reload the page and try again")

// newPage starts the page data for r.
func (h *Handler) newPage(r *request, title, active string, data any) *Page {
	p := &Page{Lang: r.lang, Title: title, Who: r.who, SignedIn: r.signedIn, Active: active, CSRF: r.csrf,
		DevLinks: h.devLinks, Path: r.c.Request.URL.Path, Query: r.c.Request.URL.Query(), Data: data, cat: h.catalog}
	if r.signedIn {
		p.Nav = navFor(r.who)
		p.Unread = h.unread(r)
	}
	p.Flash = h.takeFlash(r)
	return p
}

type errorData struct {
	Status  int
	Message string
}

// fail answers an error as a page: what went wrong in words the user can act
// on; internal errors are logged and not shown.
func (h *Handler) fail(r *request, err error) {
	var de *domain.Error
	d := errorData{Status: http.StatusInternalServerError}
	if errors.As(err, &de) && de.Code.HTTPStatus() != http.StatusInternalServerError {
		d.Status, d.Message = de.Code.HTTPStatus(), de.Message
		if de.Code == domain.CodeUnavailable {
			r.c.Header("Retry-After", strconv.Itoa(int(app.RetryUnavailable.Seconds())))
		}
	}
	if d.Message == "" {
		h.log.ErrorContext(r.c.Request.Context(), "page failed", "path", r.c.Request.URL.Path, "err", err)
		d.Message = h.catalog.text(r.lang, "error.internal")
	}
	h.render(r.c, d.Status, "error", h.newPage(r, "error.title", "", d))
}

// flashCookie carries a confirmation across the redirect after a post.
const flashCookie = "recoup_flash"

// done redirects after a successful post, with a confirmation to show (already translated).
func (h *Handler) done(r *request, to, message string) error {
	http.SetCookie(r.c.Writer, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(message), Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	r.c.Redirect(http.StatusSeeOther, to)
	return nil
}

func (h *Handler) takeFlash(r *request) string {
	v, err := r.c.Cookie(flashCookie)
	if err != nil || v == "" {
		return ""
	}
	http.SetCookie(r.c.Writer, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode})
	msg, err := url.QueryUnescape(v)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(msg)
}

// t is the catalogue text for r's language.
func (h *Handler) t(r *request, key string, args ...any) string {
	return h.catalog.text(r.lang, key, args...)
}

// unread is how many notifications r's person has not read, for the bell;
// when it cannot be counted the bell shows none and the page goes on.
func (h *Handler) unread(r *request) int64 {
	if !auth.Allows(r.who, auth.NotificationsOwn) {
		return 0
	}
	ctx := r.c.Request.Context()
	n, err := h.app.MyNotifications(ctx, r.who, app.NotificationQuery{Unread: true, Page: domain.Page{Limit: 1}})
	if err != nil {
		h.log.WarnContext(ctx, "count unread notifications", "err", err)
		return 0
	}
	return n.Unread
}
