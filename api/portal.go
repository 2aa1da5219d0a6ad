package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// The staff side of the customer portal (README "Customer portal"): an
// entity's portal settings, a link for an agent to hand over, and revoking
// an account's links. The portal itself is pages under /portal/ (package web).

func (s *Server) getPortalSettings(c *gin.Context) error {
	return getEntitySetting(c, s.app.PortalSettings)
}

func (s *Server) putPortalSettings(c *gin.Context) error {
	return putEntitySetting(c, s.app.SetPortalSettings)
}

// createPortalLink answers a new personal link to the account's portal.
func (s *Server) createPortalLink(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body struct{} // takes nothing, but what comes must be an empty object
	err = queryParams(c)
	if err == nil && c.Request.ContentLength != 0 {
		err = decodeJSON(c, &body)
	}
	if err != nil {
		return err
	}
	u, err := s.app.PortalLink(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"customer_id": id, "url": u})
	return nil
}

// revokeRequest says why an account's portal links are revoked.
type revokeRequest struct {
	Reason string `json:"reason"`
}

// revokePortalLinks ends every live portal link and session of the account.
func (s *Server) revokePortalLinks(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req revokeRequest
	if err := queryParams(c); err != nil {
		return err
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	n, err := s.app.RevokePortalLinks(c.Request.Context(), principal(c), id, req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"customer_id": id, "revoked": n})
	return nil
}
