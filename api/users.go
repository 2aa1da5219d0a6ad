package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

type tokenBody struct {
	Name    string `json:"name"`
	Scope   string `json:"scope"`   // full (default) or import
	Expires string `json:"expires"` // 90d (default), 12h, 2027-06-30 or an RFC 3339 time
}

// newTokenView carries the secret: the only time it is ever shown.
type newTokenView struct {
	store.Token
	Secret string `json:"token"`
}

func (s *Server) listTokens(c *gin.Context) {
	if err := queryParams(c); err != nil {
		s.fail(c, err)
		return
	}
	id := principal(c).UserID
	list, err := s.store.ListTokens(c.Request.Context(), &id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// createToken makes a token for the caller; a token cannot mint tokens, so a
// leaked one cannot outlive its own revocation.
func (s *Server) createToken(c *gin.Context) {
	p := principal(c)
	if p.TokenID != 0 {
		s.fail(c, domain.Errorf(domain.CodeForbidden, "sign in with a password to create tokens; a token cannot create tokens"))
		return
	}
	s.issue(c, p.Email)
}

// createUserToken is for admins: a token for another user, e.g. the ERP's
// import-only service account.
func (s *Server) createUserToken(c *gin.Context) {
	email, err := store.NormalizeEmail("email", c.Param("email"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.issue(c, email)
}

func (s *Server) issue(c *gin.Context, email string) {
	var body tokenBody
	if err := decodeJSON(c, &body); err != nil {
		s.fail(c, err)
		return
	}
	tok, secret, err := auth.IssueToken(c.Request.Context(), s.store, email, body.Name, body.Scope, body.Expires, actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, newTokenView{Token: tok, Secret: secret})
}

// revokeToken revokes one of the caller's tokens; admins may revoke anyone's.
func (s *Server) revokeToken(c *gin.Context) {
	id, err := resourceID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	p := principal(c)
	owner := &p.UserID
	if auth.Allows(p, auth.UsersManage) {
		owner = nil
	}
	if err := s.store.RevokeToken(c.Request.Context(), id, owner, actor(c)); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type userBody struct {
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	Role       string    `json:"role"`
	Entities   *[]string `json:"entities"` // absent or null: every entity
	Department string    `json:"department"`
	Password   string    `json:"password"` // absent: keep the current one
	Disabled   *bool     `json:"disabled"`
}

func (s *Server) listUsers(c *gin.Context) {
	if err := queryParams(c); err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.store.ListUsers(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// putUser creates or updates a user: role, perimeter, password.
func (s *Server) putUser(c *gin.Context) {
	var body userBody
	if err := decodeJSON(c, &body); err != nil {
		s.fail(c, err)
		return
	}
	spec, err := auth.UserSpec(body.Email, body.Name, body.Role, body.Department, body.Password, body.Entities)
	if err != nil {
		s.fail(c, err)
		return
	}
	spec.Disabled = body.Disabled
	u, err := s.store.PutUser(c.Request.Context(), spec, actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}
