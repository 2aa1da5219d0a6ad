package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/store"
)

// newTokenView carries the secret: the only time it is ever shown.
type newTokenView struct {
	store.Token
	Secret string `json:"token"`
}

func (s *Server) listTokens(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	list, err := s.app.Tokens(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
	return nil
}

func (s *Server) createToken(c *gin.Context) error {
	var req app.TokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	tok, err := s.app.CreateToken(c.Request.Context(), principal(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, newTokenView{Token: tok.Token, Secret: tok.Secret})
	return nil
}

func (s *Server) createUserToken(c *gin.Context) error {
	var req app.TokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	tok, err := s.app.CreateUserToken(c.Request.Context(), principal(c), c.Param("email"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, newTokenView{Token: tok.Token, Secret: tok.Secret})
	return nil
}

func (s *Server) revokeToken(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	if err := s.app.RevokeToken(c.Request.Context(), principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) listUsers(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	list, err := s.app.Users(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
	return nil
}

// putUser creates or updates a user: role, perimeter, password.
func (s *Server) putUser(c *gin.Context) error {
	var req app.UserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.app.PutUser(c.Request.Context(), principal(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, u)
	return nil
}
