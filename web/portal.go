package web

import (
	"bytes"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/money"
	"recoup/store"
)

// The customer portal: the pages a debtor opens from the link in a
// reminder (README "Customer portal"). It lives under /portal/ with its own
// router group, layout, cookie and CSRF token: a portal session never
// reaches a staff page or the API (they read only the staff cookie), and a
// staff session does not open the portal (it reads only its own cookie).

const (
	portalCookie      = "recoup_portal"
	portalPreCookie   = "recoup_portal_pre" // the new-link form's token before any session (double submit)
	portalFlashCookie = "recoup_portal_flash"
	portalPath        = "/portal/"
)

// portalRoute is one portal page or action.
type portalRoute struct {
	method, path string
	public       bool // reachable without a session (the link, the new-link page)
	attachments  bool // the post may carry files
	handle       func(*Handler, *portalRequest) error
}

// portalRequest is one request to the portal, with the session it carries.
type portalRequest struct {
	c       *gin.Context
	s       app.PortalSession
	secret  string
	open    bool // a live session
	lang    string
	csrf    string
	account *store.PortalCustomer // read once per request when a page needs it
}

// portalViews are the portal's templates, each parsed with its own layout.
type portalViews struct {
	pages map[string]*template.Template
}

func loadPortalViews(fsys fs.FS) (*portalViews, error) {
	base, err := template.New("layout").Funcs(template.FuncMap{
		"add": func(a, b int) int { return a + b },
	}).ParseFS(fsys, "templates/portal/layout.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(fsys, "templates/portal/page_*.html")
	if err != nil {
		return nil, err
	}
	v := &portalViews{pages: map[string]*template.Template{}}
	for _, p := range pages {
		t, err := template.Must(base.Clone()).ParseFS(fsys, p)
		if err != nil {
			return nil, err
		}
		v.pages[strings.TrimSuffix(strings.TrimPrefix(path.Base(p), "page_"), ".html")] = t
	}
	return v, nil
}

// portalPolicy is the staff CSP, plus the entity's logo origin for images
// (added per page when there is one).
func portalPolicy(logoURL string) string {
	img := "img-src 'self' data:"
	if u, err := url.Parse(logoURL); err == nil && u.Scheme == "https" && u.Host != "" {
		img += " https://" + u.Host
	}
	return strings.Replace(contentSecurityPolicy, "img-src 'self' data:", img, 1)
}

// mountPortal adds the portal's routes under /portal/.
func (h *Handler) mountPortal(r *gin.Engine) {
	g := r.Group("/portal", secure(), func(c *gin.Context) {
		// Nothing of the portal is kept by a shared cache or the browser's history.
		c.Header("Cache-Control", "no-store, private")
		c.Header("Pragma", "no-cache")
		c.Next()
	})
	for _, rt := range portalRoutes {
		g.Handle(rt.method, strings.TrimPrefix(rt.path, "/portal"), h.portalPage(rt))
	}
}

var portalRoutes = []portalRoute{
	{method: "GET", path: "/portal/l/:token", public: true, handle: (*Handler).portalOpen},
	{method: "GET", path: "/portal/link", public: true, handle: (*Handler).portalLinkForm},
	{method: "POST", path: "/portal/link", public: true, handle: (*Handler).portalLinkSend},
	{method: "GET", path: "/portal/", handle: (*Handler).portalHome},
	{method: "GET", path: "/portal/brand.css", public: true, handle: (*Handler).portalBrand},
	{method: "GET", path: "/portal/statement.pdf", handle: (*Handler).portalStatementPDF},
	{method: "GET", path: "/portal/invoices/:id/pdf", handle: (*Handler).portalInvoicePDF},
	{method: "GET", path: "/portal/pay", handle: (*Handler).portalPay},
	{method: "GET", path: "/portal/act", handle: (*Handler).portalActForm},
	{method: "POST", path: "/portal/promise", handle: (*Handler).portalPromise},
	{method: "POST", path: "/portal/paid", handle: (*Handler).portalPaid},
	{method: "POST", path: "/portal/plan", handle: (*Handler).portalPlan},
	{method: "GET", path: "/portal/invoices/:id/dispute", handle: (*Handler).portalDisputeForm},
	{method: "POST", path: "/portal/invoices/:id/dispute", attachments: true, handle: (*Handler).portalDispute},
	{method: "GET", path: "/portal/messages/new", handle: (*Handler).portalMessageForm},
	{method: "POST", path: "/portal/messages", attachments: true, handle: (*Handler).portalMessage},
	{method: "GET", path: "/portal/cases/:id", handle: (*Handler).portalThread},
	{method: "POST", path: "/portal/cases/:id/reply", attachments: true, handle: (*Handler).portalReply},
	{method: "GET", path: "/portal/cases/:id/files/:file", handle: (*Handler).portalFile},
	{method: "POST", path: "/portal/logout", handle: (*Handler).portalLogout},
}

// portalPage wraps a portal route: rate limit per client address, the
// session from the portal cookie (none: the new-link page), the form token
// of every post, errors as a portal page.
func (h *Handler) portalPage(rt portalRoute) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := &portalRequest{c: c}
		ctx := c.Request.Context()
		if c.Request.Method == http.MethodPost {
			limit := int64(maxFormBody)
			if rt.attachments {
				limit = h.app.AttachmentBodyLimit()
			}
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		if !h.portalLimits.allow("addr:"+c.ClientIP(), portalPerAddress) {
			h.portalFail(r, errTooMany)
			return
		}
		if secret, err := c.Cookie(portalCookie); err == nil && app.IsPortalSecret(secret) {
			if s, err := h.app.PortalSessionOf(ctx, secret); err == nil {
				r.s, r.secret, r.open, r.csrf = s, secret, true, csrfToken(secret)
			}
		}
		r.lang = h.catalog.choose("", c.GetHeader("Accept-Language"))
		if r.open {
			if acc, err := h.app.PortalCustomerOf(ctx, r.s); err == nil {
				r.account = &acc
				r.lang = h.catalog.choose(acc.Language, c.GetHeader("Accept-Language"))
			}
		}
		switch {
		case !r.open && !rt.public:
			// No session, or a dead one: the page to ask for a new link.
			c.Redirect(http.StatusSeeOther, "/portal/link")
			return
		case c.Request.Method == http.MethodPost && !sameOrigin(c.Request):
			h.portalFail(r, domain.Errorf(domain.CodeForbidden, "%s", h.catalog.text(r.lang, "portal.error.form")))
			return
		case c.Request.Method == http.MethodPost && bodyTooLarge(c):
			h.portalFail(r, domain.Errorf(domain.CodeInvalid, "%s", h.catalog.text(r.lang, "error.too_large")))
			return
		case c.Request.Method == http.MethodPost && !rt.public && !validToken(c.PostForm("csrf"), r.csrf):
			h.portalFail(r, domain.Errorf(domain.CodeForbidden, "%s", h.catalog.text(r.lang, "portal.error.form")))
			return
		}
		if err := rt.handle(h, r); err != nil {
			h.portalFail(r, err)
		}
	}
}

