package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
)

// contentSecurityPolicy allows our own assets only: no inline script or
// style, no framing, forms post to us.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// previewPolicy is the editor's policy: reminder emails carry inline styles
// (mail clients ignore stylesheets), and the sandboxed frame that shows one
// inherits the page's policy. Scripts stay our own only.
const previewPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// allowPreviewStyles lets the template editor's preview frame show an email's inline styles.
func allowPreviewStyles(r *request) { r.c.Header("Content-Security-Policy", previewPolicy) }

// secure sets the headers every page and asset carries.
func secure() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		c.Next()
	}
}

// csrfToken is the per-session token every form carries: derived from the
// session's secret, which only the browser's HttpOnly cookie holds, so a
// page of another site can neither read nor compute it.
func csrfToken(sessionSecret string) string {
	m := hmac.New(sha256.New, []byte("recoup csrf"))
	m.Write([]byte(sessionSecret))
	return hex.EncodeToString(m.Sum(nil))[:40]
}

// preSessionCookie carries the sign-in form's token before there is a
// session (double submit): a forged sign-in cannot know it.
const preSessionCookie = "recoup_presession"

func newPreSessionToken() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sameOrigin backs SameSite=Strict: a browser that sends an Origin on a
// form post must send ours.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" && r.Method == http.MethodGet {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

func validToken(got, want string) bool {
	return got != "" && hmac.Equal([]byte(got), []byte(want))
}
