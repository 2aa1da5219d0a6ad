package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/dunning"
	"recoup/store"
)

type scenarioView struct {
	ID             int64            `json:"id"`
	Name           string           `json:"name"`
	Default        bool             `json:"default"`
	Archived       bool             `json:"archived"`
	Version        int              `json:"version"`
	CurrentVersion int              `json:"current_version"`
	Steps          []dunning.Step   `json:"steps"`
	Settings       dunning.Settings `json:"settings"`
	CreatedAt      time.Time        `json:"created_at"`
	CreatedBy      string           `json:"created_by"`
}

func toScenario(v store.ScenarioVersion) (scenarioView, error) {
	out := scenarioView{ID: v.ScenarioID, Name: v.Name, Default: v.IsDefault, Archived: v.Archived, Version: v.Version,
		CurrentVersion: v.CurrentVersion, CreatedAt: v.CreatedAt.UTC(), CreatedBy: v.CreatedBy}
	if len(v.Settings) > 0 {
		if err := json.Unmarshal(v.Settings, &out.Settings); err != nil {
			return out, err
		}
	}
	return out, json.Unmarshal(v.Steps, &out.Steps)
}

func (s *Server) listScenarios(c *gin.Context) error {
	if err := queryParams(c, "archived"); err != nil {
		return err
	}
	archived, err := optionalBool(c, "archived")
	if err != nil {
		return err
	}
	list, err := s.app.Scenarios(c.Request.Context(), principal(c), archived != nil && *archived)
	if err != nil {
		return err
	}
	return answerScenarios(c, list)
}

func (s *Server) createScenario(c *gin.Context) error {
	var req app.ScenarioRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sc, err := s.app.CreateScenario(c.Request.Context(), principal(c), req)
	if err != nil {
		return err
	}
	return answerScenario(c, http.StatusCreated, sc)
}

func (s *Server) getScenario(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	version := 0
	if v := c.Param("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil || version < 1 {
			return domain.FieldError("version", "%q: want a positive integer", v)
		}
	}
	sc, err := s.app.Scenario(c.Request.Context(), principal(c), id, version)
	if err != nil {
		return err
	}
	return answerScenario(c, http.StatusOK, sc)
}

func (s *Server) listScenarioVersions(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	list, err := s.app.ScenarioVersions(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	return answerScenarios(c, list)
}

func (s *Server) updateScenario(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.ScenarioRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sc, err := s.app.UpdateScenario(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	return answerScenario(c, http.StatusOK, sc)
}

func (s *Server) archiveScenario(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.app.ArchiveScenario(c.Request.Context(), principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func answerScenario(c *gin.Context, status int, sc store.ScenarioVersion) error {
	v, err := toScenario(sc)
	if err != nil {
		return err
	}
	c.JSON(status, v)
	return nil
}

func answerScenarios(c *gin.Context, list []store.ScenarioVersion) error {
	out := make([]scenarioView, 0, len(list))
	for _, sc := range list {
		v, err := toScenario(sc)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
	return nil
}
