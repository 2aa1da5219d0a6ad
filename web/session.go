package web

import (
	"net/http"
	"strings"

	"recoup/app"
)

var sessionRoutes = []route{
	{method: "GET", path: "/login", public: true, handle: (*Handler).loginForm},
	{method: "POST", path: "/login", public: true, handle: (*Handler).login},
	{method: "GET", path: "/logout", handle: (*Handler).logoutForm},
	{method: "POST", path: "/logout", handle: (*Handler).logout},
}

type loginData struct {
	Email, Next, Token string
	Error              string
}

// loginForm shows the sign-in form; a signed-in person goes home.
func (h *Handler) loginForm(r *request) error {
	if r.signedIn {
		r.c.Redirect(http.StatusSeeOther, safeNext(r.c.Query("next")))
		return nil
	}
	return h.showLogin(r, http.StatusOK, loginData{Next: r.c.Query("next")})
}

func (h *Handler) showLogin(r *request, status int, d loginData) error {
	d.Token = newPreSessionToken()
	http.SetCookie(r.c.Writer, &http.Cookie{Name: preSessionCookie, Value: d.Token, Path: "/login", MaxAge: 3600,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	h.render(r.c, status, "login", h.newPage(r, "login.title", "", d))
	return nil
}

// login checks the password through the same use case as the API's sign-in.
func (h *Handler) login(r *request) error {
	c := r.c
	d := loginData{Email: strings.TrimSpace(c.PostForm("email")), Next: c.PostForm("next")}
	pre, err := c.Cookie(preSessionCookie)
	if err != nil || !validToken(c.PostForm("csrf"), pre) {
		return errBadToken
	}
	sess, err := h.app.SignIn(c.Request.Context(), d.Email, c.PostForm("password"), c.ClientIP())
	if err != nil {
		d.Error = errorText(err)
		status := http.StatusUnauthorized
		if err == app.ErrTooManyAttempts {
			status = http.StatusTooManyRequests
		}
		return h.showLogin(r, status, d)
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: sess.Secret, Path: "/", MaxAge: int(app.SessionLifetime.Seconds()),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.SetCookie(c.Writer, &http.Cookie{Name: preSessionCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: true})
	c.Redirect(http.StatusSeeOther, safeNext(d.Next))
	return nil
}

// logoutForm asks before signing out: a link (or another site) cannot sign anyone out.
func (h *Handler) logoutForm(r *request) error {
	h.render(r.c, http.StatusOK, "logout", h.newPage(r, "logout.title", "", nil))
	return nil
}

func (h *Handler) logout(r *request) error {
	if secret, err := r.c.Cookie(sessionCookie); err == nil {
		if err := h.app.SignOut(r.c.Request.Context(), secret); err != nil {
			return err
		}
	}
	http.SetCookie(r.c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode})
	r.c.Redirect(http.StatusSeeOther, "/login")
	return nil
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
