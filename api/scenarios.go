package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/domain"
	"recoup/dunning"
	"recoup/store"
)

type scenarioRequest struct {
	Name    string         `json:"name"`
	Steps   []dunning.Step `json:"steps"`
	Default bool           `json:"default"` // only on create: the scenario used when no rule matches
}

type scenarioView struct {
	ID             int64          `json:"id"`
	Name           string         `json:"name"`
	Default        bool           `json:"default"`
	Archived       bool           `json:"archived"`
	Version        int            `json:"version"`
	CurrentVersion int            `json:"current_version"`
	Steps          []dunning.Step `json:"steps"`
	CreatedAt      time.Time      `json:"created_at"`
	CreatedBy      string         `json:"created_by"`
}

func toScenario(v store.ScenarioVersion) (scenarioView, error) {
	out := scenarioView{ID: v.ScenarioID, Name: v.Name, Default: v.IsDefault, Archived: v.Archived, Version: v.Version,
		CurrentVersion: v.CurrentVersion, CreatedAt: v.CreatedAt.UTC(), CreatedBy: v.CreatedBy}
	return out, json.Unmarshal(v.Steps, &out.Steps)
}

// validScenario checks a request with the planner's own rules, and that each
// reminder's template exists for its channel, and returns the steps to store.
func (s *Server) validScenario(ctx context.Context, req scenarioRequest) (json.RawMessage, error) {
	sc := dunning.Scenario{Name: req.Name, Steps: req.Steps}
	if err := sc.Validate(); err != nil {
		return nil, joinedInvalid(err)
	}
	if err := s.checkStepTemplates(ctx, req.Steps); err != nil {
		return nil, err
	}
	return json.Marshal(req.Steps)
}

func (s *Server) listScenarios(c *gin.Context) {
	if err := queryParams(c, "archived"); err != nil {
		s.fail(c, err)
		return
	}
	archived, err := optionalBool(c, "archived")
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.store.Scenarios(c.Request.Context(), archived != nil && *archived)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerScenarios(c, list)
}

func (s *Server) createScenario(c *gin.Context) {
	var req scenarioRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	steps, err := s.validScenario(c.Request.Context(), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	sc, err := s.store.CreateScenario(c.Request.Context(), req.Name, steps, req.Default, actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerScenario(c, http.StatusCreated, sc)
}

func (s *Server) getScenario(c *gin.Context) {
	id, err := resourceID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	version := 0
	if v := c.Param("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil || version < 1 {
			s.fail(c, domain.FieldError("version", "%q: want a positive integer", v))
			return
		}
	}
	sc, err := s.store.Scenario(c.Request.Context(), id, version)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerScenario(c, http.StatusOK, sc)
}

func (s *Server) listScenarioVersions(c *gin.Context) {
	id, err := resourceID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.store.ScenarioVersions(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerScenarios(c, list)
}

func (s *Server) updateScenario(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req scenarioRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	steps, err := s.validScenario(c.Request.Context(), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	sc, err := s.store.UpdateScenario(c.Request.Context(), id, &req.Name, steps, actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerScenario(c, http.StatusOK, sc)
}

func (s *Server) archiveScenario(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.ArchiveScenario(c.Request.Context(), id, actor(c)); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) answerScenario(c *gin.Context, status int, sc store.ScenarioVersion) {
	v, err := toScenario(sc)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(status, v)
}

func (s *Server) answerScenarios(c *gin.Context, list []store.ScenarioVersion) {
	out := make([]scenarioView, 0, len(list))
	for _, sc := range list {
		v, err := toScenario(sc)
		if err != nil {
			s.fail(c, err)
			return
		}
		out = append(out, v)
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}
