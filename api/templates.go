package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
)

type templateView struct {
	Name      string     `json:"name"`
	Channel   string     `json:"channel"`
	Language  string     `json:"language"`
	Subject   string     `json:"subject"`
	Text      string     `json:"text"`
	HTML      string     `json:"html"`
	Source    string     `json:"source"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	UpdatedBy string     `json:"updated_by,omitempty"`
}

func toTemplate(t app.Template) templateView {
	return templateView{Name: t.Name, Channel: string(t.Channel), Language: t.Language, Subject: t.Subject, Text: t.Text,
		HTML: t.HTML, Source: t.Source, UpdatedAt: t.UpdatedAt, UpdatedBy: t.UpdatedBy}
}

func templateKey(c *gin.Context) app.TemplateKey {
	return app.TemplateKey{Name: c.Param("name"), Channel: c.Param("channel"), Language: c.Param("language")}
}

func (s *Server) listTemplates(c *gin.Context) error {
	if err := queryParams(c, "name", "channel", "language", "source"); err != nil {
		return err
	}
	list, err := s.app.Templates(c.Request.Context(), principal(c), app.TemplateQuery{Name: c.Query("name"),
		Channel: c.Query("channel"), Language: c.Query("language"), Source: c.Query("source")})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(list, toTemplate)})
	return nil
}

func (s *Server) getTemplate(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	t, err := s.app.Template(c.Request.Context(), principal(c), templateKey(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toTemplate(t))
	return nil
}

func (s *Server) putTemplate(c *gin.Context) error {
	var req app.TemplateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.app.PutTemplate(c.Request.Context(), principal(c), templateKey(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toTemplate(t))
	return nil
}

func (s *Server) deleteTemplate(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	if err := s.app.DeleteTemplate(c.Request.Context(), principal(c), templateKey(c)); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
