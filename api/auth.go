package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

const (
	sessionCookie   = "recoup_session"
	sessionLifetime = 12 * time.Hour
	principalKey    = "recoup.principal"

	// Sign-in limits, over loginWindow: enough for a person who mistypes,
	// far too few for guessing a password.
	loginWindow          = 15 * time.Minute
	maxFailuresPerEmail  = 5
	maxFailuresPerSource = 20
)

var errSignIn = domain.Errorf(domain.CodeUnauthorized, "wrong email or password")

// authenticate finds who is calling: a personal API token (Authorization:
// Bearer) for machines, the session cookie for browsers. Anything else is 401.
func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		var p domain.Principal
		var err error
		if h := c.GetHeader("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || auth.CheckSecret(auth.TokenPrefix, secret) != nil {
				s.unauthorized(c, domain.Errorf(domain.CodeUnauthorized, "Authorization: want \"Bearer rcp_…\" with a personal API token"))
				return
			}
			p, err = s.store.TokenPrincipal(ctx, auth.HashSecret(secret))
		} else if cookie, cerr := c.Cookie(sessionCookie); cerr == nil && auth.CheckSecret(auth.SessionPrefix, cookie) == nil {
			if !sameOrigin(c) {
				s.fail(c, domain.Errorf(domain.CodeForbidden, "cross-site request refused"))
				return
			}
			p, err = s.store.SessionPrincipal(ctx, auth.HashSecret(cookie))
		} else {
			err = store.ErrNoCredential
		}
		if err != nil {
			s.unauthorized(c, err)
			return
		}
		c.Set(principalKey, p)
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
		p := principal(c)
		if action != "" && !auth.Allows(p, action) {
			s.fail(c, domain.Errorf(domain.CodeForbidden, "%s may not %s", describe(p), action))
			return
		}
		c.Next()
	}
}

func describe(p domain.Principal) string {
	if p.Scope == domain.ScopeImport {
		return "an import-only token"
	}
	return "the " + string(p.Role) + " role"
}

func principal(c *gin.Context) domain.Principal {
	p, _ := c.Get(principalKey)
	v, _ := p.(domain.Principal)
	return v
}

// perimeter is what the caller may see, for the store's SQL.
func perimeter(c *gin.Context) store.Perimeter { return store.PerimeterOf(principal(c)) }

// actor names who made a change, for the journal and workflow updates.
func actor(c *gin.Context) string { return principal(c).Actor() }

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

// login checks a password and opens a browser session. Failures are counted
// per account and per address; past the limit, even a right password waits.
func (s *Server) login(c *gin.Context) {
	var body loginBody
	if err := decodeJSON(c, &body); err != nil {
		s.fail(c, err)
		return
	}
	for _, f := range []struct{ name, value string }{{"email", body.Email}, {"password", body.Password}} {
		if f.value == "" {
			s.fail(c, domain.FieldError(f.name, "required"))
			return
		}
	}
	ctx := c.Request.Context()
	address := c.ClientIP()
	byEmail, byAddress, err := s.store.LoginFailures(ctx, body.Email, address, time.Now().Add(-loginWindow))
	if err != nil {
		s.fail(c, err)
		return
	}
	if byEmail >= maxFailuresPerEmail || byAddress >= maxFailuresPerSource {
		c.Header("Retry-After", strconv.Itoa(int(loginWindow.Seconds())))
		c.AbortWithStatusJSON(http.StatusTooManyRequests, errorBody{errorDetail{Code: "too_many_attempts",
			Message: "too many failed sign-ins for this account or from this address; try again in 15 minutes"}})
		return
	}
	userID, hash, err := s.store.PasswordHash(ctx, body.Email)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok := auth.VerifyPassword(hash, body.Password)
	if err := s.store.RecordLogin(ctx, body.Email, address, ok); err != nil {
		s.fail(c, err)
		return
	}
	if !ok {
		s.fail(c, errSignIn)
		return
	}
	secret, sessionHash := auth.NewSecret(auth.SessionPrefix)
	if err := s.store.CreateSession(ctx, userID, sessionHash, time.Now().Add(sessionLifetime), address, body.Email); err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.store.SessionPrincipal(ctx, sessionHash)
	if err != nil {
		s.fail(c, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", MaxAge: int(sessionLifetime.Seconds()),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	c.JSON(http.StatusOK, toMe(p))
}

func (s *Server) logout(c *gin.Context) {
	if cookie, err := c.Cookie(sessionCookie); err == nil {
		if err := s.store.DeleteSession(c.Request.Context(), auth.HashSecret(cookie)); err != nil {
			s.fail(c, err)
			return
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) {
	if err := queryParams(c); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toMe(principal(c)))
}
