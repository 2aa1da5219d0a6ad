package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/store"
)

// User-defined columns of the accounts list (app/columns.go).

type columnView struct {
	ID        int64     `json:"id"`
	Entity    string    `json:"entity"` // "": every account
	Name      string    `json:"name"`
	Label     string    `json:"label"`
	Formula   string    `json:"formula"`
	Type      string    `json:"type"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toColumn(k store.Column) columnView {
	return columnView{ID: k.ID, Entity: k.EntityCode, Name: k.Name, Label: k.Label, Formula: k.Formula, Type: k.Type,
		CreatedBy: k.CreatedBy, CreatedAt: k.CreatedAt.UTC(), UpdatedAt: k.UpdatedAt.UTC()}
}

type columnBody struct {
	Entity  string `json:"entity"`
	Name    string `json:"name"`
	Label   string `json:"label"`
	Formula string `json:"formula"`
}

func (s *Server) listColumns(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	list, err := s.app.Columns(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(list, toColumn)})
	return nil
}

func (s *Server) createColumn(c *gin.Context) error {
	return s.saveColumn(c, 0, http.StatusCreated)
}

func (s *Server) updateColumn(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.saveColumn(c, id, http.StatusOK)
}

func (s *Server) saveColumn(c *gin.Context, id int64, status int) error {
	var body columnBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	k, err := s.app.SaveColumn(c.Request.Context(), principal(c), id,
		app.ColumnInput{Entity: body.Entity, Name: body.Name, Label: body.Label, Formula: body.Formula})
	if err != nil {
		return err
	}
	c.JSON(status, toColumn(k))
	return nil
}

func (s *Server) deleteColumn(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	if err := s.app.DeleteColumn(c.Request.Context(), principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
