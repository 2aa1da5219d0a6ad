package api

import (
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/risk"
	"recoup/store"
)

// riskRoutes are the credit risk signals' routes (README "Signals in").
var riskRoutes = []Route{
	{"GET", "/customers/:id/risk", auth.RiskRead, (*Server).customerRisk},
	{"GET", "/risk/unmatched", auth.RiskMatch, (*Server).listUnmatchedRisk},
	{"POST", "/risk/unmatched/:id/match", auth.RiskMatch, (*Server).matchRiskSignal},
	{"POST", "/risk/unmatched/:id/dismiss", auth.RiskMatch, (*Server).dismissRiskSignal},
	{"GET", "/risk/providers", auth.RiskManage, (*Server).listRiskProviders},
	{"POST", "/risk/providers", auth.RiskManage, (*Server).createRiskProvider},
	{"GET", "/risk/providers/:name", auth.RiskManage, (*Server).getRiskProvider},
	{"PUT", "/risk/providers/:name", auth.RiskManage, (*Server).updateRiskProvider},
	{"DELETE", "/risk/providers/:name", auth.RiskManage, (*Server).deleteRiskProvider},
	{"POST", "/risk/providers/:name/rotate-secret", auth.RiskManage, (*Server).rotateRiskProviderSecret},
}

func init() { routes = append(routes, riskRoutes...) }

// maxRiskBody bounds a provider's webhook body: a thousand BODACC records
// (risk.MaxSignals) of a few kilobytes each.
const maxRiskBody = 4 << 20

// riskWebhook is POST /webhooks/risk/{provider}: no session, no CSRF; the
// use case authenticates the body by its signature.
func (s *Server) riskWebhook(c *gin.Context) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxRiskBody))
	if err != nil {
		return err
	}
	got, err := s.app.ReceiveRiskWebhook(c.Request.Context(), app.RiskWebhook{Provider: c.Param("provider"),
		Timestamp: c.GetHeader(risk.TimestampHeader), Signature: c.GetHeader(risk.SignatureHeader), Body: body}, time.Now())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, got)
	return nil
}

type riskSignalView struct {
	ID            int64      `json:"id"`
	Provider      string     `json:"provider"`
	EventID       string     `json:"event_id"`
	CompanyID     string     `json:"company_id"`
	CompanyIDKind string     `json:"company_id_kind"`
	CompanyName   string     `json:"company_name"`
	CustomerID    *int64     `json:"customer_id"`
	MatchedBy     string     `json:"matched_by"`
	MatchedAt     *time.Time `json:"matched_at"`
	DismissedAt   *time.Time `json:"dismissed_at"`
	ObservedAt    time.Time  `json:"observed_at"`
	ReceivedAt    time.Time  `json:"received_at"`
	Score         *int       `json:"score"`
	Rating        string     `json:"rating"`
	Limit         *moneyView `json:"limit"`
	LegalStatus   *string    `json:"legal_status"`
	PublishedOn   *string    `json:"published_on"`
	Source        string     `json:"source"`
	Candidates    int        `json:"candidates"`
}

func toRiskSignal(g store.RiskSignal) riskSignalView {
	v := riskSignalView{ID: g.ID, Provider: g.Provider, EventID: g.EventID, CompanyID: g.CompanyID,
		CompanyIDKind: g.CompanyIDKind, CompanyName: g.CompanyName, CustomerID: g.CustomerID, MatchedBy: g.MatchedBy,
		MatchedAt: utcPtr(g.MatchedAt), DismissedAt: utcPtr(g.DismissedAt), ObservedAt: g.ObservedAt.UTC(),
		ReceivedAt: g.ReceivedAt.UTC(), Score: g.Score, Rating: g.Rating, Source: g.Source, Candidates: g.Candidates}
	if g.Limit != nil {
		m := toMoney(*g.Limit)
		v.Limit = &m
	}
	if g.LegalStatus != "" {
		v.LegalStatus = &g.LegalStatus
	}
	if g.PublishedOn != nil {
		d := g.PublishedOn.String()
		v.PublishedOn = &d
	}
	return v
}

type riskLatestView struct {
	RegistrationNumber string     `json:"registration_number"`
	VATNumber          string     `json:"vat_number"`
	Score              *int       `json:"score"`
	Rating             string     `json:"rating"`
	Limit              *moneyView `json:"limit"`
	LegalStatus        string     `json:"legal_status"`
	LegalStatusSince   *string    `json:"legal_status_since"`
	ObservedAt         *time.Time `json:"observed_at"`
	Provider           string     `json:"provider"`
}

func toRiskLatest(l store.RiskLatest) riskLatestView {
	v := riskLatestView{RegistrationNumber: l.RegistrationNumber, VATNumber: l.VATNumber, Score: l.Score, Rating: l.Rating,
		LegalStatus: l.LegalStatus, ObservedAt: utcPtr(l.ObservedAt), Provider: l.Provider}
	if l.Limit != nil {
		m := toMoney(*l.Limit)
		v.Limit = &m
	}
	if l.LegalStatusSince != nil {
		d := l.LegalStatusSince.String()
		v.LegalStatusSince = &d
	}
	return v
}

func riskPageView(p store.RiskSignalPage, pg domain.Page) pageView[riskSignalView] {
	return pageView[riskSignalView]{Items: mapSlice(p.Items, toRiskSignal), Total: p.Total, Limit: pg.Limit, Offset: pg.Offset}
}

func (s *Server) customerRisk(c *gin.Context) error {
	if err := queryParams(c, "limit", "offset"); err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pg, err := page(c)
	if err != nil {
		return err
	}
	r, err := s.app.CustomerRisk(c.Request.Context(), principal(c), id, pg)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"customer_id": id, "latest": toRiskLatest(r.Latest), "history": riskPageView(r.History, pg)})
	return nil
}

func (s *Server) listUnmatchedRisk(c *gin.Context) error {
	if err := queryParams(c, "limit", "offset"); err != nil {
		return err
	}
	pg, err := page(c)
	if err != nil {
		return err
	}
	p, err := s.app.UnmatchedRiskSignals(c.Request.Context(), principal(c), pg)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, riskPageView(p, pg))
	return nil
}

func (s *Server) matchRiskSignal(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req app.RiskMatchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	g, err := s.app.MatchRiskSignal(c.Request.Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toRiskSignal(g))
	return nil
}

func (s *Server) dismissRiskSignal(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	g, err := s.app.DismissRiskSignal(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toRiskSignal(g))
	return nil
}

func (s *Server) listRiskProviders(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	list, err := s.app.RiskProviders(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": nonNil(list)})
	return nil
}

func (s *Server) createRiskProvider(c *gin.Context) error {
	var req app.RiskProviderRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.app.CreateRiskProvider(c.Request.Context(), principal(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, p)
	return nil
}

func (s *Server) getRiskProvider(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	p, err := s.app.RiskProvider(c.Request.Context(), principal(c), c.Param("name"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, p)
	return nil
}

func (s *Server) updateRiskProvider(c *gin.Context) error {
	var req app.RiskProviderRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.app.UpdateRiskProvider(c.Request.Context(), principal(c), c.Param("name"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, p)
	return nil
}

func (s *Server) deleteRiskProvider(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	if err := s.app.DeleteRiskProvider(c.Request.Context(), principal(c), c.Param("name")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) rotateRiskProviderSecret(c *gin.Context) error {
	if err := queryParams(c); err != nil {
		return err
	}
	p, err := s.app.RotateRiskProviderSecret(c.Request.Context(), principal(c), c.Param("name"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, p)
	return nil
}