var errTooMany = domain.Errorf(domain.CodeTooManyAttempts, "too many requests: wait a few minutes and try again")

// PortalPage is what every portal template receives.
type PortalPage struct {
	Lang    string
	Title   string // a catalogue key
	CSRF    string
	Flash   string
	Account *store.PortalCustomer // nil: no session (the new-link page)
	Data    any
	cat     *catalog
	money   *Page // the staff page's formatting, in the same language
}

// T is the catalogue text of key in the page's language.
func (p *PortalPage) T(key string, args ...any) string { return p.cat.text(p.Lang, key, args...) }

// Money formats an amount as the staff pages do.
func (p *PortalPage) Money(m money.Money) string { return p.money.Money(m) }

// Date formats a date for the page's language.
func (p *PortalPage) Date(t time.Time) string { return p.money.Date(t) }

func (h *Handler) newPortalPage(r *portalRequest, title string, data any) *PortalPage {
	p := &PortalPage{Lang: r.lang, Title: title, CSRF: r.csrf, Account: r.account, Data: data, cat: h.catalog,
		money: &Page{Lang: r.lang, cat: h.catalog}}
	if v, err := r.c.Cookie(portalFlashCookie); err == nil && v != "" {
		http.SetCookie(r.c.Writer, h.portalCookieOf(portalFlashCookie, "", -1))
		if msg, err := url.QueryUnescape(v); err == nil {
			p.Flash = strings.TrimSpace(msg)
		}
	}
	return p
}

