package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/logs"
	"recoup/store"
)

const (
	sessionCookie = "recoup_session"
	principalKey  = "recoup.principal"
)

// authenticate finds who is calling: a personal API token (Authorization:
// Bearer) for machines, the session cookie for browsers. Anything else is 401.
// customerRoutes are the routes about one customer: their logs name it.
const customerRoutes = "/api/v1/customers/:id"

func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		var p domain.Principal
		var err error
		if h := c.GetHeader("Authorization"); h != "" {
			secret, _ := strings.CutPrefix(h, "Bearer ")
			p, err = s.app.TokenPrincipal(ctx, secret)
		} else if cookie, cerr := c.Cookie(sessionCookie); cerr == nil && app.IsSessionSecret(cookie) {
			if !sameOrigin(c) {
				s.fail(c, domain.Errorf(domain.CodeForbidden, "cross-site request refused"))
				return
			}
			p, err = s.app.SessionPrincipal(ctx, cookie)
		} else {
			err = store.ErrNoCredential
		}
		if err != nil {
			s.unauthorized(c, err)
			return
		}
		c.Set(principalKey, p)
		ctx = logs.With(ctx, logs.User, p.Actor())
		if strings.HasPrefix(c.FullPath(), customerRoutes) {
			ctx = logs.With(ctx, logs.CustomerID, c.Param("id"))
		}
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

func (s *Server) unauthorized(c *gin.Context, err error) {
	c.Header("WWW-Authenticate", `Bearer realm="recoup"`)
	s.fail(c, err)
}

// sameOrigin backs SameSite=Strict for cookie sessions: a browser that sends
// an Origin on a state-changing request must send ours.
func sameOrigin(c *gin.Context) bool {
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		return true
	}
	origin := c.GetHeader("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == c.Request.Host
}

// allow lets the request through only if the caller may do action.
func (s *Server) allow(action auth.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		if action != "" {
			if err := auth.Check(principal(c), action); err != nil {
				s.fail(c, err)
				return
			}
		}
		c.Next()
	}
}

func principal(c *gin.Context) domain.Principal {
	p, _ := c.Get(principalKey)
	v, _ := p.(domain.Principal)
	return v
}

type loginBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type meView struct {
	Email       string            `json:"email"`
	Name        string            `json:"name"`
	Role        domain.Role       `json:"role"`
	AllEntities bool              `json:"all_entities"`
	Entities    []string          `json:"entities"`
	Department  domain.Department `json:"department"`
	TokenID     int64             `json:"token_id,omitempty"`
	Scope       domain.TokenScope `json:"scope,omitempty"`
	Permissions []auth.Action     `json:"permissions"`
}

func toMe(p domain.Principal) meView {
	v := meView{Email: p.Email, Name: p.Name, Role: p.Role, AllEntities: p.AllEntities || p.Role == domain.RoleAdmin,
		Entities: p.EntityCodes, Department: p.Department, TokenID: p.TokenID, Scope: p.Scope, Permissions: []auth.Action{}}
	for _, a := range auth.Actions {
		if auth.Allows(p, a) {
			v.Permissions = append(v.Permissions, a)
		}
	}
	return v
}

// login checks a password and opens a browser session.
func (s *Server) login(c *gin.Context) error {
	var body loginBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	sess, err := s.app.SignIn(c.Request.Context(), body.Email, body.Password, c.ClientIP())
	if err != nil {
		return err
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: sess.Secret, Path: "/", MaxAge: int(app.SessionLifetime.Seconds()),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	c.JSON(http.StatusOK, toMe(sess.Principal))
	return nil
}

func (s *Server) logout(c *gin.Context) error {
	if cookie, err := c.Cookie(sessionCookie); err == nil {
		if err := s.app.SignOut(c.Request.Context(), cookie); err != nil {
			return err
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) me(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	c.JSON(http.StatusOK, toMe(principal(c)))
	return nil
}