// portalCookieOf is a cookie of the portal: its path only, HttpOnly,
// SameSite=Strict, Secure when customers reach Recoup over https.
func (h *Handler) portalCookieOf(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: portalPath, MaxAge: maxAge, HttpOnly: true,
		Secure: h.portalSecure, SameSite: http.SameSiteStrictMode}
}

// portalRender writes a portal page with status.
func (h *Handler) portalRender(r *portalRequest, status int, name string, p *PortalPage) {
	c := r.c
	t, ok := h.portalViews.pages[name]
	if !ok {
		h.log.Error("no portal template", "name", name)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		h.log.Error("render portal page", "name", name, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	logo := ""
	if p.Account != nil {
		logo = p.Account.Settings.LogoURL
	}
	c.Header("Content-Security-Policy", portalPolicy(logo))
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// portalDone redirects after a post with a confirmation to show.
func (h *Handler) portalDone(r *portalRequest, to, message string) error {
	http.SetCookie(r.c.Writer, h.portalCookieOf(portalFlashCookie, url.QueryEscape(message), 60))
	r.c.Redirect(http.StatusSeeOther, to)
	return nil
}

type portalErrorData struct {
	Status  int
	Message string
	Dead    bool // the link or session is no longer valid: offer a new one
}

// portalFail answers an error as a portal page. Anything not found (another
// account's ids included) is one plain 404; internal errors are logged only.
func (h *Handler) portalFail(r *portalRequest, err error) {
	d := portalErrorData{Status: http.StatusInternalServerError}
	var de *domain.Error
	switch {
	case app.ErrPortalDead(err):
		d.Status, d.Dead, d.Message = http.StatusNotFound, true, h.catalog.text(r.lang, "portal.link.dead")
	case errors.As(err, &de) && de.Code == domain.CodeNotFound:
		d.Status, d.Message = http.StatusNotFound, h.catalog.text(r.lang, "portal.error.not_found")
	case errors.As(err, &de) && de.Code.HTTPStatus() != http.StatusInternalServerError:
		d.Status, d.Message = de.Code.HTTPStatus(), de.Message
	default:
		h.log.ErrorContext(r.c.Request.Context(), "portal page failed", "route", r.c.FullPath(), "err", err) // the route: a path may hold a link token
		d.Message = h.catalog.text(r.lang, "error.internal")
	}
	if d.Status == http.StatusTooManyRequests {
		r.c.Header("Retry-After", "300")
	}
	h.portalRender(r, d.Status, "error", h.newPortalPage(r, "portal.error.title", d))
}

// Rate limits of the portal, per process (README "Customer portal"): each
// key may make so many requests in a window.
type rateLimit struct {
	n      int
	window time.Duration
}

var (
	portalPerAddress = rateLimit{n: 300, window: 5 * time.Minute} // every portal request of one client address
	portalPerToken   = rateLimit{n: 20, window: time.Hour}        // opening one link
	portalPerEmail   = rateLimit{n: 3, window: time.Hour}         // new links asked for one address
	portalLinkAsks   = rateLimit{n: 10, window: time.Hour}        // new links asked from one client address
)

// limiter counts requests per key in fixed windows. It is in memory: each
// API process counts its own (documented; several processes allow as many
// times more).
type limiter struct {
	mu   sync.Mutex
	hits map[string]*window
}

type window struct {
	start time.Time
	n     int
}

// maxLimiterKeys bounds the memory of the limiter: past it, windows that
// ended are dropped, then (under a flood) all of them.
const maxLimiterKeys = 100_000

func newLimiter() *limiter { return &limiter{hits: map[string]*window{}} }

// allow counts one request of key and says whether it is within l.
func (lm *limiter) allow(key string, l rateLimit) bool {
	now := time.Now()
	lm.mu.Lock()
	defer lm.mu.Unlock()
	if len(lm.hits) >= maxLimiterKeys {
		for k, w := range lm.hits {
			if now.Sub(w.start) > time.Hour {
				delete(lm.hits, k)
			}
		}
		if len(lm.hits) >= maxLimiterKeys {
			clear(lm.hits)
		}
	}
	w, ok := lm.hits[key]
	if !ok || now.Sub(w.start) >= l.window {
		w = &window{start: now}
		lm.hits[key] = w
	}
	w.n++
	return w.n <= l.n
}
